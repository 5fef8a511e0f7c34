"""Properties of the loader and the emitters over arbitrary text (hypothesis).

Any Unicode, including control characters, non-characters and lone surrogates, in any
front-matter field (raw, JSON-escaped or as a list) and in the body:

- the loader returns a Post or raises PostError, nothing else;
- every feed emitted for it is well-formed XML (lxml) that feedparser reads with bozo 0,
  every JSON feed is JSON, and the entry's title reaches them unchanged;
- every output path stays inside the output folder;
- emitting again gives the same bytes, also in another process with another hash seed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import feedparser
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedletter.config import load_config
from feedletter.emit import emit_all
from feedletter.errors import PostError
from feedletter.posts import Post, clean_text, parse_post
from feedletter.render import render_post
from feedletter.site import build_site

NOW = datetime(2030, 1, 1, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
SETTINGS = settings(max_examples=400, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Every code point, surrogates included (hypothesis leaves them out unless asked).
ANY_CHAR = st.characters(exclude_categories=())
PIECE = st.one_of(
    ANY_CHAR,
    st.sampled_from([*map(chr, range(0x20)), *map(chr, range(0x7f, 0xa0)), "\ud800", "\udfff",
                     "\ufffe", "\uffff", "\u2028", "\u202e", "\ufeff", "<", "&", "]]>", "---",
                     ":", "#", "[", "]", "{", "}", "*", "&a", "!!", "'", '"', "\\", "%"]),
)


def texts(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(PIECE, min_size=min_size, max_size=max_size).map("".join)


TEXT = texts()
DATES = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                 timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["2020-02-01", "2020-02-01 10:00 CET", "Tue Feb 20 08:54:34 IST 2018",
                     "2016-13-01", "0000-01-01", "2021-03-28 02:30 Europe/Prague", ""]),
    TEXT,
)
KEYS = ("title", "date", "updated", "tags", "author", "authors", "summary", "slug", "id",
        "permalink", "url", "draft", "published", "description", "category")


@st.composite
def value_text(draw, values=TEXT, lists: bool = True) -> str:
    """A front-matter value as a person might type it: quoted, raw, or a list."""
    value = draw(values)
    styles = ["json"] * 6 + ["raw"] * 2 + (["list", "block"] if lists else [])
    style = draw(st.sampled_from(styles))
    if style == "raw":
        return " ".join(value.splitlines())
    if style == "json":
        # ensure_ascii: \ud83d\ude00-style escapes, which libyaml refuses (a PostError)
        return json.dumps(value, ensure_ascii=draw(st.sampled_from([False, False, False, True])))
    items = draw(st.lists(TEXT, max_size=4))
    if style == "list":
        return json.dumps([value, *items], ensure_ascii=False)
    return "".join(f"\n  - {json.dumps(item, ensure_ascii=False)}" for item in [value, *items])


@st.composite
def post_text(draw) -> str:
    fields = {"title": draw(value_text(texts(1, 40), lists=False)),
              "date": draw(value_text(DATES, lists=False))}
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=6, unique=True)):
        listy = key in ("tags", "author", "authors", "category")
        fields[key] = draw(value_text(DATES if key in ("date", "updated") else TEXT, lists=listy))
    if draw(st.booleans()):
        key = draw(st.one_of(st.from_regex(r"[A-Za-z_][\w-]{0,10}", fullmatch=True), texts(1, 8)))
        fields[key] = draw(value_text())
    lines = [f"{key}: {value}" for key, value in fields.items()]
    body = draw(texts(max_size=300))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(["---", *lines, "---", body])


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    path = tmp_path_factory.mktemp("props") / "feedletter.toml"
    path.write_text('[site]\ntitle = "Props <&>"\nurl = "https://example.org"\n'
                    'timezone = "Europe/Prague"\nauthor = "Team"\n'
                    '[authors.jm]\nname = "Jane Marks"\nemail = "jm@example.org"\n')
    return load_config(path)


def neighbour(config) -> Post:
    return parse_post("---\ntitle: Neighbour\ndate: 2020-01-01\ntags: a\n---\nHi.\n",
                      "posts/neighbour.md", config)


def render(post: Post):
    return render_post(post.body or "", post.summary, post.link)


def emit(config, posts: list[Post]) -> dict[str, bytes]:
    return emit_all(build_site(config, posts), render)


def check_files(files: dict[str, bytes], posts: list[Post]) -> None:
    out = Path("/srv/out")
    titles = {p.title for p in posts}
    for rel, data in files.items():
        pure = PurePosixPath(rel)
        assert not pure.is_absolute() and ".." not in pure.parts and "\\" not in rel, rel
        assert "\x00" not in rel and rel == rel.strip() and not pure.name.startswith("."), rel
        assert out in (out / rel).resolve().parents, rel
        if rel.endswith(".xml") or rel.endswith(".opml"):
            tree = etree.fromstring(data)
            if rel.endswith(".xml"):
                parsed = feedparser.parse(data)
                assert parsed.bozo == 0, (rel, parsed.get("bozo_exception"))
            if rel.endswith(".atom.xml"):
                found = {e.findtext(f"{ATOM}title") for e in tree.iter(f"{ATOM}entry")}
                assert found <= titles, (rel, found - titles)
        elif rel.endswith(".json"):
            feed = json.loads(data)
            assert {item["title"] for item in feed["items"]} <= titles, rel
        else:
            data.decode("utf-8")
    assert files["all.json"] and {p.title for p in posts} == {
        item["title"] for item in json.loads(files["all.json"])["items"]}


@SETTINGS
@given(text=post_text())
def test_any_post_loads_or_is_a_post_error_and_emits_valid_feeds(config, text):
    try:
        post = parse_post(text, "posts/hypothesis.md", config)
    except PostError as exc:
        assert str(exc).startswith("posts/hypothesis.md")
        event(f"PostError: {exc.reason.split(':')[0][:40]}")
        return
    event("published")
    posts = [post, neighbour(config)]
    files = emit(config, posts)
    check_files(files, posts)
    assert emit(config, posts) == files                 # same posts, same bytes


@SETTINGS
@given(title=texts(1, 60), tags=st.lists(texts(max_size=30), max_size=8),
       authors=st.lists(texts(max_size=30), max_size=4), body=texts(max_size=400))
def test_any_escaped_field_values_survive_as_text(config, title, tags, authors, body):
    """Quoted values (control characters as \\u escapes) reach the feeds as the loader
    cleaned them; the only error is a title with nothing printable."""
    def quoted(value) -> str:
        return json.dumps(value, ensure_ascii=False)
    text = (f"---\ntitle: {quoted(title)}\ndate: 2020-02-01\ntags: {quoted(tags)}\n"
            f"authors: {quoted(authors)}\n---\n{body}")
    try:
        post = parse_post(text, "posts/escaped.md", config)
    except PostError as exc:
        assert "title" in exc.reason, exc
        assert not " ".join(clean_text(title).split()), exc
        return
    assert post.title and post.title == " ".join(post.title.split())
    posts = [post, neighbour(config)]
    files = emit(config, posts)
    check_files(files, posts)
    for rel in files:
        if rel.startswith("tags/"):
            assert PurePosixPath(rel).name.split(".")[0].replace("-", "").isalnum() or \
                PurePosixPath(rel).name.startswith("u-"), rel


# Lines of front matter: mostly `key: value`, YAML's syntax strewn through the value.
FM_PIECE = st.one_of(
    st.sampled_from(["word", "Ab", "4.0", "10", "é", "’", "x y", "a-b", "C#", "a:b"]),
    st.sampled_from([" ", "  ", "\t", ":", ": ", " #", "#", "-", "- ", "?", ",", ", ", "'",
                     '"', "[", "]", "[a, b]", "{", "&", "*", "!", "|", ">", "%", "@", "`", "~",
                     "null", "\x85", "\u2028", "\ufeff", "\r", "\\", "---", "..."]),
    st.characters(codec="utf-8", exclude_characters="\n"),
)
FM_LINE = st.one_of(
    st.tuples(st.sampled_from(["title", "tags", "a", "x_y-1", "é", "yes"]),
              st.sampled_from([":", ": ", ": ", ":  ", " :", ":\t", ""]),
              st.tuples(st.sampled_from(["", "", '"', "'", "["]),
                        st.lists(FM_PIECE, max_size=6).map("".join),
                        st.sampled_from(["", "", '"', "'", "]", "] ", "]:"])).map("".join)
              ).map("".join),
    st.tuples(st.sampled_from(["", " ", "  ", "    "]), st.sampled_from(["- ", "-", "-  "]),
              st.lists(FM_PIECE, max_size=4).map("".join)).map("".join),
    st.sampled_from(["", "   ", "# a comment", "  # indented: comment", "\t", "\t# tab",
                     "tags:", "tags:  "]),
)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(lines=st.lists(FM_LINE, min_size=1, max_size=4))
@example(lines=["title: a:"]).via("a mapping in a value")
@example(lines=["title: a #b"]).via("a comment")
@example(lines=["title: - a"]).via("a sequence")
@example(lines=["title: a\u2028b"]).via("a YAML line break")
@example(lines=['title: "a: b # c"']).via("double-quoted")
@example(lines=["title: 'a: b'"]).via("single-quoted")
@example(lines=["title: 'it''s'"]).via("an escaped quote")
@example(lines=['title: "a\\tb"']).via("an escape")
@example(lines=["tags: [a, b c,]"]).via("a list")
@example(lines=["tags: []"]).via("an empty list")
@example(lines=["tags: [a, , b]"]).via("an empty item")
@example(lines=["tags: [a: b]"]).via("a mapping in a list")
@example(lines=["tags: [a #b]"]).via("a comment in a list")
@example(lines=["tags: [- a]"]).via("a sequence in a list")
@example(lines=["a: b", "\ufeffc: d"]).via("a byte-order mark")
@example(lines=["tags:", "  - a b", "  - c", "title: x"]).via("a block list")
@example(lines=["tags:", "- a", "  - b"]).via("a block list, indented unlike")
@example(lines=["tags: x", "- a"]).via("an item after a value")
@example(lines=["tags:", "- a: b"]).via("a mapping in an item")
@example(lines=["tags:", "  -a"]).via("no space after the dash")
def test_plain_front_matter_is_read_as_yaml_reads_it(lines):
    """Where `_plain` answers for a front matter, the YAML handler it spares gives the same."""
    from feedletter.posts import _handler, _plain

    fm = clean_text("\n".join(lines)) + "\n"
    found = _plain(fm)
    event("plain" if found is not None else "to YAML")
    if found is None:
        return
    assert (_handler()[0].load(fm) or {}) == found


@SETTINGS
@given(text=st.lists(st.one_of(PIECE, st.sampled_from(
    ["READMORE", "ReadMore", "READ", "MORE", "<!-- more -->", "<!--more-->", "\n", "  "])),
    max_size=60).map("".join))
@example(text="a\x7fb").via("DEL")
@example(text="a\uffffb").via("a non-character")
@example(text="a\x85b").via("a C1 control")
@example(text="READ\x00MORE").via("a marker once cleaned")
def test_byte_hints_never_skip_needed_work(text):
    """A post's bytes said clean are clean, and said unmarked have no excerpt marker."""
    from feedletter.posts import _MARKER_LINE, _Hints

    try:
        raw = text.encode("utf-8")      # what a post file decodes from (no surrogates)
    except UnicodeEncodeError:
        return
    hints = _Hints.of(raw)
    event(f"dirty={hints.dirty} marked={hints.marked}")
    if not hints.dirty:
        assert clean_text(text) == text
    if not hints.marked:
        assert _MARKER_LINE.search(clean_text(text)) is None

