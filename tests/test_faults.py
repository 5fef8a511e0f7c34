"""What the machine and the folders do to a run, through the real CLI in a subprocess:
links and special files planted in the output, stray files among the digests, two sites
writing into nested folders, a busy cache, a full disk, read-only folders, signals, posts
that vanish mid-build, and a bug. Each has one outcome: the documented exit status and
one line naming the file; never a traceback (every run is checked by `check_cli_output`),
never a write outside the output folder, never a hang (every run has a time limit).

Where a fault must land at one moment of a run (a post deleted after the scan, a signal
while feeds are emitted, a bug in an emitter), the subprocess runs the CLI behind a few
lines (`patch=`) that wrap one library function to cause it there; everything else is the
real program.
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import click
import feedparser
import pytest
from click.testing import CliRunner

from conftest import INTERNAL_ERROR, TRACEBACK, check_cli_output

NOW = "2030-01-01T00:00:00+00:00"
CONFIG = """\
[site]
title = "Faults"
url = "https://example.org"
timezone = "UTC"
author = "Site Team"
"""
POSTS = {
    "a.md": "---\ntitle: Post A\ndate: 2026-09-01 10:00\ntags: alpha\n---\nA body.\n",
    "b.md": "---\ntitle: Post B\ndate: 2026-09-02 10:00\ntags: alpha, beta\n---\nB body.\n",
    "c.md": "---\ntitle: Post C\ndate: 2026-09-03 10:00\ntags: beta\n---\nC body.\n",
    "d.md": "---\ntitle: Post D\ndate: 2026-09-04 10:00\ntags: gamma\n---\nD body.\n",
}
RUN = "\nimport feedletter.cli\nfeedletter.cli.main(sys.argv[1:], prog_name='feedletter')\n"
PRELUDE = "import os, sys, time\nfrom pathlib import Path\n"


def make_site(root: Path, out: str = "feeds") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "feedletter.toml").write_text(CONFIG + f'[paths]\noutput = "{out}"\n', "utf-8")
    (root / "posts").mkdir()
    for name, text in POSTS.items():
        (root / "posts" / name).write_text(text, "utf-8")
    return root


def cli(root: Path, *args: str, patch: str = "", env: dict | None = None, timeout: float = 20,
        preexec=None) -> subprocess.CompletedProcess:
    """Run feedletter in `root` (with `--now` for build and digest), under a time limit.
    Its output is checked for tracebacks by conftest's wrapper of `communicate`."""
    argv = list(args)
    if argv and argv[0] in ("build", "digest") and "--now" not in argv:
        argv += ["--now", NOW]
    code = PRELUDE + textwrap.dedent(patch) + RUN
    return subprocess.run([sys.executable, "-c", code, *argv], cwd=root, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})},
                          preexec_fn=preexec)


def here(root: Path, *args: str):
    """A run in this process (CliRunner): no interpreter start. For runs that set the scene
    and for faults that cannot hang, kill or limit the process; those run in their own
    (`cli`)."""
    from feedletter.cli import main

    argv = [*args, "--now", NOW] if args[0] in ("build", "digest") else list(args)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, argv, catch_exceptions=False)
    finally:
        os.chdir(cwd)


def ok(root: Path, *args: str) -> None:
    result = here(root, *args)
    assert result.exit_code == 0, result.output


@pytest.fixture
def other_process():
    """The pid of another live process (a temporary "in flight" belongs to it)."""
    proc = subprocess.Popen(["sleep", "60"])
    yield proc.pid
    proc.kill()
    proc.wait()


def tree(top: Path) -> dict[str, bytes]:
    return {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def temporaries(top: Path) -> list[Path]:
    return [p for p in top.rglob("*.feedletter-tmp")]


def titles(feed: Path) -> set[str]:
    parsed = feedparser.parse(feed.read_bytes())
    assert parsed.bozo == 0, parsed.bozo_exception
    return {e.title for e in parsed.entries}


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("feedletter:")]
    assert len(lines) == 1, stderr
    return lines[0]


