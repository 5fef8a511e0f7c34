"""The digest's index: each month's published posts, as the last full load of the site saw them.

A digest shows one period's posts, but it depends on the whole site: a tag's display name
is its most common spelling over every post, and a post's id can depend on other posts
sharing it (`site._disambiguate`). Loading 10,000 posts to show 60 is most of a digest's
time, so every full load (a build, or a digest without a usable index) also stores, in
the cache:

- a header: the posts folder, every file's stat key and *site signature* (what the site
  model reads of a post besides its content: id, link, tags, dates, draft), the
  publication window, the load's errors and the tag display names;
- one row per UTC month: that month's posts as the site model has them (final ids).

A digest uses the index only when it gives exactly what a full load would: the same
files, each either unchanged (same stat key) or, for at most `MAX_CHANGED` of them,
re-parsed with the same site signature (its text changed, nothing the site model reads);
and `now` inside the window in which the same posts are published. Anything else (a file
added or removed, a tag or date edited, a draft, an error, a damaged or missing index)
means a full load, which writes a new index. Header and months are written in one
transaction, which also reads the header they replace, and read in one: a build and a
digest writing the index at once cannot mix two states.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from .cache import Cache, digest
from .config import Config
from .ids import register_path
from .posts import LoadResult, Post, is_published, load_one
from .site import Group, Site, sort_key

HEADER = "digest-index"
MONTH = "digest-month:"
MAX_CHANGED = 64            # more changed files than this: a full load is as quick


def signature(post: Post) -> str:
    """What the site model and the publication window read of a post, besides its text
    (a hash: the header holds one for every file, and is read by every digest)."""
    return digest(repr((post.id, post.link, post.tags, post.date, post.updated, post.draft,
                        post.explicit_id)))


def _register(config: Config) -> str:
    """A hash of the id register's bytes ("" without one): the stored ids came from it."""
    try:
        return digest(register_path(config).read_bytes())
    except OSError:
        return ""


def _month(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def months_between(start: datetime, end: datetime) -> list[str]:
    """The UTC months that [start, end) touches."""
    first, last = start.astimezone(UTC), end.astimezone(UTC)
    year, month, names = first.year, first.month, []
    while (year, month) <= (last.year, last.month):
        names.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return names


def save(cache: Cache, posts_dir: Path, scan: list[tuple[str, str]], load: LoadResult,
         site: Site) -> None:
    """Store the index of a full load; months whose posts did not change are kept as stored."""
    if cache.db is None:
        return
    folder = str(posts_dir.absolute())
    register = _register(site.config)
    months: dict[str, list[Post]] = defaultdict(list)
    for post in site.posts:                              # newest first
        months[_month(post.date)].append(post.slim())
    sums = {name: digest(*(f"{p.source}\0{p.digest}\0{p.id}\0{p.link}" for p in posts))
            for name, posts in months.items()}
    keys = dict(scan)

    def make(old: object) -> tuple[dict, dict[str, list[Post]], list[str]]:
        if not isinstance(old, dict) or old.get("posts_dir") != folder:
            old = {}
        old_files, old_sums = old.get("files", {}), old.get("months", {})
        files: dict[str, tuple[str, str | None]] = {path: (key, None) for path, key in scan}
        for post in load.posts:
            key = keys.get(post.source, "")
            known = old_files.get(post.source)
            # the same bytes (same stat key, same salt) give the same post: reuse its hash
            sig = known[1] if known and known[0] == key and key and known[1] else signature(post)
            files[post.source] = (key, sig)
        header = {
            "posts_dir": folder,
            "ids": register,
            "files": files,
            "newest": max((p.date.timestamp() for p in load.posts), default=float("-inf")),
            "next": load.next_publish.timestamp() if load.next_publish else float("inf"),
            "skipped": load.skipped,
            "errors": load.errors,
            "names": {group.slug: group.name for group in site.tags},
            "months": sums,
        }
        return (header,
                {name: months[name] for name in sums if old_sums.get(name) != sums[name]},
                [name for name in old_sums if name not in sums])

    cache.put_index(HEADER, MONTH, make)


def load_period(cache: Cache, config: Config, posts_dir: Path, scan: list[tuple[str, str]],
                now: datetime, start: datetime, end: datetime
                ) -> tuple[LoadResult, Site] | None:
    """The posts of [start, end) and the site-wide facts a digest needs, from the index;
    None when the index cannot give exactly what a full load would."""
    if cache.db is None:
        return None
    wanted = months_between(start, end)
    header, months = cache.get_index(HEADER, MONTH, wanted)
    if not isinstance(header, dict) or header.get("posts_dir") != str(posts_dir.absolute()):
        return None
    if not header["newest"] <= now.timestamp() < header["next"]:
        return None
    if header.get("ids") != _register(config):     # registered ids changed by hand
        return None
    files: dict[str, tuple[str, str | None]] = header["files"]
    if len(files) != len(scan):
        return None
    changed: dict[str, Post] = {}
    for path, key in scan:
        known = files.get(path)
        if known is None:
            return None
        if known[0] == key and key:
            continue
        if known[1] is None or len(changed) >= MAX_CHANGED:
            return None
        kind, value = load_one(Path(path), posts_dir, config)
        if kind != "post" or signature(value) != known[1] or not is_published(value, now):
            return None
        changed[path] = value
    posts: list[Post] = []
    for name in wanted:
        stored = months.get(name)
        if stored is None:
            if name in header["months"]:      # listed but unreadable: damaged
                cache.drop_state(HEADER)      # so that the full load rewrites every month
                return None
            continue
        for post in stored:
            fresh = changed.get(post.source)
            # same signature: the same final id (disambiguation reads only signatures)
            posts.append(post if fresh is None else replace(fresh, id=post.id))
    posts = [p for p in posts if start <= p.date < end]
    posts.sort(key=sort_key, reverse=True)
    tags = [Group("tags", slug, name, ()) for slug, name in sorted(header["names"].items())]
    load = LoadResult(posts, list(header["errors"]), [], skipped=header["skipped"],
                      parsed=len(changed))
    return load, Site(config, posts, tags, [], [])
