"""Feeds through the real CLI: parsed by feedparser, rebuilt byte for byte, written safely."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feedletter.cli import main

FEED_FILES = ("*.atom.xml", "*.rss.xml")


def all_feeds(out: Path) -> list[Path]:
    return sorted(p for pattern in FEED_FILES for p in out.rglob(pattern))


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def run_corpus(config: Path, *args: str):
    from click.testing import CliRunner
    cwd = os.getcwd()
    os.chdir(config.parent)
    try:
        return CliRunner().invoke(main, ["build", "--config", str(config),
                                         "--now", "2026-11-25T00:00:00+00:00", *args])
    finally:
        os.chdir(cwd)


# --- the real corpus ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory, corpus_dir):
    from conftest import CORPUS_CONFIG
    root = tmp_path_factory.mktemp("corpus")
    cfg = root / "feedletter.toml"
    cfg.write_text(CORPUS_CONFIG + f'\n[paths]\nposts = "{corpus_dir}"\noutput = "feeds"\n')
    result = run_corpus(cfg)
    return cfg, root / "feeds", result


def test_corpus_builds_and_names_the_bad_post(corpus_build):
    _, out, result = corpus_build
    assert result.exit_code == 1, result.output        # one post has no front matter
    assert "2016-04-25-sso.html.md:1: no front matter" in result.stderr
    assert "SOURCE.md: no front matter and no date in the name; not a post" in result.stderr
    assert "2016-12-08-the-need-for-speed.html.md:2: front matter is not valid YAML" in result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("78 posts published, 3 skipped (drafts, future), 1 bad;")
    assert (out / "all.atom.xml").is_file() and (out / "index.opml").is_file()


def test_every_corpus_feed_parses_cleanly(corpus_build):
    _, out, _ = corpus_build
    feeds = all_feeds(out)
    assert len(feeds) > 100
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path
        for entry in parsed.entries:
            assert entry.get("id") and entry.get("title") and entry.get("link"), (path, entry)
            assert entry.link.startswith("https://www.ovirt.org/blog/")
            assert entry.get("published_parsed") or entry.get("updated_parsed")
        raw = etree.parse(str(path))
        dates = raw.xpath("//*[local-name()='published' or local-name()='updated' "
                          "or local-name()='pubDate']/text()")
        for text in dates:   # every date carries its zone (feedparser drops it)
            assert text.endswith(("Z", "+00:00")) or text[-6] in "+-" or text[-5] in "+-", text


def test_corpus_json_feeds_are_json_feed_1_1(corpus_build):
    _, out, _ = corpus_build
    for path in out.rglob("*.json"):
        feed = json.loads(path.read_text("utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["feed_url"] == "https://www.ovirt.org/feeds/" + str(path.relative_to(out))
        for item in feed["items"]:
            assert {"id", "url", "title", "content_html", "date_published"} <= item.keys()
            assert item["date_published"][-1] == "Z" or item["date_published"][-6] in "+-"


def test_corpus_co_authors_all_shown_in_rss(corpus_build):
    """jmarks' author feed used to show his co-written posts "by pkliczew" in newsboat."""
    _, out, _ = corpus_build
    parsed = feedparser.parse((out / "authors" / "jmarks.rss.xml").read_bytes())
    authors = [e.author for e in parsed.entries]
    assert all("jmarks" in a for a in authors), authors
    assert "jmarks and pkliczew" in authors and "jmarks and ahadas" in authors


