"""Every JSON file of the real corpus build, checked against JSON Feed 1.1 rule by rule
(https://jsonfeed.org/version/1.1), with archives and a WebSub hub on so that `next_url`
and `hubs` are checked too. The quoted lines are the spec's."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

FEEDS = "https://www.ovirt.org/feeds/"
HUB = "http://127.0.0.1:9/"     # refuses at once: the pings cost nothing

# "version (required, string) is the URL of the version of the format the feed uses."
# The top-level and item keys the spec defines; "Publishers can use custom objects ...
# the key must start with an _ (underscore)".
TOP = {"version", "title", "home_page_url", "feed_url", "description", "user_comment",
       "next_url", "icon", "favicon", "authors", "author", "language", "expired", "hubs", "items"}
ITEM = {"id", "url", "external_url", "title", "content_html", "content_text", "summary",
        "image", "banner_image", "date_published", "date_modified", "authors", "author",
        "tags", "language", "attachments"}
AUTHOR = {"name", "url", "avatar"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def absolute_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_author(author: object, where: str) -> None:
    # "author (optional, object) ... name (optional, string), url (optional, string),
    # avatar (optional, string) ... at least one is required"
    assert isinstance(author, dict) and author, where
    assert set(author) <= AUTHOR, (where, author)
    for key, value in author.items():
        assert isinstance(value, str) and value, (where, key)
    for key in ("url", "avatar"):
        if key in author:
            assert absolute_url(author[key]), (where, author)


def rfc3339(value: object, where: str) -> None:
    # "date_published (optional, string) specifies the date in RFC 3339 format."
    assert isinstance(value, str) and RFC3339.match(value), (where, value)
    datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_feed(feed: dict, rel: str, files: set[str]) -> None:
    assert set(feed) <= TOP | {k for k in feed if k.startswith("_")}, (rel, set(feed) - TOP)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    # "title (required, string) is the name of the feed"
    assert isinstance(feed["title"], str) and feed["title"], rel
    # "home_page_url (optional but strongly recommended, string) is the URL of the resource
    # that the feed describes" / "feed_url (optional but strongly recommended, string) is
    # the URL of the feed, and serves as the unique identifier for the feed."
    assert absolute_url(feed["home_page_url"]), rel
    assert feed["feed_url"] == FEEDS + rel
    assert isinstance(feed.get("description", ""), str)
    # "next_url (optional, string) is the URL of a feed that provides the next n items"
    if "next_url" in feed:
        assert absolute_url(feed["next_url"]) and feed["next_url"].startswith(FEEDS), rel
        assert feed["next_url"][len(FEEDS):] in files, (rel, feed["next_url"])
    for author in feed.get("authors", []):
        check_author(author, rel)
    assert isinstance(feed.get("language", "en"), str)
    # "hubs (very optional, array of objects) ... type (required, string) and url
    # (required, string)"
    for hub in feed.get("hubs", []):
        assert set(hub) == {"type", "url"} and hub["type"] == "WebSub" and absolute_url(hub["url"])
    # "items (required, array)"
    assert isinstance(feed["items"], list) and feed["items"], rel
    ids = []
    for item in feed["items"]:
        where = f"{rel}: {item.get('id')}"
        assert set(item) <= ITEM | {k for k in item if k.startswith("_")}, (where, set(item) - ITEM)
        # "id (required, string) is unique for that item for that feed over time"
        assert isinstance(item["id"], str) and item["id"], where
        ids.append(item["id"])
        # "url (optional, string) is the URL of the resource described by the item"
        assert absolute_url(item["url"]), where
        assert isinstance(item["title"], str), where
        # "content_html and content_text are each optional strings — but one or the other
        # must be present."
        assert isinstance(item.get("content_html"), str) or isinstance(item.get("content_text"), str)
        # "summary (optional, string) is a plain text sentence or two describing the item."
        summary = item.get("summary", "")
        assert isinstance(summary, str), where
        assert not re.search(r"</?[a-zA-Z][^>]*>", summary), (where, summary[:120])
        assert html.unescape(summary) == summary, (where, "entities in summary")
        assert summary == " ".join(summary.split()), (where, "whitespace not collapsed")
        rfc3339(item["date_published"], where)
        rfc3339(item["date_modified"], where)
        # "authors (optional, array of objects)" and, for 1.0 readers, "author"
        assert item["authors"], where
        for author in item["authors"]:
            check_author(author, where)
        check_author(item["author"], where)
        assert item["author"] == item["authors"][0], where
        tags = item.get("tags", [])
        assert isinstance(tags, list) and all(isinstance(t, str) for t in tags), where
    assert len(ids) == len(set(ids)), rel


@pytest.fixture(scope="module")
def corpus_json(tmp_path_factory, corpus_dir) -> Path:
    from conftest import CORPUS_CONFIG
    from test_feeds import run_corpus
    root = tmp_path_factory.mktemp("jsonfeed")
    cfg = root / "feedletter.toml"
    cfg.write_text(CORPUS_CONFIG + f'\n[paths]\nposts = "{corpus_dir}"\noutput = "feeds"\n'
                   f'[feeds]\narchives = true\nmax_entries = 20\narchive_size = 10\n'
                   f'websub_hub = "{HUB}"\nwebsub_timeout = 0.1\nwebsub_retries = 0\n')
    run_corpus(cfg)
    return root / "feeds"


def test_every_corpus_json_feed_follows_json_feed_1_1(corpus_json):
    files = {str(p.relative_to(corpus_json)) for p in corpus_json.rglob("*.json")}
    assert len(files) > 140 and any(".archive-" in f for f in files)
    seen_next = 0
    for rel in sorted(files):
        feed = json.loads((corpus_json / rel).read_text("utf-8"))
        check_feed(feed, rel, files)
        seen_next += "next_url" in feed
        if ".archive-" not in rel:
            assert feed["hubs"] == [{"type": "WebSub", "url": HUB}], rel
    assert seen_next > 10


def test_the_checker_catches_what_the_spec_forbids():
    """The rules above fail on documents that break them (so the test above can fail)."""
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
            "home_page_url": "https://www.ovirt.org/", "feed_url": FEEDS + "x.json",
            "items": [{"id": "1", "url": "https://www.ovirt.org/a", "title": "A",
                       "content_html": "<p>a</p>", "summary": "a",
                       "date_published": "2020-01-01T00:00:00Z",
                       "date_modified": "2020-01-01T00:00:00+02:00",
                       "authors": [{"name": "N"}], "author": {"name": "N"}}]}
    check_feed(good, "x.json", {"x.json"})
    bad_items = [{"summary": "<p>html</p>"}, {"summary": "a &amp; b"}, {"summary": "a  b"},
                 {"date_published": "2020-01-01 00:00"}, {"url": "/relative"},
                 {"author": {"name": "Other"}}, {"content_html": None}, {"extra": 1}]
    for change in bad_items:
        item = {**good["items"][0], **change}
        if change.get("content_html", 1) is None:
            del item["content_html"]
        with pytest.raises(AssertionError):
            check_feed({**good, "items": [item]}, "x.json", {"x.json"})
    for change in ({"feed_url": FEEDS + "y.json"}, {"next_url": FEEDS + "missing.json"},
                   {"version": "https://jsonfeed.org/version/1"}, {"items": []}):
        with pytest.raises(AssertionError):
            check_feed({**good, **change}, "x.json", {"x.json"})
