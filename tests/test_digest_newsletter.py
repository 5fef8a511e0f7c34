"""The digest as a newsletter: one copy of each post, masthead, preheader, footer,
layouts, item images, cut summaries, languages, and the plain-text part."""

from __future__ import annotations

import shutil
import struct
import zlib
from datetime import date

import pytest
from babel import Locale
from babel.dates import format_date, format_skeleton
from lxml import html as lxml_html

from feedletter.digest.fragments import cut_summary
from feedletter.digest.images import image_size
from test_digest import CORPUS_DIGEST, DIGEST, html_sections, parse_eml, post, run


def page_of(site, name: str = "2016-11"):
    return lxml_html.document_fromstring((site.out / "digests" / f"{name}.html").read_text())


def text_of(site, name: str = "2016-11") -> str:
    return (site.out / "digests" / f"{name}.txt").read_text("utf-8")


# --- one issue, one copy of each post --------------------------------------------------

GAMIFICATION = "oVirt Gamification--The oVirt Game You Didn't Know you Were Playing"


@pytest.fixture
def february(tmp_path, corpus_dir):
    """The real corpus's February 2017 files (three copies of one post among them)."""
    posts = tmp_path / "posts"
    posts.mkdir()
    for path in corpus_dir.glob("2017-02-*"):
        shutil.copy(path, posts / path.name)
    cfg = tmp_path / "feedletter.toml"
    cfg.write_text('[site]\ntitle = "oVirt Blog"\nurl = "https://www.ovirt.org"\n'
                   f'[paths]\nposts = "{posts}"\n' + CORPUS_DIGEST)
    return cfg, posts


def titles(cfg) -> list[str]:
    page = (cfg.parent / "feeds" / "digests" / "2017-02.html").read_text("utf-8")
    return [t for _, items in html_sections(page) for t in items]


def test_corpus_duplicates_once_with_a_warning_and_digest_false(february):
    cfg, posts = february
    result = run("digest", "--config", str(cfg), "--month", "2017-02")
    assert result.exit_code == 0, result.output
    shown = titles(cfg)
    assert shown.count(GAMIFICATION) == 1 and len(shown) == len(set(shown)) == 4
    assert "Test Blog Entry" in shown
    warning = [line for line in result.stderr.splitlines() if "copies" in line]
    assert len(warning) == 1
    for name in ("2017-02-25-oVirt-gamification.md", "2017-02-27-oVirt-gamification.html.md",
                 "2017-02-27-oVirt-gamification.md"):
        assert name in warning[0]
    # `digest: false` in the front matter leaves the test entry out of the digest only
    entry = posts / "2017-02-23-test-blog-entry.md"
    entry.write_text(entry.read_text().replace("---\n", "---\ndigest: false\n", 1))
    assert run("digest", "--config", str(cfg), "--month", "2017-02").exit_code == 0
    assert "Test Blog Entry" not in titles(cfg) and len(titles(cfg)) == 3
    assert run("build", "--config", str(cfg), "--now", "2030-01-01T00:00:00Z").exit_code in (0, 1)
    assert "Test Blog Entry" in (cfg.parent / "feeds" / "all.atom.xml").read_text()


def test_exclude_by_slug_or_path_and_check_says_what_digest_says(february):
    cfg, posts = february
    result = run("digest", "--config", str(cfg), "--month", "2017-02",
                 "--exclude", "test-blog-entry",
                 "--exclude", str(posts / "2017-02-10-oVirt-vagrant.md"),
                 "--exclude", "no-such-post")
    assert result.exit_code == 0, result.output
    shown = titles(cfg)
    assert "Test Blog Entry" not in shown and "oVirt and Vagrant" not in shown
    assert "Using oVirt and Vagrant" in shown
    assert "--exclude 'no-such-post': no post of this digest" in result.stderr
    check = run("check", "--config", str(cfg), "--now", "2030-01-01T00:00:00Z")
    digest_lines = [line for line in result.stderr.splitlines()
                    if line.startswith("warning: ") and "--exclude" not in line]
    assert digest_lines
    for line in digest_lines:
        assert line in check.stderr.splitlines(), line


# --- masthead, preheader, footer --------------------------------------------------------

NEWSLETTER = DIGEST + """
name = "Lanternfish Community Newsletter"
logo = "https://example.org/logo.png"
logo_alt = "Lanternfish"
header_image = "https://example.org/header.jpg"
header_image_alt = "Fish in the dark"
footer = "Lanternfish e.V., Example Street 1, Brno · [Imprint](/imprint/)"
"""


