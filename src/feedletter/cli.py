"""Command line: parse arguments, call the library, map errors to exit codes.

Exit codes: 0 done; 1 some posts are bad (the rest was published); 2 usage or config
error; 3 the digest could not be delivered to every recipient; 4 a build found files but
published none; 70 internal error (a bug:
the traceback is in .feedletter/last-error.txt); 73 a file or folder cannot be created
(read-only, a file or link in the way); 74 a write failed (disk full, I/O error); 75
another run holds the lock (EX_TEMPFAIL: cron may simply try again later); 130/143
interrupted by SIGINT/SIGTERM.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import platform
import signal
import stat
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click

from . import __version__, ids
from .build import PostsChanged, open_period, open_site
from .build import build as run_build
from .config import Config, load_config
from .dates import out_of_range, parse_zone
from .errors import FeedletterError, FileInTheWay, Interrupted, LockBusy, OutputError, SendError
from .mail import parse_recipients, report_line, sent_count
from .output import replaced_here, write_file
from .progress import Progress

EXIT_BAD_POSTS, EXIT_CONFIG, EXIT_SEND, EXIT_NOTHING, EXIT_LOCKED = 1, 2, 3, 4, 75
EXIT_SOFTWARE, EXIT_CANTCREAT, EXIT_IOERR = 70, 73, 74
ERROR_FILE = "last-error.txt"


def _config(path: str | None) -> Config:
    config_path = Path(path or "feedletter.toml")
    # Where an internal error is reported, known before the config is read.
    _state()["state_dir"] = config_path.absolute().parent / ".feedletter"
    config = load_config(config_path)
    _state()["state_dir"] = config.state_dir
    return config


def _state() -> dict:
    ctx = click.get_current_context(silent=True)
    return ctx.obj if ctx is not None and isinstance(ctx.obj, dict) else {}


def _now(value: str | None, config: Config) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date-time", param_hint="--now") from None
    zone = parse_zone(config.timezone, config.zones)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if problem := out_of_range(moment, zone):
        raise click.BadParameter(f"{value!r} {problem}", param_hint="--now")
    return moment


def _report(problems, warnings, quiet: bool) -> None:
    for message in warnings:
        if not quiet:
            click.echo(f"warning: {message}", err=True)
    for problem in problems:
        click.echo(str(problem), err=True)


def _exit_code(exc: FeedletterError) -> int:
    if isinstance(exc, OutputError):
        return EXIT_CANTCREAT if exc.cannot_create else EXIT_IOERR
    if isinstance(exc, LockBusy):
        return EXIT_LOCKED
    return EXIT_SEND if isinstance(exc, SendError) else EXIT_CONFIG


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


def _shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


_SIGNAL_NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}
_INTERRUPTED = ("no file was left half-written (each is its old or its new version); "
                "the next run finishes the job")


def _raise_interrupted(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM raise `Interrupted` while a command runs (the old handlers come
    back after it: tests run many commands in one process)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.signal(sig, _raise_interrupted) for sig in _SIGNAL_NAMES}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _internal_error(exc: BaseException) -> int:
    """One line on stderr; the traceback in .feedletter/last-error.txt (written by the one
    writer; when that is impossible, the line says so and nothing more is shown)."""
    state_dir = _state().get("state_dir") or Path.cwd() / ".feedletter"
    what = _one_line(f"{type(exc).__name__}: {exc}")
    details = (f"feedletter {__version__}, Python {platform.python_version()}\n"
               f"command: {' '.join(sys.argv)}\n\n"
               + "".join(traceback.format_exception(exc)))
    try:
        write_file(state_dir, ERROR_FILE, details.encode("utf-8", "replace"))
        where = f"details in {_shown(state_dir / ERROR_FILE)}"
    except (FeedletterError, OSError) as failed:
        where = f"the details could not be saved ({_one_line(str(failed), 200)})"
    click.echo(f"feedletter: internal error: {what}; {where}", err=True)
    return EXIT_SOFTWARE


class _Group(click.Group):
    """The top-level guard: feedletter's own errors become one line on stderr and an
    exit status; an OS error its own line and 73/74; SIGINT/SIGTERM 130/143 after saying
    what was done; anything else is a bug (exit 70, traceback saved, never shown)."""

    def invoke(self, ctx: click.Context):
        ctx.obj = {}
        files_before = replaced_here()
        try:
            with _signals_interrupt():
                return super().invoke(ctx)
        except FeedletterError as exc:
            text = str(exc)
            if isinstance(exc, FileInTheWay):
                text = f"{_shown(Path(exc.path))}: {exc.reason}"
            elif isinstance(exc, OutputError):
                text = (f"{_shown(Path(exc.path))}: {exc.reason}; no file was left half-written "
                        "(each is its old or its new version)")
            click.echo(f"feedletter: {_one_line(text, 1000)}", err=True)
            sys.exit(_exit_code(exc))
        except (Interrupted, KeyboardInterrupt) as exc:
            signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
            for line in exc.report if isinstance(exc, Interrupted) else ():
                click.echo(line, err=True)
            done = replaced_here() - files_before
            written = (f"{done} file{'s' * (done != 1)} written by this process before it; "
                       if done else "")
            click.echo(f"feedletter: interrupted by {_SIGNAL_NAMES.get(signum, signum)}; "
                       f"{written}{_INTERRUPTED}", err=True)
            sys.exit(128 + signum)
        except click.UsageError as exc:
            # one line, like every other error in a cron log (click's own form is four)
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            click.echo(f"feedletter: {_one_line(exc.format_message(), 1000)}{hint}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except OSError as exc:
            if exc.errno is None:       # not the system's error (jinja2's TemplateNotFound): a bug
                sys.exit(_internal_error(exc))
            where = f"{exc.filename}: " if exc.filename else ""
            reason = exc.strerror or str(exc)
            click.echo(f"feedletter: {where}{_one_line(reason)}", err=True)
            sys.exit(EXIT_CANTCREAT if exc.errno in OutputError.CANTCREAT else EXIT_IOERR)
        except Exception as exc:
            sys.exit(_internal_error(exc))


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="feedletter")
def main() -> None:
    """Turn a folder of Markdown posts into feeds and a monthly email digest."""


_config_option = click.option("--config", "config_path", metavar="FILE",
                              help="Config file (default: ./feedletter.toml).")
_posts_option = click.option("--posts", "posts_dir", metavar="DIR",
                             type=click.Path(path_type=Path),
                             help="Posts folder (default: paths.posts, or posts/).")
_now_option = click.option("--now", metavar="ISO-DATETIME",
                           help="Pretend it is this moment (posts dated later are not published yet).")


@main.command()
@_posts_option
@click.option("--out", "out_dir", metavar="DIR", type=click.Path(path_type=Path),
              help="Output folder (default: paths.output, or feeds/).")
@_config_option
@_now_option
@click.option("--strict", is_flag=True, help="Write nothing when any post is bad.")
@click.option("--quiet", is_flag=True, help="Print only errors and the summary line.")
@click.option("--jobs", type=click.IntRange(1, 64), metavar="N",
              help="Processes for parsing and rendering (default: the CPU count).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update .feedletter/cache.sqlite.")
def build(posts_dir, out_dir, config_path, now, strict, quiet, jobs, no_cache) -> None:
    """Build the Atom, RSS and JSON feeds of the site, every tag and every author.

    Example: feedletter build --posts posts/ --out feeds/
    """
    config = _config(config_path)
    result = run_build(config, posts_dir=posts_dir, out_dir=out_dir,
                       now=_now(now, config), strict=strict, jobs=jobs, use_cache=not no_cache,
                       progress=Progress.on_terminal(quiet))
    _report(result.errors, result.warnings, quiet)
    if result.pinged:
        click.echo(f"WebSub: told {config.feeds.websub_hub} of {len(result.pinged)} changed "
                   f"feed{'s' * (len(result.pinged) != 1)}")
    report = result.report
    if report is None:
        feeds = f"nothing written (--strict: {len(result.errors)} bad posts)"
    else:
        feeds = (f"{len(report.written)} files written, {len(report.unchanged)} unchanged, "
                 f"{len(report.removed)} removed")
    out = out_dir or config.output_dir
    click.echo(f"{result.published} posts published, {result.skipped} skipped (drafts, future), "
               f"{len(result.errors)} bad; {feeds} in {out}; {result.seconds:.2f} s")
    why = result.explanation()
    if why:
        click.echo(f"feedletter: {why}", err=True)
    if result.published == 0 and result.reasons and result.reasons["files"]:
        sys.exit(EXIT_NOTHING)
    if result.errors:
        sys.exit(EXIT_BAD_POSTS)


@main.command()
@_posts_option
@_config_option
@_now_option
def check(posts_dir, config_path, now) -> None:
    """Load every post and list every problem; write nothing.

    Example: feedletter check --posts posts/
    """
    config = _config(config_path)
    from .digest import duplicate_warnings, site_zone

    with open_site(config, posts_dir, _now(now, config), use_cache=False) as (load, site,
                                                                               renderer):
        # loading is the whole check, nothing is written, not even the cache; but a site
        # whose bodies hold a template language is rendered, to name what it leaves out
        if renderer.context is not None:
            renderer.prepare(site.posts)
    # what each month's digest would say about its posts (`digest` says it too)
    register = ids.register_path(config)
    gone = [f"{register}: {e.id} is registered for {e.file}, which is gone (the id stays "
            "reserved; delete the line if the post will never come back)"
            for e in ids.vanished(site.ids_unmatched, posts_dir or config.posts_dir)]
    warnings = load.warnings + site.warnings + renderer.warnings + \
        duplicate_warnings(site.posts, site_zone(config)) + gone
    _report(load.errors, warnings, quiet=False)
    click.echo(f"{len(load.posts)} posts publishable, {load.skipped} skipped (drafts, future), "
               f"{len(load.errors)} bad, {len(warnings)} warnings")
    if load.errors:
        sys.exit(EXIT_BAD_POSTS)


def _read_option_file(path: Path, option: str) -> str:
    """The UTF-8 text of a file named by an option; a pipe or device is refused, never
    opened in a way that waits for a writer (cron would hang holding the lock)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise click.BadParameter(f"{path} is not a regular file", param_hint=option)
            return fh.read().decode("utf-8")
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=option) from None
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{path} is not UTF-8 (byte {exc.start})", param_hint=option) from None


