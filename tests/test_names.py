"""Names that collide or leak markup, through the CLI, feeds read back with feedparser.

Distinct tag and author names never share a feed: a collision gives the later name a
distinct, deterministic slug (spelled symbols or a hash) and a warning naming both; the
config names slugs (`[tags.slugs]`, `[authors.x] slug`) and merges spellings
(`[tags.aliases]`, `[authors.x] aliases`). Names never become live HTML in any format.
Slugs that collide with nothing stay what they were (the corpus builds stay byte-identical
to the references: checked by hand, see notes/h8-config.md).
"""

from __future__ import annotations

import html
import json
import re

import feedparser
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def post(site, name: str, title: str, day: str, *, tags=(), author: str | None = None) -> None:
    lines = [f"title: {title}", f"date: {day}"]
    if tags:
        lines.append("tags: [" + ", ".join(json.dumps(t) for t in tags) + "]")
    if author:
        lines.append(f"author: {json.dumps(author)}")
    site.post(name, "---\n" + "\n".join(lines) + "\n---\nBody.\n")


def feed_titles(site, path: str) -> set[str]:
    feed = feedparser.parse(str(site.out / f"{path}.atom.xml"))
    assert feed.bozo == 0, feed.bozo_exception
    return {e.title for e in feed.entries}


def feeds_of(site, kind: str) -> set[str]:
    return {p.name.removesuffix(".atom.xml") for p in (site.out / kind).glob("*.atom.xml")}


def warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


# (tags of four posts, config, expected {slug: title of the post it holds}, warnings expected)
TAG_CASES = {
    "c-family": (["C++", "C#", "C", "C--"], "",
                 {"c": "P3", "c-plus-plus": "P1", "c-sharp": "P2", "c-minus-minus": "P4"}, 3),
    "same-name-spellings": (["Open vSwitch", "open-vswitch", "OPEN_VSWITCH", "Ópen vSwitch"], "",
                            {"open-vswitch": "P1 P2 P3 P4"}, 0),
    "no-plain-owner": (["C++", "C#", "dotnet", "Go"], "",
                       {"c": "P1", "c-sharp": "P2", "dotnet": "P3", "go": "P4"}, 1),
    "spelled-form-taken": (["C++", "C", "c-plus-plus", "Rust"], "",
                           {"c": "P2", "c-plus-plus": "P3", "rust": "P4", "c-*": "P1"}, 1),
    "config-slugs": (["C++", "C#", "C", "C--"],
                     '[tags.slugs]\n"C++" = "cpp"\n"C#" = "csharp"\n"C--" = "cminusminus"\n',
                     {"c": "P3", "cpp": "P1", "csharp": "P2", "cminusminus": "P4"}, 0),
    "config-slug-takes-the-plain-one": (["C++", "C", "Python", "Go"], '[tags.slugs]\n"C++" = "c"\n',
                                        {"c": "P1", "c-*": "P2", "python": "P3", "go": "P4"}, 1),
    "aliases": (["C#", "c-sharp", "csharp", "C"], '[tags.aliases]\n"c-sharp" = "C#"\ncsharp = "C#"\n',
                {"c": "P4", "c-sharp": "P1 P2 P3"}, 1),
}


@pytest.mark.parametrize("case", TAG_CASES, ids=list(TAG_CASES))
def test_distinct_tags_never_share_a_feed(site, case):
    tags, config, expected, n_warnings = TAG_CASES[case]
    site.config(config)
    for i, tag in enumerate(tags, 1):
        post(site, f"2020-01-0{i}-p{i}.md", f"P{i}", f"2020-01-0{i}", tags=[tag])
    result = site.run("build")
    assert result.exit_code == 0, result.output
    found = feeds_of(site, "tags")
    assert len(found) == len(expected), found
    for slug, titles in expected.items():
        if slug.endswith("*"):     # a hashed slug: base, '-', 6 hex digits
            (slug,) = [f for f in found if re.fullmatch(slug.replace("*", "[0-9a-f]{6}"), f)]
        assert feed_titles(site, f"tags/{slug}") == set(titles.split()), slug
    clash = [w for w in warnings(result) if "would share the feed" in w]
    assert len(clash) == n_warnings, clash
    for line in clash:      # both names and both feeds are named
        assert re.search(r"tags '.+' and '.+' would share the feed tags/\S+; '.+' gets tags/\S+", line)