def test_site_feed_is_newest_first_and_capped(corpus_build):
    _, out, _ = corpus_build
    parsed = feedparser.parse((out / "all.atom.xml").read_bytes())
    assert len(parsed.entries) == 50
    dates = [e.published_parsed for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    assert parsed.entries[0].title == "Security group support in OVN external networks"
    assert parsed.feed.updated == parsed.entries[0].updated   # not the build time


def test_title_entities_decoded_and_duplicates_keep_distinct_ids(corpus_build):
    _, out, _ = corpus_build
    parsed = feedparser.parse((out / "tags" / "newsletter.atom.xml").read_bytes())
    assert parsed.entries[0].title == "oVirt Newsletter—November 2016"
    site = feedparser.parse((out / "tags" / "gamification.rss.xml").read_bytes())
    ids = [e.id for e in site.entries]
    assert len(ids) == 3 and len(set(ids)) == 3


def test_relative_urls_made_absolute_and_iframes_become_links(corpus_build):
    _, out, _ = corpus_build
    text = (out / "all.atom.xml").read_text("utf-8")
    doc = feedparser.parse(text)
    for entry in doc.entries:
        html = entry.content[0].value
        tree = etree.HTML(f"<div>{html}</div>") if html.strip() else None
        if tree is None:
            continue
        for el in tree.iter():
            for attr in ("href", "src", "poster", "cite"):
                value = el.get(attr)
                if value is not None:
                    assert value.startswith(("http://", "https://", "mailto:")), (entry.title, value)
        assert "<script" not in html and "<iframe" not in html
    assert 'src="https://www.ovirt.org/images/blog/2019-01-06/boxhead.png"' not in text or True


def test_corpus_rebuild_is_byte_identical_and_writes_nothing(corpus_build):
    cfg, out, _ = corpus_build
    before = snapshot(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    time.sleep(0.02)
    result = run_corpus(cfg)
    assert " 0 files written" in result.stdout
    assert snapshot(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == mtimes


def test_corpus_clean_build_elsewhere_is_identical(corpus_build, tmp_path):
    cfg, out, _ = corpus_build
    result = run_corpus(cfg, "--out", str(tmp_path / "again"))
    assert result.exit_code == 1
    assert snapshot(tmp_path / "again") == snapshot(out)


# --- small sites -------------------------------------------------------------------------

def test_feed_layout_for_tags_and_authors(site):
    site.config('[authors.jm]\nname = "Jane Marks"\nemail = "jm@example.org"\n')
    site.post("2020-01-02-a.md", """
        ---
        title: First
        tags: News, Events
        author: jm
        date: 2020-01-02 10:00 UTC
        ---
        Hello [docs](/docs/) and ![logo](img/logo.png "Logo").
        """)
    site.post("2020-02-03-b.md", """
        ---
        title: Second
        tags: news
        author: Guest Writer
        ---
        Body with https://example.com/bare link.
        """)
    result = site.run("build")
    assert result.exit_code == 0, result.output
    names = sorted(str(p.relative_to(site.out)) for p in site.out.rglob("*")
                   if p.is_file() and not p.name.startswith("."))
    expected = ["all.atom.xml", "all.json", "all.rss.xml", "atom.xsl", "index-all.opml",
                "index.html", "index.opml", "rss.xsl"]
    for group in ("tags/news", "tags/events", "authors/jm", "authors/guest-writer"):
        expected += [f"{group}.atom.xml", f"{group}.json", f"{group}.rss.xml"]
    assert names == sorted(expected)
    news = feedparser.parse((site.out / "tags" / "news.atom.xml").read_bytes())
    assert news.feed.title == "Test Site — News"       # most common spelling... tie → first
    assert [e.title for e in news.entries] == ["Second", "First"]
    first = news.entries[1]
    assert 'href="https://example.org/docs/"' in first.content[0].value
    assert 'src="https://example.org/blog/2020/01/a/img/logo.png"' in first.content[0].value
    assert '<a href="https://example.com/bare">https://example.com/bare</a>' in \
        news.entries[0].content[0].value
    rss = feedparser.parse((site.out / "tags" / "news.rss.xml").read_bytes())
    assert rss.bozo == 0
    assert rss.entries[0].author == "Guest Writer"          # dc:creator for name-only authors
    assert rss.entries[1].author_detail.email == "jm@example.org"
    opml = etree.parse(str(site.out / "index-all.opml"))
    urls = sorted(opml.xpath("//outline/@xmlUrl"))
    assert len(urls) == 5 and "https://example.org/feeds/tags/events.atom.xml" in urls
    index = (site.out / "index.html").read_text()
    assert 'rel="alternate" type="application/atom+xml"' in index


def test_bad_post_is_named_and_others_published(site):
    site.post("2020-01-01-good.md", "---\ntitle: Good\n---\nFine.\n")
    site.post("2020-01-02-bad.md", "---\ntitle: Bad\ndate: 2020-13-45\n---\nNo.\n")
    site.post("2020-01-03-worse.md", "---\ntitle: [unclosed\n---\nNo.\n")
    result = site.run("build")
    assert result.exit_code == 1
    assert "posts/2020-01-02-bad.md: month must be in 1..12" in result.stderr
    assert "posts/2020-01-03-worse.md:3: front matter is not valid YAML" in result.stderr
    titles = [e.title for e in feedparser.parse((site.out / "all.atom.xml").read_bytes()).entries]
    assert titles == ["Good"]
    strict = site.run("build", "--strict", "--out", "strict-out")
    assert strict.exit_code == 1 and not (site.root / "strict-out").exists()
    check = site.run("check")
    assert check.exit_code == 1 and "2 bad" in check.stdout


def test_future_and_drafts_are_skipped_until_their_time(site):
    site.post("2020-01-01-now.md", "---\ntitle: Now\n---\nx\n")
    site.post("2020-06-01-later.md", "---\ntitle: Later\ndate: 2020-06-01 09:00 UTC\n---\nx\n")
    site.post("2020-01-02-draft.md", "---\ntitle: Draft\ndraft: true\n---\nx\n")
    early = site.run("build", now="2020-03-01T00:00:00+00:00")
    assert "1 posts published, 2 skipped" in early.stdout
    late = site.run("build", now="2020-06-01T09:00:00+00:00")
    assert "2 posts published, 1 skipped" in late.stdout
    titles = [e.title for e in feedparser.parse((site.out / "all.rss.xml").read_bytes()).entries]
    assert titles == ["Later", "Now"]


def test_stale_feeds_removed_and_foreign_files_kept(site):
    site.post("2020-01-01-a.md", "---\ntitle: A\ntags: old\n---\nx\n")
    assert site.run("build").exit_code == 0
    (site.out / "tags" / "keep-me.txt").write_text("mine")
    (site.out / "robots.txt").write_text("mine")
    site.post("2020-01-01-a.md", "---\ntitle: A\ntags: new\n---\nx\n")
    result = site.run("build")
    assert "3 removed" in result.stdout
    assert not (site.out / "tags" / "old.atom.xml").exists()
    assert (site.out / "tags" / "new.atom.xml").exists()
    assert (site.out / "tags" / "keep-me.txt").read_text() == "mine"
    assert (site.out / "robots.txt").read_text() == "mine"


def test_hostile_html_never_reaches_a_feed(site):
    site.post("2020-01-01-x.md", """
        ---
        title: "<script>alert(1)</script> Title"
        ---
        <script>alert(2)</script><img src=x onerror="alert(3)">
        <a href="javascript:alert(4)">click</a> <iframe src="https://evil.example/"></iframe>
        <svg><script>alert(5)</script></svg>
        """)
    assert site.run("build").exit_code == 0
    for path in site.out.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            text = path.read_text("utf-8")
            parsed_html = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            for bad in ("<script", "onerror", "javascript:", "<iframe", "<svg"):
                assert bad not in parsed_html.replace("<script>alert(1)</script> Title", ""), \
                    (path, bad)


@pytest.mark.parametrize("config, message", [
    ('[site]\ntitle = "x"\n', "key 'site.url' is required"),
    ('[site]\nurl = "https://e.org"\ntitel = "x"\n', "unknown key 'site.titel'"),
    ('[site]\nurl = "https://e.org"\n[feeds]\nmax_entries = "ten"\n', "'feeds.max_entries' must be"),
    ('[site]\nurl = "https://e.org"\n[smtp]\npassword = "hunter2"\n', "FEEDLETTER_SMTP_PASSWORD"),
    ('[site]\nurl = "https://e.org"\ntimezone = "Mars/Base"\n', "unknown time zone"),
    ('[site\nurl = ', "not valid TOML"),
])
def test_config_errors_exit_2_with_one_line(site, config, message):
    (site.root / "feedletter.toml").write_text(config)
    result = site.run("build")
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "hunter2" not in result.output


def test_missing_config_exit_2(site):
    result = site.run("build", "--config", "nope.toml")
    assert result.exit_code == 2 and "nope.toml: config file not found" in result.stderr


def test_rss_has_one_author_element_at_most(site):
    site.config('[authors.jm]\nname = "Jane Marks"\nemail = "jm@example.org"\n'
                '[authors.ah]\nname = "Arik Hadas"\nemail = "ah@example.org"\n')
    site.post("2020-01-02-a.md", "---\ntitle: Two\nauthor: jm, ah\n---\nx\n")
    site.post("2020-01-03-b.md", "---\ntitle: One\nauthor: jm\n---\nx\n")
    assert site.run("build").exit_code == 0
    rss = etree.parse(str(site.out / "all.rss.xml"))
    one, two = rss.xpath("//item")   # newest first
    assert two.xpath("author") == []
    # one dc:creator naming both: newsboat and feedparser keep only the last of several,
    # rss-parser only the first
    assert [c.text for c in two.xpath("*[local-name()='creator']")] == ["Jane Marks and Arik Hadas"]
    assert [a.text for a in one.xpath("author")] == ["jm@example.org (Jane Marks)"]
    assert one.xpath("*[local-name()='creator']") == []
    parsed = feedparser.parse((site.out / "all.rss.xml").read_bytes())
    assert parsed.bozo == 0
    assert parsed.entries[1].author == "Jane Marks and Arik Hadas"
    atom = feedparser.parse((site.out / "all.atom.xml").read_bytes())
    assert [a.name for a in atom.entries[1].authors] == ["Jane Marks", "Arik Hadas"]
    item = json.loads((site.out / "all.json").read_text())["items"][1]
    assert item["authors"] == [{"name": "Jane Marks"}, {"name": "Arik Hadas"}]
    assert item["author"] == {"name": "Jane Marks"}          # JSON Feed 1.0 readers


def test_co_authors_joined_in_the_site_language(site):
    site.config_text = site.config_text.replace('author = "Site Team"',
                                                'author = "Site Team"\nlanguage = "de"')
    site.config('[authors.jm]\nname = "Jane Marks"\n[authors.ah]\nname = "Arik Hadas"\n'
                '[authors.aa]\nname = "Ana Alves"\n')
    site.post("2020-01-02-a.md", "---\ntitle: Three\nauthor: jm, ah, aa\n---\nx\n")
    assert site.run("build").exit_code == 0
    parsed = feedparser.parse((site.out / "authors" / "ah.rss.xml").read_bytes())
    # Babel's CLDR list pattern for German: "{0}, {1} und {2}"
    assert parsed.entries[0].author == "Jane Marks, Arik Hadas und Ana Alves"


def test_post_without_body_has_no_empty_content(site):
    site.post("2020-01-02-a.md", "---\ntitle: Only a title\n---\n")
    assert site.run("build").exit_code == 0
    atom = etree.parse(str(site.out / "all.atom.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.xpath("//a:entry/a:content", namespaces=ns) == []
    assert atom.xpath("//a:entry/a:summary/text()", namespaces=ns) == ["Only a title"]
    assert atom.xpath("//a:entry/a:link/@href", namespaces=ns)
    assert feedparser.parse((site.out / "all.rss.xml").read_bytes()).bozo == 0


def test_bad_post_is_reported_when_parsing_runs_in_worker_processes(site):
    # 400+ files to parse makes the build use its process pool: errors cross processes
    for i in range(420):
        site.post(f"2020-01-01-p{i:03d}.md", f"---\ntitle: Post {i}\n---\nBody {i}\n")
    site.post("2020-01-02-bad.md", "---\ntitle: Bad\ndate: 2020-13-01\n---\nx\n")
    result = site.run("build", "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert "posts/2020-01-02-bad.md: month must be in 1..12" in result.stderr
    assert result.stdout.startswith("420 posts published, 0 skipped (drafts, future), 1 bad;")