HASH_SEED_SCRIPT = """
import sys, hashlib

from feedletter.config import load_config
from feedletter.emit import emit_all
from feedletter.posts import parse_post
from feedletter.render import render_post
from feedletter.site import build_site
config = load_config(sys.argv[1])
posts = [parse_post(open(p, encoding="utf-8").read(), p, config)
         for p in sys.argv[2:]]
files = emit_all(build_site(config, posts), lambda p: render_post(p.body, p.summary, p.link))
for name in sorted(files):
    print(name, hashlib.sha256(files[name]).hexdigest())
"""


def test_emitting_is_the_same_in_another_process_and_hash_seed(tmp_path):
    cfg = tmp_path / "feedletter.toml"
    cfg.write_text('[site]\nurl = "https://example.org"\n')
    paths = []
    for i, tags in enumerate(["b, a, C, ä, עברית", "z, y, x, a", "a, 🎉, '..', '  ', Ä"]):
        path = tmp_path / f"2020-02-0{i + 1}-p{i}.md"
        path.write_text(f"---\ntitle: Post {i}\ntags: [{tags}]\nauthors: [x{i}, Y, 王伟]\n---\n"
                        f"Body [link](https://example.org/{i}) and <b>bold</b>.\n", "utf-8")
        paths.append(str(path))
    outputs = set()
    for seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", HASH_SEED_SCRIPT, str(cfg), *paths],
                                capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1 and outputs.pop().count("\n") > 10
