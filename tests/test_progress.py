"""Progress on stderr: shown on a terminal (a real pty), never in pipes, files or --quiet."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def _site(root: Path, posts: int = 30) -> Path:
    (root / "posts").mkdir()
    for i in range(posts):
        (root / "posts" / f"2020-01-{i % 28 + 1:02d}-post-{i}.md").write_text(textwrap.dedent(f"""\
            ---
            title: Post {i}
            tags: [t{i % 3}]
            ---
            Body of post {i}.
            """))
    cfg = root / "feedletter.toml"
    cfg.write_text('[site]\nurl = "https://e.org"\n')
    return cfg


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(SRC), TERM="xterm", COLUMNS="100")
    env.update(extra)
    return env


def _run_on_pty(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run with stderr on a pseudo-terminal (what a person sees) and stdout in a pipe."""
    master, slave = pty.openpty()
    # A terminal of 24 rows and 100 columns (a new pty has 0 columns: nothing would fit).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "feedletter", *args], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            proc.kill()
            pytest.fail("no output from the pty for 30 s")
        try:
            chunk = os.read(master, 65536)
        except OSError:          # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    out = proc.stdout.read() if proc.stdout else b""
    return proc.wait(), out, seen


BUILD = ["build", "--now", "2026-01-01T00:00:00Z", "--no-cache", "--jobs", "1"]


def test_a_terminal_sees_the_stages(tmp_path):
    _site(tmp_path)
    # The threshold is one second; 0 here so that a small site shows it too.
    code, out, terminal = _run_on_pty(BUILD, tmp_path, _env(FEEDLETTER_PROGRESS_AFTER="0"))
    assert code == 0, terminal
    assert b"30 posts published" in out
    assert b"rendering posts" in terminal and b"writing feeds" in terminal
    assert b"/30 " in terminal                      # posts rendered, counted against the total


def test_a_quick_build_on_a_terminal_shows_nothing(tmp_path):
    _site(tmp_path, posts=3)
    code, _, terminal = _run_on_pty(BUILD, tmp_path, _env(FEEDLETTER_PROGRESS_AFTER="30"))
    assert code == 0
    assert b"rendering" not in terminal and b"\r" not in terminal


def test_quiet_on_a_terminal_shows_nothing(tmp_path):
    _site(tmp_path)
    code, _, terminal = _run_on_pty([*BUILD, "--quiet"], tmp_path, _env(FEEDLETTER_PROGRESS_AFTER="0"))
    assert code == 0
    assert b"rendering" not in terminal and b"\r" not in terminal


@pytest.mark.parametrize("term", ["xterm", "dumb"])
def test_pipes_and_dumb_terminals_show_nothing(tmp_path, term):
    """Under cron stderr is a pipe or a log file: not a byte of progress there."""
    _site(tmp_path)
    env = _env(FEEDLETTER_PROGRESS_AFTER="0", TERM=term)
    if term == "xterm":
        proc = subprocess.run([sys.executable, "-m", "feedletter", *BUILD], cwd=tmp_path, env=env,
                              capture_output=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == b""
        assert b"\r" not in proc.stdout
    else:
        code, _, terminal = _run_on_pty(BUILD, tmp_path, env)
        assert code == 0 and b"rendering" not in terminal


def test_init_on_a_terminal(tmp_path):
    site = Path(__file__).parent / "init_sites" / "zola"
    out = tmp_path / "f.toml"
    code, stdout, terminal = _run_on_pty(["init", str(site), "--output", str(out)], tmp_path,
                                         _env(FEEDLETTER_PROGRESS_AFTER="0"))
    assert code == 0, terminal
    assert b"reading the site" in terminal
    assert b"wrote " in stdout and out.is_file()
