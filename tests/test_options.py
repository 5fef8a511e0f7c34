"""Date options through the CLI: every one accepts the years the loader accepts
(1900-01-01 to 9999-12-31) and says so, one line and exit 2, when a value is out of range;
never a traceback. Long `--tag` lists give bounded file names.
"""

from __future__ import annotations

import feedparser
import pytest

# (command line, fragment of the error line); the site's zone is Europe/Prague (+01:00).
OUT_OF_RANGE = [
    (["digest", "--now", "9999-12-31T23:59:59Z"], "outside 1900-01-01 to 9999-12-31 in the site's time zone"),
    (["digest", "--now", "0001-01-01T00:00:00Z"], "is 0001-01-01 00:00 in UTC, outside 1900-01-01"),
    (["digest", "--now", "1899-12-31T17:00:00-05:00"], "is 1899-12-31 22:00 in UTC"),
    (["build", "--now", "0001-01-01T00:00:00Z"], "outside 1900-01-01 to 9999-12-31"),
    (["build", "--now", "9999-12-31T23:59:59-12:00"], "outside 1900-01-01 to 9999-12-31"),
    (["check", "--now", "10000-01-01T00:00:00"], "is not an ISO date-time"),
    (["digest", "--month", "0001-01"], "--month must be from 1900-01 to 9999-11"),
    (["digest", "--month", "1899-12"], "--month must be from 1900-01 to 9999-11"),
    (["digest", "--month", "9999-12"], "--month must be from 1900-01 to 9999-11"),
    (["digest", "--last-days", "99999999999999999999"], "--last-days must be from 1 to"),
    (["digest", "--last-days", "46000000"], "(back to 1900-01-01)"),
    (["digest", "--since", "0001-01-01"], "--since must be a day from 1900-01-01 to 9999-12-31"),
    (["digest", "--since", "2016-01-01", "--until", "0900-01-01"], "--until must be a day from 1900-01-01"),
    (["digest", "--since", "2016-01-01", "--until", "10000-01-01"], "--until must be a date YYYY-MM-DD"),
    (["digest", "--now", "1900-01-01T12:00:00+01:00"], "the month before 1900-01 is before 1900-01-01"),
]


@pytest.mark.parametrize(("argv", "fragment"), OUT_OF_RANGE, ids=[" ".join(a) for a, _ in OUT_OF_RANGE])
def test_date_options_out_of_range(site, argv, fragment):
    result = site.run(*argv)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedletter: ") and fragment in lines[0], \
        result.output
    assert "--help" in lines[0]


@pytest.mark.parametrize("argv", [
    ["digest", "--month", "1900-01"],
    ["digest", "--month", "9999-11"],
    ["digest", "--since", "1900-01-01", "--until", "1900-01-02"],
    ["digest", "--since", "9999-12-30", "--until", "9999-12-31"],
    ["digest", "--now", "9999-12-31T22:59:59Z"],      # 23:59:59 in Prague
    ["digest", "--now", "1900-02-01T00:00:00+01:00"],
    ["build", "--now", "9999-12-31T22:00:00Z"],
    ["check", "--now", "9999-12-31T23:30:00"],        # no zone: the site's
])
def test_the_edges_of_the_range_work(site, argv):
    site.post("2016-11-02-a.md", "---\ntitle: A\n---\nx\n")
    result = site.run(*argv)
    assert result.exit_code == 0, result.output


def issue_files(site) -> list[str]:
    """The digests' own files (the archive page index.html lists them)."""
    return sorted(p.name for p in (site.out / "digests").iterdir() if p.name != "index.html")


def test_long_tag_lists_give_bounded_file_names(site):
    """Three 80-character tags: 2016-11+<240 characters>.html would be over the 255 bytes
    a file name may have ("File name too long")."""
    tags = [c * 80 for c in "xyz"]
    site.post("2016-11-02-a.md", f"---\ntitle: Tagged\ndate: 2016-11-02\ntags: [{', '.join(tags)}]\n---\nx\n")
    argv = ["digest", "--month", "2016-11"] + [a for t in tags for a in ("--tag", t)]
    result = site.run(*argv)
    assert result.exit_code == 0, result.output
    files = issue_files(site)
    assert len(files) == 3 and all(len(f.encode()) <= 120 for f in files), files
    stem = files[0].rsplit(".", 1)[0]
    assert stem.startswith("2016-11+" + "x" * 60 + "+and-2-more-")
    again = site.run(*argv)            # the same name again: same files, nothing new
    assert again.exit_code == 0 and issue_files(site) == files
    other = site.run("digest", "--month", "2016-11", "--tag", tags[0], "--tag", tags[1])
    assert other.exit_code == 0
    assert len(issue_files(site)) == 6     # another list, another name
    feed = feedparser.parse(str(site.out / "digests.atom.xml"))
    assert feed.bozo == 0 and len(feed.entries) == 2
    assert any(e.link.endswith(f"/digests/{stem}.html") for e in feed.entries)


def test_short_tag_lists_keep_their_names(site):
    site.post("2016-11-02-a.md", "---\ntitle: Tagged\ndate: 2016-11-02\ntags: [release, community]\n---\nx\n")
    result = site.run("digest", "--month", "2016-11", "--tag", "Release", "--tag", "community")
    assert result.exit_code == 0, result.output
    assert (site.out / "digests" / "2016-11+community+release.html").is_file()
