"""Middleman: `config.rb` (Ruby, read as text: `set :key, "value"` and the
`activate :blog do |blog| … end` block's `blog.<setting> = "value"` lines).

Followed: https://middlemanapp.com/basics/blogging/ (blog.prefix, blog.sources default
"{year}-{month}-{day}-{title}.html", blog.permalink default "{year}/{month}/{day}/{title}.html",
blog.taglink, source folder `source/`).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ConfigError
from .model import Findings

_SET = re.compile(r"""^\s*set\s+:(\w+)\s*,\s*(['"])(.*?)\2""", re.M)
_BLOG = re.compile(r"""^\s*blog\.(\w+)\s*=\s*(['"])(.*?)\2""", re.M)


def read(root: Path, config_file: Path | None) -> Findings:
    f = Findings("middleman", root, config_file, feeds_at_root=False)
    try:
        ruby = config_file.read_text("utf-8-sig") if config_file else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(config_file), f"cannot read: {exc}") from None
    sets = {m.group(1): m.group(3) for m in _SET.finditer(ruby)}
    blog = {m.group(1): m.group(3) for m in _BLOG.finditer(ruby)}
    source = root / sets.get("source", "source")
    prefix = blog.get("prefix", "").strip("/")
    f.posts = source / prefix if prefix else source
    f.note(f"posts: {f.posts.relative_to(root)} (source{' + blog.prefix' if prefix else ''})")
    if "permalink" in blog:
        f.source["permalink"] = ("/" + prefix + "/" if prefix else "/") + blog["permalink"].lstrip("/")
        f.note(f"blog.permalink {blog['permalink']!r}")
    f.site_url(sets.get("url_root") or sets.get("site_url") or sets.get("url"), "config.rb",
               "no site URL in config.rb (Middleman has none of its own)")
    f.feeds["ids"] = "tag-uri"
    feed = next((p for p in (source / "feed.xml.builder", source / prefix / "feed.xml.builder")
                 if p.is_file()), None)
    if feed is not None:
        f.feeds_at_root = True
        f.feed_file("atom", "site", feed.relative_to(source).as_posix().removesuffix(".builder"))
        f.unsure(f"{feed.relative_to(root)} is the site's own feed template: its path is kept, "
                 "check that its entry ids were tag: URIs (feeds.ids)")
    return f
