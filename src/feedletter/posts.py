"""Post files → `Post` objects: front matter, dates, tags, authors, slugs, summaries.

Pure parsing lives in `parse_post` (text in, Post or PostError out); `load_posts` adds the
file system: discovery, size limit, encodings, symlinks. Problems that still allow
publishing are returned as warnings, never printed here.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from .cache import Cache, digest, shard_of, stat_key
from .config import Author, Config
from .dates import date_from_filename, parse_date
from .errors import PostError
from .names import name_key
from .workers import PoolFactory, chunked

POST_SUFFIXES = (".html.md", ".markdown", ".md")
MARKERS = ("READMORE", "<!-- more -->", "<!--more-->")
_MARKER_LINE = re.compile(r"^[ \t]*(?:READMORE|<!--\s*more\s*-->)[ \t]*$", re.MULTILINE | re.I)
_FM_START = re.compile(r"\A---[ \t]*(?:\r\n?|\n)")     # any line end: also tells posts from notes
# A plain `key: value` line whose value is no YAML flow, quote, anchor, tag or block.
_PLAIN_LINE = re.compile(r"^([A-Za-z_][\w-]*):(?:[ \t]+([^\s\[\]{}\"'&*!|>%@`#].*?))?[ \t]*$")
_PY_TAG = re.compile(r"!(?:!|<tag:yaml\.org,2002:)python/[^\s,\]}]*")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)
# XML 1.0 forbids C0 controls but tab/newline/CR; C1 controls, lone surrogates and the
# two non-characters are never meaningful text either. Pasted terminal output has them.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ANGLE_EMAIL = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>@\s]+@[^<>\s]+)>$")
_BARE_EMAIL = re.compile(r"^(?P<name>.*?)\s*\(?(?P<email>[^\s()<>@]+@[^\s()<>]+\.[^\s()<>]+)\)?$")
_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}
_KNOWN_KEYS = {
    "title", "date", "updated", "modified", "tags", "tag", "author", "authors", "draft",
    "published", "summary", "excerpt", "description", "id", "slug", "permalink", "url",
    "comments", "layout", "category", "categories", "image", "lang",
    "cover", "feature_image", "thumbnail", "image_alt", "digest",
}
IMAGE_KEYS = ("image", "cover", "feature_image", "thumbnail")
MAX_SLUG = 80
# Every tag and author of a post gets a feed that carries the post with all its tags and
# authors: without a bound, 10,000 tags on one post mean 30,000 files of 10,000 categories.
MAX_TAGS = 100
MAX_AUTHORS = 100
MIN_YEAR = 1900
# An absolute URI (IRI): a scheme, then no space or character that URIs never carry.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_URI_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


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
    categories: tuple[str, ...] = ()   # display spellings; a taxonomy of their own (h1 fills it)
    image: str | None = None    # front matter image/cover/feature_image/thumbnail, absolute
    image_alt: str | None = None
    in_digest: bool = True      # front matter `digest: false` leaves it out of digests

    def slim(self) -> Post:
        """The post without its body (kept by the cache and the site; re-read to render)."""
        return self if self.body is None else replace(self, body=None)


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


@lru_cache(maxsize=1)
def _handler():
    """python-frontmatter's YAML handler, loading with libyaml's BaseLoader: every scalar
    stays a string (`4.0`, `yes`, `10:00`, `2019-01-01` as written) and feedletter
    interprets the keys itself. Imported late: a build whose posts all come from the
    cache never parses YAML."""
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    class BaseYAML(YAMLHandler):
        def load(self, fm: str, **kwargs: object) -> object:
            loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
            return yaml.load(fm, Loader=loader)  # noqa: S506 - BaseLoader constructs no objects

    return BaseYAML(), yaml.YAMLError


def _lenient(fm: str) -> dict[str, str] | None:
    """Read front matter as plain `key: value` lines when every line is one."""
    result: dict[str, str] = {}
    for line in fm.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _PLAIN_LINE.match(line)
        if not m:
            return None
        result[m[1]] = (m[2] or "").strip()
    return result


# The first character of a plain value: not a space, nor one of YAML's indicators.
_PLAIN_START = r"[^\s\[\]{}\"'&*!|>%@`#,?:-]"
# A front matter line YAML reads as `key: value` with the value as written (see `_plain`):
# a plain scalar without YAML syntax, a quoted one without escapes, or a flow list of
# plain items. (Group 2: the plain value, 3 and 4: quoted, 5: the list's inside.)
_SIMPLE_LINE = re.compile(
    rf"([A-Za-z_][\w-]*):(?: +(?:({_PLAIN_START}[^\t]*?)|\"([^\"\\]*)\"|'([^']*)'"
    r"|\[([^\[\]{}\"'#:\t]*)\]))? *")
# A flow list's item: a plain scalar that cannot be anything else in a flow context.
_FLOW_ITEM = re.compile(rf"{_PLAIN_START}[^,]*")
# An item of a block list (`  - value`): its indent, and a value as a plain one above.
_BLOCK_ITEM = re.compile(rf"( *)- +({_PLAIN_START}[^\t]*?) *")
# Characters YAML reads as line breaks beyond '\n' (or as a byte-order mark).
_YAML_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff", "\r")


def _plain(fm: str) -> dict[str, str | list[str]] | None:
    """The front matter as YAML's BaseLoader reads it, when every line is a simple
    `key: value` (or blank, or a comment); None otherwise (YAML must read it).

    Most front matter is such lines, and the YAML constructor (Python, even over libyaml)
    was a fifth of a post's load. A value is one of: a plain scalar holding none of YAML's
    syntax (no ': ' or ' #', no ':' at the end, no tab, no indicator first); a double-
    quoted one without '\\' or '"' inside, or a single-quoted one without "'" inside;
    a flow list `[a, b c]` of such plain items, or a block list of them (`key:` and then
    `- item` lines, indented alike). Trailing spaces go, as in YAML.
    `tests/test_properties.py` compares it with YAML on generated lines.
    """
    if any(c in fm for c in _YAML_BREAKS):
        return None
    result: dict[str, str | list[str]] = {}
    listing: tuple[str, str | None] | None = None   # (key, indent) of a block list read
    for line in fm.split("\n"):
        if not line.strip(" ") or line.lstrip(" ").startswith("#"):
            continue
        m = _SIMPLE_LINE.fullmatch(line)
        if m is None:
            # an item of a block list: `- value` lines, all indented alike, after `key:`
            item = _BLOCK_ITEM.fullmatch(line)
            if item is None or listing is None or listing[1] not in (None, item[1]):
                return None
            value = item[2]
            if _yaml_inside(value):
                return None
            key = listing[0]
            if listing[1] is None:
                result[key] = []
                listing = (key, item[1])
            result[key].append(value)
            continue
        key, bare, double, single, flow = m.groups()
        listing = (key, None) if m[0].rstrip(" ") == f"{key}:" else None
        if flow is not None:
            items = [item.strip(" ") for item in flow.split(",")]
            if items[-1] == "":         # `[a, b,]`, and `[]`
                items.pop()
            if not all(_FLOW_ITEM.fullmatch(item) for item in items):
                return None
            result[key] = items
            continue
        if bare and _yaml_inside(bare):
            return None
        result[key] = bare or double or single or ""
    return result


def _yaml_inside(value: str) -> bool:
    """A plain value YAML reads otherwise: a mapping (': ', or ':' at the end) or a
    comment (' #') inside it."""
    return ": " in value or " #" in value or value.endswith(":")


def _split(text: str, path: str) -> tuple[dict, str, list[str]]:
    """Front matter dict, body, warnings."""
    if not _FM_START.match(text):
        raise PostError(path, "no front matter: a post starts with a '---' line, then "
                              "'title: ...' and the other keys, then '---'", 1)
    handler, yaml_error = _handler()
    try:
        fm, body = handler.split(text)    # python-frontmatter's own '---' split
    except ValueError:
        raise PostError(path, "front matter is not closed: add a '---' line after the keys",
                        1) from None
    body = body.lstrip("\n")
    # YAML refuses raw control characters; every value would drop them anyway (clean_text).
    fm = clean_text(fm)
    warnings: list[str] = []
    m = _PY_TAG.search(fm)
    if m:
        raise PostError(path, f"front matter is not valid YAML: tag {m.group(0)!r} is not "
                              "allowed (feedletter never constructs objects)",
                        fm.count("\n", 0, m.start()) + 1)
    keys = _TOP_KEY.findall(fm)
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    try:
        meta = _plain(fm)
        if meta is None:
            meta = handler.load(fm)
    except yaml_error as exc:
        mark = getattr(exc, "problem_mark", None)
        # `fm` starts right after the opening '---' (its line 0 is file line 1).
        line = mark.line + 1 if mark is not None else None
        loose = _lenient(fm)
        if loose is None:
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise PostError(path, f"front matter is not valid YAML: {reason}", line) from None
        meta = loose
        bad = [k for k, v in loose.items() if ": " in v]
        hint = f" (quote the value of '{bad[0]}', e.g. {bad[0]}: \"{loose[bad[0]]}\")" if bad else ""
        where = f"{path}:{line}" if line else path
        warnings.append(f"{where}: front matter is not valid YAML; read it as plain "
                        f"'key: value' lines{hint}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise PostError(path, "front matter must be 'key: value' lines, not a "
                              f"{type(meta).__name__}", 2)
    for key in dupes:
        warnings.append(f"{path}: key '{key}' appears more than once in the front matter; "
                        "the last one is used")
    return meta, body, warnings


def _scalar(meta: dict, key: str, path: str) -> str | None:
    value = meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, (list, dict)):
        raise PostError(path, f"'{key}' must be text, not a {type(value).__name__}")
    return clean_text(str(value)).strip() or None


def _first(meta: dict, keys: Iterable[str], path: str) -> str | None:
    for key in keys:
        value = _scalar(meta, key, path)
        if value is not None:
            return value
    return None


def _flag(meta: dict, key: str, path: str) -> bool | None:
    value = _scalar(meta, key, path)
    if value is None:
        return None
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise PostError(path, f"'{key}' must be true or false, not {value!r}")


def _items(meta: dict, keys: Iterable[str], path: str) -> list[str]:
    """A comma-separated string or a YAML list → non-blank strings, each once."""
    for key in keys:
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, dict):
            # str() of a mapping would expand every YAML alias in it (billion laughs).
            raise PostError(path, f"'{key}' must be a list of names, not a mapping")
        raw = value if isinstance(value, list) else str(value).split(",")
        items: list[str] = []
        seen: set[str] = set()
        for item in raw:
            if isinstance(item, (list, dict)):
                raise PostError(path, f"'{key}' must be a list of names, not a nested "
                                      f"{type(item).__name__}")
            if item in seen:      # an alias repeated 10,000 times is one long string, once
                continue
            seen.add(item)
            text = " ".join(clean_text(str(item)).split())
            if text:
                items.append(text)
        return items
    return []


def _tags(meta: dict, path: str, warnings: list[str],
          canonical: dict[str, str] | None = None) -> tuple[str, ...]:
    """The post's tags, one per distinct name (`names.name_key`), `[tags.aliases]` applied."""
    seen: dict[str, str] = {}
    items = _items(meta, ("tags", "tag"), path)
    for tag in items:
        if canonical:
            tag = canonical.get(name_key(tag), tag)
        key = name_key(tag)
        if not slugify(tag):
            warnings.append(f"{path}: tag {tag!r} has no letters or digits usable in a feed "
                            "name; ignored")
            continue
        if key not in seen and len(seen) == MAX_TAGS:
            warnings.append(f"{path}: {len(items)} tags; only the first {MAX_TAGS} are used")
            break
        seen.setdefault(key, tag)
    return tuple(seen.values())


