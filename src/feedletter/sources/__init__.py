"""Post files → `Post` objects, read the way the site's generator reads them.

    discover.py     which files are posts
    files.py        reading one file safely (size, encodings, links, pipes)
    frontmatter.py  YAML, TOML, JSON and metadata-line front matter, told by the first line
    fields.py       reading values: text, flags, name lists, authors, dates, slugs
    body.py         excerpt markers, the summary, byte hints
    parse.py        one text → Post: split, the flavour's reading, what all posts get
    load.py         the folder → posts, errors, warnings (cache snapshot, workers)
    feedletter.py, jekyll.py, hugo.py, zola.py, pelican.py, middleman.py, eleventy.py
                    one flavour per generator (`[site] generator`), each a statement of
                    that generator's documented rules with a link to them
"""

from __future__ import annotations

from .body import MARKERS, normalized
from .discover import discover, scan_posts
from .fields import MAX_AUTHORS, MAX_TAGS, MIN_YEAR, POST_SUFFIXES
from .files import read_post
from .load import LoadResult, load_one, load_posts, read_body
from .model import MAX_SLUG, Post, clean_text, is_published, slugify, tag_key
from .parse import NotAPost, Reading, parse_post

__all__ = [
    "MARKERS", "MAX_AUTHORS", "MAX_SLUG", "MAX_TAGS", "MIN_YEAR", "POST_SUFFIXES", "LoadResult",
    "NotAPost", "Post", "Reading", "clean_text", "discover", "is_published", "load_one",
    "load_posts", "normalized", "parse_post", "read_body", "read_post", "scan_posts",
    "slugify", "tag_key",
]