# ---------------------------------------------------------------------------- init

@main.command("init")
@click.argument("site_dir", required=False, default=".", metavar="[SITE_DIR]",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--url", metavar="URL", help="The site's address, when its config has none.")
@click.option("--output", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the config (default: ./feedletter.toml).")
@click.option("--force", is_flag=True, help="Replace an existing config file.")
def init_command(site_dir, url, output, force) -> None:
    """Write a feedletter.toml from the site's own generator config.

    Detects Jekyll, Hugo, Zola, Pelican, Middleman, Eleventy or a bare folder of posts,
    reads the site's title, URL, permalinks, feeds and authors, and keeps its feed URLs
    and entry ids. Example:

        feedletter init ~/src/blog --url https://blog.example.org
    """
    from .init import run_init

    with Progress.on_terminal().stage("reading the site"):
        result = run_init(site_dir, output=output, url=url, force=force)
    for line in result.found:
        click.echo(f"found: {line}")
    for line in result.undecided:
        click.echo(f"not decided: {line}")
    here = result.path == Path("feedletter.toml").absolute()
    click.echo(f"wrote {result.path} ({result.generator}); next: feedletter build"
               f"{'' if here else f' --config {result.path}'}")


# ---------------------------------------------------------------------------- digest

@main.command("digest")
@_posts_option
@_config_option
@click.option("--month", metavar="YYYY-MM", help="The calendar month to digest.")
@click.option("--since", metavar="DATE", help="First day of the period (YYYY-MM-DD).")
@click.option("--until", metavar="DATE",
              help="First day after the period (YYYY-MM-DD; default: today).")
@click.option("--last-days", type=click.IntRange(min=1), metavar="N",
              help="The N whole days before today.")
@click.option("--tag", "tags", multiple=True, metavar="TAG",
              help="Only posts with this tag (repeat for several).")
@click.option("--out", "out_dir", metavar="DIR", type=click.Path(path_type=Path),
              help="Folder of the digest files (default: <paths.output>/digests/).")
@click.option("--intro", "intro_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Markdown shown above the posts (default: digest.intro).")
@click.option("--exclude", "exclude", multiple=True, metavar="PATH|SLUG",
              help="Leave this post out of this digest (repeat for several).")
@click.option("--send", is_flag=True, help="Send the digest by SMTP (once per recipient).")
@click.option("--to", "recipients", multiple=True, metavar="ADDR",
              help="Recipient (repeat for several; default: digest.to).")
@click.option("--force", is_flag=True, help="With --send: send again to those who got it.")
@click.option("--dry-run", is_flag=True, help="Write nothing, send nothing; say what would be done.")
@_now_option
def digest_command(posts_dir, config_path, month, since, until, last_days, tags, out_dir,
                   intro_file, exclude, send, recipients, force, dry_run, now) -> None:
    """Build the newsletter of a period (HTML, plain text, .eml) and optionally send it.

    The default period is the previous calendar month in the site's time zone, what a
    cron job on the 1st of the month wants. Example:

        feedletter digest --send
    """
    from . import digest as digests

    if force and not send:
        raise click.UsageError("--force only makes sense with --send")
    config = _config(config_path)
    if recipients:  # checked before any work: one line naming the option
        parse_recipients(recipients, where="--to", what="recipient")
    moment = _now(now, config)
    try:
        period = digests.choose_period(config, moment, month=month, since=since, until=until,
                                       last_days=last_days, tags=tags)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    intro = None
    if intro_file is not None:
        intro = _read_option_file(intro_file, "--intro")
    with open_period(config, posts_dir, moment, period.start, period.end,
                     use_cache=not dry_run, save_over=64) as (load, site, renderer):
        for problem in load.errors:
            click.echo(f"warning: not in any digest: {problem}", err=True)
        while True:
            try:
                built = digests.build_digest(site, period, intro=intro, recipients=recipients,
                                             exclude=exclude, render=renderer)
                break
            except PostsChanged as changed:     # renamed, deleted, replaced since loading
                for problem in changed.errors:
                    click.echo(f"warning: not in any digest: {problem}", err=True)
                gone = {e.path for e in changed.errors}
                site = dataclasses.replace(site, posts=[p for p in site.posts
                                                        if p.source not in gone])
    for warning in built.warnings if built is not None else ():
        click.echo(f"warning: {warning}", err=True)
    if built is None:
        click.echo(f"No posts in {period.label} ({period.name}): nothing written, nothing sent.")
        return
    posts, sections = len(built.posts), len(built.sections)
    click.echo(f"Digest {period.name} ({period.label}): {posts} post{'s' * (posts != 1)} in "
               f"{sections} section{'s' * (sections != 1)}, HTML {built.wire_bytes:,} bytes "
               f"as sent ({built.layout}).")
    out = out_dir or digests.default_dir(config)
    if dry_run:
        for name in built.files:
            click.echo(f"would write {out / name}")
        if send:
            click.echo(f"would send {built.message['Message-ID']} to "
                       f"{', '.join(built.recipients) or 'nobody (no --to, no digest.to)'}"
                       f"{' (--force: also to those who got it)' if force else ''}")
        return
    if send:
        digests.check_send(built)  # before anything is written or sent
    if send and (recipients or force):
        # A test send or a resend is not a new issue: the published files stay as they are.
        click.echo(f"published digest left as it is in {out} (--to and --force sends never "
                   "rewrite it)")
    else:
        _publish(digests, built, out_dir, out)
    if not send:
        return
    # SIGINT/SIGTERM: the send loop adds who got it and who did not to the Interrupted
    # that the guard prints (mail.SendInterrupted).
    deliveries = digests.send_digest(built, force=force,
                                     log=lambda line: click.echo(line, err=True))
    for d in deliveries:
        click.echo(report_line(d))
    counts = {s: sum(d.status == s for d in deliveries)
              for s in ("sent", "already-sent", "failed", "unknown")}
    click.echo(f"{counts['sent']} sent, {counts['already-sent']} already sent (--force sends "
               f"again), {counts['failed']} failed"
               + (f", {counts['unknown']} unknown (may have been delivered)."
                  if counts["unknown"] else "."))
    if counts["failed"] or counts["unknown"]:
        raise SendError(f"the digest {period.name} did not reach "
                        f"{counts['failed'] + counts['unknown']} of {len(deliveries)} "
                        "recipients for certain")


def _publish(digests, built, out_dir: Path | None, out: Path) -> None:
    """Write the published files; say so when recipients already got an earlier version."""
    before = {name: (out / name).exists() for name in built.files}
    written = digests.write_digest(built, out_dir)
    for path in written.written:
        click.echo(f"wrote {path}")
    for path in written.unchanged:
        click.echo(f"unchanged {path}")
    for message in written.warnings:
        click.echo(f"warning: {message}", err=True)
    if written.feed:
        click.echo(f"digests feed: {written.feed}")
    if written.archive:
        click.echo(f"archive page: {written.archive}")
    if any(before.get(path.name) for path in written.written):
        count = sent_count(built.config.state_dir, built.period.name,
                           built.message["Message-ID"])
        if count:
            click.echo(f"note: the digest {built.period.name} changed after it was sent: "
                       f"already sent to {count} recipient{'s' * (count != 1)}: they got the "
                       "earlier version (--send --force sends this one again)")


# ---------------------------------------------------------------------------- serve

@main.command()
@_posts_option
@_config_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--out", "out_dir", metavar="DIR", type=click.Path(path_type=Path),
              help="Build into this folder (default: a temporary one, removed at the end).")
@click.option("--month", metavar="YYYY-MM",
              help="The digest to show (default: the month of the newest post).")
def serve(posts_dir, config_path, port, out_dir, month) -> None:
    """Preview the feeds and the digest in a browser; rebuild when a post, the config or
    a template changes, and reload the page.

    Serves on 127.0.0.1 only, from a temporary folder (the published feeds are never
    touched unless --out names them). Stop with Ctrl-C. Example:

        feedletter serve --port 8000
    """
    from .serve import serve as run_serve

    run_serve(Path(config_path or "feedletter.toml"), posts_dir=posts_dir, port=port,
              out=out_dir, month=month, log=lambda line: click.echo(line, err=True))
