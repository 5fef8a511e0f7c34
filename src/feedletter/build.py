"""`feedletter build` as a library call: posts → site → feed files → output folder."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .config import Config
from .errors import PostError
from .feeds import emit_all
from .output import WriteReport, file_lock, write_tree
from .posts import LoadResult, Post, load_posts
from .render import Rendered, render_post
from .site import Site, build_site


@dataclass
class BuildResult:
    load: LoadResult
    site: Site
    report: WriteReport | None       # None when --strict refused to write
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[PostError]:
        return self.load.errors


class Renderer:
    """Render each post once per build, however many feeds carry it."""

    def __init__(self) -> None:
        self._done: dict[str, Rendered] = {}

    def __call__(self, post: Post) -> Rendered:
        key = post.id
        if key not in self._done:
            self._done[key] = render_post(post.body, post.summary, post.link)
        return self._done[key]


def load_site(config: Config, posts_dir: Path | None, now: datetime) -> tuple[LoadResult, Site]:
    load = load_posts(config, posts_dir, now=now)
    return load, build_site(config, load.posts)


def build(config: Config, *, posts_dir: Path | None = None, out_dir: Path | None = None,
          now: datetime, strict: bool = False, dry_run: bool = False,
          lock_wait: float | None = 600) -> BuildResult:
    """Build every feed; a bad post is reported and the rest is still published."""
    started = time.perf_counter()
    out_dir = out_dir or config.output_dir
    with file_lock(config.state_dir / "build.lock", wait=lock_wait, what="build"):
        load, site = load_site(config, posts_dir, now)
        report = None
        if not (strict and load.errors):
            files = emit_all(site, Renderer())
            report = write_tree(out_dir, files, dry_run=dry_run)
    return BuildResult(load, site, report, time.perf_counter() - started,
                       load.warnings + site.warnings)
