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


LAYOUTS = ("cards", "list", "titles")
FOOTER_TAGS = ("issue", "none")


@dataclass(frozen=True)
class Section:
    title: str
    tags: tuple[str, ...]
    layout: str | None = None            # None: digest.layout
    categories: tuple[str, ...] = ()


# Feed kinds and formats whose output paths `[feeds.paths]` may set.
FEED_KINDS = ("site", "tags", "authors", "categories", "sections")
FEED_FORMATS = {"atom": ".atom.xml", "rss": ".rss.xml", "json": ".json"}
# Today's names: `<base><extension>`, one base per kind.
DEFAULT_FEED_BASES = {"site": "all", "tags": "tags/{slug}", "authors": "authors/{slug}",
                      "categories": "categories/{slug}", "sections": "sections/{slug}"}
# Files feedletter writes itself beside the feeds: no feed may take their names.
RESERVED_OUTPUTS = ("index.opml", "index.html", "digests.atom.xml", ".feedletter-manifest")
# Entry ids: what each generator's own feed used, so that migrating subscribers see the
# same ids (see site.py's `entry_id` for the exact forms and their sources).
ID_MODES = ("tag-uri", "permalink", "jekyll-feed", "pelican")
GENERATOR_IDS = {"feedletter": "tag-uri", "middleman": "tag-uri", "jekyll": "jekyll-feed",
                 "hugo": "permalink", "zola": "permalink", "pelican": "pelican",
                 "eleventy": "permalink"}
GENERATORS = tuple(GENERATOR_IDS)


@dataclass(frozen=True)
class FeedPaths:
    """Where each feed is written, relative to the output folder (`[feeds.paths]`)."""

    bases: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FEED_BASES))
    files: dict[tuple[str, str], str] = field(default_factory=dict)   # (format, kind) -> path

    def path(self, kind: str, fmt: str, slug: str = "") -> str:
        pattern = self.files.get((fmt, kind))
        if pattern is None:
            pattern = self.bases[kind] + FEED_FORMATS[fmt]
        return pattern.replace("{slug}", slug)


@dataclass(frozen=True)
class FeedSection:
    """A collection of posts (a folder, or globs) with a feed of its own."""

    path: str                       # folder relative to the posts folder, or a glob
    slug: str                       # `{slug}` of its feed path
    title: str
    in_main: bool = False           # also in the site's main feed
    exclude: tuple[str, ...] = ()   # globs (relative to the posts folder) left out of it


@dataclass(frozen=True)
class DigestConfig:
    sender: str | None = None
    to: tuple[str, ...] = ()
    subject: str = "{name} — {period}"      # {name}: digest.name, else site.title
    intro: str | None = None
    sections: tuple[Section, ...] = ()
    other_section: str | None = None     # None: "More news" in the digest's language
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    max_items: int = 40
    max_html_bytes: int = 100_000
    name: str | None = None              # the newsletter's name; None: site.title
    logo: str | None = None              # absolute image URLs
    logo_alt: str | None = None
    header_image: str | None = None
    header_image_alt: str | None = None
    preheader: str | None = None         # None: the period and the first titles
    footer: str | None = None            # Markdown: address, legal lines
    language: str | None = None          # None: site.language
    summary_chars: int = 300
    footer_tags: str = "issue"
    layout: str = "cards"                # sections without their own, and other_section
    strings: dict[str, str] = field(default_factory=dict)


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
    generator: str = "feedletter"
    feed_ids: str = "tag-uri"
    feed_paths: FeedPaths = field(default_factory=FeedPaths)
    sections: tuple[FeedSection, ...] = ()
    main_exclude: tuple[str, ...] = ()     # globs of posts kept out of the main feed
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
             "language": str, "timezone": str, "author": str, "generator": str},
    "paths": {"posts": str, "output": str, "templates_dir": str},
    "feeds": {"max_entries": int, "link_pattern": str, "max_post_bytes": int, "ids": str,
              "paths": dict, "sections": list, "exclude": list},
    "digest": {"from": str, "to": list, "subject": str, "intro": str, "sections": list,
               "other_section": str, "unsubscribe_url": str, "unsubscribe_mailto": str,
               "max_items": int, "max_html_bytes": int, "name": str, "logo": str,
               "logo_alt": str, "header_image": str, "header_image_alt": str,
               "preheader": str, "footer": str, "language": str, "summary_chars": int,
               "footer_tags": str, "layout": str, "strings": dict},
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

    generator = site.get("generator", "feedletter")
    if generator not in GENERATORS:
        raise ConfigError(where, f"key 'site.generator' must be one of {', '.join(GENERATORS)}, "
                                 f"not {generator!r}")
    feed_ids = feeds.get("ids", GENERATOR_IDS[generator])
    if feed_ids not in ID_MODES:
        raise ConfigError(where, f"key 'feeds.ids' must be one of {', '.join(ID_MODES)}, "
                                 f"not {feed_ids!r}")
    feed_paths = _feed_paths(where, feeds.get("paths", {}))
    sections = _sections(where, feeds.get("sections", []))
    main_exclude = _globs(where, "feeds.exclude", feeds.get("exclude", []))

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
        generator=generator,
        feed_ids=feed_ids,
        feed_paths=feed_paths,
        sections=sections,
        main_exclude=main_exclude,
        authors=authors,
        zones=zones,
        digest=_digest_config(where, raw.get("digest", {})),
        smtp=_smtp_config(where, raw.get("smtp", {})),
    )


