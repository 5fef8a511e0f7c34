"""index.html: the human page listing every feed, with autodiscovery links."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..templates import environment
from .specs import FORMATS, MEDIA_TYPES, FeedSpec

# The digests' archive page, written by `feedletter digest` (digest/files.py, beside
# `digests.atom.xml`); named here so that a build does not import the digest package.
DIGESTS_ARCHIVE = "digests/index.html"
DIGESTS_FEED = "digests.atom.xml"


def has_digests(out_dir: Path) -> bool:
    """The output folder holds published digests (their archive page): the index links them."""
    return (out_dir / DIGESTS_ARCHIVE).is_file()


def index_html(cfg: Config, specs: list[FeedSpec], digests: bool = False) -> bytes:
    template = environment(cfg).get_template("feeds_index.html.j2")
    rows = [{"title": s.title, "name": s.name, "kind": s.kind, "path": s.path,
             "files": s.files, "count": len(s.posts)} for s in specs]

    def kind(name: str) -> list[dict]:
        return [r for r in rows if r["kind"] == name]

    text = template.render(config=cfg, site=rows[0], tags=kind("tags"), authors=kind("authors"),
                           categories=kind("categories"), sections=kind("sections"),
                           formats=FORMATS, media_types=MEDIA_TYPES,
                           opml_sections=any(not s.in_main for s in cfg.sections),
                           digests={"archive": DIGESTS_ARCHIVE, "feed": DIGESTS_FEED} if digests else None)
    return text.encode("utf-8")
