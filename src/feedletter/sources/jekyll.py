"""Jekyll's rules for posts, as its documentation and source state them.

Docs: https://jekyllrb.com/docs/posts/, https://jekyllrb.com/docs/permalinks/,
https://jekyllrb.com/docs/front-matter/, https://jekyllrb.com/docs/configuration/options/;
source: jekyll/jekyll `lib/jekyll/document.rb` (file name, title, slug, categories),
`lib/jekyll/utils.rb` (`slugify`, `parse_date`, `pluralized_array_from_hash`),
`lib/jekyll/url.rb` and `lib/jekyll/drops/url_drop.rb` (permalink placeholders).

- posts are the files of a `_posts` folder (at any depth) named `YYYY-MM-DD-title.ext`
  (`DATE_FILENAME_MATCHER`); front matter is optional there: a post without it is
  still published, its title made from the file name (`Utils.titleize_slug`);
  `_drafts` files are drafts (published with `[source] drafts`, as `jekyll --drafts`);
- the date: `date` in the front matter, else the file name's; either is converted to the
  site's zone (`timezone`: `Utils.parse_date` calls `Time#localtime`);
- `published: false` is not published; posts dated after now only with `future: true`;
- tags / categories: `tag` or `category` is one name, `tags` or `categories` a list or a
  string split on whitespace (and commas here); the folders above `_posts` are
  categories too;
- links: `permalink` in the front matter, else `[source] permalink` (the site's or the
  posts collection's), else the `date` style; placeholders as `UrlDrop` fills them.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime, timedelta
from fnmatch import fnmatchcase

from ..errors import PostError
from . import fields
from .fields import Doc
from .parse import Reading

DOCS = "https://jekyllrb.com/docs/posts/"
FORMATS = ("yaml",)
SUFFIXES = (".markdown", ".mkdown", ".mkdn", ".mkd", ".md")   # `markdown_ext`
# Document::DATE_FILENAME_MATCHER, for the file name alone
DATE_FILENAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.*)(\.[^.]+)$")
# lib/jekyll/document.rb / url.rb: the built-in permalink styles
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
SLUGIFY_MODES = ("raw", "default", "pretty", "ascii", "latin")
_PRETTY_KEEP = set("._~!$&'()+,;=@")


def skip_dir(name: str) -> bool:
    """Jekyll reads no folder starting with '.', '_', '#' or '~' (but its special ones),
    nor the default `exclude` list's folders."""
    if name in ("_posts", "_drafts"):
        return False
    return name.startswith((".", "_", "#", "~")) or name in ("node_modules", "vendor")


def _parts(rel: str, root: str) -> list[str]:
    """The path's folders and name, from the posts folder's own name on (a site whose
    `paths.posts` is its `_posts` folder)."""
    return [os.path.basename(os.path.normpath(root)), *rel.split("/")]


def is_post(rel: str, root: str, config) -> bool:
    parts = _parts(rel, root)
    if "_drafts" in parts[:-1]:
        return True
    return "_posts" in parts[:-1] and DATE_FILENAME.match(parts[-1]) is not None


def bare(doc: Doc) -> dict:
    return {}       # a post without front matter is still a post (see the docstring)


def defaults(doc: Doc) -> dict:
    """The front matter over `[[source.defaults]]` (_config.yml `defaults:`, documented at
    https://jekyllrb.com/docs/configuration/front-matter-defaults/): a scope's `path` is a
    folder or glob under the site, its `type` "posts" (or none); "more specific scopes
    override less specific" ones, and the post's own front matter overrides them all."""
    scopes = [d for d in doc.config.source.defaults if d.type in ("", "posts")
              and _in_scope(doc.rel, d.path.strip("/"))]
    if not scopes:
        return doc.meta
    merged: dict = {}
    for scope in sorted(scopes, key=lambda d: (len(d.path.strip("/").split("/")) if d.path
                                               else 0, bool(d.type))):
        merged.update({k: _as_text(v) for k, v in scope.values.items()})
    return {**merged, **doc.meta}


