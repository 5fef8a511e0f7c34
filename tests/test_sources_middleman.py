"""The middleman and eleventy flavours against their documentation (quoted with URLs)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedletter.config import load_config
from feedletter.errors import PostError
from feedletter.sources import load_posts, parse_post

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def cfg(tmp_path: Path, generator: str, source: str = ""):
    (tmp_path / "feedletter.toml").write_text(
        f'[site]\nurl = "https://example.org"\ngenerator = "{generator}"\n[source]\n{source}\n')
    return load_config(tmp_path / "feedletter.toml")


# --- middleman-blog: https://middlemanapp.com/basics/blogging/ ---------------------------

def test_middleman_default_permalink(tmp_path):
    # "blog.permalink = '{year}/{month}/{day}/{title}.html'" (the default); sources
    # "{year}-{month}-{day}-{title}.html", tags "a comma-separated list"
    post = parse_post("---\ntitle: Hello\ntags: one, two\n---\nx\n",
                      "source/2024-03-05-hello-world.html.md", cfg(tmp_path, "middleman"),
                      rel="2024-03-05-hello-world.html.md")
    assert post.link == "https://example.org/2024/03/05/hello-world.html"
    assert post.tags == ("one", "two")


def test_middleman_custom_permalink_and_unpublished(tmp_path):
    config = cfg(tmp_path, "middleman", "permalink = 'blog/{year}/{month}/{title}.html'")
    post = parse_post("---\ntitle: Hello\npublished: false\n---\nx\n",
                      "source/2024-03-05-hello.html.md", config, rel="2024-03-05-hello.html.md")
    assert post.link == "https://example.org/blog/2024/03/hello.html"
    assert post.draft                  # "published: false" keeps it out


# --- Eleventy: https://www.11ty.dev/docs/permalinks/, /docs/dates/ --------------------------

@pytest.mark.parametrize("rel, link", [
    # permalinks: "subdir/template.md → /subdir/template/", "index.md → /"
    ("subdir/template.md", "/subdir/template/"),
    ("blog/index.md", "/blog/"),
    # dates: "2018-01-01-myfile.md ... page.fileSlug: myfile"
    ("posts/2018-01-01-myfile.md", "/posts/myfile/"),
])
def test_eleventy_default_urls(tmp_path, rel, link):
    post = parse_post("---\ntitle: T\ndate: 2018-01-01\n---\nx\n", rel,
                      cfg(tmp_path, "eleventy"), rel=rel)
    assert post.link == "https://example.org" + link


def test_eleventy_permalink_tags_and_json(tmp_path):
    config = cfg(tmp_path, "eleventy")
    post = parse_post('---json\n{"title": "T", "date": "2020-01-01", "tags": ["post", "x"],\n'
                      '"permalink": "/this-is-a-new-path/subdirectory/"}\n---\nBody\n',
                      "a.md", config, rel="a.md")
    assert post.link == "https://example.org/this-is-a-new-path/subdirectory/"
    assert post.tags == ("post", "x") and post.body == "Body\n"
    with pytest.raises(PostError, match="is a template"):
        parse_post("---\ntitle: T\ndate: 2020-01-01\npermalink: '{{ page.fileSlug }}/'\n---\n",
                   "b.md", config, rel="b.md")


def test_eleventy_collections(tmp_path):
    # collections: "eleventyExcludeFromCollections: true"; `_includes` holds layouts
    for rel, text in {"a.md": "---\ntitle: A\ndate: 2020-01-01\n---\n",
                      "b.md": "---\ntitle: B\ndate: 2020-01-01\n"
                              "eleventyExcludeFromCollections: true\n---\n",
                      "README.md": "# readme\n",
                      "_includes/layout.md": "---\ntitle: L\n---\n"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    result = load_posts(cfg(tmp_path, "eleventy"), now=NOW)
    assert [Path(p.source).name for p in result.posts] == ["a.md"]
    assert result.notes == 2 and result.errors == []
