"""The id register (`feedletter.ids` beside the config): every published entry id, for good.

A feed reader knows an entry by its id. Ids come from a rule (`tag:` URI of the date and
slug), and rules drift: a copy of a post dated the same and sorting first would take the
bare id, a renamed file gets a new slug, a config change moves every id. The register is
a lock file: the id each post was first published with, written by `build` when a post is
first published and read by every build (and `check`, and `digest`), so that nothing that
happens in the posts folder later changes a published id.

Format: UTF-8 text, `#` comment lines, then one line per post, five tab-separated fields:

    id  file  first-published  link  title

`file` is relative to the posts folder (`/`-separated), `first-published` is the post's
date (RFC 3339) when it was first published; `link` and `title` are the post's current
ones, kept so that a renamed file can still be recognised. Lines are sorted by date, then
file: a new post adds one line at the end of its day, a rename changes one line. A tab,
line break or backslash inside a field is written `\\t`, `\\n`, `\\\\`.

Matching a post to its entry: by file; for entries whose file is gone, by link; then by
content identity (the same title and date). A post that matches nothing is new: it gets
the rule's id, made distinct from every registered id. An explicit `id:` in a post's front
matter is the author's choice and wins (the entry follows it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from .config import Config
from .dates import rfc3339
from .errors import ConfigError
from .sources import Post

NAME = "feedletter.ids"
HEADER = (
    "# feedletter id register: the entry id every post was first published with.\n"
    "# A lock file: commit it beside feedletter.toml. `feedletter build` adds a line when a\n"
    "# post is first published; a post keeps its id when its file is renamed or copied.\n"
    "# Fields (tab-separated): id, file (in the posts folder), first published, link, title.\n"
)
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


@dataclass(frozen=True)
class Entry:
    id: str
    file: str            # relative to the posts folder, '/'-separated
    published: str       # RFC 3339: the post's date when it was first published
    link: str
    title: str


@dataclass(frozen=True)
class Matched:
    """Posts with their registered ids, and what the register must say after this build."""

    posts: list[Post]
    fixed: frozenset[str]          # sources of posts whose id is registered: never renamed
    entries: dict[str, Entry]      # post source → its entry (refreshed)
    unmatched: tuple[Entry, ...]   # entries no published post matched
    # The register must be written again: a new post, or a matched line whose file, link,
    # title or (explicit) id changed. Most builds change nothing, and skip the rendering.
    changed: bool = True


def register_path(config: Config) -> Path:
    return config.base_dir / NAME


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text) if any(c in text for c in _ESCAPES) \
        else text


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, chars = [], iter(text)
    for ch in chars:
        out.append(_UNESCAPES.get(next(chars, "\\"), "\\") if ch == "\\" else ch)
    return "".join(out)


def parse(text: str, where: str) -> list[Entry]:
    """The register's text → entries; a malformed line is a config error naming it."""
    entries: list[Entry] = []
    files: set[str] = set()
    ids: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 5 or not all(fields[:3]):
            hint = " (a git merge conflict? keep both sides' lines)" \
                if line.startswith(("<<<<<<<", "=======", ">>>>>>>")) else ""
            raise ConfigError(f"{where}:{number}", "expected 5 tab-separated fields: id, file, "
                                                   f"first published, link, title{hint}")
        entry = Entry(*(_unescape(f) for f in fields))
        if entry.file in files:
            raise ConfigError(f"{where}:{number}", f"file {entry.file!r} is listed twice")
        if entry.id in ids:
            raise ConfigError(f"{where}:{number}", f"id {entry.id!r} is listed twice")
        files.add(entry.file)
        ids.add(entry.id)
        entries.append(entry)
    return entries


def read(config: Config) -> list[Entry] | None:
    """The register's entries; None when there is no register (today's rule applies)."""
    path = register_path(config)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read the id register: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), f"not UTF-8 (byte {data[exc.start]:#04x})") from None
    return parse(text, str(path))


