"""Published posts → the site model: posts newest first, grouped by tag, author, period."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from . import ids
from .config import Author, Config, FeedSection
from .names import Named, assign_slugs, is_plain, name_key
from .posts import Post, slugify


@dataclass(frozen=True)
class Group:
    """A tag, category, author or section: what a feed of part of the site is built from."""

    kind: str           # "tags" | "categories" | "authors" | "sections"
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
    categories: list[Group] = field(default_factory=list)
    sections: list[Group] = field(default_factory=list)
    main: list[Post] | None = None         # the main feed's posts when sections leave some out
    # The id register to write after this build (None: the file already says it) and its
    # entries that no published post matched (ids.py).
    id_register: list[ids.Entry] | None = None
    ids_unmatched: tuple[ids.Entry, ...] = ()

    def groups(self) -> list[Group]:
        """Every feed but the main one, in the order the index and OPML list them."""
        return [*self.sections, *self.categories, *self.tags, *self.authors]

    @property
    def main_posts(self) -> list[Post]:
        return self.posts if self.main is None else self.main


def sort_key(post: Post) -> tuple:
    """Newest first; ties broken by id so the order never depends on the file system.

    Timestamps, not aware datetimes: comparing those asks each zone for its offset, which
    made sorting 100,000 posts take over a second.
    """
    return (post.date.timestamp(), post.updated.timestamp(), post.id, post.source)


def _disambiguate(posts: list[Post], warnings: list[str], fixed: frozenset[str] = frozenset(),
                  reserved: frozenset[str] = frozenset()) -> list[Post]:
    """Posts sharing an id get distinct ids; posts sharing a link are named in a warning.

    A post whose id is registered (`fixed`, by source) keeps it; otherwise the oldest
    keeps its id (ties: the file name sorting first). Each other one gets a suffix derived
    from its own file name, so adding a third copy never renames the second. A new post
    whose id a vanished post registered (`reserved`) gets a suffix too.
    """
    by_id: dict[str, list[Post]] = defaultdict(list)
    by_link: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_id[post.id].append(post)
        by_link[post.link].append(post)
    renamed: dict[str, Post] = {}
    for entry_id, same in by_id.items():
        if entry_id in reserved:
            for post in same:
                if post.source not in fixed:
                    renamed[post.source] = replace(post, id=_distinct_id(post))
        if len(same) < 2:
            continue
        same.sort(key=lambda p: (p.source not in fixed, p.date, p.source))
        others = ", ".join(p.source for p in same[1:])
        warnings.append(f"{same[0].source}: same id {entry_id!r} as {others}; "
                        "the later files get distinct ids (set 'id:' or 'slug:' to choose)")
        taken = {entry_id}
        for post in same[1:]:
            new_id = _distinct_id(post)
            if new_id in taken:     # page bundles: every file is called index.md
                new_id = _distinct_id(post, post.source)
            taken.add(new_id)
            renamed[post.source] = replace(post, id=new_id)
    for link, same in by_link.items():
        if len(same) > 1:
            first, *others = sorted(p.source for p in same)
            warnings.append(f"{first}: same link {link} as {', '.join(others)}; all are "
                            "published (set 'slug:' or 'permalink:' to separate them)")
    return [renamed.get(p.source, p) for p in posts]


def _distinct_id(post: Post, name: str | None = None) -> str:
    """Another id for a post sharing its id, from its file name (or the `name` given:
    its whole path, when two files of that id have the same name); still a valid id."""
    name = name or post.source.rsplit("/", 1)[-1]
    if post.id.lower().startswith("urn:uuid:"):     # a UUID with a suffix is no UUID
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, post.id + chr(0) + name)}"
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{post.id}~{digest}"


def entry_id(post: Post, mode: str) -> str:
    """The entry id the site's generator gave this post in its own feed (`feeds.ids`).

    - "tag-uri": feedletter's own `tag:` URI, made by the loader (kept as it is).
    - "permalink": the post's URL. Hugo's RSS template writes `<guid>{{ .Permalink }}</guid>`,
      Zola's atom.xml `<id>{{ page.permalink }}</id>`.
    - "jekyll-feed": jekyll-feed writes `<id>{{ post.id | absolute_url }}</id>`, and Jekyll's
      `Document#id` is `File.join(File.dirname(url), data["slug"] || basename)`: the URL's
      folder plus the slug, without the trailing slash
      (https://github.com/jekyll/jekyll/blob/master/lib/jekyll/document.rb).
    - "pelican": Pelican's writer gives `unique_id=get_tag_uri(link, item.date)`, and
      feedgenerator's `get_tag_uri` is `tag:{host},{date:%Y-%m-%d}:{path}` (plus
      `/{fragment}` when the URL has one), the date in the post's own zone
      (https://github.com/getpelican/feedgenerator, feedgenerator/django/utils/feedgenerator.py).
    """
    if mode == "tag-uri" or post.explicit_id:
        return post.id
    if mode == "permalink":
        return post.link
    parts = urlsplit(post.link)
    if mode == "jekyll-feed":
        folder = os.path.dirname(parts.path.rstrip("/")) if parts.path.strip("/") else ""
        return f"{parts.scheme}://{parts.netloc}{folder.rstrip('/')}/{post.slug}"
    fragment = f"/{parts.fragment}" if parts.fragment else ""
    return f"tag:{parts.hostname},{post.date:%Y-%m-%d}:{parts.path}{fragment}"


def _relative(post: Post, posts_dir: Path | None) -> str:
    """The post's path under the posts folder, with '/' separators (for section globs)."""
    if posts_dir is None:
        return post.source.replace(os.sep, "/")
    return os.path.relpath(post.source, posts_dir).replace(os.sep, "/")


def _matches(rel: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(rel, g) or rel.startswith(g.rstrip("/") + "/") for g in globs)


def in_section(rel: str, section: FeedSection) -> bool:
    """A post belongs to a section when it lies under its folder (or matches its glob)
    and matches none of its `exclude` globs."""
    inside = (rel.startswith(section.path + "/") or fnmatch.fnmatchcase(rel, section.path)
              or fnmatch.fnmatchcase(rel, section.path + "/*"))
    return inside and not _matches(rel, section.exclude)


def _named_groups(kind: str, posts: list[Post], names_of, fixed: dict[str, str],
                  warnings: list[str]) -> list[Group]:
    """Tags or categories: one group per distinct name (`names.name_key`), each with its
    own slug; the display name is the most common spelling."""
    by_key: dict[str, list[Post]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[str, dict[str, int]] = defaultdict(dict)
    for index, post in enumerate(reversed(posts)):  # oldest first: first spelling wins ties
        for name in names_of(post):
            key = name_key(name)
            if not slugify(name):
                continue
            by_key[key].append(post)
            spellings[key][name] += 1
            first_seen[key].setdefault(name, index)

    def display(key: str) -> str:
        counts = spellings[key]
        return max(counts, key=lambda s: (counts[s], -first_seen[key][s]))

    shown = {key: display(key) for key in by_key}
    named = []
    for key in by_key:
        base = slugify(shown[key])
        # the plain spelling of the slug keeps it (C keeps tags/c, not C++), else the oldest
        rank = (not is_plain(key, base), min(first_seen[key].values()), key)
        named.append(Named(key, repr(shown[key]), base, rank, fixed.get(key)))
    slugs, clashes = assign_slugs(kind, named, "[tags.slugs] names a tag's slug; "
                                               "[tags.aliases] makes spellings one tag"
                                  if kind == "tags" else "rename one of them")
    warnings += clashes
    groups = [Group(kind, slugs[key], shown[key], tuple(reversed(items)))
              for key, items in by_key.items()]
    return sorted(groups, key=lambda g: g.slug)


def _author_groups(posts: list[Post], config: Config, warnings: list[str]) -> list[Group]:
    """One group per distinct author: a username of the config, or a name and email (seven
    "José Álvarez" with five addresses are five or six people, not one feed)."""
    by_key: dict[str, list[Post]] = defaultdict(list)
    author_of: dict[str, Author] = {}
    first_seen: dict[str, int] = {}
    for index, post in enumerate(reversed(posts)):     # oldest first
        for author in post.authors:
            key = _author_key(author, config)
            by_key[key].append(post)
            author_of.setdefault(key, author)
            first_seen.setdefault(key, index)
    named = []
    for key, author in author_of.items():
        configured = config.authors.get(author.username) == author
        base = slugify(author.username) or slugify(author.name)
        shown = repr(f"{author.name} <{author.email}>" if author.email else author.name)
        named.append(Named(key, shown, base, (not configured, first_seen[key], key),
                           author.slug if configured else None, spell=False))
    slugs, clashes = assign_slugs("authors", named, "[authors.<username>] with 'aliases' "
                                                    "and 'slug' names an author's feed")
    warnings += clashes
    groups = [Group("authors", slugs[key], author_of[key].name, tuple(reversed(items)),
                    author_of[key]) for key, items in by_key.items()]
    return sorted(groups, key=lambda g: g.slug)


def _author_key(author: Author, config: Config) -> str:
    if config.authors.get(author.username) == author:
        return "\0user\0" + author.username
    return f"{name_key(author.name)}\0{(author.email or '').casefold()}"


def build_site(config: Config, posts: list[Post], posts_dir: Path | None = None,
               register: list[ids.Entry] | None = None) -> Site:
    """Group published posts; display names are each tag's most common spelling.

    With the id register's entries, registered posts keep their ids whatever else changed
    (the register records whatever id `feeds.ids` gave when a post was first published).
    """
    warnings: list[str] = []
    if config.feed_ids != "tag-uri":
        posts = [replace(p, id=entry_id(p, config.feed_ids)) for p in posts]
    posts = sorted(posts, key=sort_key, reverse=True)
    folder = posts_dir or config.posts_dir
    matched = ids.match(posts, register or [], folder)
    posts = _disambiguate(matched.posts, warnings, matched.fixed,
                          frozenset(e.id for e in matched.unmatched))

    tags = _named_groups("tags", posts, lambda p: p.tags, config.tags.fixed, warnings)
    categories = _named_groups("categories", posts, lambda p: p.categories, {}, warnings)
    authors = _author_groups(posts, config, warnings)

    sections: list[Group] = []
    main: list[Post] | None = None
    if config.sections or config.main_exclude:
        rel = {p.source: _relative(p, folder) for p in posts}
        left_out: set[str] = set()
        for section in config.sections:
            members = tuple(p for p in posts if in_section(rel[p.source], section))
            sections.append(Group("sections", section.slug, section.title, members))
            if not section.in_main:
                left_out.update(p.source for p in members)
        left_out.update(p.source for p in posts if _matches(rel[p.source], config.main_exclude))
        main = [p for p in posts if p.source not in left_out]
    return Site(config, posts, tags, authors, warnings, categories, sections, main,
                ids.updated(matched, posts, folder) if register is None or matched.changed
                else None, matched.unmatched)


def posts_between(site: Site, start: datetime, end: datetime) -> list[Post]:
    """Posts with start <= date < end, oldest first."""
    return sorted((p for p in site.posts if start <= p.date < end), key=sort_key)
