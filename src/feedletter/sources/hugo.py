"""Hugo's rules for pages, as its documentation and source state them.

Docs: https://gohugo.io/content-management/front-matter/ (fields, dates),
https://gohugo.io/content-management/urls/ (default paths, `slug`, `url`, `permalinks`,
`aliases`), https://gohugo.io/content-management/page-bundles/ (leaf bundles),
https://gohugo.io/content-management/taxonomies/,
https://gohugo.io/methods/page/date/ and .../publishdate/, .../expirydate/;
source: gohugoio/hugo `resources/page/pagemeta/page_frontmatter.go` (date fallbacks),
`resources/page/permalinks.go` (tokens), `common/paths/path.go` (`Sanitize`).

- pages are the Markdown files under the content folder (`paths.posts`); `_index.md` is a
  section (a list page), not a page; in a leaf bundle `dir/index.md` is the page and the
  other files of `dir/` are its resources; `headless: true` pages and those whose
  build options say `render: never` or `list: never` are in no feed;
- front-matter keys in any case; dates: `date` (else `publishDate`, `pubdate`,
  `published`, `lastmod`, `modified`), `publishDate` (else `date`), `lastmod` (else
  `modified`, `date`), `expiryDate` (`unpublishdate`); without an offset in `timeZone`
  (`[site] timezone`); without any date Hugo dates a page 0001-01-01: here a bad post,
  unless `[source] date_pattern` finds one in its path;
- not published: `draft: true` (`buildDrafts`: `[source] drafts`), a `publishDate` after
  now (`buildFuture`, default false: `[source] future`), an `expiryDate` before now;
- taxonomies: `tags` and `categories` by default, or `[source] taxonomies`; the
  `categories` taxonomy gives categories, every other one tags;
- links: `url` as given; else the section's pattern in `[source] permalinks`; else the
  file's path under the content folder, the bundle's folder name for `index.md`, its last
  segment replaced by `slug`; paths sanitized and lower-cased as `urlize` does; `aliases`
  relative to the page's folder unless absolute.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

from ..config import Author
from ..errors import PostError
from . import fields
from .fields import Doc
from .model import clean_text, slugify
from .parse import NotAPost, Reading

DOCS = "https://gohugo.io/content-management/urls/"
FORMATS = ("yaml", "toml", "json")
SUFFIXES = (".md", ".markdown", ".mdown")
TAXONOMIES = {"tag": "tags", "category": "categories"}
# page_frontmatter.go: the default `[frontmatter]` configuration, each list in order
DATE = ("date", "publishdate", "pubdate", "published", "lastmod", "modified")
PUBLISH_DATE = ("publishdate", "pubdate", "published", "date")
LASTMOD = ("lastmod", "modified", "date", "publishdate", "pubdate", "published")
EXPIRY_DATE = ("expirydate", "unpublishdate")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")


def is_post(rel: str, root: str, config) -> bool:
    parts = rel.split("/")
    if os.path.splitext(parts[-1])[0] == "_index":
        return False
    # a file below a leaf bundle's folder (other than its index.md) is a page resource
    for depth in range(1, len(parts) - (parts[-1].startswith("index.") and 1 or 0)):
        if _is_bundle(root, "/".join(parts[:depth])):
            return False
    return True


@lru_cache(maxsize=4096)
def _is_bundle(root: str, folder: str) -> bool:
    return any(os.path.isfile(os.path.join(root, folder, f"index{s}")) for s in SUFFIXES)


def bare(doc: Doc) -> dict:
    raise PostError(doc.path, "no front matter: a Hugo page starts with '---' (YAML), '+++' "
                              "(TOML) or '{' (JSON)", 1)


def urlize(text: str, lower: bool = True) -> str:
    """paths.Sanitize (letters, digits, marks and `./\\_#+~-@` kept, a run of spaces as one
    '-', everything else dropped), lower-cased, then URL-escaped: Hugo's `urlize`."""
    out: list[str] = []
    hyphen = False
    for ch in text:
        allowed = (ch != " " and (ch.isalpha() or ch.isdigit() or ch in "./\\_#+~-@"
                                  or unicodedata.category(ch).startswith("M")))
        if allowed:
            if hyphen and ch != "-" and out and out[-1] != "-":
                out.append("-")
            hyphen = False
            out.append(ch)
        elif out and out[-1] != "-" and ch.isspace():
            hyphen = True
    result = "".join(out)
    return quote(result.lower() if lower else result, safe="/._~#+@-\\")


def _meta(doc: Doc) -> dict:
    """Hugo reads front-matter keys in any case."""
    return {k.lower() if isinstance(k, str) else k: v for k, v in doc.meta.items()}


