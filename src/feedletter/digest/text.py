"""The plain-text part: HTML fragments → text, wrapped at 76 columns."""

from __future__ import annotations

import html
import re
import textwrap

from ..render import html_to_text

TEXT_WIDTH = 76             # plain-text part: wrapped at 76, inside the 72-78 columns asked
_ANCHOR = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)
_BLOCK_END = re.compile(r"</(?:p|ul|ol|h[1-6]|pre|blockquote|table)>", re.I)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.I | re.S)
_LIST_ITEM = re.compile(r"<li\b[^>]*>", re.I)
_PARAGRAPH = "\ue000"        # private-use character: a paragraph break while converting


def text_with_links(fragment: str) -> str:
    """HTML → plain text, each link's address written out after its text."""
    def spell(m: re.Match[str]) -> str:
        url, label = html.unescape(m[1]), m[2]
        shown = html.unescape(re.sub(r"<[^>]+>", "", label)).strip()
        if not shown or shown == url or shown == url.removeprefix("mailto:"):
            return html.escape(url)
        return f"{label} &lt;{html.escape(url)}&gt;"
    # Line breaks in HTML source are spaces (but in <pre>); <br> and blocks make lines.
    fragment = "".join(part if part[:4].lower() == "<pre" else re.sub(r"\s*\n\s*", " ", part)
                       for part in _PRE.split(fragment))
    fragment = _ANCHOR.sub(spell, fragment)
    fragment = _LIST_ITEM.sub(lambda m: m[0] + "- ", fragment)
    # html_to_text drops blank lines; a marker line keeps paragraphs apart.
    fragment = _BLOCK_END.sub(lambda m: f"{m[0]}\n{_PARAGRAPH}\n", fragment)
    text = html_to_text(fragment)
    return re.sub(rf"(?:\s*{_PARAGRAPH}\s*)+", "\n\n", text).strip()


def wrap(text: str, indent: str = "", first: str | None = None,
         width: int = TEXT_WIDTH) -> str:
    """Wrap each paragraph of `text`; URLs and other long words are never broken."""
    lines: list[str] = []
    lead = indent if first is None else first
    for para in text.split("\n"):
        if not para.strip():
            lines.append("")
            continue
        lines.extend(textwrap.wrap(para, width=width, initial_indent=lead,
                                   subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False))
        lead = indent
    return "\n".join(lines)
