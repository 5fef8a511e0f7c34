"""Jekyll's Liquid in post bodies, as Jekyll's documentation describes it.

Quotes from https://jekyllrb.com/docs/liquid/tags/ and
https://jekyllrb.com/docs/liquid/filters/ (and /docs/configuration/ for `site.*`).
"""

from __future__ import annotations

from feedletter.render import html_to_text
from render_helpers import reasons, render

POSTS = [("docs/_posts/2010-07-21-name-of-post.md", "https://example.com/2010/07/21/name-of-post/"),
         ("docs/_posts/subdir/2010-07-22-other.md", "https://example.com/2010/07/22/other/")]
VARIABLES = {"baseurl": "/my-baseurl", "url": "http://example.com", "repository": "jekyll/jekyll"}


def jekyll(body: str, **kw):
    return render(body, "jekyll", variables=VARIABLES, posts=POSTS, **kw)


def test_post_url() -> None:
    # "the post_url tag will generate the correct permalink URL for the post you specify
    # ... {% post_url 2010-07-21-name-of-post %} ... If you organize your posts in
    # subdirectories, you need to include subdirectory path to the post:
    # {% post_url /subdir/2010-07-21-name-of-post %}. There is no need to include the file
    # extension when using the post_url tag."
    html = jekyll("[Name of Link]({% post_url 2010-07-21-name-of-post %}) and "
                  "[b]({% post_url /subdir/2010-07-22-other %})").content_html
    assert '<a href="https://example.com/2010/07/21/name-of-post/">Name of Link</a>' in html
    assert '<a href="https://example.com/2010/07/22/other/">b</a>' in html


def test_link_needs_the_file_extension() -> None:
    # "{% link _posts/2016-07-26-name-of-post.md %} ... You must include the file's
    # original extension when using the link tag."
    r = jekyll("[a]({% link _posts/2010-07-21-name-of-post.md %})")
    assert 'href="https://example.com/2010/07/21/name-of-post/"' in r.content_html
    assert r.lookups == ((("link", "_posts/2010-07-21-name-of-post.md"),
                          "https://example.com/2010/07/21/name-of-post/"),)


def test_a_link_to_no_post_is_reported_and_left_out() -> None:
    r = jekyll("See\n{% link _docs/history.md %} here")
    assert "{%" not in r.content_html and "history" not in r.content_html
    assert r.problems == ((2, "{% link _docs/history.md %}: no such post; left out",
                           "{% link _docs/history.md %}"),)


def test_relative_and_absolute_url_filters() -> None:
    # relative_url: "Prepend baseurl config value to the input" —
    # {{ "/assets/style.css" | relative_url }} → /my-baseurl/assets/style.css
    # absolute_url: "Prepend url and baseurl value to the input" —
    # {{ "/assets/style.css" | absolute_url }} → http://example.com/my-baseurl/assets/style.css
    html = jekyll('{{ "/assets/style.css" | relative_url }} '
                  '{{ "/assets/style.css" | absolute_url }}').content_html
    assert html_to_text(html) == \
        "/my-baseurl/assets/style.css http://example.com/my-baseurl/assets/style.css"


def test_site_and_page_variables() -> None:
    # the case: ![x]({{ site.baseurl }}/images/a.png) must not keep the braces
    r = jekyll("![x]({{ site.baseurl }}/images/a.png) {{ site.url }} "
               "{{ site.repository }} {{ page.title }}", front={"title": "Jekyll 4.0"})
    assert 'src="https://example.com/my-baseurl/images/a.png"' in r.content_html
    assert "http://example.com jekyll/jekyll Jekyll 4.0" in html_to_text(r.content_html)
    assert r.problems == ()


def test_raw_keeps_liquid_as_text() -> None:
    # "If you want to display Liquid code without it being processed by Jekyll, use the
    # raw tag" (https://jekyllrb.com/docs/liquid/tags/ links Liquid's raw)
    html = jekyll("`{% raw %}{{ page.title }}{% endraw %}`").content_html
    assert "<code>{{ page.title }}</code>" in html


def test_highlight_block() -> None:
    # "{% highlight ruby %} def foo puts 'foo' end {% endhighlight %}"
    html = jekyll("{% highlight ruby linenos %}\ndef foo\n  puts 'foo'\nend\n"
                  "{% endhighlight %}\n").content_html
    assert "<pre><code class=\"language-ruby\">def foo\n  puts 'foo'\nend\n</code></pre>" in html


def test_include_unknown_tags_filters_and_variables_are_reported_once_each() -> None:
    body = ("a {% include footer.html %}\nb {% seo %}\nc {{ 'x' | frobnicate }}\n"
            "d {{ site.data.team }} {{ site.data.team }}\n"
            "{% for p in site.pages %}{{ p.title }}{% endfor %}{% if page.nope %}no{% endif %}\n")
    r = jekyll(body)
    for text in ("{{", "{%", "footer", "frobnicate"):
        assert text not in r.content_html
    assert [line for line, _, _ in r.problems] == [1, 2, 3, 4, 5]   # `if` on nothing is Jekyll's idiom
    assert reasons(r)[0] == ("{% include footer.html %}: the site's includes are not "
                             "available to feedletter; left out")
    assert "unexpected tag 'seo'" in reasons(r)[1]
    assert "unknown filter 'frobnicate'" in reasons(r)[2]
    assert reasons(r)[3] == "Liquid variable 'site.data.team' is not known here; left out"


def test_liquid_is_not_read_for_other_generators() -> None:
    html = render("{{ site.baseurl }}", "feedletter").content_html
    assert html == "<p>{{ site.baseurl }}</p>"


def test_runaway_liquid_is_bounded_and_reported() -> None:
    r = jekyll("a {% for i in (1..100000000) %}{% for j in (1..1000) %}x{% endfor %}{% endfor %}"
               " b\n\n{% tabs %}\nA plugin's block\n{% endtabs %}\n")
    assert r.content_html == "<p>a  b</p>"      # each block left out whole, through its end
    assert reasons(r) == ["Liquid: loop iteration limit reached; left out",
                          "Liquid: unexpected tag 'tabs'; left out"]


def test_unclosed_liquid_takes_bounded_time() -> None:
    import time

    for body in ("{{ site.url\n" * 10000, "{% if x %}\n" * 10000, "{% raw %}\n" * 10000):
        started = time.perf_counter()
        r = jekyll(body)
        assert time.perf_counter() - started < 10, body[:20]
        assert r.problems and "{{" not in r.content_html and "{%" not in r.content_html


def test_jekyll_gist_becomes_a_link() -> None:
    # jekyll-gist (https://github.com/jekyll/jekyll-gist#usage): "{% gist parkr/c08ee0f2726fd0e3909d %}"
    html = jekyll("{% gist parkr/c08ee0f2726fd0e3909d %}").content_html
    assert '<a href="https://gist.github.com/parkr/c08ee0f2726fd0e3909d">' in html
