"""Jekyll's Liquid in a post's body, rendered with python-liquid before the Markdown.

Jekyll renders every post's body as a Liquid template, then its Markdown
(https://jekyllrb.com/docs/liquid/). Rendered here as Jekyll does: `site.*` from the
config's `[source] variables` (the site's `_config.yml`; `site.url` defaults to the
feedletter site URL), `page.*` from the post's front matter, Liquid's own tags and filters,
and Jekyll's tags and filters a post can use without the rest of the site:

- `{% link path %}` and `{% post_url name %}` → the linked post's link (links.py);
- `{{ "/x" | relative_url }}` → baseurl + path; `absolute_url` → url + baseurl + path;
- `{% highlight lang %}…{% endhighlight %}` → a fenced code block in that language;
- jekyll-gist's `{% gist user/id %}` → a link to the gist (the plugin embeds a script);
- `slugify`, `xml_escape`, `cgi_escape`, `uri_escape`, `jsonify`, `number_of_words`,
  `array_to_sentence_string`, `normalize_whitespace`, `markdownify` (the text itself: the
  Markdown pass follows).

What needs more of the site than one post (`{% include %}`, `site.pages`, `site.data`, a
plugin's tag or filter) is left out, and reported once per post with its line.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, quote_plus

from .context import Page, Report, Settings

# the body being rendered: (its text, its report); set for the length of one `render`
_NOW: list[tuple[str, Report]] = []


def _problem(token: Any, reason: str) -> None:
    source, report = _NOW[-1]
    at = getattr(token, "start_index", -1) if token is not None else -1
    report.problem(source, at if at >= 0 else 0, reason, _construct(source, at))


def _construct(source: str, at: int) -> str:
    """The `{% … %}` or `{{ … }}` around offset `at`, as written."""
    if at < 0:
        return ""
    start = max(source.rfind("{%", 0, at + 2), source.rfind("{{", 0, at + 2), 0)
    ends = [e for e in (source.find("%}", at), source.find("}}", at)) if e >= 0]
    return source[start:min(ends) + 2] if ends else source[start:at + 80]


def _base(settings: Settings) -> tuple[str, str]:
    variables = settings.variables
    baseurl = str(variables.get("baseurl") or "").rstrip("/")
    url = str(variables.get("url") or settings.site_url).rstrip("/")
    if not variables.get("url") and baseurl and url.endswith(baseurl):
        url = url[: -len(baseurl)]          # the feedletter site URL may hold the baseurl
    return url, baseurl


_ENVIRONMENTS: dict[str, Any] = {}


def _environment(settings: Settings):
    """A Liquid environment with Jekyll's tags and filters for one site's settings."""
    key = settings.fingerprint()
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS[key] = _make_environment(settings)
    return _ENVIRONMENTS[key]


def _make_environment(settings: Settings):
    from liquid import Environment
    from liquid.ast import BlockNode, Node
    from liquid.parser import get_parser
    from liquid.tag import Tag
    from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG
    from liquid.undefined import Undefined

    url, baseurl = _base(settings)

    class Missing(Undefined):
        """An undefined variable: empty, as in Jekyll, but reported (it is most likely a
        value of the site that feedletter does not have, not a typo)."""

        def _note(self) -> None:
            source = _NOW[-1][0]
            at = getattr(self.token, "start_index", -1) if self.token is not None else -1
            ends = [e for e in (source.find("}}", at), source.find("%}", at)) if e >= 0] \
                if at >= 0 else []
            end = min(ends) if ends else -1
            what = " ".join(source[at:end].split()) if 0 <= end < at + 200 else self.name
            _problem(self.token, f"Liquid variable '{what}' is not known here; left out")

        def __str__(self) -> str:
            self._note()
            return ""

        def __iter__(self):
            self._note()
            return iter([])

        def items(self):                # what a for loop over a mapping reads
            self._note()
            return iter([])

        def __len__(self) -> int:       # `size`; Liquid's truth test never asks
            self._note()
            return 0

    class Text(Node):
        def __init__(self, token, text: str) -> None:
            super().__init__(token)
            self.text = text
            self.blank = False

        def render_to_output(self, context, buffer) -> int:
            return buffer.write(self.text)

    def argument(stream) -> tuple[Any, str]:
        """An inline tag's token and its argument as written; the stream is left on the
        tag's last token, as the parser expects of a tag without a block."""
        token = stream.current
        if stream.peek.kind != TOKEN_EXPRESSION:
            return token, ""
        next(stream)
        return token, stream.current.value.strip()

    class LinkTag(Tag):
        """`{% link _posts/2016-07-26-name.md %}` / `{% post_url 2010-07-21-name %}`."""

        name = "link"
        block = False

        def parse(self, stream):
            token, ref = argument(stream)
            found = _NOW[-1][1].resolve(self.name, ref)
            if found is None:
                _problem(token, f"{{% {self.name} {ref} %}}: no such post; left out")
                return Text(token, "")
            return Text(token, found)

    class PostUrlTag(LinkTag):
        name = "post_url"

    class GistTag(Tag):
        """jekyll-gist's `{% gist parkr/c08ee0f2726fd0e3909d [file] %}`: the plugin embeds a
        script (which a feed cannot run); a link to the gist instead."""

        name = "gist"
        block = False

        def parse(self, stream):
            token, words = argument(stream)
            gist = words.split()[0].strip("\"'") if words.split() else ""
            if not re.fullmatch(r"[\w.-]+/[0-9a-f]+", gist):
                _problem(token, f"{{% gist {words} %}}: not a user/id gist; left out")
                return Text(token, "")
            url = f"https://gist.github.com/{gist}"
            return Text(token, f"[{url}]({url})")

    class IncludeTag(Tag):
        name = "include"
        block = False

        def parse(self, stream):
            token, what = argument(stream)
            _problem(token, f"{{% {self.name} {what} %}}: the site's includes are not "
                            "available to feedletter; left out")
            return Text(token, "")

    class IncludeRelativeTag(IncludeTag):
        name = "include_relative"

    class HighlightNode(Node):
        def __init__(self, token, lang: str, block) -> None:
            super().__init__(token)
            self.lang, self.body = lang, block
            self.blank = False

        def render_to_output(self, context, buffer) -> int:
            from io import StringIO

            inner = StringIO()
            self.body.render(context, inner)
            code = inner.getvalue().strip("\n")
            fence = "```"
            while fence in code:
                fence += "`"
            return buffer.write(f"\n{fence}{self.lang}\n{code}\n{fence}\n")

        def children(self, static_context, *, include_partials=True):
            yield self.body

    class HighlightTag(Tag):
        """`{% highlight ruby linenos %}` (the options only change the styling)."""

        name = "highlight"
        end = "endhighlight"
        block = True

        def parse(self, stream):
            token = stream.eat(TOKEN_TAG)
            words: list[str] = []
            if stream.current.kind == TOKEN_EXPRESSION:
                words = stream.current.value.split()
                next(stream)
            lang = words[0] if words and re.fullmatch(r"[\w+#.-]+", words[0]) else ""
            body: BlockNode = get_parser(self.env).parse_block(
                stream, frozenset((self.end, TOKEN_EOF)))
            stream.expect(TOKEN_TAG, value=self.end)
            return HighlightNode(token, lang, body)

    class Bounded(Environment):
        # a post's Liquid runs unattended, from cron: `{% for i in (1..100000000) %}` must
        # end as a reported problem, not a build that never ends or fills the memory
        loop_iteration_limit = 100_000
        output_stream_limit = 20_000_000
        local_namespace_limit = 1_000_000
        context_depth_limit = 30

    env = Bounded(undefined=Missing, strict_filters=True)
    for tag in (LinkTag, PostUrlTag, IncludeTag, IncludeRelativeTag, HighlightTag, GistTag):
        env.add_tag(tag)

    def join(path: Any, prefix: str) -> str:
        path = "" if path is None else str(path)
        if re.match(r"[a-z][a-z0-9+.-]*:", path, re.I):      # already absolute
            return path
        return prefix + "/" + path.lstrip("/") if path or prefix else "/"

    filters = {
        "relative_url": lambda v: join(v, baseurl),
        "absolute_url": lambda v: join(v, url + baseurl),
        "slugify": lambda v, mode="default": re.sub(r"[^a-z0-9]+", "-",
                                                    str(v).lower()).strip("-"),
        "xml_escape": lambda v: "" if v is None else (
            str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;")),
        "cgi_escape": lambda v: quote_plus(str(v)),
        "uri_escape": lambda v: quote(str(v), safe="/:?#[]@!$&'()*+,;=%-._~"),
        "jsonify": lambda v: json.dumps(v, default=str),
        "markdownify": lambda v: "" if v is None else str(v),
        "number_of_words": lambda v: len(str(v).split()),
        "normalize_whitespace": lambda v: " ".join(str(v).split()),
        "array_to_sentence_string": lambda v, connector="and": _sentence(v, connector),
    }
    for name, function in filters.items():
        env.add_filter(name, function)
    return env


def _sentence(items: Any, connector: str) -> str:
    items = [str(i) for i in (items or [])]
    if len(items) <= 2:
        return f" {connector} ".join(items)
    return ", ".join(items[:-1]) + f", {connector} " + items[-1]


_ANY_MARKUP = re.compile(r"\{%-?.{0,2000}?-?%\}|\{\{-?.{0,2000}?-?\}\}", re.S)   # bounded: see _cut


def _cut(source: str, at: int) -> str | None:
    """`source` without the `{% … %}` or `{{ … }}` at (or around) offset `at`, a block tag
    through its `{% end… %}`; its line breaks stay, so later lines keep their numbers."""
    for m in _ANY_MARKUP.finditer(source):
        if m.start() <= at < max(m.end(), m.start() + 1):
            end = _block_end(source, m)
            gone = source[m.start():end]
            return source[:m.start()] + "\n" * gone.count("\n") + source[end:]
    return None


_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}")
_ENDRAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")