def test_masthead_preheader_footer(site):
    site.config(NEWSLETTER)
    (site.root / "logo.png").write_bytes(png(240, 96))     # the site's own: its size is read
    post(site, "a.md", "Release 3.2", "2016-11-02", "release, Bugs")
    post(site, "b.md", "Meetup", "2016-11-03", "events")
    post(site, "c.md", "Roadmap", "2016-11-04")
    post(site, "d.md", "Last one", "2016-11-05")
    post(site, "z.md", "Other month", "2016-10-05", "unrelated")
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    root = page_of(site)
    masthead = root.find_class("masthead")[0]
    assert masthead.text_content() == "Lanternfish Community Newsletter"
    assert masthead.get("href") == "https://example.org/"
    logo = root.find_class("logo")[0]
    assert (logo.get("src"), logo.get("alt")) == ("https://example.org/logo.png", "Lanternfish")
    assert (logo.get("width"), logo.get("height")) == ("120", "48")      # 48 px high
    header = root.find_class("header-image")[0]
    assert header.get("alt") == "Fish in the dark" and header.get("width") == "600"
    assert header.get("height") is None                     # no such file: left to CSS
    pre = root.find_class("preheader")[0]
    assert pre.text_content().startswith("November 2016: Release 3.2 · Meetup · Roadmap …")
    assert "display:none" in pre.get("style") and "mso-hide:all" in pre.get("style")
    # the preheader comes first in <body>: it is what the inbox shows
    assert root.find("body")[0] is pre
    msg = parse_eml(site.out / "digests" / "2016-11.eml")
    assert msg["Subject"] == "Lanternfish Community Newsletter — November 2016"
    footer = root.find_class("footer")[0]
    assert "Lanternfish e.V., Example Street 1, Brno" in footer.text_content()
    feeds = [a.get("href") for a in footer.iter("a")]
    # only this tags (not 'unrelated'), the site feed and the digests feed
    assert [f for f in feeds if "/tags/" in f] == [
        "https://example.org/feeds/tags/bugs.atom.xml",
        "https://example.org/feeds/tags/events.atom.xml",
        "https://example.org/feeds/tags/release.atom.xml"]
    assert "https://example.org/imprint/" in feeds
    text = text_of(site)
    assert "Lanternfish Community Newsletter: https://example.org/\n" in text
    assert "\n-- \n" in text
    assert "Lanternfish e.V., Example Street 1, Brno · Imprint [1]\n[1] https://example.org/imprint/" \
        in text

    site.config(NEWSLETTER + 'footer_tags = "none"\npreheader = "{count} new: {titles}"\n')
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    root = page_of(site)
    assert not [a for a in root.find_class("footer")[0].iter("a") if "/tags/" in a.get("href")]
    assert root.find_class("preheader")[0].text_content().startswith(
        "4 posts new: Release 3.2 · Meetup")


# --- layouts, images, summaries ---------------------------------------------------------

def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + b"\0" * width * 3 for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


LAYOUTS = DIGEST + """
[[digest.sections]]
title = "Releases"
tags = ["release"]
layout = "cards"

[[digest.sections]]
title = "Events"
tags = ["events"]
layout = "list"

[[digest.sections]]
title = "Links"
tags = ["link"]
layout = "titles"
"""


def test_layouts_and_item_images(site):
    site.config(LAYOUTS)
    (site.root / "images").mkdir()
    (site.root / "images" / "wide.png").write_bytes(png(1200, 600))
    post(site, "a.md", "Front matter image", "2016-11-02", "release",
         'image: /images/wide.png\nimage_alt: "Release party"')
    post(site, "b.md", "Body image", "2016-11-03", "release", "",
         '<img src="/shot.png" width="800" height="400" alt="Screenshot" align="right">\n\n'
         "Text of the post.")
    post(site, "c.md", "No image", "2016-11-04", "release")
    post(site, "d.md", "A meetup", "2016-11-05", "events", "",
         "First sentence of the meetup. Second sentence.\n\nMore.")
    post(site, "e.md", "A link", "2016-11-06", "link")
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    root = page_of(site)
    images = {img.get("alt"): img for img in root.find_class("item-image")}
    assert set(images) == {"Release party", "Screenshot"}
    wide = images["Release party"]
    assert wide.get("src") == "https://example.org/images/wide.png"   # made absolute
    assert (wide.get("width"), wide.get("height")) == ("560", "280")  # size from the file
    shot = images["Screenshot"]
    assert (shot.get("width"), shot.get("height")) == ("560", "280")  # from the post's img
    for img in root.iter("img"):
        assert img.get("align") is None and "float" not in (img.get("style") or "").replace(
            "float:none", "")
    # the body image is the item's picture: not shown again in its summary
    assert not [i for s in root.find_class("summary") for i in s.iter("img")]
    assert [ul.get("class") for ul in root.iter("ul")] == ["list", "titles"]
    listed = root.find_class("list")[0]
    assert "First sentence of the meetup. Second sentence." in listed.text_content()
    titles_only = root.find_class("titles")[0]
    assert titles_only.text_content().strip() == "A link"
    text = text_of(site)
    assert "\n- A link\n  https://example.org/blog/2016/11/e/\n" in text


