"""Site settings: `feedletter.toml` → a frozen `Config`.

The `Table` classes below (frozen msgspec Structs) ARE the schema: each field is one key
of the file, with its type (checked by msgspec), its range (a `msgspec.Meta` in the type),
the rules msgspec cannot say (a `Rule` in the type: text without control characters,
http(s) URLs, patterns with their placeholders, files that exist) and its README line
(`key(...)`). The README's config reference is generated from them (`python -m
feedletter.config`), and `tests/test_config.py` fails when the two disagree. Adding a key
is adding one field; see /work/notes/contracts.md.

A bad value is one line naming the file, the key and what is allowed (exit 2). Unknown
keys are errors too: a typo such as `max_entires` must not pass silently and leave the
default in force.
"""

# No `from __future__ import annotations` here, unlike every other module: msgspec and the
# checks read these classes' annotations, and as strings they were evaluated again on
# every run (~5-10 ms of each command's start); as objects they cost nothing more.
import math
import re
import string
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple
from urllib.parse import urlsplit

import msgspec
from msgspec import Meta

from .errors import ConfigError
from .names import name_key

DEFAULT_LINK_PATTERN = "{site_url}/blog/{year}/{month}/{slug}/"

# Feed kinds and formats whose output paths `[feeds.paths]` may set.
FEED_KINDS = ("site", "tags", "authors", "categories", "sections")
FEED_FORMATS = {"atom": ".atom.xml", "rss": ".rss.xml", "json": ".json"}
# Today's names: `<base><extension>`, one base per kind.
DEFAULT_FEED_BASES = {"site": "all", "tags": "tags/{slug}", "authors": "authors/{slug}",
                      "categories": "categories/{slug}", "sections": "sections/{slug}"}
# Files feedletter writes itself beside the feeds: no feed may take their names.
RESERVED_OUTPUTS = ("index.opml", "index-all.opml", "index.html", "digests.atom.xml",
                    ".feedletter-manifest", "atom.xsl", "rss.xsl")
# Entry ids: what each generator's own feed used, so that migrating subscribers see the
# same ids (see site.py's `entry_id` for the exact forms and their sources).
ID_MODES = ("tag-uri", "permalink", "jekyll-feed", "pelican")
GENERATOR_IDS = {"feedletter": "tag-uri", "middleman": "tag-uri", "jekyll": "jekyll-feed",
                 "hugo": "permalink", "zola": "permalink", "pelican": "pelican",
                 "eleventy": "permalink"}
GENERATORS = tuple(GENERATOR_IDS)
# Digest layouts (see digest/layouts.py) and footer tag modes.
LAYOUTS = ("cards", "list", "titles")
FOOTER_TAGS = ("issue", "none")
# The digest's fixed strings `[digest.strings]` may override, and the placeholders each
# one is given (digest/i18n.py's STRINGS has the same keys).
DIGEST_STRINGS: dict[str, tuple[str, ...]] = {
    "view_in_browser": (), "read_more": (), "other_section": (), "more_from": ("period",),
    "posts": ("count",), "follow": ("name",), "all_posts": (), "digests_feed": (),
    "digests": (), "why": (), "unsubscribe": (), "or": (), "write_to": (),
    "archive": (), "plain_text": (),
}

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


# ------------------------------------------------------------------ rules and types

@dataclass(frozen=True)
class Rule:
    """A check msgspec cannot express, attached to a type with `Annotated`.

    `test(value, base_dir)` returns None when the value is fine, else why not (shown
    after "must be <allowed>"); `allowed` is also the README's "allowed" column.
    """

    allowed: str
    test: Callable[[Any, Path], str | None]


# C0 (but tab/line breaks where a field allows several lines), DEL, C1, and the two
# non-characters XML cannot carry: a title with an ESC crashed feedgen's XML writer, and
# a CR/LF in a subject is a header injection.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _control(text: str, pattern: re.Pattern[str] = _CONTROL) -> str | None:
    m = pattern.search(text) or _SURROGATE.search(text)
    return None if m is None else f"contains the control character U+{ord(m.group()):04X}"


MULTILINE = Rule("text (line breaks allowed, no other control characters)",
                 lambda v, _: _control(v, _CONTROL_MULTILINE))


def _url_problem(value: str) -> str | None:
    try:
        parts = urlsplit(value)
        parts.port     # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme + ':' if parts.scheme else '(none)'} is not http(s)"
    if not parts.hostname:
        return "no host"
    if "@" in parts.netloc:
        # credentials would be published in every link of every feed
        return "user:password@ in a URL is published in every link"
    if re.search(r"\s", value):
        return "contains white space"
    return None


URL = Rule("an absolute http(s) URL with a host and no user:password@",
           lambda v, _: _url_problem(v))


def _existing_file(value: str, base: Path) -> str | None:
    path = base / value
    return None if path.is_file() else f"no such file: {path}"


EXISTING_FILE = Rule("a file that exists (relative to the config file)", _existing_file)


def _ascii(value: str, _: Path) -> str | None:
    if value.isascii() and value.isprintable():
        return None
    return "SMTP AUTH sends the user name as ASCII"


ASCII = Rule("printable ASCII", _ascii)


def _zone(value: str, _: Path) -> str | None:
    from .dates import parse_zone  # local: dates imports this module's DEFAULT_ZONES

    try:
        parse_zone(value, {})
    except ValueError as exc:
        return str(exc)
    return None


ZONE = Rule("an IANA zone name (Europe/Prague) or an offset like +02:00", _zone)

# Sample values a pattern is tried with: a URL pattern must give an http(s) URL.
_SAMPLES = {"site_url": "https://example.org", "year": "2000", "month": "01", "day": "01",
            "slug": "x", "email": "a%40example.org", "token": "0123456789ab",
            "site_title": "Blog", "period": "November 2016"}