def test_slugs_do_not_depend_on_the_order_files_are_read(site):
    """The same posts under other file names (read in another order) give the same feeds."""
    outputs = []
    for order in (["a", "b", "c", "d"], ["d", "c", "b", "a"]):
        site.config()
        for p in site.posts.glob("*.md"):
            p.unlink()
        for prefix, (tag, day) in zip(order, [("C++", "03"), ("C#", "01"), ("C--", "02"),
                                              ("C", "04")], strict=True):
            post(site, f"{prefix}.md", f"P-{tag}", f"2020-01-{day}", tags=[tag])
        assert site.run("build", "--no-cache").exit_code == 0
        outputs.append({slug: feed_titles(site, f"tags/{slug}") for slug in feeds_of(site, "tags")})
    assert outputs[0] == outputs[1] == {"c": {"P-C"}, "c-plus-plus": {"P-C++"},
                                        "c-sharp": {"P-C#"}, "c-minus-minus": {"P-C--"}}


ALVAREZ = ["José Álvarez <jose@one.example>", "José Álvarez <jose@two.example>",
           "Jose Alvarez <jalvarez@three.example>", "José Álvarez <ja@four.example>",
           "José Álvarez <alvarez@five.example>", "José Álvarez", "JOSÉ ÁLVAREZ <JOSE@ONE.EXAMPLE>"]


def test_seven_jose_alvarez_are_six_authors(site):
    """Seven spellings, five addresses (one written twice in two cases) and one without:
    six people, six feeds; the one who wrote first keeps authors/jose-alvarez."""
    for i, author in enumerate(ALVAREZ, 1):
        post(site, f"2021-02-0{i}-a{i}.md", f"A{i}", f"2021-02-0{i}", author=author)
    result = site.run("build")
    assert result.exit_code == 0, result.output
    found = feeds_of(site, "authors")
    assert len(found) == 6 and "jose-alvarez" in found, found
    assert all(re.fullmatch(r"jose-alvarez(-[0-9a-f]{6})?", f) for f in found)
    assert feed_titles(site, "authors/jose-alvarez") == {"A1", "A7"}    # same address
    titles = sorted(sorted(feed_titles(site, f"authors/{f}")) for f in found)
    assert titles == [["A1", "A7"], ["A2"], ["A3"], ["A4"], ["A5"], ["A6"]]
    clash = [w for w in warnings(result) if "would share the feed authors/jose-alvarez" in w]
    assert len(clash) == 5 and all("'José Álvarez <jose@one.example>'" in w for w in clash)


def test_author_aliases_and_slug_merge_spellings_into_one_feed(site):
    site.config('[authors.jose]\nname = "José Álvarez"\nemail = "jose@one.example"\n'
                'slug = "jose"\naliases = ["José Álvarez <jose@two.example>", "J. Álvarez", '
                '"ja@four.example"]\n')
    for i, author in enumerate(ALVAREZ, 1):
        post(site, f"2021-02-0{i}-a{i}.md", f"A{i}", f"2021-02-0{i}", author=author)
    post(site, "2021-02-08-a8.md", "A8", "2021-02-08", author="J. Alvarez")
    result = site.run("build")
    assert result.exit_code == 0, result.output
    # jose@one.example is the configured author's address, not an alias: A1 and A7 stay
    # their own author, at the plain slug, which the configured author does not take
    assert feed_titles(site, "authors/jose") == {"A2", "A4", "A8"}
    feed = feedparser.parse(str(site.out / "authors/jose.atom.xml"))
    assert {e.author_detail.name for e in feed.entries} == {"José Álvarez"}
    assert feed_titles(site, "authors/jose-alvarez") == {"A1", "A7"}


@pytest.mark.parametrize(("config", "message"), [
    ('[tags.slugs]\n"C++" = "cpp"\n"c plus plus" = "cpp"\n', "both have the slug 'cpp'"),
    ('[authors.a]\nslug = "x"\n[authors.b]\nslug = "x"\n', "both have the slug 'x'"),
    ('[authors.a]\naliases = ["Ada"]\n[authors.b]\naliases = ["ada"]\n', "already an alias of"),
    ('[tags.slugs]\n"C++" = "C++"\n', "tags.slugs.C++"),
])
def test_config_names_are_checked(site, config, message):
    site.config(config)
    result = site.run("build")
    assert result.exit_code == 2 and message in result.stderr, result.output


HOSTILE = "<img src=x onerror=alert(4)>"


