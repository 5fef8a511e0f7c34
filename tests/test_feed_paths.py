"""Which feeds exist and where: `[feeds.paths]`, `[feeds] ids`, sections and categories.

A site moving to feedletter keeps the feed URLs its subscribers poll and the entry ids
their readers remember; every feed read back with feedparser at its real path.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import feedparser
import pytest
from lxml import etree

from feedletter.config import Author, load_config
from feedletter.emit import emit_all, feed_specs
from feedletter.posts import Post
from feedletter.render import Rendered
from feedletter.site import build_site, entry_id


def _two_posts(site) -> None:
    site.post("2020-01-02-first.md", """
        ---
        title: First
        tags: [News, events]
        author: Ann
        ---
        One.
        """)
    site.post("news-internal/2020-02-03-staff.md", """
        ---
        title: Staff only
        tags: news
        author: Bob
        ---
        Two.
        """)


def _files(out) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def test_custom_paths_keep_the_urls_subscribers_poll(site):
    """jekyll-feed's default is `/feed.xml`, Hugo's `/index.xml`, Pelican's FEED_ALL_ATOM
    `atom.xml` with CATEGORY_FEED_ATOM `categories/{slug}/atom.xml`: per-format tables
    name whole files, bases name the rest."""
    _two_posts(site)
    site.config_text = site.config_text + 'feeds_url = "https://example.org/"\n'
    site.config("""
        [feeds.paths]
        index = "feeds.html"
        authors = "people/{slug}"
        [feeds.paths.atom]
        site = "feed.xml"
        tags = "tags/{slug}/feed.xml"
        [feeds.paths.rss]
        site = "index.xml"
        [feeds.paths.json]
        site = "feed.json"
        """)
    result = site.run("build")
    assert result.exit_code == 0, result.output
    files = _files(site.out)
    for name in ("feed.xml", "index.xml", "feed.json", "tags/news/feed.xml", "tags/news.rss.xml",
                 "tags/news.json", "people/ann.atom.xml", "people/bob.rss.xml"):
        assert name in files
    assert "all.atom.xml" not in files and "authors/ann.atom.xml" not in files

    atom = feedparser.parse((site.out / "feed.xml").read_bytes())
    assert atom.bozo == 0 and atom.version == "atom10"
    assert [e.title for e in atom.entries] == ["Staff only", "First"]
    self_links = [link.href for link in atom.feed.links if link.rel == "self"]
    assert self_links == ["https://example.org/feed.xml"]
    rss = feedparser.parse((site.out / "index.xml").read_bytes())
    assert rss.bozo == 0 and rss.version == "rss20"
    assert [link.href for link in rss.feed.links if link.rel == "self"] == \
        ["https://example.org/index.xml"]
    tag = feedparser.parse((site.out / "tags/news/feed.xml").read_bytes())
    assert [link.href for link in tag.feed.links if link.rel == "self"] == \
        ["https://example.org/tags/news/feed.xml"]
    assert json.loads((site.out / "feed.json").read_bytes())["feed_url"] == \
        "https://example.org/feed.json"

    urls = etree.parse(str(site.out / "index-all.opml")).xpath("//outline/@xmlUrl")
    assert "https://example.org/feed.xml" in urls
    assert "https://example.org/tags/news/feed.xml" in urls
    assert "https://example.org/people/bob.atom.xml" in urls
    assert "index.html" not in files      # a site's home page lives there: the list moved
    index = (site.out / "feeds.html").read_text()
    assert 'href="https://example.org/feed.xml"' in index
    assert 'href="https://example.org/index.xml"' in index
    assert 'href="https://example.org/tags/news/feed.xml"' in index
    assert "all.atom.xml" not in index

    # Moving a feed removes the file it was written to before (it is in the manifest).
    site.config("")
    assert site.run("build").exit_code == 0
    files = _files(site.out)
    assert "all.atom.xml" in files and "feed.xml" not in files and "tags/news/feed.xml" not in files


@pytest.mark.parametrize(("toml", "message"), [
    ('[feeds.paths]\nsite = "../all"\n', "must be a relative path inside the output folder"),
    ('[feeds.paths]\nsite = "/all"\n', "must be a relative path inside the output folder"),
    ('[feeds.paths]\ntags = "tags/all"\n', "must contain {slug}"),
    ('[feeds.paths]\nsite = "{slug}"\n', "is one feed: it has no {slug}"),
    ('[feeds.paths.atom]\nsite = "index.html"\n', "is a file feedletter writes itself"),
    ('[feeds.paths]\ntag = "t/{slug}"\n', "unknown key 'feeds.paths.tag'"),
    ('[feeds.paths.atom]\ntopics = "t/{slug}"\n', "unknown key 'feeds.paths.atom.topics'"),
    ('[feeds.paths.atom]\nsite = "x.xml"\n[feeds.paths.rss]\nsite = "x.xml"\n', "share a file"),
    ('[feeds.paths]\nsite = "a/{name}"\n', "must be a relative path"),
    ('[feeds.paths]\nindex = "feeds.txt"\n', "must end in .html"),
    ('[feeds.paths]\nindex = "../feeds.html"\n', "outside the output folder"),
    ('[feeds]\nids = "guid"\n', "'feeds.ids' must be one of tag-uri, permalink, jekyll-feed, pelican"),
    ('[site]\ngenerator = "wordpress"\n', "'site.generator' must be one of"),
    ('[[feeds.sections]]\ntitle = "x"\n', "'feeds.sections[0].path' is required"),
    ('[[feeds.sections]]\npath = "../x"\n', "must be a folder under the posts folder"),
    ('[[feeds.sections]]\npath = "a"\nin_main = "yes"\n', "'feeds.sections[0].in_main' must be true"),
])
def test_bad_feed_settings_are_one_line_naming_the_key(tmp_path, toml, message):
    cfg = tmp_path / "feedletter.toml"
    if toml.startswith("[site]"):
        cfg.write_text(toml.replace("[site]\n", '[site]\nurl = "https://e.org"\n'))
    else:
        cfg.write_text('[site]\nurl = "https://e.org"\n' + toml)
    from feedletter.errors import ConfigError
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert message in str(info.value)


def test_a_feed_that_would_overwrite_another_is_left_out_with_a_warning(site):
    site.post("2020-01-02-first.md", "---\ntitle: First\ntags: all\n---\nOne.\n")
    site.config('[feeds.paths]\ntags = "{slug}"\n')
    result = site.run("build")
    assert result.exit_code == 0, result.output
    assert "the feed of tag 'all' would be written over the site feed" in result.stderr
    feed = feedparser.parse((site.out / "all.atom.xml").read_bytes())
    assert feed.feed.title == "Test Site"


# --- entry ids ---------------------------------------------------------------------------

def _post(link: str, slug: str, date: datetime, **kw) -> Post:
    return Post(source=f"posts/{slug}.md", title=slug, date=date, updated=date, tags=(),
                authors=(Author("a", "A"),), slug=slug, link=link,
                id=f"tag:example.org,{date:%Y-%m-%d}:/{slug}", body="x", summary=None, **kw)


def test_ids_permalink_is_the_link(site):
    """Hugo's embedded RSS template: `<guid>{{ .Permalink }}</guid>`
    (https://github.com/gohugoio/hugo/blob/master/tpl/tplimpl/embedded/templates/rss.xml);
    Zola's atom.xml: `<id>{{ page.permalink | safe }}</id>`."""
    _two_posts(site)
    site.config('[feeds]\nids = "permalink"\n')
    assert site.run("build").exit_code == 0
    for name in ("all.atom.xml", "all.rss.xml"):
        feed = feedparser.parse((site.out / name).read_bytes())
        assert [e.id for e in feed.entries] == [e.link for e in feed.entries]
        assert feed.entries[1].id == "https://example.org/blog/2020/01/first/"
    items = json.loads((site.out / "all.json").read_bytes())["items"]
    assert [i["id"] for i in items] == [i["url"] for i in items]


def test_generator_picks_its_ids_unless_told():
    from feedletter.config import GENERATOR_IDS
    assert GENERATOR_IDS["feedletter"] == "tag-uri"
    assert GENERATOR_IDS["hugo"] == GENERATOR_IDS["zola"] == "permalink"


def test_jekyll_feed_id_is_the_url_folder_and_the_slug():
    """jekyll-feed: `<id>{{ post.id | absolute_url | xml_escape }}</id>`
    (https://github.com/jekyll/jekyll-feed/blob/master/lib/jekyll-feed/feed.xml), and
    Jekyll's Document#id is `File.join(File.dirname(url), (data["slug"] || basename_without_ext))`
    (https://github.com/jekyll/jekyll/blob/master/lib/jekyll/document.rb): with the
    permalink `/news/:year/:month/:day/:title/`, the id has no trailing slash."""
    day = datetime(2013, 5, 6, tzinfo=UTC)
    post = _post("https://jekyllrb.com/news/2013/05/06/jekyll-1-0-0-released/",
                 "jekyll-1-0-0-released", day)
    assert entry_id(post, "jekyll-feed") == "https://jekyllrb.com/news/2013/05/06/jekyll-1-0-0-released"
    html = _post("https://example.org/blog/2013/05/06/a-post.html", "a-post", day)
    assert entry_id(html, "jekyll-feed") == "https://example.org/blog/2013/05/06/a-post"
    top = _post("https://example.org/a-post/", "a-post", day)
    assert entry_id(top, "jekyll-feed") == "https://example.org/a-post"


def test_pelican_id_is_feedgenerators_tag_uri():
    """Pelican's writer: `unique_id=get_tag_uri(link, item.date)`; feedgenerator:
    `return f"tag:{bits.hostname}{d}:{bits.path}{fragment}"` with `d = ",%s" %
    date.strftime("%Y-%m-%d")` (https://github.com/getpelican/feedgenerator)."""
    eastern = timezone(timedelta(hours=-5))
    post = _post("https://this-week-in-rust.org/blog/2014/11/17/this-week-in-rust/",
                 "this-week-in-rust", datetime(2014, 11, 17, 23, 30, tzinfo=eastern))
    assert entry_id(post, "pelican") == \
        "tag:this-week-in-rust.org,2014-11-17:/blog/2014/11/17/this-week-in-rust/"
    anchored = replace(post, link="https://e.org/a/#part")
    assert entry_id(anchored, "pelican") == "tag:e.org,2014-11-17:/a//part"


def test_explicit_id_is_never_replaced():
    day = datetime(2020, 1, 1, tzinfo=UTC)
    post = replace(_post("https://e.org/a/", "a", day), id="urn:uuid:1", explicit_id=True)
    assert entry_id(post, "permalink") == "urn:uuid:1"


# --- sections and categories -------------------------------------------------------------

def test_section_has_its_own_feed_and_leaves_the_main_one(site):
    """A Zola sub-blog in `content/news-internal/` with its own feed, kept out of the main
    one; `in_main = true` keeps it in both."""
    _two_posts(site)
    site.post("news-internal/drafts-of-notes/2020-03-01-old.md", "---\ntitle: Old\n---\nx\n")
    site.config("""
        [[feeds.sections]]
        path = "news-internal"
        title = "Internal news"
        exclude = ["news-internal/drafts-of-notes/*"]
        [feeds.paths]
        sections = "{slug}/atom"
        """)
    result = site.run("build")
    assert result.exit_code == 0, result.output
    main = feedparser.parse((site.out / "all.atom.xml").read_bytes())
    assert [e.title for e in main.entries] == ["Old", "First"]
    section = feedparser.parse((site.out / "news-internal/atom.atom.xml").read_bytes())
    assert section.feed.title == "Test Site — Internal news"
    assert [e.title for e in section.entries] == ["Staff only"]
    tag = feedparser.parse((site.out / "tags/news.atom.xml").read_bytes())
    assert {e.title for e in tag.entries} == {"Staff only", "First"}     # taxonomies see all
    urls = etree.parse(str(site.out / "index-all.opml")).xpath(
        "//outline[@text='Sections']/outline/@xmlUrl")
    assert urls == ["https://example.org/feeds/news-internal/atom.atom.xml"]
    assert "<h2>Sections</h2>" in (site.out / "index.html").read_text()

    site.config('[[feeds.sections]]\npath = "news-internal"\nin_main = true\n'
                '[feeds]\nexclude = ["2020-01-02-*"]\n')
    assert site.run("build").exit_code == 0
    main = feedparser.parse((site.out / "all.atom.xml").read_bytes())
    assert [e.title for e in main.entries] == ["Old", "Staff only"]
    assert (site.out / "sections/news-internal.atom.xml").is_file()


def test_categories_get_feeds_beside_tags(tmp_path):
    """Jekyll: "categories ... are a taxonomy of their own"; Pelican CATEGORY_FEED_ATOM."""
    cfg = tmp_path / "feedletter.toml"
    cfg.write_text('[site]\nurl = "https://e.org"\ntitle = "T"\n'
                   '[feeds.paths.atom]\ncategories = "categories/{slug}/atom.xml"\n')
    config = load_config(cfg)
    day = datetime(2020, 1, 1, tzinfo=UTC)
    posts = [replace(_post(f"https://e.org/{n}/", n, day + timedelta(days=i)), categories=c)
             for i, (n, c) in enumerate([("a", ("Release",)), ("b", ("release", "News")),
                                         ("c", ())])]
    site = build_site(config, posts)
    assert [(g.slug, g.name, len(g.posts)) for g in site.categories] == \
        [("news", "News", 1), ("release", "Release", 2)]
    files = emit_all(site, lambda p: Rendered("<p>x</p>", ""))
    feed = feedparser.parse(files["categories/release/atom.xml"])
    assert feed.bozo == 0 and [e.title for e in feed.entries] == ["b", "a"]
    assert [link.href for link in feed.feed.links if link.rel == "self"] == \
        ["https://e.org/feeds/categories/release/atom.xml"]
    assert "categories/news.rss.xml" in files
    opml = etree.fromstring(files["index-all.opml"])
    assert "https://e.org/feeds/categories/release/atom.xml" in \
        opml.xpath("//outline[@text='Categories']/outline/@xmlUrl")
    assert "<h2>By category</h2>" in files["index.html"].decode()
    assert [s.kind for s in feed_specs(site)] == ["site", "categories", "categories", "authors"]


def test_page_bundles_sharing_an_id_get_distinct_ids(tmp_path):
    """Hugo and Zola page bundles are all called index.md: a suffix from the file name
    alone would give three posts one id."""
    cfg = tmp_path / "feedletter.toml"
    cfg.write_text('[site]\nurl = "https://e.org"\n[feeds]\nids = "permalink"\n')
    day = datetime(2020, 1, 1, tzinfo=UTC)
    posts = [replace(_post("https://e.org/blog/index/", "index", day), source=f"posts/{n}/index.md")
             for n in ("a", "b", "c")]
    site = build_site(load_config(cfg), posts)
    assert len({p.id for p in site.posts}) == 3
    assert all(p.id.startswith("https://e.org/blog/index/") for p in site.posts)


def test_category_feeds_and_digest_sections_from_a_jekyll_site(tmp_path):
    """Jekyll: "category / categories … a taxonomy of their own" (https://jekyllrb.com/docs/posts/#categories);
    each gets its feed, and a digest section can select posts by category."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_config.yml").write_text("url: https://j.example.org\ntitle: J\n")
    (tmp_path / "_posts" / "2024-03-01-one.md").write_text(
        "---\ntitle: One\ncategory: release\ntags: a b\n---\nFirst.\n")
    (tmp_path / "_posts" / "2024-03-05-two.md").write_text(
        "---\ntitle: Two\ncategories: [community]\n---\nSecond.\n")
    cfg = tmp_path / "feedletter.toml"
    cfg.write_text('[site]\ngenerator = "jekyll"\nurl = "https://j.example.org"\ntitle = "J"\n'
                   '[[digest.sections]]\ntitle = "Releases"\ncategories = ["Release"]\n')
    runner_args = ["--config", str(cfg), "--now", "2024-04-02T00:00:00Z"]
    from click.testing import CliRunner

    from feedletter.cli import main
    build = CliRunner().invoke(main, ["build", *runner_args])
    assert build.exit_code == 0, build.output
    release = feedparser.parse((tmp_path / "feeds/categories/release.atom.xml").read_bytes())
    assert [e.title for e in release.entries] == ["One"]
    community = feedparser.parse((tmp_path / "feeds/categories/community.rss.xml").read_bytes())
    assert [e.title for e in community.entries] == ["Two"]
    # jekyll-feed, the Jekyll default: the id is the URL's folder and the slug
    assert release.entries[0].id == "https://j.example.org/release/2024/03/01/one"
    digest = CliRunner().invoke(main, ["digest", *runner_args, "--month", "2024-03",
                                       "--out", str(tmp_path / "d")])
    assert digest.exit_code == 0, digest.output
    text = (tmp_path / "d" / "2024-03.txt").read_text()
    assert text.index("RELEASES") < text.index("* One") < text.index("MORE NEWS") < text.index("* Two")
