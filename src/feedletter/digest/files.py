"""The published digest files and the digests feed."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import html as lxml_html

from ..config import Config
from ..emit import new_generator, set_links
from ..output import file_lock, write_atomic
from .period import Period, parse_period_name, site_zone

if TYPE_CHECKING:
    from .model import Digest

FEED_NAME = "digests.atom.xml"
DIGESTS_DIR = "digests"


@dataclass
class WriteResult:
    written: list[Path]
    unchanged: list[Path]
    feed: Path | None


def default_dir(config: Config) -> Path:
    return config.output_dir / DIGESTS_DIR


def write_digest(digest: Digest, out_dir: Path | None = None, *,
                 lock_wait: float | None = 600) -> WriteResult:
    """Write the three files atomically, then rebuild the digests feed.

    Not through `output.TreeWriter`: its manifest belongs to `feedletter build`, which
    would prune files it did not emit. The build lock is held so that a build cleaning
    its temporary files never meets a digest's half-written one.
    """
    config = digest.config
    out_dir = out_dir or default_dir(config)
    result = WriteResult([], [], None)
    with file_lock(config.state_dir / "build.lock", wait=lock_wait, what="build or digest"):
        for name, data in digest.files.items():
            path = out_dir / name
            (result.written if write_atomic(path, data) else result.unchanged).append(path)
        result.feed = write_digests_feed(config)
    return result


def digests_feed(config: Config, digests_dir: Path | None = None) -> bytes | None:
    """Atom feed of the digests published in `<output>/digests/`, newest first; None if
    there is none. Built from the files only: adding a month never changes another."""
    digests_dir = digests_dir or default_dir(config)
    tz = site_zone(config)
    found: list[tuple[Period, Path]] = []
    if digests_dir.is_dir():
        for path in digests_dir.glob("*.html"):
            period = parse_period_name(path.name.removesuffix(".html"), tz)
            if period is not None:
                found.append((period, path))
    if not found:
        return None
    # Newest first; of digests ending together, the whole site's month comes first.
    found.sort(key=lambda pair: (pair[0].end, not pair[0].tags, pair[0].is_month,
                                 pair[0].start, pair[0].name), reverse=True)
    found = found[: config.max_entries]

    fg = new_generator(config, f"{config.title} — digests",
                       f"The newsletter of {config.title}, one entry per digest")
    set_links(fg, config.site_url, config.feeds_url + FEED_NAME, "application/atom+xml")
    fg.updated(found[0][0].end)
    used: set[datetime] = set()
    for period, path in found:
        # Two entries must not share `updated` (W3C DuplicateUpdated): a digest ending
        # with another, listed after it, is dated a second earlier per such neighbour.
        stamp = period.end
        while stamp in used:
            stamp -= timedelta(seconds=1)
        used.add(stamp)
        title, body = _page_parts(path.read_text("utf-8"), period)
        fe = fg.add_entry(order="append")
        fe.id(f"tag:{config.domain},{period.start:%Y-%m-%d}:"
              f"{urlsplit(config.site_url).path}/{DIGESTS_DIR}/{period.name}")
        fe.title(title)
        fe.link(href=f"{config.feeds_url}{DIGESTS_DIR}/{period.name}.html", rel="alternate",
                type="text/html")
        fe.published(stamp)
        fe.updated(stamp)
        fe.content(body, type="html")
    return fg.atom_str(pretty=True, encoding="UTF-8")


def _page_parts(page: str, period: Period) -> tuple[str, str]:
    """A digest page's <title> and the inside of its <body>, without inlined styles."""
    root = lxml_html.document_fromstring(page)
    title = " ".join((root.findtext(".//title") or period.label).split())
    body = root.find("body")
    if body is None:
        return title, ""
    # Feed readers style entries themselves and flag style attributes as unsafe.
    for el in body.iter():
        el.attrib.pop("style", None)
    inner = (html.escape(body.text, quote=False) if body.text else "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in body)
    return title, inner.strip()


def write_digests_feed(config: Config) -> Path | None:
    data = digests_feed(config)
    if data is None:
        return None
    path = config.output_dir / FEED_NAME
    write_atomic(path, data)
    return path
