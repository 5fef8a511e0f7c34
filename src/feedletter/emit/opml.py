"""OPML 2.0 subscription lists: `index.opml` (what a new subscriber wants) and
`index-all.opml` (every feed).

Readers that import a list and merge entries by id keep each entry in the first feed
that listed it: with the site feed last, they showed 100+ tag feeds and a near-empty site
feed. So the site feed always comes first, and the long list is a second file: importing
`index.opml` subscribes to the site (and to the sections kept out of it); `index-all.opml`
adds the section, category, tag and author feeds, each kind in its own `<outline>` group.
Every feed is listed in its Atom format.
"""

from __future__ import annotations

from ..config import Config
from .atom_rss import EPOCH
from .specs import FeedSpec

FILES = ("index.opml", "index-all.opml")
_GROUPS = (("sections", "Sections"), ("categories", "Categories"), ("tags", "Tags"),
           ("authors", "Authors"))


def _in_default(cfg: Config, spec: FeedSpec) -> bool:
    """The site feed, and the sections whose posts it leaves out."""
    if spec.kind == "site":
        return True
    if spec.kind != "sections":
        return False
    return any(s.slug == spec.path.rsplit("/", 1)[-1] and not s.in_main for s in cfg.sections)


def _document(cfg: Config, specs: list[FeedSpec], title: str, grouped: bool) -> bytes:
    from lxml import etree

    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    newest = max((s.posts[0].updated for s in specs if s.posts), default=EPOCH)
    etree.SubElement(head, "dateModified").text = newest.strftime("%a, %d %b %Y %H:%M:%S %z")
    etree.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")

    def outline(parent, spec: FeedSpec) -> None:
        etree.SubElement(parent, "outline", type="rss", text=spec.title, title=spec.title,
                         description=spec.description, xmlUrl=spec.url(cfg, "atom"),
                         htmlUrl=cfg.site_url + "/")

    for spec in specs:
        if spec.kind == "site" or (not grouped and _in_default(cfg, spec)):
            outline(body, spec)
    if grouped:
        for kind, label in _GROUPS:
            members = [s for s in specs if s.kind == kind]
            if members:
                folder = etree.SubElement(body, "outline", text=label, title=label)
                for spec in members:
                    outline(folder, spec)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def opml_files(cfg: Config, specs: list[FeedSpec]) -> dict[str, bytes]:
    return {
        "index.opml": _document(cfg, specs, f"{cfg.title} feeds", grouped=False),
        "index-all.opml": _document(cfg, specs, f"{cfg.title}: every feed", grouped=True),
    }
