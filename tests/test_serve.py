"""`feedletter serve` as a user runs it: a real process on a free port of 127.0.0.1,
fetched over HTTP, a post edited on disk, the page rebuilt, then stopped by a signal."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_digest import DIGEST, post

SRC = Path(__file__).resolve().parents[1] / "src"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(check, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@contextlib.contextmanager
def serving(site, config: str):
    """`feedletter serve --port 0` on `site` with `config`: (process, folder, base URL, lines)."""
    site.config(config)
    post(site, "a.md", "First title", "2016-11-02", "event")
    post(site, "b.md", "Second title", "2016-11-05")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-m", "feedletter", "serve", "--port", "0"],
                            cwd=site.root, env=env, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []

    def started() -> str | None:
        line = proc.stderr.readline()
        lines.append(line)
        m = re.search(r"Serving (\S+) on (http://127\.0\.0\.1:\d+/)", line)
        assert proc.poll() is None, "".join(lines)
        return m and (m[1], m[2])

    try:
        folder, base = wait_for(started)
        yield proc, Path(folder), base, lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture
def server(site):
    with serving(site, DIGEST) as running:
        yield running


def test_serve_shows_rebuilds_reloads_and_stops(site, server):
    proc, folder, base, lines = server
    assert not folder.is_relative_to(site.root)          # never the published folder
    front = fetch(base)
    assert "/__feedletter/build" in front                # the page polls the counter
    digest_path = re.search(r'href="/(digests/2016-11\.html)"', front)[1]
    page = fetch(base + digest_path)
    assert "First title" in page and "/__feedletter/build" in page
    # the files themselves carry no preview script
    assert "__feedletter" not in (folder / digest_path).read_text("utf-8")
    assert "<feed" in fetch(base + "all.atom.xml")
    assert "all.atom.xml" in fetch(base + "index.html")      # the feeds index
    count = fetch(base + "__feedletter/build")

    post(site, "a.md", "Edited title", "2016-11-02", "event")       # the author saves
    wait_for(lambda: fetch(base + "__feedletter/build") != count)
    page = fetch(base + digest_path)
    assert "Edited title" in page and "First title" not in page

    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert "Stopped." in proc.stderr.read()
    assert not folder.exists()                            # the temporary folder is gone
    assert not site.out.exists()                          # nothing published


def test_serve_rebuilds_when_the_config_is_replaced(site, server):
    """An editor saves by renaming a new file over the config: still seen."""
    proc, folder, base, lines = server
    count = fetch(base + "__feedletter/build")
    new = site.root / "feedletter.toml.new"
    new.write_text((site.root / "feedletter.toml").read_text() + 'name = "Renamed News"\n')
    new.replace(site.root / "feedletter.toml")
    wait_for(lambda: fetch(base + "__feedletter/build") != count)
    assert "Renamed News" in fetch(base + "digests/2016-11.html")
    builds = fetch(base + "__feedletter/build")
    time.sleep(1)                          # no rebuild loop from the build's own lock files
    assert fetch(base + "__feedletter/build") == builds
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert not folder.exists()


def test_the_front_page_links_the_feeds_index_where_feeds_paths_puts_it(site):
    """`[feeds.paths] index = "feeds.html"` (what `init` writes when the feeds sit at the
    site's root): the preview's front page links that page, which exists, not /index.html."""
    config = DIGEST + '\n[feeds.paths]\nindex = "feeds.html"\n'
    with serving(site, config) as (proc, folder, base, lines):
        front = fetch(base)
        assert '<a href="/feeds.html">The feeds index</a>' in front
        assert 'href="/index.html"' not in front
        assert "all.atom.xml" in fetch(base + "feeds.html")
        # and the digests' archive page, which lists the previewed digest
        assert '<a href="/digests/index.html">' in front
        assert 'href="2016-11.html"' in fetch(base + "digests/index.html")
        assert not (folder / "index.html").exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
