"""The browser view of the feeds (atom.xsl, rss.xsl), the OPML lists and index.html,
through the CLI. The XSLT is applied here with libxslt (what lxml wraps, and the XSLT 1.0
engine Chromium and Firefox ship); tests/test_feeds_browser.py renders it in Chromium."""

from __future__ import annotations

import feedparser
import listparser
import pytest
from lxml import etree

POSTS = {
    "2020-01-02-first.md": "---\ntitle: First & best\ntags: News\nauthor: jm, ah\n---\nHello.\n",
    "2020-02-03-second.md": "---\ntitle: Second\ntags: news, Events\nauthor: jm\n---\nMore.\n",
}
AUTHORS = '[authors.jm]\nname = "Jane Marks"\n[authors.ah]\nname = "Arik Hadas"\n'


def make(site, extra: str = "") -> None:
    site.config(AUTHORS + extra)
    for name, text in POSTS.items():
        site.post(name, text)
    result = site.run("build")
    assert result.exit_code == 0, result.output


def entries(path) -> list[tuple]:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return [(e.id, e.title, e.link, e.get("author"), e.published, e.summary) for e in parsed.entries]


def test_feeds_name_their_stylesheet_and_readers_parse_the_same(site, tmp_path):
    make(site)
    atom = (site.out / "tags" / "news.atom.xml").read_bytes().splitlines()
    assert atom[1] == b'<?xml-stylesheet type="text/xsl" href="../atom.xsl"?>'
    rss = (site.out / "all.rss.xml").read_bytes().splitlines()
    assert rss[1] == b'<?xml-stylesheet type="text/xsl" href="rss.xsl"?>'
    # the same site without stylesheets: feed readers see the very same entries
    from conftest import Site
    (tmp_path / "plain").mkdir()
    plain = Site(tmp_path / "plain")
    make(plain, "[feeds]\nstylesheet = false\n")
    assert not (plain.out / "atom.xsl").exists()
    assert b"xml-stylesheet" not in (plain.out / "all.atom.xml").read_bytes()
    for name in ("all.atom.xml", "all.rss.xml", "tags/news.atom.xml", "authors/jm.rss.xml"):
        with_view = (site.out / name).read_bytes()
        without = (plain.out / name).read_bytes()
        assert with_view.replace(with_view.splitlines()[1] + b"\n", b"", 1) == without
        assert entries(site.out / name) == entries(plain.out / name)


@pytest.mark.parametrize(("fmt", "feed"), [("atom", "tags/news.atom.xml"), ("rss", "all.rss.xml")])
def test_the_stylesheet_renders_title_subscribe_url_and_entries(site, fmt, feed):
    make(site, '[feeds.colors]\naccent = "#aa3300"\n')
    document = etree.parse(str(site.out / feed))
    transform = etree.XSLT(etree.parse(str(site.out / f"{fmt}.xsl")))
    page = transform(document).getroot()
    text = " ".join(page.itertext())
    assert page.tag == "html"
    assert page.findtext(".//h1").startswith("Test Site")
    assert "Copy this URL into your feed reader" in text
    assert page.findtext(".//code[@id='feed-url']") == f"https://example.org/feeds/{feed}"
    links = page.findall(".//a[@class='entry-link']")
    assert [a.text for a in links] == ["Second", "First & best"]
    assert links[1].get("href") == "https://example.org/blog/2020/01/first/"
    dates = [t.text for t in page.iter("time")]
    assert dates == (["2020-02-03", "2020-01-02"] if fmt == "atom" else ["03 Feb 2020", "02 Jan 2020"])
    assert "Jane Marks" in text and "Arik Hadas" in text
    assert "#aa3300" in page.findtext(".//style")            # the site's colour
    assert page.find(".//a[@href='https://example.org/feeds/index.html']") is not None


def test_stylesheet_overridden_from_templates_dir(site):
    (site.root / "tpl").mkdir()
    (site.root / "tpl" / "rss.xsl.j2").write_text(
        '<?xml version="1.0"?>\n<xsl:stylesheet version="1.0" '
        'xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/">'
        '<p>mine {{ colors.accent }}</p></xsl:template></xsl:stylesheet>\n')
    make(site, '[paths]\ntemplates_dir = "tpl"\n')
    assert b"<p>mine #0b5cad</p>" in (site.out / "rss.xsl").read_bytes()
    assert b"Copy this URL" in (site.out / "atom.xsl").read_bytes()     # the built-in one


def test_opml_site_feed_first_and_everything_in_groups(site):
    make(site)
    default = listparser.parse((site.out / "index.opml").read_text("utf-8"))
    assert default.bozo == 0
    assert [f.url for f in default.feeds] == ["https://example.org/feeds/all.atom.xml"]
    everything = listparser.parse((site.out / "index-all.opml").read_text("utf-8"))
    assert everything.bozo == 0
    urls = [f.url for f in everything.feeds]
    assert urls[0] == "https://example.org/feeds/all.atom.xml"           # the site feed first
    assert sorted(urls[1:]) == sorted(
        f"https://example.org/feeds/{p}.atom.xml"
        for p in ("tags/news", "tags/events", "authors/jm", "authors/ah"))
    groups = {f.url.rsplit("/", 2)[-2]: [c[0] for c in f.categories] for f in everything.feeds[1:]}
    assert groups == {"tags": ["Tags"], "authors": ["Authors"]}
    body = etree.parse(str(site.out / "index-all.opml")).find("body")
    assert [o.get("text") for o in body] == ["Test Site", "Tags", "Authors"]


def test_opml_default_includes_sections_kept_out_of_the_main_feed(site):
    site.post("internal/2020-03-01-x.md", "---\ntitle: Internal\n---\nx\n")
    make(site, '[[feeds.sections]]\npath = "internal"\ntitle = "Internal news"\n')
    default = listparser.parse((site.out / "index.opml").read_text("utf-8"))
    assert [f.url for f in default.feeds] == ["https://example.org/feeds/all.atom.xml",
                                              "https://example.org/feeds/sections/internal.atom.xml"]
    index = (site.out / "index.html").read_text("utf-8")
    assert "for the site's feed and its sections" in index


def test_index_page_explains_feeds_both_opml_files_and_json(site):
    make(site)
    index = (site.out / "index.html").read_text("utf-8")
    assert "Copy a feed's address" in index
    assert 'href="https://example.org/feeds/index.opml"' in index
    assert 'href="https://example.org/feeds/index-all.opml"' in index
    assert "JSON Feed" in index
    assert 'type="application/feed+json" title="Test Site" href="https://example.org/feeds/all.json"' in index
