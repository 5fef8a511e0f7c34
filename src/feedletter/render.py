"""Markdown → safe HTML with absolute URLs, and the summary of a post.

One Markdown instance per process, `reset()` between documents (footnote state would
otherwise leak from one post into the next; a new instance costs ~0.35 ms per post).
nh3 (ammonia) removes scripts, iframes, event handlers and unsafe URL schemes; its
attribute filter makes every relative URL absolute against the post's link.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

URL_ATTRIBUTES = {"href", "src", "cite", "poster", "srcset", "longdesc"}
SAFE_SCHEMES = {"http", "https", "mailto"}
@lru_cache(maxsize=1)
def _policy() -> tuple[set[str], dict[str, set[str]]]:
    """Allowed tags and attributes: ammonia's defaults plus media and a few harmless ones."""
    import nh3

    tags = set(nh3.ALLOWED_TAGS) | {"video", "audio", "source", "picture", "track", "figure"}
    attributes: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, attrs in {
        "a": {"title"},
        "img": {"srcset", "sizes", "title", "loading"},
        "source": {"src", "srcset", "type", "media", "sizes"},
        "video": {"src", "poster", "controls", "width", "height"},
        "audio": {"src", "controls"},
        "track": {"src", "kind", "srclang", "label"},
        "code": {"class"},
        "abbr": {"title"},
        "th": {"style"},
        "td": {"style"},
    }.items():
        attributes.setdefault(tag, set()).update(attrs)
    return tags, attributes


# iframes are removed, but the reader keeps a link to what was embedded (a video, a demo).
_IFRAME = re.compile(r"<iframe\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)[^>]*>(?:.*?</iframe\s*>)?",
                     re.I | re.S)
_BARE_URL = r"(?<![\w/=\"'])(https?://[^\s<>\"'`\]\[]+[^\s<>\"'`\]\[.,;:!?)])"
_FIRST_P = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")


@lru_cache(maxsize=1)
def _markdown():
    """The process's one Markdown instance (imported late: a no-change build never needs it)."""
    import markdown
    from markdown.inlinepatterns import InlineProcessor

    class BareURL(InlineProcessor):
        """Link bare `https://...` URLs, as GitHub and most blog engines do."""

        ANCESTOR_EXCLUDES = ("a",)

        def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's API
            url = m.group(1)
            if url.endswith(")") and url.count("(") < url.count(")"):
                url = url[:-1]
            el = etree.Element("a", {"href": url})
            el.text = url
            return el, m.start(0), m.start(0) + len(url)

    class BareURLExtension(markdown.Extension):
        def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's API
            md.inlinePatterns.register(BareURL(_BARE_URL, md), "bare_url", 95)

    return markdown.Markdown(extensions=["extra", "sane_lists", BareURLExtension()],
                             output_format="html")


def _absolute(base: str, value: str) -> str | None:
    value = value.strip()
    try:
        url = urljoin(base, value)
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in SAFE_SCHEMES else None


def _filter_for(base: str):
    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr == "srcset":
            parts = []
            for candidate in value.split(","):
                bits = candidate.split()
                if not bits:
                    continue
                url = _absolute(base, bits[0])
                if url:
                    parts.append(" ".join([url, *bits[1:]]))
            return ", ".join(parts) or None
        if attr in URL_ATTRIBUTES:
            return _absolute(base, value)
        if attr == "class" and not value.startswith("language-"):
            return None
        if attr == "style":
            return value if re.fullmatch(r"\s*text-align:\s*(left|right|center);?\s*", value) else None
        return value
    return attribute_filter


def sanitize(fragment: str, base: str) -> str:
    """Untrusted HTML → HTML without active content, every URL absolute against `base`."""
    if "<iframe" in fragment.lower():
        fragment = _IFRAME.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', fragment)
    import nh3

    tags, attributes = _policy()
    return nh3.clean(
        fragment,
        tags=tags,
        attributes=attributes,
        attribute_filter=_filter_for(base),
        url_schemes=SAFE_SCHEMES,
        link_rel=None,
        strip_comments=True,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript",
                            "template", "svg", "math", "form", "textarea", "select"},
    )


def markdown_to_html(source: str, base: str) -> str:
    """Markdown (with raw HTML) → safe HTML fragment."""
    md = _markdown()
    try:
        raw = md.convert(source)
    finally:
        md.reset()
    return sanitize(raw, base)


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


def render_post(body: str, summary: str | None, link: str) -> Rendered:
    """A post's Markdown body and optional Markdown summary → HTML content and summary."""
    content = markdown_to_html(body, link)
    summary_html = markdown_to_html(summary, link) if summary else first_paragraph(content)
    return Rendered(content, summary_html)
