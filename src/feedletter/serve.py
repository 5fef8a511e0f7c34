"""`feedletter serve`: a live preview of the feeds and the digest on 127.0.0.1.

The site is built (feeds, then the digest of one month) into a temporary folder, never
the published one unless `--out` names it, and served over HTTP. watchfiles watches the
posts, the config and the templates; each change rebuilds, and every HTML page served
carries a small script that polls `/__feedletter/build` (a counter of finished builds)
and reloads the page when it moves. The script is added as the page is served, so the
files themselves (what `--out` leaves behind) never contain it.

No build runs while a request reads a half-written file: the build's writers replace
files atomically (output.write_atomic), so a reader sees the old or the new file.
"""

from __future__ import annotations

import contextlib
import html
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .config import Config, load_config, replace
from .emit.index_page import DIGESTS_ARCHIVE
from .errors import FeedletterError

COUNTER = "/__feedletter/build"
# Polls the build counter; reloads when it changes. Only in served pages, never in files.
RELOAD = ("<script>(function(){var seen=null;function poll(){fetch('" + COUNTER +
          "',{cache:'no-store'}).then(function(r){return r.text()}).then(function(n){"
          "if(seen!==null&&n!==seen){location.reload();return}seen=n;setTimeout(poll,500)})"
          ".catch(function(){setTimeout(poll,1000)})}poll()})();</script>")


@dataclass
class State:
    """What the server shows: the output folder, the build count, the last outcome."""

    out: Path
    builds: int = 0
    digest: str | None = None          # the digest page, relative to `out`
    index: str = "index.html"          # the feeds' index page ([feeds.paths] index)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def rebuild(config_path: Path, posts_dir: Path | None, out: Path, month: str | None,
            state: State, log: Callable[[str], None]) -> None:
    """Build the feeds and the digest into `out`; any error is shown, never fatal."""
    from . import digest as digests
    from .build import build, open_period

    problems: list[str] = []
    page = None
    index = None
    now = datetime.now(UTC)
    try:
        config = load_config(config_path)
        index = config.feed_paths.index
        # an absolute paths.output: the digests feed and every file go to the preview
        config = replace(config, paths=replace(config.paths, output=str(out)))
        result = build(config, posts_dir=posts_dir, out_dir=out, now=now, use_cache=False)
        problems += [str(e) for e in result.errors]
        period = _period(config, posts_dir, now, month, result)
        if period is not None:
            with open_period(config, posts_dir, now, period.start, period.end,
                             use_cache=False) as (_, site, renderer):
                built = digests.build_digest(site, period, render=renderer)
            if built is not None:
                problems += built.warnings
                digests.write_digest(built, out / digests.DIGESTS_DIR)
                page = f"{digests.DIGESTS_DIR}/{period.name}.html"
    except (FeedletterError, ValueError) as exc:     # ValueError: a bad --month
        problems.append(str(exc))
    with state.lock:
        state.builds += 1
        state.digest = page or state.digest
        state.index = index or state.index
        state.problems = problems
    log(f"build {state.builds}: {len(problems)} problems; digest {page or '(none)'}")


def _period(config: Config, posts_dir: Path | None, now: datetime, month: str | None,
            result):
    """`--month`, else the month of the newest published post (a preview wants posts)."""
    from . import digest as digests

    if month is not None:
        return digests.choose_period(config, now, month=month)
    site = result.site
    if site is None or not site.posts:
        return None
    newest = site.posts[0].date.astimezone(digests.site_zone(config))
    return digests.month_period(newest.year, newest.month, digests.site_zone(config))