def _format_fields(value: str) -> list[tuple[str, str, str]]:
    """The replacement fields of a `str.format` pattern, each (name, spec, conversion) and
    its text as written, found without evaluating anything; ValueError when malformed."""
    return [(name, spec or "", conversion or "")
            for _literal, name, spec, conversion in string.Formatter().parse(value)
            if name is not None]


def _field_text(name: str, spec: str, conversion: str) -> str:
    return "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"


def pattern(*names: str, url: bool = False) -> Rule:
    """A `str.format` pattern that may use only `names`, each as a plain `{name}`.

    Attribute and index access (`{site_title.__class__}`, `{x[0]}`), conversions (`!r`)
    and format specs (`{slug:>99999999}`) are refused: `str.format` would evaluate them.
    """
    shown = " ".join("{" + n + "}" for n in names)

    def test(value: str, _: Path) -> str | None:
        try:
            fields = _format_fields(value)
        except ValueError as exc:
            return f"not a valid pattern ({exc}; write {{{{ and }}}} for literal braces)"
        for name, spec, conversion in fields:
            if name not in names or spec or conversion:
                return f"{_field_text(name, spec, conversion)} is not one of the placeholders"
        if url:
            return _url_problem(value.format(**_SAMPLES))
        return None

    return Rule(f"a pattern with only {shown}" + (", giving an http(s) URL" if url else ""), test)


def _feed_path(grouped: bool) -> Rule:
    """A feed path: relative, inside the output folder, `{slug}` exactly where needed."""

    def test(value: str, _: Path) -> str | None:
        parts = value.split("/")
        leftover = value.replace("{slug}", "")
        if (not value or value.startswith("/") or "\\" in value
                or any(part in ("", ".", "..") for part in parts) or "{" in leftover or "}" in leftover):
            return "outside the output folder, or another placeholder than {slug}"
        if grouped and "{slug}" not in value:
            return "must contain {slug} (one feed per name)"
        if not grouped and "{slug}" in value:
            return "the site feed is one feed: it has no {slug}"
        if value in RESERVED_OUTPUTS or parts[0] == "digests":
            return "is a file feedletter writes itself"
        return None

    return Rule("a relative path inside the output folder" +
                (" with {slug}" if grouped else ", without {slug}"), test)


GROUP_FEED_PATH, SITE_FEED_PATH = _feed_path(True), _feed_path(False)


def _index_page(value: str, where: Path) -> str | None:
    """The feeds' index page: a relative `.html` path that no other output takes."""
    if value == "index.html":
        return None
    problem = _feed_path(False).test(value, where)
    if problem:
        return problem
    return None if value.endswith(".html") else "must end in .html"


INDEX_PAGE = Rule("a relative path ending in .html", _index_page)


def _folder(value: str, _: Path) -> str | None:
    folder = value.strip("/")
    return None if folder and ".." not in folder.split("/") else "not under the posts folder"


FOLDER = Rule("a folder under the posts folder (or a glob)", _folder)

def _strings(value: dict[str, str], base: Path) -> str | None:
    for name, text in value.items():
        if name not in DIGEST_STRINGS:
            return f"unknown string {name!r}"
        if problem := pattern(*DIGEST_STRINGS[name]).test(text, base):
            return f"{name}: {problem}"
    return None


STRINGS = Rule("a table of the digest's strings (" + ", ".join(
    n + "".join(f" {{{p}}}" for p in ps) for n, ps in DIGEST_STRINGS.items()) + ")", _strings)

# A Pelican ARTICLE_URL is str.format'ed with the post's metadata (any key, so the names
# cannot be listed) and `{date:%Y}` specs: refuse what str.format would evaluate beyond a
# plain name (`{slug.__class__}`, `{x[0]}`, `!r`) and specs that are no strftime (`:>999999999`).
_STRFTIME_SPEC = re.compile(r"[%A-Za-z_\-:/. ]{0,40}")


def _generator_pattern(value: str, _: Path) -> str | None:
    if "{" not in value and "}" not in value:
        return None          # Jekyll / Hugo syntax (`:year/:title`)
    try:
        fields = _format_fields(value)
    except ValueError as exc:
        return f"not a valid pattern ({exc})"
    for name, spec, conversion in fields:
        if not name.isidentifier() or conversion or not _STRFTIME_SPEC.fullmatch(spec):
            return f"{_field_text(name, spec, conversion)} is not a plain {{name}} or {{date:%Y}}"
    return None


GENERATOR_PATTERN = Rule("a link pattern in the generator's syntax (`{name}` and `{date:%Y}` "
                         "placeholders only)", _generator_pattern)