def test_markup_in_names_is_text_in_every_format(site):
    post(site, "2020-01-01-a.md", "A", "2020-01-01", tags=[HOSTILE, "Tom & Jerry"],
         author=f"{HOSTILE} <evil@example.org>")
    result = site.run("build")
    assert result.exit_code == 0, result.output
    for kind, words in (("tags", "Posts tagged"), ("authors", "Posts by")):
        (slug,) = [f for f in feeds_of(site, kind) if f.startswith("img")]
        base = site.out / kind / slug
        rss = feedparser.parse(str(base) + ".rss.xml")
        assert rss.bozo == 0
        # feedparser reads an RSS channel description as HTML: the name must be escaped
        # text in it, never an element (before: `<img src="x" />` with the onerror dropped)
        assert "<img" not in rss.feed.subtitle and "&lt;img" in rss.feed.subtitle
        assert html.unescape(rss.feed.subtitle) == f"{words} “{HOSTILE}” on Test Site" \
            if kind == "tags" else html.unescape(rss.feed.subtitle) == f"{words} {HOSTILE} on Test Site"
        assert rss.feed.title == f"Test Site — {HOSTILE}"                   # text/plain
        atom = feedparser.parse(str(base) + ".atom.xml")
        assert atom.bozo == 0 and atom.feed.subtitle_detail.type == "text/plain"
        assert HOSTILE in atom.feed.subtitle and atom.feed.title == f"Test Site — {HOSTILE}"
        data = json.loads((base.with_suffix(".json")).read_text("utf-8"))
        assert HOSTILE in data["description"] and HOSTILE in data["title"]
    tom = feedparser.parse(str(site.out / "tags/tom-jerry.rss.xml"))
    assert html.unescape(tom.feed.subtitle) == "Posts tagged “Tom & Jerry” on Test Site"
    # a plain '&' is escaped once: twice, the W3C validator reads "&amp;" as HTML in it
    raw = (site.out / "tags/tom-jerry.rss.xml").read_text("utf-8")
    assert "Tom &amp; Jerry” on" in raw and "&amp;amp;" not in raw
    page = lxml.html.parse(str(site.out / "index.html")).getroot()
    assert not page.xpath("//img") and HOSTILE in page.text_content()


def test_digest_tag_cut_and_footer_links_follow_the_distinct_feeds(site):
    site.config('[[digest.sections]]\ntitle = "C"\ntags = ["C"]\n'
                '[[digest.sections]]\ntitle = "C++"\ntags = ["c++"]\n')
    for i, tag in enumerate(["C++", "C#", "C", "C--"], 1):
        post(site, f"2016-11-0{i}-p{i}.md", f"P{i}", f"2016-11-0{i}", tags=[tag])
    assert site.run("build").exit_code == 0
    result = site.run("digest", "--month", "2016-11", "--tag", "C++")
    assert result.exit_code == 0, result.output
    page = (site.out / "digests" / "2016-11+c-plus-plus.html").read_text("utf-8")
    assert "P1" in page and not {"P2", "P3", "P4"} & set(re.findall(r"P\d", page))
    assert "tags/c-plus-plus.atom.xml" in page and "tags/c.atom.xml" not in page
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    page = lxml.html.parse(str(site.out / "digests" / "2016-11.html")).getroot()
    links = {a.get("href").rsplit("/", 1)[-1] for a in page.xpath("//a[contains(@href, '/tags/')]")}
    assert links == {"c.atom.xml", "c-plus-plus.atom.xml", "c-sharp.atom.xml", "c-minus-minus.atom.xml"}
    text = page.text_content()
    assert text.rindex("P3") < text.rindex("P1")     # section C (P3) before section C++ (P1)


# The mechanism itself, on random names (hypothesis): what site.py does for tags.
_LETTERS = "cCaAéÉ+#-_ .&/łø"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_LETTERS, min_size=1, max_size=4), min_size=1, max_size=12), st.randoms())
def test_slugs_are_distinct_stable_and_keep_uncontested_ones(names, rnd):
    from feedletter.names import Named, assign_slugs, is_plain, name_key
    from feedletter.posts import slugify

    names = [n for n in names if slugify(n)]
    keys = {name_key(n): n for n in names}           # one spelling per distinct name

    # the rank (first use) belongs to the name; only the order names are handed over changes
    named = [Named(k, repr(n), slugify(n), (not is_plain(k, slugify(n)), i, k))
             for i, (k, n) in enumerate(sorted(keys.items()))]
    slugs = assign_slugs("tags", named)[0]
    assert len(set(slugs.values())) == len(slugs)                 # distinct names, distinct feeds
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs.values())
    rnd.shuffle(named)
    assert assign_slugs("tags", named)[0] == slugs                # whatever order files are read
    bases = [slugify(n) for n in keys.values()]
    for k, n in keys.items():                                      # no collision: today's slug
        if bases.count(slugify(n)) == 1:
            assert slugs[k] == slugify(n)
