"""feedletter's patches to Python-Markdown change its speed, never its output.

`python_markdown.instance()` patches four things (see render/python_markdown_patches.py):
the link and bracket search (`_linear_links`), the raw-HTML parser's start-tag scan
(`_BoundedScan`), which inline patterns are tried on a text (`_skip_hopeless_patterns`) and
which block processors are asked about a block (`_skip_hopeless_blocks`). Each test renders
the same texts with the patched instance and with a stock one (same extensions) and compares.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.htmlparser import htmlparser

from feedletter import render
from feedletter.render import python_markdown, urls
from feedletter.render import python_markdown_patches as patches

REPO = Path(__file__).resolve().parents[1]
SCANS = ("locatestarttagend_tolerant", "locatetagend")

# Markdown's syntax characters, and whole constructs, so that random texts hit every pattern.
PIECES = st.one_of(
    st.sampled_from(list("[]()!<>`*_\\&^:#-=/\"' \n\tab1.|~")),
    st.sampled_from(["[a](b)", "[a][1]", "[1]: http://x.y", "![i](s.png \"t\")", "[^1]",
                     "[^1]: note", "<b>", "</b>", "<div>\n", "</div>", "<http://x.y>",
                     "<a@b.c>", "&amp;", "&#42;", "**x**", "__y__", "*z*", "`c`", "``d``",
                     "  \n", "\n\n", "    code\n", "```\n", "> ", "- ", "1. ", "| a | b |\n",
                     "|---|---|\n", "{: .c}", "*[HTML]: Hyper", "<iframe src=x ", "<a href=\"",
                     "<!-- c -->", "\\[", "<span markdown=\"1\">", "Title\n===\n",
                     "Sub\n---\n", "# H #\n", "Term\n:   def\n", "*  *  *\n", "~~~\n",
                     "```python\n", "&#65 ", "&copy", "\x02", "\x03", "{ #i }", "{", "}",
                     "[a](b \"c)\")", "[a](b 'c)' )", "[a](b(c)d)", "[a](b \"t\")", "](", ")[",
                     "- - -\n", "-  -  -\n", "_ _ _\n", "Term\n: def\n"]),
)
TEXTS = st.lists(PIECES, max_size=60).map("".join)


def stock() -> markdown.Markdown:
    return markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")


@contextlib.contextmanager
def unbounded_scans() -> Iterator[None]:
    """The raw-HTML parser with its own start-tag patterns (the bound is module-wide)."""
    python_markdown.instance()
    wrapped = {n: getattr(htmlparser, n) for n in SCANS
               if isinstance(getattr(htmlparser, n, None), patches._BoundedScan)}
    assert wrapped, "the start-tag scan is not bounded"
    try:
        for name, scan in wrapped.items():
            setattr(htmlparser, name, scan.pattern)
        yield
    finally:
        for name, scan in wrapped.items():
            setattr(htmlparser, name, scan)


def convert(md: markdown.Markdown, text: str) -> str:
    try:
        return md.convert(text)
    finally:
        md.reset()


def both(texts: list[str]) -> tuple[list[str], list[str]]:
    patched = [convert(python_markdown.instance(), t) for t in texts]
    with unbounded_scans():
        original = stock()
        plain = [convert(original, t) for t in texts]
    return patched, plain


def real_texts(corpus_dir: Path) -> list[str]:
    return [p.read_text("utf-8", "replace") for folder in (corpus_dir, REPO / "posts")
            for p in sorted(folder.iterdir()) if p.is_file()]


def test_real_posts_render_as_stock_markdown_renders_them(corpus_dir: Path) -> None:
    texts = real_texts(corpus_dir)
    assert len(texts) > 80
    patched, plain = both(texts)
    for text, mine, theirs in zip(texts, patched, plain, strict=True):
        assert mine == theirs, text[:200]


@settings(max_examples=1500, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_random_markdown_renders_as_stock_markdown_renders_it(text: str) -> None:
    patched, plain = both([text])
    assert patched == plain


@pytest.mark.parametrize("line", ["<iframe src=x ", "<a href=\"x ", "<http://", "[a](", "[^", "!["])
def test_unclosed_constructs_render_in_bounded_time_as_text(line: str) -> None:
    """20,000 of them: quadratic before (minutes), seconds now; the text stays visible."""
    html = render.markdown_to_html(line * 20000, "https://example.org/p/")
    visible = render.html_to_text(html)
    assert visible.count(line.strip()) >= 19000


def test_the_bound_changes_nothing_below_its_budget() -> None:
    """A start tag longer than the window: a raw HTML block under the budget, not past it."""
    long_tag = '<div title="' + "x" * 600 + '">\n*raw* block\n</div>\n\ntext\n'
    patched, plain = both([long_tag])
    assert patched == plain and "<div" in patched[0]
    with pytest.MonkeyPatch.context() as mp:     # as if the budget were spent
        mp.setattr(patches._BoundedScan, "match", lambda self, text, pos=0, endpos=10**9:
                   self.pattern.match(text, pos, min(endpos, pos + self.window)))
        spent = convert(python_markdown.instance(), long_tag)
    assert spent != plain[0] and "<em>raw</em>" in spent     # no longer a raw HTML block


def test_the_patches_are_in_place() -> None:
    """With the Python-Markdown we install, all the patches apply (each falls back to
    Python-Markdown's own code when its internals differ: slower, same output)."""
    md = python_markdown.instance()
    assert md.convert.__name__ == "gated_convert" and "is_block_level" in vars(md)
    assert type(md.parser.blockprocessors).__name__ == "Listed"
    convert(md, "plain words only")         # none of the passes' strings: all skipped
    idle = [name for registry, name, _, _ in patches._PASS_NEEDLES
            if getattr(md, registry)[name].run in (patches._unchanged, patches._nothing)]
    assert len(idle) == len(patches._PASS_NEEDLES)
    assert "_InlineProcessor__handleInline" in vars(md.treeprocessors["inline"])
    assert any(isinstance(getattr(htmlparser, n, None), patches._BoundedScan) for n in SCANS)
    assert md.inlinePatterns["footnote"].compiled_re.pattern.endswith("{0,256})\\]")
    gated = [name for name, _, _ in patches._BLOCK_NEEDLES
             if "gated" in md.parser.blockprocessors[name].test.__qualname__]
    assert len(gated) == len(patches._BLOCK_NEEDLES)


BASES = ["https://example.org/blog/2024/01/post/", "http://example.org:8080/a/b?q=1#f",
         "https://user@example.org/p", "https://example.org", "https://ex.org/a/b/../c/"]
URLS = ["/x", "/x/../y?z#w", "//other.org/x", "https://ex.org/../a", "HTTP://EX.org/A",
        "http://ex.org/a?", "https:x", "x", "../x", "?q", "#f", "", " /x ", "/", "//",
        "javascript:alert(1)", "mailto:a@b.c", "/\\evil", "https://[::1]/x", "https://[x/"]


def urljoined(base: str, value: str) -> str | None:
    """What `urls._absolute` must give: urljoin's answer when its scheme is safe."""
    from urllib.parse import urljoin, urlsplit

    try:
        url = urljoin(base, value.strip())
        return url if urlsplit(url).scheme.lower() in render.SAFE_SCHEMES else None
    except ValueError:
        return None


@pytest.mark.parametrize("base", BASES)
def test_urls_are_joined_as_urljoin_joins_them(base: str) -> None:
    """The shortcut that joins root paths and full URLs against the site's origin."""
    for value in URLS:
        assert urls._absolute(base, value) == urljoined(base, value), value


URL_PARTS = st.tuples(
    st.sampled_from(["", "", "http://", "https://", "HTTPS://", "//", "mailto:", "/"]),
    st.sampled_from(["", "ex.org", "EX.org", "a-b.c:80", "[::1]", "ü.org", "u@h", "h.", "x"]),
    st.lists(st.sampled_from(["/", "a", ".", "..", "/./", "/../", "/.", ";p", "%20", " ", "\\",
                              "é", "//", "\t", ".x", "a.b", "-"]), max_size=5).map("".join),
    st.sampled_from(["", "", "?", "?q=1", "?a?b", "?&", "?#"]),
    st.sampled_from(["", "", "#", "#f", "#a?b", "#/../x"]),
).map("".join)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(value=URL_PARTS, base=st.sampled_from(BASES))
def test_any_url_is_joined_as_urljoin_joins_it(value: str, base: str) -> None:
    """The shortcuts (a full or root URL as it is, or after the origin) against urljoin."""
    assert urls._absolute(base, value) == urljoined(base, value)


def test_the_listed_block_processors_follow_a_later_registration() -> None:
    md = stock()
    patches._listed_block_processors(md)
    before = list(md.parser.blockprocessors)
    extra = type(before[-1])(md.parser)
    md.parser.blockprocessors.register(extra, "late", 1000)
    assert list(md.parser.blockprocessors) == [extra, *before]
    md.parser.blockprocessors.deregister("late")
    assert list(md.parser.blockprocessors) == before
