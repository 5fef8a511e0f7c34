"""The browser view of a feed: `<?xml-stylesheet?>` to one XSLT per format.

A browser that opens an Atom or RSS file shows raw XML; with the processing instruction it
applies the XSLT (atom.xsl, rss.xsl beside the feeds, from the package templates or
`paths.templates_dir`) and shows a page: what the feed is, the URL to copy into a reader,
the entries. Feed readers ignore processing instructions: they parse the same document.
"""

from __future__ import annotations

import posixpath

from ..config import Config, as_dict
from ..templates import environment

FILES = {"atom": "atom.xsl", "rss": "rss.xsl"}


def href(feed_file: str, fmt: str) -> str:
    """The stylesheet's URL relative to the feed (browsers load it from the same origin)."""
    return posixpath.relpath(FILES[fmt], posixpath.dirname(feed_file) or ".")


def attach(document: bytes, feed_file: str, fmt: str) -> bytes:
    """The feed with its stylesheet instruction right after the XML declaration."""
    declaration, newline, rest = document.partition(b"\n")
    instruction = f'<?xml-stylesheet type="text/xsl" href="{href(feed_file, fmt)}"?>'
    return declaration + newline + instruction.encode("utf-8") + b"\n" + rest


def stylesheets(cfg: Config) -> dict[str, bytes]:
    """atom.xsl and rss.xsl, with the site's colours (`[feeds.colors]`)."""
    env = environment(cfg)
    colors = as_dict(cfg.feeds.colors)
    return {name: env.get_template(name + ".j2").render(
                colors=colors, index_url=cfg.feeds_url + cfg.feed_paths.index).encode("utf-8")
            for name in FILES.values()}