def test_text_part_bullets_are_indented_when_wrapped(site):
    site.config(DIGEST)
    item = "a list item that is long enough to wrap over the 76 columns of the text part"
    post(site, "a.md", "Lists", "2016-11-02", "", "",
         f"Intro paragraph.\n\n- {item}\n- short\n\nREADMORE\n\nRest.\n")
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    lines = text_of(site).splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  - a list item"))
    assert lines[first + 1].startswith("    ") and not lines[first + 1].startswith("    -")
    assert "  - short" in lines


# --- languages ----------------------------------------------------------------------------

@pytest.mark.parametrize(("in_site", "in_digest", "lang", "strings"), [
    ("cs", None, "cs", ("Zobrazit v prohlížeči", "Číst dál →", "Další novinky")),
    ("fr", "de", "de", ("Im Browser ansehen", "Weiterlesen →", "Weitere Neuigkeiten")),
])
def test_digest_in_czech_and_german_follows_babel(site, in_site, in_digest, lang, strings):
    """site.language, or digest.language over it."""
    site.config_text += f'language = "{in_site}"\n'       # inside [site]
    extra = f'language = "{in_digest}"\n' if in_digest else ""
    site.config(DIGEST + extra + 'preheader = "{count}"\n')
    for day in (2, 14, 20):
        post(site, f"p{day}.md", f"Post {day}", f"2016-11-{day:02d} 12:00")
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    root = page_of(site)
    assert root.get("lang") == lang
    assert root.find_class("period")[0].text_content() == format_skeleton(
        "yMMMM", date(2016, 11, 1), locale=lang)
    metas = [m.text_content() for m in root.find_class("meta")]
    assert metas[1].endswith(format_date(date(2016, 11, 14), "long", locale=lang))
    page = lxml_html.tostring(root, encoding="unicode")
    for string in strings:
        assert string in page
    # plural-aware: Czech "3" is the "few" form, German's is "other"
    form = Locale.parse(lang).plural_form(3)
    expected = {"cs": {"few": "3 příspěvky"}, "de": {"other": "3 Beiträge"}}[lang][form]
    assert root.find_class("preheader")[0].text_content().startswith(expected)
    text = text_of(site)
    assert format_date(date(2016, 11, 14), "long", locale=lang) in text


def test_site_overrides_a_string(site):
    site.config(DIGEST + '[digest.strings]\nread_more = "Whole story →"\n'
                'view_in_browser = "Open on the web"\n')
    post(site, "a.md", "Hello", "2016-11-02")
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    page = (site.out / "digests" / "2016-11.html").read_text("utf-8")
    assert "Whole story →" in page and "Open on the web" in page and "Read more" not in page


@pytest.mark.parametrize(("extra", "message"), [
    ('layout = "grid"', "digest.layout' must be one of cards, list, titles"),
    ('footer_tags = "all"', "digest.footer_tags' must be one of issue, none"),
    ('logo = "/logo.png"', "digest.logo' must be an absolute http(s) URL"),
    ('language = "xx-nowhere"', "digest.language"),
    ('preheader = "{month}"', "{month} is not one of the placeholders"),
    ("summary_chars = 10", "digest.summary_chars' must be an integer from 40 to 5000"),
    ('[digest.strings]\nread_mroe = "x"', "unknown string 'read_mroe'"),
])
def test_bad_newsletter_keys_exit_2(site, extra, message):
    site.config(DIGEST + extra + "\n")
    post(site, "a.md", "Hello", "2016-11-02")
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 2, result.output
    assert message in result.output