def render(entries: Iterable[Entry]) -> bytes:
    """The register's bytes: the same entries always give the same bytes."""
    def key(e: Entry) -> tuple[str, str]:
        return (_utc(e.published), e.file)

    lines = ["\t".join(_escape(f) for f in (e.id, e.file, e.published, e.link, e.title))
             for e in sorted(entries, key=key)]
    return (HEADER + "".join(line + "\n" for line in lines)).encode("utf-8")


def _utc(stamp: str) -> str:
    """A sortable form of an RFC 3339 stamp (offsets differ from post to post)."""
    try:
        return datetime.fromisoformat(stamp).astimezone(UTC).isoformat()
    except ValueError:
        return stamp


def relative(source: str, posts_dir: Path) -> str:
    """A post's file as the register names it: relative to the posts folder, '/'-separated."""
    root = str(posts_dir)
    prefix = root if root.endswith(os.sep) else root + os.sep
    rel = source[len(prefix):] if source.startswith(prefix) else os.path.relpath(source, root)
    return rel.replace(os.sep, "/")


def _entry(post: Post, rel: str, published: str | None = None) -> Entry:
    return Entry(post.id, rel, published or rfc3339(post.date), post.link, post.title)


def match(posts: list[Post], entries: list[Entry], posts_dir: Path) -> Matched:
    """Give each post the id its entry registers: by file, then by link, then by title
    and date (a renamed file). Posts that match nothing keep the rule's id (new posts)."""
    rel = {p.source: relative(p.source, posts_dir) for p in posts}
    by_file = {e.file: e for e in entries}
    assigned: dict[str, Entry] = {}
    taken: set[str] = set()
    for post in posts:
        entry = by_file.get(rel[post.source])
        if entry is not None:
            assigned[post.source] = entry
            taken.add(entry.file)
    left = [e for e in entries if e.file not in taken]
    if left:
        fresh = [p for p in posts if p.source not in assigned]
        for field in ("link", "content"):
            candidates: dict[tuple[str, ...], list[Post]] = {}
            for post in fresh:
                if post.source not in assigned:
                    candidates.setdefault(_identity(field, post.link, post.title,
                                                    rfc3339(post.date)), []).append(post)
            still = []
            for entry in left:
                found = candidates.get(_identity(field, entry.link, entry.title, entry.published))
                # one candidate only: two copies of a deleted post must not both claim it
                if found and len(found) == 1 and found[0].source not in assigned:
                    assigned[found[0].source] = entry
                else:
                    still.append(entry)
            left = still
    out: list[Post] = []
    fixed: set[str] = set()
    refreshed: dict[str, Entry] = {}
    changed = len(assigned) < len(posts)
    for post in posts:
        entry = assigned.get(post.source)
        if entry is None:
            out.append(post)
            continue
        if not (post.explicit_id and post.id != entry.id):
            if post.id != entry.id:
                post = replace(post, id=entry.id)
            fixed.add(post.source)
        out.append(post)
        if (entry.id, entry.file, entry.link, entry.title) != \
                (post.id, rel[post.source], post.link, post.title):
            entry = _entry(post, rel[post.source], entry.published)
            changed = True
        refreshed[post.source] = entry
    return Matched(out, frozenset(fixed), refreshed, tuple(left), changed)


def _identity(field: str, link: str, title: str, published: str) -> tuple[str, ...]:
    return (link,) if field == "link" else (title, _utc(published))


def updated(matched: Matched, posts: list[Post], posts_dir: Path) -> list[Entry]:
    """The register after this build: every entry kept (vanished posts too: one may come
    back), matched ones refreshed, one new line per post published for the first time."""
    by_source = {p.source: p for p in posts}
    result = list(matched.unmatched)
    for source, post in by_source.items():
        entry = matched.entries.get(source)
        if entry is None:
            result.append(_entry(post, relative(source, posts_dir)))
        else:      # the final id: an explicit id may have replaced the registered one
            result.append(entry if entry.id == post.id else replace(entry, id=post.id))
    return result


def vanished(unmatched: Iterable[Entry], posts_dir: Path) -> list[Entry]:
    """Registered entries whose post is gone: no published post matches them and their
    file does not exist (a draft or a future post is not gone)."""
    return [e for e in unmatched if not (posts_dir / e.file).exists()]
