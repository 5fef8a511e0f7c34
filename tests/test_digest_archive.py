"""digests/index.html, the archive page: every published digest, through the CLI."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
from babel.dates import format_interval, format_skeleton
from lxml import html as lxml_html

from feedletter import mail
from feedletter.digest.i18n import STRINGS
from smtputil import PASSWORD, smtp_toml

DIGEST = """
[digest]
from = "Test News <news@example.org>"
to = ["list@example.org"]
"""


def two_months(site, extra: str = "") -> None:
    site.config(DIGEST + extra)
    for month, title in ((10, "October <news> & more"), (11, "Meetup in Brno")):
        site.post(f"2016-{month}-03-post.md", f"""\
            ---
            title: {title}
            date: 2016-{month}-03 10:00
            ---
            About {title}.
            """)


def archive(site) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((site.out / "digests" / "index.html").read_bytes())


def issues(root) -> list[tuple[str, str, str, str | None]]:
    """(title, period, html href, txt href) of each listed issue, in order."""
    found = []
    for li in root.find_class("issue"):
        text = li.find_class("text")
        found.append((li.find_class("issue-link")[0].text_content(),
                      li.find_class("period")[0].text_content(),
                      li.find_class("issue-link")[0].get("href"),
                      text[0].get("href") if text else None))
    return found


def resolve(page: Path, href: str) -> Path:
    """A relative link of a page in the output folder → the file it names."""
    assert not urlsplit(href).scheme and not href.startswith("/"), href
    return Path(unquote(urlsplit(urljoin(page.as_uri(), href)).path))


def published(site) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(site.out)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in site.out.rglob("*") if p.is_file()}


def test_two_months_newest_first_with_working_links_same_as_the_feed(site):
    two_months(site)
    assert site.run("build").exit_code == 0
    index = (site.out / "index.html").read_text("utf-8")
    assert "digests/index.html" not in index            # no digest yet: no link
    for month in ("2016-10", "2016-11"):
        result = site.run("digest", "--month", month)
        assert result.exit_code == 0, result.output
        assert "archive page: feeds/digests/index.html" in result.output
    page = site.out / "digests" / "index.html"
    root = archive(site)
    assert root.get("lang") == "en"
    assert root.find(".//meta[@name='viewport']") is not None
    assert not root.xpath("//script") and not root.xpath("//@*[starts-with(name(), 'on')]")
    listed = issues(root)
    assert [row[:2] for row in listed] == [
        ("Test Site — November 2016", "November 2016"),
        ("Test Site — October 2016", "October 2016"),
    ]
    for title, _, html_href, txt_href in listed:
        target = resolve(page, html_href)
        assert lxml_html.fromstring(target.read_bytes()).findtext(".//title") == title
        assert resolve(page, txt_href).read_text("utf-8") == target.with_suffix(".txt").read_text("utf-8")
    assert root.findtext(".//title") == "Test Site — All issues"
    # The page and the digests feed come from the same reader: same issues, same order.
    feed_href = root.xpath("//link[@rel='alternate']/@href")[0]
    feed = feedparser.parse(resolve(page, feed_href).read_bytes())
    assert [e.title for e in feed.entries] == [row[0] for row in listed]
    assert [e.link.rsplit("/", 1)[1] for e in feed.entries] == [row[2] for row in listed]

    # Same digests, same bytes: a rerun changes nothing, not even the mtime.
    before = published(site)
    assert site.run("digest", "--month", "2016-10").exit_code == 0
    assert published(site) == before

    # The feeds index links the archive once there is one.
    assert site.run("build").exit_code == 0
    index = lxml_html.fromstring((site.out / "index.html").read_bytes())
    links = index.xpath("//a/@href")
    assert "https://example.org/feeds/digests/index.html" in links
    assert "https://example.org/feeds/digests.atom.xml" in links


def test_tag_and_range_digests_are_listed_with_their_period(site):
    """Order as the digests feed: by end, newest first; of digests ending together, the
    whole site's month before a tag's; a range shows Babel's interval, a tag digest its tags."""
    two_months(site)
    site.post("2016-11-05-go.md", """\
        ---
        title: Go news
        date: 2016-11-05 10:00
        tags: [Go]
        ---
        Go.
        """)
    for args in (["--since", "2016-11-03", "--until", "2016-11-16"],
                 ["--month", "2016-11", "--tag", "go"], ["--month", "2016-11"]):
        assert site.run("digest", *args).exit_code == 0
    listed = issues(archive(site))
    assert [row[1:3] for row in listed] == [
        ("November 2016", "2016-11.html"),
        ("November 2016 (go)", "2016-11+go.html"),
        (format_interval(date(2016, 11, 3), date(2016, 11, 15), "yMMMMd", locale="en"),
         "2016-11-03_2016-11-16.html"),
    ]
    page = site.out / "digests" / "index.html"
    assert all(resolve(page, row[2]).is_file() and resolve(page, row[3]).is_file() for row in listed)


def test_stray_files_are_skipped_with_a_warning(site):
    two_months(site)
    assert site.run("digest", "--month", "2016-10").exit_code == 0
    digests = site.out / "digests"
    (digests / "2016-09.html").write_bytes(b"caf\xe9")     # Latin-1, named like a digest
    (digests / "notes.html").write_text("<p>not a digest</p>")
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    assert ("warning: feeds/digests/2016-09.html: not UTF-8 (byte 0xe9); left out of the "
            "digests feed and archive page") in result.stderr
    assert "notes.html" not in result.output
    listed = issues(archive(site))
    assert [row[2] for row in listed] == ["2016-11.html", "2016-10.html"]


def test_german_site_shows_the_german_strings(site):
    site.config_text += 'language = "de"\n'
    two_months(site)
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    root = archive(site)
    de = STRINGS["de"]
    assert root.get("lang") == "de"
    assert root.findtext(".//h1") == f"Test Site — {de['archive']}"
    [(title, period, _, _)] = issues(root)
    assert period == format_skeleton("yMMMM", date(2016, 11, 1), locale="de") == "November 2016"
    assert root.find_class("text")[0].text_content() == de["plain_text"]
    assert de["digests_feed"] in root.text_content()
    for word in ("All issues", "plain text", "This newsletter"):
        assert word not in root.text_content()


def test_a_site_overrides_the_archive_strings(site):
    two_months(site, '[digest.strings]\narchive = "Back issues"\nplain_text = "text only"\n')
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    root = archive(site)
    assert root.findtext(".//h1") == "Test Site — Back issues"
    assert root.find_class("text")[0].text_content() == "text only"


# ─ a personal send never rewrites the archive ──────────────────────────────────────

def test_a_to_send_leaves_the_archive_page_as_it_is(site, server, certs, monkeypatch):
    monkeypatch.setenv(mail.PASSWORD_ENV, PASSWORD)
    two_months(site, textwrap.dedent(smtp_toml(server, certs)))
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    before = published(site)
    assert "digests/index.html" in before
    post = site.posts / "2016-11-03-post.md"
    post.write_text(post.read_text().replace("About", "All about"))
    # A test send of an unpublished month and a resend of an edited one: neither is an
    # issue of the archive, so not a byte and not an mtime of the published files moves.
    for args in (["--month", "2016-10", "--to", "cy@example.com"],
                 ["--month", "2016-11", "--force", "--to", "cy@example.com"]):
        result = site.run("digest", *args, "--send")
        assert result.exit_code == 0, result.output
        assert published(site) == before
    assert [row[2] for row in issues(archive(site))] == ["2016-11.html"]
    assert server.handler.copies("cy@example.com") == 2
