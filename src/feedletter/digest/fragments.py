"""Sanitized post HTML → HTML a mail client shows well: images that fit, no media
players, summaries cut where a sentence or a paragraph ends.

All of it works on the parsed tree (lxml), never with regular expressions on markup.
"""

from __future__ import annotations

import html
import re

from lxml import html as lxml_html

from ..render import sanitize

# Mail clients play no media: a player becomes a link to what it plays (as render.py does
# for iframes); <picture> keeps its <img>.
_PLAYERS = ("video", "audio")
# An image never wider than its column, never floated: Outlook and Gmail honour inline
# style (css-inline would not reach the intro), and `align` is HTML's float.
IMAGE_STYLE = "max-width:100%;height:auto;border:0;float:none;display:block;"
_FLOAT_ATTRS = ("align", "hspace", "vspace")
# A summary ends where a sentence does: ., ! or ? (maybe closed by a quote or bracket),
# then a space; Chinese and Japanese full stops need no space.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s|[。！？]")
_BLOCKS = {"p", "ul", "ol", "pre", "blockquote", "table", "h1", "h2", "h3", "h4", "h5", "h6",
           "div", "figure", "dl", "hr"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _parse(fragment: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


def _serialize(root: lxml_html.HtmlElement) -> str:
    return (root.text and html.escape(root.text, quote=False) or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root)


def style_images(fragment: str) -> str:
    """Every image in `fragment` at most as wide as its column and never floated.

    Runs after sanitizing (which removes every style attribute of the posts): the style
    set here is feedletter's own."""
    if "<img" not in fragment:
        return fragment
    root = _parse(fragment)
    for img in root.iter("img"):
        for attr in _FLOAT_ATTRS:
            img.attrib.pop(attr, None)
        img.set("style", IMAGE_STYLE)
    return _serialize(root)


def email_fragment(fragment: str, base: str) -> str:
    """Sanitized HTML → HTML for a mail client: `alt` on every image, images that fit
    their column, no media players."""
    if not fragment.strip():
        return ""
    root = _parse(fragment)
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
    # Sanitize again: what lxml serialized is what the mail client will parse.
    return style_images(sanitize(_serialize(root), base))


def first_image(fragment: str) -> dict[str, str] | None:
    """The attributes of the first <img> with a source in `fragment`, if any."""
    if "<img" not in fragment:
        return None
    for img in _parse(fragment).iter("img"):
        if img.get("src"):
            return dict(img.attrib)
    return None


def without_image(fragment: str, src: str) -> str:
    """`fragment` without the images showing `src` (the item's own picture, shown above)."""
    if src not in fragment:
        return fragment
    root = _parse(fragment)
    for img in list(root.iter("img")):
        if img.get("src") == src:
            parent = img.getparent()
            img.drop_tree()
            # a paragraph that held only the picture goes with it
            if parent is not root and parent.tag == "p" and not parent.text_content().strip() \
                    and not len(parent):
                parent.drop_tree()
    return _serialize(root)


def _text_length(el: lxml_html.HtmlElement) -> int:
    return len(" ".join(el.text_content().split()))


def cut_summary(fragment: str, budget: int) -> tuple[str, bool]:
    """At most `budget` characters of text, cut where a paragraph or a sentence ends,
    never ending on a colon or a heading. Returns the HTML and whether it was cut.

    Whole blocks are kept while they fit. When the next block does not fit, and nothing
    was kept yet, it is cut after its last sentence within the budget; with no sentence
    end in reach, after the last word, with an ellipsis.
    """
    root = _parse(fragment)
    if _text_length(root) <= budget and not _ends_badly(list(root)):
        return fragment, False
    kept: list[lxml_html.HtmlElement] = []
    used = 0
    children = list(root)
    cut = False
    for child in children:
        size = _text_length(child)
        if used + size <= budget:
            kept.append(child)
            used += size + 1
            continue
        cut = True
        if not kept and child.tag not in _HEADINGS:
            _cut_block(child, budget)
            kept.append(child)
        break
    else:
        cut = len(kept) < len(children)
    # A summary ending on "…the following error message:" or a heading promises what it
    # does not show: drop such blocks at the end (and keep at least one block).
    while len(kept) > 1 and _ends_badly(kept):
        kept.pop()
        cut = True
    if kept and _ends_badly(kept):
        _cut_block(kept[-1], min(budget, max(_text_length(kept[-1]) - 1, 1)))
        cut = True
    for child in children:
        if child not in kept:
            root.remove(child)
    if root.text and not kept and len(root.text) > budget:
        root.text = cut_text(root.text, budget)
        cut = True
    return _serialize(root), cut


def _ends_badly(blocks: list[lxml_html.HtmlElement]) -> bool:
    if not blocks:
        return False
    last = blocks[-1]
    return last.tag in _HEADINGS or last.text_content().rstrip().endswith((":", "："))


def cut_text(text: str, budget: int) -> str:
    """`text` cut after its last sentence within `budget` characters, or else after a word
    with an ellipsis; never ending on a colon."""
    text = " ".join(text.split())
    if len(text) <= budget and not text.endswith(":"):
        return text
    head = text[: budget + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] > budget // 4:
        return head[: ends[-1]].rstrip()
    words = head[:budget].rsplit(" ", 1)[0] if " " in head[:budget] else head[:budget]
    return words.rstrip(",;:.-–— ") + " …"


def _cut_block(block: lxml_html.HtmlElement, budget: int) -> None:
    """Cut one block's text to `budget` characters (see `cut_text`), keeping the inline
    markup (links, emphasis) of what is kept."""
    full = " ".join(block.text_content().split())
    short = cut_text(full, budget)
    ellipsis = short.endswith(" …")
    keep = len(short) - (2 if ellipsis else 0)
    # Walk the text pieces in document order, counting them as `full` does: whitespace
    # runs are one space, and none before the first word or after another space.
    # Truncate the piece where the kept text ends; drop everything after it.
    remaining = keep
    done = False
    space_before = True

    def visit(el: lxml_html.HtmlElement) -> None:
        el.text = _take(el.text)
        for child in list(el):
            if done:
                el.remove(child)
                continue
            visit(child)
            child.tail = _take(child.tail)

    def _take(piece: str | None) -> str | None:
        nonlocal remaining, done, space_before
        if piece is None or done:
            return None
        squeezed = re.sub(r"\s+", " ", piece)
        skip = 1 if space_before and squeezed.startswith(" ") else 0
        if len(squeezed) - skip <= remaining:
            remaining -= len(squeezed) - skip
            space_before = squeezed.endswith(" ") if squeezed else space_before
            return piece                       # as written (a <pre> keeps its lines)
        done = True
        part = squeezed[: skip + remaining].rstrip()
        remaining = 0
        return part + (" …" if ellipsis else "")

    visit(block)
    if ellipsis and not done:
        # the cut fell exactly at the end of a piece
        last = block
        while len(last):
            last = last[-1]
        last.text = (last.text or "") + " …"
