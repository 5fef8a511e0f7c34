"""The `Post` every flavour produces, and the text helpers all of them share."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from ..config import Author

MAX_SLUG = 80
# XML 1.0 forbids C0 controls but tab/newline/CR; C1 controls, lone surrogates and the
# two non-characters are never meaningful text either. Pasted terminal output has them.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Post:
    """One published-or-not post, ready for the site model."""

    source: str                 # path as given to the user in messages
    title: str
    date: datetime
    updated: datetime
    tags: tuple[str, ...]       # display spellings as written, one per slug
    authors: tuple[Author, ...]
    slug: str
    link: str
    id: str
    body: str | None            # Markdown, excerpt markers removed; None once slimmed for the cache
    summary: str | None         # Markdown: front matter or text before a marker; None → first paragraph
    draft: bool = False
    explicit_id: bool = False
    warnings: tuple[str, ...] = field(default=(), compare=False)
    digest: str = ""            # hash of the file's bytes: what a rendering depends on
    categories: tuple[str, ...] = ()   # the generator's other taxonomy (Jekyll, Hugo, Zola, Pelican)
    section: str = ""           # the generator's section or collection ('blog', 'news-internal')
    aliases: tuple[str, ...] = ()      # other absolute URLs the post was served at (Hugo, Zola)
    future: bool = False        # published before its date (Jekyll `future`, Hugo `buildFuture`)
    available: datetime | None = None  # published from this moment, if not from `date` (Hugo publishDate)
    expires: datetime | None = None    # no longer published from this moment (Hugo expiryDate)
    image: str | None = None    # front matter image/cover/feature_image/thumbnail, absolute
    image_alt: str | None = None
    in_digest: bool = True      # front matter `digest: false` leaves it out of digests

    def slim(self) -> Post:
        """The post without its body (kept by the cache and the site; re-read to render)."""
        return self if self.body is None else replace(self, body=None)


def is_published(post: Post, now: datetime) -> bool:
    if post.draft or (post.expires is not None and post.expires <= now):
        return False
    return post.future or (post.available or post.date) <= now


def clean_text(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (see _BAD_CHARS)."""
    return _BAD_CHARS.sub("", text)


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """Lower-case ASCII slug: accents folded, other runs become '-', trimmed, bounded.

    Letters that fold to nothing (Hebrew, Arabic, Cyrillic, Chinese...) give `u-` and a
    hash of the case-folded text instead, so such a tag or author still has a feed; text
    without any letter or digit (emoji, punctuation) has no slug.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if slug:
        return slug[:MAX_SLUG].rstrip("-")
    words = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    if not any(ch.isalnum() for ch in words):
        return ""
    return "u-" + hashlib.sha256(words.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def tag_key(text: str) -> str:
    return slugify(text)
