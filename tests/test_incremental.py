"""A cached, incremental build gives the same bytes as a cold one, whatever changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import shared_path
from feedletter.cache import shard_of
from feedletter.cli import main

NOW = "2030-01-01T00:00:00+00:00"


def make_corpus_script() -> Path:
    return shared_path() / "bench" / "make_corpus.py"


def synthetic_posts(folder: Path, count: int) -> list[Path]:
    """`count` posts from the shared corpus generator in `folder`, sorted by name (skipped
    with the reason when the generator is missing, except in CI)."""
    script = make_corpus_script()
    if not script.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{script} missing; CI must not skip")
        pytest.skip(f"synthetic corpus generator not found at {script}")
    subprocess.run([sys.executable, str(script), str(folder), str(count)], check=True,
                   capture_output=True, timeout=120)
    return sorted(folder.glob("*.md"))


def tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


class Workspace:
    def __init__(self, root: Path, posts: Path, extra_config: str = "") -> None:
        self.root, self.posts = root, posts
        self.cfg = root / "feedletter.toml"
        self.base = ('[site]\ntitle = "Inc"\nurl = "https://inc.example.org"\n'
                     'timezone = "Europe/Prague"\n[zones]\nIST = "Asia/Jerusalem"\n'
                     + extra_config + f'[paths]\nposts = "{posts}"\n')
        self.cfg.write_text(self.base)

    def build(self, out: str, *extra: str, quiet: bool = True):
        cwd = os.getcwd()
        os.chdir(self.root)
        try:
            return CliRunner().invoke(main, ["build", "--config", str(self.cfg), "--out", out,
                                             "--now", NOW, *(["--quiet"] * quiet), *extra])
        finally:
            os.chdir(cwd)

    def check_same_as_cold(self, label: str) -> str:
        warm = self.build("warm")
        cold_dir = self.root / "cold"
        shutil.rmtree(cold_dir, ignore_errors=True)
        cold = self.build("cold", "--no-cache")
        assert warm.exit_code == cold.exit_code != 2, (label, warm.output, cold.output)
        assert tree(self.root / "warm") == tree(cold_dir), label
        return warm.stdout


def built_site(tmp_path: Path, posts: dict[str, str]) -> Workspace:
    """A workspace with these post files (name: text), built once into `warm`."""
    folder = tmp_path / "posts"
    folder.mkdir()
    for name, text in posts.items():
        (folder / name).write_text(text)
    ws = Workspace(tmp_path, folder)
    assert ws.build("warm").exit_code == 0
    return ws


def edits(ws: Workspace, first: Path, second: Path):
    """The changes a cron job sees between two runs, applied one after another."""
    yield "edit body", lambda: first.write_text(first.read_text() + "\nOne more line.\n")
    yield "change tags", lambda: first.write_text(
        first.read_text().replace("---\n", "---\ntags: brand-new, Other Tag\n", 1)
        if "tags:" not in first.read_text().split("---")[1]
        else first.read_text().replace("tags:", "tags: brand-new,", 1))
    yield "rename file", lambda: second.rename(second.with_name("2016-01-01-renamed.md"))
    yield "delete file", lambda: second.with_name("2016-01-01-renamed.md").unlink()
    yield "config change", lambda: ws.cfg.write_text(ws.base.replace('"Inc"', '"Inc 2"'))
    tpl = ws.root / "tpl"

    def template_change() -> None:
        tpl.mkdir(exist_ok=True)
        (tpl / "feeds_index.html.j2").write_text("<!DOCTYPE html><title>{{ config.title }}</title>\n")
        ws.cfg.write_text(ws.cfg.read_text() + f'templates_dir = "{tpl}"\n')
    yield "template change", template_change
    yield "template edit", lambda: (tpl / "feeds_index.html.j2").write_text(
        "<!DOCTYPE html><title>{{ config.title }}!</title>\n")
    yield "touch without change", lambda: os.utime(first)


@pytest.fixture
def corpus_copy(tmp_path, corpus_dir):
    posts = tmp_path / "posts"
    shutil.copytree(corpus_dir, posts)
    return posts


def run_sequence(ws: Workspace, first: Path, second: Path) -> None:
    ws.check_same_as_cold("initial")
    again = ws.build("warm")
    assert " 0 files written" in again.stdout, again.stdout
    for label, change in edits(ws, first, second):
        change()
        ws.check_same_as_cold(label)


def test_incremental_equals_cold_on_the_real_corpus(tmp_path, corpus_copy):
    ws = Workspace(tmp_path, corpus_copy)
    run_sequence(ws, corpus_copy / "2019-04-15-ovn-security-groups.html.md",
                 corpus_copy / "2017-01-16-happy-new-documentation.md")


def test_incremental_equals_cold_on_a_synthetic_corpus(tmp_path):
    posts = tmp_path / "posts"
    files = synthetic_posts(posts, 120)
    ws = Workspace(tmp_path, posts, '[feeds]\nmax_entries = 20\n')
    run_sequence(ws, files[-1], files[len(files) // 2])


def test_one_edit_rewrites_only_the_feeds_that_carry_it(tmp_path):
    ws = built_site(tmp_path, {f"2020-01-0{i}-p{i}.md": f"---\ntitle: Post {i}\ntags: t{i}\n"
                               f"author: a{i}\n---\nBody {i}\n" for i in range(1, 6)})
    posts = ws.posts
    (posts / "2020-01-03-p3.md").write_text("---\ntitle: Post 3\ntags: t3\nauthor: a3\n---\nNew\n")
    result = ws.build("warm")
    # all.* + tags/t3.* + authors/a3.* (index files do not change: same feeds, same counts)
    assert "9 files written" in result.stdout, result.stdout


def test_damaged_cache_is_rebuilt_not_trusted(tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2020-01-01-a.md").write_text("---\ntitle: A\n---\nBody\n")
    ws = Workspace(tmp_path, posts)
    assert ws.build("warm").exit_code == 0
    db = tmp_path / ".feedletter" / "cache.sqlite"
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    db.write_bytes(bytes(data))
    (posts / "2020-01-01-a.md").write_text("---\ntitle: A changed\n---\nBody\n")
    result = ws.build("warm", quiet=False)
    assert result.exit_code == 0, result.output
    assert "cache" in result.stderr and "rebuilt" in result.stderr
    assert b"A changed" in (tmp_path / "warm" / "all.atom.xml").read_bytes()
    ws.check_same_as_cold("after damage")


def test_nothing_changed_shortcut_still_notices_outputs_and_time(tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2020-01-01-a.md").write_text("---\ntitle: A\ntags: x\n---\nBody\n")
    (posts / "2020-03-01-b.md").write_text("---\ntitle: B\ndate: 2020-03-01 10:00 UTC\n---\nLater\n")
    (posts / "2020-01-02-bad.md").write_text("---\ntitle: Bad\ndate: 2020-13-01\n---\n")
    ws = Workspace(tmp_path, posts)

    def build(now: str, out: str = "out", *extra: str):
        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            return CliRunner().invoke(main, ["build", "--config", str(ws.cfg), "--out", out,
                                             "--now", now, *extra])
        finally:
            os.chdir(cwd)
    first = build("2020-02-01T00:00:00+00:00")
    assert "1 posts published, 1 skipped" in first.stdout and first.exit_code == 1
    again = build("2020-02-01T00:00:00+00:00")          # the shortcut: same summary, same errors
    assert again.stdout.split(";")[0] == first.stdout.split(";")[0]
    assert again.exit_code == 1 and "2020-01-02-bad.md: month must be in 1..12" in again.stderr
    assert " 0 files written" in again.stdout
    (tmp_path / "out" / "tags" / "x.rss.xml").unlink()      # an output deleted by hand
    (tmp_path / "out" / "all.json").write_text("{}")        # an output edited by hand
    repaired = build("2020-02-01T00:00:00+00:00")
    assert "2 files written" in repaired.stdout, repaired.stdout
    due = build("2020-03-01T10:00:00+00:00")                # the scheduled post falls due
    assert "2 posts published, 0 skipped" in due.stdout
    back = build("2020-02-01T00:00:00+00:00")               # and --now back in time
    assert "1 posts published, 1 skipped" in back.stdout
    build("2020-02-01T00:00:00+00:00", "cold", "--no-cache")
    assert tree(tmp_path / "out") == tree(tmp_path / "cold")


def test_a_digest_leaves_a_few_changed_posts_for_the_next_build(tmp_path):
    """`digest` reads the cache but rewrites the posts snapshot only when it parsed many
    posts; the edited post is still in the digest, and the next build sees it too."""
    import sqlite3

    ws = built_site(tmp_path, {f"2020-01-0{i}-p{i}.md": f"---\ntitle: Post {i}\n---\nBody {i}\n"
                               for i in range(1, 6)})
    posts = ws.posts
    db = tmp_path / ".feedletter" / "cache.sqlite"

    def snapshot() -> list:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT * FROM posts").fetchall()
    before = snapshot()
    (posts / "2020-01-03-p3.md").write_text("---\ntitle: Post 3 edited\n---\nNew body\n")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["digest", "--config", str(ws.cfg), "--month",
                                           "2020-01", "--out", "dg", "--now", NOW])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert "Post 3 edited" in (tmp_path / "dg" / "2020-01.txt").read_text()
    assert snapshot() == before
    ws.check_same_as_cold("after the digest")
    assert snapshot() != before


def test_one_edit_rewrites_one_shard_of_the_snapshot_and_one_month_of_the_index(tmp_path):
    import sqlite3

    ws = built_site(tmp_path, {f"2020-0{i}-15-p{i}.md": f"---\ntitle: Post {i}\n---\nBody {i}\n"
                               for i in range(1, 10)})
    posts = ws.posts

    def rows() -> tuple[dict, dict]:
        with sqlite3.connect(tmp_path / ".feedletter" / "cache.sqlite") as db:
            return (dict(db.execute("SELECT shard, blob FROM posts")),
                    dict(db.execute("SELECT key, blob FROM state WHERE key LIKE 'digest-month:%'")))
    shards, months = rows()
    assert len(shards) > 1 and len(months) == 9
    (posts / "2020-03-15-p3.md").write_text("---\ntitle: Post 3 edited\n---\nBody 3\n")
    assert ws.build("warm").exit_code == 0
    shards_after, months_after = rows()
    assert shards_after.keys() == shards.keys()
    assert [k for k in shards if shards[k] != shards_after[k]] == [
        shard_of(str(posts / "2020-03-15-p3.md"))]
    assert [k for k in months if months[k] != months_after[k]] == ["digest-month:2020-03"]
    ws.check_same_as_cold("after the edit")
