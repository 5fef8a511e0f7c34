"""The id register (feedletter.ids) through the CLI, on a copy of the real oVirt corpus:
a published entry id never changes, whatever else happens in the posts folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS_CONFIG, Site

NEWSLETTER = "2016-12-02-ovirt-november-newsletter.md"
# Two real files with the same date and slug: the same rule id (the .html.md sorts first)
GAMIFICATION = ("2017-02-27-oVirt-gamification.html.md", "2017-02-27-oVirt-gamification.md")


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus_dir: Path) -> Path:
    """A copy of the corpus built once (feeds, cache, register), copied by each test."""
    site = Site(tmp_path_factory.mktemp("built"))
    site.posts.rmdir()
    shutil.copytree(corpus_dir, site.posts)
    site.config_text = CORPUS_CONFIG + "[feeds]\nmax_entries = 200\n"
    site.config()
    build(site)
    return site.root


@pytest.fixture
def corpus(tmp_path: Path, built: Path) -> Site:
    root = tmp_path / "site"
    shutil.copytree(built, root, symlinks=True)
    site = Site.__new__(Site)
    site.root, site.posts, site.out = root, root / "posts", root / "feeds"
    return site


def ids_by_file(site: Site) -> dict[str, str]:
    """file → id as published in the site's JSON feed (its urls are not unique)."""
    register = {}
    for line in (site.root / "feedletter.ids").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            entry_id, file, *_ = line.split("\t")
            if (site.posts / file).exists():     # a deleted post's line stays (reserved)
                register[entry_id] = file
    feed = json.loads((site.out / "all.json").read_text("utf-8"))
    published = [item["id"] for item in feed["items"]]
    assert sorted(published) == sorted(register), "the register lists exactly the published ids"
    return {file: entry_id for entry_id, file in register.items()}


def build(site: Site) -> None:
    result = site.run("build", now="2026-12-01T00:00:00Z")
    assert result.exit_code == 1, result.output          # the corpus has one bad post
    assert "Traceback" not in result.output


def test_first_build_writes_a_sorted_register_of_every_published_post(corpus):
    text = (corpus.root / "feedletter.ids").read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert len(lines) == 78
    first = lines[0].split("\t")
    assert first[:3] == ["tag:www.ovirt.org,2013-10-02:/hello-world", "2013-10-02-hello-world.html.md",
                         "2013-10-02T13:35:00Z"]
    ids = ids_by_file(corpus)
    a, b = GAMIFICATION
    assert ids[a] == "tag:www.ovirt.org,2017-02-27:/oVirt-gamification"     # today's rule
    assert ids[b].startswith(ids[a] + "~")
    before = (corpus.root / "feedletter.ids").read_bytes()
    build(corpus)                                        # nothing new: not rewritten
    assert (corpus.root / "feedletter.ids").read_bytes() == before


def test_same_date_copy_sorting_first_does_not_take_the_published_id(corpus):
    published = ids_by_file(corpus)
    copy = corpus.posts / "0" / NEWSLETTER        # "…/0/…" sorts before "…/2016-…"
    copy.parent.mkdir()
    shutil.copy(corpus.posts / NEWSLETTER, copy)
    build(corpus)
    now = ids_by_file(corpus)
    assert {f: now[f] for f in published} == published
    assert now[f"0/{NEWSLETTER}"] not in published.values()
    # Delete the copy: nothing is renamed, and its id stays registered (reserved).
    shutil.rmtree(copy.parent)
    build(corpus)
    after = ids_by_file(corpus)
    assert after == published
    check = corpus.run("check", "--now", "2026-12-01T00:00:00Z")
    assert f"{now[f'0/{NEWSLETTER}']} is registered for 0/{NEWSLETTER}, which is gone" in check.stderr


def test_without_the_register_the_copy_would_take_the_id(corpus):
    """The control: the same steps with the register deleted rename the published post."""
    published = ids_by_file(corpus)
    (corpus.posts / "0").mkdir()
    shutil.copy(corpus.posts / NEWSLETTER, corpus.posts / "0" / NEWSLETTER)
    (corpus.root / "feedletter.ids").unlink()
    build(corpus)
    assert ids_by_file(corpus)[f"0/{NEWSLETTER}"] == published[NEWSLETTER]


