"""What `feedletter init` learned from a site: the values of the config it writes, and
what it could not decide. Every generator module fills one `Findings`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .common import text


@dataclass
class Findings:
    """The facts one generator module read from a site's own files.

    Values are what the config gets (None: not found, the key is left out); `found` and
    `undecided` are the lines `init` prints (what was read where; what the user must say).
    """

    generator: str
    root: Path                                   # the generator's site folder
    config_file: Path | None = None              # the generator's config, as read
    posts: Path | None = None                    # the posts folder
    site: dict[str, Any] = field(default_factory=dict)      # [site] title, url, language…
    source: dict[str, Any] = field(default_factory=dict)    # [source] permalink, future…
    feeds: dict[str, Any] = field(default_factory=dict)     # [feeds] ids, max_entries
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # [feeds.paths.<fmt>]
    sections: list[dict[str, Any]] = field(default_factory=list)    # [[feeds.sections]]
    authors: dict[str, dict[str, str]] = field(default_factory=dict)
    feeds_at_root: bool = True          # the generator's feeds were at the site's root
    feed_domain: str | None = None      # where they were served, when not the site URL
    found: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)

    def note(self, line: str) -> None:
        self.found.append(line)

    def unsure(self, line: str) -> None:
        self.undecided.append(line)

    def site_url(self, url: str | None, where: str, missing: str) -> None:
        """The site's address as read (`where` says from what), or the line asking for
        `--url` (`missing` says what was looked for) when it is not an absolute http(s) URL."""
        if url and url.startswith(("http://", "https://")):
            self.site["url"] = url.rstrip("/")
            self.note(f"site URL {self.site['url']} ({where})")
        else:
            self.unsure(f"{missing}; pass --url")

    def site_values(self, data: dict[str, Any], keys: tuple[tuple[str, str], ...],
                    where: str = "") -> None:
        """[site] values read as text: each (the generator's key, feedletter's key) that
        `data` holds, noted with where it came from."""
        for key, target in keys:
            value = text(data.get(key))
            if value:
                self.site[target] = value
                self.note(f"{target} {value!r} ({key}{where})")

    def feed_file(self, fmt: str, kind: str, path: str) -> None:
        """A feed the generator wrote at `path` (site-relative, leading '/' allowed)."""
        self.files.setdefault(fmt, {})[kind] = path.lstrip("/")


def site_relative(path: str) -> str:
    """'/feed.xml' → 'feed.xml'; the output folder stands for the site root."""
    return path.strip().lstrip("/")
