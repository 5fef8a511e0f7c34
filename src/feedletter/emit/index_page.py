"""index.html: the human page listing every feed, with autodiscovery links."""

from __future__ import annotations

from ..config import Config
from ..templates import environment
from .specs import FORMATS, MEDIA_TYPES, FeedSpec


def index_html(cfg: Config, specs: list[FeedSpec]) -> bytes:
    template = environment(cfg).get_template("feeds_index.html.j2")
    rows = [{"title": s.title, "name": s.name, "kind": s.kind, "path": s.path,
             "files": s.files, "count": len(s.posts)} for s in specs]

    def kind(name: str) -> list[dict]:
        return [r for r in rows if r["kind"] == name]

    text = template.render(config=cfg, site=rows[0], tags=kind("tags"), authors=kind("authors"),
                           categories=kind("categories"), sections=kind("sections"),
                           formats=FORMATS, media_types=MEDIA_TYPES,
                           opml_sections=any(not s.in_main for s in cfg.sections))
    return text.encode("utf-8")
