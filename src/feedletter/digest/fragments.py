"""Sanitized post HTML → HTML a mail client shows well (images, no media players)."""

from __future__ import annotations

import html

from lxml import html as lxml_html

from ..render import sanitize

# Mail clients play no media: a player becomes a link to what it plays (as render.py does
# for iframes); <picture> keeps its <img>.
_PLAYERS = ("video", "audio")


def email_fragment(fragment: str, base: str) -> str:
    """Sanitized HTML → HTML for a mail client: `alt` on every image, no media players."""
    if not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for el in list(root.iter(*_PLAYERS)):
        src = el.get("src") or next((s.get("src") for s in el.iter("source") if s.get("src")),
                                    None)
        link = lxml_html.Element("a", href=src) if src else lxml_html.Element("span")
        link.text = src or ""
        link.tail = el.tail
        el.getparent().replace(el, link)
    # drop_tag, not drop_tree: libxml2 does not know <source> is empty and nests what
    # follows it (the <img> of a <picture>) inside it.
    for el in list(root.iter("source", "track", "picture")):
        el.drop_tag()
    for img in root.iter("img"):
        if img.get("alt") is None:
            img.set("alt", "")
    inner = (root.text and html.escape(root.text, quote=False) or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root)
    # Sanitize again: what lxml serialized is what the mail client will parse.
    return sanitize(inner, base)
