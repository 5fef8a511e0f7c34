"""The real Hugo and Jekyll sites, as a user gets them: `feedletter init SITE` then
`feedletter build` (every post kept in the feeds, so that every body is rendered). No
template syntax is left in any feed's content, and what could not be rendered is named
with its file and line.

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


def init_and_build(tmp_path: Path, site: Path) -> tuple[Path, str]:
    if not site.is_dir():
        reason = f"real corpus not found at {site}"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must not skip corpus tests")
        pytest.skip(reason)
    config = tmp_path / "feedletter.toml"
    runner = CliRunner()
    made = runner.invoke(main, ["init", str(site), "--output", str(config)])
    assert made.exit_code == 0, made.output
    # every post in the feeds (the generator's feeds keep its newest 10 or 20)
    config.write_text(re.sub(r"(?m)^max_entries = \d+", "max_entries = 10000", config.read_text()))
    built = runner.invoke(main, ["build", "--config", str(config), "--no-cache",
                                 "--now", "2026-12-01T00:00:00Z"])
    assert built.exit_code == 0, built.output
    return tmp_path / "feeds", built.output


def contents(feeds: Path) -> dict[str, str]:
    """link → content of every entry of every XML feed written."""
    found: dict[str, str] = {}
    for path in feeds.rglob("*.xml"):
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, path
        for e in parsed.entries:
            found[e.link] = e.content[0].value if "content" in e else e.get("summary", "")
    assert found
    return found


def test_otel_blog_keeps_no_shortcode(tmp_path: Path) -> None:
    feeds, output = init_and_build(tmp_path, CORPORA / "otel-blog")
    pages = contents(feeds)
    assert len(pages) >= 250
    for link, html in pages.items():
        outside = CODE.sub("", html)
        assert "{{<" not in outside and "{{%" not in outside and "{{&lt;" not in outside, link
    # every shortcode the corpus uses is rendered, or named with its file and line
    assert re.search(r"content/en/blog/2023/cloud-foundry\.md:11: shortcode "
                     r"'blog/integration-badge' is the site's own", output)
    assert re.search(r"blog/2026/kubecon-eu\.md:228: shortcode 'comment'", output)
    for rendered in ("youtube", "figure", "param canonical_url", "param eventUrl"):
        assert f"shortcode '{rendered}'" not in output
    joined = "\n".join(pages.values())
    assert "https://www.youtube.com/embed/zSeKL2-_sVg" in joined       # {{<youtube zSeKL2-_sVg>}}
    assert "<figcaption>" in joined


def test_jekyll_news_keeps_no_liquid(tmp_path: Path) -> None:
    feeds, output = init_and_build(tmp_path, CORPORA / "jekyll-news")
    pages = contents(feeds)
    for link, html in pages.items():
        outside = CODE.sub("", html)
        assert "{{" not in outside and "{%" not in outside, link
    joined = "\n".join(pages.values())
    # {% post_url 2013-05-06-jekyll-1-0-0-released %} is that post's link; {{ site.repository }}
    # comes from _config.yml through `init`
    one_oh = next(link for link in pages if "jekyll-1-0-0-released" in link)
    assert f'href="{one_oh}"' in joined
    assert "https://github.com/jekyll/jekyll/issues" in joined
    # a link to a page that is not a post is named, with its line
    assert re.search(r"2024-06-23-jekyll-3-10-0-released\.markdown:14: \{% link "
                     r"_docs/history\.md %\}: no such post", output)
    assert "site.repository" not in output
