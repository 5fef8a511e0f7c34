"""Which feeds exist and where they are written: the site → one FeedSpec per feed (the
site, each section, category, tag and author), its files named by `[feeds.paths]`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..config import FEED_FORMATS, Config
from ..posts import Post
from ..site import Group, Site

FORMATS = tuple(FEED_FORMATS.items())
MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml",
               "json": "application/feed+json"}


@dataclass(frozen=True)
class FeedSpec:
    """One feed (site, section, category, tag or author) before it is turned into three formats."""

    path: str            # the feed's key, its default base: "all", "tags/ovirt"
    title: str
    description: str
    posts: tuple[Post, ...]   # newest first, already cut to max_entries
    kind: str            # "site" | "sections" | "categories" | "tags" | "authors"
    name: str
    files: dict[str, str]     # format ("atom", "rss", "json") → path under the output folder
    # RFC 5005 archives (`feeds.archives`, emit/archives.py): every post of the feed, newest
    # first (only until the archive documents are made); which document this is (0 the
    # current one, k the k-th archive from the oldest); how many archives the feed has; and
    # for an archive, its current document's files.
    history: tuple[Post, ...] = ()
    page: int = 0
    pages: int = 0
    current: dict[str, str] | None = None

    def url(self, cfg: Config, fmt: str) -> str:
        """Where the feed of that format is served: its self link."""
        return cfg.feeds_url + self.files[fmt]


def _files(cfg: Config, kind: str, slug: str = "") -> dict[str, str]:
    return {fmt: cfg.feed_paths.path(kind, fmt, slug) for fmt in FEED_FORMATS}


def feed_specs(site: Site) -> list[FeedSpec]:
    """Every feed, in the order the index and OPML list them.

    Two feeds whose paths give the same file (`tags = "{slug}"` and a tag named "all")
    cannot both be written: the first keeps the file and a warning names the other."""
    cfg = site.config
    limit = cfg.max_entries
    specs = [FeedSpec("all", cfg.title, cfg.description or f"Posts from {cfg.title}",
                      tuple(site.main_posts[:limit]), "site", cfg.title, _files(cfg, "site"),
                      history=tuple(site.main_posts) if cfg.feeds.archives else ())]
    taken = {name: "the site feed" for name in specs[0].files.values()}
    taken[cfg.feed_paths.index] = "the index page"
    for group in site.groups():
        spec = _group_spec(cfg, group)
        clash = next((taken[f] for f in spec.files.values() if f in taken), None)
        if clash is not None:
            warning = (f"feeds: the feed of {group.kind[:-1]} {group.name!r} would be written over "
                       f"{clash} ({', '.join(spec.files.values())}); left out: change [feeds.paths]")
            if warning not in site.warnings:
                site.warnings.append(warning)
            continue
        for name in spec.files.values():
            taken[name] = f"the feed of {group.kind[:-1]} {group.name!r}"
        specs.append(spec)
    return specs


_DESCRIPTIONS = {"tags": "Posts tagged “{name}” on {title}",
                 "categories": "Posts in the category “{name}” on {title}",
                 "sections": "{name} on {title}",
                 "authors": "Posts by {name} on {title}"}


def _group_spec(cfg: Config, group: Group) -> FeedSpec:
    title = f"{cfg.title} — {group.name}"
    description = _DESCRIPTIONS[group.kind].format(name=group.name, title=cfg.title)
    return FeedSpec(f"{group.kind}/{group.slug}", title, description,
                    group.posts[: cfg.max_entries], group.kind, group.name,
                    _files(cfg, group.kind, group.slug),
                    history=group.posts if cfg.feeds.archives else ())


def posts_in_feeds(specs: Iterable[FeedSpec]) -> list[Post]:
    """Every post some feed emits (only these need their Markdown rendered)."""
    # by file and link, not id: two posts may share an id (a generator's permalink ids)
    seen: dict[tuple[str, str, str], Post] = {}
    for spec in specs:
        for post in spec.posts:
            seen.setdefault((post.id, post.link, post.digest or post.source), post)
    return list(seen.values())
