"""Crash safety and concurrency of `feedletter build` (and `digest`), as real processes.

The kill loop: a site is built with the "old" posts (A), then its posts are switched to
the "new" ones (B) and `feedletter build` is started and killed with SIGKILL at a random
moment, again and again (each run starts from what the killed one left: the output, the
cache in .feedletter/, the manifest). After every kill each file in the output folder must
be the complete A or B version of its path (or a hidden temporary file that is not
feed-named); at the end of each chain a build runs to completion and the output must equal
a clean build of B byte for byte, which also proves the next run did not trust a damaged
cache.

Concurrency: builds started at the same moment all exit 0 and leave the output of a clean
build; `digest --send` runs started at the same moment deliver one copy per recipient.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import shared_path

MAKE_CORPUS = shared_path() / "bench" / "make_corpus.py"
NOW = "2030-01-01T00:00:00+00:00"
POSTS = int(os.environ.get("FEEDLETTER_CRASH_POSTS", "300"))   # ~25 MB of feeds: kills land mid-write
KILLS = int(os.environ.get("FEEDLETTER_CRASH_KILLS", "200"))
KILLS_PER_CHAIN = 8         # at most; a chain also ends when a build completes before its kill
MANIFEST = ".feedletter-manifest"
FEED_SUFFIXES = (".xml", ".json", ".opml", ".html", ".txt", ".eml")
CONFIG = """\
[site]
title = "Crash test"
url = "https://example.org"
timezone = "UTC"
author = "Crash Team"

