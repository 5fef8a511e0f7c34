"""`feedletter init`: the generator's own config → a feedletter.toml that builds the site.

Each expectation quotes the generator's documented behaviour it follows.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from feedletter.cli import main
from feedletter.config import load_config
from feedletter.init.detect import detect

HERE = Path(__file__).parent
FIXTURES = HERE / "init_sites"
BUILD = ["--now", "2026-12-01T00:00:00Z", "--jobs", "1"]


def real_site(name: str) -> Path:
    """A real site of the shared corpus (beside the oVirt one); never skipped in CI."""
    from conftest import corpus_path

    path = corpus_path().parent / name
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real site {path} not found; CI must not skip corpus tests")
        pytest.skip(f"real site {path} not found")
    return path


def init(*args: str, cwd: Path | None = None):
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["init", *args])
    finally:
        os.chdir(old)


def written(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


# --- detection ---------------------------------------------------------------------------

@pytest.mark.parametrize(("files", "expected"), [
    ({"_config.yml": "title: x\n"}, "jekyll"),
    ({"hugo.toml": 'baseURL = "https://e.org/"\n'}, "hugo"),
    ({"config/_default/hugo.yaml": "baseURL: https://e.org/\n"}, "hugo"),
    ({"config.toml": 'baseURL = "https://e.org/"\ntitle = "x"\n'}, "hugo"),      # Hugo keys
    ({"config.toml": 'base_url = "https://e.org"\ncompile_sass = false\n'}, "zola"),
    ({"pelicanconf.py": "SITENAME = 'x'\n"}, "pelican"),
    ({"config.rb": "activate :blog\n"}, "middleman"),
    ({".eleventy.js": "module.exports = {};\n"}, "eleventy"),
    ({"eleventy.config.js": "export default {};\n"}, "eleventy"),
    ({"2020-01-01-a.md": "---\ntitle: a\n---\n"}, "feedletter"),
    ({"docs/_config.yml": "title: x\n"}, "jekyll"),                            # a project's docs/
])
def test_detects_the_generator_from_its_files(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert detect(tmp_path)[0] == expected


# --- the real sites ----------------------------------------------------------------------

def test_jekyll_news(tmp_path):
    """jekyll-feed: "the feed is at /feed.xml" unless `feed.path`; `feed.categories` gives
    /feed/<category>.xml; ids are `post.id | absolute_url`
    (https://github.com/jekyll/jekyll-feed#readme). Jekyll: a collection's `permalink`
    applies to its documents (https://jekyllrb.com/docs/permalinks/#collections)."""
    site = real_site("jekyll-news")
    out = tmp_path / "feedletter.toml"
    result = init(str(site), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "found: generator: jekyll (docs/_config.yml)" in result.output
    assert "found: site URL https://jekyllrb.com (url in _config.yml)" in result.output
    cfg = written(out)
    assert cfg["site"]["generator"] == "jekyll"
    assert cfg["site"]["url"] == "https://jekyllrb.com"
    assert cfg["site"]["feeds_url"] == "https://jekyllrb.com/"
    assert cfg["site"]["timezone"] == "America/Los_Angeles"
    assert cfg["paths"]["posts"] == str(site / "docs")
    assert cfg["source"]["root"] == str(site / "docs")
    assert cfg["source"]["permalink"] == "/news/:year/:month/:day/:title/"
    assert cfg["source"]["future"] is True
    assert cfg["feeds"]["ids"] == "jekyll-feed"
    assert cfg["feeds"]["max_entries"] == 10          # jekyll-feed's posts_limit default
    assert cfg["feeds"]["paths"]["atom"] == {"site": "feed.xml", "categories": "feed/{slug}.xml"}
    assert cfg["feeds"]["paths"]["index"] == "feeds.html"      # /index.html is the home page
    # Liquid's `site.*` is the config: the posts use {{ site.repository }} 35 times
    assert cfg["source"]["variables"]["repository"] == "https://github.com/jekyll/jekyll"
    assert cfg["source"]["variables"]["baseurl"] == ""


def test_otel_blog(tmp_path):
    """Hugo: RSS of the home page at /index.xml and of a section at /<section>/index.xml
    (https://gohugo.io/templates/rss/), `services.rss.limit`; the site's cascade gives the
    blog section its RSS output; `<guid>{{ .Permalink }}</guid>`."""
    site = real_site("otel-blog")
    out = tmp_path / "feedletter.toml"
    result = init(str(site), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "found: generator: hugo (config/_default/hugo.yaml)" in result.output
    cfg = written(out)
    assert cfg["site"]["generator"] == "hugo"
    assert cfg["site"]["url"] == "https://opentelemetry.io"
    assert cfg["site"]["language"] == "en-US"
    assert cfg["paths"]["posts"] == str(site / "content" / "en")
    assert cfg["feeds"] == {"ids": "permalink", "max_entries": 20, "paths": {"index": "feeds.html", "rss": {
        "site": "index.xml", "tags": "tags/{slug}/index.xml",
        "categories": "categories/{slug}/index.xml", "sections": "{slug}/index.xml"}},
        "sections": [{"path": "blog", "in_main": True}]}


def test_twir_pelican(tmp_path):
    """Pelican: FEED_ALL_ATOM = 'atom.xml', CATEGORY_FEED_ATOM = 'categories/{slug}/atom.xml',
    FEED_MAX_ITEMS = 4 in the site's pelicanconf.py; AUTHOR_FEED_ATOM's default is
    'feeds/{slug}.atom.xml' (https://docs.getpelican.com/en/latest/settings.html#feed-settings)."""
    site = real_site("twir")
    out = tmp_path / "feedletter.toml"
    result = init(str(site), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "not read (not literals in pelicanconf.py): USE_EMAIL_THEME" in result.output
    cfg = written(out)
    assert cfg["site"] | {} == {"generator": "pelican", "title": "This Week in Rust",
                                "url": "https://this-week-in-rust.org", "language": "en",
                                "timezone": "America/New_York", "author": "TWiR Contributors",
                                "feeds_url": "https://this-week-in-rust.org/"}
    assert cfg["source"]["permalink"] == "blog/{date:%Y}/{date:%m}/{date:%d}/{slug}/"
    assert cfg["feeds"]["ids"] == "pelican" and cfg["feeds"]["max_entries"] == 4
    assert cfg["feeds"]["paths"]["atom"] == {"site": "atom.xml",
                                             "categories": "categories/{slug}/atom.xml",
                                             "authors": "feeds/{slug}.atom.xml"}
    assert cfg["feeds"]["paths"]["rss"]["site"] == "rss.xml"


def test_bare_folder_needs_a_url_then_builds(tmp_path, corpus_dir):
    out = tmp_path / "feedletter.toml"
    result = init(str(corpus_dir), "--output", str(out))
    assert result.exit_code == 2
    assert "no site URL" in result.output and "pass --url" in result.output
    assert not out.exists()
    result = init(str(corpus_dir), "--output", str(out), "--url", "https://www.ovirt.org")
    assert result.exit_code == 0, result.output
    cfg = written(out)
    assert cfg["site"] == {"generator": "feedletter", "url": "https://www.ovirt.org"}
    assert cfg["paths"] == {"posts": str(corpus_dir)}
    assert "feeds" not in cfg
    build = CliRunner().invoke(main, ["build", "--config", str(out), *BUILD])
    assert "78 posts published" in build.output
    feed = feedparser.parse((tmp_path / "feeds" / "all.atom.xml").read_bytes())
    assert feed.bozo == 0 and feed.entries[0].id.startswith("tag:www.ovirt.org,")
    assert "found: post links: https://www.ovirt.org/blog/<year>/<month>/<slug>/" in result.output
    assert "ends in /blog" not in result.output


def test_bare_folder_url_ending_in_blog_is_flagged(tmp_path):
    """A new user passes the blog's own URL: feedletter's default link adds /blog/ again."""
    (tmp_path / "2024-01-02-a.md").write_text("---\ntitle: A\n---\nText.\n")
    result = init(str(tmp_path), "--output", str(tmp_path / "feedletter.toml"),
                  "--url", "https://example.org/blog/")
    assert result.exit_code == 0, result.output
    assert ("not decided: the site URL ends in /blog, and post links add /blog/ again "
            "(https://example.org/blog/blog/…)") in result.output


def test_never_overwrites_without_force(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "zola", site)
    (site / "feedletter.toml").write_text("# mine\n")
    result = init(str(site), cwd=site)
    assert result.exit_code == 2
    assert "already exists; pass --force" in result.output
    assert (site / "feedletter.toml").read_text() == "# mine\n"
    result = init(str(site), "--force", cwd=site)
    assert result.exit_code == 0, result.output
    assert written(site / "feedletter.toml")["site"]["generator"] == "zola"


def test_default_site_dir_is_the_current_folder(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "zola", site)
    result = init(cwd=site)
    assert result.exit_code == 0, result.output
    cfg = written(site / "feedletter.toml")
    assert cfg["source"]["root"] == "." and cfg["paths"]["posts"] == "content"


def test_the_config_is_written_in_the_current_folder_and_builds_from_there(tmp_path):
    # `feedletter init ../blog && feedletter build`: the config lands where every command
    # looks for it, never inside the site's own tree (which may be read-only, or a checkout).
    site, work = tmp_path / "site", tmp_path / "work"
    shutil.copytree(FIXTURES / "zola", site)
    work.mkdir()
    result = init(str(site), cwd=work)
    assert result.exit_code == 0, result.output
    assert not (site / "feedletter.toml").exists()
    assert "next: feedletter build\n" in result.output
    assert written(work / "feedletter.toml")["source"]["root"] == str(site)
    old = os.getcwd()
    os.chdir(work)
    try:
        built = CliRunner().invoke(main, ["build", "--now", "2030-01-01T00:00:00Z"])
    finally:
        os.chdir(old)
    assert built.exit_code == 0, built.output
    assert feedparser.parse((work / "feeds" / "atom.xml").read_bytes()).entries


# --- Zola fixtures (from Zola's documentation) --------------------------------------------

def test_zola_feeds_taxonomies_and_sections(tmp_path):
    """Zola: `feed_filenames = ["atom.xml", "rss.xml"]` writes both at the root; a taxonomy
    with `feed = true` has /<taxonomy>/<term>/<file>; a section whose `_index.md` sets
    `generate_feeds = true` has /<section>/<file>
    (https://www.getzola.org/documentation/content/section/#front-matter)."""
    out = tmp_path / "feedletter.toml"
    result = init(str(FIXTURES / "zola"), "--output", str(out))
    assert result.exit_code == 0, result.output
    cfg = written(out)
    assert cfg["site"]["generator"] == "zola" and cfg["site"]["author"] == "The Fixture Team"
    assert cfg["source"]["taxonomies"] == {"tag": "tags", "category": "categories"}
    assert cfg["source"]["slugify"] == "on"
    assert cfg["feeds"]["ids"] == "permalink"
    assert cfg["feeds"]["paths"]["atom"] == {"site": "atom.xml", "tags": "tags/{slug}/atom.xml",
                                             "sections": "{slug}/atom.xml"}
    assert cfg["feeds"]["paths"]["rss"] == {"site": "rss.xml", "tags": "tags/{slug}/rss.xml",
                                            "sections": "{slug}/rss.xml"}
    assert cfg["feeds"]["sections"] == [
        {"path": "blog", "title": "Blog", "in_main": True},
        {"path": "news-internal", "title": "Internal news", "in_main": True}]


def test_zola_before_0_19(tmp_path):
    """Zola 0.18: `generate_feed = true` and `feed_filename = "rss.xml"`; the base URL has a path."""
    out = tmp_path / "feedletter.toml"
    assert init(str(FIXTURES / "zola-old"), "--output", str(out)).exit_code == 0
    cfg = written(out)
    assert cfg["site"]["url"] == "https://old.example.org/blog"
    assert cfg["site"]["feeds_url"] == "https://old.example.org/blog/"
    assert cfg["feeds"]["paths"] == {"index": "feeds.html", "rss": {"site": "rss.xml"}}
    assert cfg["feeds"]["max_entries"] == 20


# --- reading without running ---------------------------------------------------------------

def test_pelicanconf_is_read_never_run(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "content").mkdir()
    (tmp_path / "pelicanconf.py").write_text(
        "import os\n"
        f"open({str(marker)!r}, 'w').write('x')\n"
        f"SITENAME = open({str(marker)!r}, 'w').name\n"
        "LOCAL = False\n"
        "SITEURL = 'https://blog.example.org' if not LOCAL else 'http://localhost:8000'\n"
        "THEME = 'themes/x'\nTHEME_STATIC = THEME + '/static'\n"
        "TIMEZONE = os.environ.get('TZ', 'UTC')\n"
        "FEED_ALL_ATOM = None\nFEED_ALL_RSS = 'feeds/all.rss.xml'\n"
        "if True:\n    SITEURL = 'https://elsewhere.example.org'\n")
    out = tmp_path / "feedletter.toml"
    result = init(str(tmp_path), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    assert "not read (not literals in pelicanconf.py): SITENAME, TIMEZONE" in result.output
    assert "no TIMEZONE" in result.output
    cfg = written(out)
    assert cfg["site"]["url"] == "https://blog.example.org"
    assert "title" not in cfg["site"]
    assert cfg["feeds"]["paths"]["rss"]["site"] == "feeds/all.rss.xml"
    assert "site" not in cfg["feeds"]["paths"].get("atom", {})     # FEED_ALL_ATOM = None


def test_broken_generator_config_is_one_line(tmp_path):
    (tmp_path / "_config.yml").write_text("title: [unclosed\n")
    result = init(str(tmp_path), "--output", str(tmp_path / "f.toml"))
    assert result.exit_code == 2
    assert result.output.startswith(f"feedletter: {tmp_path / '_config.yml'}: cannot parse")
    assert "Traceback" not in result.output


def test_jekyll_authors_file(tmp_path):
    """jekyll-feed looks a post's author up in `site.data.authors` (_data/authors.yml)."""
    (tmp_path / "_config.yml").write_text("url: https://e.org\nbaseurl: /blog\nplugins: [jekyll-feed]\n"
                                          "feed:\n  path: /atom.xml\n  categories: [news, Big News]\n")
    (tmp_path / "_data").mkdir()
    (tmp_path / "_data" / "authors.yml").write_text(
        "ann:\n  name: Ann Example\n  email: ann@e.org\n  uri: https://e.org/ann\nbob: Bob B\n")
    out = tmp_path / "feedletter.toml"
    result = init(str(tmp_path), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "not decided: jekyll-feed wrote category 'Big News' to /feed/Big News.xml" in result.output
    assert "'news'" not in result.output.split("not decided:", 1)[1]
    cfg = written(out)
    assert cfg["site"]["url"] == "https://e.org/blog"
    assert cfg["site"]["feeds_url"] == "https://e.org/blog/"
    assert cfg["feeds"]["paths"]["atom"] == {"site": "atom.xml", "categories": "feed/{slug}.xml"}
    assert cfg["authors"] == {"ann": {"name": "Ann Example", "email": "ann@e.org",
                                      "uri": "https://e.org/ann"}, "bob": {"name": "Bob B"}}
    load_config(out)


# --- init && build, no edits -------------------------------------------------------------

@pytest.mark.parametrize("name", ["jekyll-news", "otel-blog", "twir", "zola"])
def test_init_then_build_with_no_edits(tmp_path, name):
    site = FIXTURES / name if name == "zola" else real_site(name)
    out = tmp_path / "feedletter.toml"
    assert init(str(site), "--output", str(out)).exit_code == 0
    config = load_config(out)
    build = CliRunner().invoke(main, ["build", "--config", str(out), *BUILD])
    assert build.exit_code in (0, 1), build.output
    published = int(build.stdout.strip().splitlines()[-1].split()[0])
    assert published > 0, build.output
    for feed_file in (tmp_path / "feeds").rglob("*.xml"):
        # what a variable of the site's config would have given, never an empty one
        assert b'href="https://jekyllrb.com/issues/' not in feed_file.read_bytes()
    files = config.feed_paths
    site_feed = tmp_path / "feeds" / (files.files.get(("atom", "site")) or files.files[("rss", "site")])
    feed = feedparser.parse(site_feed.read_bytes())
    assert feed.bozo == 0 and feed.entries
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [config.feeds_url + site_feed.relative_to(tmp_path / "feeds").as_posix()]


def test_hugo_toml_permalinks_taxonomies_authors(tmp_path):
    """Hugo: `[permalinks] posts = "/:year/:month/:slug/"`, `[taxonomies]` replaces the
    default tag/category pair, `buildFuture`; every section has RSS unless the section
    outputs leave it out (https://gohugo.io/configuration/outputs/#default-output-formats)."""
    (tmp_path / "hugo.toml").write_text(
        'baseURL = "https://hugo.example.org/"\ntitle = "H"\nlanguageCode = "de-de"\n'
        'timeZone = "Europe/Berlin"\nbuildFuture = true\n'
        '[permalinks]\nposts = "/:year/:month/:slug/"\n'
        '[taxonomies]\ntag = "tags"\nseries = "series"\n'
        '[params.authors.ann]\nname = "Ann A"\nemail = "ann@e.org"\n')
    for section in ("posts", "notes"):
        (tmp_path / "content" / section).mkdir(parents=True)
    out = tmp_path / "feedletter.toml"
    result = init(str(tmp_path), "--output", str(out))
    assert result.exit_code == 0, result.output
    cfg = written(out)
    assert cfg["site"]["language"] == "de-de" and cfg["site"]["timezone"] == "Europe/Berlin"
    assert cfg["source"]["permalinks"] == {"posts": "/:year/:month/:slug/"}
    assert cfg["source"]["taxonomies"] == {"tag": "tags", "series": "series"}
    assert cfg["source"]["future"] is True
    assert cfg["authors"] == {"ann": {"name": "Ann A", "email": "ann@e.org"}}
    assert [s["path"] for s in cfg["feeds"]["sections"]] == ["notes", "posts"]
    assert cfg["paths"]["posts"] == "content"


def test_middleman_and_eleventy(tmp_path):
    """Middleman blog: `blog.prefix` and `blog.permalink` in config.rb
    (https://middlemanapp.com/basics/blogging/); eleventy-base-blog's `_data/metadata.json`
    and its feed template's `permalink: /feed/feed.xml` (https://www.11ty.dev/docs/plugins/rss/)."""
    mm = tmp_path / "mm"
    (mm / "source" / "blog").mkdir(parents=True)
    (mm / "config.rb").write_text('activate :blog do |blog|\n  blog.prefix = "blog"\n'
                                  '  blog.permalink = "{year}/{month}/{title}.html"\nend\n')
    result = init(str(mm), "--output", str(mm / "f.toml"), "--url", "https://mm.example.org")
    assert result.exit_code == 0, result.output
    cfg = written(mm / "f.toml")
    assert cfg["site"]["generator"] == "middleman"
    assert cfg["paths"]["posts"] == "source/blog"
    assert cfg["source"]["permalink"] == "/blog/{year}/{month}/{title}.html"
    assert cfg["feeds"]["ids"] == "tag-uri"

    ev = tmp_path / "ev"
    (ev / "_data").mkdir(parents=True)
    (ev / "content" / "blog").mkdir(parents=True)
    (ev / "eleventy.config.js").write_text("export default function (c) {};\n")
    (ev / "_data" / "metadata.json").write_text(
        '{"title": "Eleventy Blog", "url": "https://11ty.example.org/", "language": "en"}')
    (ev / "content" / "feed.njk").write_text("---\npermalink: /feed/feed.xml\n---\n<feed>\n")
    result = init(str(ev), "--output", str(ev / "f.toml"))
    assert result.exit_code == 0, result.output
    cfg = written(ev / "f.toml")
    assert cfg["site"]["url"] == "https://11ty.example.org"
    assert cfg["paths"]["posts"] == "content/blog"
    assert cfg["feeds"] == {"ids": "permalink", "paths": {"index": "feeds.html",
                                                          "atom": {"site": "feed/feed.xml"}}}


def test_zola_site_keeps_its_feed_urls_and_ids(tmp_path):
    """After init && build, each feed Zola wrote is at its URL with the same entries:
    the site feed holds every page, a section's `<section>/atom.xml` its own pages, a tag's
    `/tags/<tag>/atom.xml`; ids are the permalinks (Zola's atom.xml:
    `<id>{{ page.permalink | safe }}</id>`)."""
    out = tmp_path / "feedletter.toml"
    assert init(str(FIXTURES / "zola"), "--output", str(out)).exit_code == 0
    build = CliRunner().invoke(main, ["build", "--config", str(out), *BUILD])
    assert build.exit_code == 0, build.output
    feeds = tmp_path / "feeds"

    def entries(name: str) -> list[tuple[str, str]]:
        parsed = feedparser.parse((feeds / name).read_bytes())
        assert parsed.bozo == 0, name
        assert [link.href for link in parsed.feed.links if link.rel == "self"] == \
            ["https://zola.example.org/" + name]
        return [(e.id, e.link) for e in parsed.entries]

    site = entries("atom.xml")
    assert len(site) == 4 and all(i == link for i, link in site)
    assert ("https://zola.example.org/2019/10/24/dated-by-path/",) * 2 in site
    assert entries("rss.xml") == site
    assert [i for i, _ in entries("blog/atom.xml")] == [
        "https://zola.example.org/blog/release/", "https://zola.example.org/blog/first-post/",
        "https://zola.example.org/2019/10/24/dated-by-path/"]
    assert [i for i, _ in entries("news-internal/rss.xml")] == \
        ["https://zola.example.org/news-internal/staff-meeting/"]
    assert len(entries("tags/release/atom.xml")) == 2


def test_pelican_quickstart_site_publishes_with_publishconf(tmp_path):
    """pelican-quickstart writes feeds off in pelicanconf.py ("Feed generation is usually
    not desired when developing": FEED_ALL_ATOM = None) and on in publishconf.py, which
    starts with `from pelicanconf import *` (https://docs.getpelican.com/en/latest/publish.html)."""
    (tmp_path / "content").mkdir()
    (tmp_path / "pelicanconf.py").write_text(
        "AUTHOR = 'Ann'\nSITENAME = 'Quick'\nSITEURL = ''\nPATH = 'content'\n"
        "TIMEZONE = 'Europe/Paris'\nDEFAULT_LANG = 'fr'\n"
        "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n"
        "AUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\n")
    (tmp_path / "publishconf.py").write_text(
        "import os\nimport sys\nsys.path.append(os.curdir)\nfrom pelicanconf import *\n"
        "SITEURL = 'https://quick.example.org'\nRELATIVE_URLS = False\n"
        "FEED_ALL_ATOM = 'feeds/all.atom.xml'\nCATEGORY_FEED_ATOM = 'feeds/{slug}.atom.xml'\n")
    out = tmp_path / "feedletter.toml"
    result = init(str(tmp_path), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "publishconf.py (the settings the site is published with) sets: " \
           "CATEGORY_FEED_ATOM, FEED_ALL_ATOM, RELATIVE_URLS, SITEURL" in result.output
    cfg = written(out)
    assert cfg["site"]["url"] == "https://quick.example.org"
    assert cfg["site"]["timezone"] == "Europe/Paris" and cfg["site"]["language"] == "fr"
    assert cfg["feeds"]["paths"]["atom"] == {"site": "feeds/all.atom.xml",
                                             "categories": "feeds/{slug}.atom.xml"}
    assert cfg["feeds"]["ids"] == "pelican"


# --- follow-ups: dates in Zola paths, Hugo nested params, Jekyll defaults ----------------

def test_zola_site_dated_only_in_path_gets_a_date_pattern_and_builds(tmp_path):
    """Zola's page front matter: "path: The path the content will appear at … will override
    both `slug` and the filename", and a page's date is its `date`, else "a filename
    starting with a datetime (YYYY-mm-dd …)" (https://www.getzola.org/documentation/content/page/).
    A site that keeps the date only in `path` (blog.rust-lang.org: `path =
    "2026/03/26/1.94.1-release"`, no `date`) gets `[source] date_pattern`, and its feed
    keeps Zola's link and id `<base_url>/<path>/`. Zola's feeds: "Only pages with a date
    will be available" (https://www.getzola.org/documentation/templates/feeds/): the
    undated redirect page releases/latest.md is excluded, not a bad post. The fixture's
    own feed.xml loops over `section.pages` (as blog.rust-lang.org's does), so the
    inside-rust section's pages are in inside-rust/feed.xml only."""
    site = FIXTURES / "zola-path-dates"
    out = tmp_path / "feedletter.toml"
    result = init(str(site), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "4 of 5 pages have no date; 3 keep it in their `path`" in result.output
    assert "'releases.json' is the site's own template, neither Atom nor RSS" in result.output
    cfg = written(out)
    assert cfg["source"]["date_pattern"] == r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})(?:/|$)"
    assert cfg["source"]["exclude"] == ["releases/latest.md"]
    assert cfg["site"]["title"] == "Paths Blog"             # content/_index.md: config has none
    # feed.xml is the site's own Atom template (its root element is <feed>)
    assert cfg["feeds"]["paths"]["atom"] == {"site": "feed.xml", "sections": "{slug}/feed.xml"}
    assert cfg["feeds"]["sections"] == [{"path": "inside-rust", "title": "Inside Paths",
                                         "in_main": False}]
    build = CliRunner().invoke(main, ["build", "--config", str(out), *BUILD])
    assert build.exit_code == 0, build.output
    assert "4 posts published" in build.output and "0 bad" in build.output
    feed = feedparser.parse((tmp_path / "feeds" / "feed.xml").read_bytes())
    assert feed.bozo == 0
    got = {e.link: (e.id, e.published[:10]) for e in feed.entries}
    base = "https://paths.example.org/"
    assert got == {
        base + "2026/03/26/1.94.1-release/": (base + "2026/03/26/1.94.1-release/", "2026-03-26"),
        base + "2025/12/01/project-goals/": (base + "2025/12/01/project-goals/", "2025-12-01"),
        base + "dated/": (base + "dated/", "2024-05-06")}
    inside = feedparser.parse((tmp_path / "feeds" / "inside-rust" / "feed.xml").read_bytes())
    assert [(e.title, e.link, e.published[:10]) for e in inside.entries] == [
        ("Compiler team update", base + "inside-rust/2026/01/15/compiler-team/", "2026-01-15")]
    assert not (tmp_path / "feeds" / "releases.json").exists()


def test_zola_many_undated_pages_are_named_not_guessed(tmp_path):
    """No pattern fits and more undated pages than init lists: nothing is written for
    them, and init says how many pages will lack a date."""
    (tmp_path / "config.toml").write_text('base_url = "https://u.example.org"\ncompile_sass = false\n')
    (tmp_path / "content").mkdir()
    for i in range(21):
        (tmp_path / "content" / f"page-{i}.md").write_text(f'+++\ntitle = "P{i}"\n+++\nHi.\n')
    (tmp_path / "content" / "2024-01-02-news.md").write_text('+++\ntitle = "News"\n+++\nNews.\n')
    out = tmp_path / "feedletter.toml"
    result = init(str(tmp_path), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "not decided: 21 of 22 pages have no date" in result.output
    assert "date_pattern" not in written(out)["source"]
    assert "exclude" not in written(out)["source"]


def test_hugo_nested_params_become_dotted_variables(tmp_path):
    """Hugo's `param` shortcode: "Gets a value from the current page's parameters if set,
    otherwise from the site's parameters", with dotted keys for nested ones:
    `{{% param "my.nested.param" %}}` (https://gohugo.io/shortcodes/param/). A language's own
    `params` override the site's for that language (https://gohugo.io/configuration/languages/)."""
    (tmp_path / "hugo.toml").write_text(
        'baseURL = "https://h.example.org/"\ndefaultContentLanguage = "en"\n'
        '[params]\ncanonical = "https://h.example.org/c"\nsizes = [1, 2]\n'
        '[params.notes]\nv2 = """`docker-compose` is deprecated.\nSee [Compose V2](https://docs.docker.com/compose/)."""\n'
        '[params.notes.deep]\nflag = true\n'
        '[languages.en.params.notes]\nlocal = "English note"\n')
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "content" / "posts" / "a.md").write_text(
        '---\ntitle: A\ndate: 2024-01-02\n---\nNote: {{% param notes.v2 %}} {{% param notes.local %}} '
        '{{< param "notes.deep.flag" >}}\n')
    out = tmp_path / "feedletter.toml"
    result = init(str(tmp_path), "--output", str(out))
    assert result.exit_code == 0, result.output
    variables = written(out)["source"]["variables"]
    assert variables == {"canonical": "https://h.example.org/c",
                         "notes.v2": "`docker-compose` is deprecated.\nSee [Compose V2](https://docs.docker.com/compose/).",
                         "notes.deep.flag": True, "notes.local": "English note"}
    build = CliRunner().invoke(main, ["build", "--config", str(out), *BUILD])
    assert build.exit_code == 0, build.output
    assert "shortcode" not in build.output
    (entry,) = feedparser.parse((tmp_path / "feeds" / "index.xml").read_bytes()).entries
    text = entry.description
    assert "<code>docker-compose</code> is deprecated" in text
    assert 'href="https://docs.docker.com/compose/"' in text and "English note" in text
    assert "true" in text.lower() and "{{" not in text


def test_otel_blog_renders_its_nested_param_notes(tmp_path):
    """otel-blog: six posts use `{{% param notes.docker-compose-v2 %}}` (a nested table of
    hugo.yaml's `params`); after init && build they carry the note, and no shortcode text
    is left in any feed."""
    site = real_site("otel-blog")
    out = tmp_path / "feedletter.toml"
    assert init(str(site), "--output", str(out)).exit_code == 0
    assert written(out)["source"]["variables"]["notes.docker-compose-v2"].startswith(
        "`docker-compose` is deprecated.")
    build = CliRunner().invoke(main, ["build", "--config", str(out), *BUILD])
    assert build.exit_code == 0, build.output
    assert "'param'" not in build.output
    texts = {path: path.read_text("utf-8") for path in (tmp_path / "feeds").rglob("*")
             if path.suffix in (".xml", ".json")}
    # the note's link, in the author feeds of those posts (the site feed keeps the newest 20)
    assert any("Migrate to Compose V2" in text for text in texts.values())
    for path, text in texts.items():
        assert "{{%" not in text and "{{&lt;" not in text and "{{<" not in text, path


def test_jekyll_front_matter_defaults(tmp_path):
    """Jekyll: "defaults" set front matter for every file in a scope (`path`, `type`); "more
    specific scopes override less specific ones" and a post's own front matter wins
    (https://jekyllrb.com/docs/configuration/front-matter-defaults/). init keeps the
    scopes that can reach posts and the values that change a feed entry; `layout` and
    `image` (the same picture for every page: a social card, not the post's own) are left out."""
    (tmp_path / "_config.yml").write_text(
        "url: https://j.example.org\ntimezone: UTC\nplugins: [jekyll-feed]\n"
        "defaults:\n"
        "- scope: {path: ''}\n  values: {image: /img/og.png}\n"
        "- scope: {path: _posts, type: posts}\n  values: {layout: post, author: Site Team}\n"
        "- scope: {path: _posts/events, type: posts}\n"
        "  values: {author: Events Team, categories: [events], tags: meetup}\n"
        "- scope: {path: _docs, type: docs}\n  values: {author: Docs Team}\n")
    (tmp_path / "_posts" / "events").mkdir(parents=True)
    (tmp_path / "_posts" / "2024-01-02-news.md").write_text("---\ntitle: News\n---\nNews.\n")
    (tmp_path / "_posts" / "events" / "2024-01-03-meetup.md").write_text(
        "---\ntitle: Meetup\n---\nCome.\n")
    (tmp_path / "_posts" / "events" / "2024-01-04-talk.md").write_text(
        "---\ntitle: Talk\nauthor: Ann\n---\nA talk.\n")
    out = tmp_path / "feedletter.toml"
    result = init(str(tmp_path), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "front-matter defaults left out (they change the page, not the feed entry): image, layout" \
        in result.output
    assert written(out)["source"]["defaults"] == [
        {"path": "_posts", "type": "posts", "values": {"author": "Site Team"}},
        {"path": "_posts/events", "type": "posts",
         "values": {"author": "Events Team", "categories": ["events"], "tags": "meetup"}}]
    build = CliRunner().invoke(main, ["build", "--config", str(out), *BUILD])
    assert build.exit_code == 0, build.output
    feed = feedparser.parse((tmp_path / "feeds" / "feed.xml").read_bytes())
    got = {e.title: (e.author, [t.term for t in e.get("tags", [])], e.link) for e in feed.entries}
    # the defaults' category shows in Jekyll's default permalink, /:categories/:year/…
    assert got == {
        "News": ("Site Team", [], "https://j.example.org/2024/01/02/news.html"),
        "Meetup": ("Events Team", ["meetup"], "https://j.example.org/events/2024/01/03/meetup.html"),
        "Talk": ("Ann", ["meetup"], "https://j.example.org/events/2024/01/04/talk.html")}
    events = feedparser.parse((tmp_path / "feeds" / "categories" / "events.atom.xml").read_bytes())
    assert sorted(e.title for e in events.entries) == ["Meetup", "Talk"]
    assert all("og.png" not in e.get("summary", "") for e in feed.entries)


def test_jekyll_news_defaults_are_layout_and_image_only(tmp_path):
    """jekyll-news: `_posts` → layout news_item, '' → image /img/jekyll-og.png: neither is
    written (see test_jekyll_front_matter_defaults for why)."""
    site = real_site("jekyll-news")
    out = tmp_path / "feedletter.toml"
    result = init(str(site), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "left out (they change the page, not the feed entry): image, layout" in result.output
    assert "defaults" not in written(out)["source"]


def test_pages_of_the_rust_blog_init_then_build(tmp_path):
    """tests/zola-rust-blog: real pages and config.toml of blog.rust-lang.org (Zola), whose
    pages keep their date only in `path`; init && build publishes both posts, with Zola's
    links, and leaves out the undated redirect page releases/latest.md."""
    site = HERE / "zola-rust-blog"
    out = tmp_path / "feedletter.toml"
    result = init(str(site), "--output", str(out))
    assert result.exit_code == 0, result.output
    cfg = written(out)
    assert cfg["site"]["title"] == "Rust Blog"
    assert "date_pattern" in cfg["source"] and cfg["source"]["exclude"] == ["releases/latest.md"]
    build = CliRunner().invoke(main, ["build", "--config", str(out), *BUILD])
    assert build.exit_code == 0, build.output
    feed = feedparser.parse((tmp_path / "feeds" / "feed.xml").read_bytes())
    assert sorted((e.link, e.published[:10]) for e in feed.entries) == [
        ("https://blog.rust-lang.org/2026/03/26/1.94.1-release/", "2026-03-26"),
        ("https://blog.rust-lang.org/inside-rust/2020/07/27/1.45.1-prerelease/", "2020-07-27")]