def test_deleting_one_of_two_real_duplicates_renames_nothing(corpus):
    published = ids_by_file(corpus)
    a, b = GAMIFICATION
    (corpus.posts / a).unlink()
    build(corpus)
    now = ids_by_file(corpus)
    assert now[b] == published[b]                        # today's rule would give it ids[a]
    assert now == {f: i for f, i in published.items() if f != a}


@pytest.mark.parametrize("new_name", [
    "2016-12-02-newsletter-for-november.md",             # new slug and link: matched by title and date
    f"news/{NEWSLETTER}",                                # same link, other folder: matched by link
])
def test_renamed_post_keeps_its_id(corpus, new_name):
    published = ids_by_file(corpus)
    target = corpus.posts / new_name
    target.parent.mkdir(exist_ok=True)
    (corpus.posts / NEWSLETTER).rename(target)
    build(corpus)
    now = ids_by_file(corpus)
    assert now[new_name] == published[NEWSLETTER]
    assert NEWSLETTER not in now
    assert {f: now[f] for f in published if f != NEWSLETTER} == \
        {f: i for f, i in published.items() if f != NEWSLETTER}
    check = corpus.run("check", "--now", "2026-12-01T00:00:00Z")
    assert "which is gone" not in check.stderr


def test_fresh_clone_and_config_changes_keep_the_ids(corpus, tmp_path_factory):
    published = ids_by_file(corpus)
    clone = Site(tmp_path_factory.mktemp("clone"))
    clone.posts.rmdir()
    shutil.copytree(corpus.posts, clone.posts)
    shutil.copy(corpus.root / "feedletter.ids", clone.root / "feedletter.ids")
    # another domain and link pattern: the rule would give every post another id
    clone.config_text = CORPUS_CONFIG.replace("www.ovirt.org", "blog.ovirt.org") + \
        '[feeds]\nmax_entries = 200\nlink_pattern = "{site_url}/{year}/{slug}/"\n'
    clone.config()
    build(clone)
    assert ids_by_file(clone) == published


def test_switching_the_id_mode_keeps_published_ids(site):
    """`[feeds] ids` (h3's modes): the register records whatever id was first published."""
    site.post("2020-01-01-a.md", "---\ntitle: A\n---\nx\n")
    assert site.run("build").exit_code == 0
    site.config('[feeds]\nids = "permalink"\n')
    site.post("2020-01-02-b.md", "---\ntitle: B\n---\nx\n")
    assert site.run("build").exit_code == 0
    items = {i["title"]: i["id"] for i in json.loads((site.out / "all.json").read_text())["items"]}
    assert items == {"A": "tag:example.org,2020-01-01:/a",                  # first published so
                     "B": "https://example.org/blog/2020/01/b/"}            # the new mode's id


def test_new_post_in_the_register_after_a_build(site):
    site.post("2020-01-01-a.md", "---\ntitle: A\n---\nx\n")
    assert site.run("build").exit_code == 0
    site.post("2020-01-02-b.md", "---\ntitle: B\n---\nx\n")
    assert site.run("build").exit_code == 0
    lines = (site.root / "feedletter.ids").read_text().splitlines()
    assert [line.split("\t")[1] for line in lines if not line.startswith("#")] == \
        ["2020-01-01-a.md", "2020-01-02-b.md"]


@pytest.mark.parametrize(("text", "message"), [
    ("only\ttwo\n", "feedletter.ids:1: expected 5 tab-separated fields"),
    ("<<<<<<< HEAD\n", "a git merge conflict?"),
    ("a\tx.md\t2020-01-01\tl\tt\nb\tx.md\t2020-01-01\tl\tt\n",
     "feedletter.ids:2: file 'x.md' is listed twice"),
    ("a\tx.md\t2020-01-01\tl\tt\na\ty.md\t2020-01-01\tl\tt\n", "feedletter.ids:2: id 'a' is listed twice"),
])
def test_damaged_register_is_one_line_and_exit_2(site, text, message):
    site.post("2020-01-01-a.md", "---\ntitle: A\n---\nx\n")
    (site.root / "feedletter.ids").write_text(text)
    result = site.run("build")
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not site.out.exists()