def index_page(state: State) -> str:
    """The preview's front page: the digest, the feeds index, every feed."""
    feeds = sorted(p.relative_to(state.out).as_posix() for p in state.out.rglob("*")
                   if p.suffix in (".xml", ".json", ".opml") and p.is_file())
    links = "".join(f'<li><a href="/{html.escape(f)}">{html.escape(f)}</a></li>' for f in feeds)
    digest = (f'<p><a href="/{html.escape(state.digest)}">The current digest</a></p>'
              if state.digest else "<p>No digest (no published post).</p>")
    if (state.out / DIGESTS_ARCHIVE).is_file():
        digest += f'<p><a href="/{DIGESTS_ARCHIVE}">Every digest (the archive page)</a></p>'
    problems = "".join(f"<li>{html.escape(p)}</li>" for p in state.problems)
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>feedletter preview</title></head><body><h1>feedletter preview</h1>"
            f"<p>Build {state.builds}, output in <code>{html.escape(str(state.out))}</code>"
            "</p>" + digest + f'<p><a href="/{html.escape(state.index)}">The feeds index</a></p>'
            f"<h2>Feeds</h2><ul>{links}</ul>"
            + (f"<h2>Problems</h2><ul>{problems}</ul>" if problems else "") + "</body></html>")


class Handler(SimpleHTTPRequestHandler):
    """Static files of the output folder, the front page and the build counter."""

    state: State

    def __init__(self, *args, state: State, **kwargs) -> None:
        self.state = state
        super().__init__(*args, directory=str(state.out), **kwargs)

    def log_message(self, format: str, *args) -> None:   # quiet: the builds are the log
        pass

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == COUNTER:
            with self.state.lock:
                self._send(str(self.state.builds).encode(), "text/plain; charset=utf-8")
            return
        if path == "/":
            with self.state.lock:
                page = index_page(self.state)
            self._send(_with_reload(page).encode("utf-8"), "text/html; charset=utf-8")
            return
        if path.endswith(".html"):
            file = Path(self.translate_path(path))
            try:
                page = file.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                self.send_error(404)
                return
            self._send(_with_reload(page).encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def guess_type(self, path):
        if str(path).endswith(".xml"):
            return "application/xml"
        return super().guess_type(path)


def _with_reload(page: str) -> str:
    at = page.rfind("</body>")
    return page[:at] + RELOAD + page[at:] if at >= 0 else page + RELOAD


@contextlib.contextmanager
def _output(out: Path | None) -> Iterator[Path]:
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        yield out
        return
    folder = Path(tempfile.mkdtemp(prefix="feedletter-preview-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def watched(config: Config, config_path: Path, posts_dir: Path | None
            ) -> tuple[list[Path], Callable[[object, str], bool]]:
    """The folders to watch and a filter of the changes that matter.

    The config file is watched through its folder: editors save by writing a new file and
    renaming it over the old one, which a watch on the file itself would lose. Only the
    config file, the posts and the templates count (not `.feedletter/`, whose lock files
    every build touches, nor an output folder beside the config)."""
    from .templates import BUILTIN

    config_file = config_path.absolute()
    trees = [(posts_dir or config.posts_dir).absolute(), BUILTIN.absolute()]
    if config.templates_dir is not None and config.templates_dir.is_dir():
        trees.append(config.templates_dir.absolute())
    trees = [t for t in trees if t.exists()]

    def matters(_change: object, path: str) -> bool:
        where = Path(path)
        return where == config_file or any(where.is_relative_to(t) for t in trees)

    return [config_file.parent, *trees], matters


def serve(config_path: Path, *, posts_dir: Path | None = None, port: int = 8000,
          out: Path | None = None, month: str | None = None,
          log: Callable[[str], None] = print) -> None:
    """Serve the preview until SIGINT or SIGTERM; rebuild on every change."""
    import watchfiles

    config = load_config(config_path)
    stop = threading.Event()
    with _output(out) as folder:
        state = State(folder.absolute())
        rebuild(config_path, posts_dir, state.out, month, state, log)
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), partial(Handler, state=state))
        except OSError as exc:
            raise FeedletterError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        previous = {sig: signal.signal(sig, lambda *_: stop.set())
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        log(f"Serving {state.out} on http://127.0.0.1:{server.server_address[1]}/ "
            "(Ctrl-C to stop)")
        try:
            folders, matters = watched(config, config_path, posts_dir)
            for _changes in watchfiles.watch(*folders, watch_filter=matters, stop_event=stop,
                                             debounce=200, step=50, raise_interrupt=False):
                rebuild(config_path, posts_dir, state.out, month, state, log)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            server.shutdown()
            server.server_close()
            thread.join(5)
    log("Stopped.")
