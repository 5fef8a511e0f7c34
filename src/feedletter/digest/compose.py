"""A period's posts → the digest's sections of items."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import tzinfo

from ..config import Config
from ..posts import Post, tag_key
from ..render import Rendered, html_to_text
from ..site import Site, posts_between
from .fragments import email_fragment
from .model import Item
from .period import Period, _day
from .text import text_with_links

SHORT_SUMMARY = 240         # characters of a summary once summaries must be shortened


def select_posts(site: Site, period: Period) -> list[Post]:
    """Published posts of the period (and of one of its tags, if any), oldest first."""
    posts = posts_between(site, period.start, period.end)
    if period.tags:
        wanted = set(period.tags)
        posts = [p for p in posts if wanted & {tag_key(t) for t in p.tags}]
    return posts


def group_sections(posts: Sequence[Post], config: Config) -> list[tuple[str, list[Post]]]:
    """Posts → (section title, posts) in the config's order; each post once, oldest first.

    A post goes into the first section one of its tags matches; the others go last,
    under `digest.other_section`. Empty sections are left out.
    """
    sections = config.digest.sections
    keys = [{tag_key(t) for t in s.tags} for s in sections]
    buckets: list[list[Post]] = [[] for _ in range(len(sections) + 1)]
    for post in posts:
        tags = {tag_key(t) for t in post.tags}
        index = next((i for i, k in enumerate(keys) if k & tags), len(sections))
        buckets[index].append(post)
    titles = [s.title for s in sections] + [config.digest.other_section]
    return [(title, bucket) for title, bucket in zip(titles, buckets, strict=True) if bucket]


def shorten(text: str, limit: int = SHORT_SUMMARY) -> str:
    """At most `limit` characters, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + " …"


def _item(post: Post, tz: tzinfo, render: Callable[[Post], Rendered]) -> Item:
    rendered = render(post)
    summary = email_fragment(rendered.summary_html, post.link)
    when = post.date.astimezone(tz).date()
    return Item(title=post.title, link=post.link,
                authors=", ".join(a.name for a in post.authors), date=_day(when),
                summary_html=summary, summary_text=text_with_links(summary))


def _shortened(item: Item) -> Item:
    text = shorten(html_to_text(item.summary_html))
    return replace(item, mode="short", summary_text=text,
                   summary_html=f"<p>{html.escape(text, quote=False)}</p>" if text else "")
