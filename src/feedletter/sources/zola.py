"""Zola's rules for pages, as its documentation and source state them.

Docs: https://www.getzola.org/documentation/content/page/ (front matter, dates and slugs
from file or folder names, `path`), .../content/section/ (`_index.md`),
.../content/overview/#asset-colocation (`index.md` bundles),
.../content/taxonomies/, .../getting-started/configuration/ (`slugify.paths`);
source: getzola/zola `components/content/src/front_matter/page.rs`,
`components/utils/src/slugs.rs`.

- pages are the Markdown files under `content/`; `_index.md` is a section; `dir/index.md`
  is a page whose folder holds its assets (other files there are not pages);
- TOML front matter between `+++` lines (YAML `---` too);
- date: `date`, else the file's or the folder's name when it starts with `YYYY-MM-DD`
  and `_` or `-` (the rest is the slug), else `[source] date_pattern` in `path`;
- `draft = true` is not published (`zola build --drafts`: `[source] drafts`); Zola
  publishes future dates;
- `[taxonomies]`: `categories` gives categories, every other taxonomy tags (or only the
  ones `[source] taxonomies` names); `authors = [...]`;
- links: `path` as given (it overrides the section's path and the slug), else the
  section's path + the slug: `slug`, or the file (folder) name without its date, made
  safe by `slugify.paths` (`[source] slugify`: "on" = slug::slugify, "safe", "off").
"""

from __future__ import annotations

import os
import re
import unicodedata

from ..errors import PostError
from . import fields
from .fields import Doc
from .hugo import is_post as _hugo_is_post
from .parse import Reading

DOCS = "https://www.getzola.org/documentation/content/page/"
FORMATS = ("toml", "yaml")
SUFFIXES = (".md",)
# page.rs: a date (or RFC 3339 date-time) then `_` or `-` at the start of a file name
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?)?[_-]")


def is_post(rel: str, root: str, config) -> bool:
    return _hugo_is_post(rel, root, config)      # the same layout: sections and bundles


def bare(doc: Doc) -> dict:
    raise PostError(doc.path, "no front matter: a Zola page starts with '+++', then "
                              "'title = \"...\"', then '+++'", 1)


def slugify(text: str, strategy: str = "on") -> str:
    """utils::slugs::slugify_paths: "on" = the slug crate (deunicode, lower case, runs of
    other characters as '-'; here accents fold and other letters drop), "safe" = only
    the characters Windows forbids in names, and trailing spaces and dots, removed,
    "off" = as written."""
    if strategy == "off":
        return text
    if strategy == "safe":
        return re.sub(r'[<>:"/\\|?*]', "", text.rstrip(" ."))
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def _strategy(doc: Doc) -> str:
    mode = doc.config.source.slugify
    return mode if mode in ("on", "safe", "off") else "on"


def read(doc: Doc) -> Reading:
    source = doc.config.source
    title = fields.title(doc)
    bundle = doc.name == "index.md" and len(doc.parts) > 1
    name = doc.parts[-2] if bundle else os.path.splitext(doc.name)[0]
    dated = _DATED.match(name)
    if dated:
        name = name[dated.end():]
    given_path = doc.text("path")
    published = doc.first_date("date")
    if published is None and dated:
        published = doc.date(dated[1])
    if published is None:
        published = fields.date_from_pattern(doc, given_path, doc.rel)
    if published is None:
        hint = (f" (its path {given_path!r} may hold one: set [source] date_pattern)"
                if given_path and re.search(r"\d{4}/\d\d/\d\d", given_path) else "")
        raise PostError(doc.path, "no date: add 'date = YYYY-MM-DD' to the front matter, or "
                                  f"start the file (or folder) name with YYYY-MM-DD-{hint}")
    updated = doc.first_date("updated") or published
    slug = slugify(doc.text("slug") or name, _strategy(doc))
    folders = doc.parts[:-2] if bundle else doc.parts[:-1]
    if given_path:
        path = given_path.strip("/")
    else:
        path = "/".join([*folders, slug])
    link = fields.absolute(doc, "path", "/" + path + "/")   # Zola writes <path>/index.html
    taxonomies = doc.meta.get("taxonomies") or {}
    if not isinstance(taxonomies, dict):
        raise PostError(doc.path, "'taxonomies' must be a table ([taxonomies] tags = [...])")
    wanted = set(dict(source.taxonomies).values()) or set(taxonomies)
    tags: list[str] = []
    categories: list[str] = []
    for plural in sorted(wanted, key=lambda p: (p != "tags", p)):
        terms = fields.items(taxonomies, (plural,), doc.path)
        (categories if plural == "categories" else tags).extend(terms)
    return Reading(
        title, published, updated, fields.checked_slug(doc.path, slug), link,
        tags=tags, categories=categories,
        authors=fields.items(doc.meta, ("authors", "author"), doc.path),
        draft=doc.flag("draft") is True and not source.drafts,
        future=True if source.future is None else source.future,
        aliases=tuple(fields.absolute(doc, "aliases", _alias_path(a))
                      for a in fields.items(doc.meta, ("aliases",), doc.path)),
        section=folders[0] if folders else "")


def _alias_path(alias: str) -> str:
    """An alias as Zola serves it: `x.html` is that file, anything else `x/index.html`."""
    alias = "/" + alias.strip("/")
    return alias if alias.endswith((".html", ".htm")) else alias + "/"
