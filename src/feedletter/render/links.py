"""Links between posts: a body's reference to another post file → that post's link.

The site stage gives every published post's file path and link; a reference matches a
file by the end of its path, on whole folder names, as each generator writes them:

- Jekyll `{% post_url 2010-07-21-name %}` names a file of `_posts/` without its extension
  (a folder before it, `/sub/2010-07-21-name`, must match too);
  `{% link _posts/2016-07-26-name.md %}` gives the path from the site's folder.
  https://jekyllrb.com/docs/liquid/tags/#linking
- Hugo `{{< ref "post.md" >}}`, `ref "/blog/post"`, a bundle by its folder `ref "my-bundle"`.
  https://gohugo.io/methods/shortcodes/ref/
- Zola `@/blog/post.md`: the path from the `content` folder.
  https://www.getzola.org/documentation/content/linking/

A reference that matches no post, or several, resolves to None (reported by the caller).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .context import Ref, Resolver

_EXTENSIONS = re.compile(r"(?:\.html)?\.(?:md|markdown|mdown|mkd|mkdn|html)$", re.I)


def _variants(path: str) -> set[str]:
    """The names a post file answers to: with and without its extension, and a bundle's
    `index.md` / `_index.md` by its folder."""
    path = path.replace("\\", "/").strip("/")
    bare = _EXTENSIONS.sub("", path)
    names = {path, bare}
    folder, _, stem = bare.rpartition("/")
    if stem in ("index", "_index") and folder:
        names.add(folder)
    return names


def _suffixes(path: str) -> Iterable[str]:
    parts = path.split("/")
    for i in range(len(parts)):
        yield "/".join(parts[i:])


class Links:
    """A resolver over the published posts: `Links(pairs)((kind, ref))`."""

    def __init__(self, posts: Iterable[tuple[str, str]]) -> None:
        self._posts = list(posts)
        self._index: dict[str, set[str]] | None = None

    def __getstate__(self) -> dict:
        # sent to the worker processes with every chunk of posts: the pairs, not the index
        return {"_posts": self._posts, "_index": None}

    def _lookup(self, name: str) -> str | None:
        if self._index is None:
            index: dict[str, set[str]] = {}
            for source, link in self._posts:
                for variant in _variants(source):
                    for suffix in _suffixes(variant):
                        index.setdefault(suffix, set()).add(link)
            self._index = index
        found = self._index.get(name.replace("\\", "/").strip("/"), set())
        return next(iter(found)) if len(found) == 1 else None

    def __call__(self, ref: Ref) -> str | None:
        kind, text = ref
        text = text.strip().strip("\"'")
        if not text:
            return None
        if kind == "post_url":          # a file of _posts/, named without its extension
            return self._lookup("_posts/" + text.lstrip("/")) or self._lookup(text)
        return self._lookup(text)


def resolver(posts: Iterable[tuple[str, str]]) -> Resolver:
    return Links(posts)
