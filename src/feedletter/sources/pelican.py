"""Pelican's rules for articles, as its documentation and source state them.

Docs: https://docs.getpelican.com/en/latest/content.html and .../settings.html;
source: getpelican/pelican `pelican/readers.py` (metadata lines, lower-cased keys; the
file name's date), `pelican/contents.py` (slug, category, url_format, status),
`pelican/settings.py` (defaults), `pelican/utils.py` (`slugify`).

- articles: every Markdown file (`.md .markdown .mkd .mdown`) under the content folder
  (`PATH`) but those under `PAGE_PATHS` (`pages/`) and `STATIC_PATHS` (`images/`);
- metadata lines at the top (`Title:`, `Date:`, `Modified:`, `Category:`, `Tags:`,
  `Slug:`, `Author(s):`, `Summary:`, `Status:`), keys in any case;
- date: `Date:`, else the file name by `FILENAME_METADATA` (`(?P<date>\\d{4}-\\d{2}-\\d{2}).*`);
  without a zone in `TIMEZONE` (`[site] timezone`);
- `Status: draft` (and `hidden`: not listed in feeds) are not published;
  `WITH_FUTURE_DATES = True` by default: future articles are published (`[source] future`);
- category: `Category:`, else the folder the file is in (`USE_FOLDER_AS_CATEGORY`), else
  `DEFAULT_CATEGORY` ("misc"); tags and authors: comma lists (`;` when one is present);
- slug: `Slug:`, else `slugify(title)` with `SLUG_REGEX_SUBSTITUTIONS`; link: `ARTICLE_URL`
  (`[source] permalink`, default `{slug}.html`) formatted with the metadata, `{date}`,
  `{slug}`, `{category}` (its slug), `{author}` (its slug), `{lang}`, against the site URL.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from ..errors import PostError
from . import fields
from .fields import Doc
from .parse import Reading

DOCS = "https://docs.getpelican.com/en/latest/content.html"
FORMATS = ("metadata", "yaml")
SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
PAGE_PATHS = ("pages",)
STATIC_PATHS = ("images",)
DEFAULT_CATEGORY = "misc"
ARTICLE_URL = "{slug}.html"
FILENAME_METADATA = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2}).*")
# pelican/settings.py SLUG_REGEX_SUBSTITUTIONS (also CATEGORY_ and TAG_REGEX_SUBSTITUTIONS)
SLUG_REGEX_SUBSTITUTIONS = (
    (r"[^\w\s-]", ""),        # remove non-alphabetical/whitespace/'-' chars
    (r"(?u)\A\s*", ""),       # strip leading whitespace
    (r"(?u)\s*\Z", ""),       # strip trailing whitespace
    (r"[-\s]+", "-"),         # reduce multiple whitespace or '-' to single '-'
)
_TAG = re.compile(r"<[^>]*>")


def is_post(rel: str, root: str, config) -> bool:
    top = rel.split("/", 1)[0] if "/" in rel else ""
    return top not in PAGE_PATHS + STATIC_PATHS


def bare(doc: Doc) -> dict:
    raise PostError(doc.path, "no metadata: a Pelican article starts with 'Title: ...' and "
                              "'Date: ...' lines, then a blank line", 1)


def slugify(value: str) -> str:
    """pelican.utils.slugify with the default substitutions: tags stripped, NFKC, ASCII
    (Pelican transliterates with unidecode; here accents fold and other letters are
    dropped, the same for Latin text), substitutions, lower case."""
    value = unicodedata.normalize("NFKC", _TAG.sub("", value))
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    for src, dst in SLUG_REGEX_SUBSTITUTIONS:
        value = re.sub(src, dst, value, flags=re.IGNORECASE)
    return value.lower().strip()


def _list(doc: Doc, *keys: str) -> list[str]:
    for key in keys:
        value = doc.meta.get(key)
        if isinstance(value, str) and ";" in value:      # pelican.utils ensure_metadata_list
            return fields.items(doc.meta, (key,), doc.path, sep=";")
        if value is not None:
            return fields.items(doc.meta, (key,), doc.path)
    return []


def read(doc: Doc) -> Reading:
    title = fields.title(doc)
    published = doc.first_date("date")
    if published is None:
        m = FILENAME_METADATA.match(doc.name)
        if m is None:
            raise PostError(doc.path, "no date: add 'Date: YYYY-MM-DD' (Pelican skips "
                                      "articles without one)")
        published = doc.date(m["date"])
    updated = doc.first_date("modified") or published
    status = (doc.text("status") or "published").lower()
    if status not in ("published", "draft", "hidden"):
        raise PostError(doc.path, f"'Status' must be published, draft or hidden, not {status!r}")
    future = doc.config.source.future
    category = doc.text("category")
    folder = doc.parts[-2] if len(doc.parts) > 1 else ""
    category = category or folder or DEFAULT_CATEGORY
    authors = _list(doc, "authors", "author")
    slug = fields.checked_slug(doc.path, doc.text("slug") or slugify(title))
    link = _link(doc, published, slug, category, authors)
    return Reading(title, published, updated, slug, link,
                   tags=_list(doc, "tags"), categories=[category], authors=authors,
                   draft=status != "published" and not doc.config.source.drafts,
                   future=True if future is None else future, section=folder)


def _link(doc: Doc, published: datetime, slug: str, category: str, authors: list[str]) -> str:
    """ARTICLE_URL formatted as contents.Content.url_format does."""
    pattern = doc.config.source.permalink or ARTICLE_URL
    values = {k: v for k, v in doc.meta.items() if isinstance(k, str)}
    values.update(path=doc.rel, slug=slug, lang=doc.text("lang") or doc.config.language,
                  date=published, category=slugify(category),
                  author=slugify(authors[0]) if authors else slugify(doc.config.author))
    try:
        url = pattern.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise PostError(doc.path, f"ARTICLE_URL {pattern!r} cannot be filled: {exc}") from None
    return fields.absolute(doc, "ARTICLE_URL", url)
