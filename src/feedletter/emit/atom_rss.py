"""Atom 1.0 and RSS 2.0 through feedgen: the one place that knows feedgen's traps.

feedgen stamps the build time into `updated` and `lastBuildDate` unless told otherwise,
prepends entries (reversing their order) unless `order='append'`, and advertises itself
with its version. Every value here is set explicitly from the posts, so the same posts
give the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from ..config import Config
from ..posts import Post
from ..render import Rendered
from . import archives, stylesheet
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


def set_links(fg, site_url: str, self_url: str, self_type: str,
              extra: list[tuple[str, str]] = ()) -> None:
    """The feed's self link (also its id), `extra` (rel, href) links, and the site as its
    alternate link."""
    # feedgen takes the RSS <link> from the *last* link given: the site, not the feed.
    fg.link([{"href": self_url, "rel": "self", "type": self_type},
             *({"href": href, "rel": rel} for rel, href in extra),
             {"href": site_url + "/", "rel": "alternate", "type": "text/html"}], replace=True)
    fg.id(self_url)


def _extra_links(cfg: Config, spec: FeedSpec, fmt: str) -> list[tuple[str, str]]:
    """WebSub's hub (current documents only: nobody subscribes to an archive) and the
    RFC 5005 links."""
    extra = archives.links(cfg, spec, fmt)
    if cfg.feeds.websub_hub and spec.page == 0:
        extra.insert(0, ("hub", cfg.feeds.websub_hub))
    return extra


def _document(fg, cfg: Config, spec: FeedSpec, fmt: str) -> bytes:
    extra = _extra_links(cfg, spec, fmt)
    set_links(fg, cfg.site_url, spec.url(cfg, fmt), MEDIA_TYPES[fmt], extra)
    if not extra and spec.page == 0:     # feedgen's own bytes, as always
        return fg.atom_str(pretty=True, encoding="UTF-8") if fmt == "atom" \
            else fg.rss_str(pretty=True, encoding="UTF-8")
    from lxml import etree

    # feedgen writes every Atom link, but in RSS only the self one (as atom:link): the
    # others are added beside it. An archive document says so with <fh:archive/>.
    if fmt == "atom":
        feed, doc = fg._create_atom()  # noqa: SLF001 - atom_str is this plus tostring
        anchor = feed.findall("link")[-1]     # feedgen's Atom elements are xmlns attributes
    else:
        feed, doc = fg._create_rss()  # noqa: SLF001 - rss_str is this plus tostring
        channel = feed.find("channel")
        anchor = channel.find("{http://www.w3.org/2005/Atom}link")
        for rel, href in reversed(extra):
            anchor.addnext(etree.Element("{http://www.w3.org/2005/Atom}link", href=href, rel=rel))
    if spec.page:
        anchor.addnext(etree.Element(f"{{{archives.HISTORY_NS}}}archive",
                                     nsmap={"fh": archives.HISTORY_NS}))
    return etree.tostring(doc, pretty_print=True, encoding="UTF-8", xml_declaration=True)


# What an HTML reader of a description would take as a tag or a character reference.
_MARKUP = re.compile(r"<|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")


def atom_and_rss(cfg: Config, spec: FeedSpec, render: Callable[[Post], Rendered]
                 ) -> tuple[bytes, bytes]:
    """One FeedSpec (a current or an archive document) → its Atom and RSS documents."""
    fg = _generator(cfg, spec, render)
    atom = _document(fg, cfg, spec, "atom")
    # RSS readers (and feedparser) read a channel's <description> as HTML, Atom's
    # <subtitle> as text: a tag called "<img src=x onerror=…>" is text in both only if
    # it is escaped once more here (the description is text: site.description, names).
    # Only text that HTML would read as markup is: a plain '&' ("Huss & TC") escaped twice
    # reads back as "&amp;", which the W3C validator flags as HTML in a description.
    if _MARKUP.search(spec.description):
        fg.subtitle(html.escape(spec.description, quote=False))
    rss = _document(fg, cfg, spec, "rss")
    if cfg.feeds.stylesheet:
        atom = stylesheet.attach(atom, spec.files["atom"], "atom")
        rss = stylesheet.attach(rss, spec.files["rss"], "rss")
    return atom, rss
