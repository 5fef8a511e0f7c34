"""Published posts → the site model: posts newest first, grouped by tag, author, period."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from .config import Author, Config
from .posts import Post, slugify, tag_key


@dataclass(frozen=True)
class Group:
    """A tag or an author: what a per-tag or per-author feed is built from."""

    kind: str           # "tags" | "authors"
    slug: str
    name: str
    posts: tuple[Post, ...]   # newest first
    author: Author | None = None


@dataclass
class Site:
    config: Config
    posts: list[Post]                      # newest first
    tags: list[Group] = field(default_factory=list)
    authors: list[Group] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def groups(self) -> list[Group]:
        return [*self.tags, *self.authors]


def sort_key(post: Post) -> tuple:
    """Newest first; ties broken by id so the order never depends on the file system.

    Timestamps, not aware datetimes: comparing those asks each zone for its offset, which
    made sorting 100,000 posts take over a second.
    """
    return (post.date.timestamp(), post.updated.timestamp(), post.id, post.source)


def _disambiguate(posts: list[Post], warnings: list[str]) -> list[Post]:
    """Posts sharing an id get distinct ids; posts sharing a link are named in a warning.

    The oldest keeps its id (ties: the file name sorting first); each other one gets a
    suffix derived from its own file name, so adding a third copy never renames the second.
    """
    by_id: dict[str, list[Post]] = defaultdict(list)
    by_link: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_id[post.id].append(post)
        by_link[post.link].append(post)
    renamed: dict[str, Post] = {}
    for entry_id, same in by_id.items():
        if len(same) < 2:
            continue
        same.sort(key=lambda p: (p.date, p.source))
        others = ", ".join(p.source for p in same[1:])
        warnings.append(f"{same[0].source}: same id {entry_id!r} as {others}; "
                        "the later files get distinct ids (set 'id:' or 'slug:' to choose)")
        for post in same[1:]:
            renamed[post.source] = replace(post, id=_distinct_id(post))
    for link, same in by_link.items():
        if len(same) > 1:
            first, *others = sorted(p.source for p in same)
            warnings.append(f"{first}: same link {link} as {', '.join(others)}; all are "
                            "published (set 'slug:' or 'permalink:' to separate them)")
    return [renamed.get(p.source, p) for p in posts]


def _distinct_id(post: Post) -> str:
    """Another id for a post sharing its id, from its file name; still a valid id."""
    name = post.source.rsplit("/", 1)[-1]
    if post.id.lower().startswith("urn:uuid:"):     # a UUID with a suffix is no UUID
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, post.id + chr(0) + name)}"
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{post.id}~{digest}"


def build_site(config: Config, posts: list[Post]) -> Site:
    """Group published posts; display names are each tag's most common spelling."""
    warnings: list[str] = []
    posts = _disambiguate(sorted(posts, key=sort_key, reverse=True), warnings)

    tag_posts: dict[str, list[Post]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[str, dict[str, int]] = defaultdict(dict)
    author_posts: dict[str, list[Post]] = defaultdict(list)
    author_of: dict[str, Author] = {}
    for index, post in enumerate(reversed(posts)):  # oldest first: first spelling wins ties
        for tag in post.tags:
            key = tag_key(tag)
            tag_posts[key].append(post)
            spellings[key][tag] += 1
            first_seen[key].setdefault(tag, index)
        for author in post.authors:
            slug = slugify(author.username) or slugify(author.name)
            author_posts[slug].append(post)
            author_of.setdefault(slug, author)

    def display(key: str) -> str:
        counts = spellings[key]
        return max(counts, key=lambda s: (counts[s], -first_seen[key][s]))

    tags = [Group("tags", key, display(key), tuple(reversed(items)))
            for key, items in sorted(tag_posts.items())]
    authors = [Group("authors", slug, author_of[slug].name, tuple(reversed(items)),
                     author_of[slug])
               for slug, items in sorted(author_posts.items())]
    return Site(config, posts, tags, authors, warnings)


def posts_between(site: Site, start: datetime, end: datetime) -> list[Post]:
    """Posts with start <= date < end, oldest first."""
    return sorted((p for p in site.posts if start <= p.date < end), key=sort_key)
