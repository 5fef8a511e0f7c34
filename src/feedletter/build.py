"""`feedletter build` as a library call: posts → site → feed files → output folder.

Incremental by design (cron runs it every few minutes): the cache (cache.py) skips
reading unchanged post files, rendering unchanged posts and emitting feeds whose inputs
did not change; what must be parsed or rendered is spread over the CPU cores. The output
is the same bytes as a cold build whatever the cache holds.
"""

from __future__ import annotations

import contextlib
import gc
import os
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from . import ids, index
from .cache import Cache, digest, salt_for
from .config import Config
from .emit import (
    FeedSpec,
    archives,
    emit_feed,
    emit_indexes,
    feed_specs,
    has_digests,
    index_names,
    posts_in_feeds,
)
from .errors import FeedletterError, PostError
from .locks import file_lock
from .output import TreeWriter, WriteReport, file_stat, remove_stale_temps, write_file
from .progress import NO_PROGRESS, Progress
from .render import Rendered, render_post
from .render.context import Context, Page, settings_from, still_valid
from .render.links import resolver
from .site import Site, build_site
from .sources import LoadResult, Post, load_posts, read_body, scan_posts
from .templates import BUILTIN
from .workers import PoolFactory, Workers, chunked

_PACKAGE = Path(__file__).parent


@dataclass
class BuildResult:
    published: int
    skipped: int
    errors: list[PostError]
    warnings: list[str]
    report: WriteReport | None       # None when --strict refused to write
    seconds: float = 0.0
    rendered: int = 0
    site: Site | None = None         # None when nothing changed since the last build
    reasons: dict[str, int] | None = None   # files found, and why those not published were not
    pinged: list[str] = field(default_factory=list)   # feed URLs the WebSub hub was told of

    def explanation(self) -> str | None:
        """Why a build that found files published none, or skipped most as non-posts
        (printed even with --quiet: an empty build must never be silent)."""
        r = self.reasons
        if not r or not r["files"]:
            return None
        if self.published and r["not a post"] * 2 <= r["files"]:
            return None
        counts = ", ".join(f"{n} {why}" for why, n in r.items() if why != "files")
        return (f"{self.published} of {r['files']} files published: {counts}. "
                "`feedletter check` names each file and why")



def _render_one(task: tuple, context: Context | None) -> Rendered | PostError:
    source, body, summary, link, file_digest, root, config, page = task
    if body is None:                  # a slim post (from the cache, or a big site): re-read
        try:
            body = read_body(Path(source), Path(root), config, file_digest or "")
        except PostError as exc:      # it was readable when loaded: renamed, deleted, swapped
            return PostError(source, f"{CHANGED} ({exc.reason})")
        if body is None:
            return PostError(source, CHANGED)
    if context is None:
        return render_post(body, summary, link)
    if page.front_matter.get("\0read") and context.settings.generator != "zola":
        page = replace(page, front_matter={**_front_matter(Path(source)), **page.front_matter})
    return render_post(body, summary, link, replace(context, page=page))


def _front_matter(path: Path) -> dict:
    """The post's front matter, for `page.*` / `param`, read again where the loader does
    not keep it on the Post (YAML `---` or TOML `+++`); {} when it cannot be read."""
    import tomllib

    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
        for fence, load in (("---", yaml.safe_load), ("+++", tomllib.loads)):
            if text.startswith(fence + "\n"):
                end = text.find("\n" + fence, len(fence))
                data = load(text[len(fence) + 1:end]) if end > 0 else None
                return data if isinstance(data, dict) else {}
    except Exception:       # a render never fails for want of page variables
        return {}
    return {}


def _render_chunk(work: tuple[Context | None, list[tuple]]) -> list[Rendered | PostError]:
    context, tasks = work
    return [_render_one(t, context) for t in tasks]


def _page(post: Post) -> Page:
    """What the body's template language may read of the post: its front matter when the
    loader keeps it (`front_matter`), and at least the fields every post has."""
    known = {"title": post.title, "date": post.date, "slug": post.slug,
             "tags": list(post.tags), "url": post.link}
    front = getattr(post, "front_matter", None)
    if front is None:
        return Page(post.source, post.link, {**known, "\0read": True})   # read it in the worker
    return Page(post.source, post.link, {**known, **dict(front)})


