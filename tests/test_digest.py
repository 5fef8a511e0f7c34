"""The monthly digest through the CLI: real corpus months, sections, safety, size, bytes."""

from __future__ import annotations

import email
import email.policy
import os
import re
from datetime import UTC, date
from pathlib import Path

import feedparser
import pytest
from babel.dates import format_date, format_interval, format_skeleton
from click.testing import CliRunner
from lxml import html as lxml_html

from feedletter import digest as digests
from feedletter.cli import main
from feedletter.config import load_config
from feedletter.digest.fragments import IMAGE_STYLE

LATER = "2030-01-01T00:00:00+00:00"
CORPUS_DIGEST = """
[digest]
from = "oVirt Newsletter <newsletter@ovirt.org>"
to = ["users@ovirt.org"]
intro = "What happened in the **oVirt** community. Comments: [the list](https://lists.ovirt.org/)."
unsubscribe_url = "https://lists.ovirt.org/unsubscribe"
unsubscribe_mailto = "users-leave@ovirt.org"

[[digest.sections]]
title = "Releases"
tags = ["release notes", "4.2.0", "4.1.1"]

[[digest.sections]]
title = "Development"
tags = ["developers", "ci", "infrastructure"]

[[digest.sections]]
title = "Community"
tags = ["community", "event", "FOSDEM", "newsletter"]
"""

# Checked by hand against the corpus files (front matter dates, `published: false`).
CORPUS_MONTHS = {
    "2016-11": {
        "subject": "oVirt Blog — November 2016",
        "date": "Thu, 01 Dec 2016 00:00:00 +0000",
        "sections": [
            ("Community", ["Setting Community Values",                          # 11-01
                           "oVirt Software Defined Networking, The OVN Network Provider"]),
            # tags oVirt, Test, vdsmfake, ovirt-engine, development: no section matches
            ("More news", ["Testing ovirt-engine changes without a real cluster"]),
        ],
        # 2016-10-13 and 2016-12-02 (the November newsletter itself) are outside.
        "absent": ["Call For Proposals", "oVirt Newsletter—November 2016"],
    },
    "2017-02": {
        "subject": "oVirt Blog — February 2017",
        "date": "Wed, 01 Mar 2017 00:00:00 +0000",
        "sections": [
            # Config order: Development before Community, though Community's posts are older.
            # Three files of one post on one link (2017/02/oVirt-gamification): the
            # file name's 2017-02-25, then 13:05 UTC and 16:35 CET (15:35 UTC) on 02-27.
            # The digest shows it once, the newest (16:35 CET), with a warning.
            ("Development", [
                "oVirt Gamification--The oVirt Game You Didn't Know you Were Playing",
            ]),
            ("Community", ["oVirt and Vagrant",            # 02-10 21:00 CET, same moment:
                           "Using oVirt and Vagrant",      # ordered by id
                           "Test Blog Entry"]),            # 02-23
        ],
        # `published: false` (02-16), and March's first post.
        "absent": ["HyperConverged oVirt", "Up and Running with oVirt 4.1",
                   "oVirt Gamification—The oVirt Game"],
        "warnings": ["2017-02-27-oVirt-gamification.md: in the digest once, as the newest of 3 "
                     "copies (same link, id, or title and day); left out: "],
    },
}


def run(*args: str, cwd: Path | None = None):
    argv = list(args)
    if argv[0] == "digest" and "--now" not in argv:
        argv += ["--now", LATER]
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, argv, catch_exceptions=False)
    finally:
        os.chdir(old)


