"""Hugo's built-in shortcodes in post bodies, as Hugo's documentation describes them.

Quotes from https://gohugo.io/content-management/shortcodes/ and the pages of each
shortcode (https://gohugo.io/shortcodes/<name>/).
"""

from __future__ import annotations

from render_helpers import LINK, reasons, render

POSTS = [("content/posts/post-1.md", "https://example.com/posts/post-1/"),
         ("content/posts/bundle/index.md", "https://example.com/posts/bundle/")]


def hugo(body: str, **kw):
    return render(body, "hugo", posts=POSTS, **kw)


def test_figure() -> None:
    # {{< figure src="/images/examples/zion-national-park.jpg" alt="A photograph of Zion
    #   National Park" link="https://www.nps.gov/zion/index.htm" caption="Zion National Park"
    #   class="ma0 w-75" >}}
    html = hugo('{{< figure src="/images/examples/zion-national-park.jpg" alt="A photograph '
                'of Zion National Park" link="https://www.nps.gov/zion/index.htm" '
                'caption="Zion National Park" class="ma0 w-75" >}}\n').content_html
    assert html == ('<figure><a href="https://www.nps.gov/zion/index.htm"><img src="https://'
                    'example.com/images/examples/zion-national-park.jpg" alt="A photograph of '
                    'Zion National Park"></a><figcaption><p>Zion National Park</p></figcaption>'
                    '</figure>\n')


def test_figure_in_markdown_notation_with_a_markdown_caption() -> None:
    # the otel-blog form: {{% figure src="x.png" caption="Sample [results](https://…)" %}}
    html = hugo('{{% figure\n  src="x.png"\n  caption="Sample [results](https://e.org/r)"\n%}}\n'
                ).content_html
    assert f'<img src="{LINK}x.png" alt="Sample results">' in html
    assert '<figcaption><p>Sample <a href="https://e.org/r">results</a></p></figcaption>' in html


def test_youtube_and_vimeo_become_links_to_the_video() -> None:
    # {{< youtube 0RKpf3rK57I >}} / {{< vimeo 55073825 >}}: Hugo embeds an iframe; a feed
    # gets a link to what it embedded (feedletter's rule for every iframe)
    html = hugo("{{< youtube 0RKpf3rK57I >}}\n\n{{<vimeo id=\"55073825\">}}\n").content_html
    assert '<a href="https://www.youtube.com/embed/0RKpf3rK57I">' in html
    assert '<a href="https://player.vimeo.com/video/55073825">' in html


def test_gist_and_x_become_links() -> None:
    # {{< gist jmooring 23932424365401ffa5e9d9810102a477 >}}
    # {{< x user="SanDiegoZoo" id="1453110110599868418" >}}
    html = hugo('{{< gist jmooring 23932424365401ffa5e9d9810102a477 >}}\n\n'
                '{{< x user="SanDiegoZoo" id="1453110110599868418" >}}\n').content_html
    assert 'href="https://gist.github.com/jmooring/23932424365401ffa5e9d9810102a477"' in html
    assert 'href="https://x.com/SanDiegoZoo/status/1453110110599868418"' in html


def test_highlight() -> None:
    # {{< highlight go "linenos=inline, hl_lines=3 6-7, style=emacs" >}} … {{< /highlight >}}
    html = hugo('{{< highlight go "linenos=inline, hl_lines=3 6-7, style=emacs" >}}\n'
                'package main\n\nfunc main() {}\n{{< /highlight >}}\n').content_html
    assert html == ('<pre><code class="language-go">package main\n\nfunc main() {}\n'
                    '</code></pre>\n')


def test_details() -> None:
    # {{< details summary="See the details" >}} This is a **bold** word. {{< /details >}}
    html = hugo('{{< details summary="See the details" >}}\nThis is a **bold** word.\n'
                '{{< /details >}}\n').content_html
    assert html == ("<details><summary>See the details</summary><p>This is a <strong>bold"
                    "</strong> word.</p>\n</details>\n")


def test_param_from_the_page_then_the_site() -> None:
    # "The param shortcode renders a parameter from the page's front matter, falling back
    # to a site parameter of the same name." {{% param "copyright" %}}
    r = hugo('{{% param "copyright" %}} / {{% param notes.v2 %}} / {{% param "missing" %}}',
             front={"copyright": "© 2024 page"}, variables={"copyright": "site",
                                                             "notes": {"v2": "*two*"}})
    assert r.content_html == "<p>© 2024 page / <em>two</em> /</p>\n"
    # `[source] variables` is flat (TOML scalars): a dotted name may be one key
    flat = hugo('{{% param notes.v2 %}}', variables={"notes.v2": "*flat*"})
    assert flat.content_html == "<p><em>flat</em></p>\n"
    assert reasons(r) == ["shortcode 'param': no page or site parameter 'missing'; left out"]


def test_ref_and_relref() -> None:
    # [Post 1]({{% ref "/posts/post-1" %}}), ({{% ref "/posts/post-1.md" %}}),
    # ({{% ref "/posts/post-1#foo" %}}); a bundle by its folder
    html = hugo('[a]({{% ref "/posts/post-1" %}}) [b]({{% ref "/posts/post-1.md" %}}) '
                '[c]({{% relref "/posts/post-1#foo" %}}) [d]({{< ref "bundle" >}})').content_html
    assert ('<a href="https://example.com/posts/post-1/">a</a> '
            '<a href="https://example.com/posts/post-1/">b</a> '
            '<a href="https://example.com/posts/post-1/#foo">c</a> '
            '<a href="https://example.com/posts/bundle/">d</a>') in html


def test_escaped_shortcode_is_its_text() -> None:
    # "{{</* foo */>}}" renders the shortcode's source text, not a call
    html = hugo("`{{</* youtube 0RKpf3rK57I */>}}`").content_html
    assert html == "<p><code>{{&lt; youtube 0RKpf3rK57I &gt;}}</code></p>\n"


def test_the_sites_own_shortcodes_are_reported_and_left_out_with_their_inner_text() -> None:
    r = hugo("a\n\n{{< blog/integration-badge >}}\n\n{{% comment %}}\ncSpell:disable\n"
             "{{% /comment %}}\n\nb {{< comment >}} x {{< /comment >}}\n")
    assert "{{" not in r.content_html and "cSpell" not in r.content_html
    assert [(line, reason) for line, reason, _ in r.problems] == [
        (3, "shortcode 'blog/integration-badge' is the site's own or a theme's; left out"),
        (5, "shortcode 'comment' is the site's own or a theme's; left out with its inner text")]


def test_unclosed_and_unpaired_shortcodes_take_linear_time() -> None:
    import time

    for body in ("{{< youtube x\n" * 20000, "{{< a >}}\n" * 20000 + "{{< /a >}}\n",
                 "{{</* x\n" * 20000):
        started = time.perf_counter()
        r = hugo(body)
        assert time.perf_counter() - started < 5, body[:20]
        assert "{{&lt;" not in r.content_html or body.startswith("{{</*") or "youtube" in body
