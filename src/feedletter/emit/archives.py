"""RFC 5005 (Feed Paging and Archiving) archive documents: the whole history of a feed.

https://www.rfc-editor.org/rfc/rfc5005#section-4: a feed's *current* document (the newest
`feeds.max_entries` entries, as without archives) links with `rel="prev-archive"` to the
newest archive document; each archive document carries `<fh:archive/>`, links to its
current document (`rel="current"`) and to the archive before it (`prev-archive`).

Archives are numbered from the oldest and hold `feeds.archive_size` (S) entries each:
archive k is the feed's posts k·S−S+1 … k·S counted from the oldest, and only full
archives exist. A feed whose posts all fit in its current document has no archives; one
that has more has at least two, because S is at most half of `max_entries` (N) and the
feed has more than N posts. The posts after the newest full archive are in the current
document (fewer than S ≤ N). Links: archive 1 names archive 2 (`next-archive`: the W3C
validator wants every archive to name a neighbour, and archive 2 exists as long as
archive 1 does); every later archive names the one before it. So no archive is ever
rewritten: adding a post rewrites the current document and, when it completes an
archive, writes that one new archive. A deleted or back-dated old post shifts the
archives after it.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace

from ..config import FEED_FORMATS, Config
from .specs import FeedSpec

HISTORY_NS = "http://purl.org/syndication/history/1.0"


def archive_file(name: str, fmt: str, page: int) -> str:
    """`tags/ovirt.atom.xml` → `tags/ovirt.archive-3.atom.xml` (`feed.xml` → `feed.archive-3.xml`)."""
    ext = FEED_FORMATS[fmt]
    stem, suffix = (name[: -len(ext)], ext) if name.endswith(ext) else posixpath.splitext(name)
    return f"{stem}.archive-{page}{suffix}"


def expand(cfg: Config, specs: list[FeedSpec]) -> list[FeedSpec]:
    """Each feed's current document (linking to its archives), then its archive documents."""
    if not cfg.feeds.archives:
        return specs
    size = cfg.feeds.archive_size
    documents: list[FeedSpec] = []
    for spec in specs:
        oldest_first = spec.history[::-1]
        pages = len(oldest_first) // size if len(oldest_first) > cfg.max_entries else 0
        documents.append(replace(spec, history=(), pages=pages))
        for page in range(1, pages + 1):
            posts = oldest_first[(page - 1) * size: page * size][::-1]     # newest first
            documents.append(replace(
                spec, posts=posts, history=(), page=page, pages=pages, current=spec.files,
                files={fmt: archive_file(name, fmt, page) for fmt, name in spec.files.items()}))
    return documents


def links(cfg: Config, spec: FeedSpec, fmt: str) -> list[tuple[str, str]]:
    """(rel, URL) of the RFC 5005 links of this document in this format."""
    if spec.page == 0:
        if spec.pages == 0:
            return []
        return [("prev-archive", cfg.feeds_url + archive_file(spec.files[fmt], fmt, spec.pages))]
    assert spec.current is not None
    found = [("current", cfg.feeds_url + spec.current[fmt])]
    neighbour = spec.page - 1 if spec.page > 1 else 2
    found.append(("prev-archive" if spec.page > 1 else "next-archive",
                  cfg.feeds_url + archive_file(spec.current[fmt], fmt, neighbour)))
    return found
