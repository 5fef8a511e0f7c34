"""The hugo flavour against Hugo's documented behaviour (each rule quoted with its URL),
and against the real otel-blog corpus (the OpenTelemetry blog, Hugo, page bundles)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import corpus_path
from feedletter.config import load_config
from feedletter.errors import PostError
from feedletter.sources import is_published, load_posts, parse_post
from feedletter.sources.hugo import urlize

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def site(tmp_path: Path, files: dict[str, str], source: str = ""):
    """A Hugo site: content/ with these files, and its config."""
    for rel, text in files.items():
        path = tmp_path / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "feedletter.toml").write_text(
        '[site]\nurl = "https://example.org"\ngenerator = "hugo"\n'
        f'timezone = "Europe/Oslo"\n[source]\n{source}\n')
    cfg = load_config(tmp_path / "feedletter.toml")
    result = load_posts(cfg, now=NOW)
    return {Path(p.source).relative_to(tmp_path / "content").as_posix(): p
            for p in result.posts}, result


def one(tmp_path, front: str, rel: str = "posts/my-first-post.md", source: str = ""):
    (tmp_path / "feedletter.toml").write_text(
        '[site]\nurl = "https://example.org"\ngenerator = "hugo"\n'
        f'timezone = "Europe/Oslo"\n[source]\n{source}\n')
    cfg = load_config(tmp_path / "feedletter.toml")
    return parse_post(front, f"content/{rel}", cfg, rel=rel)


def test_which_files_are_pages(tmp_path):
    # https://gohugo.io/content-management/page-bundles/: "A leaf bundle is a directory
    # that contains an index.md file and zero or more resources"; "A branch bundle is a
    # directory that contains an _index.md file" (a section, a list page).
    front = "---\ntitle: T\ndate: 2024-01-01\n---\n"
    posts, result = site(tmp_path, {
        "posts/_index.md": front, "posts/a.md": front, "posts/bundle/index.md": front,
        "posts/bundle/notes.md": front, "about.md": front,
    })
    assert sorted(posts) == ["about.md", "posts/a.md", "posts/bundle/index.md"]
    assert result.errors == []


def test_build_options_and_headless_pages_are_not_posts(tmp_path):
    # https://gohugo.io/content-management/build-options/: "list: never — Do not include
    # the page in any page collection"; "render: never — Never render the page";
    # page-bundles: "headless: true" bundles are not published
    posts, result = site(tmp_path, {
        "posts/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\n",
        "posts/b.md": "---\ntitle: B\ndate: 2024-01-01\nbuild:\n  list: never\n---\n",
        "posts/c.md": "+++\ntitle = 'C'\ndate = 2024-01-01\n[build]\nrender = 'never'\n+++\n",
        "posts/d/index.md": "---\ntitle: D\ndate: 2024-01-01\nheadless: true\n---\n",
    })
    assert sorted(posts) == ["posts/a.md"]
    assert result.notes == 3 and result.errors == []


def test_default_urls(tmp_path):
    # https://gohugo.io/content-management/urls/: "content/posts/post-1.md →
    # https://example.org/posts/post-1/"; a leaf bundle "content/posts/post-2/index.md →
    # https://example.org/posts/post-2/"
    front = "---\ntitle: Post\ndate: 2024-01-01\n---\n"
    posts, _ = site(tmp_path, {"posts/post-1.md": front, "posts/post-2/index.md": front})
    assert posts["posts/post-1.md"].link == "https://example.org/posts/post-1/"
    assert posts["posts/post-2/index.md"].link == "https://example.org/posts/post-2/"
    assert posts["posts/post-2/index.md"].section == "posts"


def test_slug_and_url(tmp_path):
    # https://gohugo.io/content-management/urls/#slug: "slug: my-first-post" in
    # content/posts/post-1.md → https://example.org/posts/my-first-post/;
    # #url: "url: /articles/my-first-article" → https://example.org/articles/my-first-article/
    p = one(tmp_path, "---\ntitle: A\ndate: 2024-01-01\nslug: my-first-post\n---\n", "posts/post-1.md")
    assert p.link == "https://example.org/posts/my-first-post/"
    p = one(tmp_path, "---\ntitle: A\ndate: 2024-01-01\nurl: /articles/my-first-article\n---\n")
    assert p.link == "https://example.org/articles/my-first-article/"


def test_permalinks_per_section(tmp_path):
    # https://gohugo.io/content-management/urls/#permalinks: "posts = '/:year/:month/:slug/'"
    # ... :slug "The slug as defined in front matter, else the title as defined in front
    # matter, automatically slugified" (urlized: "Hello World" → hello-world)
    source = 'permalinks = { posts = "/:year/:month/:slug/", tutorials = "/:section/:title/" }'
    p = one(tmp_path, "---\ntitle: My First Post\ndate: 2023-03-30\n---\n", source=source)
    assert p.link == "https://example.org/2023/03/my-first-post/"
    p = one(tmp_path, "---\ntitle: Deploy It Now\ndate: 2023-03-30\n---\n",
            "tutorials/x.md", source=source)
    assert p.link == "https://example.org/tutorials/deploy-it-now/"


def test_urlize():
    # https://gohugo.io/functions/urls/urlize/: {{ "vacation/day 1.html" | urlize }} →
    # vacation/day-1.html; {{ "Hugo Rocks!" | urlize }} → hugo-rocks
    assert urlize("vacation/day 1.html") == "vacation/day-1.html"
    assert urlize("Hugo Rocks!") == "hugo-rocks"


def test_toml_front_matter_and_taxonomies(tmp_path):
    # https://gohugo.io/content-management/taxonomies/#assign-terms-to-content:
    # tags = ['Tag A', 'Tag B'] / categories = ['Category A'] / series = ['Series A']
    text = ("+++\ntitle = 'Example'\ndate = 2023-08-20T07:00:00-08:00\n"
            "tags = ['Tag A', 'Tag B']\ncategories = ['Category A']\nseries = ['Series A']\n+++\n")
    p = one(tmp_path, text)
    assert (p.tags, p.categories) == (("Tag A", "Tag B"), ("Category A",))
    custom = 'taxonomies = { tag = "tags", category = "categories", series = "series" }'
    p = one(tmp_path, text, source=custom)
    assert p.tags == ("Tag A", "Tag B", "Series A")


def test_json_front_matter(tmp_path):
    # https://gohugo.io/content-management/front-matter/: JSON front matter is an object
    p = one(tmp_path, '{\n  "title": "Example",\n  "date": "2024-02-02T04:14:54-08:00",\n'
                      '  "draft": false\n}\nBody\n')
    assert p.title == "Example" and p.body == "Body\n"


def test_dates_and_zone(tmp_path):
    # https://gohugo.io/configuration/all/#timezone: "The time zone used to parse dates
    # without time zone offsets"; .Date falls back to publishDate, lastmod...
    p = one(tmp_path, "---\ntitle: A\ndate: 2024-06-01 10:00\n---\n")
    assert p.date.isoformat() == "2024-06-01T10:00:00+02:00"            # Europe/Oslo, summer
    p = one(tmp_path, "---\ntitle: A\npublishDate: 2024-06-02\nlastmod: 2024-07-01\n---\n")
    assert (p.date.date().isoformat(), p.updated.date().isoformat()) == ("2024-06-02", "2024-07-01")
    with pytest.raises(PostError, match="0001-01-01"):
        one(tmp_path, "---\ntitle: A\n---\n")


def test_draft_future_expired(tmp_path):
    # https://gohugo.io/methods/page/draft/, .../publishdate/ ("buildFuture: false" by
    # default: a page with a future publishDate is not rendered), .../expirydate/
    assert one(tmp_path, "---\ntitle: A\ndate: 2024-01-01\ndraft: true\n---\n").draft
    p = one(tmp_path, "---\ntitle: A\ndate: 2024-01-01\npublishDate: 2099-01-01\n---\n")
    assert not is_published(p, NOW)
    p = one(tmp_path, "---\ntitle: A\ndate: 2024-01-01\nexpiryDate: 2025-01-01\n---\n")
    assert not is_published(p, NOW)
    assert is_published(p, datetime(2024, 6, 1, tzinfo=UTC))
    p = one(tmp_path, "---\ntitle: A\ndate: 2099-01-01\n---\n", source="future = true")
    assert is_published(p, NOW)


def test_keys_in_any_case(tmp_path):
    # https://gohugo.io/content-management/front-matter/: field names are case-insensitive
    p = one(tmp_path, "---\nTitle: A\nDate: 2024-01-01\nPublishDate: 2024-01-02\n---\n")
    assert p.title == "A" and p.date.day == 1 and p.available.day == 2


def test_aliases(tmp_path):
    # https://gohugo.io/content-management/urls/#aliases: absolute, or relative to the page
    p = one(tmp_path, "---\ntitle: A\ndate: 2024-01-01\naliases: [/old/a/, older]\n---\n")
    assert p.aliases == ("https://example.org/old/a/", "https://example.org/posts/older/")


# --- the real site: the OpenTelemetry blog ------------------------------------------------

@pytest.fixture(scope="module")
def otel(tmp_path_factory):
    root = corpus_path().parent / "otel-blog"
    if not (root / "config" / "_default" / "hugo.yaml").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"otel-blog corpus not found at {root}")
        pytest.skip(f"otel-blog corpus not found at {root}")
    site_dir = tmp_path_factory.mktemp("otel")
    # hugo.yaml: baseURL https://opentelemetry.io, no timeZone (UTC), no permalinks; the
    # English content is mounted from content/en (so content/en is Hugo's content folder)
    (site_dir / "feedletter.toml").write_text(
        '[site]\nurl = "https://opentelemetry.io"\ngenerator = "hugo"\n'
        f'[source]\nroot = "{root}"\n[paths]\nposts = "{root}/content/en"\n')
    return load_posts(load_config(site_dir / "feedletter.toml"), now=NOW), root


def test_otel_every_page_published(otel):
    result, root = otel
    files = list((root / "content" / "en" / "blog").rglob("*.md"))
    sections = [f for f in files if f.name == "_index.md"]
    assert (len(files), len(sections)) == (264, 8)
    assert (len(result.posts), len(result.errors), result.skipped) == (256, 0, 0)


@pytest.mark.parametrize("rel, date, title, authors, link", [
    # a leaf bundle: its folder's name
    ("blog/2019/opentelemetry-governance-committee-explained/index.md", "2019-11-06T00:00:00+00:00",
     "OpenTelemetry Governance Committee Explained", ["Sergey Kanzhelev"],
     "/blog/2019/opentelemetry-governance-committee-explained/"),
    # `author: >` Markdown links with affiliations, across two lines
    ("blog/2025/otel-collector-k8s-discovery.md", "2025-01-27T00:00:00+00:00",
     "Kubernetes annotation-based discovery for the OpenTelemetry Collector",
     ["Dmitrii Anoshin", "Christos Markou"], "/blog/2025/otel-collector-k8s-discovery/"),
    # `[Severin Neumann](…), Cisco`: Cisco is an affiliation, not an author
    ("blog/2023/any-metric-receiver.md", "2023-11-30T00:00:00+00:00",
     "Receive any custom metric with the OpenTelemetry Collector", ["Severin Neumann"],
     "/blog/2023/any-metric-receiver/"),
])
def test_otel_sample(otel, rel, date, title, authors, link):
    result, root = otel
    posts = {Path(p.source).relative_to(root / "content" / "en").as_posix(): p
             for p in result.posts}
    post = posts[rel]
    assert (post.date.isoformat(), post.title, [a.name for a in post.authors]) == \
        (date, title, authors)
    assert post.link == "https://opentelemetry.io" + link
    assert post.tags == post.categories == ()


def test_otel_aliases(otel):
    result, _ = otel
    post = next(p for p in result.posts if p.source.endswith("2023/end-user-discussions-01.md"))
    # `aliases: [otel-end-user-discussions-january-2023]`: relative to the page's folder
    assert post.aliases == ("https://opentelemetry.io/blog/2023/otel-end-user-discussions-january-2023/",)