def _alias(text: str, m: re.Match[str] | None, aliases: dict[str, str]) -> str | None:
    """The username whose `aliases` name this author (as written, by name or by email)."""
    if not aliases:
        return None
    for candidate in (text, *(m.group("name", "email") if m else ())):
        if candidate and (username := aliases.get(name_key(candidate))):
            return username
    return None


def _authors(meta: dict, config: Config, path: str, warnings: list[str]) -> tuple[Author, ...]:
    result: list[Author] = []
    items = _items(meta, ("authors", "author"), path)
    for text in items:
        m = _ANGLE_EMAIL.match(text) or _BARE_EMAIL.match(text)
        alias = _alias(text, m, config.author_aliases)
        if text in config.authors:
            author = config.authors[text]
        elif alias:
            author = config.authors[alias]
        else:
            if m:
                name = m["name"].strip().strip('"') or m["email"]
                author = Author(slugify(name) or slugify(m["email"]), name, m["email"])
            else:
                author = Author(slugify(text), text)
            if not author.username:
                continue
        if author not in result:
            if len(result) == MAX_AUTHORS:
                warnings.append(f"{path}: {len(items)} authors; only the first {MAX_AUTHORS} "
                                "are used")
                break
            result.append(author)
    if not result:
        result.append(Author(slugify(config.author) or "author", config.author))
    return tuple(result)


