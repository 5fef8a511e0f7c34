"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), to the letter.

The spec: `summary` is "a plain text sentence or two describing the item" (HTML belongs
in `content_html` only); `authors` is 1.1's list, and 1.1 keeps `author` (1.0's single
object) allowed "for compatibility with JSON Feed 1.0 readers"; dates are RFC 3339.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from ..config import Config
from ..dates import rfc3339
from ..posts import Post
from ..render import Rendered
from .specs import FeedSpec

# A tag of sanitized HTML: quoted attribute values may hold a '>'.
_TAG = re.compile(r"""<(/?)([A-Za-z][\w:-]*)?(?:[^>"']|"[^"]*"|'[^']*')*>""")
# Elements that separate words where they start or end (a paragraph, a list item, <br>).
_BREAKS = frozenset("p div li ul ol dl dt dd br hr h1 h2 h3 h4 h5 h6 tr td th table pre "
                    "blockquote figure figcaption section article header footer".split())


def plain_text(fragment: str) -> str:
    """Sanitized HTML → one line of text: tags dropped (a space where a block ends),
    entities decoded, whitespace collapsed."""
    text = _TAG.sub(lambda m: " " if (m[2] or "").lower() in _BREAKS else "", fragment)
    return " ".join(html.unescape(text).split())


def _person(author) -> dict[str, str]:
    return {k: v for k, v in (("name", author.name), ("url", author.uri)) if v}


def json_feed(cfg: Config, spec: FeedSpec, render: Callable[[Post], Rendered],
              *, extra: dict | None = None) -> bytes:
    """The feed's JSON document; `extra` adds top-level keys (hubs, next_url)."""
    items = []
    for post in spec.posts:
        rendered = render(post)
        authors = [_person(a) for a in post.authors]
        item = {
            "id": post.id,
            "url": post.link,
            "title": post.title,
            "content_html": rendered.content_html,
            "summary": plain_text(rendered.summary_html) or post.title,
            "date_published": rfc3339(post.date),
            "date_modified": rfc3339(post.updated),
            "authors": authors,
            "author": authors[0],
        }
        if post.tags:
            item["tags"] = list(post.tags)
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "home_page_url": cfg.site_url + "/",
        "feed_url": spec.url(cfg, "json"),
        "description": spec.description,
        "language": cfg.language,
        "authors": [{"name": cfg.author}],
        **(extra or {}),
        "items": items,
    }
    # No indent: json's C encoder only runs without one (three times faster on big feeds).
    return (json.dumps(feed, ensure_ascii=False) + "\n").encode("utf-8")
