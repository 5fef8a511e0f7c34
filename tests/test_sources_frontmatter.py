"""Front-matter formats, told by their first line (sources/frontmatter.py), and the
build that publishes nothing and must say why (issue 12, items 1 and 6).

Formats as the generators document them:
- YAML between `---` lines: https://jekyllrb.com/docs/front-matter/
- TOML between `+++` lines, JSON as an object at the top: "Hugo supports four front matter
  formats, each identified by a format-specific delimiter" (YAML `---`, TOML `+++`, JSON
  `{` `}`, Org), https://gohugo.io/content-management/front-matter/
- Pelican's Markdown metadata: "Title: My super title / Date: 2010-12-03 10:20 / Tags:
  thats, awesome" ended by a blank line, https://docs.getpelican.com/en/latest/content.html
"""

from __future__ import annotations

import pytest

from feedletter.config import load_config
from feedletter.errors import PostError
from feedletter.posts import parse_post
from feedletter.sources import NotAPost


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "feedletter.toml"
    path.write_text('[site]\nurl = "https://example.org/"\ntimezone = "Europe/Prague"\n')
    return load_config(path)


def pelican(tmp_path):
    path = tmp_path / "pelican.toml"
    path.write_text('[site]\nurl = "https://example.org"\ngenerator = "pelican"\n')
    return load_config(path)


YAML = "---\ntitle: Hello\ndate: 2024-02-17 10:00\ntags: [a, b]\n---\nBody.\n"
TOML = ('+++\ntitle = "Hello"\ndate = 2024-02-17T10:00:00+01:00\ntags = ["a", "b"]\n'
        'draft = false\n+++\nBody.\n')
JSON = '{\n  "title": "Hello",\n  "date": "2024-02-17T10:00:00+01:00",\n  "tags": ["a", "b"]\n}\nBody.\n'


@pytest.mark.parametrize("text", [YAML, TOML, JSON], ids=["yaml", "toml", "json"])
def test_every_format_gives_the_same_post(cfg, text):
    post = parse_post(text, "posts/hello.md", cfg)
    assert (post.title, post.tags, post.body) == ("Hello", ("a", "b"), "Body.\n")
    assert post.date.isoformat() == "2024-02-17T10:00:00+01:00"
    assert post.categories == ()


def test_toml_values_are_text_as_written(cfg):
    post = parse_post('+++\ntitle = 4.0\ndate = 2024-02-17\n+++\n', "posts/x.md", cfg)
    assert post.title == "4.0"
    assert post.date.isoformat() == "2024-02-17T00:00:00+01:00"     # the site's zone


def test_broken_toml_names_the_file_line(cfg):
    with pytest.raises(PostError, match=r"posts/x.md:3: front matter is not valid TOML"):
        parse_post('+++\ntitle = "a"\ndate = = 1\n+++\n', "posts/x.md", cfg)


def test_unclosed_toml(cfg):
    with pytest.raises(PostError, match="front matter is not closed: add a '\\+\\+\\+' line"):
        parse_post('+++\ntitle = "a"\n', "posts/x.md", cfg)


def test_broken_json_names_the_line(cfg):
    with pytest.raises(PostError, match=r"posts/x.md:2: front matter is not valid JSON"):
        parse_post('{\n  "title": ,\n}\n', "posts/x.md", cfg)


@pytest.mark.parametrize("first", ["---js", ";;;", "#+TITLE: Hello", "+++yaml"])
def test_unknown_format_is_a_bad_post_never_a_note(cfg, first):
    with pytest.raises(PostError, match="front matter in an unknown format"):
        parse_post(f"{first}\ntitle: x\n---\nBody\n", "posts/x.md", cfg)


def test_metadata_lines_outside_pelican_name_the_generator(cfg):
    with pytest.raises(PostError, match='generator = "pelican"'):
        parse_post("Title: Hello\nDate: 2024-02-17\n\nBody\n", "posts/x.md", cfg)


def test_pelican_metadata_lines(tmp_path):
    text = ("Title: My super title\nDate: 2010-12-03 10:20\nModified: 2010-12-05 19:30\n"
            "Category: Python\nTags: pelican, publishing\nSlug: my-super-post\n"
            "Authors: Alexis Metaireau, Conan Doyle\nSummary: Short version for index "
            "and feeds\n\nThis is the content of my super blog post.\n")
    post = parse_post(text, "content/my-super-post.md", pelican(tmp_path))
    assert post.title == "My super title"
    assert post.tags == ("pelican", "publishing")
    assert post.categories == ("Python",)
    assert [a.name for a in post.authors] == ["Alexis Metaireau", "Conan Doyle"]
    assert post.summary == "Short version for index and feeds"
    assert post.body == "This is the content of my super blog post.\n"


