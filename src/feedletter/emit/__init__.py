"""Site model → feed files: Atom 1.0, RSS 2.0, JSON Feed 1.1, OPML and an index page.

One module per document kind; this module is the one the build calls. `specs` says which
feeds exist, `atom_rss` (feedgen), `jsonfeed`, `opml` and `index_page` turn them into bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..posts import Post
from ..render import Rendered
from ..site import Site
from . import archives, opml, stylesheet
from .atom_rss import atom_and_rss, new_generator, set_links
from .index_page import has_digests, index_html
from .jsonfeed import json_feed
from .opml import opml_files
from .specs import FORMATS, MEDIA_TYPES, FeedSpec, feed_specs, posts_in_feeds
from .stylesheet import stylesheets

__all__ = ["FORMATS", "MEDIA_TYPES", "FeedSpec", "emit_all", "emit_feed", "emit_indexes",
           "feed_specs", "has_digests", "index_names", "new_generator", "posts_in_feeds", "set_links"]


def emit_feed(cfg: Config, spec: FeedSpec, render: Callable[[Post], Rendered]) -> dict[str, bytes]:
    """One FeedSpec → its Atom, RSS and JSON files (path → bytes)."""
    atom, rss = atom_and_rss(cfg, spec, render)
    return {
        spec.files["atom"]: atom,
        spec.files["rss"]: rss,
        spec.files["json"]: json_feed(cfg, spec, render, extra=_json_extra(cfg, spec)),
    }


def _json_extra(cfg: Config, spec: FeedSpec) -> dict:
    """JSON Feed's `hubs` (WebSub) and `next_url`: the older page of the same history."""
    extra: dict = {}
    if cfg.feeds.websub_hub and spec.page == 0:
        extra["hubs"] = [{"type": "WebSub", "url": cfg.feeds.websub_hub}]
    older = dict(archives.links(cfg, spec, "json")).get("prev-archive")
    if older:
        extra["next_url"] = older
    return extra


def index_names(cfg: Config) -> list[str]:
    """The files `emit_indexes` writes: one group for the cache."""
    names = [*opml.FILES, cfg.feed_paths.index]
    if cfg.feeds.stylesheet:
        names += stylesheet.FILES.values()
    return names


def emit_indexes(cfg: Config, specs: list[FeedSpec], digests: bool = False) -> dict[str, bytes]:
    """The OPML subscription lists, the human index page of every feed (linking the
    digests' archive when `digests`) and the feeds' browser stylesheets."""
    files = {**opml_files(cfg, specs), cfg.feed_paths.index: index_html(cfg, specs, digests)}
    if cfg.feeds.stylesheet:
        files.update(stylesheets(cfg))
    return files


def emit_all(site: Site, render: Callable[[Post], Rendered]) -> dict[str, bytes]:
    """Every output file of `feedletter build` (relative path → bytes), uncached."""
    specs = feed_specs(site)
    files: dict[str, bytes] = {}
    for spec in archives.expand(site.config, specs):
        files.update(emit_feed(site.config, spec, render))
    files.update(emit_indexes(site.config, specs))
    return files
