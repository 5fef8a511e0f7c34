"""Reading front-matter values the way every flavour needs: text, flags, lists of names,
tags and authors, dates. A flavour says which keys mean what; these say how a value is
read and what is wrong with it."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote, urljoin, urlsplit

from ..config import Author, Config
from ..dates import MIN_YEAR, parse_date
from ..errors import PostError
from ..names import name_key
from .model import clean_text, slugify

POST_SUFFIXES = (".html.md", ".markdown", ".md")
_ANGLE_EMAIL = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>@\s]+@[^<>\s]+)>$")
_BARE_EMAIL = re.compile(r"^(?P<name>.*?)\s*\(?(?P<email>[^\s()<>@]+@[^\s()<>]+\.[^\s()<>]+)\)?$")
_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}
# Every tag and author of a post gets a feed that carries the post with all its tags and
# authors: without a bound, 10,000 tags on one post mean 30,000 files of 10,000 categories.
MAX_TAGS = 100
MAX_AUTHORS = 100
URI_SAFE = ":/?#[]@!$&'()*+,;=%-._~"
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[-_]|$)")


@dataclass(frozen=True)
class Doc:
    """One post file as a flavour reads it."""

    path: str                   # as shown in messages
    rel: str                    # relative to the posts folder, '/'-separated
    meta: dict
    config: Config
    warnings: list[str]
    format: str = "yaml"        # its front matter's format ("" for none)

    @property
    def name(self) -> str:
        return os.path.basename(self.rel)

    @property
    def parts(self) -> list[str]:
        return self.rel.split("/")

    def text(self, *keys: str) -> str | None:
        return first(self.meta, keys, self.path)

    def flag(self, key: str) -> bool | None:
        return flag(self.meta, key, self.path)

    def date(self, value: object) -> datetime:
        """A date value (text, or a day) in the site's zone when it names none."""
        try:
            if isinstance(value, (list, dict)):
                raise ValueError("a date must be text, not a list")
            if isinstance(value, date):
                return parse_date(value, self.config.timezone, self.config.zones)
            return parse_date(clean_text(str(value)), self.config.timezone, self.config.zones)
        except ValueError as exc:
            raise PostError(self.path, str(exc)) from None

    def first_date(self, *keys: str) -> datetime | None:
        for key in keys:
            value = self.meta.get(key)
            if value not in (None, ""):
                return self.date(value)
        return None


def scalar(meta: dict, key: str, path: str) -> str | None:
    value = meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, (list, dict)):
        raise PostError(path, f"'{key}' must be text, not a {type(value).__name__}")
    return clean_text(str(value)).strip() or None


def first(meta: dict, keys: Iterable[str], path: str) -> str | None:
    for key in keys:
        value = scalar(meta, key, path)
        if value is not None:
            return value
    return None


def flag(meta: dict, key: str, path: str) -> bool | None:
    value = scalar(meta, key, path)
    if value is None:
        return None
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise PostError(path, f"'{key}' must be true or false, not {value!r}")


def items(meta: dict, keys: Iterable[str], path: str, sep: str | None = ",") -> list[str]:
    """A list, or a string split on `sep` (None: on whitespace) → non-blank strings, each
    once; the first key present is read."""
    for key in keys:
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, dict):
            # str() of a mapping would expand every YAML alias in it (billion laughs).
            raise PostError(path, f"'{key}' must be a list of names, not a mapping")
        raw = value if isinstance(value, list) else str(value).split(sep)
        result: list[str] = []
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
                result.append(text)
        return result
    return []


def words(meta: dict, keys: Iterable[str], path: str) -> list[str]:
    """Jekyll's reading of a `tags` or `categories` string: split on whitespace, and on
    commas too (authors write `tags: a, b` meaning two); a list is taken as it is."""
    for key in keys:
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            value = re.split(r"[\s,]+", value)
        return items({key: value}, (key,), path)
    return []


def title(doc: Doc, keys: Iterable[str] = ("title",)) -> str:
    """The title, required: entities decoded (`&mdash;`), whitespace runs as one space."""
    text = first(doc.meta, keys, doc.path)
    if text is None:
        raise PostError(doc.path, "no title: add 'title: ...' to the front matter", 2)
    return checked_title(doc.path, text)


def checked_title(path: str, text: str) -> str:
    text = " ".join(clean_text(html.unescape(text)).split())
    if not text:
        raise PostError(path, "the title is empty", 2)
    return text


