"""URLs in sanitized HTML: every URL attribute made absolute, bare URLs in text linked."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

URL_ATTRIBUTES = {"href", "src", "cite", "poster", "srcset", "longdesc"}
SAFE_SCHEMES = {"http", "https", "mailto"}
_BARE_URL_RE = re.compile(r"(?<![\w/=])https?://[^\s<>\"'`\]\[]+")
# A start tag with at least one quoted attribute (the lookahead: a value opens before the
# tag's end); the others (most tags) hold no URL, and the regex skips them without a call.
_ATTRS = r'(?:\s+[^\s"=/>]+(?:="[^"]*")?)*'       # nh3's output: values double-quoted
_TAG_RE = re.compile(rf'<([a-zA-Z][a-zA-Z0-9]*)(?=[^>]*=")({_ATTRS})\s*/?>')
_ANY_TAG_RE = re.compile(rf'<(/?)([a-zA-Z][a-zA-Z0-9]*){_ATTRS}\s*/?>')
_URL_ATTR_RE = re.compile(rf'(\s)({"|".join(sorted(URL_ATTRIBUTES))})="([^"]*)"', re.I)

# these. Not '//' without a host: that one takes the base's path.
_ORIGIN_RELATIVE = re.compile(r"(?:https?:)?//[^/?#\\\s]|/(?![/\\])", re.I)


@lru_cache(maxsize=8192)
def _joined(base: str, value: str) -> str | None:
    try:
        url = urljoin(base, value)
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in SAFE_SCHEMES else None


@lru_cache(maxsize=1024)
def _origin(base: str) -> str:
    """`scheme://host/` of `base`: joined with a root path or a full URL, it gives what
    `base` gives (urljoin reads no more of the base then), and many posts share it."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return base
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else base


# URLs that urljoin gives back as they are (a full one: same scheme as the base, or not)
# or as the origin and the path (a root one): a plain host, no dot segment in a root path,
# no empty query or fragment (those urljoin drops), no space or backslash.
_AS_IS = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[^\s?#\\]*)?"
                    r"(?:\?[^\s#\\]+)?(?:#[^\s\\]+)?")
_ROOT_AS_IS = re.compile(r"/(?![/\\.])(?:(?!/\.)[^\s?#\\])*(?:\?[^\s#\\]+)?(?:#[^\s\\]+)?")


def _absolute(base: str, value: str) -> str | None:
    value = value.strip()
    if _ORIGIN_RELATIVE.match(value):
        base = _origin(base)
        # most URLs of a post: skip urljoin (and a cache that the many distinct image
        # paths of a big site keep missing)
        if base.startswith(("https://", "http://")) and base[-1] == "/":
            if value[0] != "/":
                if _AS_IS.fullmatch(value):
                    return value
            elif _ROOT_AS_IS.fullmatch(value):
                return base + value[1:]
    return _joined(base, value)


def _fix_url_attribute(base: str, m: re.Match[str]) -> str:
    name, value = m.group(2).lower(), html.unescape(m.group(3))
    if name == "srcset":
        parts = []
        for candidate in value.split(","):
            bits = candidate.split()
            url = _absolute(base, bits[0]) if bits else None
            if url:
                parts.append(" ".join([url, *bits[1:]]))
        if not parts:
            return ""
        return f'{m.group(1)}{name}="{html.escape(", ".join(parts))}"'
    url = _absolute(base, value)
    return f'{m.group(1)}{name}="{html.escape(url)}"' if url else ""


def absolutize(fragment: str, base: str) -> str:
    """Every URL attribute of sanitized HTML made absolute against `base` (or dropped).

    Runs on nh3's serialization, where every attribute value is double-quoted and text
    never holds a raw '<', so a tag is exactly what `_TAG_RE` matches.
    """
    def fix_tag(m: re.Match[str]) -> str:
        attrs = m.group(2)
        fixed = _URL_ATTR_RE.sub(lambda a: _fix_url_attribute(base, a), attrs)
        tag = m.group(0)
        return tag[: m.start(2) - m.start(0)] + fixed + tag[m.end(2) - m.start(0):]
    return _TAG_RE.sub(fix_tag, fragment)


def linkify(fragment: str) -> str:
    """Bare `https://…` URLs in text become links, except inside links, code and pre."""
    # Most fragments hold "http" only inside tags (their links, made absolute): with the
    # tags taken out in one C-level pass, such a fragment is seen to have nothing to do.
    if "http" not in fragment or "http" not in _ANY_TAG_RE.sub("", fragment):
        return fragment
    out: list[str] = []
    inside = 0
    pos = 0
    for m in _ANY_TAG_RE.finditer(fragment):
        text = fragment[pos:m.start()]
        out.append(_BARE_URL_RE.sub(_link, text) if not inside and "http" in text else text)
        name = m.group(2).lower()
        if name in ("a", "code", "pre"):
            inside += -1 if m.group(1) else 1
        out.append(m.group(0))
        pos = m.end()
    text = fragment[pos:]
    out.append(_BARE_URL_RE.sub(_link, text) if not inside and "http" in text else text)
    return "".join(out)


def _link(m: re.Match[str]) -> str:
    url = m.group(0)
    for stop in ("&lt;", "&gt;", "&quot;", "&#x27;", "&#39;"):
        if stop in url:
            url = url[: url.index(stop)]
    while url and url[-1] in ".,;:!?)":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    if len(url) <= len("https://"):
        return m.group(0)
    return f'<a href="{url}">{url}</a>{m.group(0)[len(url):]}'