def without_dac_override() -> None:
    """In the child, before exec: root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
    (dropped from the bounding set, so exec keeps them dropped) meets permissions like
    anyone else, so a read-only folder really is one."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):                                   # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:            # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "PR_CAPBSET_DROP")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


# --- one writer: links, special files, stray temporaries -------------------------------

def test_a_link_planted_at_the_temporary_name_is_not_written_through(site, tmp_path,
                                                                     monkeypatch):
    """Temporary names are random; even a link planted at the very name chosen (forced
    here) is not followed: O_EXCL|O_NOFOLLOW refuses it, exit 73, the target untouched."""
    import feedletter.output

    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    monkeypatch.setattr(feedletter.output, "temp_name", lambda name: f".{name}.guessed")
    (site / "feeds").mkdir()
    for name in ("all.atom.xml", "index.html", ".feedletter-manifest"):
        (site / "feeds" / f".{name}.guessed").symlink_to(victim)
    result = here(site, "build")
    assert result.exit_code == 73, result.output
    assert "temporary name" in one_line(result.stderr)
    assert victim.read_text() == "precious\n"
    assert not any(p.is_symlink() for p in (site / "feeds").iterdir()
                   if not p.name.endswith(".guessed"))


def test_stale_temporaries_are_removed_only_when_their_process_is_gone(site, tmp_path,
                                                                      other_process):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    feeds = site / "feeds"
    feeds.mkdir()
    dead = feeds / ".all.atom.xml.999999999-00aa.feedletter-tmp"      # no such pid
    dead_link = feeds / ".all.rss.xml.999999999-00bb.feedletter-tmp"
    live = feeds / f".all.json.{other_process}-00cc.feedletter-tmp"      # alive
    dead.write_text("half")
    dead_link.symlink_to(victim)
    live.write_text("in flight")
    ok(site, "build")
    assert not dead.exists() and not dead_link.is_symlink()
    assert live.read_text() == "in flight"
    assert victim.read_text() == "precious\n"


def test_a_folder_replaced_by_a_link_is_refused_not_followed(site, tmp_path):
    """`feeds/tags` → another folder: nothing is written there; exit 73 naming it."""
    ok(site, "build")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    tags = site / "feeds" / "tags"
    for p in tags.iterdir():
        p.unlink()
    tags.rmdir()
    tags.symlink_to(elsewhere, target_is_directory=True)
    (site / "posts" / "e.md").write_text("---\ntitle: E\ndate: 2026-09-05\ntags: delta\n---\nE\n")
    result = here(site, "build")
    assert result.exit_code == 73, result.output
    line = one_line(result.stderr)
    assert "feeds/tags" in line and "symbolic link" in line, line
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("kind", ["fifo", "folder", "socket"])
def test_a_special_file_at_an_output_path_is_refused_without_hanging(site, kind):
    """A FIFO, a folder or a socket where `feeds/index.html` goes: refused by name, exit 73,
    well within the time limit (a blocking open would hang until killed)."""
    feeds = site / "feeds"
    feeds.mkdir()
    target = feeds / "index.html"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        import socket

        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
        sock.close()
    started = time.monotonic()
    result = cli(site, "build", timeout=15)
    assert time.monotonic() - started < 10
    assert result.returncode == 73, result.stderr
    line = one_line(result.stderr)
    assert "feeds/index.html" in line and ("pipe" in line or "folder" in line or "socket" in line)


def test_a_fifo_at_a_digest_file_and_the_lock_is_refused(site):
    ok(site, "digest", "--month", "2026-09")
    page = site / "feeds" / "digests" / "2026-09.txt"
    page.unlink()
    os.mkfifo(page)
    result = cli(site, "digest", "--month", "2026-09", timeout=15)
    assert result.returncode == 73 and "2026-09.txt" in one_line(result.stderr)
    lock = site / ".feedletter" / "build.lock"
    lock.unlink()
    os.mkfifo(lock)
    result = cli(site, "build", timeout=15)
    assert result.returncode == 73 and "build.lock" in one_line(result.stderr)


def test_stray_files_among_the_digests_are_named_and_skipped(site):
    """An empty file, a Latin-1 file and a folder named like digests: a warning each,
    the digest and its feed are still written, the feed lists the real digest only."""
    ok(site, "digest", "--month", "2026-09")
    digests = site / "feeds" / "digests"
    (digests / "2026-08.html").write_bytes(b"")
    (digests / "2026-07.html").write_bytes("<html><title>Caf\xe9</title></html>".encode("latin-1"))
    (digests / "2026-06.html").mkdir()
    os.mkfifo(digests / "2026-05.html")
    result = cli(site, "digest", "--month", "2026-09", timeout=15)
    assert result.returncode == 0, result.stderr
    for name, reason in (("2026-08.html", "not a digest page"), ("2026-07.html", "not UTF-8"),
                         ("2026-06.html", "not a regular file"), ("2026-05.html", "not a regular file")):
        assert any(name in line and reason in line for line in result.stderr.splitlines()), \
            (name, result.stderr)
    assert titles(site / "feeds" / "digests.atom.xml") == {"Faults — September 2026"} or \
        len(feedparser.parse((site / "feeds" / "digests.atom.xml").read_bytes()).entries) == 1


def test_two_sites_in_nested_folders_keep_each_others_files(tmp_path, other_process):
    """Site A builds into www/, site B into www/b/, at the same time and in turn: each
    leaves the other's files and in-flight temporaries alone."""
    a = make_site(tmp_path / "a", out="../www")
    b = make_site(tmp_path / "b", out="../www/b")
    (b / "posts" / "a.md").write_text(POSTS["a.md"].replace("Post A", "Post A of B"))
    www = tmp_path / "www"
    (www / "b").mkdir(parents=True)
    in_flight = www / "b" / f".all.atom.xml.{other_process}-00dd.feedletter-tmp"
    in_flight.write_text("B is writing this")
    argv = [sys.executable, "-m", "feedletter", "build", "--now", NOW]
    procs = [subprocess.Popen(argv, cwd=site, stderr=subprocess.PIPE, text=True) for site in (a, b)]
    for proc in procs:
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
    assert in_flight.read_text() == "B is writing this"
    assert "Post A of B" in titles(www / "b" / "all.atom.xml")
    assert "Post A" in titles(www / "all.atom.xml")
    for site in (a, b, a):
        ok(site, "build")
    assert (www / "b" / "all.atom.xml").is_file() and in_flight.exists()


