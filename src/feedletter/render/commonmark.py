"""The CommonMark engine: pulldown-cmark (Zola's own renderer) through pyromark.

CommonMark 0.31.2 plus the GFM extensions Hugo's goldmark and Zola turn on by default:
tables, strikethrough, task lists, footnotes, and definition lists (goldmark's
`definitionList`). Raw HTML passes through (sanitize.py cleans it), and Markdown after a
blank line inside an HTML block is rendered, as CommonMark requires and goldmark and
pulldown-cmark do. Chosen over cmark-gfm (cmarkgfm): 655 of 655 spec examples against
644, and about 4x faster on the benchmark corpus (figures in the README).
`smart` is goldmark's typographer, on by default in Hugo: curly quotes, `--` and `---` as
en and em dashes, `...` as an ellipsis (goldmark's `<<` and `>>` guillemets are not done).
Not done: GFM's bare `www.` autolinks (pulldown-cmark has none; feedletter links bare
`http(s)://` URLs itself, in urls.py).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=2)
def _options(smart: bool) -> int:
    import pyromark

    o = pyromark.Options
    options = (o.ENABLE_TABLES | o.ENABLE_FOOTNOTES | o.ENABLE_STRIKETHROUGH
               | o.ENABLE_TASKLISTS | o.ENABLE_DEFINITION_LIST)
    return options | o.ENABLE_SMART_PUNCTUATION if smart else options


def convert(source: str, smart: bool = False) -> str:
    """CommonMark (with raw HTML) → HTML, unsanitized."""
    import pyromark

    return pyromark.html(source, options=_options(smart))


def convert_smart(source: str) -> str:
    return convert(source, True)
