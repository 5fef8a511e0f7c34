"""The published digest files and the digests feed."""

from __future__ import annotations

import html
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from ..config import Config
from ..emit import new_generator, set_links
from ..errors import FeedletterError
from ..locks import file_lock
from ..output import list_folder, read_file, remove_stale_temps, write_file
from .period import Period, parse_period_name, site_zone

if TYPE_CHECKING:
    from .model import Digest

FEED_NAME = "digests.atom.xml"
DIGESTS_DIR = "digests"


ARCHIVE_NAME = "index.html"
LEFT_OUT = "left out of the digests feed and archive page"


@dataclass
class WriteResult:
    written: list[Path]
    unchanged: list[Path]
    feed: Path | None
    warnings: list[str] = field(default_factory=list)
    archive: Path | None = None


@dataclass(frozen=True)
class Published:
    """One digest page found in the published folder."""

    period: Period
    title: str          # the page's <title>: the subject
    body: str           # the inside of its <body>, for the feed entry
    text: bool          # its `.txt` part is there too


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
    # The published folder is reached from the output root, each folder checked (a
    # `feeds/digests` link is refused); --out DIR is the user's own root.
    root, prefix = (out_dir, "") if out_dir is not None else (config.output_dir, DIGESTS_DIR + "/")
    result = WriteResult([], [], None)
    with file_lock(config.state_dir / "build.lock", wait=lock_wait, what="build or digest"):
        # A killed digest's leftovers, in the folders written here only (not the tree).
        remove_stale_temps(root, {prefix.rstrip("/")})
        remove_stale_temps(config.output_dir, {""})
        for name, data in digest.files.items():
            path = root / (prefix + name)
            changed = write_file(root, prefix + name, data)
            (result.written if changed else result.unchanged).append(path)
        result.feed, result.archive = write_published(config, result.warnings)
    return result


def published(config: Config, digests_dir: Path | None, warnings: list[str]) -> list[Published]:
    """Each digest page in the folder, newest first: the one reader behind both the
    digests feed and the archive page, so the two always list the same issues. The
    folder is shared with whatever else lands there: anything that is not a readable
    UTF-8 HTML page named like a period (an empty file, Latin-1, a folder or FIFO named
    `2026-09.html`) is left out with a warning, and never opened in a way that could
    block. Other names (the archive's own `index.html`, a `.txt`) are not pages."""
    root, rel = (digests_dir, "") if digests_dir is not None else (config.output_dir, DIGESTS_DIR)
    tz = site_zone(config)
    found = []
    try:
        entries = list_folder(root, rel)
    except FeedletterError as exc:
        warnings.append(f"{exc}; no digests feed or archive page")
        return []
    modes = dict(entries)
    for name, mode in entries:
        period = (parse_period_name(name.removesuffix(".html"), tz)
                  if name.endswith(".html") else None)
        if period is None:
            continue
        shown = root / rel / name
        if not stat.S_ISREG(mode):
            warnings.append(f"{shown}: not a regular file; {LEFT_OUT}")
            continue
        try:
            data = read_file(root, f"{rel}/{name}" if rel else name)
            if data is None:    # removed meanwhile
                continue
            title, body = _page_parts(data.decode("utf-8"), period)
        except FeedletterError as exc:
            warnings.append(f"{exc}; {LEFT_OUT}")
            continue
        except UnicodeDecodeError as exc:
            warnings.append(f"{shown}: not UTF-8 (byte 0x{data[exc.start]:02x}); "
                            f"{LEFT_OUT}")
            continue
        except (ValueError, etree.LxmlError) as exc:
            warnings.append(f"{shown}: not a digest page ({exc}); {LEFT_OUT}")
            continue
        found.append(Published(period, title, body, stat.S_ISREG(modes.get(f"{period.name}.txt", 0))))
    # Newest first; of digests ending together, the whole site's month comes first.
    found.sort(key=lambda p: (p.period.end, not p.period.tags, p.period.is_month,
                              p.period.start, p.period.name), reverse=True)
    return found


def digests_feed(config: Config, digests_dir: Path | None = None,
                 warnings: list[str] | None = None, *,
                 found: list[Published] | None = None) -> bytes | None:
    """Atom feed of the digests published in `<output>/digests/`, newest first; None if
    there is none. Built from the files only: adding a month never changes another.
    Files that are not digest pages are named in `warnings`."""
    if found is None:
        found = published(config, digests_dir, warnings if warnings is not None else [])
    if not found:
        return None
    found = found[: config.max_entries]

    fg = new_generator(config, f"{config.title} — digests",
                       f"The newsletter of {config.title}, one entry per digest")
    set_links(fg, config.site_url, config.feeds_url + FEED_NAME, "application/atom+xml")
    fg.updated(found[0].period.end)
    used: set[datetime] = set()
    for entry in found:
        period = entry.period
        # Two entries must not share `updated` (W3C DuplicateUpdated): a digest ending
        # with another, listed after it, is dated a second earlier per such neighbour.
        stamp = period.end
        while stamp in used:
            stamp -= timedelta(seconds=1)
        used.add(stamp)
        fe = fg.add_entry(order="append")
        fe.id(f"tag:{config.domain},{period.start:%Y-%m-%d}:"
              f"{urlsplit(config.site_url).path}/{DIGESTS_DIR}/{period.name}")
        fe.title(entry.title)
        fe.link(href=f"{config.feeds_url}{DIGESTS_DIR}/{period.name}.html", rel="alternate",
                type="text/html")
        fe.published(stamp)
        fe.updated(stamp)
        fe.content(entry.body, type="html")
    return fg.atom_str(pretty=True, encoding="UTF-8")


def _page_parts(page: str, period: Period) -> tuple[str, str]:
    """A digest page's <title> and the inside of its <body>, without inlined styles."""
    root = lxml_html.document_fromstring(page)
    title = " ".join((root.findtext(".//title") or period.label).split())
    body = root.find("body")
    if body is None:
        return title, ""
    # The inbox preview line is hidden by its style, which goes below: it goes too.
    for el in body.find_class("preheader"):
        el.drop_tree()
    # Feed readers style entries themselves and flag style attributes as unsafe.
    for el in body.iter():
        el.attrib.pop("style", None)
    inner = (html.escape(body.text, quote=False) if body.text else "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in body)
    return title, inner.strip()


def write_digests_feed(config: Config, warnings: list[str] | None = None) -> Path | None:
    return write_published(config, warnings)[0]


def write_published(config: Config, warnings: list[str] | None = None
                    ) -> tuple[Path | None, Path | None]:
    """The digests feed and the archive page `digests/index.html`, from one reading of
    the published folder (each file written only when its bytes change)."""
    from .archive import archive_page  # archive → page → files: imported when used

    found = published(config, None, warnings if warnings is not None else [])
    data = digests_feed(config, found=found)
    if data is None:
        return None, None
    write_file(config.output_dir, FEED_NAME, data)
    write_file(config.output_dir, f"{DIGESTS_DIR}/{ARCHIVE_NAME}", archive_page(config, found))
    return config.output_dir / FEED_NAME, config.output_dir / DIGESTS_DIR / ARCHIVE_NAME
