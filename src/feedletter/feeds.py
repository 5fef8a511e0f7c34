"""Site model → feed files: Atom 1.0, RSS 2.0, JSON Feed 1.1, OPML and an index page.

The one place that knows feedgen's traps: it stamps the build time into `updated` and
`lastBuildDate` unless told otherwise, prepends entries (reversing their order) unless
`order='append'`, and advertises itself with its version. Every value here is set
explicitly from the posts, so the same posts give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .config import Config
from .dates import rfc3339
from .posts import Post
from .render import Rendered
from .site import Group, Site
from .templates import environment

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FORMATS = (("atom", ".atom.xml"), ("rss", ".rss.xml"), ("json", ".json"))
MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml",
               "json": "application/feed+json"}


@dataclass(frozen=True)
class FeedSpec:
    """One feed (site, tag or author) before it is turned into three formats."""

    path: str            # output path without extension: "all", "tags/ovirt"
    title: str
    description: str
    posts: tuple[Post, ...]   # newest first, already cut to max_entries
    kind: str            # "site" | "tags" | "authors"
    name: str


def feed_specs(site: Site) -> list[FeedSpec]:
    cfg = site.config
    limit = cfg.max_entries
    specs = [FeedSpec("all", cfg.title, cfg.description or f"Posts from {cfg.title}",
                      tuple(site.posts[:limit]), "site", cfg.title)]
    for group in site.groups():
        specs.append(_group_spec(cfg, group))
    return specs


def _group_spec(cfg: Config, group: Group) -> FeedSpec:
    if group.kind == "tags":
        title = f"{cfg.title} — {group.name}"
        description = f"Posts tagged “{group.name}” on {cfg.title}"
    else:
        title = f"{cfg.title} — {group.name}"
        description = f"Posts by {group.name} on {cfg.title}"
    return FeedSpec(f"{group.kind}/{group.slug}", title, description,
                    group.posts[: cfg.max_entries], group.kind, group.name)


def posts_in_feeds(specs: Iterable[FeedSpec]) -> list[Post]:
    """Every post some feed emits (only these need their Markdown rendered)."""
    seen: dict[str, Post] = {}
    for spec in specs:
        for post in spec.posts:
            seen.setdefault(post.id, post)
    return list(seen.values())


def _newest(posts: Iterable[Post]) -> datetime:
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
    newest = _seconds(_newest(spec.posts))
    fg.updated(newest)           # also RSS lastBuildDate: the newest entry, not now
    fg.pubDate(newest)
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
            # with an email gets dc:creator for every author and no <author>.
            fe._FeedEntry__rss_author = []  # noqa: SLF001 - feedgen has no setter for this
            fe.dc.dc_creator([a.name for a in post.authors])
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


def _json_feed(cfg: Config, spec: FeedSpec, render: Callable[[Post], Rendered]) -> bytes:
    items = []
    for post in spec.posts:
        rendered = render(post)
        item = {
            "id": post.id,
            "url": post.link,
            "title": post.title,
            "content_html": rendered.content_html,
            "summary": rendered.summary_html,
            "date_published": rfc3339(post.date),
            "date_modified": rfc3339(post.updated),
            "authors": [{k: v for k, v in (("name", a.name), ("url", a.uri)) if v}
                        for a in post.authors],
        }
        if post.tags:
            item["tags"] = list(post.tags)
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "home_page_url": cfg.site_url + "/",
        "feed_url": cfg.feeds_url + spec.path + ".json",
        "description": spec.description,
        "language": cfg.language,
        "authors": [{"name": cfg.author}],
        "items": items,
    }
    # No indent: json's C encoder only runs without one (three times faster on big feeds).
    return (json.dumps(feed, ensure_ascii=False) + "\n").encode("utf-8")


def emit_feed(cfg: Config, spec: FeedSpec, render: Callable[[Post], Rendered]) -> dict[str, bytes]:
    """One FeedSpec → its Atom, RSS and JSON files (path → bytes)."""
    fg = _generator(cfg, spec, render)
    base = cfg.feeds_url + spec.path
    set_links(fg, cfg.site_url, base + ".atom.xml", MEDIA_TYPES["atom"])
    atom = fg.atom_str(pretty=True, encoding="UTF-8")
    set_links(fg, cfg.site_url, base + ".rss.xml", MEDIA_TYPES["rss"])
    rss = fg.rss_str(pretty=True, encoding="UTF-8")
    return {
        spec.path + ".atom.xml": atom,
        spec.path + ".rss.xml": rss,
        spec.path + ".json": _json_feed(cfg, spec, render),
    }


def _opml(cfg: Config, specs: list[FeedSpec]) -> bytes:
    """An OPML 2.0 subscription list: every feed once, in its Atom format."""
    from lxml import etree

    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{cfg.title} feeds"
    newest = max((s.posts[0].updated for s in specs if s.posts), default=EPOCH)
    etree.SubElement(head, "dateModified").text = newest.strftime("%a, %d %b %Y %H:%M:%S %z")
    body = etree.SubElement(root, "body")
    folders = {"site": body}
    for kind, label in (("tags", "Tags"), ("authors", "Authors")):
        folders[kind] = etree.SubElement(body, "outline", text=label, title=label)
    for spec in specs:
        etree.SubElement(folders[spec.kind], "outline", type="rss", text=spec.title,
                         title=spec.title, xmlUrl=cfg.feeds_url + spec.path + ".atom.xml",
                         htmlUrl=cfg.site_url + "/")
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _index_html(cfg: Config, specs: list[FeedSpec]) -> bytes:
    template = environment(cfg).get_template("feeds_index.html.j2")
    rows = [{"title": s.title, "name": s.name, "kind": s.kind, "path": s.path,
             "count": len(s.posts)} for s in specs]
    text = template.render(config=cfg, site=rows[0], tags=[r for r in rows if r["kind"] == "tags"],
                           authors=[r for r in rows if r["kind"] == "authors"],
                           formats=FORMATS, media_types=MEDIA_TYPES)
    return text.encode("utf-8")


def emit_indexes(cfg: Config, specs: list[FeedSpec]) -> dict[str, bytes]:
    """The OPML subscription list and the human index page of every feed."""
    return {"index.opml": _opml(cfg, specs), "index.html": _index_html(cfg, specs)}


def emit_all(site: Site, render: Callable[[Post], Rendered]) -> dict[str, bytes]:
    """Every output file of `feedletter build` (relative path → bytes), uncached."""
    specs = feed_specs(site)
    files: dict[str, bytes] = {}
    for spec in specs:
        files.update(emit_feed(site.config, spec, render))
    files.update(emit_indexes(site.config, specs))
    return files
