"""The `commonmark` engine (pulldown-cmark through pyromark) against the CommonMark spec.

`commonmark_spec_sample.json` quotes a sample of the spec's own examples (Markdown in,
HTML out): https://spec.commonmark.org/0.31.2/. Spec HTML escapes `"` in text as `&quot;`
and pulldown-cmark writes it as is; the spec's own test runner normalizes that away, and
so does this test (the sanitizer serializes both alike anyway), and the line break between
two tags (example 177: `<li>\n<div>`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from feedletter.config import load_config
from feedletter.render import commonmark
from feedletter.render.context import settings_from
from render_helpers import render

SAMPLE = json.loads((Path(__file__).parent / "commonmark_spec_sample.json").read_text())


def normalized(fragment: str) -> str:
    return re.sub(r">\s+<", "><", fragment.replace("&quot;", '"')).strip()


@pytest.mark.parametrize("case", SAMPLE["examples"], ids=lambda c: f"example-{c['example']}")
def test_spec_example(case: dict) -> None:
    assert normalized(commonmark.convert(case["markdown"])) == normalized(case["html"])


def test_markdown_inside_an_html_block_is_rendered_after_a_blank_line() -> None:
    # spec example 190 ("HTML blocks"): "<div>\n\n*Emphasized* text.\n\n</div>" →
    # "<div>\n<p><em>Emphasized</em> text.</p>\n</div>"; goldmark and pulldown-cmark agree,
    # Python-Markdown leaves the text raw.
    body = "<div>\n\n*Emphasized* text.\n\n</div>\n"
    assert render(body, "hugo").content_html == "<div>\n<p><em>Emphasized</em> text.</p>\n</div>\n"
    assert "<em>" not in render(body, "feedletter", engine="python-markdown").content_html


def test_gfm_tables_strikethrough_and_links() -> None:
    # GFM spec https://github.github.com/gfm/ example 198 (table) and 491 (~~strikethrough~~)
    html = render("| foo | bar |\n| --- | --- |\n| baz | bim |\n\n~~Hi~~ Hello, world!\n"
                  "\nVisit https://www.commonmark.org/help for more.\n", "zola").content_html
    assert "<table><thead><tr><th>foo</th><th>bar</th></tr></thead><tbody>\n" \
           "<tr><td>baz</td><td>bim</td></tr>\n</tbody></table>" in html
    assert "<del>Hi</del> Hello, world!" in html
    # a bare URL is linked by feedletter's URL pass, for every engine
    assert '<a href="https://www.commonmark.org/help">' in html


def test_both_engines_go_through_the_same_sanitizer_and_url_pass() -> None:
    body = '<script>alert(1)</script>\n\n[x](/a/b.png) <img src="c.png" onerror="x()">\n'
    for engine in ("python-markdown", "commonmark"):
        html = render(body, "hugo", engine=engine).content_html
        assert "script" not in html and "onerror" not in html, engine
        assert 'href="https://example.com/a/b.png"' in html, engine
        assert 'src="https://example.com/blog/2024/01/this-post/c.png"' in html, engine


@pytest.mark.parametrize(("generator", "engine"), [
    ("feedletter", "python-markdown"), ("jekyll", "python-markdown"),
    ("pelican", "python-markdown"), ("middleman", "python-markdown"),
    ("hugo", "commonmark"), ("zola", "commonmark"), ("eleventy", "commonmark")])
def test_the_generator_chooses_the_default_engine(tmp_path: Path, generator: str,
                                                   engine: str) -> None:
    config = tmp_path / "feedletter.toml"
    config.write_text(f'[site]\nurl = "https://example.com"\ngenerator = "{generator}"\n')
    assert settings_from(load_config(config)).engine == engine
    config.write_text(f'[site]\nurl = "https://example.com"\ngenerator = "{generator}"\n'
                      'markdown = "commonmark"\n')
    assert settings_from(load_config(config)).engine == "commonmark"


def test_hugo_gets_goldmarks_typographer_and_zola_does_not() -> None:
    # goldmark's Typographer extension, enabled in Hugo's default markup config
    # (https://gohugo.io/configuration/markup/#typographer): "--" en dash, "---" em dash,
    # "..." ellipsis, quotes made curly; Zola's `smart_punctuation` defaults to false
    body = 'He said "don\'t" -- and --- then...\n'
    assert render(body, "hugo").content_html == \
        "<p>He said \u201cdon\u2019t\u201d \u2013 and \u2014 then\u2026</p>\n"
    assert render(body, "zola").content_html == \
        "<p>He said \"don't\" -- and --- then...</p>\n"
