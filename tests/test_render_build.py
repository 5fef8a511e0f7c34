"""The template pass inside real builds: warnings with file and line, the render cache
kept valid when a linked post's link changes, the engine switch through the config."""

from __future__ import annotations

import feedparser

from conftest import Site


def jekyll_site(site: Site) -> None:
    site.config_text += 'generator = "jekyll"\n'
    site.config()
    site.post("_posts/2024-01-02-target.md", """
        ---
        title: Target
        date: 2024-01-02
        ---
        The target.
        """)
    site.post("_posts/2024-01-03-linker.md", """
        ---
        title: Linker
        date: 2024-01-03
        ---
        First paragraph.

        See [the target]({% post_url 2024-01-02-target %}) and {% include note.html %}.
        """)


def entries(site: Site) -> dict[str, tuple[str, str]]:
    """title → (link, content) of each entry of the site's feed."""
    feed = feedparser.parse((site.out / "all.atom.xml").read_bytes())
    return {e.title: (e.link, e.content[0].value) for e in feed.entries}


def test_a_post_url_follows_the_linked_posts_link_through_the_cache(site: Site) -> None:
    jekyll_site(site)
    first = site.run("build")
    assert first.exit_code == 0, first.output
    target_link = entries(site)["Target"][0]
    assert f'href="{target_link}"' in entries(site)["Linker"][1]
    # the report names the file and the line of the construct, and a cached build says it again
    line = "posts/_posts/2024-01-03-linker.md:7: {% include note.html %}: the site's includes"
    assert line in first.output
    target = site.posts / "_posts" / "2024-01-02-target.md"
    target.write_text(target.read_text().replace("title: Target\n",
                                                 "title: Target\nslug: moved\n"))
    again = site.run("build")
    assert again.exit_code == 0, again.output
    moved = entries(site)["Target"][0]
    assert moved != target_link and "moved" in moved
    assert f'href="{moved}"' in entries(site)["Linker"][1]
    assert line in again.output


def test_check_names_what_a_build_would_leave_out(site: Site) -> None:
    jekyll_site(site)
    result = site.run("check")
    assert result.exit_code == 0, result.output
    assert "2024-01-03-linker.md:7: {% include note.html %}: the site's includes" in result.output
    assert not site.out.exists()


def test_the_commonmark_engine_from_the_config(site: Site) -> None:
    site.config_text += 'markdown = "commonmark"\n'
    site.config()
    site.post("2024-01-02-a.md", """
        ---
        title: A
        ---
        <div>

        *Emphasized* text.

        </div>
        """)
    assert site.run("build").exit_code == 0
    feed = feedparser.parse((site.out / "all.atom.xml").read_bytes())
    assert "<em>Emphasized</em>" in feed.entries[0].content[0].value


def test_a_zola_site_through_init_and_build(tmp_path) -> None:
    # a site as Zola's docs write one: TOML front matter, `@/` links relative to content/
    # (https://www.getzola.org/documentation/content/linking/), a site shortcode
    from click.testing import CliRunner

    from feedletter.cli import main

    (tmp_path / "content" / "blog").mkdir(parents=True)
    (tmp_path / "config.toml").write_text('base_url = "https://zola.example.org"\n'
                                          'title = "Z"\ngenerate_feeds = true\n')
    (tmp_path / "content" / "blog" / "_index.md").write_text('+++\ntitle = "Blog"\n+++\n')
    (tmp_path / "content" / "blog" / "first.md").write_text(
        '+++\ntitle = "First"\ndate = 2024-01-02\n+++\nThe first post.\n')
    (tmp_path / "content" / "blog" / "second.md").write_text(
        '+++\ntitle = "Second"\ndate = 2024-01-03\n+++\n'
        "See [the first](@/blog/first.md#intro) and [gone](@/blog/gone.md).\n\n"
        '{{ youtube(id="dQw4w9WgXcQ") }}\n\n<div>\n\n*Markdown inside HTML*\n\n</div>\n')
    runner, config = CliRunner(), tmp_path / "feedletter.toml"
    assert runner.invoke(main, ["init", str(tmp_path), "--output", str(config)]).exit_code == 0
    built = runner.invoke(main, ["build", "--config", str(config), "--now", "2026-01-01T00:00:00Z"])
    assert built.exit_code == 0, built.output
    feed = feedparser.parse(next((tmp_path / "feeds").rglob("atom.xml")).read_bytes())
    second = next(e for e in feed.entries if e.title == "Second").content[0].value
    first_link = next(e.link for e in feed.entries if e.title == "First")
    assert f'<a href="{first_link}#intro">the first</a> and gone.' in second
    assert "<em>Markdown inside HTML</em>" in second and "youtube" not in second
    assert "content/blog/second.md:5: internal link '@/blog/gone.md': no such post" in built.output
    assert "content/blog/second.md:7: shortcode 'youtube' is the site's own" in built.output
