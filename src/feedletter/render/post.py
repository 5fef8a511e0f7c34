"""A post's body and summary → `Rendered` HTML: the one pipeline every engine goes through."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from . import python_markdown
from .sanitize import sanitize
from .urls import linkify

_FIRST_P = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")


def markdown_to_html(source: str, base: str) -> str:
    """Markdown (with raw HTML) → safe HTML fragment, bare URLs linked."""
    return linkify(sanitize(python_markdown.convert(source), base))


def html_to_text(fragment: str) -> str:
    """A rough plain-text view of an HTML fragment (for summaries and the text digest)."""
    text = re.sub(r"</(p|div|li|h[1-6]|tr|pre|blockquote)>|<br\s*/?>", "\n", fragment, flags=re.I)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


@dataclass(frozen=True)
class Rendered:
    content_html: str
    summary_html: str


def first_paragraph(content_html: str) -> str:
    m = _FIRST_P.search(content_html)
    if m:
        return f"<p>{m.group(1).strip()}</p>"
    text = html_to_text(content_html)
    if not text:
        return ""
    cut = text[:280].rsplit(" ", 1)[0] + ("…" if len(text) > 280 else "")
    return f"<p>{html.escape(cut, quote=False)}</p>"


_SPLIT = "FEEDLETTER-EXCERPT-ENDS-HERE-5c1e0d"


def render_post(body: str, summary: str | None, link: str) -> Rendered:
    """A post's Markdown body and optional Markdown summary → HTML content and summary.

    When the summary is the body's opening (text before an excerpt marker), the body is
    rendered once with a split mark where the marker was: one Markdown pass instead of
    two, and reference links defined further down still resolve in the summary.
    """
    at = body.find(summary) if summary else -1
    cut = at + len(summary or "")
    # only where the summary is the body's first paragraphs, ending at a paragraph break
    if summary and at >= 0 and not body[:at].strip() and _SPLIT not in body and \
            (body[cut:cut + 2] == "\n\n" or not body[cut:].strip()):
        whole = markdown_to_html(f"{body[:cut]}\n\n{_SPLIT}\n\n{body[cut:]}", link)
        mark = f"<p>{_SPLIT}</p>"
        if whole.count(mark) == 1:
            head, tail = whole.split(mark)
            head = head.rstrip()
            return Rendered(head + "\n" + tail.lstrip("\n") if tail.strip() else head, head)
    content = markdown_to_html(body, link)
    summary_html = markdown_to_html(summary, link) if summary else first_paragraph(content)
    return Rendered(content, summary_html)