# --- the busy rule ------------------------------------------------------------------------

def test_a_busy_cache_means_wait_then_75_never_damaged(site):
    """Another process holds a write transaction on the cache: the build waits the bound
    (FEEDLETTER_LOCK_WAIT=0.4 here; 30 s by default), exits 75 naming the cache, and does not
    move the cache aside as damaged. Once released, the next build uses it."""
    ok(site, "build")
    cache = site / ".feedletter" / "cache.sqlite"
    holder = sqlite3.connect(cache, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        for args in (("build",), ("digest", "--month", "2026-09")):
            started = time.monotonic()
            result = cli(site, *args, env={"FEEDLETTER_LOCK_WAIT": "0.4"})
            assert result.returncode == 75, result.stderr
            assert 0.4 <= time.monotonic() - started < 15
            line = one_line(result.stderr)
            assert "cache.sqlite" in line and "another run holds" in line, line
        assert not list(cache.parent.glob("*.damaged"))
    finally:
        holder.close()
    result = cli(site, "build")
    assert result.returncode == 0 and "damaged" not in result.stderr


def test_a_held_build_lock_waits_the_bound_then_75(site):
    import fcntl

    (site / ".feedletter").mkdir()
    with open(site / ".feedletter" / "build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        result = cli(site, "build", env={"FEEDLETTER_LOCK_WAIT": "0.5"})
    assert result.returncode == 75 and "build.lock" in one_line(result.stderr)


# --- disk full, read-only folders, .feedletter a file --------------------------------------

def _edit(site: Path) -> None:
    path = site / "posts" / "a.md"
    path.write_text(path.read_text().replace("A body.", "A body, edited and longer now."))


def test_a_full_disk_is_exit_74_and_leaves_published_files_intact(site):
    """RLIMIT_FSIZE makes every write past 1,000 bytes fail (EFBIG, as a full disk gives
    ENOSPC): one line naming the file, exit 74, every published file as it was, no
    temporary left behind."""
    ok(site, "build")
    before = tree(site / "feeds")
    _edit(site)

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))

    result = cli(site, "build", "--no-cache", preexec=small_disk)
    assert result.returncode == 74, result.stderr
    line = one_line(result.stderr)
    assert "feeds/" in line and "File too large" in line and "half-written" in line, line
    assert tree(site / "feeds") == before
    result = cli(site, "build", preexec=small_disk)        # the cache cannot be written either
    assert result.returncode == 74, result.stderr
    assert "cache.sqlite" in one_line(result.stderr) or "File too large" in result.stderr
    assert tree(site / "feeds") == before
    assert temporaries(site) == []
    ok(site, "build")
    assert tree(site / "feeds") != before


