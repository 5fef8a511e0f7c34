"""middleman-blog's rules, as its documentation states them: feedletter's own flavour
(which was written for a Middleman blog, the oVirt site) with Middleman's link pattern.

Docs: https://middlemanapp.com/basics/blogging/ ("Permalink": `blog.permalink`, default
`{year}/{month}/{day}/{title}.html`; "Tags": a comma-separated string or a list;
"Drafts": `published: false`; the date from the front matter or the file name
`{year}-{month}-{day}-{title}.html.md`, `blog.sources`).

- which files are posts, front matter, dates, tags, authors, drafts: as feedletter's own
  rules (feedletter.py);
- the link: `permalink` / `url` in the front matter, else `[source] permalink` in
  Middleman's syntax (`{year}` `{month}` `{day}` `{title}` and any front-matter key), else
  Middleman's default; `{title}` is the slug (`slug`, else the file name's title part).
"""

from __future__ import annotations

import re
from datetime import datetime

from ..errors import PostError
from . import feedletter, fields
from .fields import Doc
from .parse import Reading

DOCS = "https://middlemanapp.com/basics/blogging/"
FORMATS = feedletter.FORMATS
SUFFIXES = feedletter.SUFFIXES
PERMALINK = "{year}/{month}/{day}/{title}.html"
is_post = feedletter.is_post
bare = feedletter.bare


def read(doc: Doc) -> Reading:
    got = feedletter.read(doc)
    if any(fields.scalar(doc.meta, k, doc.path) for k in ("permalink", "url")):
        return got
    return Reading(got.title, got.date, got.updated, got.slug, _link(doc, got.date, got.slug),
                   tags=got.tags, authors=got.authors, draft=got.draft,
                   categories=fields.items(doc.meta, ("categories", "category"), doc.path))


def _link(doc: Doc, published: datetime, slug: str) -> str:
    pattern = doc.config.source.permalink or PERMALINK
    values = {k: str(v) for k, v in doc.meta.items() if isinstance(k, str) and isinstance(v, str)}
    values.update(year=f"{published.year:04d}", month=f"{published.month:02d}",
                  day=f"{published.day:02d}", title=slug)

    def fill(m: re.Match[str]) -> str:
        if m[1] not in values:
            raise PostError(doc.path, f"blog.permalink {pattern!r}: unknown placeholder {m[0]}")
        return values[m[1]]

    return fields.absolute(doc, "permalink", "/" + re.sub(r"\{(\w+)\}", fill, pattern).lstrip("/"))
