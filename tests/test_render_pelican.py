"""Pelican's links to internal content in post bodies, as Pelican's documentation says.

https://docs.getpelican.com/en/latest/content.html#linking-to-internal-content
"""

from __future__ import annotations

from render_helpers import render

POSTS = [("content/category/article1.md", "https://example.com/category/article1.html"),
         ("content/category/article2.md", "https://example.com/category/article2.html")]


def pelican(body: str, source: str = "content/category/article1.md"):
    from feedletter.render import render_post
    from feedletter.render.context import Context, Page, Settings
    from feedletter.render.links import resolver

    context = Context(Settings("pelican", "python-markdown", "https://example.com", {}),
                      Page(source, "https://example.com/category/article1.html", {}),
                      resolver(POSTS))
    return render_post(body, None, "https://example.com/category/article1.html", context)


def test_filename_links_relative_to_the_file_or_the_content_root() -> None:
    # "[a link relative to the current file]({filename}category/article1.rst)
    #  [a link relative to the content root]({filename}/category/article2.md)"
    html = pelican("[a]({filename}article2.md#part) [b]({filename}/category/article2.md) "
                   "[c](|filename|/category/article1.md)").content_html
    assert ('<a href="https://example.com/category/article2.html#part">a</a> '
            '<a href="https://example.com/category/article2.html">b</a> '
            '<a href="https://example.com/category/article1.html">c</a>') in html


def test_static_files_from_the_content_root() -> None:
    # "![Alt Text]({static}/images/han.jpg)"
    html = pelican("![Alt Text]({static}/images/han.jpg)").content_html
    assert '<img alt="Alt Text" src="https://example.com/images/han.jpg">' in html


def test_a_link_to_no_post_keeps_its_text_and_is_reported() -> None:
    r = pelican("intro\n\nsee [the draft]({filename}/drafts/x.md) here")
    assert r.content_html == "<p>intro</p>\n<p>see the draft here</p>"
    assert r.problems == ((3, "{filename}/drafts/x.md: no such post; link left out",
                           "{filename}/drafts/x.md"),)


def test_plain_sites_are_untouched() -> None:
    assert "{filename}" in render("[a]({filename}/x.md)", "feedletter").content_html
