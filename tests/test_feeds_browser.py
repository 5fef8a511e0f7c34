"""The feeds of the real corpus opened in headless Chromium over HTTP (127.0.0.1): the
browser applies atom.xsl / rss.xsl and shows the entries as a page, not raw XML.

Set FEEDLETTER_SCREENSHOT=FILE.png to keep a screenshot (the README's is made so)."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import feedparser
import pytest

from test_digest_browser import driver  # noqa: F401 - the shared Chromium fixture

pytestmark = pytest.mark.browser


class _Quiet(http.server.SimpleHTTPRequestHandler):
    # what a web server sends for feeds (Python's own table has no .xsl)
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".xml": "application/xml", ".xsl": "application/xslt+xml"}

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory, corpus_dir):
    from conftest import CORPUS_CONFIG
    from test_feeds import run_corpus
    root = tmp_path_factory.mktemp("browser")
    cfg = root / "feedletter.toml"
    cfg.write_text(CORPUS_CONFIG + f'\n[paths]\nposts = "{corpus_dir}"\noutput = "feeds"\n'
                   '[feeds.colors]\naccent = "#2e6f40"\n')
    assert run_corpus(cfg).exit_code == 1          # the corpus's one bad post
    out = root / "feeds"
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("feed", ["tags/community.atom.xml", "all.rss.xml"])
def test_browser_renders_the_feed_as_a_page(driver, served, feed):  # noqa: F811
    out, base = served
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 900, "height": 1100, "deviceScaleFactor": 1, "mobile": False})
    driver.get(base + feed)
    parsed = feedparser.parse((out / feed).read_bytes())
    links = driver.find_elements("css selector", "a.entry-link")
    assert [a.text for a in links] == [e.title for e in parsed.entries]
    assert [a.get_attribute("href") for a in links] == [e.link for e in parsed.entries]
    assert all(a.is_displayed() for a in links[:3])
    assert driver.find_element("id", "feed-url").text == "https://www.ovirt.org/feeds/" + feed
    body = driver.find_element("tag name", "body").text
    assert "Copy this URL into your feed reader" in body
    assert "does not appear to have any style information" not in body
    accent = driver.execute_script(
        "return getComputedStyle(document.querySelector('.badge')).backgroundColor")
    assert accent == "rgb(46, 111, 64)"                 # #2e6f40 from [feeds.colors]
    shot = os.environ.get("FEEDLETTER_SCREENSHOT")
    if shot and feed.endswith(".atom.xml"):
        # Chromium lays its XSLT deprecation banner over the page; the README says so
        driver.execute_script("document.querySelector('xslt-warning-banner')?.remove()")
        Path(shot).write_bytes(driver.get_screenshot_as_png())