def _path_pattern(where: str, key: str, value: Any, *, grouped: bool) -> str:
    """A feed path: relative, inside the output folder, `{slug}` exactly where needed."""
    _check(where, key, value, str)
    parts = value.split("/")
    leftover = value.replace("{slug}", "")
    if (not value or value.startswith("/") or "\\" in value
            or any(part in ("", ".", "..") for part in parts) or "{" in leftover or "}" in leftover):
        raise ConfigError(where, f"key '{key}' must be a relative path inside the output folder "
                                 f"(placeholder: {{slug}}), not {value!r}")
    if grouped and "{slug}" not in value:
        raise ConfigError(where, f"key '{key}' must contain {{slug}} (one feed per name), not {value!r}")
    if not grouped and "{slug}" in value:
        raise ConfigError(where, f"key '{key}' is one feed: it has no {{slug}}, not {value!r}")
    if value in RESERVED_OUTPUTS or parts[0] == "digests":
        raise ConfigError(where, f"key '{key}': {value!r} is a file feedletter writes itself")
    return value


def _feed_paths(where: str, raw: dict[str, Any]) -> FeedPaths:
    """`[feeds.paths]`: a base per kind (formats add their extension), and per-format
    tables (`[feeds.paths.atom] site = "feed.xml"`) naming whole files."""
    bases = dict(DEFAULT_FEED_BASES)
    files: dict[tuple[str, str], str] = {}
    for key, value in raw.items():
        if key in FEED_FORMATS:
            if not isinstance(value, dict):
                raise ConfigError(where, f"'feeds.paths.{key}' must be a table ([feeds.paths.{key}])")
            for kind, item in value.items():
                if kind not in FEED_KINDS:
                    raise ConfigError(where, f"unknown key 'feeds.paths.{key}.{kind}'")
                files[(key, kind)] = _path_pattern(where, f"feeds.paths.{key}.{kind}", item,
                                                   grouped=kind != "site")
        elif key in FEED_KINDS:
            bases[key] = _path_pattern(where, f"feeds.paths.{key}", value, grouped=key != "site")
        else:
            raise ConfigError(where, f"unknown key 'feeds.paths.{key}'")
    paths = FeedPaths(bases, files)
    site_files = [paths.path("site", fmt) for fmt in FEED_FORMATS]
    if len(set(site_files)) < len(site_files):
        raise ConfigError(where, f"'feeds.paths': two formats of the site feed share a file {site_files}")
    return paths


def _globs(where: str, key: str, value: Any) -> tuple[str, ...]:
    _check(where, key, value, list)
    for item in value:
        _check(where, f"{key}[]", item, str)
    return tuple(value)