def _first_date(doc: Doc, meta: dict, keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        if meta.get(key) not in (None, ""):
            return doc.date(meta[key])
    return None


def authors(value: object, doc: Doc) -> list[Author | str]:
    """`author` as sites write it for their theme: names, `[Name](url)` Markdown links
    with an affiliation after them (`[Ann](https://…) (Acme), [Bob](…)`), comma-separated."""
    names = fields.items({"author": value}, ("author",), doc.path, sep=None) \
        if isinstance(value, list) else [" ".join(str(value).split())]
    result: list[Author | str] = []
    for text in names:
        linked = _MD_LINK.search(text) is not None
        for part in _split_outside(text):
            m = _MD_LINK.search(part)
            if m is None:
                # beside linked names a plain part is an affiliation (`[Ann](…), Acme`)
                if part.strip() and not linked:
                    result.append(part.strip())
                continue
            name = clean_text(m[1]).strip()
            if name:
                result.append(Author(slugify(name), name, None, m[2] or None))
    return result


def _split_outside(text: str) -> list[str]:
    """Split on commas and ' and ' outside brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "[(" and 1 or (ch in "])" and -1 or 0)
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for part in parts for p in re.split(r"\s+and\s+(?![^\[]*\])", part) if p.strip()]


def read(doc: Doc) -> Reading:
    meta = _meta(doc)
    source = doc.config.source
    build = meta.get("build") if isinstance(meta.get("build"), dict) else {}
    build = {str(k).lower(): str(v).lower() for k, v in build.items()}
    # https://gohugo.io/content-management/build-options/: `render: never` pages are not
    # published, `list: never` ones are left out of every page collection (feeds too)
    if fields.flag(meta, "headless", doc.path) or build.get("render") in ("never", "false") \
            or build.get("list") in ("never", "false"):
        raise NotAPost(f"{doc.path}: Hugo neither lists nor renders it (headless, or build "
                       "options 'never'); not a post, skipped")
    title = fields.title(Doc(doc.path, doc.rel, meta, doc.config, doc.warnings))
    date = _first_date(doc, meta, DATE) or fields.date_from_pattern(doc, doc.rel)
    if date is None:
        raise PostError(doc.path, "no date: Hugo dates a page without 'date' 0001-01-01; add "
                                  "'date: YYYY-MM-DD' (or set [source] date_pattern)")
    publish = _first_date(doc, meta, PUBLISH_DATE) or date
    updated = _first_date(doc, meta, LASTMOD) or date
    expires = _first_date(doc, meta, EXPIRY_DATE)
    fields.check_year(doc.path, publish, expires)
    section = doc.parts[0] if len(doc.parts) > 1 else ""
    slug_given = fields.scalar(meta, "slug", doc.path)
    name = _content_name(doc)
    link = _link(doc, meta, date, title, slug_given, name, section)
    tags: list[str] = []
    categories: list[str] = []
    for plural in (dict(source.taxonomies) or TAXONOMIES).values():
        terms = fields.items(meta, (plural.lower(),), doc.path, sep=None) \
            if isinstance(meta.get(plural.lower()), list) else \
            fields.items(meta, (plural.lower(),), doc.path, sep="\0")
        (categories if plural.lower() == "categories" else tags).extend(terms)
    draft = fields.flag(meta, "draft", doc.path) is True and not source.drafts
    return Reading(
        title, date, updated, fields.checked_slug(doc.path, slug_given or name), link,
        tags=tags, categories=categories,
        authors=authors(meta["author"], doc) if meta.get("author") else
        fields.items(meta, ("authors",), doc.path),
        draft=draft, future=bool(source.future), available=publish if publish != date else None,
        expires=expires, aliases=_aliases(doc, meta, link), section=section)


def _content_name(doc: Doc) -> str:
    """The file name without its extension; a leaf bundle's folder name for index.md."""
    stem = os.path.splitext(doc.name)[0]
    if stem == "index" and len(doc.parts) > 1:
        return doc.parts[-2]
    return stem


def _link(doc: Doc, meta: dict, date: datetime, title: str, slug: str | None, name: str,
          section: str) -> str:
    url = fields.scalar(meta, "url", doc.path)
    if url:
        return fields.absolute(doc, "url", url if url.endswith("/") or "." in url.rsplit("/", 1)[-1]
                               else url + "/")
    pattern = dict(doc.config.source.permalinks).get(section)
    if pattern:
        path = _permalink(doc, pattern, date, title, slug, name, section)
    else:
        folders = doc.parts[:-2] if doc.parts[-1].startswith("index.") else doc.parts[:-1]
        path = "/" + "/".join([*folders, slug or name]) + "/"
        path = urlize(path)
    return fields.absolute(doc, "url", re.sub(r"/+", "/", path))


def _permalink(doc: Doc, pattern: str, date: datetime, title: str, slug: str | None,
               name: str, section: str) -> str:
    """permalinks.go: each `:token` of the section's pattern."""
    folders = doc.parts[:-2] if doc.parts[-1].startswith("index.") else doc.parts[:-1]
    values = {
        "year": date.strftime("%Y"), "month": date.strftime("%m"), "monthname": date.strftime("%B"),
        "day": date.strftime("%d"), "weekday": str(date.isoweekday() % 7),
        "weekdayname": date.strftime("%A"), "yearday": str(date.timetuple().tm_yday),
        "section": urlize(section), "sections": urlize("/".join(folders)),
        "title": urlize(title), "slug": urlize(slug or title),
        "filename": urlize(name), "contentbasename": urlize(name),
        "slugorfilename": urlize(slug or name), "slugorcontentbasename": urlize(slug or name),
    }

    def fill(m: re.Match[str]) -> str:
        if m[1] not in values:
            raise PostError(doc.path, f"permalink {pattern!r}: unknown token ':{m[1]}'")
        return values[m[1]]

    return re.sub(r":([a-z]+)", fill, pattern)


def _aliases(doc: Doc, meta: dict, link: str) -> tuple[str, ...]:
    found = fields.items(meta, ("aliases",), doc.path, sep=None) \
        if isinstance(meta.get("aliases"), list) else fields.items(meta, ("aliases",), doc.path)
    folder = link.rstrip("/").rsplit("/", 1)[0] + "/"
    return tuple(fields.absolute(doc, "aliases", a if a.endswith("/") else a + "/",
                                 base=None if a.startswith("/") else folder.rstrip("/"))
                 for a in found)

