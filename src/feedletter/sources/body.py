"""A post's body: line ends, excerpt markers, the summary, and the byte checks that
spare the regular expressions on most posts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fields import first
from .model import clean_text

MARKERS = ("READMORE", "<!-- more -->", "<!--more-->")
MARKER_LINE = re.compile(r"^[ \t]*(?:READMORE|<!--\s*more\s*-->)[ \t]*$", re.MULTILINE | re.I)

# What `clean_text` drops, as UTF-8: C0 controls and DEL (bytes), C1 controls (U+0080-
# U+009F) and the two non-characters (sequences); surrogates never decode from UTF-8.
_C0_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13)) + b"\x7f"
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_NONCHAR_UTF8 = re.compile(rb"\xef\xbf[\xbe\xbf]")


@dataclass(frozen=True)
class Hints:
    """What a post file's bytes rule out, found with byte operations that cost a third of
    the two regular expressions over the body they spare."""

    dirty: bool = True      # may hold characters `clean_text` drops
    marked: bool = True     # may hold an excerpt marker

    @classmethod
    def of(cls, raw: bytes) -> Hints:
        dirty = (len(raw.translate(None, _C0_BYTES)) != len(raw)
                 or (b"\xc2" in raw and _C1_UTF8.search(raw) is not None)
                 or (b"\xef\xbf" in raw and _NONCHAR_UTF8.search(raw) is not None))
        # (cleaning may join a marker: "READ\x00MORE")
        marked = dirty or b"<!--" in raw or b"readmore" in raw.lower()
        return cls(dirty, marked)


UNKNOWN = Hints()


def summary_and_body(meta: dict, body: str, path: str,
                     hints: Hints = UNKNOWN) -> tuple[str | None, str]:
    """The summary (front matter, or the text before an excerpt marker) and the body
    without the marker, cleaned (`clean_text`)."""
    if hints.dirty:
        body = clean_text(body)
    summary = first(meta, ("summary", "excerpt", "description"), path)
    m = MARKER_LINE.search(body) if hints.marked else None
    if m:
        before = body[: m.start()]
        body = before + body[m.end():]
        if summary is None and before.strip():
            summary = before.strip()
        body = MARKER_LINE.sub("", body)
    return summary, body


def normalized(text: str) -> str:
    """Unix newlines and no byte-order mark: the text `parse_post` and `read_body` split."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[1:] if text.startswith("\ufeff") else text
