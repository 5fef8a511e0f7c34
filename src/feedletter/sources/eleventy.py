"""Eleventy's rules for templates, as its documentation states them.

Docs: https://www.11ty.dev/docs/permalinks/ (default URLs, `permalink`),
https://www.11ty.dev/docs/dates/ (`date`, file-name dates, `page.fileSlug`),
https://www.11ty.dev/docs/data-frontmatter/ (YAML, `---json`),
https://www.11ty.dev/docs/collections/ (`tags`, `eleventyExcludeFromCollections`).

- posts are the Markdown files with front matter under the input folder, but
  `_includes/`, `_data/`, `_site/` and `node_modules/`; a Markdown file without front
  matter is a note; `permalink: false` and `eleventyExcludeFromCollections: true` are
  not published;
- date: `date` (`Last Modified` / `Created`: the file's times), else a `YYYY-MM-DD-`
  prefix of the file name, else the file's time; days without a time are UTC;
- `tags`: a list, or one tag as a string; `draft: true` (Eleventy 3's drafts) is not
  published;
- the link: `permalink` as given (template syntax in it cannot be evaluated: a bad
  post), else `/<folders>/<fileSlug>/` (`index.md` gives its folder), where `fileSlug` is
  the file name without its date prefix.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from ..errors import PostError
from . import fields
from .fields import Doc
from .parse import NotAPost, Reading

DOCS = "https://www.11ty.dev/docs/permalinks/"
FORMATS = ("yaml", "json")
SUFFIXES = (".md",)
_SKIP = ("_includes", "_data", "_site", "node_modules")


def skip_dir(name: str) -> bool:
    return name.startswith(".") or name in _SKIP


def is_post(rel: str, root: str, config) -> bool:
    return not any(part in _SKIP for part in rel.split("/")[:-1])


def bare(doc: Doc) -> dict:
    raise NotAPost(f"{doc.path}: no front matter; not a post, skipped")


def _file_time(doc: Doc, which: str) -> datetime:
    try:
        st = os.stat(doc.path)
    except OSError:
        raise PostError(doc.path, f"date '{which}': cannot read the file's times") from None
    stamp = st.st_mtime if which == "Last Modified" else getattr(st, "st_birthtime", st.st_ctime)
    return datetime.fromtimestamp(stamp, UTC)


def read(doc: Doc) -> Reading:
    if fields.flag(doc.meta, "eleventyExcludeFromCollections", doc.path) or \
            str(doc.meta.get("permalink", "")).lower() == "false":
        raise NotAPost(f"{doc.path}: not in Eleventy's collections (permalink: false or "
                       "eleventyExcludeFromCollections); not a post, skipped")
    title = fields.title(doc)
    stem = os.path.splitext(doc.name)[0]
    prefix = fields.day_prefix(stem)
    file_slug = prefix[1] if prefix else stem
    value = doc.text("date")
    if value in ("Last Modified", "Created", "git Last Modified", "git Created"):
        published = _file_time(doc, "Last Modified" if "Modified" in value else "Created")
    elif value:
        published = doc.date(value)
    elif prefix:
        published = doc.date(prefix[0])
    else:
        published = _file_time(doc, "Created")
    given = doc.text("permalink")
    if given:
        if "{{" in given or "{%" in given:
            raise PostError(doc.path, f"'permalink' {given!r} is a template; feedletter cannot "
                                      "evaluate it: give the path itself")
        link = fields.absolute(doc, "permalink", "/" + given.lstrip("/"))
    else:
        folders = doc.parts[:-1]
        parts = folders if stem == "index" else [*folders, file_slug]
        link = fields.absolute(doc, "permalink", "/" + "/".join(parts) + ("/" if parts else ""))
    tags = fields.items(doc.meta, ("tags",), doc.path, sep=None) \
        if isinstance(doc.meta.get("tags"), list) else fields.items(doc.meta, ("tags",), doc.path, sep="\0")
    return Reading(title, published, doc.first_date("updated") or published,
                   fields.checked_slug(doc.path, doc.text("slug") or file_slug or "index"), link,
                   tags=tags, authors=fields.items(doc.meta, ("authors", "author"), doc.path),
                   draft=doc.flag("draft") is True and not doc.config.source.drafts,
                   future=True if doc.config.source.future is None else doc.config.source.future,
                   section=doc.parts[0] if len(doc.parts) > 1 else "")
