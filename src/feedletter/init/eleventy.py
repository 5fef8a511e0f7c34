"""Eleventy: its config is JavaScript (never run), so what is read is data: the
`_data/metadata.json|js` of eleventy-base-blog (title, url, language, description,
author) and the `permalink:` of the feed templates (eleventy-plugin-rss).

Followed: https://www.11ty.dev/docs/plugins/rss/ (the feed template's permalink is where
the feed is written; entries' ids are the absolute post URLs: `<id>{{ absolutePostUrl }}</id>`).
"""

from __future__ import annotations

import re
from pathlib import Path

from .common import read_data, text
from .model import Findings

_FIELD = re.compile(r"""^\s*["']?(title|url|language|description)["']?\s*:\s*(['"`])(.*?)\2""", re.M)
_PERMALINK = re.compile(r"""^permalink:\s*["']?([^"'\s]+\.(?:xml|json))["']?\s*$""", re.M)


def read(root: Path, config_file: Path | None) -> Findings:
    f = Findings("eleventy", root, config_file)
    meta: dict[str, str] = {}
    for folder in (root / "_data", root / "src" / "_data", root / "content" / "_data"):
        json_file, js_file = folder / "metadata.json", folder / "metadata.js"
        if json_file.is_file():
            meta = {k: v for k, v in read_data(json_file).items() if text(v)}
            f.note(f"site data {json_file.relative_to(root)}")
            break
        if js_file.is_file():
            meta = {m.group(1): m.group(3) for m in _FIELD.finditer(js_file.read_text("utf-8", "replace"))}
            f.note(f"site data {js_file.relative_to(root)} (read as text)")
            break
    for key in ("title", "description", "language"):
        if text(meta.get(key)):
            f.site[key] = text(meta[key])
    f.site_url(text(meta.get("url")), "metadata.url", "no site URL in the site data (metadata.url)")
    for candidate in ("content/blog", "src/posts", "posts", "blog", "content/posts", "src/blog"):
        if (root / candidate).is_dir():
            f.posts = root / candidate
            f.note(f"posts: {candidate}")
            break
    else:
        f.posts = root
        f.unsure("no posts folder found (content/blog, posts/…): set [paths] posts")
    f.feeds["ids"] = "permalink"
    for template in sorted(root.rglob("*.njk"))[:200] + sorted(root.rglob("*.liquid"))[:200]:
        if "node_modules" in template.parts:
            continue
        head = template.read_text("utf-8", "replace")[:2000]
        m = _PERMALINK.search(head)
        if m and m.group(1).endswith(".xml"):
            fmt = "rss" if "<rss" in template.read_text("utf-8", "replace") else "atom"
            f.feed_file(fmt, "site", m.group(1))
            f.note(f"{fmt} feed at /{m.group(1).lstrip('/')} ({template.relative_to(root)})")
        elif m:
            f.feed_file("json", "site", m.group(1))
            f.note(f"JSON feed at /{m.group(1).lstrip('/')} ({template.relative_to(root)})")
    return f