def _slug_from_name(name: str) -> str:
    stem = name
    for suffix in POST_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return re.sub(r"^\d{4}-\d{2}-\d{2}-", "", stem)


# What `clean_text` drops, as UTF-8: C0 controls and DEL (bytes), C1 controls (U+0080-
# U+009F) and the two non-characters (sequences); surrogates never decode from UTF-8.
_C0_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13)) + b"\x7f"
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_NONCHAR_UTF8 = re.compile(rb"\xef\xbf[\xbe\xbf]")


@dataclass(frozen=True)
class _Hints:
    """What a post file's bytes rule out, found with byte operations that cost a third of
    the two regular expressions over the body they spare."""

    dirty: bool = True      # may hold characters `clean_text` drops
    marked: bool = True     # may hold an excerpt marker

    @classmethod
    def of(cls, raw: bytes) -> _Hints:
        dirty = (len(raw.translate(None, _C0_BYTES)) != len(raw)
                 or (b"\xc2" in raw and _C1_UTF8.search(raw) is not None)
                 or (b"\xef\xbf" in raw and _NONCHAR_UTF8.search(raw) is not None))
        # (cleaning may join a marker: "READ\x00MORE")
        marked = dirty or b"<!--" in raw or b"readmore" in raw.lower()
        return cls(dirty, marked)


