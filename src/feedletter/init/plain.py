"""A bare folder of posts (no generator's config): feedletter's own rules."""

from __future__ import annotations

from pathlib import Path

from .model import Findings

_POST_SUFFIXES = (".md", ".markdown")


def _has_posts(folder: Path) -> bool:
    return any(p.is_file() and p.name.endswith(_POST_SUFFIXES) for p in folder.iterdir())


def read(root: Path, config_file: Path | None) -> Findings:
    f = Findings("feedletter", root, feeds_at_root=False)
    if (root / "posts").is_dir():
        f.posts = root / "posts"
    elif _has_posts(root):
        f.posts = root
    else:
        f.posts = root / "posts"
        f.unsure(f"no posts found in {root} or {root / 'posts'}: set [paths] posts")
    f.note("no generator's config: feedletter's own rules (YAML front matter, tag: URI ids, "
           "feeds under feeds/)")
    f.unsure("no site URL (no generator config to read it from); pass --url")
    return f