def checked_slug(path: str, text: str) -> str:
    """A slug as it goes into a link: percent-encoded, never empty or only dots."""
    slug = quote(text.strip("/"), safe="-._~")
    if not slug:
        raise PostError(path, "empty slug: set 'slug: ...' in the front matter")
    if not slug.strip("."):     # '..' in a link points at the folder above the post
        raise PostError(path, f"slug {slug!r} is only dots: set 'slug: ...' in the front matter")
    return slug


def absolute(doc: Doc, key: str, given: str, base: str | None = None) -> str:
    """A link given in the front matter (a URL, or a path against the site), checked."""
    link = urljoin((base or doc.config.site_url) + "/", quote(given, safe=URI_SAFE))
    if urlsplit(link).scheme not in ("http", "https"):
        raise PostError(doc.path, f"'{key}' must be an http(s) URL or a path, not {given!r}")
    return link


def unique_names(names: list[str], path: str, warnings: list[str], what: str = "tag",
                 canonical: dict[str, str] | None = None) -> tuple[str, ...]:
    """Names with a usable feed slug, one per distinct name (`names.name_key`), the first
    spelling of each, `[tags.aliases]` applied (`canonical`), at most MAX_TAGS."""
    seen: dict[str, str] = {}
    for name in names:
        if canonical:
            name = canonical.get(name_key(name), name)
        key = name_key(name)
        if not slugify(name):
            warnings.append(f"{path}: {what} {name!r} has no letters or digits usable in a "
                            "feed name; ignored")
            continue
        if key not in seen and len(seen) == MAX_TAGS:
            warnings.append(f"{path}: {len(names)} {what}s; only the first {MAX_TAGS} are used")
            break
        seen.setdefault(key, name)
    return tuple(seen.values())


def authors(names: list[str | Author], config: Config, path: str,
            warnings: list[str]) -> tuple[Author, ...]:
    result: list[Author] = []
    for text in names:
        if isinstance(text, Author):      # a flavour made it (a name with a link)
            alias = _alias(text.name, None, config.author_aliases)
            author = config.authors[alias] if alias else config.authors.get(text.username, text)
        elif text in config.authors:
            author = config.authors[text]
        elif alias := _alias(text, m := _ANGLE_EMAIL.match(text) or _BARE_EMAIL.match(text),
                             config.author_aliases):
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
                warnings.append(f"{path}: {len(names)} authors; only the first {MAX_AUTHORS} "
                                "are used")
                break
            result.append(author)
    if not result:
        result.append(Author(slugify(config.author) or "author", config.author))
    return tuple(result)


def _alias(text: str, m: re.Match[str] | None, aliases: dict[str, str]) -> str | None:
    """The username whose `aliases` name this author (as written, by name or by email)."""
    if not aliases:
        return None
    for candidate in (text, *(m.group("name", "email") if m else ())):
        if candidate and (username := aliases.get(name_key(candidate))):
            return username
    return None


def strip_suffix(name: str, suffixes: Iterable[str] = POST_SUFFIXES) -> str:
    for suffix in suffixes:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def slug_from_name(name: str) -> str:
    return re.sub(r"^\d{4}-\d{2}-\d{2}-", "", strip_suffix(name))


def day_prefix(name: str) -> tuple[date, str] | None:
    """A `YYYY-MM-DD-` (or `_`) prefix of a file or folder name, if it is a real day,
    and the rest of the name."""
    m = _DATE_PREFIX.match(name)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])), name[m.end():]
    except ValueError:
        return None


def date_from_pattern(doc: Doc, *texts: str | None) -> datetime | None:
    """`[source] date_pattern` searched in each text in turn (a `path`, a permalink, the
    file's path): for sites that keep the date only there."""
    pattern = doc.config.source.date_pattern
    if not pattern:
        return None
    for text in texts:
        m = re.search(pattern, text) if text else None
        if m:
            try:
                day = date(int(m["year"]), int(m["month"]), int(m["day"]))
            except ValueError:
                continue
            return doc.date(day)
    return None


def check_year(path: str, *moments: datetime | None) -> None:
    for moment in moments:
        if moment is not None and moment.year < MIN_YEAR:
            # RSS dates cannot carry it; almost surely a typo
            raise PostError(path, f"date {moment.date().isoformat()} is before {MIN_YEAR} "
                                  "(a typo?)")