@pytest.mark.parametrize(("folder", "lock", "named"), [("feeds", True, "feeds"),
                                                      (".feedletter", False, "build.lock"),
                                                      (".feedletter", True, "cache.sqlite")])
def test_a_read_only_folder_is_one_line_and_exit_73(site, folder, lock, named):
    """Read-only `feeds/`; read-only `.feedletter/` without its lock file (it cannot be
    created) and with it (the feeds are published, then SQLite cannot write the cache's
    journal: exit 73 naming the cache, which is not called damaged)."""
    ok(site, "build")
    before = tree(site / "feeds")
    _edit(site)
    target = site / folder
    if not lock:
        (target / "build.lock").unlink()
    modes = {p: p.stat().st_mode for p in [target, *target.rglob("*")] if p.is_dir()}
    for p in modes:
        p.chmod(0o555)
    try:
        result = cli(site, "build", preexec=without_dac_override)
    finally:
        for p, mode in modes.items():
            p.chmod(stat.S_IMODE(mode))
    assert result.returncode == 73, result.stderr
    line = one_line(result.stderr)
    assert named in line, line
    assert not list((site / ".feedletter").glob("*.damaged"))
    if named != "cache.sqlite":
        assert tree(site / "feeds") == before
    else:       # the feeds came first and are complete: a clean build changes nothing
        after = tree(site / "feeds")
        assert after != before
        ok(site, "build", "--no-cache")
        assert tree(site / "feeds") == after


def test_feedletter_state_folder_being_a_file_is_exit_73(site):
    (site / ".feedletter").write_text("not a folder")
    result = here(site, "build")
    assert result.exit_code == 73
    assert ".feedletter" in one_line(result.stderr) and "not a folder" in result.stderr


# --- signals ---------------------------------------------------------------------------

HOLD = """
import feedletter.build as _b
_emit = _b.emit_feed
def _held(*args, **kwargs):
    Path(os.environ["FL_MARK"]).touch()
    time.sleep(30)
    return _emit(*args, **kwargs)
_b.emit_feed = _held
"""


@pytest.mark.parametrize(("sig", "code", "name"), [(signal.SIGTERM, 143, "SIGTERM"),
                                                   (signal.SIGINT, 130, "SIGINT")])
