"""Ever smaller versions of a digest, until its HTML fits the size budget.

Gmail clips a message whose HTML is over about 102 KB. A digest that is too big is made
smaller in steps a reader can see, never by silently dropping to a bare list:

1. as configured (each section in its own layout);
2. the posts after the first `digest.max_items` move to a last section, "More from
   November 2016", that lists their titles;
3. section by section, from the last one up: cards become a list (title and one line),
   then lists become titles only.

If even titles only do not fit, the digest is not made (an error, never a clip).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..config import Config
from ..errors import FeedletterError
from .model import SectionView
from .page import render_html

SMALLER = {"cards": "list", "list": "titles"}


def html_size(page: str) -> int:
    """The bytes the budget is checked against."""
    return len(page.encode("utf-8"))


def stages(sections: list[SectionView], max_items: int, more_title: str
           ) -> Iterator[tuple[str, list[SectionView]]]:
    """(what changed, sections) for each ever smaller version of the digest."""
    yield "as configured", sections
    total = sum(len(s.items) for s in sections)
    current = sections
    if total > max_items:
        kept, more, count = [], [], 0
        for section in sections:
            stay = section.items[: max(0, max_items - count)]
            more.extend(section.items[len(stay):])
            count += len(section.items)
            if stay:
                kept.append(SectionView(section.title, tuple(stay), section.layout))
        current = [*kept, SectionView(more_title, tuple(more), "titles")]
        yield f"{total - max_items} posts listed under {more_title!r}", current
    for old in ("cards", "list"):
        for index in reversed(range(len(current))):
            section = current[index]
            if section.layout != old:
                continue
            new = SMALLER[old]
            current = [*current[:index], SectionView(section.title, section.items, new),
                       *current[index + 1:]]
            yield f"{section.title!r} as {new}", current


def fit(context: dict, sections: list[SectionView], config: Config, more_title: str,
        what: str, size: Callable[[str], int] = html_size
        ) -> tuple[str, list[SectionView], str]:
    """The first stage whose HTML fits in `digest.max_html_bytes`: its description (the
    changes made so far), its sections, its HTML.

    `size` measures a page: the digest passes `message.html_wire_size`, the HTML part as
    it will be sent (quoted-printable, CRLF), which is what mail clients clip.
    """
    limit = config.digest.max_html_bytes
    measured = 0
    changes: list[str] = []
    for change, candidate in stages(sections, config.digest.max_items, more_title):
        if change != "as configured":
            changes.append(change)
        page = render_html(context, candidate)
        measured = size(page)
        if measured <= limit:
            return "; ".join(changes) or "as configured", candidate, page
    raise FeedletterError(
        f"the digest of {what} is {measured:,} bytes of HTML as sent even as titles only, over "
        f"digest.max_html_bytes ({limit:,}); choose a shorter period or --tag")
