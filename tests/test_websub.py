"""WebSub through the CLI against a real hub started here on 127.0.0.1: hub links in every
format, one publish ping per changed feed, retries with backoff, and a hub that refuses
or hangs never fails the build."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import pytest
from lxml import etree


class Hub:
    """Records every publish request. `refuse[url]`: status codes to answer, one per
    request, before 204; `hang`: URLs whose first request gets no answer for a second."""

    def __init__(self) -> None:
        self.pings: list[tuple[str, str]] = []         # (hub.mode, hub.url)
        self.refuse: dict[str, list[int]] = {}
        self.hang: set[str] = set()
        self.lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                mode, url = form["hub.mode"][0], form["hub.url"][0]
                with hub.lock:
                    hub.pings.append((mode, url))
                    hang = url in hub.hang
                    hub.hang.discard(url)
                    codes = hub.refuse.get(url, [])
                    code = codes.pop(0) if codes else 204
                if hang:
                    time.sleep(1.0)         # the client gave up after 0.3 s
                    return
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def urls(self) -> list[str]:
        return sorted(url for _, url in self.pings)


@pytest.fixture
def hub():
    h = Hub()
    yield h
    h.server.shutdown()
    h.server.server_close()


FEED = "https://example.org/feeds/"


def setup_site(site, hub: Hub) -> None:
    site.config(f'[feeds]\nwebsub_hub = "{hub.url}"\nwebsub_timeout = 0.3\n'
                'websub_retries = 2\nwebsub_backoff = 0.05\n')
    site.post("2020-01-01-a.md", "---\ntitle: A\ntags: x\nauthor: ann\n---\nx\n")
    site.post("2020-01-02-b.md", "---\ntitle: B\ntags: y\nauthor: bob\n---\nx\n")


def test_every_format_names_the_hub_and_itself(site, hub):
    setup_site(site, hub)
    assert site.run("build").exit_code == 0
    ns = {"a": "http://www.w3.org/2005/Atom"}
    atom = etree.parse(str(site.out / "tags/x.atom.xml"))
    assert atom.xpath("/a:feed/a:link[@rel='hub']/@href", namespaces=ns) == [hub.url]
    assert atom.xpath("/a:feed/a:link[@rel='self']/@href", namespaces=ns) == [FEED + "tags/x.atom.xml"]
    rss = etree.parse(str(site.out / "tags/x.rss.xml"))
    assert rss.xpath("/rss/channel/a:link[@rel='hub']/@href", namespaces=ns) == [hub.url]
    assert rss.xpath("/rss/channel/a:link[@rel='self']/@href", namespaces=ns) == [FEED + "tags/x.rss.xml"]
    for name in ("tags/x.atom.xml", "tags/x.rss.xml"):       # what readers find
        parsed = feedparser.parse((site.out / name).read_bytes())
        assert parsed.bozo == 0
        assert {(link.rel, link.href) for link in parsed.feed.links} >= {("hub", hub.url),
                                                                        ("self", FEED + name)}
    assert parsed.feed.link == "https://example.org/"             # RSS <link> is still the site
    feed = json.loads((site.out / "tags/x.json").read_text())
    assert feed["hubs"] == [{"type": "WebSub", "url": hub.url}]
    assert feed["feed_url"] == FEED + "tags/x.json"


def test_changed_feeds_are_pinged_once_and_failures_never_fail_the_build(site, hub):
    setup_site(site, hub)
    first = site.run("build")
    assert first.exit_code == 0, first.output
    every = sorted(FEED + f"{base}{ext}" for base in ("all", "tags/x", "tags/y", "authors/ann",
                                                       "authors/bob")
                   for ext in (".atom.xml", ".rss.xml", ".json"))
    assert hub.urls() == every                                   # a cold build changes them all
    assert {mode for mode, _ in hub.pings} == {"publish"}
    assert "WebSub: told" in first.stdout and "of 15 changed feeds" in first.stdout

    hub.pings.clear()                                           # nothing changed: no ping
    assert site.run("build").exit_code == 0 and hub.pings == []

    # One post edited: only its feeds. The hub refuses the site's Atom feed twice with
    # 503 (retried: third try lands), hangs once on its RSS (timeout, retried), and says
    # 400 to author ann's Atom feed (permanent: not retried, a warning).
    hub.refuse = {FEED + "all.atom.xml": [503, 503], FEED + "authors/ann.atom.xml": [400]}
    hub.hang = {FEED + "all.rss.xml"}
    site.post("2020-01-01-a.md", "---\ntitle: A, edited\ntags: x\nauthor: ann\n---\nx\n")
    started = time.monotonic()
    edited = site.run("build")
    assert edited.exit_code == 0, edited.output
    assert time.monotonic() - started < 10
    mine = sorted(FEED + f"{base}{ext}" for base in ("all", "tags/x", "authors/ann")
                  for ext in (".atom.xml", ".rss.xml", ".json"))
    assert sorted(set(hub.urls())) == mine
    counts = {url: hub.urls().count(url) for url in mine}
    assert counts[FEED + "all.atom.xml"] == 3
    assert counts[FEED + "all.rss.xml"] == 2
    assert counts[FEED + "authors/ann.atom.xml"] == 1
    assert sum(counts.values()) == len(mine) + 2 + 1
    warning = [line for line in edited.stderr.splitlines() if "websub" in line]
    assert warning == [f"warning: websub: the hub {hub.url} did not take "
                       f"{FEED}authors/ann.atom.xml: 400 Bad Request (1 try; the next build "
                       "tries again)"]
    assert "told" in edited.stdout and "of 8 changed feeds" in edited.stdout

    # The next build, with nothing changed, delivers what the hub refused.
    hub.pings.clear()
    again = site.run("build")
    assert again.exit_code == 0 and " 0 files written" in again.stdout
    assert hub.pings == [("publish", FEED + "authors/ann.atom.xml")]
    hub.pings.clear()
    assert site.run("build").exit_code == 0 and hub.pings == []


def test_unreachable_hub_is_a_warning_and_exit_0(site):
    site.config('[feeds]\nwebsub_hub = "http://127.0.0.1:9/"\nwebsub_timeout = 0.2\n'
                'websub_retries = 1\nwebsub_backoff = 0.01\n')
    site.post("2020-01-01-a.md", "---\ntitle: A\n---\nx\n")
    result = site.run("build")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("websub: the hub http://127.0.0.1:9/ did not take") == 6   # 2 feeds × 3
    assert "(2 tries; the next build tries again)" in result.stderr
    assert "Traceback" not in result.output