[feeds]
max_entries = 1000
"""


def feedletter(*args: str, cwd: Path, timeout: float = 180, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feedletter", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "feedletter", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def tree(top: Path) -> dict[str, bytes]:
    return {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*")) if p.is_file()}


def digests(top: Path) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in tree(top).items()}


# --- the corpus: old posts (A) and new posts (B) -----------------------------------------

def make_corpora(base: Path) -> tuple[Path, Path]:
    """posts-A from make_corpus.py; posts-B: some edited, some gone, some new, some
    re-tagged (so tag feeds appear and disappear). Unchanged posts are hard links, so the
    cache sees the same file (inode, mtime, ctime) in both."""
    if not MAKE_CORPUS.is_file():
        reason = f"{MAKE_CORPUS} not found (the shared benchmark corpus generator)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must not skip the crash tests")
        pytest.skip(reason)
    a, b = base / "posts-A", base / "posts-B"
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(a), str(POSTS)], check=True,
                   capture_output=True, timeout=120)
    b.mkdir()
    rng = random.Random(4)
    for i, path in enumerate(sorted(a.iterdir())):
        fate = rng.random()
        if fate < 0.05:
            continue                                            # deleted in B
        if fate < 0.15:                                         # edited: text and tags
            text = path.read_text("utf-8").replace("tags:", f"tags: [crash-new-{i % 7}]\nold_tags:", 1)
            (b / path.name).write_text(text + f"\n\nEdited for B ({i}).\n", "utf-8")
        else:
            os.link(path, b / path.name)
        if fate > 0.97:                                         # a new post beside it
            text = path.read_text("utf-8").replace("title:", "title: New in B —", 1)
            (b / f"new-{path.name}").write_text(text, "utf-8")
    return a, b


def make_site(root: Path, posts: Path) -> Path:
    root.mkdir(parents=True)
    (root / "feedletter.toml").write_text(CONFIG, "utf-8")
    (root / "posts").symlink_to(posts)
    return root


def switch_posts(site: Path, posts: Path) -> None:
    link = site / "posts"
    tmp = site / "posts.switch"
    tmp.symlink_to(posts)
    os.replace(tmp, link)


def build(site: Path, *extra: str) -> subprocess.CompletedProcess:
    result = feedletter("build", "--now", NOW, "--quiet", *extra, cwd=site)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@dataclass
class Reference:
    a: dict[str, str]                 # path → sha256 of the clean A build
    b: dict[str, str]                 # path → sha256 of the clean B build
    b_tree: dict[str, bytes]
    seconds_b: float                  # how long a build from A's state to B takes


@dataclass
class Tally:
    kills: int = 0
    completed_early: int = 0
    chains: int = 0
    partial_states: int = 0            # kills after which the output was neither A nor B
    cache_problems: int = 0
    leftovers: list[str] = field(default_factory=list)


def check_killed_state(out: Path, ref: Reference, tally: Tally) -> None:
    """Every file is a complete A or B version; temporaries are hidden, not feed-named."""
    now = digests(out)
    for name, digest in now.items():
        base = name.rsplit("/", 1)[-1]
        if name == MANIFEST:
            listed = json.loads((out / name).read_text("utf-8"))
            assert set(listed) <= (ref.a.keys() | ref.b.keys()) - {MANIFEST}, name
            continue
        if name in ref.a or name in ref.b:
            assert digest in (ref.a.get(name), ref.b.get(name)), \
                f"{name}: neither its old nor its new version (torn or mixed write)"
            continue
        assert base.startswith(".") and not base.endswith(FEED_SUFFIXES), \
            f"{name}: a file that is in neither build and not a hidden temporary"
        tally.leftovers.append(name)
    if now != ref.a and now != ref.b:
        tally.partial_states += 1


# --- fixtures ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def crash_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    posts_a, posts_b = make_corpora(base)
    clean_a = make_site(base / "clean-A", posts_a)
    clean_b = make_site(base / "clean-B", posts_b)
    build(clean_a, "--no-cache")
    build(clean_b, "--no-cache")
    work = make_site(base / "work", posts_a)
    build(work)
    assert tree(work / "feeds") == tree(clean_a / "feeds")
    saved = base / "saved-A"
    shutil.copytree(work / "feeds", saved / "feeds", symlinks=True)
    shutil.copytree(work / ".feedletter", saved / ".feedletter", symlinks=True)
    switch_posts(work, posts_b)
    started = time.monotonic()
    build(work)
    seconds_b = time.monotonic() - started
    b_tree = tree(clean_b / "feeds")
    assert tree(work / "feeds") == b_tree, "an incremental build from A differs from a clean B"
    ref = Reference(digests(clean_a / "feeds"), digests(clean_b / "feeds"), b_tree, seconds_b)
    assert ref.a != ref.b and len(ref.b) > 100
    return base, work, saved, posts_a, posts_b, ref


def restore_a(work: Path, saved: Path, posts_a: Path, posts_b: Path) -> None:
    """The site as a finished build of A left it, with the posts already switched to B."""
    for name in ("feeds", ".feedletter"):
        shutil.rmtree(work / name, ignore_errors=True)
        shutil.copytree(saved / name, work / name, symlinks=True)
    switch_posts(work, posts_b)


# --- the kill loop -----------------------------------------------------------------------

@pytest.mark.slow
def test_sigkill_at_random_moments_never_leaves_a_torn_feed(crash_site, record_property):
    base, work, saved, posts_a, posts_b, ref = crash_site
    rng = random.Random(int(os.environ.get("FEEDLETTER_CRASH_SEED", "20260101")))
    tally = Tally()
    out = work / "feeds"
    started = time.monotonic()
    while tally.kills < KILLS:
        restore_a(work, saved, posts_a, posts_b)
        tally.chains += 1
        for k in range(KILLS_PER_CHAIN):
            # each run of a chain has less left to do than the one before it
            proc = start("build", "--now", NOW, "--quiet", cwd=work)
            time.sleep(rng.uniform(0.0, ref.seconds_b * 0.75 ** k))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                tally.kills += 1
                check_killed_state(out, ref, tally)
            else:
                _, err = proc.communicate(timeout=30)
                assert proc.returncode == 0, err[-3000:]
                tally.completed_early += 1
                break
        result = build(work)
        if "cache" in result.stderr:
            tally.cache_problems += 1
        assert tree(out) == ref.b_tree, "the build after a kill does not equal a clean build"
    record_property("kills", tally.kills)
    print(f"\ncrash: {tally.kills} kills in {tally.chains} chains ({time.monotonic() - started:.0f} s), "
          f"{tally.partial_states} left a mix of old and new files, {tally.completed_early} "
          f"builds finished before their kill, {len(tally.leftovers)} temporary files seen, "
          f"{tally.cache_problems} cache warnings; a build from A to B takes {ref.seconds_b:.2f} s")
    assert tally.partial_states > tally.kills // 4, "kills rarely landed mid-write"


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_build_leaves_no_worker_behind_holding_its_lock(crash_site):
    """SIGKILL the build while its worker processes run: they must die with it (else they
    keep the build lock, and the next cron run waits 10 minutes and gives up)."""
    base, work, saved, posts_a, posts_b, ref = crash_site
    restore_a(work, saved, posts_a, posts_b)
    shutil.rmtree(work / ".feedletter")            # cold: parse and render in workers
    proc = start("build", "--now", NOW, "--quiet", "--jobs", "2", cwd=work)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        workers = children_of(proc.pid)
        time.sleep(0.01)
    assert workers, "the build finished or stalled without starting workers"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers), "workers outlived the killed build"
    started = time.monotonic()
    result = feedletter("build", "--now", NOW, "--quiet", "--jobs", "2", cwd=work, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert time.monotonic() - started < 60
    assert tree(work / "feeds") == ref.b_tree


# --- killed digests ----------------------------------------------------------------------

DIGEST = ("digest", "--since", "2016-01-01", "--until", "2017-01-01", "--now", NOW)
DIGEST_KILLS = int(os.environ.get("FEEDLETTER_CRASH_DIGEST_KILLS", "30"))


def digest_files(site: Path) -> dict[str, bytes]:
    out = site / "feeds"
    files = {str(p.relative_to(out)): p.read_bytes() for p in (out / "digests").rglob("*")
             if p.is_file() and not p.name.startswith(".")}   # temporaries: see `strays`
    feed = out / "digests.atom.xml"
    if feed.exists():
        files["digests.atom.xml"] = feed.read_bytes()
    return files


def restore_digests(site: Path, files: dict[str, bytes]) -> None:
    out = site / "feeds"
    shutil.rmtree(out / "digests", ignore_errors=True)
    (out / "digests.atom.xml").unlink(missing_ok=True)
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)


@pytest.mark.slow
def test_sigkill_during_digest_never_leaves_a_torn_file(crash_site):
    base, work, saved, posts_a, posts_b, ref = crash_site
    clean_b = base / "clean-B"
    assert feedletter(*DIGEST, cwd=clean_b).returncode == 0
    new = digest_files(clean_b)
    restore_a(work, saved, posts_a, posts_b)
    switch_posts(work, posts_a)
    assert feedletter(*DIGEST, cwd=work).returncode == 0
    old = digest_files(work)
    assert old.keys() == new.keys() and old != new
    switch_posts(work, posts_b)
    started = time.monotonic()
    assert feedletter(*DIGEST, cwd=work).returncode == 0
    seconds = time.monotonic() - started
    assert digest_files(work) == new
    rng = random.Random(7)
    out = work / "feeds"
    kills = mixed = rounds = 0
    while kills < DIGEST_KILLS:
        rounds += 1
        restore_digests(work, old)
        for _ in range(3):
            proc = start(*DIGEST, cwd=work)
            # most of a digest run is starting and loading; its files are written last
            time.sleep(seconds * rng.uniform(0.3, 1.1))
            if proc.poll() is not None:
                assert proc.wait(timeout=30) == 0
                break
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            kills += 1
            now = digest_files(work)
            for name, data in now.items():
                assert data in (old.get(name), new.get(name)), f"{name}: torn digest file"
            strays = [p for p in (out / "digests").rglob("*") if p.is_file()
                      and str(p.relative_to(out)) not in new]
            assert all(p.name.startswith(".") and not p.name.endswith(FEED_SUFFIXES)
                       for p in strays), strays
            mixed += now != old and now != new
        started = time.monotonic()
        result = feedletter(*DIGEST, cwd=work)
        # A busy moment (the other test worker) can make the first timing too long; then most
        # runs finish before their kill and rounds go by without one (150 s instead of 40 s).
        # The fastest whole run seen so far times the kills.
        seconds = min(seconds, time.monotonic() - started)
        assert result.returncode == 0, result.stderr[-2000:]
        assert digest_files(work) == new, "the digest after a kill differs from a clean one"
    print(f"\ndigest: {kills} kills in {rounds} rounds, {mixed} left a mix of old and new files; "
          f"a digest run takes {seconds:.2f} s")


# --- concurrency -------------------------------------------------------------------------

@pytest.mark.slow
def test_builds_started_together_all_succeed_and_agree(crash_site):
    """Overlapping cron runs: each waits for the build lock, none fails, nothing is torn."""
    base, work, saved, posts_a, posts_b, ref = crash_site
    for runs in (2, 3, 2):
        restore_a(work, saved, posts_a, posts_b)
        procs = [start("build", "--now", NOW, "--quiet", cwd=work) for _ in range(runs)]
        for proc in procs:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err[-3000:]
        assert tree(work / "feeds") == ref.b_tree


SEND_ROUNDS = 6
READERS = ["ada@example.org", "bob@example.net", "cy@example.com"]


@pytest.fixture
def newsletter(tmp_path):
    """A small site whose digest goes to READERS through a real SMTP server (STARTTLS, AUTH)."""
    from smtputil import PASSWORD, SmtpServer, make_certs, smtp_toml

    (tmp_path / "certs").mkdir()
    certs = make_certs(tmp_path / "certs")
    server = SmtpServer(certs, security="starttls", auth=True).start()
    site = tmp_path / "news"
    (site / "posts").mkdir(parents=True)
    (site / "feedletter.toml").write_text(f"""\
