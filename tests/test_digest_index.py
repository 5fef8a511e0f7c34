"""The digest's index (index.py) gives the same digest as a full load, or is not used."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from feedletter import build, index
from feedletter.cli import main
from feedletter.config import load_config
from feedletter.digest import choose_period
from feedletter.posts import scan_posts
from test_incremental import NOW, Workspace, built_site, synthetic_posts, tree


class Digests:
    """Run `feedletter digest` on a workspace; tell whether the index served it."""

    def __init__(self, ws: Workspace, month: str) -> None:
        self.ws, self.month, self.runs = ws, month, 0

    def files(self, now: str = NOW) -> dict[str, bytes]:
        self.runs += 1
        out = self.ws.root / f"dg{self.runs}"
        cwd = os.getcwd()
        os.chdir(self.ws.root)
        try:
            result = CliRunner().invoke(main, ["digest", "--config", str(self.ws.cfg), "--month",
                                               self.month, "--out", str(out), "--now", now])
        finally:
            os.chdir(cwd)
        assert result.exit_code == 0, result.output
        return tree(out)

    def drop_index(self) -> None:
        with sqlite3.connect(self.ws.root / ".feedletter" / "cache.sqlite") as db:
            db.execute("DELETE FROM state WHERE key LIKE 'digest-%'")

    def served_by_index(self, now: str = NOW) -> bool:
        """Whether the index can serve a digest now (asked directly: this writes nothing)."""
        config = load_config(self.ws.cfg)
        moment = datetime.fromisoformat(now)
        period = choose_period(config, moment, month=self.month)
        cache = build.open_cache(config)
        try:
            found = index.load_period(cache, config, config.posts_dir,
                                      scan_posts(config.posts_dir), moment, period.start,
                                      period.end)
        finally:
            cache.close()
        if found is not None:
            assert all(period.start <= p.date < period.end for p in found[1].posts)
        return found is not None

    def check(self, label: str, *, indexed: bool, now: str = NOW) -> None:
        """The digest is the same bytes with and without the index; the index served it
        (or did not) as `indexed` says."""
        assert self.served_by_index(now) is indexed, label
        fast = self.files(now)          # from the index, or a full load that writes it
        self.drop_index()
        full = self.files(now)          # a full load, which writes the index again
        assert fast == full, label
        assert self.served_by_index(now), f"{label}: the full load left no usable index"


def sequence(ws: Workspace, month: str, in_month: Path, other: Path) -> None:
    assert ws.build("warm").exit_code in (0, 1)
    d = Digests(ws, month)
    d.check("after a build", indexed=True)
    in_month.write_text(in_month.read_text().replace("\ntitle:", "\ntitle: Retitled", 1)
                        + "\nOne more sentence.\n")
    d.check("title and text edited in the month", indexed=True)
    assert b"Retitled" in d.files()[f"{month}.txt"]
    other.write_text(other.read_text() + "\nAnd another.\n")
    d.check("text edited elsewhere", indexed=True)
    text = in_month.read_text()
    head, sep, rest = text.partition("\n---")
    head = head.replace("\ntags:", "\nold_tags:", 1)
    in_month.write_text(head.replace("---\n", "---\ntags: [Index-Test, other]\n", 1) + sep + rest)
    d.check("tags changed", indexed=False)
    added = other.with_name("2099-01-01-later.md")
    added.write_text("---\ntitle: Later\ndate: 2031-06-01\n---\nSoon.\n")
    d.check("file added", indexed=False)
    d.check("a scheduled post falls due", indexed=False, now="2031-07-01T00:00:00+00:00")
    added.unlink()
    d.check("file removed", indexed=False)
    ws.cfg.write_text(ws.base.replace('"Inc"', '"Inc 2"'))
    d.check("config changed", indexed=False)


def test_the_index_serves_digests_exactly_on_the_real_corpus(tmp_path, corpus_dir):
    posts = tmp_path / "posts"
    shutil.copytree(corpus_dir, posts)
    ws = Workspace(tmp_path, posts)
    sequence(ws, "2016-11", posts / "2016-11-02-ovirt-provider-ovn.md",
             posts / "2017-01-16-happy-new-documentation.md")


def test_the_index_serves_digests_exactly_on_a_synthetic_corpus(tmp_path):
    posts = tmp_path / "posts"
    files = synthetic_posts(posts, 200)
    newest = files[-1]
    ws = Workspace(tmp_path, posts)
    sequence(ws, newest.name[:7], newest, files[len(files) // 2])


def test_a_damaged_month_of_the_index_means_a_full_load(tmp_path):
    ws = built_site(tmp_path, {f"2020-01-0{day}-p{day}.md":
                               f"---\ntitle: Post {day}\ntags: Tag {day}\n---\nBody {day}\n"
                               for day in range(1, 4)})
    d = Digests(ws, "2020-01")
    assert d.served_by_index()
    before = d.files()
    with sqlite3.connect(tmp_path / ".feedletter" / "cache.sqlite") as db:
        db.execute("UPDATE state SET blob = x'00' WHERE key = 'digest-month:2020-01'")
    assert not d.served_by_index()
    assert d.files() == before              # a full load, which writes the month again
    assert d.served_by_index()