def test_readme_is_still_a_note(cfg):
    with pytest.raises(NotAPost):
        parse_post("# Notes\n\nNot a post.\n", "posts/README.md", cfg)


# --- item 6: no silent empty build -------------------------------------------------------

def test_empty_build_says_why_even_quiet_and_fails(site):
    site.post("README.md", "# About\n")
    site.post("2024-01-01-draft.md", "---\ntitle: D\ndraft: true\n---\nx\n")
    site.post("2024-01-02-bad.md", "---js\nmodule.exports = {}\n---\n")
    site.post("2099-01-01-later.md", "---\ntitle: L\n---\nx\n")
    result = site.run("build", "--quiet")
    assert result.exit_code == 4, result.output
    assert ("0 of 4 files published: 1 not a post, 1 draft, 1 future, 0 expired, 1 bad"
            in result.stderr)
    assert "warning:" not in result.stderr        # --quiet still drops the warnings


def test_a_build_that_publishes_is_not_explained(site):
    site.post("2024-01-01-hello.md", "---\ntitle: Hello\n---\nx\n")
    site.post("README.md", "# About\n")
    result = site.run("build", "--quiet")
    assert result.exit_code == 0, result.output
    assert "files published" not in result.stderr


def test_most_files_skipped_as_non_posts_is_explained(site):
    site.post("2024-01-01-hello.md", "---\ntitle: Hello\n---\nx\n")
    for name in ("README.md", "NOTES.md", "TODO.md"):
        site.post(name, "# About\n")
    result = site.run("build", "--quiet")
    assert result.exit_code == 0, result.output
    assert "1 of 4 files published: 3 not a post" in result.stderr


# --- hostile front matter in the new formats ------------------------------------------------

@pytest.mark.parametrize("text, reason", [
    ("+++\nx = " + "[" * 50_000 + "]" * 50_000 + "\n+++\n", "not valid TOML: nested too deeply"),
    ("{" + '"a":{' * 50_000 + "}" * 50_001 + "\n", "not valid JSON: nested too deeply"),
    ("+++\ntitle = \"a\"\ntitle = \"b\"\n+++\n", "not valid TOML"),          # a duplicate key
])
def test_hostile_front_matter_is_one_bad_post(cfg, text, reason):
    with pytest.raises(PostError, match=reason):
        parse_post(text, "posts/x.md", cfg)


def test_many_metadata_continuation_lines_are_linear(tmp_path):
    # 200,000 continuation lines: joined once, not line by line (that took 10 s)
    text = "Title: T\nDate: 2020-01-01\nSummary: s\n" + "    more\n" * 200_000 + "\nBody\n"
    post = parse_post(text, "content/x.md", pelican(tmp_path))
    assert post.body == "Body\n" and len(post.summary) > 1_000_000


# --- through the CLI: a Hugo site with TOML front matter, read back with feedparser ----------

def test_hugo_toml_site_through_the_cli(site):
    site.config_text = ('[site]\ntitle = "T"\nurl = "https://example.org"\ngenerator = "hugo"\n'
                        '[paths]\nposts = "content"\n')
    content = site.root / "content" / "posts"
    (content / "bundle").mkdir(parents=True)
    (content / "_index.md").write_text('+++\ntitle = "Posts"\n+++\n')
    (content / "first.md").write_text('+++\ntitle = "First"\ndate = 2024-01-02T10:00:00Z\n'
                                      'tags = ["Go", "Web"]\ncategories = ["News"]\n+++\nHello.\n')
    (content / "bundle" / "index.md").write_text('---\ntitle: Bundled\ndate: 2024-01-03\n---\nHi.\n')
    result = site.run("build", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2 posts published, 0 skipped")
    import feedparser

    feed = feedparser.parse((site.out / "all.atom.xml").read_bytes())
    assert feed.bozo == 0
    got = {e.title: (e.link, [t.term for t in e.get("tags", [])]) for e in feed.entries}
    assert got["First"][0] == "https://example.org/posts/first/"
    assert {"Go", "Web"} <= set(got["First"][1])
    assert got["Bundled"][0] == "https://example.org/posts/bundle/"
