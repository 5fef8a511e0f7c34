"""Each loader rule of the spec, with small posts written here."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from feedletter.config import load_config
from feedletter.errors import PostError
from feedletter.posts import parse_post, slugify


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "feedletter.toml"
    path.write_text(
        '[site]\nurl = "https://example.org/"\ntimezone = "Europe/Prague"\nauthor = "Team"\n'
        '[authors.jmarks]\nname = "Jane Marks"\nemail = "jm@example.org"\n'
        '[authors.ahadas]\nname = "Arik Hadas"\n'
        '[zones]\nIST = "Asia/Jerusalem"\n')
    return load_config(path)


def post(cfg, front: str, body: str = "Body text.\n", name: str = "2020-05-06-hello.md"):
    return parse_post(f"---\n{front}\n---\n{body}", f"posts/{name}", cfg)


def offset(moment: datetime) -> timedelta:
    return moment.utcoffset()


# --- title -------------------------------------------------------------------------------

@pytest.mark.parametrize("front, title", [
    ("title: Hello", "Hello"),
    ("title: 2019", "2019"),
    ("title: 4.0", "4.0"),
    ("title: yes", "yes"),
    ("title: 2019-01-01", "2019-01-01"),
    ("title: 10:00", "10:00"),
    ("title: oVirt Newsletter&mdash;November 2016", "oVirt Newsletter—November 2016"),
    ("title: 'Quoted: fine'", "Quoted: fine"),
])
def test_title_is_text_as_written(cfg, front, title):
    assert post(cfg, front).title == title


def test_missing_title_is_an_error(cfg):
    with pytest.raises(PostError, match=r"posts/2020-05-06-hello.md:2: no title"):
        post(cfg, "date: 2020-05-06")


def test_yaml_error_names_file_and_line(cfg):
    with pytest.raises(PostError) as info:
        post(cfg, "title: ok\ntags: [a, b\ndate: 2020-01-01")
    assert info.value.path == "posts/2020-05-06-hello.md"
    assert info.value.line is not None and info.value.line >= 3
    assert "not valid YAML" in str(info.value)


def test_unquoted_colon_in_title_is_read_leniently_with_a_warning(cfg):
    p = post(cfg, "title: The need for speed: Coming changes\nauthor: jmarks\ndate: 2016-12-08")
    assert p.title == "The need for speed: Coming changes"
    assert any('quote the value of \'title\'' in w for w in p.warnings)
    assert p.warnings[0].startswith("posts/2020-05-06-hello.md:")


def test_python_object_tag_is_refused_not_executed(cfg, tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(PostError, match="not valid YAML"):
        post(cfg, f"title: x\nevil: !!python/object/apply:os.system ['touch {marker}']")
    assert not marker.exists()


# --- dates -------------------------------------------------------------------------------

@pytest.mark.parametrize("value, iso", [
    ("2016-02-19", "2016-02-19T00:00:00+01:00"),                  # site zone, winter
    ("2016-07-19", "2016-07-19T00:00:00+02:00"),                  # site zone, summer (DST)
    ("2016-02-19 15:00:00 CET", "2016-02-19T15:00:00+01:00"),
    ("2016-06-23 15:00:00 CET", "2016-06-23T15:00:00+01:00"),     # CET in summer means +01:00
    ("2016-07-25 15:00:00 CEST", "2016-07-25T15:00:00+02:00"),
    ("2013-10-02 13:35 UTC", "2013-10-02T13:35:00+00:00"),
    ("2019-01-22 12:32 EST", "2019-01-22T12:32:00-05:00"),
    ("2016-03-18 08:00:00 GMT", "2016-03-18T08:00:00+00:00"),
    ("2016-03-18 08:00:00 +0530", "2016-03-18T08:00:00+05:30"),
    ("2016-03-18 08:00 Europe/Prague", "2016-03-18T08:00:00+01:00"),
    ("2016-03-18T08:00:00Z", "2016-03-18T08:00:00+00:00"),
    ("2016-03-18T08:00:00.250-07:00", "2016-03-18T08:00:00.250000-07:00"),
    ("Tue Feb 20 08:54:34 IST 2018", "2018-02-20T08:54:34+02:00"),   # [zones] IST = Jerusalem
    ("Wed Jun 15 11:05:24 IDT 2016", "2016-06-15T11:05:24+03:00"),
    ("2016-03-18 08:00 JST", "2016-03-18T08:00:00+09:00"),
    ("2016-03-18 08:00 AEDT", "2016-03-18T08:00:00+11:00"),
])
def test_date_forms(cfg, value, iso):
    assert post(cfg, f"title: t\ndate: {value}").date.isoformat() == iso


@pytest.mark.parametrize("abbr, hours", [("IST", 5.5), ("CST", -6), ("BST", 1)])
def test_ambiguous_zone_defaults_documented(tmp_path, abbr, hours):
    path = tmp_path / "c.toml"
    path.write_text('[site]\nurl = "https://example.org"\n')
    p = post(load_config(path), f"title: t\ndate: 2018-02-20 08:00 {abbr}")
    assert offset(p.date) == timedelta(hours=hours)


@pytest.mark.parametrize("value, reason", [
    ("2016-13-01", "month must be in 1..12"),
    ("2016-02-30", "day is out of range"),
    ("2016-01-01 25:00", "hour must be in 0..23"),
    ("2016-01-01 10:00 XYZT", "unknown time zone 'XYZT'"),
    ("2016-01-01 10:00 Mars/Olympus", "unknown time zone"),
    ("next tuesday", "cannot read date"),
    ("0000-01-01", "year 0 is out of range"),
])
def test_bad_dates_are_errors_never_utc(cfg, value, reason):
    with pytest.raises(PostError, match=reason):
        post(cfg, f"title: t\ndate: {value}")


def test_date_from_file_name_when_no_date_key(cfg):
    p = post(cfg, "title: t", name="2017-02-25-oVirt-gamification.md")
    assert p.date.isoformat() == "2017-02-25T00:00:00+01:00"


def test_no_date_anywhere_is_an_error(cfg):
    with pytest.raises(PostError, match="no date"):
        post(cfg, "title: t", name="undated.md")


def test_updated_defaults_to_date_and_accepts_modified(cfg):
    p = post(cfg, "title: t\ndate: 2020-01-01 10:00 UTC")
    assert p.updated == p.date
    p = post(cfg, "title: t\ndate: 2020-01-01 10:00 UTC\nmodified: 2020-02-01 10:00 UTC")
    assert p.updated.isoformat() == "2020-02-01T10:00:00+00:00"


# --- tags --------------------------------------------------------------------------------

@pytest.mark.parametrize("front, tags", [
    ("tags: oVirt, community, newsletter", ("oVirt", "community", "newsletter")),
    ("tags: [oVirt, 4.0, 4.1.1]", ("oVirt", "4.0", "4.1.1")),
    ("tags:\n  - a\n  - ''\n  - ' b '", ("a", "b")),
    ("tags: oVirt, ovirt, OVIRT, Ovírt", ("oVirt",)),
    ("tags: open source virtualization,kubernetes", ("open source virtualization", "kubernetes")),
    ("tags:", ()),
])
def test_tags(cfg, front, tags):
    assert post(cfg, f"title: t\n{front}").tags == tags


def test_tag_without_slug_is_ignored_with_a_warning(cfg):
    p = post(cfg, "title: t\ntags: [ok, '!!!', '🎉']")
    assert p.tags == ("ok",)
    assert sum("ignored" in w for w in p.warnings) == 2


@pytest.mark.parametrize("text, slug", [
    ("Open vSwitch", "open-vswitch"), ("oVirt 4.2", "ovirt-4-2"), ("Ovírt", "ovirt"),
    ("  --C++ / Rust--  ", "c-rust"), ("../../x", "x"), ("Žluťoučký kůň", "zlutoucky-kun"),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


# --- authors -----------------------------------------------------------------------------

def test_authors_forms(cfg):
    names = lambda front: [a.name for a in post(cfg, f"title: t\n{front}").authors]  # noqa: E731
    assert names("author: jmarks") == ["Jane Marks"]
    assert names("author: jmarks, ahadas") == ["Jane Marks", "Arik Hadas"]
    assert names("author: jmarks,") == ["Jane Marks"]
    assert names("authors: [jmarks, Guest Writer]") == ["Jane Marks", "Guest Writer"]
    assert names("author: Jane Doe <jane@example.org>") == ["Jane Doe"]
    assert names("author: Jenny Tokar jtokar@redhat.com") == ["Jenny Tokar"]
    assert names("title2: x") == ["Team"]
    p = post(cfg, "title: t\nauthor: Jane Doe <jane@example.org>")
    assert p.authors[0].email == "jane@example.org"


# --- publishing, summary, ids, links -----------------------------------------------------

@pytest.mark.parametrize("front, draft", [
    ("draft: true", True), ("published: false", True), ("published: true", False),
    ("draft: no", False), ("", False),
])
def test_drafts(cfg, front, draft):
    assert post(cfg, f"title: t\n{front}").draft is draft


@pytest.mark.parametrize("body, summary", [
    ("Intro here.\n\nREADMORE\n\nRest.\n", "Intro here."),
    ("Intro here.\n<!-- more -->\nRest.\n", "Intro here."),
    ("Intro here.\n\n<!--more-->\n\nRest.\n", "Intro here."),
    ("Only one paragraph.\n\nSecond.\n", None),
])
def test_summary_markers(cfg, body, summary):
    p = post(cfg, "title: t", body)
    assert p.summary == summary
    assert "READMORE" not in p.body and "more--" not in p.body and "Rest" in p.body or \
        summary is None


def test_summary_from_front_matter_wins(cfg):
    for key in ("summary", "excerpt", "description"):
        assert post(cfg, f"title: t\n{key}: Short.", "A\n\nREADMORE\n\nB").summary == "Short."


def test_default_link_slug_and_id(cfg):
    p = post(cfg, "title: t\ndate: 2016-11-14 08:30:00 CET",
             name="2016-11-14-testing-ovirt-changes.html.md")
    assert p.slug == "testing-ovirt-changes"
    assert p.link == "https://example.org/blog/2016/11/testing-ovirt-changes/"
    assert p.id == "tag:example.org,2016-11-14:/testing-ovirt-changes"


def test_id_is_stable_when_title_tags_body_change(cfg):
    a = post(cfg, "title: One\ntags: a\ndate: 2020-01-01", "Body one")
    b = post(cfg, "title: Two\ntags: b, c\ndate: 2020-01-01", "Body two")
    assert a.id == b.id


def test_overrides(cfg):
    p = post(cfg, "title: t\nid: urn:uuid:1234\nslug: other\npermalink: /x/y/")
    assert (p.id, p.slug, p.link) == ("urn:uuid:1234", "other", "https://example.org/x/y/")
    assert post(cfg, "title: t\nurl: https://elsewhere.example/p").link == \
        "https://elsewhere.example/p"


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf---\r\ntitle: BOM and CRLF\r\n---\r\nBody\r\n",
    b"---\rtitle: BOM and CRLF\r---\rBody",
])
def test_bom_crlf_cr(cfg, data):
    text = data.decode("utf-8-sig")
    p = parse_post(text, "posts/2020-01-01-x.md", cfg)
    assert (p.title, p.body.strip()) == ("BOM and CRLF", "Body")


def test_control_characters_are_dropped(cfg):
    p = post(cfg, "title: \"Bad\\x1b[0m title\\x07\"", "Term \x1b[31mred\x1b[0m \x00 out\n")
    assert p.title == "Bad[0m title"
    assert "\x1b" not in p.body and "\x00" not in p.body


@pytest.mark.parametrize("body, summary, content", [
    # marker: one pass, summary is the opening paragraphs, content is everything
    ("Intro [x][r].\n\nREADMORE\n\nRest.\n\n[r]: /ref\n", '<p>Intro <a href="https://example.org/ref">x</a>.</p>',
     '<p>Intro <a href="https://example.org/ref">x</a>.</p>\n<p>Rest.</p>'),
    # a front-matter summary that opens the body mid-paragraph must not split it
    ("Short. And more of the same paragraph.\n", "<p>Short.</p>",
     "<p>Short. And more of the same paragraph.</p>"),
])
def test_rendered_summary_and_content(cfg, body, summary, content):
    from feedletter.render import render_post
    front = "title: t" + ("\nsummary: Short." if "Short" in body else "")
    p = post(cfg, front, body)
    rendered = render_post(p.body, p.summary, p.link)
    assert rendered.summary_html == summary
    assert rendered.content_html.strip() == content
    assert "FEEDLETTER" not in rendered.content_html + rendered.summary_html


def test_bare_urls_linked_outside_code_and_links(cfg):
    from feedletter.render import render_post
    p = post(cfg, "title: t", "See https://example.com/a_(b), and `https://no.example/`.\n\n"
                              "[https://x.example/](https://x.example/)\n")
    html = render_post(p.body, p.summary, p.link).content_html
    assert '<a href="https://example.com/a_(b)">https://example.com/a_(b)</a>,' in html
    assert "<code>https://no.example/</code>" in html
    assert html.count("<a ") == 2


def test_read_body_gives_the_parsed_body_and_notices_a_change(cfg, corpus_dir, tmp_path):
    """Rendering re-reads a post's body with `read_body` (no YAML): it must be exactly the
    body `load_one` parsed (CRLF, BOM, excerpt markers and all), and None once the file
    no longer has the bytes that were parsed."""
    from dataclasses import replace
    from pathlib import Path

    from feedletter.posts import load_one, read_body

    hostile = Path(__file__).parent / "hostile"
    checked = 0
    for folder in (corpus_dir, Path(__file__).resolve().parents[1] / "posts", hostile):
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            kind, value = load_one(path, folder, cfg)
            if kind != "post":
                continue
            assert read_body(path, folder, cfg, value.digest) == value.body, path
            # the file's bytes only make loading cheaper: the text alone gives the same
            alone = parse_post(path.read_bytes().decode("utf-8-sig"), str(path), cfg)
            assert alone == replace(value, digest=""), path
            checked += 1
    assert checked > 120
    crlf = tmp_path / "2020-01-01-crlf.md"
    crlf.write_bytes(b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\n\r\nOne\r\n<!-- more -->\r\nTwo\r\n")
    kind, value = load_one(crlf, tmp_path, cfg)
    assert kind == "post" and value.summary == "One"
    assert read_body(crlf, tmp_path, cfg, value.digest) == value.body
    crlf.write_bytes(crlf.read_bytes() + b"Three\r\n")
    assert read_body(crlf, tmp_path, cfg, value.digest) is None
