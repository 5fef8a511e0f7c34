"""Shared fixtures: the real oVirt corpus, small sites written in tmp folders, the CLI.

Every run of the CLI in the tests is checked for a Python traceback (the promise: a user
never sees one; `.feedletter/last-error.txt` is the only place one may appear) and for
`feedletter: internal error` (a bug, exit 70), by one autouse fixture
(`_cli_output_checked`) that wraps the two ways tests run it: `CliRunner.invoke`, and
`subprocess.Popen.communicate` (which `subprocess.run` uses too) for any process running
`-m feedletter` or a `-c` script calling `feedletter.cli`. A helper that reads a run's
output some other way (the hostile suite's fork server) calls `check_cli_output` itself.
A test that provokes an internal error on purpose asks for `allow_internal_error`.
"""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import click.testing
import pytest
from click.testing import CliRunner

from feedletter.cli import main
from smtputil import Certs, SmtpServer, make_certs

REPO = Path(__file__).resolve().parents[1]
CORPUS_CONFIG = """\
[site]
title = "oVirt Blog"
url = "https://www.ovirt.org"
timezone = "UTC"
author = "oVirt community"

[zones]
IST = "Asia/Jerusalem"    # the oVirt authors are in Israel, not India
"""


def shared_path() -> Path:
    """The shared folder (real corpora, the synthetic corpus generator): `../shared` beside
    the repository, as in CI, or beside a folder above it (a git worktree such as
    /work/wt/<name> then finds /work/shared, so corpus tests run there instead of skipping)."""
    for folder in REPO.parents:
        if (folder / "shared" / "corpus").is_dir():
            return folder / "shared"
    return REPO.parent / "shared"


def corpus_path() -> Path:
    env = os.environ.get("FEEDLETTER_CORPUS")
    return Path(env) if env else shared_path() / "corpus" / "ovirt-blog"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    path = corpus_path()
    if not (path / "2016-12-02-ovirt-november-newsletter.md").is_file():
        reason = (f"real corpus not found at {path} (set FEEDLETTER_CORPUS to the "
                  "ovirt-blog folder)")
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must not skip corpus tests")
        pytest.skip(reason)
    return path