def _in_scope(rel: str, path: str) -> bool:
    if not path:
        return True
    if any(c in path for c in "*?["):
        return fnmatchcase(rel, path) or fnmatchcase(rel, path + "/*")
    return rel == path or rel.startswith(path + "/")


def _as_text(value: object) -> object:
    """A default as the YAML loader gives front matter: text, or a list of text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def _keeps(ch: str, mode: str) -> bool:
    if mode == "raw":
        return not ch.isspace()
    if mode == "ascii":
        return ch.isascii() and ch.isalnum()
    category = unicodedata.category(ch)
    if category[0] in "LM" or category == "Nd":
        return True
    return mode == "pretty" and ch in _PRETTY_KEEP


def slugify(text: str, mode: str = "default", cased: bool = False) -> str:
    """Utils.slugify: each run of characters the mode does not keep becomes '-', one
    leading and one trailing '-' go, then lower case unless `cased`.

    default: keeps letters, marks and decimal digits (`[^\\p{M}\\p{L}\\p{Nd}]+`);
    pretty: also `._~!$&'()+,;=@`; ascii: only `[A-Za-z0-9]`; raw: only replaces
    whitespace; latin: accents dropped first, then as default; any other mode ("none"):
    the text as it is, lower-cased unless `cased`."""
    if mode not in SLUGIFY_MODES:
        return text if cased else text.lower()
    if mode == "latin":
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
        text = "".join(c if c.isascii() else "?" for c in text)   # I18n.transliterate
    out: list[str] = []
    for ch in text:
        if _keeps(ch, "default" if mode == "latin" else mode):
            out.append(ch)
        elif not out or out[-1] != "\0":
            out.append("\0")
    slug = "".join(out).replace("\0", "-")
    slug = re.sub(r"^-|-$", "", slug)
    return slug if cased else slug.lower()


def titleize_slug(slug: str) -> str:
    """Utils.titleize_slug: `jekyll-1-0-released` → `Jekyll 1 0 Released`."""
    return " ".join(word[:1].upper() + word[1:] for word in slug.split("-"))


def _names(doc: Doc, singular: str, plural: str) -> list[str]:
    """Utils.pluralized_array_from_hash: the singular key is one name, the plural key a
    list or a string split on whitespace (and commas: authors mean them)."""
    if doc.meta.get(singular) not in (None, ""):
        value = doc.meta[singular]
        return fields.items({singular: value if isinstance(value, list) else [value]},
                            (singular,), doc.path)
    return fields.words(doc.meta, (plural,), doc.path)


def read(doc: Doc) -> Reading:
    source = doc.config.source
    m = DATE_FILENAME.match(doc.name)
    if m:
        day, stem, _ext = m.groups()
    else:                              # a draft: `_drafts/title.md`
        day, stem = None, os.path.splitext(doc.name)[0]
    stem = stem.rstrip(".")            # "slugs shouldn't end with a period"
    slug_data = doc.text("slug") or stem
    title = fields.checked_title(doc.path, doc.text("title") or titleize_slug(stem))
    zone = doc.date("2000-01-01").tzinfo    # the site's zone (`timezone` in _config.yml)
    published = _date(doc)
    if published is None and day is not None:
        try:
            published = doc.date("-".join(f"{int(n):02d}" for n in day.split("-")))
        except PostError:
            published = None
    if published is None:
        published = _mtime(doc)
    published = published.astimezone(zone)
    updated = doc.first_date("last_modified_at", "updated") or published
    parts = _parts(doc.rel, str(doc.config.posts_dir))
    in_drafts = "_drafts" in parts[:-1]
    draft = (doc.flag("published") is False) or (in_drafts and not source.drafts)
    folders = [p for p in doc.parts[:-1] if p not in ("_posts", "_drafts")]
    categories = list(dict.fromkeys(folders + _names(doc, "category", "categories")))
    # Post.slug is `data["slug"]` as Jekyll has it: jekyll-feed's entry id is made of it
    slug = fields.checked_slug(doc.path, slug_data)
    link = _link(doc, published, slug_data, stem, categories)
    return Reading(title, published, updated, slug, link,
                   tags=_names(doc, "tag", "tags"), categories=categories,
                   authors=fields.items(doc.meta, ("authors", "author"), doc.path),
                   draft=draft, future=bool(source.future),
                   section=folders[0] if folders else "posts")


def _date(doc: Doc) -> datetime | None:
    """`date` as Ruby's `Time.parse` reads it: a stray repeated year (`2023-01-29
    18:30:22 2023 -0800`, in the corpus) is passed over."""
    try:
        return doc.first_date("date")
    except PostError:
        text = str(doc.meta.get("date"))
        loose = re.sub(r"^(\d{4})(-\d\d?-\d\d?[ T][\d:]+) \1\b", r"\1\2", text)
        if loose == text:
            raise
        return doc.date(loose)


def _slug_mode(doc: Doc) -> str:
    mode = doc.config.source.slugify
    return mode if mode in SLUGIFY_MODES or mode == "none" else "default"


def _mtime(doc: Doc) -> datetime:
    """A draft without a date: its file's modification time, as Jekyll gives it."""
    try:
        stamp = os.stat(doc.path).st_mtime
    except OSError:
        raise PostError(doc.path, "no date: add 'date: YYYY-MM-DD' to the front matter") from None
    return doc.date("1970-01-01T00:00:00Z") + timedelta(seconds=stamp)


def _placeholders(published: datetime, slug_data: str, stem: str,
                  categories: list[str], mode: str) -> dict[str, str]:
    """UrlDrop: what each `:name` of a permalink becomes."""
    d = published
    return {
        "year": d.strftime("%Y"), "month": d.strftime("%m"), "day": d.strftime("%d"),
        "hour": d.strftime("%H"), "minute": d.strftime("%M"), "second": d.strftime("%S"),
        "i_day": str(d.day), "i_month": str(d.month), "short_month": d.strftime("%b"),
        "long_month": d.strftime("%B"), "short_year": d.strftime("%y"),
        "w_year": d.strftime("%G"), "week": d.strftime("%V"), "w_day": d.strftime("%u"),
        "short_day": d.strftime("%a"), "long_day": d.strftime("%A"), "y_day": d.strftime("%j"),
        "title": slugify(slug_data, "pretty", cased=True),
        "slug": slugify(slug_data, mode), "name": slugify(stem),
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "collection": "posts", "output_ext": ".html",
    }


def _escape(value: str) -> str:
    """URL.escape_path: reserved characters but the path's own kept."""
    if re.fullmatch(r"[a-zA-Z0-9./-]+", value) or not value:
        return value
    from urllib.parse import quote

    return quote(value, safe="/-._~!$&'()*+,;=:@")


def _link(doc: Doc, published: datetime, slug_data: str, stem: str,
          categories: list[str]) -> str:
    given = doc.text("permalink")
    template = given or doc.config.source.permalink or "date"
    template = STYLES.get(template.lstrip(":"), template)
    values = _placeholders(published, slug_data, stem, categories, _slug_mode(doc))

    def fill(m: re.Match[str]) -> str:
        name = m[1]
        for key in (name, name.rstrip("_")):    # `:title_` ends a placeholder early
            if key in values:
                return _escape(values[key])
        raise PostError(doc.path, f"permalink {template!r}: unknown placeholder ':{name}'")

    url = re.sub(r"/+", "/", re.sub(r":([a-z_]+)", fill, template))
    if not url.startswith("/"):
        url = "/" + url
    return fields.absolute(doc, "permalink", url)