def _unclosed_raw(source: str, report: Report) -> str:
    """`source` without the `{% raw %}` tags that no `{% endraw %}` follows, reported: an
    error either way, and python-liquid looks for the end of each one to the end of the
    text (10,000 of them took minutes)."""
    ends = [m.end() for m in _ENDRAW.finditer(source)]
    last = ends[-1] if ends else 0
    orphans = [m for m in _RAW.finditer(source, last)]
    if not orphans:
        return source
    report.problem(source, orphans[0].start(), "Liquid: '{% raw %}' without '{% endraw %}'; "
                   "left out", orphans[0].group())
    return source[:last] + _RAW.sub("", source[last:])


_UNCLOSED = re.compile(r"\{[{%][^\n]{0,2000}")
_TAG_NAME = re.compile(r"\{%-?\s*(\w+)")


def _block_end(source: str, m: re.Match[str]) -> int:
    """Where the block opened by the tag `m` ends (after its `{% endname %}`), or the tag's
    own end when it opens no block."""
    name = _TAG_NAME.match(m.group())
    if not name or name.group(1).startswith("end"):
        return m.end()
    tags = re.compile(r"\{%-?\s*(end)?" + re.escape(name.group(1)) + r"\b.*?%\}", re.S)
    depth = 1
    for t in tags.finditer(source, m.end()):
        depth += -1 if t.group(1) else 1
        if depth == 0:
            return t.end()
    return m.end()


