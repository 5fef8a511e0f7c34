"""`[feeds] updated = "git"` through the CLI on a real temporary git repository: a post's
`updated` is the author date of the last commit that changed its file, read with one git
process for the whole folder."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import feedparser
import pytest

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None and not os.environ.get("CI"), reason="needs git")


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "C", "GIT_COMMITTER_EMAIL": "c@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture
def counted_git(tmp_path, monkeypatch) -> Path:
    """A `git` first on PATH that logs each call, then runs the real one."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "git-calls.log"
    wrapper = folder / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {GIT} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def updated(site, name: str) -> dict[str, str]:
    feed = json.loads((site.out / name).read_text("utf-8"))
    return {item["title"]: item["date_modified"] for item in feed["items"]}


def test_updated_is_the_last_commit_of_each_file(site, counted_git):
    site.config('[feeds]\nupdated = "git"\n')
    for i in range(1, 13):
        site.post(f"2020-01-{i:02d}-p{i}.md", f"---\ntitle: P{i}\ndate: 2020-01-{i:02d} 09:00 UTC\n---\nx\n")
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-qm", "all", date="2020-03-01T12:00:00+02:00")
    site.post("2020-01-03-p3.md", "---\ntitle: P3 corrected\ndate: 2020-01-03 09:00 UTC\n---\ny\n")
    git(site.root, "commit", "-qam", "fix", date="2021-06-05T08:30:00-04:00")
    counted_git.write_text("")
    result = site.run("build")
    assert result.exit_code == 0, result.output
    dates = updated(site, "all.json")
    assert dates["P3 corrected"] == "2021-06-05T08:30:00-04:00"       # the author's own offset
    assert {t: d for t, d in dates.items() if t != "P3 corrected"} == \
        {f"P{i}": "2020-03-01T12:00:00+02:00" for i in range(1, 13) if i != 3}
    atom = feedparser.parse((site.out / "all.atom.xml").read_bytes())
    assert atom.feed.updated == "2021-06-05T08:30:00-04:00"            # the feed's newest change
    calls = [c for c in counted_git.read_text().splitlines() if c.startswith("-C ")]
    assert sum(" log " in c for c in calls) == 1, calls               # one log for 12 posts
    assert {c for c in calls if " log " not in c} == {"-C posts rev-parse HEAD"}   # the state

    # A commit that changes no file content still changes `updated` (a new repository state).
    site.post("2020-01-05-p5.md", "---\ntitle: P5\ndate: 2020-01-05 09:00 UTC\n---\nx\n")
    (site.posts / "2020-01-05-p5.md").write_text(
        "---\ntitle: P5\ndate: 2020-01-05 09:00 UTC\n---\nx\n\n")
    git(site.root, "commit", "-qam", "blank line", date="2022-01-01T00:00:00Z")
    assert site.run("build").exit_code == 0
    assert updated(site, "all.json")["P5"] == "2022-01-01T00:00:00Z"
    before = (site.out / "all.json").read_bytes()
    assert " 0 files written" in site.run("build").stdout             # same state: same bytes
    assert (site.out / "all.json").read_bytes() == before


def test_uncommitted_post_and_no_repository_fall_back_to_front_matter(site, tmp_path):
    site.config('[feeds]\nupdated = "git"\n')
    site.post("2020-01-01-a.md", "---\ntitle: A\ndate: 2020-01-01 09:00 UTC\n"
                                 "updated: 2020-02-02 10:00 UTC\n---\nx\n")
    result = site.run("build")                      # not a repository: a note, not an error
    assert result.exit_code == 0
    assert 'feeds.updated = "git", but the posts folder is not in a git repository' in result.stderr
    assert updated(site, "all.json") == {"A": "2020-02-02T10:00:00Z"}
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-qm", "a", date="2020-05-05T05:05:05Z")
    site.post("2020-01-02-b.md", "---\ntitle: B\ndate: 2020-01-02 09:00 UTC\n---\nx\n")   # untracked
    result = site.run("build")
    assert result.exit_code == 0 and "git repository" not in result.stderr
    assert updated(site, "all.json") == {"A": "2020-05-05T05:05:05Z", "B": "2020-01-02T09:00:00Z"}
