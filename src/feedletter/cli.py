"""Command line: parse arguments, call the library, map errors to exit codes.

Exit codes: 0 done; 1 some posts are bad (the rest was published); 2 usage or config
error; 3 the digest could not be delivered to every recipient; 75 another run holds the
lock (EX_TEMPFAIL: cron may simply try again later).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from . import __version__
from .build import build as run_build
from .build import load_site
from .config import Config, load_config
from .dates import parse_zone
from .errors import ConfigError, FeedletterError, LockBusy, SendError

EXIT_BAD_POSTS, EXIT_CONFIG, EXIT_SEND, EXIT_LOCKED = 1, 2, 3, 75


def _config(path: str | None) -> Config:
    return load_config(Path(path or "feedletter.toml"))


def _now(value: str | None, config: Config) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date-time", param_hint="--now") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=parse_zone(config.timezone, config.zones))
    return moment


def _report(problems, warnings, quiet: bool) -> None:
    for message in warnings:
        if not quiet:
            click.echo(f"warning: {message}", err=True)
    for problem in problems:
        click.echo(str(problem), err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"feedletter: {exc}", err=True)
            sys.exit(EXIT_CONFIG)
        except LockBusy as exc:
            click.echo(f"feedletter: {exc}", err=True)
            sys.exit(EXIT_LOCKED)
        except SendError as exc:
            click.echo(f"feedletter: {exc}", err=True)
            sys.exit(EXIT_SEND)
        except FeedletterError as exc:
            click.echo(f"feedletter: {exc}", err=True)
            sys.exit(EXIT_CONFIG)


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
def build(posts_dir, out_dir, config_path, now, strict, quiet) -> None:
    """Build the Atom, RSS and JSON feeds of the site, every tag and every author.

    Example: feedletter build --posts posts/ --out feeds/
    """
    config = _config(config_path)
    result = run_build(config, posts_dir=posts_dir, out_dir=out_dir,
                       now=_now(now, config), strict=strict)
    _report(result.errors, result.warnings, quiet)
    load, report = result.load, result.report
    if report is None:
        feeds = f"nothing written (--strict: {len(load.errors)} bad posts)"
    else:
        feeds = (f"{len(report.written)} files written, {len(report.unchanged)} unchanged, "
                 f"{len(report.removed)} removed")
    out = out_dir or config.output_dir
    click.echo(f"{len(load.posts)} posts published, {load.skipped} skipped (drafts, future), "
               f"{len(load.errors)} bad; {feeds} in {out}; {result.seconds:.2f} s")
    if load.errors:
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
    load, site = load_site(config, posts_dir, _now(now, config))
    _report(load.errors, load.warnings + site.warnings, quiet=False)
    click.echo(f"{len(load.posts)} posts publishable, {load.skipped} skipped (drafts, future), "
               f"{len(load.errors)} bad, {len(load.warnings) + len(site.warnings)} warnings")
    if load.errors:
        sys.exit(EXIT_BAD_POSTS)
