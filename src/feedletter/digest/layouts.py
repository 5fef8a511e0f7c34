"""Ever smaller versions of a digest, until its HTML fits the size budget."""

from __future__ import annotations

from dataclasses import replace

from ..config import Config
from ..errors import FeedletterError
from .compose import _shortened
from .model import Item, SectionView
from .page import render_html


def _layouts(sections: list[tuple[str, list[Item]]], max_items: int):
    """Ever smaller versions of the digest: full, summaries cut, then more and more
    items (beyond `max_items`, then half as many each time) as a plain linked list."""
    yield "full summaries", sections
    short = [(title, [_shortened(i) for i in items]) for title, items in sections]
    yield "summaries shortened", short
    total = sum(len(items) for _, items in sections)
    keep = max_items if max_items < total else total // 2
    while True:
        count = 0
        cut = []
        for title, items in short:
            row = []
            for item in items:
                count += 1
                row.append(item if count <= keep else replace(item, mode="link"))
            cut.append((title, row))
        yield f"{keep} items in full, {total - keep} as links", cut
        if keep == 0:
            return
        keep //= 2


def _fit(context: dict, sections: list[tuple[str, list[Item]]], config: Config,
         what: str) -> tuple[str, list[SectionView], str]:
    """The first layout whose HTML fits in `digest.max_html_bytes`: name, sections, HTML."""
    limit = config.digest.max_html_bytes
    size = 0
    for layout, candidate in _layouts(sections, config.digest.max_items):
        views = [SectionView(title, tuple(items)) for title, items in candidate]
        page = render_html(context, views)
        size = len(page.encode("utf-8"))
        if size <= limit:
            return layout, views, page
    raise FeedletterError(
        f"the digest of {what} is {size:,} bytes of HTML even as a list of links, over "
        f"digest.max_html_bytes ({limit:,}); choose a shorter period or --tag")
