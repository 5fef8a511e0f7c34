"""The plain-text part: HTML fragments → text, wrapped at 76 columns.

Links become numbered references: "the release notes [1]" in the text, and `[1] URL`
at the end of the item, so a sentence reads as a sentence and long URLs do not break
the lines of the prose (as in RFC-style and mailing-list mail).
"""

from __future__ import annotations

import html
import re
import textwrap

from lxml import html as lxml_html

from ..render import html_to_text

TEXT_WIDTH = 76             # plain-text part: wrapped at 76, inside the 72-78 columns asked
_BLOCK_END = re.compile(r"</(?:p|ul|ol|h[1-6]|pre|blockquote|table)>", re.I)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.I | re.S)
_PARAGRAPH = "\ue000"        # private-use character: a paragraph break while converting
_BULLET = "\ue001"           # a list item's start, made "- " after the text is flattened


def text_part(fragment: str, start: int = 1) -> tuple[str, list[str]]:
    """HTML → plain text with numbered link references, and the URLs in their order
    (numbered from `start`). A link whose text is its own address stays written out."""
    if not fragment.strip():
        return "", []
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    refs: list[str] = []
    for a in list(root.iter("a")):
        url = a.get("href")
        if not url:
            continue
        shown = " ".join(a.text_content().split())
        if not shown or shown in (url, url.removeprefix("mailto:")):
            for child in list(a):
                a.remove(child)
            a.text = url.removeprefix("mailto:") if shown else url
            continue
        if url not in refs:
            refs.append(url)
        a.tail = f" [{refs.index(url) + start}]" + (a.tail or "")
    for li in root.iter("li"):
        li.text = _BULLET + (li.text or "")
    for img in root.iter("img"):       # an image is its alt text, if any
        alt = img.get("alt", "").strip()
        img.tail = (f"[{alt}]" if alt else "") + (img.tail or "")
    inner = (html.escape(root.text, quote=False) if root.text else "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root)
    return _flatten(inner), refs


def _flatten(fragment: str) -> str:
    # Line breaks in HTML source are spaces (but in <pre>); <br> and blocks make lines.
    fragment = "".join(part if part[:4].lower() == "<pre" else re.sub(r"\s*\n\s*", " ", part)
                       for part in _PRE.split(fragment))
    # html_to_text drops blank lines; a marker line keeps paragraphs apart.
    fragment = _BLOCK_END.sub(lambda m: f"{m[0]}\n{_PARAGRAPH}\n", fragment)
    text = html_to_text(fragment)
    text = re.sub(rf"\s*{_BULLET}\s*", "\n- ", text)
    text = re.sub(rf"(?:\s*{_PARAGRAPH}\s*)+", "\n\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def text_with_links(fragment: str) -> str:
    """HTML → plain text, its links as numbered references listed after it."""
    text, refs = text_part(fragment)
    return text + "".join(f"\n[{n}] {url}" for n, url in enumerate(refs, 1))


def wrap(text: str, indent: str = "", first: str | None = None,
         width: int = TEXT_WIDTH) -> str:
    """Wrap each paragraph of `text`; URLs and other long words are never broken. A
    bullet line ("- …") wraps with its continuation lines indented under its text."""
    lines: list[str] = []
    lead = indent if first is None else first
    for para in text.split("\n"):
        if not para.strip():
            lines.append("")
            continue
        rest = indent
        if para.startswith("- "):
            lead, rest, para = lead + "- ", indent + "  ", para[2:]
        lines.extend(textwrap.wrap(para, width=width, initial_indent=lead,
                                   subsequent_indent=rest, break_long_words=False,
                                   break_on_hyphens=False))
        lead = indent
    return "\n".join(lines)


def references(refs: tuple[str, ...] | list[str], indent: str = "  ") -> str:
    """`[1] URL` lines: the references of one item (never wrapped: URLs stay whole)."""
    return "\n".join(f"{indent}[{n}] {url}" for n, url in enumerate(refs, 1))
