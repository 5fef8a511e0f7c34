"""Each item's own picture: from the front matter, else the post's first image.

Mail clients need `width` (Outlook ignores CSS widths) and look better with `height`
(no jump while loading). The size comes from the post's own `<img width height>`, or
from the image file when the site folder holds it (PNG, GIF, JPEG, WebP headers read
here, no imaging library, no network: a digest never fetches anything). Without a
known size the picture is `width` = the column and `height: auto`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .fragments import first_image

MAX_WIDTH = 560             # the 600 px page less its padding


@dataclass(frozen=True)
class ItemImage:
    src: str
    alt: str
    width: int
    height: int | None


def _int(value: str | None) -> int | None:
    try:
        number = int(str(value).strip().removesuffix("px"))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 100_000 else None


def item_image(src: str | None, alt: str | None, content_html: str, title: str,
               site_url: str, roots: tuple[Path, ...]) -> ItemImage | None:
    """The item's picture: front matter `src` (with `alt`), else the first image of the
    rendered post; None when the post has neither."""
    width = height = None
    if src is None:
        found = first_image(content_html)
        if found is None:
            return None
        src, alt = found["src"], found.get("alt")
        width, height = _int(found.get("width")), _int(found.get("height"))
    if width is None or height is None:
        size = local_size(src, site_url, roots)
        if size is not None:
            width, height = size
    if width is None:
        return ItemImage(src, alt or title, MAX_WIDTH, None)
    shown = min(width, MAX_WIDTH)
    return ItemImage(src, alt or title, shown,
                     round(height * shown / width) if height is not None else None)


def local_size(url: str, site_url: str, roots: tuple[Path, ...]) -> tuple[int, int] | None:
    """The pixel size of the site's own image at `url`, when one of `roots` holds it."""
    if not url.startswith(site_url.rstrip("/") + "/"):
        return None
    path = unquote(urlsplit(url).path).lstrip("/")
    base = unquote(urlsplit(site_url).path).strip("/")
    candidates = [path]
    if base and path.startswith(base + "/"):
        candidates.append(path[len(base) + 1:])
    for root in roots:
        for rel in candidates:
            file = root / rel
            if ".." in Path(rel).parts:
                continue
            try:
                with file.open("rb") as fh:
                    head = fh.read(64 * 1024)
            except OSError:
                continue
            size = image_size(head)
            if size is not None:
                return size
    return None


def image_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from the first bytes of a PNG, GIF, JPEG or WebP file."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", head[6:10])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = head[12:16]
        if kind == b"VP8X":
            w = int.from_bytes(head[24:27], "little") + 1
            h = int.from_bytes(head[27:30], "little") + 1
            return w, h
        if kind == b"VP8 ":
            w, h = struct.unpack("<HH", head[26:30])
            return w & 0x3FFF, h & 0x3FFF
        if kind == b"VP8L":
            bits = int.from_bytes(head[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        return None
    if head[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(head):
            if head[i] != 0xFF:
                return None
            marker = head[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", head[i + 2:i + 4])[0]
            # start-of-frame markers (not DHT C4, JPG C8, DAC CC) carry the size
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", head[i + 5:i + 9])
                return w, h
            i += 2 + length
    return None
