"""Pelican: `pelicanconf.py`, read as text and never run.

The file is Python; it is parsed with `ast`, and only assignments whose value is a
literal (or a literal expression of earlier literals: `A if not FLAG else B`, `X + '/y'`)
are taken. Anything else (`os.environ.get(...)`, calls, imports) is ignored and named.

Followed: https://docs.getpelican.com/en/latest/publish.html (publishconf.py, made by
pelican-quickstart, starts with `from pelicanconf import *` and is what `make publish`
uses: its SITEURL and feed settings win),
https://docs.getpelican.com/en/latest/settings.html (SITENAME, SITEURL, AUTHOR,
TIMEZONE, DEFAULT_LANG, ARTICLE_URL default '{slug}.html', WITH_FUTURE_DATES default True,
FEED_DOMAIN, FEED_ALL_ATOM default 'feeds/all.atom.xml', FEED_ALL_RSS, CATEGORY_FEED_ATOM
default 'feeds/{slug}.atom.xml', CATEGORY_FEED_RSS, AUTHOR_FEED_ATOM/RSS defaults
'feeds/{slug}.atom.xml'/'.rss.xml', TAG_FEED_ATOM/RSS, FEED_MAX_ITEMS), and Pelican's
writer for ids: `unique_id=get_tag_uri(link, item.date)`.
"""

from __future__ import annotations

import ast
import operator
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .common import text
from .model import Findings

_UNKNOWN = object()
_BINOPS = {ast.Add: operator.add, ast.Mod: operator.mod}


def _value(node: ast.AST, known: dict[str, Any]) -> Any:
    """A literal value, or _UNKNOWN: never calls, never imports, never looks anything up
    but names this file assigned literals to."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.Name):
        return known.get(node.id, _UNKNOWN)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _value(node.operand, known)
        return _UNKNOWN if inner is _UNKNOWN else not inner
    if isinstance(node, ast.IfExp):
        test = _value(node.test, known)
        if test is _UNKNOWN:
            return _UNKNOWN
        return _value(node.body if test else node.orelse, known)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _value(node.left, known), _value(node.right, known)
        if isinstance(left, str) and isinstance(right, str) and isinstance(node.op, ast.Add):
            return left + right
        return _UNKNOWN
    return _UNKNOWN


def settings(path: Path, inherited: dict[str, Any] | None = None
             ) -> tuple[dict[str, Any], list[str]]:
    """(NAME → literal value, names whose value could not be read without running code).

    `inherited`: the values a `from pelicanconf import *` at its top brings in."""
    try:
        source = path.read_text("utf-8-sig")
        tree = ast.parse(source, str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read: {exc}") from None
    except SyntaxError as exc:
        raise ConfigError(f"{path}:{exc.lineno}", f"not valid Python: {exc.msg}") from None
    known: dict[str, Any] = dict(inherited or {})
    skipped: list[str] = []
    for stmt in tree.body:                  # top level only: `if` blocks are conditional
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            value = _value(stmt.value, known)
            if value is _UNKNOWN:
                known.pop(name, None)
                skipped.append(name)
            else:
                known[name] = value
    return known, skipped


def read(root: Path, config_file: Path | None) -> Findings:
    f = Findings("pelican", root, config_file)
    conf, skipped = settings(config_file) if config_file else ({}, [])
    where = config_file.name if config_file else "pelicanconf.py"
    if skipped:
        f.note(f"not read (not literals in {where}): {', '.join(skipped)}")
    # What the site is published with: pelican-quickstart's publishconf.py imports
    # pelicanconf's settings and sets SITEURL and the feeds (off while developing).
    publish = root / "publishconf.py"
    if publish.is_file():
        published, skipped = settings(publish, conf)
        changed = sorted(k for k, v in published.items() if k not in conf or conf[k] != v)
        conf = published
        where = f"{where} + publishconf.py"
        f.note("publishconf.py (the settings the site is published with) sets: "
               + (", ".join(changed) or "nothing new"))
        if skipped:
            f.note(f"not read (not literals in publishconf.py): {', '.join(skipped)}")
    title = text(conf.get("SITENAME"))
    if title:
        f.site["title"] = title
        f.note(f"title {title!r} (SITENAME)")
    hint = "" if publish.is_file() else ", often set in publishconf.py"
    f.site_url(text(conf.get("SITEURL")), "SITEURL", f"no site URL in {where} (SITEURL{hint})")
    domain = text(conf.get("FEED_DOMAIN"))
    if domain and domain.rstrip("/") != f.site.get("url"):
        f.feed_domain = domain.rstrip("/")
    f.site_values(conf, (("SITESUBTITLE", "description"), ("DEFAULT_LANG", "language"),
                         ("TIMEZONE", "timezone"), ("AUTHOR", "author")))
    if "timezone" not in f.site:
        f.unsure(f"no TIMEZONE in {where}: Pelican requires one; feedletter uses UTC")
    content = text(conf.get("PATH")) or "content"
    f.posts = root / content
    permalink = text(conf.get("ARTICLE_URL")) or "{slug}.html"
    f.source["permalink"] = permalink
    f.note(f"article URLs {permalink!r} (ARTICLE_URL{'' if conf.get('ARTICLE_URL') else ', default'})")
    if conf.get("WITH_FUTURE_DATES", True) is not False:
        f.source["future"] = True
        f.note("future-dated articles are published (WITH_FUTURE_DATES, default True)")
    max_items = conf.get("FEED_MAX_ITEMS")
    if isinstance(max_items, int) and not isinstance(max_items, bool) and max_items > 0:
        f.feeds["max_entries"] = max_items
        f.note(f"feeds keep the newest {max_items} entries (FEED_MAX_ITEMS)")

    f.feeds["ids"] = "pelican"
    defaults = {"FEED_ALL_ATOM": "feeds/all.atom.xml", "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml",
                "AUTHOR_FEED_ATOM": "feeds/{slug}.atom.xml", "AUTHOR_FEED_RSS": "feeds/{slug}.rss.xml"}
    table = (("FEED_ALL_ATOM", "atom", "site"), ("FEED_ALL_RSS", "rss", "site"),
             ("CATEGORY_FEED_ATOM", "atom", "categories"), ("CATEGORY_FEED_RSS", "rss", "categories"),
             ("TAG_FEED_ATOM", "atom", "tags"), ("TAG_FEED_RSS", "rss", "tags"),
             ("AUTHOR_FEED_ATOM", "atom", "authors"), ("AUTHOR_FEED_RSS", "rss", "authors"))
    written = []
    for key, fmt, kind in table:
        value = conf[key] if key in conf else defaults.get(key)
        if isinstance(value, str) and value:
            f.feed_file(fmt, kind, value.replace("%s", "{slug}"))
            written.append(f"{key} {value}")
    # Pelican's defaults put category and author feeds in the same feeds/{slug}.atom.xml.
    atom = f.files.get("atom", {})
    if atom.get("categories") and atom.get("categories") == atom.get("authors"):
        del atom["authors"]
        f.files.get("rss", {}).pop("authors", None)
        f.unsure("category and author feeds share Pelican's default path feeds/{slug}.atom.xml: "
                 "author feeds keep feedletter's names")
    f.note("feeds: " + "; ".join(written) + "; entry ids are Pelican's tag: URIs")
    return f
