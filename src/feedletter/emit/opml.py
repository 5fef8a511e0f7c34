"""OPML 2.0 subscription lists of the feeds."""

from __future__ import annotations

from ..config import Config
from .atom_rss import EPOCH
from .specs import FeedSpec


def opml(cfg: Config, specs: list[FeedSpec]) -> bytes:
    """An OPML 2.0 subscription list: every feed once, in its Atom format."""
    from lxml import etree

    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{cfg.title} feeds"
    newest = max((s.posts[0].updated for s in specs if s.posts), default=EPOCH)
    etree.SubElement(head, "dateModified").text = newest.strftime("%a, %d %b %Y %H:%M:%S %z")
    body = etree.SubElement(root, "body")
    folders = {"site": body}
    present = {spec.kind for spec in specs}
    for kind, label in (("sections", "Sections"), ("categories", "Categories"),
                        ("tags", "Tags"), ("authors", "Authors")):
        # Tags and Authors are always listed (as before sections and categories existed).
        if kind in present or kind in ("tags", "authors"):
            folders[kind] = etree.SubElement(body, "outline", text=label, title=label)
    for spec in specs:
        etree.SubElement(folders[spec.kind], "outline", type="rss", text=spec.title,
                         title=spec.title, xmlUrl=spec.url(cfg, "atom"),
                         htmlUrl=cfg.site_url + "/")
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
