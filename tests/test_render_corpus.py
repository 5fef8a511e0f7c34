"""The real Hugo and Jekyll sites built through the CLI: no template syntax left in any
feed's content, and what could not be rendered is named with its file and line.

Text inside <code> and <pre> is the post's own (a Go template shown in a code block, or
Liquid kept as text by `{% raw %}`): Hugo and Jekyll show it too, so it is not counted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from conftest import corpus_path
from feedletter.cli import main

CORPORA = corpus_path().parent
CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.S)


def build(tmp_path: Path, generator: str, posts: Path, extra: str = "") -> tuple[Path, str]:
    if not posts.is_dir():
        reason = f"real corpus not found at {posts}"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must not skip corpus tests")
        pytest.skip(reason)
    config = tmp_path / "feedletter.toml"
    config.write_text(f'[site]\nurl = "https://example.org"\ngenerator = "{generator}"\n'
                      f'[paths]\nposts = "{posts}"\noutput = "feeds"\n'
                      f"[feeds]\nmax_entries = 10000\n{extra}")
    result = CliRunner().invoke(main, ["build", "--config", str(config), "--no-cache",
                                       "--now", "2026-12-01T00:00:00Z"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return tmp_path / "feeds", result.output


def contents(feeds: Path) -> list[tuple[str, str]]:
    atom = next(feeds.rglob("*.atom.xml")) if not (feeds / "all.atom.xml").exists() \
        else feeds / "all.atom.xml"
    parsed = feedparser.parse(atom.read_bytes())
    assert parsed.bozo == 0 and parsed.entries
    return [(e.link, e.content[0].value) for e in parsed.entries]


def test_otel_blog_keeps_no_shortcode(tmp_path: Path) -> None:
    feeds, output = build(tmp_path, "hugo", CORPORA / "otel-blog" / "content" / "en" / "blog")
    for link, html in contents(feeds):
        outside = CODE.sub("", html)
        assert "{{<" not in outside and "{{%" not in outside and "{{&lt;" not in outside, link
    # every shortcode the corpus uses is rendered or named, with its file and line
    assert re.search(r"content/en/blog/2023/cloud-foundry\.md:11: shortcode "
                     r"'blog/integration-badge' is the site's own", output)
    assert re.search(r"blog/2026/kubecon-eu\.md:228: shortcode 'comment'", output)
    for name in ("youtube", "figure", "param canonical_url"):
        assert f"shortcode '{name}'" not in output


def test_jekyll_news_keeps_no_liquid(tmp_path: Path) -> None:
    feeds, output = build(tmp_path, "jekyll", CORPORA / "jekyll-news" / "docs" / "_posts")
    pages = contents(feeds)
    for link, html in pages:
        outside = CODE.sub("", html)
        assert "{{" not in outside and "{%" not in outside, link
    joined = "\n".join(html for _, html in pages)
    # {% post_url 2013-05-06-jekyll-1-0-0-released %} resolved to that post's link
    assert "jekyll-1-0-0-released" in joined
    assert re.search(r"2024-06-23-jekyll-3-10-0-released\.markdown:14: \{% link "
                     r"_docs/history\.md %\}: no such post", output)
