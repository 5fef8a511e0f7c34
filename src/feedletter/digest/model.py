"""The data a built digest is made of (what templates, writers and the sender see)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from ..config import Config
from ..posts import Post
from .period import Period


@dataclass(frozen=True)
class Item:
    """One post as the digest shows it; `mode` is full, short (summary cut) or link."""

    title: str
    link: str
    authors: str
    date: str
    summary_html: str
    summary_text: str
    mode: str = "full"


@dataclass(frozen=True)
class SectionView:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class FeedLink:
    name: str
    url: str


@dataclass
class Digest:
    """A built digest: its files' bytes and the message that carries them."""

    config: Config
    period: Period
    posts: list[Post]
    sections: list[SectionView]
    subject: str
    html: str
    text: str
    message: EmailMessage
    layout: str                       # which size stage fitted, for the CLI's report
    recipients: tuple[str, ...] = ()

    @property
    def files(self) -> dict[str, bytes]:
        name = self.period.name
        return {f"{name}.html": self.html.encode("utf-8"),
                f"{name}.txt": self.text.encode("utf-8"),
                f"{name}.eml": self.message.as_bytes()}

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))
