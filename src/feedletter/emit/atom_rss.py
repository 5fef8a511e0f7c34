"""Atom 1.0 and RSS 2.0 through feedgen: the one place that knows feedgen's traps.

feedgen stamps the build time into `updated` and `lastBuildDate` unless told otherwise,
prepends entries (reversing their order) unless `order='append'`, and advertises itself
with its version. Every value here is set explicitly from the posts, so the same posts
give the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from ..config import Config
from ..posts import Post
from ..render import Rendered
from . import stylesheet
from .names import join_names
from .specs import MEDIA_TYPES, FeedSpec

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def newest(posts: Iterable[Post]) -> datetime:
    return max((max(p.date, p.updated) for p in posts), default=EPOCH)


def _seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def new_generator(cfg: Config, title: str, description: str):
    """A FeedGenerator with the channel metadata every feedletter feed shares."""
    from feedgen.feed import FeedGenerator  # late: a no-change build never emits

    fg = FeedGenerator()
    fg.title(title)
    fg.subtitle(description)
    fg.language(cfg.language)
    fg.generator("feedletter", uri="https://pypi.org/project/feedletter/")
    fg.author({"name": cfg.author})
    return fg


def _generator(cfg: Config, spec: FeedSpec, render: Callable[[Post], Rendered]):
    fg = new_generator(cfg, spec.title, spec.description)
    fg.load_extension("dc", atom=False, rss=True)
    last = _seconds(newest(spec.posts))
    fg.updated(last)             # also RSS lastBuildDate: the newest entry, not now
    fg.pubDate(last)
    for post in spec.posts:      # newest first, kept in that order
        rendered = render(post)
        fe = fg.add_entry(order="append")
        fe.id(post.id)
        fe.guid(post.id, permalink=False)
        fe.title(post.title)
        fe.link(href=post.link, rel="alternate")
        fe.published(_seconds(post.date))
        fe.updated(_seconds(post.updated))
        fe.author([_author_dict(a) for a in post.authors])
        if len(post.authors) > 1 or not post.authors[0].email:
            # RSS allows one <author>, and it must be an email address; feedgen writes
            # one per author that has an email. An item must not carry both <author> and
            # <dc:creator> (W3C DuplicateItemSemantics), so anything but a single author
            # with an email gets one dc:creator naming everybody and no <author>.
            fe._FeedEntry__rss_author = []  # noqa: SLF001 - feedgen has no setter for this
            fe.dc.dc_creator(join_names([a.name for a in post.authors], cfg.language))
        for tag in post.tags:
            fe.category(term=tag)
        if rendered.content_html.strip():   # an empty <content> is a W3C warning
            fe.content(rendered.content_html, type="html")
        fe.summary(rendered.summary_html or post.title, type="html")
    return fg


def _author_dict(author) -> dict[str, str]:
    d = {"name": author.name}
    if author.email:
        d["email"] = author.email
    if author.uri:
        d["uri"] = author.uri
    return d


def set_links(fg, site_url: str, self_url: str, self_type: str) -> None:
    """The feed's self link (also its id) and the site as its alternate link."""
    # feedgen takes the RSS <link> from the *last* link given: the site, not the feed.
    fg.link([{"href": self_url, "rel": "self", "type": self_type},
             {"href": site_url + "/", "rel": "alternate", "type": "text/html"}], replace=True)
    fg.id(self_url)


def atom_and_rss(cfg: Config, spec: FeedSpec, render: Callable[[Post], Rendered]
                 ) -> tuple[bytes, bytes]:
    """One FeedSpec → its Atom and RSS documents."""
    fg = _generator(cfg, spec, render)
    set_links(fg, cfg.site_url, spec.url(cfg, "atom"), MEDIA_TYPES["atom"])
    atom = fg.atom_str(pretty=True, encoding="UTF-8")
    set_links(fg, cfg.site_url, spec.url(cfg, "rss"), MEDIA_TYPES["rss"])
    # RSS readers (and feedparser) read a channel's <description> as HTML, Atom's
    # <subtitle> as text: a tag called "<img src=x onerror=…>" is text in both only if
    # it is escaped once more here (the description is text: site.description, names).
    fg.subtitle(html.escape(spec.description, quote=False))
    rss = fg.rss_str(pretty=True, encoding="UTF-8")
    if cfg.feeds.stylesheet:
        atom = stylesheet.attach(atom, spec.files["atom"], "atom")
        rss = stylesheet.attach(rss, spec.files["rss"], "rss")
    return atom, rss
