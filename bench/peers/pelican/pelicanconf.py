# Pelican settings for the benchmark (bench/run.py copies this beside the converted
# corpus). Pelican's own defaults where possible: its default theme, Markdown with
# its default extensions, pagination as `pelican-quickstart` proposes. Feeds as
# feedletter writes them: the whole site and every tag, Atom and RSS, 50 entries,
# full content, absolute URLs.
AUTHOR = "Bench"
SITENAME = "Bench blog"
SITEURL = "https://bench.example.org"
TIMEZONE = "Europe/Prague"
DEFAULT_LANG = "en"
RELATIVE_URLS = False
DEFAULT_PAGINATION = 10

FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = False
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tag/{slug}.rss.xml"
# Every post falls in the one default category: its feed would repeat the site's.
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# The corpus names each post by date and slug; keep that, so that posts with the
# same title don't overwrite each other.
ARTICLE_URL = "blog/{slug}/"
ARTICLE_SAVE_AS = "blog/{slug}/index.html"

# Pelican's default Markdown set-up, except that code blocks without a language are
# not run through Pygments' language guesser (a third of Pelican's time on this
# corpus). Hugo doesn't guess either, and feedletter highlights nothing.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight", "guess_lang": False},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}
