"""The posts folder → published posts, errors, warnings: discovery, the cache's
snapshot of parsed files, and parsing spread over worker processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..cache import Cache, digest, shard_of
from ..config import Config
from ..errors import PostError
from ..workers import PoolFactory, chunked
from .body import Hints, normalized, summary_and_body
from .discover import scan_posts, warn_stray_files
from .files import read_post
from .frontmatter import body_of
from .model import Post, is_published
from .parse import NotAPost, parse_post


@dataclass
class LoadResult:
    posts: list[Post]
    errors: list[PostError]
    warnings: list[str]
    skipped: int = 0
    parsed: int = 0          # files read and parsed this run (the rest came from the cache)
    next_publish: datetime | None = None   # the next moment the published set changes
    drafts: int = 0          # of `skipped`: drafts
    scheduled: int = 0       # of `skipped`: dated after now
    expired: int = 0         # of `skipped`: past their expiry date (Hugo expiryDate)
    notes: int = 0           # files that are not posts (README.md beside the posts)


def read_body(path: Path, root: Path, config: Config, file_digest: str) -> str | None:
    """The body of a post parsed earlier, from its file again: what `parse_post` gives as
    `body` when the file's bytes still hash to `file_digest` (None when they do not), at
    a fraction of the cost (the front matter is split off, not parsed again)."""
    text, raw = read_post(str(path), root, config.max_post_bytes)
    if digest(raw) != file_digest:
        return None
    return summary_and_body({}, body_of(normalized(text)), str(path), Hints.of(raw))[1]


def load_one(path: Path | str, root: Path, config: Config,
             rel: str | None = None) -> tuple[str, object]:
    """One file → ("post", Post) | ("error", PostError) | ("note", warning). Never raises.

    `rel`: the path relative to `root` (found from the two when not given)."""
    display = str(path)
    try:
        text, raw = read_post(display, root, config.max_post_bytes)
        if rel is None:
            prefix = str(root).rstrip("/") + "/"
            rel = display[len(prefix):] if display.startswith(prefix) else display
        return "post", parse_post(text, display, config, raw=raw, file_digest=digest(raw),
                                  rel=rel)
    except NotAPost as note:
        return "note", str(note)
    except PostError as exc:
        return "error", exc


def _load_chunk(args: tuple[list[str], str, Config, bool]) -> list[tuple[str, object]]:
    paths, root, config, keep_bodies = args
    folder, cut = Path(root), len(root.rstrip("/")) + 1
    outcomes = [load_one(p, folder, config, p[cut:]) for p in paths]
    if keep_bodies:
        return outcomes
    return [("post", value.slim()) if kind == "post" else (kind, value)
            for kind, value in outcomes]


def load_posts(config: Config, posts_dir: Path | None = None, *, now: datetime,
               cache: Cache | None = None, pool: PoolFactory | None = None,
               keep_bodies: bool = True,
               save_over: int = 0, scan: list[tuple[str, str]] | None = None) -> LoadResult:
    """Every post file under the posts folder → published posts, errors, warnings.

    With a cache, files whose stat is unchanged are not read again (their posts come back
    without bodies); with a process pool, the files that must be parsed are spread over
    its workers. `keep_bodies=False` drops every body (a renderer reads the file again):
    memory then grows with the number of posts, not with their size. The shards of the
    cache's snapshot holding changed files are rewritten when more than `save_over` files
    had to be parsed (a digest leaves a few for the next build, which rewrites them anyway).
    """
    posts_dir = posts_dir or config.posts_dir
    if scan is None:
        scan = scan_posts(posts_dir, config)
    known = cache.posts() if cache is not None else {}
    snapshot: dict[str, tuple[str, tuple[str, object]]] = {}
    misses: list[str] = []
    for display, key in scan:
        hit = known.get(display)
        if hit is not None and key and hit[0] == key:
            snapshot[display] = hit
        else:
            snapshot[display] = (key, ("note", ""))
            misses.append(display)
    if pool is not None and len(misses) >= 400:
        # small chunks: the workers end together
        chunks = chunked(misses, 32, minimum=50)
        results = pool().map(_load_chunk, [(c, str(posts_dir), config, keep_bodies)
                                           for c in chunks])
        fresh = [item for chunk in results for item in chunk]
    else:
        fresh = _load_chunk((misses, str(posts_dir), config, keep_bodies))
    outcomes = {display: outcome for display, (_, outcome) in snapshot.items()}
    for display, outcome in zip(misses, fresh, strict=True):
        outcomes[display] = outcome
        kind, value = outcome
        snapshot[display] = (snapshot[display][0],
                             (kind, value.slim()) if kind == "post" else outcome)
    gone = [display for display in known if display not in snapshot]
    if cache is not None and (len(misses) > save_over or gone):
        saved = {d: v for d, v in snapshot.items() if v[0]}
        dirty = {shard_of(d) for d in (*misses, *gone)}
        cache.defer(lambda: cache.put_posts(saved, dirty))

    result = LoadResult([], [], [], parsed=len(misses))
    for display in snapshot:      # discovery order: sorted, deterministic
        kind, value = outcomes[display]
        if kind == "note":
            result.warnings.append(value)
            result.notes += 1
        elif kind == "error":
            result.errors.append(value)
        else:
            result.warnings.extend(value.warnings)
            if is_published(value, now):
                result.posts.append(value)
                if value.expires is not None:
                    _next(result, value.expires)
                continue
            result.skipped += 1
            if value.draft:
                result.drafts += 1
            elif value.expires is not None and value.expires <= now:
                result.expired += 1
            else:
                result.scheduled += 1
                _next(result, value.available or value.date)
    if config.generator == "feedletter":
        warn_stray_files(posts_dir, result.warnings)
    return result


def _next(result: LoadResult, moment: datetime) -> None:
    if result.next_publish is None or moment < result.next_publish:
        result.next_publish = moment