def render(body: str, settings: Settings, page: Page, report: Report) -> str:
    """The body with its Liquid rendered; what cannot be rendered is left out, reported."""
    if "{{" not in body and "{%" not in body:
        return body
    from liquid.exceptions import LiquidError

    env = _environment(settings)
    url, baseurl = _base(settings)
    site = {**settings.variables, "url": url, "baseurl": baseurl}
    front = dict(page.front_matter)
    data = {"site": site, "page": {**front, "url": page.link}}
    source = _unclosed_raw(body, report)
    for _ in range(50):
        _NOW.append((source, report))
        try:
            out = env.from_string(source).render(**data)
            if ("{{" in out or "{%" in out) and not _RAW.search(source):
                # python-liquid passes a lone '{{' as text, where Jekyll stops with an error
                report.problem(source, source.find("{"), "Liquid: a '{{' or '{%' that opens "
                               "nothing; left out", "")
                out = out.replace("{{", "").replace("{%", "")
            return out
        except LiquidError as exc:
            token = exc.token
            at = token.start_index if token is not None and token.start_index >= 0 else -1
            message = str(exc.args[0]) if exc.args else type(exc).__name__
            report.problem(source, max(at, 0), f"Liquid: {message}; left out",
                           _construct(source, at))
            cut = _cut(source, at) if at >= 0 else None
            if cut is None:
                break
            source = cut
        except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
            # a filter or tag failing in Python (python-liquid lets some through): the
            # post is still published, its Liquid left out
            report.problem(source, 0, f"Liquid: {type(exc).__name__}: {exc}; left out", "")
            break
        finally:
            _NOW.pop()
    # not renderable: every Liquid construct left out, an unclosed one to the end of its line
    text = _ANY_MARKUP.sub(lambda m: "\n" * m.group().count("\n"), source)
    return _UNCLOSED.sub("", text)
