"""A period's posts → the digest's sections of items.

    select_posts    the period's published posts (of its tags), oldest first
    leave_out       `digest: false` and `--exclude PATH|SLUG`
    dedupe          one copy of each post: same link, same id, or same title and day
    group_sections  posts → sections in the config's order, each with its layout
    make_item       post → Item: image, cut summary, localized date
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from ..config import Config
from ..names import name_key, standalone_slug, tag_key
from ..posts import Post
from ..render import Rendered
from ..site import Site, posts_between
from .fragments import cut_summary, email_fragment, without_image
from .i18n import Words
from .images import item_image
from .model import Item
from .period import Period
from .text import text_part

# site._distinct_id's suffix: the id a later post sharing an id was given
_DISTINCT_SUFFIX = re.compile(r"~[0-9a-f]{8}$")


def select_posts(site: Site, period: Period) -> list[Post]:
    """Published posts of the period (and of one of its tags, if any), oldest first."""
    posts = posts_between(site, period.start, period.end)
    if period.tags:
        wanted = set(period.tags)      # standalone slugs: see period.choose_period
        posts = [p for p in posts if wanted & {standalone_slug(t) for t in p.tags}]
    return posts


def leave_out(posts: Sequence[Post], exclude: Sequence[str]) -> tuple[list[Post], list[str]]:
    """Posts without `digest: false` ones and those `--exclude` names (a file path, or a
    slug); a warning for each `--exclude` that names no post of the period."""
    def matches(post: Post, wanted: str) -> bool:
        if wanted == post.slug or wanted.strip("/") == post.slug:
            return True
        try:
            return os.path.samefile(post.source, wanted)
        except OSError:
            return Path(post.source).as_posix().endswith("/" + wanted.lstrip("./"))

    kept, used = [], set()
    for post in posts:
        hit = next((w for w in exclude if matches(post, w)), None)
        if hit is not None:
            used.add(hit)
        elif post.in_digest:
            kept.append(post)
    warnings = [f"--exclude {w!r}: no post of this digest has that file or slug"
                for w in exclude if w not in used]
    return kept, warnings


def _title_key(title: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def dedupe(posts: Sequence[Post], tz: tzinfo) -> tuple[list[Post], list[str]]:
    """One copy of each post: posts sharing a link or an id, or with the same title on
    the same day, are one post shown once, its newest version (latest `updated`, then
    date). A warning names the files. Order of `posts` is kept."""
    parent = list(range(len(posts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple, int] = {}
    for i, post in enumerate(posts):
        keys = (("link", post.link), ("id", _DISTINCT_SUFFIX.sub("", post.id)),
                ("title", _title_key(post.title), post.date.astimezone(tz).date()))
        for key in keys:
            j = first.setdefault(key, i)
            if j != i:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(posts)):
        groups[find(i)].append(i)
    drop: set[int] = set()
    warnings: list[str] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        newest = max(members, key=lambda i: (posts[i].updated.timestamp(),
                                             posts[i].date.timestamp(), posts[i].source))
        others = [posts[i].source for i in sorted(members, key=lambda i: posts[i].source)
                  if i != newest]
        drop.update(i for i in members if i != newest)
        warnings.append(f"{posts[newest].source}: in the digest once, as the newest of "
                        f"{len(members)} copies (same link, id, or title and day); left out: "
                        f"{', '.join(others)}")
    return [p for i, p in enumerate(posts) if i not in drop], warnings


def duplicate_warnings(posts: Iterable[Post], tz: tzinfo) -> list[str]:
    """What `dedupe` says for each calendar month of `posts` (for `feedletter check`), as
    the month's digest would: posts with `digest: false` are not in it."""
    months: dict[tuple[int, int], list[Post]] = defaultdict(list)
    wanted = (p for p in posts if p.in_digest)
    for post in sorted(wanted, key=lambda p: (p.date.timestamp(), p.id, p.source)):
        local = post.date.astimezone(tz)
        months[(local.year, local.month)].append(post)
    return [w for key in sorted(months) for w in dedupe(months[key], tz)[1]]


@dataclass(frozen=True)
class Group:
    title: str
    layout: str
    posts: list[Post]


def group_sections(posts: Sequence[Post], config: Config, other_title: str) -> list[Group]:
    """Posts → sections in the config's order; each post once, oldest first.

    A post goes into the first section one of its tags (or categories) matches; the
    others go last, under `other_title`. Empty sections are left out.
    """
    sections = config.digest.sections
    canonical = config.tags.canonical
    keys = [{tag_key(t, canonical) for t in s.tags} for s in sections]
    categories = [{name_key(c) for c in s.categories} for s in sections]
    buckets: list[list[Post]] = [[] for _ in range(len(sections) + 1)]
    for post in posts:
        tags = {name_key(t) for t in post.tags}       # aliases applied by the loader
        cats = {name_key(c) for c in getattr(post, "categories", ())}
        index = next((i for i, (k, c) in enumerate(zip(keys, categories, strict=True))
                      if k & tags or c & cats), len(sections))
        buckets[index].append(post)
    heads = [(s.title, s.layout or config.digest.layout) for s in sections]
    heads.append((other_title, config.digest.layout))
    return [Group(title, layout, bucket)
            for (title, layout), bucket in zip(heads, buckets, strict=True) if bucket]


def make_item(post: Post, tz: tzinfo, render: Callable[[Post], Rendered], words: Words,
              budget: int, config: Config) -> Item:
    """One post as the digest shows it; the summary cut to `budget` characters."""
    rendered = render(post)
    roots = (config.base_dir, config.base_dir / "static", config.posts_dir,
             config.posts_dir.parent)
    image = item_image(post.image, post.image_alt, rendered.content_html, post.title,
                       config.site_url, roots)
    summary = email_fragment(rendered.summary_html, post.link)
    if image is not None:
        summary = without_image(summary, image.src)
    summary, cut = cut_summary(summary, budget)
    text, refs = text_part(summary)
    return Item(title=post.title, link=post.link,
                authors=", ".join(a.name for a in post.authors),
                date=words.day(post.date.astimezone(tz)), summary_html=summary,
                summary_text=text, links=tuple(refs), image=image, cut=cut)