[site]
title = "News"
url = "https://example.org"
[digest]
from = "News <news@example.org>"
to = {json.dumps(READERS)}
unsubscribe_url = "https://example.org/unsubscribe"
{smtp_toml(server, certs)}""", "utf-8")
    for day in (3, 12, 25):
        (site / "posts" / f"2016-11-{day:02d}-post.md").write_text(
            f"---\ntitle: News of the {day}th\ndate: 2016-11-{day:02d} 10:00\n---\nText.\n", "utf-8")
    env = {**os.environ, "FEEDLETTER_SMTP_PASSWORD": PASSWORD}
    try:
        yield site, server, env
    finally:
        server.stop()


def test_digest_sends_started_together_deliver_one_copy_each(newsletter):
    """Two (or three) `digest --send` at the same moment: one sends, the others find the
    send lock taken (exit 75) or everything already sent (exit 0); nobody gets two."""
    site, server, env = newsletter
    args = [sys.executable, "-m", "feedletter", "digest", "--month", "2016-11", "--send",
            "--now", NOW]
    outcomes = {0: 0, 75: 0}
    for round_ in range(1, SEND_ROUNDS + 1):
        (site / ".feedletter" / "sent.sqlite").unlink(missing_ok=True)   # a new month, say
        if round_ % 2:
            server.handler.script("MAIL", "stall:0.3")     # the first sender is slow
        runs = 3 if round_ > SEND_ROUNDS // 2 else 2
        procs = [subprocess.Popen(args, cwd=site, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(runs)]
        codes = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            codes.append(proc.returncode)
            assert proc.returncode in (0, 75), out + err
            assert "Traceback" not in err
            outcomes[proc.returncode] += 1
        assert 0 in codes, codes
        assert [server.handler.copies(r) for r in READERS] == [round_] * len(READERS), \
            f"round {round_}: exit codes {codes}"
    print(f"\nsends: {sum(outcomes.values())} runs in {SEND_ROUNDS} rounds, {outcomes[75]} found "
          f"the send lock taken, {len(server.handler.messages)} messages for "
          f"{len(READERS) * SEND_ROUNDS} deliveries")