def test_sigterm_and_sigint_exit_143_and_130_saying_what_was_done(site, tmp_path, sig, code, name):
    mark = tmp_path / "emitting"
    argv = [sys.executable, "-c", PRELUDE + HOLD + RUN, "build", "--now", NOW, "--jobs", "1"]
    proc = subprocess.Popen(argv, cwd=site, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "FL_MARK": str(mark)})
    try:
        deadline = time.monotonic() + 15
        while not mark.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert mark.exists(), "the build never reached the emitters"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    line = one_line(err)
    assert f"interrupted by {name}" in line and "half-written" in line, line
    # what was done: the manifest was written before the emitters started
    assert re.search(r"; [1-9]\d* files? written by this process before it;", line), line
    assert "Aborted!" not in err
    assert temporaries(site) == []
    assert not (site / ".feedletter" / "last-error.txt").exists()


# --- posts that vanish mid-build -------------------------------------------------------------

def _before_rendering(monkeypatch, change) -> None:
    """Run `change()` once, when the renderer is first asked for posts (a git pull lands)."""
    import feedletter.build

    prepare, done = feedletter.build.Renderer.prepare, []

    def prepare_after_change(self, posts):
        if not done:
            done.append(change())
        return prepare(self, posts)
    monkeypatch.setattr(feedletter.build.Renderer, "prepare", prepare_after_change)


def test_posts_deleted_or_replaced_while_rendering_are_bad_posts_the_rest_published(
        site, monkeypatch):
    def pull() -> None:
        (site / "posts" / "b.md").unlink()
        (site / "posts" / "c.md").write_text("---\ntitle: C swapped\ndate: 2026-09-03\n---\nNew.\n")
    _before_rendering(monkeypatch, pull)
    result = here(site, "build")
    assert result.exit_code == 1, result.output
    for name in ("b.md", "c.md"):
        assert any(line.endswith(f"{name}: changed while the build was running")
                   or f"{name}: changed while the build was running (" in line
                   for line in result.stderr.splitlines()), result.stderr
    assert titles(site / "feeds" / "all.atom.xml") == {"Post A", "Post D"}
    assert "2 posts published" in result.stdout and "2 bad" in result.stdout
    monkeypatch.undo()
    ok(site, "build")                           # the next run picks up what is there now
    assert titles(site / "feeds" / "all.atom.xml") == {"Post A", "C swapped", "Post D"}


def test_a_post_deleted_before_a_digest_renders_it_is_left_out_with_a_warning(site, monkeypatch):
    _before_rendering(monkeypatch, (site / "posts" / "b.md").unlink)
    result = here(site, "digest", "--month", "2026-09")
    assert result.exit_code == 0, result.output
    assert "warning: not in any digest: posts/b.md: changed while the build was running" \
        in result.stderr
    page = (site / "feeds" / "digests" / "2026-09.txt").read_text()
    assert "Post A" in page and "Post C" in page and "Post B" not in page


def test_a_post_deleted_between_scan_and_read_is_a_bad_post(site, monkeypatch):
    import feedletter.build

    scan_posts = feedletter.build.scan_posts

    def scan_then_delete(folder, *rest):
        found = scan_posts(folder, *rest)
        (Path(folder) / "b.md").unlink()
        return found
    monkeypatch.setattr(feedletter.build, "scan_posts", scan_then_delete)
    result = here(site, "build")
    assert result.exit_code == 1, result.output
    assert "b.md: changed while the build was running (the file is gone)" in result.stderr
    assert titles(site / "feeds" / "all.atom.xml") == {"Post A", "Post C", "Post D"}


# --- the top-level guard: a bug is exit 70 and a saved traceback ----------------------------

BUG = """
import feedletter.build as _b
def _broken(*args, **kwargs):
    return 1 / 0
_b.emit_feed = _broken
"""


def test_an_internal_error_is_one_line_exit_70_and_a_saved_traceback(site, allow_internal_error):
    result = cli(site, "build", "--jobs", "1", patch=BUG)
    assert result.returncode == 70, result.stderr
    assert result.stderr.strip() == ("feedletter: internal error: ZeroDivisionError: division "
                                     "by zero; details in .feedletter/last-error.txt")
    details = (site / ".feedletter" / "last-error.txt").read_text()
    assert TRACEBACK in details and "ZeroDivisionError" in details and "_broken" in details