# --- the pieces, as golden tests ----------------------------------------------------------

JPEG = (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\0" * 9
        + b"\xff\xdb" + struct.pack(">H", 4) + b"\0\0"
        + b"\xff\xc2" + struct.pack(">HBHH", 11, 8, 480, 640) + b"\x03" + b"\0" * 6)
WEBP_LOSSLESS = (b"RIFF" + b"\0" * 4 + b"WEBPVP8L" + b"\0" * 4 + b"\x2f"
                 + ((99) | (49 << 14)).to_bytes(4, "little"))


@pytest.mark.parametrize(("head", "size"), [
    (png(12, 7)[:64], (12, 7)),
    (b"GIF89a" + struct.pack("<HH", 320, 200) + b"\0" * 10, (320, 200)),
    (JPEG, (640, 480)),                       # progressive SOF2, after APP0 and DQT
    (WEBP_LOSSLESS, (100, 50)),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
])
def test_image_size_from_the_file_header(head, size):
    assert image_size(head) == size


@pytest.mark.parametrize(("fragment", "budget", "expected", "cut"), [
    ("<p>Short.</p>", 50, "<p>Short.</p>", False),
    ("<p>One two. Three four.</p><p>Five six.</p>", 25,
     "<p>One two. Three four.</p>", True),                         # whole paragraphs
    ("<p>First sentence here. Second one is long enough to cross the line.</p>", 40,
     "<p>First sentence here.</p>", True),                         # the sentences that fit
    ('<p>See <a href="https://x.org/">the notes</a>. More words follow here and on.</p>', 20,
     '<p>See <a href="https://x.org/">the notes</a>.</p>', True),   # inline markup kept
    ("<p>Intro.</p><p>We saw this error:</p><pre>boom</pre>", 20,
     "<p>Intro.</p>", True),                                       # never on a colon
    ("<ul>\n<li>First item here.</li>\n<li>The second item is longer than all.</li>\n</ul>", 30,
     "<ul>\n<li>First item here.</li></ul>", True),               # spaces counted as shown
    ("<p>Intro.</p><h2>Next part</h2><p>" + "x " * 40 + "</p>", 30,
     "<p>Intro.</p>", True),                                       # nor on a heading
])
def test_cut_summary(fragment, budget, expected, cut):
    assert cut_summary(fragment, budget) == (expected, cut)


def test_footer_links_follow_the_feed_paths(site):
    """[feeds.paths] moves the feeds: the footer links where `build` writes them."""
    site.config('[feeds.paths]\nsite = "feed"\ntags = "topics/{slug}/feed"\n' + DIGEST)
    post(site, "a.md", "Hello", "2016-11-02", "Events")
    assert site.run("build").exit_code == 0
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    footer = page_of(site).find_class("footer")[0]
    links = [a.get("href") for a in footer.iter("a")][:2]
    assert links == ["https://example.org/feeds/feed.atom.xml",
                     "https://example.org/feeds/topics/events/feed.atom.xml"]
    for link in links:
        assert (site.out / link.removeprefix("https://example.org/feeds/")).is_file()


def test_digest_false_added_after_a_build_is_seen_through_the_index(site):
    """The digest's index re-reads an edited post (same id, tags and dates): a later
    `digest: false` or a new picture is what the digest uses, as a full load would."""
    site.config(DIGEST)
    post(site, "a.md", "Kept", "2016-11-02")
    post(site, "b.md", "Left out later", "2016-11-03")
    assert site.run("build").exit_code == 0                   # writes the index
    post(site, "b.md", "Left out later", "2016-11-03", "", "digest: false")
    post(site, "a.md", "Kept", "2016-11-02", "", "image: /pic.png")
    assert site.run("digest", "--month", "2016-11").exit_code == 0
    root = page_of(site)
    assert [a.text_content() for a in root.find_class("post-link")] == ["Kept"]
    assert root.find_class("item-image")[0].get("src") == "https://example.org/pic.png"
    assert site.run("digest", "--month", "2016-11", "--out", str(site.root / "indexed")).exit_code == 0
    (site.root / ".feedletter" / "cache.sqlite").unlink()      # a full load gives the same
    assert site.run("digest", "--month", "2016-11", "--out", str(site.root / "full")).exit_code == 0
    assert (site.root / "indexed" / "2016-11.html").read_bytes() == \
        (site.root / "full" / "2016-11.html").read_bytes()