def parse_eml(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def crlf_to_lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def html_sections(page: str) -> list[tuple[str, list[str]]]:
    """(section title, post titles) in document order, from the HTML part."""
    root = lxml_html.document_fromstring(page)
    result: list[tuple[str, list[str]]] = []
    for el in root.iter("h2", "a"):
        if el.tag == "h2" and "section-title" in el.get("class", ""):
            result.append((el.text_content().strip(), []))
        elif el.tag == "a" and "post-link" in el.get("class", ""):
            result[-1][1].append(el.text_content().strip())
    return result


def text_sections(text: str, titles: list[str]) -> list[tuple[str, list[str]]]:
    """(SECTION, post titles) in order, from the plain-text part."""
    result: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and lines[i + 1] and set(lines[i + 1]) == {"-"} and line.isupper():
            result.append((line, []))
        elif line[:2] in ("* ", "- ") and result:
            # a title may wrap: join its continuation lines (indented, before the byline)
            title = line[2:]
            for more in lines[i + 1:]:
                joined = f"{title} {more.strip()}"
                if any(t.startswith(joined) for t in titles):
                    title = joined
                else:
                    break
            result[-1][1].append(title)
    return result


# --- the real corpus ---------------------------------------------------------------------

@pytest.fixture
def corpus_cfg(corpus_site: Path) -> Path:
    corpus_site.write_text(corpus_site.read_text() + CORPUS_DIGEST)
    return corpus_site


@pytest.mark.parametrize("month", sorted(CORPUS_MONTHS))
def test_corpus_month_has_exactly_its_posts_in_both_parts(corpus_cfg, month):
    expected = CORPUS_MONTHS[month]
    result = run("digest", "--config", str(corpus_cfg), "--month", month)
    assert result.exit_code == 0, result.output
    out = corpus_cfg.parent / "feeds" / "digests"
    page = (out / f"{month}.html").read_text("utf-8")
    text = (out / f"{month}.txt").read_text("utf-8")
    sections = [(title, posts) for title, posts in expected["sections"]]
    assert html_sections(page) == sections
    every_title = [t for _, posts in sections for t in posts]
    assert text_sections(text, every_title) == [(s.upper(), p) for s, p in sections]
    for absent in expected["absent"]:
        assert absent not in page and absent not in text
    # the post links are written out in the text part
    for link in re.findall(r'class="post-link" href="([^"]+)"', page):
        assert f"Read more: {link}" in text
    assert len(page.encode("utf-8")) < 100_000
    assert f"{len(every_title)} posts in {len(sections)} sections" in result.stdout
    for warning in expected.get("warnings", []):
        assert warning in result.stderr


@pytest.mark.parametrize("month", sorted(CORPUS_MONTHS))
def test_corpus_eml_structure_and_headers(corpus_cfg, month):
    expected = CORPUS_MONTHS[month]
    assert run("digest", "--config", str(corpus_cfg), "--month", month).exit_code == 0
    out = corpus_cfg.parent / "feeds" / "digests"
    msg = parse_eml(out / f"{month}.eml")
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    # MIME text is canonically CRLF; the .txt and .html files are the same text with LF
    assert crlf_to_lf(parts[0].get_content()) == (out / f"{month}.txt").read_text("utf-8")
    assert crlf_to_lf(parts[1].get_content()) == (out / f"{month}.html").read_text("utf-8")
    assert msg["From"] == "oVirt Newsletter <newsletter@ovirt.org>"
    assert msg["To"] == "users@ovirt.org"
    assert msg["Subject"] == expected["subject"]
    assert msg["Date"] == expected["date"]                  # the end of the period
    assert msg["MIME-Version"] == "1.0"
    assert re.fullmatch(rf"<digest-{month}\.[0-9a-f]{{12}}@www\.ovirt\.org>", msg["Message-ID"])
    assert msg["List-Unsubscribe"].strip() == ("<https://lists.ovirt.org/unsubscribe>, "
                                               "<mailto:users-leave@ovirt.org>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = (out / f"{month}.eml").read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78       # folded, QP-encoded
    assert raw.isascii()


def test_corpus_html_is_email_safe(corpus_cfg):
    assert run("digest", "--config", str(corpus_cfg), "--month", "2017-02").exit_code == 0
    page = (corpus_cfg.parent / "feeds" / "digests" / "2017-02.html").read_text("utf-8")
    assert page.startswith('<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8">')
    root = lxml_html.document_fromstring(page)
    assert root.find(".//meta[@name='color-scheme']").get("content") == "light dark"
    styles = root.findall(".//style")
    assert len(styles) == 1
    css = styles[0].text
    assert "prefers-color-scheme: dark" in css and "max-width: 620px" in css
    # only at-rules are left in <style>: everything else was inlined
    assert not re.search(r"^\s*[.#a-z][^@{]*\{", re.sub(r"@media[^{]*\{(?:[^{}]*\{[^}]*\})*\s*\}",
                                                         "", css), re.M)
    assert root.find(".//td").get("style")
    page_table = root.find(".//table[@class='page']")
    assert "max-width: 600px" in page_table.get("style")
    for el in root.iter():
        for attr in ("href", "src"):
            if el.get(attr) is not None:
                assert re.match(r"(https?|mailto):", el.get(attr)), (el.tag, el.get(attr))
    images = root.findall(".//img")
    assert all(img.get("alt") is not None for img in images)


def test_corpus_rebuild_is_byte_identical(corpus_cfg, tmp_path):
    out = corpus_cfg.parent / "feeds"
    first = run("digest", "--config", str(corpus_cfg), "--month", "2017-02")
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # later clock, another run: nothing changes, nothing is rewritten
    again = run("digest", "--config", str(corpus_cfg), "--month", "2017-02",
                "--now", "2031-06-01T12:00:00+00:00")
    after = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert first.exit_code == again.exit_code == 0
    assert before == after
    assert again.stdout.count("unchanged ") == 3 and "wrote " not in again.stdout
    elsewhere = run("digest", "--config", str(corpus_cfg), "--month", "2017-02",
                    "--out", str(tmp_path / "copy"))
    assert elsewhere.exit_code == 0
    for name in ("2017-02.html", "2017-02.txt", "2017-02.eml"):
        assert (tmp_path / "copy" / name).read_bytes() == before[name]


def test_corpus_digests_feed(corpus_cfg):
    for month in ("2016-11", "2017-02", "2013-10"):
        assert run("digest", "--config", str(corpus_cfg), "--month", month).exit_code == 0
    out = corpus_cfg.parent / "feeds"
    (out / "digests" / "notes.html").write_text("<p>not a digest</p>")   # ignored
    assert run("digest", "--config", str(corpus_cfg), "--month", "2016-11").exit_code == 0
    data = (out / "digests.atom.xml").read_bytes()
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == ["oVirt Blog — February 2017",
                                               "oVirt Blog — November 2016",
                                               "oVirt Blog — October 2013"]
    assert [e.link for e in feed.entries] == [
        f"https://www.ovirt.org/feeds/digests/{m}.html" for m in ("2017-02", "2016-11", "2013-10")]
    assert len({e.id for e in feed.entries}) == 3
    assert feed.entries[0].updated == "2017-03-01T00:00:00+00:00"
    assert "Setting Community Values" in feed.entries[1].content[0].value
    assert "style=" not in data.decode()
    # the hidden inbox preview line is no part of an entry (its hiding style is gone)
    assert "preheader" not in data.decode() and "&#847;" not in data.decode()
    assert "\u034f" not in feed.entries[0].content[0].value
    # the feed is rebuilt from the files only: the same files, the same bytes
    assert run("digest", "--config", str(corpus_cfg), "--month", "2013-10").exit_code == 0
    assert (out / "digests.atom.xml").read_bytes() == data
    # a digest cut to a tag, ending with the month: no two entries share `updated`
    assert run("digest", "--config", str(corpus_cfg), "--month", "2016-11",
               "--tag", "community").exit_code == 0
    entries = feedparser.parse((out / "digests.atom.xml").read_bytes()).entries
    assert [(e.link.rsplit("/", 1)[1], e.updated) for e in entries[1:3]] == [
        ("2016-11.html", "2016-12-01T00:00:00+00:00"),
        ("2016-11+community.html", "2016-11-30T23:59:59+00:00")]
    assert len({e.updated for e in entries}) == len(entries) == 4


def test_corpus_empty_period_writes_and_sends_nothing(corpus_cfg):
    result = run("digest", "--config", str(corpus_cfg), "--month", "2015-01", "--send")
    assert result.exit_code == 0, result.output
    assert "No posts in January 2015 (2015-01): nothing written, nothing sent." in result.stdout
    assert not (corpus_cfg.parent / "feeds").exists()
    # the build cache may be created; the sent-ledger must not be (nothing was sent)
    assert not (corpus_cfg.parent / ".feedletter" / "sent.sqlite").exists()


def test_corpus_tag_filter_is_its_own_digest(corpus_cfg):
    result = run("digest", "--config", str(corpus_cfg), "--month", "2016-11",
                 "--tag", "Community")
    assert result.exit_code == 0, result.output
    out = corpus_cfg.parent / "feeds" / "digests"
    page = (out / "2016-11+community.html").read_text("utf-8")
    assert html_sections(page) == [CORPUS_MONTHS["2016-11"]["sections"][0]]
    assert parse_eml(out / "2016-11+community.eml")["Message-ID"].startswith(
        "<digest-2016-11+community.")


def test_build_does_not_remove_digests(corpus_cfg):
    assert run("digest", "--config", str(corpus_cfg), "--month", "2016-11").exit_code == 0
    out = corpus_cfg.parent / "feeds"
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    for _ in range(2):   # the second build prunes what the first wrote and no longer emits
        result = run("build", "--config", str(corpus_cfg), "--now", LATER, cwd=corpus_cfg.parent)
        assert result.exit_code == 1, result.output     # the corpus has one bad post
    for rel in files:
        assert (out / rel).is_file(), rel


# --- small sites ---------------------------------------------------------------------------

DIGEST = """
[digest]
from = "News <news@example.org>"
to = ["a@example.org", "b@example.org"]
"""
SECTIONS_ONLY = """
[[digest.sections]]
title = "Releases"
tags = ["Release Notes"]

[[digest.sections]]
title = "Events"
tags = ["event", "conference"]
"""
SECTIONS = DIGEST + SECTIONS_ONLY


def digest_config(extra: str = "", digest: str = DIGEST) -> str:
    """The [digest] table with `extra` keys, then the sections."""
    return digest + extra + "\n" + SECTIONS_ONLY


def post(site, name: str, title: str, date: str, tags: str = "", extra: str = "",
         body: str = "Some text.") -> None:
    lines = ["---", f'title: "{title}"', f"date: {date}", f"tags: {tags}", extra, "---", body]
    (site.posts / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_sections_config_order_first_match_oldest_first(site):
    site.config(SECTIONS)
    post(site, "a.md", "Meetup report", "2016-11-01 10:00", "event")
    post(site, "b.md", "Release 2.0", "2016-11-05 10:00", "release-notes")
    post(site, "c.md", "Release party", "2016-11-03 10:00", "conference, release notes")
    post(site, "d.md", "Misc", "2016-11-02 10:00", "other")
    post(site, "e.md", "Misc too", "2016-11-01 09:00")
    post(site, "f.md", "A draft", "2016-11-04 10:00", "event", "draft: true")
    post(site, "g.md", "Not yet", "2016-11-20 10:00", "event")
    post(site, "h.md", "October", "2016-10-31 23:59", "event")
    post(site, "i.md", "December", "2016-12-01 00:00", "event")
    result = site.run("digest", "--month", "2016-11", now="2016-11-15T00:00:00+01:00")
    assert result.exit_code == 0, result.output
    page = (site.out / "digests" / "2016-11.html").read_text("utf-8")
    assert html_sections(page) == [
        ("Releases", ["Release party", "Release 2.0"]),    # first matching section wins
        ("Events", ["Meetup report"]),
        ("More news", ["Misc too", "Misc"]),
    ]


def test_default_period_is_previous_month_in_site_zone(site):
    # The site is in Europe/Prague: 2016-12-01 00:30 +01:00 is December there.
    site.config(SECTIONS)
    post(site, "a.md", "Last of November", "2016-11-30T23:30:00+01:00")
    post(site, "b.md", "First of December", "2016-11-30T23:30:00Z")
    post(site, "c.md", "First of November", "2016-11-01 00:00")
    post(site, "d.md", "End of October", "2016-10-31T23:59:59+01:00")
    result = site.run("digest", now="2016-12-01T00:05:00+01:00")  # a cron job on the 1st
    assert result.exit_code == 0, result.output
    page = (site.out / "digests" / "2016-11.html").read_text("utf-8")
    assert html_sections(page) == [("More news", ["First of November", "Last of November"])]
    msg = parse_eml(site.out / "digests" / "2016-11.eml")
    assert msg["Date"] == "Thu, 01 Dec 2016 00:00:00 +0100"
    assert msg["To"] == "undisclosed-recipients:;"      # subscribers never see each other


@pytest.mark.parametrize(("args", "name", "label", "days"), [
    (["--since", "2016-11-03", "--until", "2016-11-17"], "2016-11-03_2016-11-17",
     "3–16 November 2016", (3, 16)),
    (["--since", "2016-10-28", "--until", "2016-11-04"], "2016-10-28_2016-11-04",
     "28 October – 3 November 2016", (1, 3)),
    (["--since", "2016-11-01", "--until", "2016-12-01"], "2016-11", "November 2016",
     (1, 20)),                                  # later posts are not published yet
    (["--last-days", "7"], "2016-11-13_2016-11-20", "13–19 November 2016", (13, 19)),
    (["--since", "2016-11-19"], "2016-11-19_2016-11-20", "19 November 2016", (19, 19)),
])
def test_other_periods(site, args, name, label, days):
    site.config(SECTIONS)
    for day in range(1, 31):
        post(site, f"p{day:02d}.md", f"Day {day}", f"2016-11-{day:02d} 12:00")
    result = site.run("digest", *args, now="2016-11-20T15:00:00+01:00")
    assert result.exit_code == 0, result.output
    assert f"Digest {name} ({label})" in result.stdout
    msg = parse_eml(site.out / "digests" / f"{name}.eml")
    first, last = date(2016, 11, days[0]), date(2016, 11, days[1])
    if name == "2016-11":
        words = format_skeleton("yMMMM", first, locale="en")
    elif first == last:
        words = format_date(first, "long", locale="en")
    else:
        if "10-28" in name:
            first = date(2016, 10, 28)
        words = format_interval(first, last, "yMMMMd", locale="en")
    assert msg["Subject"] == f"Test Site — {words}"      # Babel's English, as every language
    titles = html_sections((site.out / "digests" / f"{name}.html").read_text())[0][1]
    assert titles == [f"Day {d}" for d in range(days[0], days[1] + 1)]


@pytest.mark.parametrize(("args", "message"), [
    (["--month", "2016-13"], "--month must be YYYY-MM"),
    (["--month", "2016-11", "--last-days", "3"], "only one of"),
    (["--until", "2016-11-01"], "--until needs --since"),
    (["--since", "2016-11-05", "--until", "2016-11-05"], "is empty"),
    (["--since", "yesterday"], "--since must be a date"),
    (["--last-days", "0"], "0 is not in the range"),
    (["--force"], "--force only makes sense with --send"),
])
def test_usage_errors_exit_2(site, args, message):
    site.config(SECTIONS)
    result = site.run("digest", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_dry_run_writes_and_sends_nothing(site):
    site.config(SECTIONS)
    post(site, "a.md", "Hello", "2016-11-01")
    result = site.run("digest", "--month", "2016-11", "--dry-run", "--send")
    assert result.exit_code == 0, result.output
    assert "would write " in result.stdout and "2016-11.eml" in result.stdout
    assert "would send <digest-2016-11." in result.stdout
    assert "a@example.org, b@example.org" in result.stdout
    assert not site.out.exists() and not (site.root / ".feedletter").exists()


def test_hostile_post_is_escaped_or_sanitized(site):
    site.config(digest_config('intro = "<script>alert(1)</script>[x](javascript:alert(2))"'))
    site.post("evil.md", """\
        ---
        title: "<script>alert('t')</script> & <b onmouseover=alert(1)>bold</b>"
        author: "<img src=x onerror=alert(1)>"
        date: 2016-11-02
        tags: "<svg onload=alert(1)>, event"
        summary: >-
          <iframe src="https://evil.example/embed"></iframe>
          <form action="https://evil.example"><input name=q></form>
          <a href="javascript:alert(3)">click</a> <a href="/local">local</a>
          <img src="pic.png" onerror="alert(4)"> <div onclick="alert(5)">div</div>
          <style>body{display:none}</style><object data="x.swf"></object>
          <svg><script>alert(6)</script></svg> <a href="data:text/html,hi">data</a>
        ---
        Body.
        """)
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    out = site.out / "digests"
    msg = parse_eml(out / "2016-11.eml")
    page = crlf_to_lf(msg.get_body(("html",)).get_content())
    assert page == (out / "2016-11.html").read_text("utf-8")
    lowered = page.lower()
    for bad in ("<script", "<iframe", "<form", "<input", "<object", "<embed", "<svg",
                "javascript:", "data:text", "alert(4)", "alert(5)", "body{display:none}"):
        assert bad not in lowered, bad
    root = lxml_html.document_fromstring(page)
    for el in root.iter():
        assert not any(a.lower().startswith("on") for a in el.attrib), (el.tag, el.attrib)
    assert len(root.findall(".//style")) == 1     # ours, in <head>
    assert "&lt;script&gt;alert('t')&lt;/script&gt; &amp; &lt;b onmouseover" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page          # the author, as text
    assert 'href="https://example.org/local"' in page             # made absolute
    assert 'href="https://evil.example/embed"' in page            # the iframe became a link
    assert all(img.get("alt") == "" for img in root.findall(".//img"))


def test_oversize_month_shortens_then_lists_never_clips(site):
    site.config(digest_config("max_items = 10"))
    words = " ".join(f"word{i}" for i in range(400))
    for day in range(1, 29):
        for n in range(4):        # 112 posts with long summaries
            post(site, f"p{day:02d}{n}.md", f"Post {day}-{n}", f"2016-11-{day:02d} {10 + n}:00",
                 "event" if n % 2 else "", body=f"{words}\n\nSecond paragraph.")
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    out = site.out / "digests"
    page = (out / "2016-11.html").read_text("utf-8")
    text = (out / "2016-11.txt").read_text("utf-8")
    assert len(page.encode("utf-8")) <= 100_000
    assert "posts listed under 'More from November 2016'" in result.stdout
    root = lxml_html.document_fromstring(page)
    titles = [a.text_content() for a in root.find_class("post-link")]
    assert len(titles) == len(set(titles)) == 112
    listed = [a.text_content() for ul in root.find_class("titles") for a in ul.iter("a")]
    assert 0 < len(listed) <= 112 - 1
    for title in titles:
        assert f" {title}\n" in text
    assert page.rstrip().endswith("</html>")            # complete, never clipped
    check_text_widths(text)


def test_summaries_are_cut_at_a_sentence_within_the_budget(site):
    """`digest.summary_chars`: whole paragraphs while they fit, else the sentences that
    fit; never ending on a colon. The feeds keep the whole summary."""
    site.config(digest_config("summary_chars = 120"))
    sentence = "This sentence is about forty chars long. "
    post(site, "a.md", "Sentences", "2016-11-02", body=sentence * 6 + "\n\nREADMORE\n\nRest.")
    post(site, "b.md", "Colon", "2016-11-03",
         body="Short first paragraph.\n\nWe saw the following error message:\n\n"
              "    Traceback (most recent call last): " + "frame " * 30 + "\n\nREADMORE\n\nRest.")
    words = " ".join(f"word{i}" for i in range(200))
    post(site, "c.md", "Words", "2016-11-04", body=words)
    post(site, "d.md", "Short", "2016-11-05", body="Short and whole.")
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    root = lxml_html.document_fromstring((site.out / "digests" / "2016-11.html").read_text())
    summaries = [" ".join(s.text_content().split()) for s in root.find_class("summary")]
    assert summaries == [
        (sentence * 2).strip(),                    # 82 characters: a third would be 123
        "Short first paragraph.",                  # not "…the following error message:"
        words[:120].rsplit(" ", 1)[0] + " …",      # no sentence end: cut at a word
        "Short and whole.",
    ]
    assert all(len(s) <= 122 for s in summaries)
    assert site.run("build").exit_code == 0
    feed = feedparser.parse((site.out / "all.atom.xml").read_bytes())
    by_title = {e.title: e.summary for e in feed.entries}
    assert by_title["Sentences"].count("forty chars") == 6        # whole in the feed


def test_too_big_even_as_links_is_an_error(site):
    site.config(digest_config("max_html_bytes = 3000"))
    for day in range(1, 29):
        post(site, f"p{day:02d}.md", f"Post {day}", f"2016-11-{day:02d} 10:00")
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 2
    assert "over digest.max_html_bytes (3,000)" in result.output
    assert not site.out.exists()


def check_text_widths(text: str) -> None:
    for line in text.splitlines():
        assert len(re.sub(r"<?https?://\S+", "", line)) <= 78, line
        assert len(line) <= 78 or "://" in line, line


def test_text_part_wraps_and_never_breaks_urls(site):
    site.config(SECTIONS)
    long_url = "https://example.org/" + "a-very-long-path-segment/" * 8 + "end"
    long_title = "A title that goes on and on " * 5
    post(site, "a.md", long_title.strip(), "2016-11-02", "event",
         body=f"Read [the long page]({long_url}) and {long_url} also. " + "More text " * 60)
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    text = (site.out / "digests" / "2016-11.txt").read_text("utf-8")
    check_text_widths(text)
    assert max(len(line) for line in text.splitlines() if "://" not in line) >= 72
    assert "Read the long page [1] and" in " ".join(text.split())
    assert f"\n  [1] {long_url}\n" in text                         # the reference, whole
    assert any(long_url in line for line in text.splitlines())    # whole, on one line


def test_intro_file_and_headers_without_unsubscribe(site, tmp_path):
    site.config(digest_config(digest='[digest]\nfrom = "News <news@example.org>"\n'))
    post(site, "a.md", "Hello", "2016-11-01")
    intro = tmp_path / "intro.md"
    intro.write_text("Welcome to **our** [news](/news/)!\n", encoding="utf-8")
    result = site.run("digest", "--month", "2016-11", "--intro", str(intro),
                      "--to", "list@example.org")
    assert result.exit_code == 0, result.output
    msg = parse_eml(site.out / "digests" / "2016-11.eml")
    assert msg["To"] == "undisclosed-recipients:;"   # the archive never shows a --to address
    assert b"list@example.org" not in (site.out / "digests" / "2016-11.eml").read_bytes()
    assert msg["List-Unsubscribe"] is None and msg["List-Unsubscribe-Post"] is None
    page = msg.get_body(("html",)).get_content()
    assert '<strong>our</strong> <a href="https://example.org/news/"' in page
    assert "Welcome to our news [1]!\r\n[1] https://example.org/news/" in msg.get_body(
        ("plain",)).get_content()


def test_unsubscribe_mailto_only_has_no_one_click(site):
    site.config(digest_config('unsubscribe_mailto = "mailto:leave@example.org?subject=stop"'))
    post(site, "a.md", "Hello", "2016-11-01")
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    msg = parse_eml(site.out / "digests" / "2016-11.eml")
    assert msg["List-Unsubscribe"] == "<mailto:leave@example.org?subject=stop>"
    assert msg["List-Unsubscribe-Post"] is None
    assert "write to leave@example.org" in msg.get_body(("plain",)).get_content()


@pytest.mark.parametrize(("extra", "message"), [
    ('unsubscribe_url = "ftp://x.example/"', "digest.unsubscribe_url"),
    ('subject = "{site} news"', "digest.subject"),
    ('from = "not an address"', "digest.from"),
    ("unknown_key = 1", "unknown key 'digest.unknown_key'"),
    ('subject = "News\\nBcc: all@example.org"', "key 'digest.subject' must be"),  # schema: no control chars
])
def test_bad_digest_config_exit_2(site, extra, message):
    site.config(digest_config(extra, "[digest]\n"))
    post(site, "a.md", "Hello", "2016-11-01")
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 2
    assert message in result.output


def test_site_templates_override_the_builtin_ones(site):
    site.config('[paths]\ntemplates_dir = "tpl"\n' + SECTIONS)
    (site.root / "tpl").mkdir()
    (site.root / "tpl" / "digest.txt.j2").write_text(
        "{% autoescape false %}Our news: {{ period.label }}\n"
        "{% for s in sections %}{% for i in s.items %}{{ i.title }}\n{% endfor %}{% endfor %}"
        "{% endautoescape %}")
    post(site, "a.md", "Hello & welcome", "2016-11-01")
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    text = (site.out / "digests" / "2016-11.txt").read_text("utf-8")
    assert text == "Our news: November 2016\nHello & welcome\n"


@pytest.mark.parametrize(("name", "label"), [
    ("2016-11", "November 2016"),
    ("2016-12-30_2017-01-02", "30 December 2016 – 1 January 2017"),
    ("2016-11+community+release-notes", "November 2016"),
])
def test_period_names_round_trip(name, label):
    config = load_config(None, site_url="https://example.org")
    period = digests.parse_period_name(name, digests.site_zone(config))
    assert period is not None and period.name == name and period.label == label


@pytest.mark.parametrize("name", ["2016-13", "2016-11-05_2016-11-01", "notes", "2016-11-3_x"])
def test_other_file_names_are_not_periods(name):
    assert digests.parse_period_name(name, UTC) is None


FIT = f'style="{IMAGE_STYLE}"'     # every image: at most its column's width, never floated


@pytest.mark.parametrize(("fragment", "expected"), [
    ('<p><img src="https://x.org/a.png"></p>', f'<p><img src="https://x.org/a.png" alt="" {FIT}></p>'),
    ('<p><img src="https://x.org/a.png" alt="A"></p>',
     f'<p><img src="https://x.org/a.png" alt="A" {FIT}></p>'),
    ('<p><img src="https://x.org/a.png" align="right" hspace="8" width="300" height="200" '
     'style="float:right">Text</p>',
     f'<p><img src="https://x.org/a.png" width="300" height="200" alt="" {FIT}>Text</p>'),
    ('<p><video controls src="https://x.org/v.mp4">old browser</video></p>',
     '<p><a href="https://x.org/v.mp4">https://x.org/v.mp4</a></p>'),
    ('<video><source src="https://x.org/v.webm"><track src="https://x.org/t.vtt"></video>',
     '<a href="https://x.org/v.webm">https://x.org/v.webm</a>'),
    ('<picture><source srcset="https://x.org/a.webp"><img src="https://x.org/a.png"></picture>',
     f'<img src="https://x.org/a.png" alt="" {FIT}>'),
    ("text <b>only</b>", "text <b>only</b>"),
])
def test_email_fragment(fragment, expected):
    assert digests.email_fragment(fragment, "https://x.org/post/") == expected