# Text: one line of human text. Every string in the file is checked for control
# characters anyway (see `_walk`); the alias documents the intent.
Text = str
Multiline = Annotated[str, MULTILINE]
Url = Annotated[str, URL]
Zone = Annotated[str, ZONE]
Slug = Annotated[str, Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Email = Annotated[str, Meta(pattern=r"^[^\s@<>(),;:\"\[\]\\]+@[^\s@<>(),;:\"\[\]\\]+$")]
Language = Annotated[str, Meta(pattern=r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")]
Seconds = Annotated[float, Meta(gt=0, le=3600)]


_PENDING: list[dict[str, Any]] = []     # key()s of the class being defined, in order


def key(default: Any = msgspec.NODEFAULT, doc: str = "", *, shown: str | None = None,
        toml: str | None = None, factory: Callable[[], Any] | None = None) -> Any:
    """One config key: its default, its README meaning, and how the default is shown.

    `toml` names the key in the file when it differs from the attribute (`from`);
    `toml=""` marks an attribute that is not read from the file. Every field of a
    `Table` is declared with `key()` (checked when the class is made).
    """
    _PENDING.append({"doc": doc, "shown": shown, "toml": toml})
    if factory is not None:
        return msgspec.field(default_factory=factory, name=toml or None)
    return msgspec.field(default=default, name=toml or None)


class Table(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A table of the config file. msgspec Structs, not dataclasses: making the ~20 classes
    of the schema as frozen dataclasses cost ~10 ms of every command's start-up, as Structs
    well under 1 ms."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = list(cls.__dict__.get("__annotations__", {}))
        pending = _PENDING[:]
        _PENDING.clear()
        if len(pending) != len(names):
            raise TypeError(f"{cls.__name__}: declare every field with key(...)")
        cls.__keys__ = dict(zip(names, pending, strict=True))


class _Field(NamedTuple):
    name: str
    metadata: dict[str, Any]
    default: Any


_FIELDS: dict[type, list[_Field]] = {}


def _fields(cls: type) -> list[_Field]:
    if cls not in _FIELDS:
        _FIELDS[cls] = [_Field(f.name, cls.__keys__[f.name], f.default)
                        for f in msgspec.structs.fields(cls)]
    return _FIELDS[cls]


def _is_table(obj: Any) -> bool:
    return isinstance(obj, Table) or (isinstance(obj, type) and issubclass(obj, Table))


def replace(table: Any, **changes: Any) -> Any:
    """`dataclasses.replace` for the config's tables: a copy with `changes`."""
    return msgspec.structs.replace(table, **changes)


def as_dict(table: Any) -> dict[str, Any]:
    """`dataclasses.asdict` for one table (not recursive)."""
    return msgspec.structs.asdict(table)


# --------------------------------------------------------------------------- schema

class SiteTable(Table):
    url: Url | None = key(None, "required; where the blog is served, `https://www.ovirt.org`",
                          shown="—")
    title: Text = key("Blog", "feed titles, digest header")
    description: Text = key("", "feed subtitle / description", shown="`Posts from <title>`")
    feeds_url: Url | None = key(None, "where the output folder is served (feed self links, OPML)",
                                shown="`<url>/feeds/`")
    language: Language = key("en", "`xml:lang`, RSS `language`, JSON `language`, digest `lang`")
    timezone: Zone = key("UTC", "for dates without a zone and digest periods")
    author: Text = key("Unknown author", "author of posts that name none")
    generator: Literal[GENERATORS] = key("feedletter", "whose rules the posts follow "
                                                       "(`feedletter` = feedletter's own)")
    markdown: Literal["python-markdown", "commonmark"] | None = key(
        None, "the Markdown engine: `python-markdown` (feedletter, Jekyll, Pelican, Middleman) "
              "or `commonmark` (Hugo, Zola, Eleventy)", shown="by `site.generator`")


class PathsTable(Table):
    posts: Text | None = key(None, "posts folder (`--posts` overrides)",
                             shown="`posts`; with a `site.generator`, its content folder under "
                                   "`source.root`")
    output: Text = key("feeds", "output folder (`--out` overrides)")
    templates_dir: Text | None = key(None, "a folder of Jinja2 templates that override the "
                                           "built-in ones", shown="—")


class FormatPaths(Table):
    """`[feeds.paths.atom]` (and rss, json): whole file names for one format."""

    site: Annotated[str, SITE_FEED_PATH] | None = key(None, "the site feed's file", shown="—")
    tags: Annotated[str, GROUP_FEED_PATH] | None = key(None, "each tag feed's file", shown="—")
    authors: Annotated[str, GROUP_FEED_PATH] | None = key(None, "each author feed's file", shown="—")
    categories: Annotated[str, GROUP_FEED_PATH] | None = key(None, "each category feed's file",
                                                             shown="—")
    sections: Annotated[str, GROUP_FEED_PATH] | None = key(None, "each section feed's file",
                                                           shown="—")


class FeedPathsTable(Table):
    """`[feeds.paths]`: a base per kind (each format adds its extension), and per format."""

    site: Annotated[str, SITE_FEED_PATH] = key("all", "the site feed (formats add `.atom.xml`, …)")
    tags: Annotated[str, GROUP_FEED_PATH] = key("tags/{slug}", "a tag's feeds")
    authors: Annotated[str, GROUP_FEED_PATH] = key("authors/{slug}", "an author's feeds")
    categories: Annotated[str, GROUP_FEED_PATH] = key("categories/{slug}", "a category's feeds")
    sections: Annotated[str, GROUP_FEED_PATH] = key("sections/{slug}", "a section's feeds")
    index: Annotated[str, INDEX_PAGE] = key("index.html", "the page listing every feed "
                                                          "(`feeds.html` when the output folder "
                                                          "is the site's root)")
    atom: FormatPaths = key(doc="", factory=FormatPaths)
    rss: FormatPaths = key(doc="", factory=FormatPaths)
    json: FormatPaths = key(doc="", factory=FormatPaths)


@dataclass(frozen=True)
class FeedPaths:
    """Where each feed is written, relative to the output folder (from `[feeds.paths]`)."""

    bases: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FEED_BASES))
    files: dict[tuple[str, str], str] = field(default_factory=dict)   # (format, kind) -> path
    index: str = "index.html"       # the page listing every feed

    def path(self, kind: str, fmt: str, slug: str = "") -> str:
        pattern = self.files.get((fmt, kind))
        if pattern is None:
            pattern = self.bases[kind] + FEED_FORMATS[fmt]
        return pattern.replace("{slug}", slug)


class FeedSection(Table):
    """A collection of posts (a folder, or globs) with a feed of its own."""

    path: Annotated[str, FOLDER] = key(msgspec.NODEFAULT, "a folder under the posts folder, "
                                                            "or a glob", shown="— (required)")
    slug: str | None = key(None, "`{slug}` of its feed paths", shown="from the path")
    title: Text | None = key(None, "its feed's title", shown="the path")
    in_main: bool = key(False, "also in the site's main feed")
    exclude: tuple[Text, ...] = key((), "globs (relative to the posts folder) left out", shown="—")


# A hex colour: it is written into the stylesheets' CSS, so nothing else may pass.
COLOR = Rule("a colour like #0b5cad or #fff",
             lambda v, _: None if re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", v) else "not #rgb or #rrggbb")
Color = Annotated[str, COLOR]


class FeedColors(Table):
    """`[feeds.colors]`: the browser view of the feeds (atom.xsl, rss.xsl)."""

    background: Color = key("#ffffff", "page background of a feed opened in a browser")
    text: Color = key("#1d1d1f", "its text")
    accent: Color = key("#0b5cad", "its links, badge and subscribe box")


class FeedsTable(Table):
    max_entries: Annotated[int, Meta(ge=1, le=100_000)] = key(50, "entries per feed, newest first")
    link_pattern: Annotated[str, pattern("site_url", "year", "month", "day", "slug", url=True)] = \
        key(DEFAULT_LINK_PATTERN, "a post's link")
    max_post_bytes: Annotated[int, Meta(ge=1, le=1 << 30)] = \
        key(10 * 1024 * 1024, "larger post files are refused by name")
    ids: Literal[ID_MODES] | None = key(None, "entry ids: see [Feed paths, entry ids…]"
                                              "(#feed-paths-entry-ids-sections-and-categories)",
                                        shown="by `site.generator`")
    paths: FeedPathsTable = key(doc="", factory=FeedPathsTable)
    sections: tuple[FeedSection, ...] = key((), "`[[feeds.sections]]`: collections with their "
                                                "own feed", shown="—")
    exclude: tuple[Text, ...] = key((), "globs of posts kept out of the main feed", shown="—")
    stylesheet: bool = key(True, "Atom and RSS name an XSLT (atom.xsl, rss.xsl) that a browser "
                                 "shows as a page; see [The browser view](#the-browser-view)")
    colors: FeedColors = key(doc="", factory=FeedColors)
    updated: Literal["front-matter", "git"] = key("front-matter", "where a post's `updated` "
                                                  "comes from; see [Updated from git](#updated-from-git)")
    websub_hub: Url | None = key(None, "a WebSub hub the feeds name and each build pings; see "
                                       "[WebSub](#websub)", shown="—")
    websub_timeout: Annotated[float, Meta(gt=0, le=300)] = key(5.0, "seconds per hub ping",
                                                               shown="5")
    websub_retries: Annotated[int, Meta(ge=0, le=10)] = key(3, "retries of a failed ping")
    websub_backoff: Annotated[float, Meta(ge=0, le=60)] = \
        key(1.0, "seconds before the first retry, doubled each time", shown="1")
    archives: bool = key(False, "RFC 5005 archive documents: see [Archives](#archives)")
    archive_size: Annotated[int, Meta(ge=1, le=100_000)] = \
        key(25, "entries per archive document, at most half of `max_entries` (fixed: "
                "changing it rewrites every archive)")


class TagsTable(Table):
    aliases: dict[Text, Text] = key(doc="spelling → the tag it means (`\"c-sharp\" = \"C#\"`): "
                                        "one feed for both", factory=dict, shown="—")
    slugs: dict[Text, Slug] = key(doc="tag → its feed name (`\"C++\" = \"cpp\"`)", factory=dict,
                                  shown="—")
    # Both by `names.name_key` (filled in by the loader): what posts and the site look up.
    canonical: dict[str, str] = key(toml="", factory=dict)     # spelling key → tag
    fixed: dict[str, str] = key(toml="", factory=dict)         # tag key → slug


class Author(Table):
    """A writer: `[authors.<username>]` in the file, or made from a post's `author:`."""

    username: str = key("", toml="")     # the table's name, not a key inside it
    name: Text = key("", "who a username in `author:` is", shown="the username")
    email: Email | None = key(None, "the author's address", shown="—")
    uri: Url | None = key(None, "the author's page", shown="—")
    aliases: tuple[Text, ...] = key((), "names, `Name <email>` or addresses in posts' `author:` "
                                        "that mean this author (one feed)", shown="—")
    slug: Slug | None = key(None, "the author's feed name", shown="the username's slug")


class Section(Table):
    title: Text = key(msgspec.NODEFAULT, "the section's heading", shown="— (required)")
    tags: tuple[Text, ...] = key((), "posts with one of these tags go in it", shown="—")
    layout: Literal[LAYOUTS] | None = key(None, "its layout", shown="`digest.layout`")
    categories: tuple[Text, ...] = key((), "posts in one of these categories go in it", shown="—")


class DigestConfig(Table):
    sender: Text | None = key(None, "the sender; required to `--send`", toml="from", shown="—")
    to: tuple[Text, ...] = key((), "default recipients", shown="—")
    subject: Annotated[str, pattern("name", "site_title", "period")] = \
        key("{name} — {period}", "the Subject (`{name}`: `digest.name`)")
    intro: Multiline | None = key(None, "Markdown above the posts", shown="—")
    sections: tuple[Section, ...] = key((), "`[[digest.sections]]`, in order", shown="—")
    other_section: Text | None = key(None, "title of the last section",
                                     shown="More news, in the digest's language")
    unsubscribe_url: Url | None = key(None, "the unsubscribe page; `{email}` and `{token}` make "
                                            "it personal", shown="—")
    unsubscribe_mailto: Text | None = key(None, "the unsubscribe address", shown="—")
    list_id: Text | None = key(None, "the list a personal unsubscribe token is bound to",
                               shown="the site's host name")
    max_items: Annotated[int, Meta(ge=1, le=10_000)] = key(40, "posts listed at most")
    max_html_bytes: Annotated[int, Meta(ge=1_000, le=100_000_000)] = \
        key(100_000, "size the HTML is kept under")
    name: Text | None = key(None, "the newsletter's name", shown="`site.title`")
    logo: Url | None = key(None, "a logo image in the masthead", shown="—")
    logo_alt: Text | None = key(None, "its text", shown="—")
    header_image: Url | None = key(None, "a header image", shown="—")
    header_image_alt: Text | None = key(None, "its text", shown="—")
    preheader: Annotated[str, pattern("name", "period", "titles", "count")] | None = \
        key(None, "the inbox preview line", shown="`{period}: {titles}`")
    footer: Multiline | None = key(None, "Markdown at the bottom: address, legal lines", shown="—")
    language: Language | None = key(None, "the digest's language", shown="`site.language`")
    summary_chars: Annotated[int, Meta(ge=40, le=5000)] = key(300, "a summary is cut near this")
    footer_tags: Literal[FOOTER_TAGS] = key("issue", "which tag feeds the footer links")
    layout: Literal[LAYOUTS] = key("cards", "layout of sections without their own")
    strings: Annotated[dict[Text, str], STRINGS] = \
        key(doc="overrides of the digest's fixed strings", factory=dict, shown="—")


class SmtpConfig(Table):
    host: Text = key("localhost", "the mail server")
    port: Annotated[int, Meta(ge=1, le=65535)] | None = \
        key(None, "its port", shown="587 (465 for ssl, 25 for none)")
    security: Literal["starttls", "ssl", "none"] = key("starttls", "`none` only to localhost")
    username: Annotated[str, ASCII] | None = \
        key(None, "AUTH user; the password is read from `FEEDLETTER_SMTP_PASSWORD`", shown="—")
    ca_file: Annotated[str, EXISTING_FILE] | None = \
        key(None, "CA certificates (PEM) to verify the server with", shown="the system's")
    timeout: Seconds = key(30.0, "seconds to wait for the server", shown="30")
    retries: Annotated[int, Meta(ge=0, le=100)] = key(4, "retries of a temporary failure")
    backoff: Annotated[float, Meta(ge=0, le=3600)] = \
        key(2.0, "seconds before the first retry, doubled each time", shown="2")


def _date_pattern(value: str, _: Path) -> str | None:
    if not value:
        return None
    try:
        groups = re.compile(value).groupindex
    except re.error as exc:
        return f"not a regular expression ({exc})"
    if not {"year", "month", "day"} <= set(groups):
        return "needs the groups (?P<year>...), (?P<month>...) and (?P<day>...)"
    return None


# Site variables: Hugo params and Jekyll config values are often Markdown of several lines.
VARIABLE = Rule("text (line breaks allowed), a number, or true or false",
                lambda v, _: _control(v, _CONTROL_MULTILINE) if isinstance(v, str) else None)
DATE_PATTERN = Rule("a regular expression with (?P<year>) (?P<month>) (?P<day>) groups",
                    _date_pattern)
# Jekyll's Utils.slugify modes, and Zola's `slugify.paths` values.
SLUGIFY_MODES = ("default", "raw", "pretty", "ascii", "latin", "none", "on", "safe", "off")
# Where each generator keeps its posts under its site folder (`source.root`).
CONTENT_DIRS = {"hugo": "content", "zola": "content", "pelican": "content",
                "middleman": "source", "jekyll": ".", "eleventy": "."}


class FrontMatterDefault(Table):
    """`[[source.defaults]]`: Jekyll's front-matter defaults (`defaults:` in _config.yml),
    values a post takes when its own front matter does not set them."""

    path: Text = key("", "folder (or glob) the values apply under, relative to the posts "
                         "folder; empty: everywhere", shown="—")
    type: Text = key("", "`posts`, or empty: every type", shown="—")
    values: dict[Text, Text | int | float | bool | tuple[Text, ...]] = key(
        doc="the front-matter keys and values", factory=dict, shown="—")


class SourceTable(Table):
    """`[source]`: the generator's own rules, as `feedletter init` reads them from its
    config (the flavours in sources/ read them)."""

    root: Text | None = key(None, "the generator's site folder (its config and content)",
                            shown="the config's folder")
    permalink: Annotated[str, GENERATOR_PATTERN] = key(
        "", "the post link in the generator's own syntax: Jekyll "
            "`/news/:year/:month/:day/:title/` or `pretty`, Pelican "
            "`ARTICLE_URL` `blog/{date:%Y}/{date:%m}/{slug}/`", shown="the generator's")
    permalinks: dict[Text, Annotated[str, GENERATOR_PATTERN]] = key(doc="Hugo: section → link pattern "
                                           "(`{ posts = \"/:year/:month/:slug/\" }`)",
                                       factory=dict, shown="—")
    future: bool | None = key(None, "publish posts dated in the future (Jekyll `future`, Hugo "
                                    "`buildFuture`, Pelican `WITH_FUTURE_DATES`)",
                              shown="the generator's")
    drafts: bool = key(False, "publish drafts")
    taxonomies: dict[Text, Text] = key(doc="Hugo / Zola: singular → plural front-matter key; "
                                           "`categories` are categories, every other one tags",
                                       factory=dict, shown="tags, categories")
    slugify: Literal[SLUGIFY_MODES] = key("default", "Jekyll's slugify mode, or Zola's "
                                                     "`slugify.paths` (`on`, `safe`, `off`)")
    date_pattern: Annotated[str, DATE_PATTERN] = key(
        "", "searched in a post's `path`, permalink and file path when its front matter "
            "has no date", shown="—")
    variables: dict[Text, Annotated[str | int | float | bool, VARIABLE]] = key(
        doc="`site.*` for Liquid, `.Site.Params` for Hugo shortcodes", factory=dict, shown="—")
    defaults: tuple[FrontMatterDefault, ...] = key((), "Jekyll front-matter defaults",
                                                   shown="—")
    exclude: tuple[Text, ...] = key((), "globs (relative to the posts folder) of files that "
                                        "are not posts", shown="—")


class Config(Table):
    """The whole file: one attribute per table. Read the flat properties below, or a table."""

    path: Path | None = key(None, toml="")
    site: SiteTable = key(doc="", factory=SiteTable)
    paths: PathsTable = key(doc="", factory=PathsTable)
    feeds: FeedsTable = key(doc="", factory=FeedsTable)
    tags: TagsTable = key(doc="", factory=TagsTable)
    authors: dict[Text, Author] = key(doc="", factory=dict)
    zones: dict[Text, Zone] = key(doc="an IANA name or an offset (`+02:00`) for an abbreviation "
                                      "in post dates", factory=dict, shown="see [Dates](#dates)")
    digest: DigestConfig = key(doc="", factory=DigestConfig)
    smtp: SmtpConfig = key(doc="", factory=SmtpConfig)
    source: SourceTable = key(doc="", factory=SourceTable)
    feed_paths: FeedPaths = key(toml="", factory=FeedPaths)     # from feeds.paths
    author_aliases: dict[str, str] = key(toml="", factory=dict)  # name_key of an alias → username

    # The flat names the code read before the tables existed.
    site_url = property(lambda self: self.site.url or "")
    title = property(lambda self: self.site.title)
    feeds_url = property(lambda self: self.site.feeds_url or "")
    description = property(lambda self: self.site.description)
    language = property(lambda self: self.site.language)
    timezone = property(lambda self: self.site.timezone)
    author = property(lambda self: self.site.author)
    max_entries = property(lambda self: self.feeds.max_entries)
    link_pattern = property(lambda self: self.feeds.link_pattern)
    max_post_bytes = property(lambda self: self.feeds.max_post_bytes)
    generator = property(lambda self: self.site.generator)
    markdown = property(lambda self: self.site.markdown or "")
    feed_ids = property(lambda self: self.feeds.ids or GENERATOR_IDS[self.site.generator])
    sections = property(lambda self: self.feeds.sections)      # each with its slug and title
    main_exclude = property(lambda self: self.feeds.exclude)

    @property
    def posts_dir(self) -> Path:
        if self.paths.posts is not None:
            return self.base_dir / self.paths.posts
        if self.site.generator == "feedletter":
            return self.base_dir / "posts"
        return self.source_root / CONTENT_DIRS[self.site.generator]

    @property
    def source_root(self) -> Path:
        """The generator's site folder (`source.root`)."""
        return self.base_dir / self.source.root if self.source.root else self.base_dir

    @property
    def output_dir(self) -> Path:
        return self.base_dir / self.paths.output

    @property
    def templates_dir(self) -> Path | None:
        return self.base_dir / self.paths.templates_dir if self.paths.templates_dir else None

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


# --------------------------------------------------------------------------- loading

def _hints(cls: type) -> dict[str, Any]:
    return cls.__annotations__      # evaluated, and a Table inherits no fields


def _toml_fields(cls: type) -> dict[str, _Field]:
    """The file's name of each field that is read from the file."""
    out = {}
    for f in _fields(cls):
        name = f.metadata.get("toml")
        if name != "":
            out[name or f.name] = f
    return out


def _split(tp: Any) -> tuple[Any, list[Any]]:
    """`Annotated[X, a, b] | None` → (X, [a, b]) (None only for an Optional)."""
    extras: list[Any] = []
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            extras.extend(tp.__metadata__)
            tp = tp.__origin__
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp, extras
            tp = args[0]
        else:
            return tp, extras


def _check_keys(raw: Any, tp: Any, where: str, path: str) -> Any:
    """`raw` when every key is known; an unknown key (or an attribute that is not read from
    the file) is an error naming the key, where msgspec would name only the table."""
    tp, _ = _split(tp)
    origin = typing.get_origin(tp)
    if _is_table(tp) and isinstance(raw, dict):
        fields = _toml_fields(tp)
        out = {}
        for name, value in raw.items():
            dotted = f"{path}.{name}" if path else name
            if dotted == "smtp.password":
                raise ConfigError(where, "'smtp.password' is not read from the config file: "
                                         "set the environment variable FEEDLETTER_SMTP_PASSWORD")
            if name not in fields:
                what = "table or key" if not path else "key"
                raise ConfigError(where, f"unknown {what} '{dotted}'")
            out[name] = _check_keys(value, _hints(tp)[fields[name].name], where, dotted)
        return out
    if origin is dict and isinstance(raw, dict):
        value_type = typing.get_args(tp)[1]
        return {k: _check_keys(v, value_type, where, f"{path}.{k}") for k, v in raw.items()}
    if origin in (tuple, list) and isinstance(raw, list):
        item_type = typing.get_args(tp)[0]
        return [_check_keys(v, item_type, where, f"{path}[{i}]") for i, v in enumerate(raw)]
    return raw


def _walk(value: Any, tp: Any, where: str, path: str, base: Path) -> None:
    """The checks msgspec cannot do: control characters in every string, finite numbers,
    and each `Rule` in the types."""
    if value is None:
        return
    tp, extras = _split(tp)
    rules = [r for r in extras if isinstance(r, Rule)]
    multiline = MULTILINE in rules or VARIABLE in rules      # their rule checks the text
    if isinstance(value, str) and not multiline and (problem := _control(value)):
        _bad(where, path, tp, extras, value, problem)
    if isinstance(value, float) and not math.isfinite(value):
        _bad(where, path, tp, extras, value, None)
    if isinstance(value, dict):      # its entries first: they name the precise key
        key_type, value_type = typing.get_args(tp)
        for k, v in value.items():
            _walk(k, key_type, where, f"{path}.{k}", base)   # a key is a name too
            _walk(v, value_type, where, f"{path}.{k}", base)
    for rule in rules:
        if problem := rule.test(value, base):
            _bad(where, path, tp, extras, value, problem)
    if _is_table(value):
        hints = _hints(type(value))
        for name, f in _toml_fields(type(value)).items():
            dotted = f"{path}.{name}" if path else name
            _walk(getattr(value, f.name), hints[f.name], where, dotted, base)
    elif isinstance(value, tuple):
        (item_type, *_) = typing.get_args(tp)
        for i, v in enumerate(value):
            _walk(v, item_type, where, f"{path}[{i}]", base)


def _bad(where: str, path: str, tp: Any, extras: list[Any], value: Any, problem: str | None):
    text = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    reason = f" ({problem})" if problem else ""
    raise ConfigError(where, f"key '{path}' must be {allowed(tp, extras)}, not {text}{reason}")


_TYPE_NAMES = {str: "text", int: "an integer", float: "a number", bool: "true or false"}


def _number(m: Meta) -> str:
    low = f"at least {m.ge}" if m.ge is not None else (f"over {m.gt}" if m.gt is not None else "")
    high = f"at most {m.le}" if m.le is not None else (f"under {m.lt}" if m.lt is not None else "")
    if m.ge is not None and m.le is not None:
        return f" from {m.ge} to {m.le}"
    return " " + " and ".join(p for p in (low, high) if p)


def allowed(tp: Any, extras: list[Any] | None = None) -> str:
    """What a key accepts, in words (error messages and the README's "allowed" column)."""
    if extras is None:
        tp, extras = _split(tp)
    rules = [r.allowed for r in extras if isinstance(r, Rule)]
    if rules:
        return "; ".join(rules)
    metas = [m for m in extras if isinstance(m, Meta)]
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(map(str, typing.get_args(tp)))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_TYPE_NAMES.get(a, str(a)) for a in typing.get_args(tp))
    if origin in (tuple, list):
        item = typing.get_args(tp)[0]
        if item is str:
            return "a list of one-line texts"
        return "a list of " + ("tables" if _is_table(item) else
                               allowed(item).removeprefix("a ").removeprefix("an "))
    if origin is dict:
        value = typing.get_args(tp)[1]
        if value is str:
            return "a table of one-line texts"
        return "a table whose values are each " + allowed(value)
    if _is_table(tp):
        return "a table"
    words = _TYPE_NAMES.get(tp, getattr(tp, "__name__", str(tp)))
    for m in metas:
        if tp in (int, float):
            words += _number(m)
        elif m.pattern == Slug.__metadata__[0].pattern:
            words = "lower-case ASCII letters and digits joined by single '-' (at most 80)"
        elif m.pattern == Email.__metadata__[0].pattern:
            words = "an email address (name@host)"
        elif m.pattern == Language.__metadata__[0].pattern:
            words = "a language tag (en, pt-BR)"
    if tp is str and words == "text":
        words = "one line of text (no control characters)"
    return words


def _converts(value: Any, tp: Any) -> bool:
    try:
        msgspec.convert(value, tp, strict=True)
    except msgspec.ValidationError:
        return False
    return True


def _msgspec_error(where: str, exc: msgspec.ValidationError, checked: dict) -> ConfigError:
    """msgspec's message ("Expected `int` >= 1 - at `$.feeds.max_entries`") → our line."""
    message = str(exc)
    at = message.rsplit(" - at `$", 1)
    segments = re.findall(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]", at[1].rstrip("`")) if len(at) == 2 else []
    tp: Any = Config
    value: Any = checked
    names: list[str] = []
    for name, index in segments:
        base, _ = _split(tp)
        if index == "...":           # msgspec does not say which entry of a table: find it
            tp = typing.get_args(base)[1]
            name = next(k for k, v in value.items() if not _converts(v, tp))
            names.append(name)
            value = value[name]
            continue
        if index:
            tp, value = typing.get_args(base)[0], value[int(index)]
            names[-1] += f"[{index}]"
            continue
        names.append(name)
        if _is_table(base):
            tp = _hints(base)[_toml_fields(base)[name].name]
        else:                        # a table of tables: the name is the user's
            tp = typing.get_args(base)[1]
        value = value.get(name) if isinstance(value, dict) else None
    dotted = ".".join(names)
    missing = re.match(r"Object missing required field `(\w+)`", message)
    if missing:
        return ConfigError(where, f"key '{dotted}.{missing[1]}' is required")
    if not dotted:
        return ConfigError(where, f"invalid config: {message}")
    text = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    if isinstance(value, dict) and not _is_table(_split(tp)[0]):
        text = "a table"
    return ConfigError(where, f"key '{dotted}' must be {allowed(tp)}, not {text}")


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
        except IsADirectoryError:
            raise ConfigError(where, "is a folder, not a config file") from None
        except OSError as exc:
            raise ConfigError(where, f"cannot read config: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(where, f"not UTF-8 (byte 0x{exc.object[exc.start]:02x})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(where, f"not valid TOML: {exc}") from None
    for table, value in raw.items():
        if table in _toml_fields(Config) and not isinstance(value, dict):
            raise ConfigError(where, f"'{table}' must be a table ([{table}])")
    checked = _check_keys(raw, Config, where, "")
    if site_url and not checked.get("site", {}).get("url"):
        checked.setdefault("site", {})["url"] = site_url
    try:
        config = msgspec.convert(checked, Config, strict=True)
    except msgspec.ValidationError as exc:
        raise _msgspec_error(where, exc, checked) from None
    base = path.parent if isinstance(path, Path) else Path.cwd()
    _walk(config, Config, where, "", base)
    return _complete(config, path if isinstance(path, Path) else None, where, base)


def _complete(config: Config, path: Path | None, where: str, base: Path) -> Config:
    """Defaults that depend on other keys, and names the file gives as table names."""
    site = config.site
    if not site.url:
        raise ConfigError(where, "key 'site.url' is required (the address the blog is served at)")
    url = site.url.rstrip("/")
    feeds_url = site.feeds_url or url + "/feeds/"
    if not feeds_url.endswith("/"):
        feeds_url += "/"
    feeds = replace(config.feeds, sections=_sections(where, config.feeds.sections))
    tags = config.tags
    tags = replace(tags, canonical={name_key(k): v for k, v in tags.aliases.items()},
                               fixed={name_key(k): v for k, v in tags.slugs.items()})
    _unique(where, "tags.slugs", tags.slugs)
    _unique(where, "authors.*.slug", {u: a.slug for u, a in config.authors.items() if a.slug})
    author_aliases: dict[str, str] = {}
    for username, author in sorted(config.authors.items()):
        for alias in author.aliases:
            other = author_aliases.setdefault(name_key(alias), username)
            if other != username:
                raise ConfigError(where, f"key 'authors.{username}.aliases': {alias!r} is "
                                         f"already an alias of 'authors.{other}'")
    if feeds.archives and feeds.archive_size * 2 > feeds.max_entries:
        # the posts after the newest archive must fit in the current document, and a feed
        # with archives must have two (emit/archives.py)
        raise ConfigError(where, f"key 'feeds.archive_size' ({feeds.archive_size}) must be at most "
                                 f"half of 'feeds.max_entries' ({feeds.max_entries})")
    smtp = config.smtp
    if smtp.ca_file:      # relative to the config file, like every path in it
        smtp = replace(smtp, ca_file=str(base / smtp.ca_file))
    return replace(
        config, path=path,
        site=replace(site, url=url, feeds_url=feeds_url),
        authors={u: replace(a, username=u, name=a.name or u)
                 for u, a in config.authors.items()},
        zones={abbr.upper(): target for abbr, target in config.zones.items()},
        feeds=feeds, feed_paths=_feed_paths(where, config.feeds.paths), smtp=smtp,
        tags=tags, author_aliases=author_aliases)


def _unique(where: str, what: str, slugs: dict[str, str]) -> None:
    seen: dict[str, str] = {}
    for name, slug in sorted(slugs.items()):
        if slug in seen:
            raise ConfigError(where, f"key '{what}': {seen[slug]!r} and {name!r} both have the "
                                     f"slug {slug!r}; a feed is for one name")
        seen[slug] = name


def _feed_paths(where: str, table: FeedPathsTable) -> FeedPaths:
    bases = {kind: getattr(table, kind) for kind in FEED_KINDS}
    files = {(fmt, kind): getattr(getattr(table, fmt), kind)
             for fmt in FEED_FORMATS for kind in FEED_KINDS
             if getattr(getattr(table, fmt), kind) is not None}
    paths = FeedPaths(bases, files, table.index)
    site_files = [paths.path("site", fmt) for fmt in FEED_FORMATS]
    if len(set(site_files)) < len(site_files):
        raise ConfigError(where, f"'feeds.paths': two formats of the site feed share a file {site_files}")
    return paths


def _sections(where: str, sections: tuple[FeedSection, ...]) -> tuple[FeedSection, ...]:
    """Each section's folder without outer slashes, its slug and title defaulted."""
    from .posts import slugify  # local: posts imports config

    done = []
    for s in sections:
        folder = s.path.strip("/")
        slug = s.slug or ("/".join(slugify(p) or "x" for p in folder.split("/") if "*" not in p)
                          or slugify(folder) or "section")
        done.append(replace(s, path=folder, slug=slug, title=s.title or folder))
    slugs = [s.slug for s in done]
    if len(set(slugs)) < len(slugs):
        raise ConfigError(where, "'feeds.sections': two sections have the same slug; set 'slug'")
    return tuple(done)


# ------------------------------------------------------------------ the README table

def reference_rows() -> list[tuple[str, str, str, str]]:
    """(key, default, allowed, meaning) for every key, in schema order."""
    rows: list[tuple[str, str, str, str]] = []

    def visit(cls: type, prefix: str) -> None:
        hints = _hints(cls)
        for name, f in _toml_fields(cls).items():
            tp = hints[f.name]
            base, _ = _split(tp)
            dotted = prefix + name
            origin = typing.get_origin(base)
            if _is_table(base):
                visit(base, dotted + ".")
                continue
            if origin is dict and _is_table(typing.get_args(base)[1]):
                visit(typing.get_args(base)[1], f"{dotted}.<{_placeholder(name)}>.")
                continue
            if origin is tuple and _is_table(typing.get_args(base)[0]):
                visit(typing.get_args(base)[0], f"{dotted}[].")
                continue
            if origin is dict and prefix == "":
                dotted += f".<{_placeholder(name)}>"
                tp = typing.get_args(base)[1]
            rows.append((f"`{dotted}`", _shown(f), allowed(tp), f.metadata.get("doc", "")))

    visit(Config, "")
    return rows


def _placeholder(table: str) -> str:
    return {"authors": "username", "zones": "ABBR"}.get(table, "name")


def _shown(f: _Field) -> str:
    if f.metadata.get("shown"):
        return f.metadata["shown"]
    default = f.default
    if default is msgspec.NODEFAULT:
        return "—"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, str):
        return f"`{default}`" if default else "`\"\"`"
    return f"`{default}`"


def reference_table() -> str:
    lines = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for row in reference_rows():
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- config-reference: begin (python -m feedletter.config) -->", \
    "<!-- config-reference: end -->"


def update_readme(readme: Path) -> bool:
    """Rewrite the generated table in README.md; True when it changed."""
    text = readme.read_text("utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n{reference_table()}{END}{tail}"
    if new != text:
        readme.write_text(new, "utf-8")
    return new != text


if __name__ == "__main__":   # python -m feedletter.config [README.md]: regenerate the table
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print(f"{target}: {'updated' if update_readme(target) else 'already current'}")