def _problem_lines(post: Post, rendered: Rendered) -> list[str]:
    """`file:line: reason` for each construct the render left out (the line in the file:
    the body's line plus the body's first line, or where the construct is written)."""
    if not rendered.problems:
        return []
    body_line = getattr(post, "body_line", None)
    text: str | None = None
    out = []
    for line, reason, construct in rendered.problems:
        where = None
        if line is not None and body_line is not None:
            where = body_line + line - 1
        elif construct:
            if text is None:
                try:
                    text = Path(post.source).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    text = ""
            at = text.find(construct)
            where = text.count("\n", 0, at) + 1 if at >= 0 else None
        out.append(f"{post.source}:{where}: {reason}" if where else f"{post.source}: {reason}")
    return out


CHANGED = "changed while the build was running"


class PostsChanged(FeedletterError):
    """Posts whose files changed (renamed, deleted, replaced: a `git pull` during cron)
    between loading and rendering. The build leaves them out as bad posts and publishes
    the rest; a digest reports them."""

    def __init__(self, errors: list[PostError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    def __reduce__(self):
        return type(self), (self.errors,)


class Renderer:
    """Each post rendered at most once per build, and not at all if the cache has it.

    `links`: (file, link) of every published post, for a body's links to other posts
    (Jekyll `post_url`, Hugo `ref`, Zola `@/`); a cached render is used only while each
    link it looked up still resolves the same."""

    def __init__(self, config: Config, root: Path, cache: Cache | None = None,
                 workers: Workers | None = None,
                 links: Iterable[tuple[str, str]] = ()) -> None:
        self.config, self.root, self.cache, self.workers = config, root, cache, workers
        self.salt = cache.salt if cache is not None else ""
        self._done: dict[str, Rendered] = {}
        self.rendered = 0
        settings = settings_from(config)
        self.context = None if settings.plain else Context(settings, resolve=resolver(links))
        self._fingerprint = settings.fingerprint()
        self.warnings: list[str] = []
        self.progress: Progress = NO_PROGRESS

    def _key(self, post: Post) -> str:
        if self._fingerprint:
            return digest(self.salt, post.digest or post.source, post.link, self._fingerprint)
        return digest(self.salt, post.digest or post.source, post.link)

    def _task(self, post: Post) -> tuple:
        return (post.source, post.body, post.summary, post.link, post.digest, str(self.root),
                self.config, _page(post) if self.context is not None else None)

    def prepare(self, posts: Iterable[Post]) -> None:
        """Render every post that is neither done nor cached, over the pool if worth it."""
        todo: list[tuple[str, Post]] = []
        for post in posts:
            key = self._key(post)
            if key in self._done:
                continue
            cached = self.cache.get_render(key) if self.cache is not None and post.digest else None
            if isinstance(cached, Rendered) and (
                    self.context is None or still_valid(cached.lookups, self.context.resolve)):
                self._done[key] = cached
                self.warnings += _problem_lines(post, cached)
            else:
                todo.append((key, post))
        if not todo:
            return
        tasks = [self._task(p) for _, p in todo]
        if self.workers is not None and self.workers.jobs > 1 and len(tasks) >= 100:
            # Small chunks: the last one decides when the slowest worker is done.
            chunks = chunked(tasks, 32 * self.workers.jobs, minimum=10)
            with self.progress.stage("rendering posts", len(tasks)) as update:
                stream = self.workers.pool().map(_render_chunk, [(self.context, c) for c in chunks])
                if self.cache is not None:
                    self.cache.flush()          # while the workers render
                results = []
                for chunk in stream:
                    results += chunk
                    update(len(chunk))
        else:
            with self.progress.stage("rendering posts", len(tasks)) as update:
                results = []
                for task in tasks:
                    results.append(_render_one(task, self.context))
                    update(1)
        self.rendered += len(results)
        changed = []
        for (key, post), rendered in zip(todo, results, strict=True):
            if isinstance(rendered, PostError):
                changed.append(rendered)
            else:
                self._done[key] = rendered
                self.warnings += _problem_lines(post, rendered)
        if self.cache is not None:
            cache, rows = self.cache, [(k, r) for (k, p), r in zip(todo, results, strict=True)
                                       if p.digest and not isinstance(r, PostError)]
            cache.defer(lambda: cache.put_renders(rows))
        if changed:
            raise PostsChanged(changed)

    def __call__(self, post: Post) -> Rendered:
        key = self._key(post)
        if key not in self._done:
            self.prepare([post])
        return self._done[key]

    def prepared(self, post: Post) -> Rendered:
        """A post `prepare` rendered (for forked emitters: no cache, no pool there)."""
        return self._done[self._key(post)]


# What forked emitters inherit: (config, feed specs, renderer, output folder, dry run).
# Set just before the fork.
_EMITTING: tuple[Config, list[FeedSpec], Renderer, Path, bool] | None = None

# (name, bytes changed, size, mtime_ns) of each file of a feed, as written
Written = list[tuple[str, bool, int, int]]


def _write_files(out_dir: Path, files: dict[str, bytes], dry_run: bool) -> Written:
    done = []
    for name, data in files.items():
        changed = write_file(out_dir, name, data, dry_run=dry_run)
        if dry_run:
            done.append((name, changed, 0, 0))
        else:
            st = file_stat(out_dir, name)
            done.append((name, changed, st.st_size if st else -1, st.st_mtime_ns if st else -1))
    return done


def _emit_specs(indices: list[int]) -> list[Written]:
    assert _EMITTING is not None, "emitter started without its site"
    config, specs, renderer, out_dir, dry_run = _EMITTING
    return [_write_files(out_dir, emit_feed(config, specs[i], renderer.prepared), dry_run)
            for i in indices]


def _emitted(site: Site, specs: list[FeedSpec], todo: list[FeedSpec | None],
             renderer: Renderer, out_dir: Path, dry_run: bool,
             digests: bool = False) -> Iterator[Written]:
    """Emit and write the files of each feed in `todo` (None: the indexes), in order.

    With many feeds, a pool forked after rendering (its workers hold every render already)
    emits and writes them, each file atomically: no file's bytes cross between processes,
    and the files are flushed to disk in parallel. Meanwhile this process stores what the
    cache was given.
    """
    global _EMITTING
    feeds = [spec for spec in todo if spec is not None]
    executor = (renderer.workers.fresh()
                if renderer.workers is not None and len(feeds) >= 24 else None)
    if executor is None:
        for spec in todo:
            files = (emit_indexes(site.config, specs, digests) if spec is None
                     else emit_feed(site.config, spec, renderer))
            yield _write_files(out_dir, files, dry_run)
        return
    _EMITTING = (site.config, feeds, renderer, out_dir, dry_run)
    try:
        chunks = chunked(list(range(len(feeds))), 8 * renderer.workers.jobs, minimum=2)
        stream = (written for chunk in executor.map(_emit_specs, chunks) for written in chunk)
        if renderer.cache is not None:
            renderer.cache.flush()
        for spec in todo:
            yield (_write_files(out_dir, emit_indexes(site.config, specs, digests), dry_run)
                   if spec is None else next(stream))
    finally:
        _EMITTING = None


# The libraries whose versions change the output: (module, distribution).
_LIBRARIES = (("markdown", "markdown"), ("nh3", "nh3"), ("feedgen", "feedgen"),
              ("lxml", "lxml"), ("jinja2", "jinja2"), ("yaml", "pyyaml"))


def _versions() -> list[str]:
    """`name=version` of each library, read from the name of its installed `.dist-info`
    folder (importing importlib.metadata alone takes a tenth of a no-change build)."""
    import importlib.util

    found = []
    for module, dist in _LIBRARIES:
        version = None
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin:
            folder = Path(spec.origin).parent
            folder = folder.parent if spec.submodule_search_locations else folder
            with contextlib.suppress(OSError):
                for name in os.listdir(folder):
                    stem, dash, rest = name.partition("-")
                    if (name.endswith(".dist-info") and dash
                            and stem.lower().replace("-", "_") == dist):
                        version = rest[:-len(".dist-info")]
                        break
        if version is None:
            import importlib.metadata

            try:
                version = importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                version = "?"
        found.append(f"{dist}={version}")
    return found


def _salt(config: Config) -> str:
    sources = sorted(p for p in _PACKAGE.rglob("*.py"))
    code = digest(*(p.read_bytes() for p in sources))
    templates = [t for t in (config.templates_dir, BUILTIN) if t is not None]
    return salt_for(config.path, templates, extra=f"{code};{';'.join(_versions())}")


def open_cache(config: Config) -> Cache:
    return Cache(config.state_dir / "cache.sqlite", _salt(config))


def load_site(config: Config, posts_dir: Path | None, now: datetime, *,
              cache: Cache | None = None, pool: PoolFactory | None = None,
              keep_bodies: bool = True, scan: list[tuple[str, str]] | None = None,
              save_over: int = 0) -> tuple[LoadResult, Site]:
    load = load_posts(config, posts_dir, now=now, cache=cache, pool=pool,
                      keep_bodies=keep_bodies, scan=scan, save_over=save_over)
    if config.feeds.updated == "git":
        from . import gitdates

        load.posts = gitdates.apply(load.posts, posts_dir or config.posts_dir, load.warnings)
    return load, build_site(config, load.posts, posts_dir, ids.read(config))


@contextlib.contextmanager
def open_site(config: Config, posts_dir: Path | None, now: datetime, *, use_cache: bool = True,
              jobs: int | None = None, cache: Cache | None = None,
              scan: list[tuple[str, str]] | None = None, save_over: int = 0
              ) -> Iterator[tuple[LoadResult, Site, Renderer]]:
    """Load the site through the cache; the Renderer renders only what the cache lacks.

    `save_over`: see `load_posts` (a build saves every change, a digest only many)."""
    posts_dir = posts_dir or config.posts_dir
    with Workers(jobs) as workers:
        owned = cache is None and use_cache
        if owned:
            cache = open_cache(config)
        try:
            # Loading makes one object per post field and no cycles; the cyclic collector
            # would rescan them all again and again (a third of a 100,000-post load).
            gc.disable()
            try:
                load, site = load_site(config, posts_dir, now, cache=cache,
                                       pool=workers.factory(), keep_bodies=False, scan=scan,
                                       save_over=save_over)
            finally:
                gc.enable()
            if cache is not None and cache.problem:
                load.warnings.insert(0, cache.problem)
            yield load, site, Renderer(config, posts_dir, cache, workers,
                                       [(p.source, p.link) for p in site.posts])
        finally:
            if owned and cache is not None:
                cache.close()


@contextlib.contextmanager
def open_period(config: Config, posts_dir: Path | None, now: datetime, start: datetime,
                end: datetime, *, use_cache: bool = True, save_over: int = 0
                ) -> Iterator[tuple[LoadResult, Site, Renderer]]:
    """The site as a digest of [start, end) needs it: its posts of the period and the tag
    names, from the digest's index when that is exact (index.py), else a full load
    through the cache, which stores a new index. `site.posts` may hold only the period."""
    posts_dir = posts_dir or config.posts_dir
    if not use_cache:
        with open_site(config, posts_dir, now, use_cache=False) as opened:
            yield opened
        return
    scan = scan_posts(posts_dir, config)
    cache = open_cache(config)
    try:
        found = index.load_period(cache, config, posts_dir, scan, now, start, end)
        if found is not None:
            # links to other posts: those of the period (the index holds no others)
            yield found[0], found[1], Renderer(config, posts_dir, cache, links=[
                (p.source, p.link) for p in found[1].posts])
            return
        with open_site(config, posts_dir, now, cache=cache, scan=scan,
                       save_over=save_over) as (load, site, renderer):
            _index_later(cache, posts_dir, scan, load, site)
            yield load, site, renderer
    finally:
        cache.close()


def _index_later(cache: Cache, posts_dir: Path, scan: list[tuple[str, str]],
                 load: LoadResult, site: Site) -> None:
    cache.defer(lambda: index.save(cache, posts_dir, scan, load, site))


def _spec_key(salt: str, spec: FeedSpec, git: bool = False) -> str:
    parts = [salt, spec.path, *spec.files.values(), spec.title, spec.description, spec.kind,
             spec.name, str(spec.page), str(spec.pages)]
    for post in spec.posts:
        parts += [post.id, post.link, post.digest or post.source]
        if git:         # `updated` from git is not in the file's bytes
            parts.append(post.updated.isoformat())
    return digest(*parts)


def _as_written(record: tuple[str, int, int], path: Path) -> bool:
    """The file still has the size and mtime it was written with (nobody touched it)."""
    try:
        st = path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and (st.st_size, st.st_mtime_ns) == (record[1], record[2])


def _intact(record: tuple[str, int, int] | None, key: str, path: Path) -> bool:
    """The file was made from inputs with this key, and is as it was written."""
    return record is not None and record[0] == key and _as_written(record, path)


def write_outputs(site: Site, out_dir: Path, renderer: Renderer, *,
                  dry_run: bool = False) -> WriteReport:
    """Emit and write every feed whose inputs changed; keep the others as they are."""
    cache, salt = renderer.cache, renderer.salt
    specs = feed_specs(site)
    documents = archives.expand(site.config, specs)    # with feeds.archives: and their archives
    # (inputs key, file names, spec); the spec None stands for the two index files
    groups: list[tuple[str, list[str], FeedSpec | None]] = [
        (_spec_key(salt, spec, site.config.feeds.updated == "git"), list(spec.files.values()),
         spec) for spec in documents]
    # The index page links the digests' archive once `feedletter digest` has written one.
    digests = has_digests(out_dir)
    index_key = digest(salt, f"digests={digests}",
                       *(f"{s.files}\0{s.title}\0{s.name}\0{len(s.posts)}\0"
                         f"{s.posts[0].updated.isoformat() if s.posts else ''}" for s in specs))
    groups.append((index_key, index_names(site.config), None))

    records = cache.outputs() if cache is not None else {}
    writer = TreeWriter(out_dir, dry_run=dry_run)
    writer.start({name for _, names, _ in groups for name in names})
    todo = []
    for key, names, spec in groups:
        if all(_intact(records.get(str(out_dir / n)), key, out_dir / n) for n in names):
            for name in names:
                writer.keep(name)
        else:
            todo.append((key, spec))
    renderer.prepare(posts_in_feeds(spec for _, spec in todo if spec is not None))
    rows = []
    emitted = _emitted(site, specs, [spec for _, spec in todo], renderer, out_dir, dry_run,
                       digests)
    with renderer.progress.stage("writing feeds", len(todo)) as update:
        for (key, _spec), written in zip(todo, emitted, strict=True):
            for name, changed, size, mtime in written:
                writer.record(name, changed)
                if not dry_run:
                    rows.append((str(out_dir / name), key, size, mtime))
            update(1)
    report = writer.finish()
    if cache is not None and not dry_run:
        keep = {str(out_dir / n) for _, names, _ in groups for n in names}
        cache.put_outputs(rows, keep)
    return report


def _changed_feeds(site: Site, report: WriteReport) -> list[str]:
    """The self URLs of the current feed documents this build rewrote (not archives:
    nobody subscribes to those)."""
    written = set(report.written)
    return [spec.url(site.config, fmt) for spec in feed_specs(site)
            for fmt, name in spec.files.items() if name in written]


def _ping_hub(config: Config, cache: Cache | None, changed: list[str],
              result: BuildResult) -> None:
    """Tell the WebSub hub about changed feeds, and again about those it did not hear of
    last time (kept in the cache); a hub that fails is a warning, never a failed build."""
    hub = config.feeds.websub_hub
    if not hub:
        return
    pending = cache.get_state("websub-pending") if cache is not None else None
    urls = sorted(set(changed) | set(pending if isinstance(pending, list) else []))
    if not urls:
        return
    from .websub import publish_all

    feeds = config.feeds
    outcomes = publish_all(hub, urls, timeout=feeds.websub_timeout,
                           retries=feeds.websub_retries, backoff=feeds.websub_backoff)
    result.pinged = [o.url for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        result.warnings.append(f"websub: the hub {hub} did not take {o.url}: {o.detail} "
                               f"({o.tries} {'try' if o.tries == 1 else 'tries'}; the next build "
                               "tries again)")
    if cache is not None and (failed or pending):
        cache.put_state("websub-pending", [o.url for o in failed])


def _fingerprint(salt: str, scan: list[tuple[str, str]], posts_dir: Path, out_dir: Path,
                 strict: bool, config: Config) -> str:
    try:     # a register changed by hand or by `git pull` changes ids
        register = ids.register_path(config).read_bytes()
    except OSError:
        register = b""
    if config.feeds.updated == "git":    # a commit changes `updated` without touching a file
        from .gitdates import head

        register += head(posts_dir).encode()
    # the first digest's archive page adds a link to the index page
    return digest(salt, str(posts_dir.absolute()), str(out_dir), str(strict), register,
                  f"digests={has_digests(out_dir)}", *(f"{path}\0{key}" for path, key in scan))


def _unchanged(cache: Cache, fingerprint: str, out_dir: Path, now: datetime) -> BuildResult | None:
    """The last build's result, if its posts, its outputs and the publication window hold.

    The window: every post it published is still due (`now` did not go back before the
    newest), and no post it held back is due yet. Any doubt means a full build.
    """
    last = cache.get_state("last-build")
    if not isinstance(last, dict) or last.get("fingerprint") != fingerprint:
        return None
    stamp = now.timestamp()
    if not last["newest"] <= stamp < last["next"]:
        return None
    records = cache.outputs()
    names = last["outputs"]
    if len(records) != len(names):
        return None
    for name in names:
        path = out_dir / name
        record = records.get(str(path))
        if record is None or not _as_written(record, path):
            return None
    report = WriteReport([], list(names), [])
    return BuildResult(last["published"], last["skipped"],
                       [PostError(*e) for e in last["errors"]], list(last["warnings"]), report,
                       reasons=last.get("reasons"))


def _remember(cache: Cache, fingerprint: str, result: BuildResult, load: LoadResult) -> None:
    if result.report is None or cache.db is None:
        return
    names = sorted(result.report.written + result.report.unchanged)
    cache.put_state("last-build", {
        "fingerprint": fingerprint,
        # the latest moment a published post went live (posts published before their
        # date, Jekyll `future: true`, do not depend on the moment)
        "newest": max(((p.available or p.date).timestamp() for p in load.posts if not p.future),
                      default=float("-inf")),
        "next": load.next_publish.timestamp() if load.next_publish else float("inf"),
        "published": result.published, "skipped": result.skipped,
        "errors": [(e.path, e.reason, e.line) for e in result.errors], "reasons": result.reasons,
        "warnings": [w for w in result.warnings if w != cache.problem], "outputs": names,
    })


def build(config: Config, *, posts_dir: Path | None = None, out_dir: Path | None = None,
          now: datetime, strict: bool = False, dry_run: bool = False,
          lock_wait: float | None = 600, jobs: int | None = None,
          use_cache: bool = True, progress: Progress = NO_PROGRESS) -> BuildResult:
    """Build every feed; a bad post is reported and the rest is still published.

    When the cache shows that no post file, no output and nothing else changed since the
    last build (and no scheduled post fell due), it stops after scanning the posts.
    """
    started = time.perf_counter()
    out_dir = (out_dir or config.output_dir).absolute()
    posts_dir = posts_dir or config.posts_dir
    with file_lock(config.state_dir / "build.lock", wait=lock_wait, what="build"):
        remove_stale_temps(config.state_dir, {""})     # a killed run's last-error.txt, say
        rejected: list[str] = []     # files the generator's rules say are not posts
        scan = scan_posts(posts_dir, config, rejected)
        cache = open_cache(config) if use_cache else None
        fingerprint = (_fingerprint(cache.salt, scan, posts_dir, out_dir, strict, config)
                       if cache else "")
        try:
            if cache is not None and not dry_run:
                quick = _unchanged(cache, fingerprint, out_dir, now)
                if quick is not None:
                    _ping_hub(config, cache, [], quick)      # what the last build could not
                    quick.seconds = time.perf_counter() - started
                    return quick
            with contextlib.ExitStack() as opened:
                with progress.stage(f"reading {len(scan)} post files"):
                    load, site, renderer = opened.enter_context(open_site(
                        config, posts_dir, now, use_cache=use_cache, jobs=jobs, cache=cache,
                        scan=scan))
                renderer.progress = progress
                if (not (strict and load.errors) and not dry_run and site.id_register is not None
                        and write_file(config.base_dir, ids.NAME, ids.render(site.id_register))
                        and cache is not None):
                    # the next build (and the digest's index) start from the register as
                    # written now
                    fingerprint = _fingerprint(cache.salt, scan, posts_dir, out_dir, strict,
                                               config)
                if cache is not None and not dry_run:
                    _index_later(cache, posts_dir, scan, load, site)
                posts, errors, report = load.posts, list(load.errors), None
                while not (strict and errors):
                    try:
                        report = write_outputs(site, out_dir, renderer, dry_run=dry_run)
                        break
                    except PostsChanged as changed:
                        # Renders come before any feed is written: publish the others.
                        errors += changed.errors
                        gone = {e.path for e in changed.errors}
                        posts = [p for p in posts if p.source not in gone]
                        site = build_site(config, posts, posts_dir, ids.read(config))
                result = BuildResult(len(posts), load.skipped, errors,
                                     load.warnings + site.warnings + renderer.warnings, report,
                                     time.perf_counter() - started, renderer.rendered, site)
                result.reasons = {
                    "files": len(scan) + len(rejected),
                    "not a post": len(rejected) + load.notes, "draft": load.drafts,
                    "future": load.scheduled, "expired": load.expired, "bad": len(errors)}
                if report is not None and not dry_run:
                    _ping_hub(config, cache, _changed_feeds(site, report), result)
                if cache is not None and not dry_run:
                    _remember(cache, fingerprint, result, load)
        finally:
            if cache is not None:
                cache.close()
    return result
