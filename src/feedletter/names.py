"""Which spellings are one tag (or author), and a feed name for each that no other shares.

A feed name (slug) is lower-case ASCII: `C++`, `C#`, `C` and `C--` all slugify to `c`, and
seven different "José Álvarez" to `jose-alvarez`. So the name a feed is *for* is compared
by `name_key` (case, accents and the separators between words do not count; symbols do),
and `assign_slugs` gives each distinct name its own slug: the name that already owns the
slug's plain form keeps it (so no feed URL of a site without collisions changes), the
others get a readable one where the symbols can be spelled (`c-plus-plus`, `c-sharp`,
`c-minus-minus`) or else a suffix from a hash of the name, and a warning names both.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

MAX_SLUG = 80
# Separators between two word characters: `Release Notes`, `release-notes`, `release_notes`.
_BETWEEN_WORDS = re.compile(r"(?<=[^\W_])[\s_-]+(?=[^\W_])")
# Symbols a reader recognises when spelled out in a URL.
SYMBOLS = {"+": "plus", "#": "sharp", "-": "minus", "&": "and", "@": "at", ".": "dot",
           "*": "star", "%": "percent", "$": "dollar", "!": "bang", "=": "equals",
           "~": "tilde", "^": "caret", "|": "pipe", "/": "slash", "<": "lt", ">": "gt"}


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """What makes two spellings one name: `oVirt`/`ovirt`/`Ovírt` and `Release Notes`/
    `release-notes` are one; `C++`, `C#`, `C` and `C--` are four."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _BETWEEN_WORDS.sub(" ", folded)


def is_plain(key: str, slug: str) -> bool:
    """The name is its slug's plain form (nothing but case, accents and separators lost)."""
    return key.replace(" ", "-") == slug


def _spelled(key: str) -> str:
    from .posts import slugify  # local: posts imports this module

    return slugify("".join(f" {SYMBOLS[c]} " if c in SYMBOLS else c for c in key))


def _hashed(base: str, key: str, length: int = 6) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:length]
    return f"{base[:MAX_SLUG - length - 1].rstrip('-')}-{digest}"


def standalone_slug(name: str) -> str:
    """A slug for one name without knowing the others (a digest's `--tag` file name): the
    plain slug for a plain name, else the spelled or hashed one."""
    from .posts import slugify  # local: posts imports this module

    key, base = name_key(name), slugify(name)
    if not base or is_plain(key, base):
        return base
    spelled = _spelled(key)
    return spelled if spelled and spelled != base else _hashed(base, key)


def tag_key(name: str, canonical: dict[str, str]) -> str:
    """The name_key of the tag a spelling means, after `[tags.aliases]` (`canonical`)."""
    key = name_key(name)
    return name_key(canonical[key]) if key in canonical else key


@dataclass(frozen=True)
class Named:
    """One distinct name to give a slug."""

    key: str               # name_key, or another identity (an author's name and email)
    shown: str             # how warnings show it
    base: str              # today's slug
    rank: tuple            # who keeps `base` when several share it: the smallest
    fixed: str | None = None   # the config's slug for it
    spell: bool = True     # try the spelled form before a hash (tags, not authors)


def assign_slugs(kind: str, names: Iterable[Named], hint: str = "name its slug in the config"
                 ) -> tuple[dict[str, str], list[str]]:
    """key → slug, distinct for distinct keys, and the warnings for each collision.

    Deterministic whatever order the names come in: fixed slugs first, then each group of
    names sharing a base slug in order of `rank`.
    """
    slugs: dict[str, str] = {}
    taken: dict[str, Named] = {}
    warnings: list[str] = []
    by_base: dict[str, list[Named]] = defaultdict(list)
    for n in sorted(names, key=lambda n: n.key):
        if n.fixed and n.fixed not in taken:
            slugs[n.key], taken[n.fixed] = n.fixed, n
        else:
            by_base[n.base].append(n)
    bases = set(by_base)
    for base in sorted(by_base):
        group = sorted(by_base[base], key=lambda n: n.rank)
        if base not in taken:
            owner = group.pop(0)
            slugs[owner.key], taken[base] = base, owner
        owner = taken[base]
        for n in group:
            slug = _spelled(n.key) if n.spell else ""
            if not slug or slug in taken or slug in bases:
                slug, length = _hashed(base, n.key), 6
                while slug in taken or slug in bases:
                    length += 2
                    slug = _hashed(base, n.key, length)
            slugs[n.key], taken[slug] = slug, n
            warnings.append(f"{kind} {n.shown} and {owner.shown} would share the feed "
                            f"{kind}/{base}; {n.shown} gets {kind}/{slug} ({hint})")
    return slugs, warnings