@pytest.fixture
def corpus_site(tmp_path: Path, corpus_dir: Path) -> Path:
    """A site folder whose config points at the real corpus; returns the config path."""
    cfg = tmp_path / "feedletter.toml"
    cfg.write_text(CORPUS_CONFIG + f'\n[paths]\nposts = "{corpus_dir}"\noutput = "feeds"\n')
    return cfg


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    """Work units for pytest-xdist (`make test` runs `-n 2 --dist loadgroup`): the tests
    of a module that share a module-scoped fixture (a corpus build, the crash site, an SMTP
    server, a fork server) run on one worker, so it is made once, not once per worker; the
    browser tests share one worker (one headless Chromium at a time). Every other test is
    handed out alone. Without xdist the mark changes nothing."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
            continue
        info = getattr(item, "_fixtureinfo", None)
        defs = info.name2fixturedefs.values() if info is not None else ()
        if any(d.scope in ("module", "class", "package") for group in defs for d in group):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
    result = yield
    if getattr(config.option, "loadgroup", False):       # an xdist worker of --dist loadgroup
        for item in items:
            _keep_group_suffix(item)
    return result


def _keep_group_suffix(item: pytest.Item) -> None:
    """pytest-xdist 3.8 tells the scheduler an item's group by appending `@group` to its
    `_nodeid`, which pytest 9.2 no longer reads (it keeps a structured `_id`): the groups are
    then silently ignored (pytest-dev/pytest-xdist#1386, fix pending in #1388). Append it to
    `_id` the same way; a no-op once xdist does it itself."""
    names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                    for m in item.iter_markers("xdist_group")})
    suffix = "@" + "_".join(names)
    if not names or item.nodeid.endswith(suffix) or not hasattr(item, "_id"):
        return
    from _pytest.nodeid import NodeId

    item._id = NodeId.parse(item.nodeid + suffix)


TRACEBACK = "Traceback (most recent call last)"
INTERNAL_ERROR = "feedletter: internal error:"
_ALLOWED = {"internal_error": False}


def check_cli_output(text: str | bytes | None, what: str = "feedletter", *,
                     cwd: Path | None = None) -> None:
    """Fail the test when a CLI run's output shows a traceback, or an internal error the
    test did not ask for (then the saved traceback is shown)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not text:
        return
    if TRACEBACK in text:
        pytest.fail(f"{what} printed a Python traceback:\n{text[-4000:]}", pytrace=False)
    if INTERNAL_ERROR in text and not _ALLOWED["internal_error"]:
        details = ""
        m = re.search(r"details in (\S+)$", text, re.M)
        if m:
            path = Path(cwd or os.getcwd()) / m[1]
            details = path.read_text("utf-8", "replace") if path.is_file() else ""
        pytest.fail(f"{what} hit an internal error (exit 70):\n{text[-2000:]}\n{details}",
                    pytrace=False)


@pytest.fixture
def allow_internal_error():
    """For tests that provoke `feedletter: internal error` on purpose."""
    _ALLOWED["internal_error"] = True
    yield
    _ALLOWED["internal_error"] = False


_original_invoke = click.testing.CliRunner.invoke


def _checked_invoke(self, *args, **kwargs):
    result = _original_invoke(self, *args, **kwargs)
    check_cli_output(result.output, "the CLI (CliRunner)")
    with_stderr = getattr(result, "stderr_bytes", None)
    if with_stderr:
        check_cli_output(with_stderr, "the CLI (CliRunner, stderr)")
    return result


_original_communicate = subprocess.Popen.communicate


def runs_feedletter(args: object) -> bool:
    """A process started with `python -m feedletter …` or `python -c "…feedletter.cli…"`."""
    argv = [str(a) for a in args] if isinstance(args, list | tuple) else [str(args)]
    return any(a == "-m" and b == "feedletter" for a, b in zip(argv, argv[1:], strict=False)) \
        or any(a == "-c" and "feedletter.cli" in b for a, b in zip(argv, argv[1:], strict=False))


def _checked_communicate(self, *args, **kwargs):
    out, err = _original_communicate(self, *args, **kwargs)
    if runs_feedletter(self.args):
        check_cli_output(err, "feedletter (subprocess, stderr)")
        check_cli_output(out, "feedletter (subprocess, stdout)")
    return out, err


@pytest.fixture(autouse=True)
def _cli_output_checked(monkeypatch):
    monkeypatch.setattr(click.testing.CliRunner, "invoke", _checked_invoke)
    monkeypatch.setattr(subprocess.Popen, "communicate", _checked_communicate)


class Site:
    """A throw-away site: write posts and a config, run the CLI in its folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.posts = root / "posts"
        self.posts.mkdir()
        self.out = root / "feeds"
        self.config_text = ('[site]\ntitle = "Test Site"\nurl = "https://example.org"\n'
                            'timezone = "Europe/Prague"\nauthor = "Site Team"\n')

    def config(self, extra: str = "") -> Path:
        path = self.root / "feedletter.toml"
        path.write_text(self.config_text + textwrap.dedent(extra))
        return path

    def post(self, name: str, text: str) -> Path:
        path = self.posts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def run(self, *args: str, now: str = "2030-01-01T00:00:00+00:00"):
        if not (self.root / "feedletter.toml").exists():
            self.config()
        argv = list(args)
        if argv and argv[0] in ("build", "check", "digest") and "--now" not in argv:
            argv += ["--now", now]
        cwd = os.getcwd()
        os.chdir(self.root)
        try:
            return CliRunner().invoke(main, argv, catch_exceptions=False)
        finally:
            os.chdir(cwd)


def november_posts(site: Site) -> None:
    """Two posts of November 2016 (a digest's month), each with its own slug and link."""
    for day, title in ((3, "Release 1.0"), (12, "Meetup in Brno")):
        site.post(f"2016-11-{day:02d}-post-{day}.md", f"""\
            ---
            title: {title}
            date: 2016-11-{day:02d} 10:00
            ---
            About {title}.
            """)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


# ─ a real SMTP server on 127.0.0.1 (aiosmtpd), for the tests that send through the CLI ─

@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """A CA and a server certificate, made once per test module."""
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def server(certs: Certs) -> Iterator[SmtpServer]:
    """A STARTTLS server with AUTH (smtputil's USERNAME and PASSWORD), one per test."""
    server = SmtpServer(certs, security="starttls", auth=True).start()
    try:
        yield server
    finally:
        server.stop()