def _sections(where: str, raw: list[Any]) -> tuple[FeedSection, ...]:
    from .posts import slugify  # local: posts imports config

    sections: list[FeedSection] = []
    for i, s in enumerate(raw):
        name = f"feeds.sections[{i}]"
        if not isinstance(s, dict):
            raise ConfigError(where, f"'{name}' must be a table ([[feeds.sections]])")
        for key in s:
            if key not in ("path", "title", "slug", "in_main", "exclude"):
                raise ConfigError(where, f"unknown key '{name}.{key}'")
        if "path" not in s:
            raise ConfigError(where, f"'{name}' needs a 'path' (a folder under the posts folder)")
        _check(where, f"{name}.path", s["path"], str)
        folder = s["path"].strip("/")
        if not folder or ".." in folder.split("/"):
            raise ConfigError(where, f"key '{name}.path' must be a folder under the posts folder, "
                                     f"not {s['path']!r}")
        slug = s.get("slug", "/".join(slugify(p) or "x" for p in folder.split("/")
                                      if "*" not in p) or slugify(folder) or "section")
        _check(where, f"{name}.slug", slug, str)
        title = s.get("title", folder)
        _check(where, f"{name}.title", title, str)
        in_main = s.get("in_main", False)
        if not isinstance(in_main, bool):
            raise ConfigError(where, f"key '{name}.in_main' must be true or false, not {in_main!r}")
        sections.append(FeedSection(folder, slug, title, in_main,
                                    _globs(where, f"{name}.exclude", s.get("exclude", []))))
    slugs = [s.slug for s in sections]
    if len(set(slugs)) < len(slugs):
        raise ConfigError(where, "'feeds.sections': two sections have the same slug; set 'slug'")
    return tuple(sections)


def _digest_config(where: str, d: dict[str, Any]) -> DigestConfig:
    to = d.get("to", [])
    for addr in to:
        _check(where, "digest.to[]", addr, str)
    sections = []
    for i, s in enumerate(d.get("sections", [])):
        if not isinstance(s, dict):
            raise ConfigError(where, f"'digest.sections[{i}]' must be a table ([[digest.sections]])")
        for key in s:
            if key not in ("title", "tags", "layout", "categories"):
                raise ConfigError(where, f"unknown key 'digest.sections[{i}].{key}'")
        if "title" not in s:
            raise ConfigError(where, f"'digest.sections[{i}]' needs a 'title'")
        _check(where, f"digest.sections[{i}].title", s["title"], str)
        tags = s.get("tags", [])
        _check(where, f"digest.sections[{i}].tags", tags, list)
        layout = s.get("layout")
        if layout is not None and layout not in LAYOUTS:
            raise ConfigError(where, f"key 'digest.sections[{i}].layout' must be one of "
                                     f"{', '.join(LAYOUTS)}, not {layout!r}")
        categories = s.get("categories", [])
        _check(where, f"digest.sections[{i}].categories", categories, list)
        sections.append(Section(s["title"], tuple(str(t) for t in tags), layout,
                                tuple(str(c) for c in categories)))
    if d.get("max_items", 40) < 1:
        raise ConfigError(where, "key 'digest.max_items' must be at least 1")
    for key, allowed in (("layout", LAYOUTS), ("footer_tags", FOOTER_TAGS)):
        if key in d and d[key] not in allowed:
            raise ConfigError(where, f"key 'digest.{key}' must be one of {', '.join(allowed)}, "
                                     f"not {d[key]!r}")
    if not 40 <= d.get("summary_chars", 300) <= 5000:
        raise ConfigError(where, "key 'digest.summary_chars' must be between 40 and 5000")
    for key in ("logo", "header_image"):
        if key in d and urlsplit(d[key]).scheme not in ("http", "https"):
            raise ConfigError(where, f"key 'digest.{key}' must be an absolute http(s) URL, "
                                     f"not {d[key]!r}")
    strings = d.get("strings", {})
    for key, value in strings.items():
        _check(where, f"digest.strings.{key}", value, str)
    return DigestConfig(
        sender=d.get("from"),
        to=tuple(to),
        subject=d.get("subject", DigestConfig.subject),
        intro=d.get("intro"),
        sections=tuple(sections),
        other_section=d.get("other_section"),
        unsubscribe_url=d.get("unsubscribe_url"),
        unsubscribe_mailto=d.get("unsubscribe_mailto"),
        max_items=d.get("max_items", DigestConfig.max_items),
        max_html_bytes=d.get("max_html_bytes", DigestConfig.max_html_bytes),
        name=d.get("name"),
        logo=d.get("logo"),
        logo_alt=d.get("logo_alt"),
        header_image=d.get("header_image"),
        header_image_alt=d.get("header_image_alt"),
        preheader=d.get("preheader"),
        footer=d.get("footer"),
        language=d.get("language"),
        summary_chars=d.get("summary_chars", DigestConfig.summary_chars),
        footer_tags=d.get("footer_tags", DigestConfig.footer_tags),
        layout=d.get("layout", DigestConfig.layout),
        strings=dict(strings),
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
