"""feedletter's own rules (the default flavour): Middleman-style posts as the oVirt blog
writes them. Documented in README.md, "Posts" and "Front matter"
(https://github.com/ovirt/ovirt-site: `source/blog/YYYY-MM-DD-slug.html.md`).

- every `*.md`, `*.markdown`, `*.html.md` file under the posts folder is a post; one
  without front matter and without a date in its name (`README.md`) is a note, skipped;
- `date`, else the file name's `YYYY-MM-DD-` day; `updated` / `modified`;
- `tags` / `author(s)`: a list or a comma-separated string;
- `draft: true` or `published: false`;
- the slug: `slug`, else the file name without its date and extensions; the link:
  `permalink` / `url`, else `feeds.link_pattern`.
"""

from __future__ import annotations

from ..dates import date_from_filename
from ..errors import PostError
from . import fields
from .fields import POST_SUFFIXES, Doc
from .parse import NotAPost, Reading

DOCS = "https://github.com/ovirt/ovirt-site"
FORMATS = ("yaml", "toml", "json")
SUFFIXES = POST_SUFFIXES
KNOWN_KEYS = {
    "title", "date", "updated", "modified", "tags", "tag", "author", "authors", "draft",
    "published", "summary", "excerpt", "description", "id", "slug", "permalink", "url",
    "comments", "layout", "category", "categories", "image", "lang",
    "cover", "feature_image", "thumbnail", "image_alt", "digest",
}
_NEAR = {"dete": "date", "titel": "title", "tittle": "title", "tag": "tags",
         "autor": "author", "auther": "author", "summery": "summary"}


def is_post(rel: str, root: str, config) -> bool:
    return True


def bare(doc: Doc) -> dict:
    if date_from_filename(doc.name) is None:
        # README.md, NOTES.md: documents beside the posts, not posts.
        raise NotAPost(f"{doc.path}: no front matter and no date in the name; not a post, skipped")
    raise PostError(doc.path, "no front matter: a post starts with a '---' line, then "
                              "'title: ...' and the other keys, then '---'", 1)


def warn_unknown_keys(doc: Doc) -> None:
    for key in sorted(k for k in doc.meta if isinstance(k, str) and k.lower() not in KNOWN_KEYS):
        near = _NEAR.get(key.lower())
        if near:
            doc.warnings.append(f"{doc.path}: unknown front matter key '{key}' "
                                f"(did you mean '{near}'?)")


def read(doc: Doc) -> Reading:
    warn_unknown_keys(doc)
    title = fields.title(doc)
    published = doc.first_date("date")
    if published is None:
        day = date_from_filename(doc.name)
        if day is None:
            raise PostError(doc.path, "no date: add 'date: YYYY-MM-DD' to the front matter "
                                      "or start the file name with YYYY-MM-DD-")
        published = doc.date(day)
    updated_text = doc.text("updated", "modified")
    updated = doc.date(updated_text) if updated_text else published
    fields.check_year(doc.path, published, updated)
    draft = doc.flag("draft") is True or doc.flag("published") is False
    slug = fields.checked_slug(doc.path, doc.text("slug") or fields.slug_from_name(doc.name))
    return Reading(title, published, updated, slug, link(doc, published, slug), draft=draft,
                   tags=fields.items(doc.meta, ("tags", "tag"), doc.path),
                   authors=fields.items(doc.meta, ("authors", "author"), doc.path))


def link(doc: Doc, published, slug: str) -> str:
    """`permalink` / `url` as given, else `feeds.link_pattern` in the post's own zone."""
    key = next((k for k in ("permalink", "url") if fields.scalar(doc.meta, k, doc.path)), None)
    if key:
        return fields.absolute(doc, key, doc.text(key) or "")
    config = doc.config
    return config.link_pattern.format(
        site_url=config.site_url, year=f"{published.year:04d}", month=f"{published.month:02d}",
        day=f"{published.day:02d}", slug=slug)
