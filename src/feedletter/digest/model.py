"""The data a built digest is made of (what templates, writers and the sender see)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cached_property
from typing import TYPE_CHECKING

from ..config import Config
from ..posts import Post
from .fragments import cut_text
from .images import ItemImage
from .period import Period

if TYPE_CHECKING:
    from .message import Letter


@dataclass(frozen=True)
class Item:
    """One post as the digest shows it (its section's layout decides how much of it)."""

    title: str
    link: str
    authors: str
    date: str                       # localized
    summary_html: str               # cut to digest.summary_chars
    summary_text: str               # with [n] link references
    links: tuple[str, ...] = ()     # the URLs of those references, [1] first
    image: ItemImage | None = None
    cut: bool = False               # the summary was cut (the feeds keep it whole)

    @property
    def line(self) -> str:
        """One line of the summary, for the "list" layout."""
        first = self.summary_text.split("\n\n", 1)[0]
        return cut_text(re.sub(r" \[\d+\]", "", first), 140) if first else ""


@dataclass(frozen=True)
class SectionView:
    """A section as shown: `layout` is cards (image, title, meta, summary), list (title
    and one line) or titles (linked titles only)."""

    title: str
    items: tuple[Item, ...]
    layout: str = "cards"


@dataclass(frozen=True)
class FeedLink:
    name: str
    url: str


@dataclass
class Digest:
    """A built digest: the letter its files and messages are made from."""

    config: Config
    period: Period
    posts: list[Post]
    sections: list[SectionView]
    letter: Letter
    layout: str                       # which size stage fitted, for the CLI's report
    recipients: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()    # posts left out and why (the CLI prints them)
    wire_bytes: int = 0               # the HTML part as sent (the budget's measure)

    @property
    def subject(self) -> str:
        return self.letter.subject

    @property
    def text(self) -> str:
        """The list-wide text part (what is published)."""
        return self.letter.parts(None)[0]

    @property
    def html(self) -> str:
        """The list-wide HTML part (what is published)."""
        return self.letter.parts(None)[1]

    @cached_property
    def message(self) -> EmailMessage:
        """The list-wide message (what is published): nobody's address, nobody's link."""
        return self.letter.archive()

    @property
    def files(self) -> dict[str, bytes]:
        name = self.period.name
        return {f"{name}.html": self.html.encode("utf-8"),
                f"{name}.txt": self.text.encode("utf-8"),
                f"{name}.eml": self.message.as_bytes()}

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))