_UNKNOWN = _Hints()


def _summary_and_body(meta: dict, body: str, path: str,
                      hints: _Hints = _UNKNOWN) -> tuple[str | None, str]:
    """The summary (front matter, or the text before an excerpt marker) and the body
    without the marker, cleaned (`clean_text`)."""
    if hints.dirty:
        body = clean_text(body)
    summary = _first(meta, ("summary", "excerpt", "description"), path)
    m = _MARKER_LINE.search(body) if hints.marked else None
    if m:
        before = body[: m.start()]
        body = before + body[m.end():]
        if summary is None and before.strip():
            summary = before.strip()
        body = _MARKER_LINE.sub("", body)
    return summary, body


def _normalized(text: str) -> str:
    """Unix newlines and no byte-order mark: the text `parse_post` and `read_body` split."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[1:] if text.startswith("\ufeff") else text


def parse_post(text: str, path: str, config: Config, *, raw: bytes | None = None,
               file_digest: str = "") -> Post:
    """Text of one post file → Post. Raises PostError naming `path` (and line).

    `raw`: the file's bytes the text was decoded from, if at hand (they make it cheaper);
    `file_digest`: their hash, kept as the post's `digest`.

    Whether the post is published yet depends on the moment: see `is_published`.
    """
    meta, body, warnings = _split(_normalized(text), path)
    unknown = sorted(k for k in meta if isinstance(k, str) and k.lower() not in _KNOWN_KEYS)
    for key in unknown:
        near = {"dete": "date", "titel": "title", "tittle": "title", "tag": "tags",
                "autor": "author", "auther": "author", "summery": "summary"}.get(key.lower())
        if near:
            warnings.append(f"{path}: unknown front matter key '{key}' (did you mean '{near}'?)")

    title = _scalar(meta, "title", path)
    if title is None:
        raise PostError(path, "no title: add 'title: ...' to the front matter", 2)
    title = " ".join(clean_text(html.unescape(title)).split())
    if not title:
        raise PostError(path, "the title is empty", 2)

    name = os.path.basename(path)
    zones, tz = config.zones, config.timezone
    date_text = meta.get("date")
    try:
        if date_text not in (None, ""):
            if isinstance(date_text, (list, dict)):
                raise ValueError("a date must be text, not a list")
            published = parse_date(clean_text(str(date_text)), tz, zones)
        else:
            day = date_from_filename(name)
            if day is None:
                raise PostError(path, "no date: add 'date: YYYY-MM-DD' to the front matter "
                                      "or start the file name with YYYY-MM-DD-")
            published = parse_date(day, tz, zones)
        updated_text = _first(meta, ("updated", "modified"), path)
        updated = parse_date(updated_text, tz, zones) if updated_text else published
    except ValueError as exc:
        raise PostError(path, str(exc)) from None
    for moment in (published, updated):
        if moment.year < MIN_YEAR:   # RSS dates cannot carry it; almost surely a typo
            raise PostError(path, f"date {moment.date().isoformat()} is before {MIN_YEAR} "
                                  "(a typo?)")

    draft = _flag(meta, "draft", path) is True or _flag(meta, "published", path) is False

    slug_text = _scalar(meta, "slug", path) or _slug_from_name(name)
    slug = quote(slug_text.strip("/"), safe="-._~")
    if not slug:
        raise PostError(path, "empty slug: set 'slug: ...' in the front matter")
    if not slug.strip("."):     # '..' in a link points at the folder above the post
        raise PostError(path, f"slug {slug!r} is only dots: set 'slug: ...' in the front matter")
    link_key = next((k for k in ("permalink", "url") if _scalar(meta, k, path)), None)
    if link_key:
        given = _scalar(meta, link_key, path) or ""
        link = urljoin(config.site_url + "/", quote(given, safe=_URI_SAFE))
        if urlsplit(link).scheme not in ("http", "https"):
            raise PostError(path, f"'{link_key}' must be an http(s) URL or a path, not {given!r}")
    else:
        local = published.astimezone(published.tzinfo)
        link = config.link_pattern.format(
            site_url=config.site_url, year=f"{local.year:04d}", month=f"{local.month:02d}",
            day=f"{local.day:02d}", slug=slug)
    entry_id = _scalar(meta, "id", path)
    explicit = entry_id is not None
    if entry_id is not None and not _URI.match(entry_id):
        # An Atom id must be a URI: keep the author's id, inside a tag URI of the site.
        uri = f"tag:{config.domain},2000:{quote(entry_id, safe=_URI_SAFE)}"
        warnings.append(f"{path}: 'id' {entry_id!r} is not a URI; the feeds use {uri!r}")
        entry_id = uri
    if entry_id is None:
        entry_id = f"tag:{config.domain},{published.date().isoformat()}:/{slug}"

    hints = _Hints.of(raw) if raw is not None else _UNKNOWN
    summary, body = _summary_and_body(meta, body, path, hints)
    tags = _tags(meta, path, warnings, config.tags.canonical)
    image, image_alt = _image(meta, link, path, warnings)
    return Post(
        source=path, title=title, date=published, updated=updated, tags=tags,
        authors=_authors(meta, config, path, warnings), slug=slug, link=link, id=entry_id,
        body=body, summary=summary, draft=draft, explicit_id=explicit,
        warnings=tuple(warnings), digest=file_digest, image=image, image_alt=image_alt,
        in_digest=_flag(meta, "digest", path) is not False,
    )


def _image(meta: dict, link: str, path: str, warnings: list[str]) -> tuple[str | None, str | None]:
    """The post's own picture for the digest: a URL (relative to the post's link) or a
    mapping with `src`/`url` and `alt` (Hugo's and Jekyll's themes write both)."""
    for key in IMAGE_KEYS:
        value = meta.get(key)
        alt = _scalar(meta, "image_alt", path)
        if isinstance(value, dict):
            alt = alt or (clean_text(str(value.get("alt") or "")).strip() or None)
            value = value.get("src") or value.get("url") or value.get("path")
        if isinstance(value, list) or not value or not str(value).strip():
            continue
        url = urljoin(link, quote(clean_text(str(value)).strip(), safe=_URI_SAFE))
        if urlsplit(url).scheme not in ("http", "https"):
            warnings.append(f"{path}: '{key}' {value!r} is not an http(s) URL or a path; "
                            "no image in the digest")
            return None, None
        return url, alt
    return None, None


def read_body(path: Path, root: Path, config: Config, file_digest: str) -> str | None:
    """The body of a post parsed earlier, from its file again: what `parse_post` gives as
    `body` when the file's bytes still hash to `file_digest` (None when they do not), at
    a fraction of the cost (the front matter is split off, not parsed again)."""
    text, raw = read_post(str(path), root, config.max_post_bytes)
    if digest(raw) != file_digest:
        return None
    _, body = _handler()[0].split(_normalized(text))
    return _summary_and_body({}, body.lstrip("\n"), str(path), _Hints.of(raw))[1]


def is_published(post: Post, now: datetime) -> bool:
    return not post.draft and post.date <= now


def discover(posts_dir: Path) -> Iterator[str]:
    """Paths of the post files under `posts_dir`, sorted, never following symlinked folders.

    Strings, not Path objects, and os.scandir, not os.walk: on a 10,000-post site this
    walk is most of what a no-change build does.
    """
    def walk(folder: str) -> Iterator[str]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from walk(entry.path)
            elif name.lower().endswith(POST_SUFFIXES):
                yield entry.path
    yield from walk(str(posts_dir))


def read_post(path: str, root: Path, max_bytes: int) -> tuple[str, bytes]:
    """One post file → (its text, its bytes), or PostError naming it with the reason."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:   # os.walk gives undecodable bytes as lone surrogates
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise PostError(shown, "file name is not UTF-8; rename the file") from None
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:    # listed a moment ago (discover): renamed or deleted since
        raise PostError(path, "changed while the build was running (the file is gone)") from None
    except OSError:
        mode = 0                 # the open below says why
    if stat.S_ISLNK(mode):
        try:
            target = Path(path).resolve()
        except (OSError, RuntimeError):      # RuntimeError: a link loop (Python < 3.13)
            raise PostError(path, "symbolic link loop; not followed") from None
        if not target.is_relative_to(root.resolve()):
            raise PostError(path, f"symbolic link to {target} outside the posts folder; "
                                  "not followed")
        if target.is_dir():
            raise PostError(path, "is a folder, not a post file")
    elif stat.S_ISDIR(mode):
        raise PostError(path, "is a folder, not a post file")
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer that never comes.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise PostError(path, "not a regular file (a pipe, socket or device); "
                                      "not read")
            if st.st_size > max_bytes:
                raise PostError(path, f"file is {st.st_size:,} bytes, over the limit of "
                                      f"{max_bytes:,} (feeds.max_post_bytes)")
            # st_size + 1 (a file growing while read is still caught below); reading
            # max_bytes + 1 at once would allocate 10 MB for every 4 kB post.
            data = _read_fd(fd, min(st.st_size, max_bytes) + 1)
            if len(data) > st.st_size:      # it grew: read the rest, still bounded
                data += _read_fd(fd, max_bytes + 1 - len(data))
        finally:
            os.close(fd)
    except OSError as exc:
        raise PostError(path, f"cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise PostError(path, f"file is over the limit of {max_bytes:,} bytes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PostError(path, "file is UTF-16; save it as UTF-8")
    if len(data) >= 4 and (data[1:4:2] == b"\0\0" or data[0:4:2] == b"\0\0"):
        raise PostError(path, "file is UTF-16 (without a byte-order mark); save it as UTF-8")
    try:
        return data.decode("utf-8-sig"), data
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PostError(path, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file "
                              "as UTF-8", line) from None


def _read_fd(fd: int, size: int) -> bytes:
    """Up to `size` bytes from `fd`, fewer only at the end of the file."""
    parts = []
    while size > 0:
        part = os.read(fd, size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


@dataclass
class LoadResult:
    posts: list[Post]
    errors: list[PostError]
    warnings: list[str]
    skipped: int = 0
    parsed: int = 0          # files read and parsed this run (the rest came from the cache)
    next_publish: datetime | None = None   # the earliest date of a post not published yet


def load_one(path: Path | str, root: Path, config: Config) -> tuple[str, object]:
    """One file → ("post", Post) | ("error", PostError) | ("note", warning). Never raises."""
    display = str(path)
    try:
        text, raw = read_post(display, root, config.max_post_bytes)
        if not _FM_START.match(text.lstrip("\ufeff")) and \
                date_from_filename(os.path.basename(display)) is None:
            # README.md, NOTES.md: documents beside the posts, not posts.
            return "note", f"{display}: no front matter and no date in the name; not a post, skipped"
        return "post", parse_post(text, display, config, raw=raw, file_digest=digest(raw))
    except PostError as exc:
        return "error", exc


def _load_chunk(args: tuple[list[str], str, Config, bool]) -> list[tuple[str, object]]:
    paths, root, config, keep_bodies = args
    folder = Path(root)
    outcomes = [load_one(p, folder, config) for p in paths]
    if keep_bodies:
        return outcomes
    return [("post", value.slim()) if kind == "post" else (kind, value)
            for kind, value in outcomes]


def scan_posts(posts_dir: Path) -> list[tuple[str, str]]:
    """(path, stat key) of every post file: what decides whether anything changed."""
    if not posts_dir.is_dir():
        raise PostError(str(posts_dir), "posts folder not found")
    result = []
    for display in discover(posts_dir):
        try:
            key = stat_key(os.stat(display))
        except OSError:
            key = ""
        result.append((display, key))
    return result


def load_posts(config: Config, posts_dir: Path | None = None, *, now: datetime,
               cache: Cache | None = None, pool: PoolFactory | None = None,
               keep_bodies: bool = True,
               save_over: int = 0, scan: list[tuple[str, str]] | None = None) -> LoadResult:
    """Every post file under the posts folder → published posts, errors, warnings.

    With a cache, files whose stat is unchanged are not read again (their posts come back
    without bodies); with a process pool, the files that must be parsed are spread over
    its workers. `keep_bodies=False` drops every body (a renderer reads the file again):
    memory then grows with the number of posts, not with their size. The shards of the
    cache's snapshot holding changed files are rewritten when more than `save_over` files
    had to be parsed (a digest leaves a few for the next build, which rewrites them anyway).
    """
    posts_dir = posts_dir or config.posts_dir
    if scan is None:
        scan = scan_posts(posts_dir)
    known = cache.posts() if cache is not None else {}
    snapshot: dict[str, tuple[str, tuple[str, object]]] = {}
    misses: list[str] = []
    for display, key in scan:
        hit = known.get(display)
        if hit is not None and key and hit[0] == key:
            snapshot[display] = hit
        else:
            snapshot[display] = (key, ("note", ""))
            misses.append(display)
    if pool is not None and len(misses) >= 400:
        # small chunks: the workers end together
        chunks = chunked(misses, 32, minimum=50)
        results = pool().map(_load_chunk, [(c, str(posts_dir), config, keep_bodies)
                                           for c in chunks])
        fresh = [item for chunk in results for item in chunk]
    else:
        fresh = _load_chunk((misses, str(posts_dir), config, keep_bodies))
    outcomes = {display: outcome for display, (_, outcome) in snapshot.items()}
    for display, outcome in zip(misses, fresh, strict=True):
        outcomes[display] = outcome
        kind, value = outcome
        snapshot[display] = (snapshot[display][0],
                             (kind, value.slim()) if kind == "post" else outcome)
    gone = [display for display in known if display not in snapshot]
    if cache is not None and (len(misses) > save_over or gone):
        saved = {d: v for d, v in snapshot.items() if v[0]}
        dirty = {shard_of(d) for d in (*misses, *gone)}
        cache.defer(lambda: cache.put_posts(saved, dirty))

    result = LoadResult([], [], [], parsed=len(misses))
    for display in snapshot:      # discovery order: sorted, deterministic
        kind, value = outcomes[display]
        if kind == "note":
            result.warnings.append(value)
        elif kind == "error":
            result.errors.append(value)
        else:
            result.warnings.extend(value.warnings)
            if is_published(value, now):
                result.posts.append(value)
            else:
                result.skipped += 1
                if not value.draft and (result.next_publish is None
                                        or value.date < result.next_publish):
                    result.next_publish = value.date
    _warn_stray_files(posts_dir, result.warnings)
    return result


def _warn_stray_files(posts_dir: Path, warnings: list[str]) -> None:
    """Files that look like posts (front matter) but have another extension are named."""
    for dirpath, dirnames, filenames in os.walk(posts_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fname in sorted(filenames):
            if fname.lower().endswith(POST_SUFFIXES) or fname.startswith("."):
                continue
            path = Path(dirpath) / fname
            try:
                with path.open("rb") as fh:
                    head = fh.read(4)
            except OSError:
                continue
            if head in (b"---\n", b"---\r"):
                warnings.append(f"{path}: has front matter but not a post extension "
                                f"({', '.join(POST_SUFFIXES)}); not published")


