"""nh3 (ammonia): removes scripts, iframes, event handlers and unsafe URL schemes.

Every engine's HTML goes through `sanitize`, which then makes every URL absolute (urls.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .urls import SAFE_SCHEMES, absolutize


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


@lru_cache(maxsize=1)
def _cleaner():
    """nh3's sanitizer, configured once (a `nh3.clean` call builds its policy every time)."""
    import nh3

    tags, attributes = _policy()
    return nh3.Cleaner(
        tags=tags,
        attributes=attributes,
        url_schemes=SAFE_SCHEMES,
        link_rel=None,
        strip_comments=True,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript",
                            "template", "svg", "math", "form", "textarea", "select"},
        filter_style_properties={"text-align"},
    )


# iframes are removed, but the reader keeps a link to what was embedded (a video, a demo).
# Bounded repeats: each unclosed '<iframe' must not scan the rest of the post.
_IFRAME = re.compile(r"<iframe\b[^>]{0,2000}?\bsrc\s*=\s*[\"']?([^\"'\s>]+)[^>]{0,2000}>"
                     r"(?:.{0,4000}?</iframe\s*>)?", re.I | re.S)


def sanitize(fragment: str, base: str) -> str:
    """Untrusted HTML → HTML without active content, every URL absolute against `base`."""
    if "<iframe" in fragment.lower():
        fragment = _IFRAME.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', fragment)
    clean = _cleaner().clean(fragment)
    return absolutize(clean, base)
