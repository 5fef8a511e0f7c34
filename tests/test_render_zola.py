"""Zola's internal links and shortcodes in post bodies, as Zola's documentation says.

https://www.getzola.org/documentation/content/linking/ and
https://www.getzola.org/documentation/content/shortcodes/
"""

from __future__ import annotations

from render_helpers import reasons, render

POSTS = [("site/content/blog/_index.md", "https://example.com/blog/"),
         ("site/content/blog/hello.md", "https://example.com/blog/hello/"),
         ("site/content/blog/2024-02-17-release/index.md", "https://example.com/blog/release/")]


def zola(body: str):
    return render(body, "zola", posts=POSTS)


def test_at_links_to_the_markdown_file_relative_to_content() -> None:
    # "If you want to link to another page, you can use @/ followed by the path to the
    # Markdown file, relative to the content directory. ... [my link](@/blog/_index.md)
    # ... [my link](@/blog/_index.md#example-code)"
    r = zola("[my link](@/blog/_index.md) [h](@/blog/hello.md#example-code) "
             "[b](@/blog/2024-02-17-release/index.md)\n\n[ref]: @/blog/hello.md\n\n[x][ref]")
    html = r.content_html
    assert '<a href="https://example.com/blog/">my link</a>' in html
    assert '<a href="https://example.com/blog/hello/#example-code">h</a>' in html
    assert '<a href="https://example.com/blog/release/">b</a>' in html
    assert '<a href="https://example.com/blog/hello/">x</a>' in html
    assert r.problems == ()


def test_a_broken_at_link_keeps_its_text_and_is_reported() -> None:
    # Zola stops with an error on a link to a file that does not exist; here the text stays
    r = zola("intro\n\nsee [the old post](@/blog/gone.md).")
    assert r.content_html == "<p>intro</p>\n<p>see the old post.</p>\n"
    assert r.problems == ((3, "internal link '@/blog/gone.md': no such post; link left out",
                           "@/blog/gone.md"),)


def test_shortcodes_are_the_sites_own_and_reported() -> None:
    # "{{ youtube(id="dQw4w9WgXcQ") }}" and a body: {% quote(author="Vincent") %}…{% end %}
    r = zola('Intro\n\n{{ youtube(id="dQw4w9WgXcQ", autoplay=true) }}\n\n'
             '{% quote(author="Vincent") %}\nA quote\n{% end %}\n\nEnd {{ not_a_call }}\n')
    assert "youtube" not in r.content_html and "A quote" not in r.content_html
    assert [line for line, _, _ in r.problems] == [3, 5]
    assert reasons(r)[0] == ("shortcode 'youtube' is the site's own (templates/shortcodes/); "
                             "left out")
    # any other {{ … }} is text in Zola
    assert "End {{ not_a_call }}" in r.content_html


def test_escaped_shortcode_is_its_text() -> None:
    # "{{/* youtube(id="dQw4w9WgXcQ") */}}" is written out as {{ youtube(id="dQw4w9WgXcQ") }}
    html = zola('```\n{{/* youtube(id="dQw4w9WgXcQ") */}}\n```\n').content_html
    assert html == '<pre><code>{{ youtube(id="dQw4w9WgXcQ") }}\n</code></pre>\n'


def test_unclosed_shortcodes_take_linear_time() -> None:
    import time

    for body in ("{{ youtube(id=1\n" * 10000, "{% quote(a=1) %}x\n" * 10000 + "{% end %}\n",
                 "{% quote(a=1) %}x\n" * 10000, "{{/* x\n" * 10000):
        started = time.perf_counter()
        zola(body)
        assert time.perf_counter() - started < 5, body[:20]
