"""The zola flavour against Zola's documentation: a small site written here, one page
per documented rule (https://www.getzola.org/documentation/content/page/)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedletter.config import load_config
from feedletter.errors import PostError
from feedletter.sources import load_posts, parse_post
from feedletter.sources.zola import slugify

NOW = datetime(2026, 12, 1, tzinfo=UTC)

# Each page quotes the rule it shows. page.md: "A page is any file ending with `.md` in
# the `content` directory, except files named `_index.md`."; "If a file ending with `.md`
# is named `index.md`, then it will generate a page with the name of the containing
# folder"; "The front-matter ... is at the beginning of the file, surrounded by `+++` and
# uses TOML."
PAGES = {
    "_index.md": '+++\ntitle = "Home"\n+++\n',
    "blog/_index.md": '+++\ntitle = "Blog"\nsort_by = "date"\n+++\n',
    # "2 formats are allowed: YYYY-MM-DD (2012-10-02) and RFC3339 (2002-10-02T15:00:00Z)"
    "blog/first.md": '+++\ntitle = "First"\ndate = 2002-10-02T15:00:00Z\n'
                     'authors = ["A", "B"]\n[taxonomies]\ntags = ["rust", "web"]\n'
                     'categories = ["news"]\n+++\nHello\n',
    # page.md (Dates): "the date is taken from the filename ... if it starts with a date
    # (YYYY-mm-dd) followed by an underscore or a dash"; the slug is the rest
    "blog/2018-10-10-hello-world.md": '+++\ntitle = "Hello"\n+++\n',
    # ... and from the folder name of a page with colocated assets
    "blog/2024-02-17-release/index.md": '+++\ntitle = "Release"\n+++\n',
    "blog/2024-02-17-release/notes.md": '+++\ntitle = "Not a page"\n+++\n',
    # "slug: If filled, it will use that slug instead of the filename to make up the URL.
    # It will still use the section path though"
    "blog/renamed.md": '+++\ntitle = "Renamed"\ndate = 2020-01-01\nslug = "Other Name"\n+++\n',
    # "path: The path the content will appear at. If set, ... will override both `slug`
    # and the filename. The sections' path won't be used. It should not start with a `/`"
    "blog/moved.md": '+++\ntitle = "Moved"\npath = "2019/10/24/moved-post"\n+++\n',
    # "draft: A draft page ... will only be loaded if the `--drafts` flag is passed"
    "blog/wip.md": '+++\ntitle = "WIP"\ndate = 2020-01-01\ndraft = true\n+++\n',
    "news-internal/_index.md": '+++\ntitle = "Internal"\n+++\n',
    "news-internal/memo.md": '+++\ntitle = "Memo"\ndate = 2021-05-05\n'
                             'aliases = ["/old/memo/"]\n+++\n',
}


def build(tmp_path: Path, source: str = ""):
    for rel, text in PAGES.items():
        path = tmp_path / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "feedletter.toml").write_text(
        '[site]\nurl = "https://example.org"\ngenerator = "zola"\n[source]\n'
        "date_pattern = '(?P<year>\\d{4})/(?P<month>\\d\\d)/(?P<day>\\d\\d)'\n" + source + "\n")
    result = load_posts(load_config(tmp_path / "feedletter.toml"), now=NOW)
    return {Path(p.source).relative_to(tmp_path / "content").as_posix(): p
            for p in result.posts}, result


def test_pages_sections_and_assets(tmp_path):
    posts, result = build(tmp_path)
    assert sorted(posts) == [
        "blog/2018-10-10-hello-world.md", "blog/2024-02-17-release/index.md", "blog/first.md",
        "blog/moved.md", "blog/renamed.md", "news-internal/memo.md"]
    assert result.errors == [] and result.drafts == 1


def test_toml_front_matter_taxonomies_and_authors(tmp_path):
    post = build(tmp_path)[0]["blog/first.md"]
    assert (post.tags, post.categories) == (("rust", "web"), ("news",))
    assert [a.name for a in post.authors] == ["A", "B"]
    assert post.date.isoformat() == "2002-10-02T15:00:00+00:00"
    assert post.link == "https://example.org/blog/first/"


@pytest.mark.parametrize("rel, day, link", [
    ("blog/2018-10-10-hello-world.md", "2018-10-10", "/blog/hello-world/"),
    ("blog/2024-02-17-release/index.md", "2024-02-17", "/blog/release/"),
    ("blog/renamed.md", "2020-01-01", "/blog/other-name/"),   # slugify.paths = "on"
    ("blog/moved.md", "2019-10-24", "/2019/10/24/moved-post/"),   # date from `path`
    ("news-internal/memo.md", "2021-05-05", "/news-internal/memo/"),
])
def test_dates_and_links(tmp_path, rel, day, link):
    post = build(tmp_path)[0][rel]
    assert post.date.date().isoformat() == day
    assert post.link == "https://example.org" + link


def test_sections_and_aliases(tmp_path):
    posts = build(tmp_path)[0]
    assert posts["news-internal/memo.md"].section == "news-internal"
    assert posts["news-internal/memo.md"].aliases == ("https://example.org/old/memo/",)


def test_drafts_flag(tmp_path):
    posts, _ = build(tmp_path, "drafts = true")
    assert "blog/wip.md" in posts


def test_no_date_anywhere_is_a_bad_post(tmp_path):
    (tmp_path / "feedletter.toml").write_text(
        '[site]\nurl = "https://example.org"\ngenerator = "zola"\n')
    with pytest.raises(PostError, match="no date"):
        parse_post('+++\ntitle = "x"\n+++\n', "content/x.md",
                   load_config(tmp_path / "feedletter.toml"), rel="x.md")


@pytest.mark.parametrize("text, strategy, slug", [
    # configuration docs: slugify.paths "on": "Creates a URL-safe slug ... (lowercase,
    # ASCII, '-' between words)"; "safe": "Only removes characters that are not valid
    # in file paths on Windows"; "off": "Keeps the name as written"
    ("Hello World!", "on", "hello-world"),
    ("Café Crème", "on", "cafe-creme"),
    ("Hello: World?", "safe", "Hello World"),
    ("Hello World", "off", "Hello World"),
])
def test_slugify_paths(text, strategy, slug):
    assert slugify(text, strategy) == slug


# --- real pages: the Rust blog (tests/zola-rust-blog/SOURCE.md) -----------------------------

def test_rust_blog_dates_only_in_path(tmp_path):
    site = Path(__file__).parent / "zola-rust-blog"
    # config.toml: base_url = "https://blog.rust-lang.org"; pages say
    # path = "2026/03/26/1.94.1-release" and no date: the site's pattern reads it there
    (tmp_path / "feedletter.toml").write_text(
        '[site]\nurl = "https://blog.rust-lang.org"\ngenerator = "zola"\n'
        f'[source]\nroot = "{site}"\n'
        "date_pattern = '(?P<year>\\d{4})/(?P<month>\\d{2})/(?P<day>\\d{2})/'\n")
    result = load_posts(load_config(tmp_path / "feedletter.toml"), now=NOW)
    posts = {Path(p.source).relative_to(site / "content").as_posix(): p for p in result.posts}
    assert sorted(posts) == ["1.94.1-release.md", "inside-rust/1.45.1-prerelease.md"]
    release = posts["1.94.1-release.md"]
    assert (release.title, release.date.isoformat()) == \
        ("Announcing Rust 1.94.1", "2026-03-26T00:00:00+00:00")
    # blog.rust-lang.org serves it at /2026/03/26/1.94.1-release/ (Zola writes
    # <path>/index.html), and `aliases = ["releases/1.94.1"]` at /releases/1.94.1/
    assert release.link == "https://blog.rust-lang.org/2026/03/26/1.94.1-release/"
    assert release.aliases == ("https://blog.rust-lang.org/releases/1.94.1/",)
    assert [a.name for a in release.authors] == ["The Rust Release Team"]
    inside = posts["inside-rust/1.45.1-prerelease.md"]
    assert inside.section == "inside-rust"
    assert inside.link == "https://blog.rust-lang.org/inside-rust/2020/07/27/1.45.1-prerelease/"
    # releases/latest.md (`template = "latest.html"`, a redirect) has no title and no date
    assert [Path(e.path).name for e in result.errors] == ["latest.md"]
