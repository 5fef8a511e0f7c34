"""Hugo shortcodes in a post's body: Hugo's built-in ones rendered, the others reported.

Hugo replaces every `{{< name args >}}` (output used as HTML) and `{{% name args %}}`
(output rendered as Markdown with the page) before the page's Markdown is rendered; a
paired shortcode has a closing `{{< /name >}}` and gets the text between as `.Inner`;
`{{</* name */>}}` is the shortcode's text, not a call.
https://gohugo.io/content-management/shortcodes/

Built-ins rendered as Hugo's embedded templates do (tpl/tplimpl/embedded/templates/
shortcodes), with what a feed can hold: `figure`, `highlight`, `details`, `param`, `ref`,
`relref`, `youtube` and `vimeo` (an iframe, which the sanitizer turns into a link to the
video), and as a link to what they embed (their templates load scripts or call an API
while the site builds): `gist`, `x`, `tweet`, `twitter`, `instagram`. Any other shortcode
is the site's own (`layouts/shortcodes/`) or a theme's: left out, its inner text too,
and reported once per post with its line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .context import Page, Report, Settings

_OPEN = re.compile(r"\{\{([<%])")
# A shortcode's text is short: one that does not close within this many characters is
# text (else each unclosed `{{<` would scan the rest of the post: quadratic on bad input).
_LONGEST = 4_000
# up to the closing delimiter: anything but a quote or the delimiter, or a quoted string
_ARGS = {kind: re.compile(rf'(?:[^"`{end}]|"(?:[^"\\]|\\.)*"|`[^`]*`|{end}(?!\}}\}}))*', re.S)
         for kind, end in (("<", ">"), ("%", "%"))}
_NAME = re.compile(r"\s*(/?)\s*([\w./-]+)")


@dataclass
class _Call:
    start: int
    end: int
    kind: str                 # "<" or "%"
    name: str
    closing: bool             # {{< /name >}}
    positional: list[str]
    named: dict[str, str]
    self_closed: bool         # {{< name />}}
    literal: str | None = None   # {{</* … */>}}: this text, as written
    broken: bool = False      # a '{{<' or '{{%' that opens no shortcode


def _args(text: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    pattern = re.compile(r'\s*(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+)', re.S)
    pos = 0
    while pos < len(text):
        m = pattern.match(text, pos)
        if not m or m.end() == pos:
            break
        value = m.group(2)
        if value[0] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif value[0] == "`":
            value = value[1:-1]
        if m.group(1):
            named[m.group(1)] = value
        else:
            positional.append(value)
        pos = m.end()
    return positional, named


def _scan(body: str, at: int) -> _Call | None:
    """The shortcode starting at `at` ('{{<' or '{{%'), or None if it is not one."""
    kind = body[at + 2]
    close = ">}}" if kind == "<" else "%}}"
    pos = at + 3
    limit = min(len(body), pos + _LONGEST)
    rest = body[pos:pos + 4].lstrip()
    if rest.startswith("/*"):
        end = body.find("*/", pos, limit)
        stop = body.find(close, end, limit) if end >= 0 else -1
        if end < 0 or stop < 0 or body[end + 2:stop].strip():
            return None
        inner = body[body.find("/*", pos) + 2:end]
        return _Call(at, stop + 3, kind, "", False, [], {}, False,
                     literal="{{" + kind + inner + kind.replace("<", ">") + "}}")
    m = _NAME.match(body, pos)
    if not m:
        return None
    # the arguments run to the closing delimiter, outside quotes
    if body.find(close, m.end(), limit) < 0:
        return None
    args = _ARGS[kind].match(body, m.end(), limit)
    i = args.end() if args else m.end()
    if not body.startswith(close, i):
        return None
    inner = body[m.end():i].rstrip()
    self_closed = inner.endswith("/")
    positional, named = _args(inner[:-1] if self_closed else inner)
    return _Call(at, i + 3, kind, m.group(2), bool(m.group(1)), positional, named, self_closed)


def _calls(body: str) -> list[_Call]:
    calls = []
    pos = 0
    while True:
        m = _OPEN.search(body, pos)
        if not m:
            return calls
        call = _scan(body, m.start())
        if call is None:        # '{{<' opening no shortcode: Hugo stops; left out here
            calls.append(_Call(m.start(), m.start() + 3, m.group(1), "", False, [], {}, True,
                               broken=True))
            pos = m.start() + 3
            continue
        calls.append(call)
        pos = call.end


def _pairs(calls: list[_Call]) -> dict[int, int]:
    """Index of each opening call → index of its closing one (same name, nesting kept),
    in one pass."""
    open_: dict[str, list[int]] = {}
    pairs: dict[int, int] = {}
    for i, call in enumerate(calls):
        if call.literal is not None or call.self_closed or call.broken:
            continue
        stack = open_.setdefault(call.name, [])
        if not call.closing:
            stack.append(i)
        elif stack:
            pairs[stack.pop()] = i
    return pairs


def _get(call: _Call, name: str, index: int | None = None) -> str:
    if name in call.named:
        return call.named[name]
    if index is not None and index < len(call.positional):
        return call.positional[index]
    return ""


def _lookup(data: Any, path: str) -> Any:
    # a flat key as written (`[source] variables` holds no tables: "notes.v2" = "…")
    flat = next((v for k, v in data.items() if str(k).lower() == path.lower()), None) \
        if isinstance(data, dict) else None
    if flat is not None:
        return flat
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        # Hugo's page and site parameters are case-insensitive
        match = next((v for k, v in data.items() if str(k).lower() == part.lower()), None)
        if match is None:
            return None
        data = match
    return data


class Renderer:
    """Renders one body's shortcodes; HTML outputs go to `blocks` behind placeholders."""

    def __init__(self, body: str, settings: Settings, page: Page, report: Report,
                 markdown: Callable[[str], str], placeholder: Callable[[str], str]) -> None:
        self.body, self.settings, self.page, self.report = body, settings, page, report
        self.markdown, self.placeholder = markdown, placeholder

    def problem(self, call: _Call, reason: str) -> None:
        self.report.problem(self.body, call.start, reason, self.body[call.start:call.end])

    def inline_markdown(self, text: str) -> str:
        out = self.markdown(text).strip()
        if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
            out = out[3:-4]
        return out

    def render(self) -> str:
        calls = _calls(self.body)
        closer = _pairs(calls)
        out: list[str] = []
        pos = 0
        i = 0
        while i < len(calls):
            call = calls[i]
            out.append(self.body[pos:call.start])
            pos = call.end
            i += 1
            if call.literal is not None:
                out.append(call.literal)
                continue
            if call.broken:
                self.problem(call, f"'{{{{{call.kind}' opens no shortcode (not closed); left out")
                continue
            if call.closing:
                self.problem(call, f"closing shortcode '/{call.name}' without its opening; left out")
                continue
            inner = None
            j = closer.get(i - 1)
            if j is not None and (call.name in _PAIRED or call.name not in _BUILTIN):
                inner = self.body[call.end:calls[j].start]
                pos = calls[j].end
                i = j + 1
            out.append(self.call(call, inner))
        out.append(self.body[pos:])
        return "".join(out)

    def call(self, call: _Call, inner: str | None) -> str:
        builtin = _BUILTIN.get(call.name)
        if call.name == "qr":
            self.problem(call, "shortcode 'qr' makes an image while Hugo builds the site; left out")
            return ""
        if builtin is None:
            self.problem(call, f"shortcode '{call.name}' is the site's own or a theme's; "
                               "left out" + (" with its inner text" if inner else ""))
            return ""
        return builtin(self, call, inner)

    # -- built-ins ----------------------------------------------------------------------

    def figure(self, call: _Call, inner: str | None) -> str:
        get = call.named.get
        src = get("src", "")
        if not src:
            self.problem(call, "shortcode 'figure' without 'src'; left out")
            return ""
        caption, attr, title = get("caption", ""), get("attr", ""), get("title", "")
        alt = get("alt") or re.sub(r"<[^>]+>", "", self.inline_markdown(caption)) if caption \
            else get("alt", "")
        img = f'<img src="{html.escape(src)}" alt="{html.escape(alt or "")}"'
        for key in ("width", "height", "loading"):
            if get(key):
                img += f' {key}="{html.escape(get(key, ""))}"'
        img += ">"
        if get("link"):
            img = f'<a href="{html.escape(get("link", ""))}">{img}</a>'
        cls = f' class="{html.escape(get("class", ""))}"' if get("class") else ""
        parts = [f"<figure{cls}>", img]
        if title or caption or attr:
            parts.append("<figcaption>")
            if title:
                parts.append(f"<h4>{html.escape(title)}</h4>")
            if caption or attr:
                text = self.inline_markdown(caption) if caption else ""
                if attr:
                    credit = self.inline_markdown(attr)
                    if get("attrlink"):
                        credit = f'<a href="{html.escape(get("attrlink", ""))}">{credit}</a>'
                    text += credit
                parts.append(f"<p>{text}</p>")
            parts.append("</figcaption>")
        parts.append("</figure>")
        return self.placeholder("".join(parts))

    def highlight(self, call: _Call, inner: str | None) -> str:
        lang = _get(call, "lang", 0)
        code = (inner or "").strip("\n")
        cls = f' class="language-{html.escape(lang)}"' if lang else ""
        return self.placeholder(f"<pre><code{cls}>{html.escape(code, quote=False)}\n</code></pre>")

    def details(self, call: _Call, inner: str | None) -> str:
        summary = call.named.get("summary", "Details")
        opened = " open" if call.named.get("open", "").lower() == "true" else ""
        body = self.markdown(inner or "")
        return self.placeholder(f"<details{opened}><summary>{self.inline_markdown(summary)}"
                                f"</summary>{body}</details>")

    def param(self, call: _Call, inner: str | None) -> str:
        key = _get(call, "", 0)
        value = _lookup(dict(self.page.front_matter), key)
        if value is None:
            variables = dict(self.settings.variables)
            value = _lookup(variables, key)
            if value is None:
                value = _lookup(variables.get("params") or {}, key)
        if value is None or isinstance(value, dict | list):
            self.problem(call, f"shortcode 'param': no page or site parameter '{key}'; left out")
            return ""
        return str(value).strip() if call.kind == "%" else html.escape(str(value).strip())

    def ref(self, call: _Call, inner: str | None) -> str:
        target = _get(call, "path", 0)
        path, hash_, anchor = target.partition("#")
        if not path:              # a link into the page itself
            return "#" + anchor if hash_ else self.page.link
        found = self.report.resolve("ref", path)
        if found is None:
            self.problem(call, f"shortcode '{call.name}': no post '{path}'; left out")
            return ""
        return found + (hash_ + anchor if hash_ else "")

    def embed(self, call: _Call, inner: str | None) -> str:
        name = call.name
        if name == "youtube":
            src = f"https://www.youtube.com/embed/{_get(call, 'id', 0)}"
        elif name == "vimeo":
            src = f"https://player.vimeo.com/video/{_get(call, 'id', 0)}"
        else:
            src = ""
        if not src.rsplit("/", 1)[-1]:
            self.problem(call, f"shortcode '{name}' without an id; left out")
            return ""
        title = call.named.get("title", "")
        return self.placeholder(f'<iframe src="{html.escape(src)}" title="{html.escape(title)}">'
                                "</iframe>")

    def link_to(self, call: _Call, inner: str | None) -> str:
        name = call.name
        if name == "gist":
            user, gist = _get(call, "user", 0), _get(call, "id", 1)
            url = f"https://gist.github.com/{user}/{gist}" if user and gist else ""
        elif name in ("x", "tweet", "twitter"):
            user, status = _get(call, "user", 0), _get(call, "id", 1)
            url = f"https://x.com/{user}/status/{status}" if user and status else ""
        else:                                   # instagram
            post = _get(call, "id", 0)
            url = f"https://www.instagram.com/p/{post}/" if post else ""
        if not url:
            self.problem(call, f"shortcode '{name}' without its arguments; left out")
            return ""
        url = html.escape(url)
        return self.placeholder(f'<p><a href="{url}">{url}</a></p>')


_BUILTIN: dict[str, Callable[[Renderer, _Call, str | None], str]] = {
    "figure": Renderer.figure, "highlight": Renderer.highlight, "details": Renderer.details,
    "param": Renderer.param, "ref": Renderer.ref, "relref": Renderer.ref,
    "youtube": Renderer.embed, "vimeo": Renderer.embed, "gist": Renderer.link_to,
    "x": Renderer.link_to, "tweet": Renderer.link_to, "twitter": Renderer.link_to,
    "instagram": Renderer.link_to,
}
_PAIRED = {"highlight", "details"}


def render(body: str, settings: Settings, page: Page, report: Report,
           markdown: Callable[[str], str], placeholder: Callable[[str], str]) -> str:
    """The body with its shortcodes replaced (HTML ones by placeholders)."""
    if "{{<" not in body and "{{%" not in body:
        return body
    return Renderer(body, settings, page, report, markdown, placeholder).render()
