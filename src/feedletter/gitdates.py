"""`[feeds] updated = "git"`: a post's `updated` is when its file last changed in git.

A post edited without an `updated:` key kept its date as `updated`, and readers never
showed the edit. With this setting, `updated` is the author date of the last commit that
changed the file: the same for a given repository state, whoever builds it.

One `git log` for the whole posts folder (newest commit first, each commit's author date
and the files it changed), not one process per post: 10,000 posts, one process. A file
not committed yet keeps its front-matter date; outside a repository (or without git)
every post does, with a note.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from .sources import Post

_MARK = "\x1e"     # starts each commit's line in the log: never in a path git prints with -z


def _git(posts_dir: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(posts_dir), *args], capture_output=True,
                              check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "surrogateescape")


def head(posts_dir: Path) -> str:
    """The repository state the dates come from ("" outside a repository)."""
    out = _git(posts_dir, "rev-parse", "HEAD")
    return out.strip() if out else ""


def last_changes(posts_dir: Path) -> dict[str, datetime] | None:
    """Each file under `posts_dir` (relative, '/'-separated) → the author date of the last
    commit that changed it; None outside a git repository."""
    out = _git(posts_dir, "-c", "core.quotePath=false", "log", "-z", "--no-renames",
               f"--format={_MARK}%aI", "--name-only", "--relative", "--", ".")
    if out is None:
        return None
    found: dict[str, datetime] = {}
    when: datetime | None = None
    for field in out.split("\0"):
        field = field.strip("\n")
        if not field:
            continue
        if field.startswith(_MARK):
            # "\x1e<date>\n\n<first path>": the date line, then the first file name
            stamp, _, rest = field[1:].partition("\n")
            when = datetime.fromisoformat(stamp)
            field = rest.strip("\n")
            if not field:
                continue
        if when is not None:
            found.setdefault(field, when)        # the log is newest first
    return found


def apply(posts: list[Post], posts_dir: Path, warnings: list[str]) -> list[Post]:
    """Posts with `updated` from git (never before the post's own date)."""
    changes = last_changes(posts_dir)
    if changes is None:
        warnings.append(f"{posts_dir}: feeds.updated = \"git\", but the posts folder is not in a "
                        "git repository (or git is missing); `updated` comes from front matter")
        return posts
    root = str(posts_dir)
    prefix = root if root.endswith(os.sep) else root + os.sep
    result = []
    for post in posts:
        rel = post.source[len(prefix):] if post.source.startswith(prefix) \
            else os.path.relpath(post.source, root)
        when = changes.get(rel.replace(os.sep, "/"))
        if when is not None:
            post = replace(post, updated=max(when, post.date))
        result.append(post)
    return result