def test_an_internal_error_with_an_unusable_state_folder_is_still_one_line(site, allow_internal_error):
    (site / ".feedletter").write_text("a file")
    patch = """
        import feedletter.cli as _c
        def _broken(path):
            raise RuntimeError("config reader bug")
        _c.load_config = _broken
    """
    result = cli(site, "build", patch=patch)
    assert result.returncode == 70
    line = one_line(result.stderr)
    assert line.startswith(f"{INTERNAL_ERROR} RuntimeError: config reader bug; the details "
                           "could not be saved ("), line


def test_an_internal_error_under_clirunner(tmp_path, monkeypatch, allow_internal_error):
    import feedletter.build
    from feedletter.cli import main

    make_site(tmp_path / "s")
    monkeypatch.chdir(tmp_path / "s")
    monkeypatch.setattr(feedletter.build, "emit_feed", lambda *a, **k: {}["missing"])
    result = CliRunner().invoke(main, ["build", "--now", NOW, "--jobs", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 70
    assert "internal error: KeyError: 'missing'" in result.output
    assert TRACEBACK not in result.output


# --- the check itself ---------------------------------------------------------------------

@click.command()
@click.option("--what", default="traceback")
def noisy(what: str) -> None:
    if what == "traceback":
        click.echo(f"{TRACEBACK}:\n  File \"x.py\", line 1\nValueError: x", err=True)
    else:
        click.echo(f"{INTERNAL_ERROR} ValueError: x; details in nowhere.txt", err=True)


@pytest.mark.parametrize("what", ["traceback", "internal"])
def test_the_output_check_fails_a_run_that_shows_a_traceback(what):
    """The wrapped CliRunner and `check_cli_output` (the subprocess helpers') fail the test."""
    with pytest.raises(pytest.fail.Exception):
        CliRunner().invoke(noisy, ["--what", what])
    text = f"warning: x\n{TRACEBACK}:\n" if what == "traceback" else f"{INTERNAL_ERROR} x"
    with pytest.raises(pytest.fail.Exception):
        check_cli_output(text)
    check_cli_output("warning: an ordinary line\nfeedletter: posts/x.md: bad date\n")


def test_the_output_check_covers_feedletter_subprocesses():
    """`communicate` (and so `subprocess.run`) of a feedletter process is checked; other
    programs' output is not the CLI's."""
    crash = "import feedletter.cli, sys; sys.stderr.write('Traceback (most recent call last):\\n')"
    with pytest.raises(pytest.fail.Exception):
        subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, timeout=20)
    other = "import sys; sys.stderr.write('Traceback (most recent call last):\\n')"
    subprocess.run([sys.executable, "-c", other], capture_output=True, text=True, timeout=20)


def test_a_fifo_given_as_the_intro_is_refused_without_hanging(site):
    """`digest --intro FILE` where FILE is a pipe: one usage line, exit 2, no wait."""
    fifo = site / "intro.md"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = cli(site, "digest", "--month", "2026-09", "--intro", str(fifo), timeout=15)
    assert time.monotonic() - started < 10
    assert result.returncode == 2 and "is not a regular file" in result.stderr, result.stderr


def test_a_link_planted_where_the_ledger_is_built_is_not_written_through(tmp_path):
    """The new ledger is built under a random O_EXCL name: a link at the name it once had
    (`sent.sqlite.new`) leads nowhere, and the file it points at is left as it was."""
    from feedletter.mail.ledger import LEDGER_NAME, Ledger

    state = tmp_path / ".feedletter"
    state.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n")
    (state / (LEDGER_NAME + ".new")).symlink_to(victim)
    with Ledger.open(state / LEDGER_NAME) as ledger:
        assert ledger.path == state / LEDGER_NAME
    assert victim.read_text() == "mine\n"
    assert stat.S_ISREG(os.lstat(state / LEDGER_NAME).st_mode)
    assert not [p for p in state.iterdir() if p.name.endswith(".new") and not p.is_symlink()]
