"""Which feeds exist: the site → one FeedSpec per feed (site, each tag, each author)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..config import Config
from ..posts import Post
from ..site import Group, Site

FORMATS = (("atom", ".atom.xml"), ("rss", ".rss.xml"), ("json", ".json"))
MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml",
               "json": "application/feed+json"}


@dataclass(frozen=True)
class FeedSpec:
    """One feed (site, tag or author) before it is turned into three formats."""

    path: str            # output path without extension: "all", "tags/ovirt"
    title: str
    description: str
    posts: tuple[Post, ...]   # newest first, already cut to max_entries
    kind: str            # "site" | "tags" | "authors"
    name: str


def feed_specs(site: Site) -> list[FeedSpec]:
    cfg = site.config
    limit = cfg.max_entries
    specs = [FeedSpec("all", cfg.title, cfg.description or f"Posts from {cfg.title}",
                      tuple(site.posts[:limit]), "site", cfg.title)]
    for group in site.groups():
        specs.append(_group_spec(cfg, group))
    return specs


def _group_spec(cfg: Config, group: Group) -> FeedSpec:
    if group.kind == "tags":
        title = f"{cfg.title} — {group.name}"
        description = f"Posts tagged “{group.name}” on {cfg.title}"
    else:
        title = f"{cfg.title} — {group.name}"
        description = f"Posts by {group.name} on {cfg.title}"
    return FeedSpec(f"{group.kind}/{group.slug}", title, description,
                    group.posts[: cfg.max_entries], group.kind, group.name)


def posts_in_feeds(specs: Iterable[FeedSpec]) -> list[Post]:
    """Every post some feed emits (only these need their Markdown rendered)."""
    seen: dict[str, Post] = {}
    for spec in specs:
        for post in spec.posts:
            seen.setdefault(post.id, post)
    return list(seen.values())
