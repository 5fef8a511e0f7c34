"""RFC 5005 archives through the CLI: a reader that follows prev-archive (Atom, RSS) or
next_url (JSON Feed) from the current document gets the whole history, and old archive
documents never change when posts are added.

RFC 5005 section 4 (https://www.rfc-editor.org/rfc/rfc5005#section-4): "Archived feeds are
sets of feed documents that can be combined to accurately reconstruct the entries of a
logical feed"; the current document "SHOULD contain a prev-archive link relation", and
"archive documents ... MUST contain a fh:archive element" and "SHOULD contain a
current link relation" (and prev-archive / next-archive to their neighbours)."""

from __future__ import annotations

import json

import feedparser
import pytest
from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
FH = "http://purl.org/syndication/history/1.0"
FEED = "https://example.org/feeds/"
CONFIG = "[feeds]\narchives = true\nmax_entries = 4\narchive_size = 2\n"


def add_posts(site, first: int, last: int) -> None:
    for i in range(first, last + 1):
        site.post(f"2020-01-{i:02d}-p{i:02d}.md", f"---\ntitle: Post {i}\ntags: t\n---\nBody {i}.\n")


def local(url: str) -> str:
    assert url.startswith(FEED), url
    return url[len(FEED):]


def walk(site, name: str) -> tuple[list[str], list[str]]:
    """Follow the history from a current document: (document names, entry titles)."""
    names, titles = [], []
    while name:
        names.append(name)
        data = (site.out / name).read_bytes()
        if name.endswith(".json"):
            feed = json.loads(data)
            titles += [item["title"] for item in feed["items"]]
            name = local(feed["next_url"]) if "next_url" in feed else ""
            continue
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
        titles += [e.title for e in parsed.entries]
        rels = {link.rel: link.href for link in parsed.feed.links}
        name = local(rels["prev-archive"]) if "prev-archive" in rels else ""
    return names, titles


@pytest.mark.parametrize("current", ["all.atom.xml", "all.rss.xml", "all.json", "tags/t.atom.xml"])
def test_following_the_archives_gives_the_whole_history(site, current):
    site.config(CONFIG)
    add_posts(site, 1, 9)
    assert site.run("build").exit_code == 0
    names, titles = walk(site, current)
    stem, ext = current.split(".", 1)
    assert names == [current] + [f"{stem}.archive-{k}.{ext}" for k in (4, 3, 2, 1)]
    # current: posts 9..6; archives numbered from the oldest, 2 posts each: 8 7 | 6 5 | 4 3 | 2 1
    assert titles == [f"Post {i}" for i in (9, 8, 7, 6, 8, 7, 6, 5, 4, 3, 2, 1)]
    assert {int(t.split()[1]) for t in titles} == set(range(1, 10))


def test_archive_documents_are_marked_and_linked(site):
    site.config(CONFIG)
    add_posts(site, 1, 9)
    assert site.run("build").exit_code == 0
    ns = {"a": ATOM, "fh": FH}
    first = etree.parse(str(site.out / "all.archive-1.atom.xml"))
    assert first.xpath("/a:feed/fh:archive", namespaces=ns)
    links = {el.get("rel"): el.get("href") for el in first.xpath("/a:feed/a:link", namespaces=ns)}
    assert links["current"] == FEED + "all.atom.xml"
    assert links["next-archive"] == FEED + "all.archive-2.atom.xml"   # the oldest has no prev
    assert links["self"] == FEED + "all.archive-1.atom.xml"
    third = etree.parse(str(site.out / "all.archive-3.rss.xml"))
    assert third.xpath("/rss/channel/fh:archive", namespaces=ns)
    rss_links = {el.get("rel"): el.get("href") for el in third.xpath("/rss/channel/a:link", namespaces=ns)}
    assert rss_links == {"self": FEED + "all.archive-3.rss.xml", "current": FEED + "all.rss.xml",
                         "prev-archive": FEED + "all.archive-2.rss.xml"}
    current = etree.parse(str(site.out / "all.atom.xml"))
    assert not current.xpath("//fh:archive", namespaces=ns)
    assert json.loads((site.out / "all.archive-1.json").read_text()).get("next_url") is None
    # a feed whose posts all fit in its current document has no archives
    site.config(CONFIG.replace("max_entries = 4", "max_entries = 20"))
    assert site.run("build").exit_code == 0
    assert not list(site.out.rglob("*archive*"))


def files(site) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(site.out)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in site.out.rglob("*") if p.is_file() and not p.name.startswith(".")}


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in after if before.get(name) != after[name]}


FEEDS = ("all", "tags/t", "authors/site-team")
INDEX = {"index.opml", "index-all.opml"}     # their dateModified is the newest post


def documents(page: int | str) -> set[str]:
    suffix = "" if page == "" else f".archive-{page}"
    return {f"{feed}{suffix}{ext}" for feed in FEEDS for ext in (".atom.xml", ".rss.xml", ".json")}


def test_adding_posts_never_rewrites_an_old_archive(site):
    site.config(CONFIG)
    add_posts(site, 1, 11)
    assert site.run("build").exit_code == 0
    before = files(site)
    assert {n for n in before if "archive" in n} == set().union(*(documents(k) for k in range(1, 6)))
    add_posts(site, 12, 21)                            # ten new posts
    assert site.run("build").exit_code == 0
    after = files(site)
    # the current documents, the five new archives (6..10), the OPML lists (dateModified)
    assert changed(before, after) == documents("").union(*(documents(k) for k in range(6, 11)),
                                                         INDEX)
    # One more post completes archive 11: the current documents and that new archive. The
    # next one: only the current documents (and the OPML lists).
    add_posts(site, 22, 22)
    assert site.run("build").exit_code == 0
    again = files(site)
    assert changed(after, again) == documents("") | documents(11) | INDEX
    add_posts(site, 23, 23)
    assert site.run("build").exit_code == 0
    assert changed(again, files(site)) == documents("") | INDEX


def test_archive_size_must_leave_room(site):
    site.config("[feeds]\narchives = true\nmax_entries = 10\narchive_size = 6\n")
    result = site.run("build")
    assert result.exit_code == 2
    assert "'feeds.archive_size' (6) must be at most half of 'feeds.max_entries' (10)" in result.stderr
