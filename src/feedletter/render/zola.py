"""Zola's internal links and shortcodes in a post's body.

- `[text](@/blog/post.md)`: "Linking to other pages and their headings ... you can use
  `@/` followed by the path to the Markdown file, relative to the `content` directory";
  an anchor may follow (`@/blog/post.md#section`). A link that matches no post is an error
  in Zola; here it is reported, and its text kept without the link.
  https://www.getzola.org/documentation/content/linking/
- Shortcodes `{{ name(args) }}` and `{% name(args) %}…{% end %}` are templates of the
  site (`templates/shortcodes/`): Zola has no built-in ones, so each is left out and
  reported; `{{/* name() */}}` is the shortcode's text, as written.
  https://www.getzola.org/documentation/content/shortcodes/
Any other `{{ … }}` in a body is text in Zola, and stays text here.
"""

from __future__ import annotations

import html
import re

from .context import Report

_BODY = re.compile(r"\{%\s*([A-Za-z_]\w*)\s*\((.*?)\)\s*%\}(.*?)\{%\s*end\s*%\}", re.S)
_INLINE = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\((.*?)\)\s*\}\}", re.S)
_ESCAPED = re.compile(r"\{([{%])/\*\s?(.*?)\s?\*/([}%])\}", re.S)
_MARK = "\x00zola-escaped-{}\x00"


def shortcodes(body: str, report: Report) -> str:
    """The body without its shortcode calls (each reported), escaped ones as written."""
    if "{{" not in body and "{%" not in body:
        return body
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append("{" + m.group(1) + " " + m.group(2) + " " + m.group(3) + "}")
        return _MARK.format(len(kept) - 1)

    text = _ESCAPED.sub(keep, body)

    def drop(m: re.Match[str]) -> str:
        report.problem(text, m.start(), f"shortcode '{m.group(1)}' is the site's own "
                                        "(templates/shortcodes/); left out", m.group(0))
        return "\n" * m.group(0).count("\n")

    text = _INLINE.sub(drop, _BODY.sub(drop, text))
    for i, original in enumerate(kept):
        text = text.replace(_MARK.format(i), original)
    return text


_AT_LINK = re.compile(r'<a href="@/([^"#]*)(#[^"]*)?"([^>]*)>(.*?)</a>', re.S)


def internal_links(fragment: str, source: str, report: Report) -> str:
    """`@/path.md` links of an engine's HTML → the linked post's link (or just the text)."""
    if 'href="@/' not in fragment:
        return fragment

    def fix(m: re.Match[str]) -> str:
        path = html.unescape(m.group(1))
        found = report.resolve("zola", path)
        if found is None:
            at = source.find("@/" + path)
            report.problem(source, at if at >= 0 else None,
                           f"internal link '@/{path}': no such post; link left out",
                           "@/" + path)
            return m.group(4)
        return f'<a href="{html.escape(found)}{m.group(2) or ""}"{m.group(3)}>{m.group(4)}</a>'

    return _AT_LINK.sub(fix, fragment)
