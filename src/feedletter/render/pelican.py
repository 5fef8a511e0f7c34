"""Pelican's internal links in a post's body: `{filename}`, `{static}`.

"To link to internal content (files in the content directory), use the following
syntax for the link target: `{filename}path/to/file`. ... relative to the current file,
or to the content root when it starts with `/`" — `[a link]({filename}category/article1.rst)`,
`[a link]({filename}/category/article2.md)`; `{static}` does the same for a static file
(`![Alt Text]({static}/images/han.jpg)`), which Pelican copies to the same path under the
output folder. The legacy `|filename|` form is read too.
https://docs.getpelican.com/en/latest/content.html#linking-to-internal-content

A `{filename}` link to a file that is no published post keeps its text (Pelican warns
"Unable to find" and leaves the link broken); `{static}` paths relative to the post, and
`{attach}`, `{index}`, `{tag}`, `{category}`, `{author}`, are reported and left out.
"""

from __future__ import annotations

import html
import posixpath
import re

from .context import Page, Report

_LINK = re.compile(r'(<a\b[^>]*?\shref|<img\b[^>]*?\ssrc)="(?:\{(\w+)\}|\|(\w+)\|)([^"]*)"([^>]*>)')
_A_END = re.compile(r"</a>")


def internal_links(fragment: str, source: str, page: Page, site_url: str,
                   report: Report) -> str:
    """`{filename}` / `{static}` URLs of an engine's HTML made the site's URLs."""
    if "{" not in fragment and "|" not in fragment:
        return fragment
    out: list[str] = []
    pos = 0
    for m in _LINK.finditer(fragment):
        kind = m.group(2) or m.group(3)
        target = html.unescape(m.group(4))
        path, hash_, anchor = target.partition("#")
        url = None
        if kind == "filename":
            if not path.startswith("/"):       # relative to the post's own folder
                path = posixpath.normpath(posixpath.join(posixpath.dirname(page.source), path))
            url = report.resolve("pelican", path.lstrip("/"))
            reason = f"{{filename}}{target}: no such post; link left out"
        elif kind == "static" and path.startswith("/"):
            url = site_url.rstrip("/") + path
            reason = ""
        else:
            reason = f"{{{kind}}}{target}: not available to feedletter; left out"
        if url is None:
            written = "{" + kind + "}" + target
            at = source.find(written)
            report.problem(source, at if at >= 0 else None, reason, written)
            if m.group(1).startswith("<a"):      # the link's text stays, without the link
                end = _A_END.search(fragment, m.end())
                out.append(fragment[pos:m.start()])
                if end is not None:
                    out.append(fragment[m.end():end.start()])
                    pos = end.end()
                else:
                    pos = m.end()
                continue
            out.append(fragment[pos:m.start()])     # an image without its source: gone
            pos = m.end()
            continue
        new = html.escape(url + (hash_ + anchor if hash_ else ""))
        out.append(fragment[pos:m.start()] + f'{m.group(1)}="{new}"{m.group(5)}')
        pos = m.end()
    out.append(fragment[pos:])
    return "".join(out)
