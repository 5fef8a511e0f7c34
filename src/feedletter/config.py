"""Site settings: `feedletter.toml` → a frozen `Config`.

Every key is documented once, in README.md ("Configuration"). Unknown keys are errors:
a typo such as `max_entires` must not pass silently and leave the default in force.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError

DEFAULT_LINK_PATTERN = "{site_url}/blog/{year}/{month}/{slug}/"

# Abbreviations a post's date may carry. Fixed offsets, not IANA zones: an author who
# writes "CET" in July means +01:00 (the real corpus does exactly that), and the
# abbreviation names the offset, not a place. Ambiguous ones (IST, CST, BST) take the
# most widespread meaning here and can be changed per site in `[zones]`.
DEFAULT_ZONES: dict[str, str] = {
    "UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00", "UT": "+00:00",
    "WET": "+00:00", "WEST": "+01:00",
    "CET": "+01:00", "CEST": "+02:00", "MET": "+01:00", "MEST": "+02:00",
    "EET": "+02:00", "EEST": "+03:00", "MSK": "+03:00",
    "BST": "+01:00",   # British Summer Time (not Bangladesh +06:00)
    "IST": "+05:30",   # India Standard Time (not Israel +02:00 / Irish +01:00)
    "IDT": "+03:00",   # Israel Daylight Time
    "CST": "-06:00",   # US Central Standard Time (not China +08:00)
    "CDT": "-05:00",
    "EST": "-05:00", "EDT": "-04:00",
    "MST": "-07:00", "MDT": "-06:00",
    "PST": "-08:00", "PDT": "-07:00",
    "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
    "JST": "+09:00", "KST": "+09:00", "HKT": "+08:00", "SGT": "+08:00",
    "AEST": "+10:00", "AEDT": "+11:00", "ACST": "+09:30", "ACDT": "+10:30",
    "AWST": "+08:00", "NZST": "+12:00", "NZDT": "+13:00",
}


@dataclass(frozen=True)
class Author:
    username: str
    name: str
    email: str | None = None
    uri: str | None = None


@dataclass(frozen=True)
class Section:
    title: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class DigestConfig:
    sender: str | None = None
    to: tuple[str, ...] = ()
    subject: str = "{site_title} — {period}"
    intro: str | None = None
    sections: tuple[Section, ...] = ()
    other_section: str = "More news"
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    max_items: int = 40
    max_html_bytes: int = 100_000


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int | None = None
    security: str = "starttls"
    username: str | None = None
    ca_file: str | None = None
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 2.0


@dataclass(frozen=True)
class Config:
    path: Path | None
    site_url: str
    title: str = "Blog"
    feeds_url: str = ""
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    author: str = "Unknown author"
    posts_dir: Path = Path("posts")
    output_dir: Path = Path("feeds")
    templates_dir: Path | None = None
    max_entries: int = 50
    link_pattern: str = DEFAULT_LINK_PATTERN
    max_post_bytes: int = 10 * 1024 * 1024
    authors: dict[str, Author] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)
    digest: DigestConfig = field(default_factory=DigestConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)

    @property
    def base_dir(self) -> Path:
        """Folder that relative paths in the config are resolved against."""
        return self.path.parent if self.path else Path.cwd()

    @property
    def state_dir(self) -> Path:
        """`.feedletter/` beside the config: cache, sent-ledger, locks."""
        return self.base_dir / ".feedletter"

    @property
    def domain(self) -> str:
        return urlsplit(self.site_url).hostname or "localhost"


# key -> (type check, description used in error messages)
_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "site": {"title": str, "url": str, "feeds_url": str, "description": str,
             "language": str, "timezone": str, "author": str},
    "paths": {"posts": str, "output": str, "templates_dir": str},
    "feeds": {"max_entries": int, "link_pattern": str, "max_post_bytes": int},
    "digest": {"from": str, "to": list, "subject": str, "intro": str, "sections": list,
               "other_section": str, "unsubscribe_url": str, "unsubscribe_mailto": str,
               "max_items": int, "max_html_bytes": int},
    "smtp": {"host": str, "port": int, "security": str, "username": str, "ca_file": str,
             "timeout": (int, float), "retries": int, "backoff": (int, float)},
}
_TABLES_OF_TABLES = {"authors", "zones"}


def _check(where: str, key: str, value: Any, expected: type | tuple[type, ...]) -> None:
    # bool is an int in Python; `max_entries = true` is still a type error.
    if isinstance(value, bool) or not isinstance(value, expected):
        names = expected.__name__ if isinstance(expected, type) else " or ".join(
            t.__name__ for t in expected)
        raise ConfigError(where, f"key '{key}' must be a {names}, not {value!r}")


def _zone_ok(value: str) -> bool:
    from .dates import parse_zone  # local: dates imports config's defaults

    try:
        parse_zone(value, {})
    except ValueError:
        return False
    return True


def load_config(path: Path | str | None = None, *, site_url: str | None = None) -> Config:
    """Read and validate a config file; `path=None` gives defaults (needs `site_url`)."""
    raw: dict[str, Any] = {}
    where = "<defaults>"
    if path is not None:
        path = Path(path)
        where = str(path)
        try:
            with path.open("rb") as fh:
                raw = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(where, "config file not found") from None
        except OSError as exc:
            raise ConfigError(where, f"cannot read config: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(where, f"not valid TOML: {exc}") from None

    for table, value in raw.items():
        if table not in _SCHEMA and table not in _TABLES_OF_TABLES:
            raise ConfigError(where, f"unknown table or key '{table}'")
        if not isinstance(value, dict):
            raise ConfigError(where, f"'{table}' must be a table ([{table}])")
        for key, item in value.items():
            if table == "smtp" and key == "password":
                raise ConfigError(where, "'smtp.password' is not read from the config file: "
                                         "set the environment variable FEEDLETTER_SMTP_PASSWORD")
            if table in _SCHEMA:
                if key not in _SCHEMA[table]:
                    raise ConfigError(where, f"unknown key '{table}.{key}'")
                _check(where, f"{table}.{key}", item, _SCHEMA[table][key])

    site = raw.get("site", {})
    url = site.get("url", site_url)
    if not url:
        raise ConfigError(where, "key 'site.url' is required (the address the blog is served at)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(where, f"key 'site.url' must be an absolute http(s) URL, not {url!r}")
    url = url.rstrip("/")
    feeds_url = site.get("feeds_url", url + "/feeds/")
    if urlsplit(feeds_url).scheme not in ("http", "https"):
        raise ConfigError(where, f"key 'site.feeds_url' must be an absolute http(s) URL, not {feeds_url!r}")
    if not feeds_url.endswith("/"):
        feeds_url += "/"

    zones: dict[str, str] = {}
    for abbr, target in raw.get("zones", {}).items():
        if not isinstance(target, str) or not _zone_ok(target):
            raise ConfigError(where, f"key 'zones.{abbr}' must be an IANA zone name or an "
                                     f"offset like '+02:00', not {target!r}")
        zones[abbr.upper()] = target
    timezone = site.get("timezone", "UTC")
    if not _zone_ok(timezone):
        raise ConfigError(where, f"key 'site.timezone': unknown time zone {timezone!r}")

    authors: dict[str, Author] = {}
    for username, table in raw.get("authors", {}).items():
        if not isinstance(table, dict):
            raise ConfigError(where, f"'authors.{username}' must be a table")
        for key, item in table.items():
            if key not in ("name", "email", "uri"):
                raise ConfigError(where, f"unknown key 'authors.{username}.{key}'")
            _check(where, f"authors.{username}.{key}", item, str)
        authors[username] = Author(username, table.get("name", username),
                                   table.get("email"), table.get("uri"))

    feeds = raw.get("feeds", {})
    max_entries = feeds.get("max_entries", 50)
    if max_entries < 1:
        raise ConfigError(where, "key 'feeds.max_entries' must be at least 1")
    link_pattern = feeds.get("link_pattern", DEFAULT_LINK_PATTERN)
    try:
        link_pattern.format(site_url=url, year="2000", month="01", day="01", slug="x")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(where, f"key 'feeds.link_pattern': unknown placeholder {exc}") from None

    base = path.parent if isinstance(path, Path) else Path.cwd()
    paths = raw.get("paths", {})
    templates_dir = paths.get("templates_dir")
    return Config(
        path=path if isinstance(path, Path) else None,
        site_url=url,
        title=site.get("title", "Blog"),
        feeds_url=feeds_url,
        description=site.get("description", ""),
        language=site.get("language", "en"),
        timezone=timezone,
        author=site.get("author", "Unknown author"),
        posts_dir=base / paths.get("posts", "posts"),
        output_dir=base / paths.get("output", "feeds"),
        templates_dir=base / templates_dir if templates_dir else None,
        max_entries=max_entries,
        link_pattern=link_pattern,
        max_post_bytes=feeds.get("max_post_bytes", 10 * 1024 * 1024),
        authors=authors,
        zones=zones,
        digest=_digest_config(where, raw.get("digest", {})),
        smtp=_smtp_config(where, raw.get("smtp", {})),
    )


def _digest_config(where: str, d: dict[str, Any]) -> DigestConfig:
    to = d.get("to", [])
    for addr in to:
        _check(where, "digest.to[]", addr, str)
    sections = []
    for i, s in enumerate(d.get("sections", [])):
        if not isinstance(s, dict):
            raise ConfigError(where, f"'digest.sections[{i}]' must be a table ([[digest.sections]])")
        for key in s:
            if key not in ("title", "tags"):
                raise ConfigError(where, f"unknown key 'digest.sections[{i}].{key}'")
        if "title" not in s:
            raise ConfigError(where, f"'digest.sections[{i}]' needs a 'title'")
        _check(where, f"digest.sections[{i}].title", s["title"], str)
        tags = s.get("tags", [])
        _check(where, f"digest.sections[{i}].tags", tags, list)
        sections.append(Section(s["title"], tuple(str(t) for t in tags)))
    if d.get("max_items", 40) < 1:
        raise ConfigError(where, "key 'digest.max_items' must be at least 1")
    return DigestConfig(
        sender=d.get("from"),
        to=tuple(to),
        subject=d.get("subject", DigestConfig.subject),
        intro=d.get("intro"),
        sections=tuple(sections),
        other_section=d.get("other_section", DigestConfig.other_section),
        unsubscribe_url=d.get("unsubscribe_url"),
        unsubscribe_mailto=d.get("unsubscribe_mailto"),
        max_items=d.get("max_items", DigestConfig.max_items),
        max_html_bytes=d.get("max_html_bytes", DigestConfig.max_html_bytes),
    )


def _smtp_config(where: str, s: dict[str, Any]) -> SmtpConfig:
    security = s.get("security", "starttls")
    if security not in ("starttls", "ssl", "none"):
        raise ConfigError(where, f"key 'smtp.security' must be starttls, ssl or none, not {security!r}")
    return SmtpConfig(
        host=s.get("host", "localhost"),
        port=s.get("port"),
        security=security,
        username=s.get("username"),
        ca_file=s.get("ca_file"),
        timeout=float(s.get("timeout", 30.0)),
        retries=s.get("retries", 4),
        backoff=float(s.get("backoff", 2.0)),
    )
