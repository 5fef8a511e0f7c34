"""The jekyll flavour against Jekyll's documented behaviour (each rule quoted with its
URL), and against the real jekyll-news corpus (Jekyll's own news posts)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import corpus_path
from feedletter.config import load_config
from feedletter.errors import PostError
from feedletter.posts import parse_post
from feedletter.sources import load_posts
from feedletter.sources.jekyll import slugify

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def config(tmp_path: Path, source: str = "", site: str = ""):
    path = tmp_path / "feedletter.toml"
    path.write_text('[site]\nurl = "https://example.org"\ngenerator = "jekyll"\n'
                    f'timezone = "UTC"\n{site}\n[source]\n{source}\n')
    return load_config(path)


def post(cfg, name: str, front: str | None, body: str = "Body.\n"):
    text = body if front is None else f"---\n{front}\n---\n{body}"
    return parse_post(text, f"_posts/{name}", cfg, rel=f"_posts/{name}")


# https://github.com/jekyll/jekyll/blob/master/lib/jekyll/utils.rb, Utils.slugify's
# documented examples ("The _config.yml file?" in the docs' filter page,
# https://jekyllrb.com/docs/liquid/filters/: `{{ "The _config.yml file" | slugify: "pretty" }}`
# → `the-_config.yml-file`). The code comment's cased example ("The-_config.yml file")
# keeps a space that the code replaces: the code's output is what Jekyll serves.
@pytest.mark.parametrize("text, mode, cased, slug", [
    ("The _config.yml file", "default", False, "the-config-yml-file"),
    ("The _config.yml file?", "default", False, "the-config-yml-file"),
    ("The _config.yml file", "pretty", False, "the-_config.yml-file"),
    ("The _config.yml file", "pretty", True, "The-_config.yml-file"),
    ("The _config.yml file", "ascii", False, "the-config-yml-file"),
    ("The _config.yml file", "latin", False, "the-config-yml-file"),
    ("The _config.yml file", "raw", False, "the-_config.yml-file"),
    ("Cafés à Paris", "default", False, "cafés-à-paris"),      # \p{L} keeps accents
    ("Cafés à Paris", "latin", False, "cafes-a-paris"),
    ("The _config.yml file", "none", True, "The _config.yml file"),
])
def test_slugify_modes(text, mode, cased, slug):
    assert slugify(text, mode, cased) == slug


def test_default_permalink_is_the_date_style(tmp_path):
    # https://jekyllrb.com/docs/permalinks/#built-in-formats
    # date: /:categories/:year/:month/:day/:title:output_ext
    p = post(config(tmp_path), "2009-04-29-slap-chop.md",
             "title: Slap Chop\ncategories: [food]")
    assert p.link == "https://example.org/food/2009/04/29/slap-chop.html"


@pytest.mark.parametrize("style, path", [
    # https://jekyllrb.com/docs/permalinks/#built-in-formats
    ("pretty", "/food/2009/04/29/slap-chop/"),
    ("ordinal", "/food/2009/119/slap-chop.html"),
    ("weekdate", "/food/2009/W18/Wed/slap-chop.html"),
    ("none", "/food/slap-chop.html"),
    ("/:year/:i_month/:i_day/:short_year/:title:output_ext", "/2009/4/29/09/slap-chop.html"),
    ("/:categories/:slug/", "/food/slap-chop/"),
])
def test_permalink_styles_and_placeholders(tmp_path, style, path):
    p = post(config(tmp_path, f'permalink = "{style}"'), "2009-04-29-slap-chop.md",
             "title: Slap Chop\ncategory: food")
    assert p.link == "https://example.org" + path


def test_slug_placeholder_is_slugified(tmp_path):
    # https://jekyllrb.com/docs/permalinks/#placeholders: ":slug — Slugified title from
    # the document's filename (any character except numbers and letters is replaced as
    # hyphen). May be overridden via the document's slug front matter."
    cfg = config(tmp_path, 'permalink = "/blog/:slug.html"')
    assert post(cfg, "2020-01-01-x.md", "title: X\nslug: project-0.77").link == \
        "https://example.org/blog/project-0-77.html"
    cfg = config(tmp_path, 'permalink = "/blog/:title.html"')      # :title keeps dots (pretty)
    assert post(cfg, "2020-01-01-x.md", "title: X\nslug: project-0.77").link == \
        "https://example.org/blog/project-0.77.html"


def test_front_matter_permalink_wins(tmp_path):
    # https://jekyllrb.com/docs/permalinks/#front-matter
    p = post(config(tmp_path, 'permalink = "pretty"'), "2020-01-01-x.md",
             "title: X\npermalink: /about/:title/")
    assert p.link == "https://example.org/about/x/"


def test_tags_and_categories(tmp_path):
    # https://jekyllrb.com/docs/posts/#tags-and-categories: "tags: [linux, storage]" or
    # "tags: linux storage" (a space-separated string); "category" is one name.
    cfg = config(tmp_path)
    p = post(cfg, "2020-01-01-x.md", "title: X\ntags: linux storage cockpit\ncategories: a b")
    assert (p.tags, p.categories) == (("linux", "storage", "cockpit"), ("a", "b"))
    p = post(cfg, "2020-01-01-x.md", "title: X\ntags: linux, storage\ncategory: release notes")
    assert (p.tags, p.categories) == (("linux", "storage"), ("release notes",))


def test_folders_above_posts_are_categories(tmp_path):
    # https://jekyllrb.com/docs/posts/#categories: "posts in blog/_posts get the blog
    # category" (the folders above _posts).
    cfg = config(tmp_path)
    text = "---\ntitle: X\ncategory: release\n---\n"
    p = parse_post(text, "blog/_posts/2020-01-01-x.md", cfg, rel="blog/_posts/2020-01-01-x.md")
    assert p.categories == ("blog", "release")
    assert p.link == "https://example.org/blog/release/2020/01/01/x.html"


def test_post_without_front_matter_takes_its_title_from_the_name(tmp_path):
    # lib/jekyll/document.rb populate_title: data["title"] ||= Utils.titleize_slug(slug)
    p = post(config(tmp_path), "2021-03-04-hello-there-world.md", None, "Just text.\n")
    assert p.title == "Hello There World"
    assert p.date.isoformat() == "2021-03-04T00:00:00+00:00"
    assert p.body == "Just text.\n"


def test_date_is_converted_to_the_site_zone(tmp_path):
    # lib/jekyll/utils.rb parse_date: Time.parse(input).localtime, in `timezone`
    text = "---\ntitle: X\ndate: 2013-05-06 02:12:52 +0200\n---\n"
    (tmp_path / "feedletter.toml").write_text(
        '[site]\nurl = "https://example.org"\ngenerator = "jekyll"\n'
        'timezone = "America/Los_Angeles"\n[source]\npermalink = "pretty"\n')
    cfg = load_config(tmp_path / "feedletter.toml")
    p = parse_post(text, "_posts/2013-05-06-x.md", cfg, rel="_posts/2013-05-06-x.md")
    assert p.date.isoformat() == "2013-05-05T17:12:52-07:00"
    assert p.link == "https://example.org/2013/05/05/x/"


def test_future_and_unpublished(tmp_path):
    # https://jekyllrb.com/docs/configuration/options/: "future: Publish posts or
    # collection documents with a future date." (default false); front matter
    # "published: false" keeps a post out.
    p = post(config(tmp_path), "2099-01-01-x.md", "title: X")
    assert not p.future and p.date > NOW
    assert post(config(tmp_path, "future = true"), "2099-01-01-x.md", "title: X").future
    assert post(config(tmp_path), "2020-01-01-x.md", "title: X\npublished: false").draft


def test_which_files_are_posts(tmp_path):
    # https://jekyllrb.com/docs/posts/: "To create a post, add a file to your _posts
    # directory with the following format: YEAR-MONTH-DAY-title.MARKUP"
    root = tmp_path / "site"
    for rel in ("_posts/2020-01-01-a.md", "_posts/notes.md", "blog/_posts/2020-01-02-b.md",
                "about.md", "_drafts/c.md", "_site/_posts/2020-01-03-d.md", "README.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("---\ntitle: T\ndate: 2020-01-01\n---\n")
    (tmp_path / "feedletter.toml").write_text(
        '[site]\nurl = "https://example.org"\ngenerator = "jekyll"\n[source]\nroot = "site"\n')
    result = load_posts(load_config(tmp_path / "feedletter.toml"), now=NOW)
    names = sorted(Path(p.source).relative_to(root).as_posix() for p in result.posts)
    assert names == ["_posts/2020-01-01-a.md", "blog/_posts/2020-01-02-b.md"]
    assert result.drafts == 1            # _drafts/c.md, published only with source.drafts


def test_unknown_placeholder_is_a_bad_post(tmp_path):
    with pytest.raises(PostError, match="unknown placeholder ':nope'"):
        post(config(tmp_path, 'permalink = "/:nope/:title/"'), "2020-01-01-x.md", "title: X")


# --- the real site: Jekyll's own news (docs/_config.yml) ---------------------------------

@pytest.fixture(scope="module")
def jekyll_news(tmp_path_factory):
    docs = corpus_path().parent / "jekyll-news" / "docs"
    if not (docs / "_config.yml").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"jekyll-news corpus not found at {docs}")
        pytest.skip(f"jekyll-news corpus not found at {docs}")
    site = tmp_path_factory.mktemp("jekyll")
    # what docs/_config.yml says: url, timezone, the posts collection's permalink, future
    (site / "feedletter.toml").write_text(
        '[site]\nurl = "https://jekyllrb.com"\ntimezone = "America/Los_Angeles"\n'
        f'generator = "jekyll"\n[source]\nroot = "{docs}"\n'
        'permalink = "/news/:year/:month/:day/:title/"\nfuture = true\n')
    return load_posts(load_config(site / "feedletter.toml"), now=NOW), docs


def test_jekyll_news_every_post_published(jekyll_news):
    result, docs = jekyll_news
    files = list((docs / "_posts").iterdir())
    assert (len(files), len(result.posts), len(result.errors), result.skipped) == (102, 102, 0, 0)


@pytest.mark.parametrize("name, date, title, categories, link", [
    # "2013-05-06 02:12:52 +0200" is 17:12:52 the day before in Los Angeles: jekyllrb.com
    # serves the post at /news/2013/05/05/jekyll-1-0-0-released/.
    ("2013-05-06-jekyll-1-0-0-released.markdown", "2013-05-05T17:12:52-07:00",
     "Jekyll 1.0.0 Released", ("release",), "/news/2013/05/05/jekyll-1-0-0-released/"),
    # `date: 2023-01-29 18:30:22 2023 -0800` (a stray year): Time.parse reads past it
    ("2023-01-29-jekyll-3-9-3-released.markdown", "2023-01-29T18:30:22-08:00",
     "Jekyll 3.9.3 Released", ("release",), "/news/2023/01/29/jekyll-3-9-3-released/"),
    # +0530 evening is the same day's morning in Los Angeles
    ("2024-09-16-jekyll-4-3-4-released.markdown", "2024-09-16T09:04:22-07:00",
     "Jekyll 4.3.4 Released", ("release",), "/news/2024/09/16/jekyll-4-3-4-released/"),
    ("2016-10-06-jekyll-3-3-is-here.md", "2016-10-06T11:10:38-07:00",
     "Jekyll 3.3 is here with better theme support, new URL filters, and tons more",
     ("release",), "/news/2016/10/06/jekyll-3-3-is-here/"),
])
def test_jekyll_news_sample(jekyll_news, name, date, title, categories, link):
    result, docs = jekyll_news
    found = {Path(p.source).name: p for p in result.posts}[name]
    assert (found.date.isoformat(), found.title, found.categories, found.tags) == \
        (date, title, categories, ())
    assert found.link == "https://jekyllrb.com" + link


def test_future_posts_do_not_defeat_the_no_change_build(tmp_path):
    # with `future: true` a post dated after now is published; the next build with nothing
    # changed must still stop after the scan (BuildResult.site is None then)
    from feedletter.build import build

    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2099-01-01-later.md").write_text("---\ntitle: Later\n---\nx\n")
    (tmp_path / "_posts" / "2020-01-01-now.md").write_text("---\ntitle: Now\n---\nx\n")
    cfg = config(tmp_path, "future = true")
    first = build(cfg, now=NOW)
    assert first.published == 2 and first.site is not None
    again = build(cfg, now=NOW)
    assert again.published == 2 and again.site is None


def test_front_matter_defaults(tmp_path):
    # https://jekyllrb.com/docs/configuration/front-matter-defaults/: "defaults: - scope:
    # path: "" type: "posts" values: layout: "my-site" author: "Mr. Hyde"" ... "more
    # specific scopes override less specific ones" ... front matter in the post wins
    source = ('[[source.defaults]]\npath = ""\ntype = "posts"\n'
              'values = { author = "Mr. Hyde", categories = ["all"] }\n'
              '[[source.defaults]]\npath = "projects/_posts"\ntype = "posts"\n'
              'values = { author = "Dr. Jekyll" }\n')
    cfg = config(tmp_path, source)
    text = "---\ntitle: X\n---\n"
    p = parse_post(text, "_posts/2020-01-01-x.md", cfg, rel="_posts/2020-01-01-x.md")
    assert [a.name for a in p.authors] == ["Mr. Hyde"] and p.categories == ("all",)
    rel = "projects/_posts/2020-01-01-x.md"
    p = parse_post(text, rel, cfg, rel=rel)
    assert [a.name for a in p.authors] == ["Dr. Jekyll"]
    p = parse_post("---\ntitle: X\nauthor: Own\n---\n", rel, cfg, rel=rel)
    assert [a.name for a in p.authors] == ["Own"]
