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

# Arguments are bounded (an unclosed call must not scan the rest of the post); a body runs
# to the next `{% end %}`, and is only looked for before the last one.
_BODY = re.compile(r"\{%\s*([A-Za-z_]\w*)\s*\((.{0,2000}?)\)\s*%\}(.*?)\{%\s*end\s*%\}", re.S)
_END = re.compile(r"\{%\s*end\s*%\}")
_INLINE = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\((.{0,2000}?)\)\s*\}\}", re.S)
_ESCAPE_OPEN = re.compile(r"\{([{%])/\*")
_ESCAPE_CLOSE = re.compile(r"\s*([}%])\}")
_MARK = "\x00zola-escaped-{}\x00"


def shortcodes(body: str, report: Report) -> str:
    """The body without its shortcode calls (each reported), escaped ones as written."""
    if "{{" not in body and "{%" not in body:
        return body
    kept: list[tuple[str, int]] = []       # (the text as written, its line breaks)
    parts: list[str] = []
    pos = 0
    for m in _ESCAPE_OPEN.finditer(body):
        if m.start() < pos:
            continue
        close = body.find("*/", m.end(), m.end() + 2000)
        tail = _ESCAPE_CLOSE.match(body, close + 2) if close >= 0 else None
        if tail is None or tail.group(1) != ("}" if m.group(1) == "{" else "%"):
            continue
        breaks = body.count("\n", m.start(), tail.end())
        kept.append(("{" + m.group(1) + " " + body[m.end():close].strip() + " "
                     + tail.group(1) + "}", breaks))
        # its line breaks stay while the calls are found, so that their lines are right
        parts += [body[pos:m.start()], _MARK.format(len(kept) - 1), "\n" * breaks]
        pos = tail.end()
    text = "".join(parts) + body[pos:]

    def drop(m: re.Match[str]) -> str:
        report.problem(text, m.start(), f"shortcode '{m.group(1)}' is the site's own "
                                        "(templates/shortcodes/); left out", m.group(0))
        return "\n" * m.group(0).count("\n")

    ends = [m.end() for m in _END.finditer(text)]
    if ends:
        text = _BODY.sub(drop, text[:ends[-1]]) + text[ends[-1]:]
    text = _INLINE.sub(drop, text)
    for i, (original, breaks) in enumerate(kept):
        text = text.replace(_MARK.format(i) + "\n" * breaks, original)
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
