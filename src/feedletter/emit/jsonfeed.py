"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""

from __future__ import annotations

import json
from collections.abc import Callable

from ..config import Config
from ..dates import rfc3339
from ..posts import Post
from ..render import Rendered
from .specs import FeedSpec


def json_feed(cfg: Config, spec: FeedSpec, render: Callable[[Post], Rendered]) -> bytes:
    items = []
    for post in spec.posts:
        rendered = render(post)
        item = {
            "id": post.id,
            "url": post.link,
            "title": post.title,
            "content_html": rendered.content_html,
            "summary": rendered.summary_html,
            "date_published": rfc3339(post.date),
            "date_modified": rfc3339(post.updated),
            "authors": [{k: v for k, v in (("name", a.name), ("url", a.uri)) if v}
                        for a in post.authors],
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
        "items": items,
    }
    # No indent: json's C encoder only runs without one (three times faster on big feeds).
    return (json.dumps(feed, ensure_ascii=False) + "\n").encode("utf-8")
