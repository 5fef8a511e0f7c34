"""One post file's text → `Post`: the front matter split off by its format, read by the
site's flavour (whose rules say title, dates, slug, link, tags...), then what every post
gets alike: its id, summary, cleaned body, tag and author lists.

A flavour is a module of this package with:

    DOCS                       the generator's documentation it follows (a URL)
    FORMATS                    the front-matter formats it reads (frontmatter.FORMATS)
    SUFFIXES                   the file name endings of its posts
    is_post(rel, root, config) is this file (its path relative to the posts folder
                               `root`) a post at all
    skip_dir(name)             (optional) a folder the generator never reads
    defaults(doc) -> dict      (optional) the front matter with the site's defaults under it
    bare(doc) -> dict          a file without front matter: its metadata, or raise
                               NotAPost (a note, skipped) or PostError (bad)
    read(doc) -> Reading       the generator's reading of the front matter and file name
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from types import ModuleType
from urllib.parse import quote, urljoin, urlsplit

from ..config import Author, Config
from .body import UNKNOWN, Hints, normalized, summary_and_body
from .fields import URI_SAFE, Doc, authors, check_year, flag, scalar, unique_names
from .frontmatter import split
from .model import Post, clean_text

# An absolute URI (IRI): a scheme, then no space or character that URIs never carry.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


class NotAPost(Exception):
    """A file beside the posts that is not one (README.md): skipped with a note."""


@dataclass(frozen=True)
class Reading:
    """What a flavour makes of one post's front matter and file name."""

    title: str
    date: datetime
    updated: datetime
    slug: str
    link: str
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    authors: list[str | Author] = field(default_factory=list)
    draft: bool = False
    future: bool = False
    available: datetime | None = None
    expires: datetime | None = None
    aliases: tuple[str, ...] = ()
    section: str = ""


@cache
def flavour(name: str) -> ModuleType:
    """The module of `[site] generator` (config.py checked the name)."""
    return importlib.import_module(f".{name}", __package__)


def relative(path: str, config: Config) -> str:
    """`path` relative to the posts folder, '/'-separated (as given if outside it)."""
    root = str(config.posts_dir).rstrip("/") + "/"
    return path[len(root):] if path.startswith(root) else path


def parse_post(text: str, path: str, config: Config, *, raw: bytes | None = None,
               file_digest: str = "", rel: str | None = None) -> Post:
    """Text of one post file → Post. Raises PostError naming `path` (and line), or
    NotAPost for a file that is not a post at all.

    `raw`: the file's bytes the text was decoded from, if at hand (they make it cheaper);
    `file_digest`: their hash, kept as the post's `digest`; `rel`: the path relative to
    the posts folder (default: found from `path` and `config.posts_dir`).

    Whether the post is published yet depends on the moment: see `is_published`.
    """
    rules = flavour(config.generator)
    fm = split(normalized(text), path, rules.FORMATS)
    warnings = list(fm.warnings)
    doc = Doc(path, rel if rel is not None else relative(path, config), fm.meta, config,
              warnings, fm.format)
    if not fm.format:
        doc = Doc(doc.path, doc.rel, rules.bare(doc), config, warnings, "")
    if hasattr(rules, "defaults"):       # the site's front-matter defaults (Jekyll)
        doc = Doc(doc.path, doc.rel, rules.defaults(doc), config, warnings, doc.format)
    got = rules.read(doc)
    check_year(path, got.date, got.updated)
    meta = doc.meta
    entry_id = scalar(meta, "id", path)
    explicit = entry_id is not None
    if entry_id is not None and not _URI.match(entry_id):
        # An Atom id must be a URI: keep the author's id, inside a tag URI of the site.
        uri = f"tag:{config.domain},2000:{quote(entry_id, safe=URI_SAFE)}"
        warnings.append(f"{path}: 'id' {entry_id!r} is not a URI; the feeds use {uri!r}")
        entry_id = uri
    if entry_id is None:
        entry_id = f"tag:{config.domain},{got.date.date().isoformat()}:/{got.slug}"

    hints = Hints.of(raw) if raw is not None else UNKNOWN
    summary, body = summary_and_body(meta, fm.body, path, hints)
    tags = unique_names(got.tags, path, warnings, canonical=config.tags.canonical)
    categories = unique_names(got.categories, path, warnings, "category")
    image, image_alt = _image(meta, got.link, path, warnings)
    return Post(
        source=path, title=got.title, date=got.date, updated=got.updated, tags=tags,
        authors=authors(got.authors, config, path, warnings), slug=got.slug, link=got.link,
        id=entry_id, body=body, summary=summary, draft=got.draft, explicit_id=explicit,
        warnings=tuple(warnings), digest=file_digest, categories=categories,
        section=got.section, aliases=got.aliases, future=got.future, available=got.available,
        expires=got.expires, image=image, image_alt=image_alt,
        in_digest=flag(meta, "digest", path) is not False,
    )


IMAGE_KEYS = ("image", "cover", "feature_image", "thumbnail")


def _image(meta: dict, link: str, path: str, warnings: list[str]) -> tuple[str | None, str | None]:
    """The post's own picture for the digest: a URL (relative to the post's link) or a
    mapping with `src`/`url` and `alt` (Hugo's and Jekyll's themes write both)."""
    for key in IMAGE_KEYS:
        value = meta.get(key)
        alt = scalar(meta, "image_alt", path)
        if isinstance(value, dict):
            alt = alt or (clean_text(str(value.get("alt") or "")).strip() or None)
            value = value.get("src") or value.get("url") or value.get("path")
        if isinstance(value, list) or not value or not str(value).strip():
            continue
        url = urljoin(link, quote(clean_text(str(value)).strip(), safe=URI_SAFE))
        if urlsplit(url).scheme not in ("http", "https"):
            warnings.append(f"{path}: '{key}' {value!r} is not an http(s) URL or a path; "
                            "no image in the digest")
            return None, None
        return url, alt
    return None, None
