"""Which files under the posts folder are posts: the flavour's suffixes and rules
(`is_post`, `skip_dir`), minus `[source] exclude`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path

from ..cache import stat_key
from ..config import Config
from ..errors import PostError
from .fields import POST_SUFFIXES
from .parse import flavour


def _skip_hidden(name: str) -> bool:
    return name.startswith(".")


def discover(posts_dir: Path, config: Config | None = None,
             rejected: list[str] | None = None) -> Iterator[str]:
    """Paths of the post files under `posts_dir`, sorted, never following symlinked folders.

    Strings, not Path objects, and os.scandir, not os.walk: on a 10,000-post site this
    walk is most of what a no-change build does. Files with a post's suffix that the
    flavour or `[source] exclude` rules out are appended to `rejected`, if given.
    """
    rules = flavour(config.generator if config is not None else "feedletter")
    suffixes = rules.SUFFIXES
    skip_dir = getattr(rules, "skip_dir", _skip_hidden)
    exclude = config.source.exclude if config is not None else ()
    is_post = rules.is_post
    root = str(posts_dir)
    cut = len(root.rstrip("/")) + 1
    everything = rules.__name__.endswith(".feedletter") and not exclude

    def walk(folder: str) -> Iterator[str]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not skip_dir(name):
                    yield from walk(entry.path)
            elif name.lower().endswith(suffixes):
                if everything:
                    yield entry.path
                    continue
                rel = entry.path[cut:].replace(os.sep, "/")
                if is_post(rel, root, config) and not any(fnmatchcase(rel, g) for g in exclude):
                    yield entry.path
                elif rejected is not None:
                    rejected.append(entry.path)
    yield from walk(root)


def scan_posts(posts_dir: Path, config: Config | None = None,
               rejected: list[str] | None = None) -> list[tuple[str, str]]:
    """(path, stat key) of every post file: what decides whether anything changed."""
    if not posts_dir.is_dir():
        raise PostError(str(posts_dir), "posts folder not found")
    result = []
    for display in discover(posts_dir, config, rejected):
        try:
            key = stat_key(os.stat(display))
        except OSError:
            key = ""
        result.append((display, key))
    return result


def warn_stray_files(posts_dir: Path, warnings: list[str]) -> None:
    """Files that look like posts (front matter) but have another extension are named
    (feedletter's own flavour: a generator's site holds many such files by design)."""
    for dirpath, dirnames, filenames in os.walk(posts_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fname in sorted(filenames):
            if fname.lower().endswith(POST_SUFFIXES) or fname.startswith("."):
                continue
            path = Path(dirpath) / fname
            try:
                with path.open("rb") as fh:
                    head = fh.read(4)
            except OSError:
                continue
            if head in (b"---\n", b"---\r"):
                warnings.append(f"{path}: has front matter but not a post extension "
                                f"({', '.join(POST_SUFFIXES)}); not published")
