"""Findings → the text of a commented `feedletter.toml` (same findings, same bytes)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .model import Findings

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_NAMES = {"feedletter": "a bare folder of posts", "jekyll": "Jekyll", "hugo": "Hugo",
          "zola": "Zola", "pelican": "Pelican", "middleman": "Middleman", "eleventy": "Eleventy"}


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def value(v: Any) -> str:
    """A TOML literal: JSON's string escapes are TOML's basic-string escapes."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(str(k))} = {value(x)}" for k, x in v.items()) + " }" if v else "{}"
    return json.dumps(str(v), ensure_ascii=False)


def _path(target: Path, base: Path) -> str:
    """`target` relative to the config's folder when it is under it, else absolute."""
    try:
        rel = target.relative_to(base)
    except ValueError:
        return str(target)
    return rel.as_posix() if str(rel) != "." else "."


def _line(key: str, v: Any, comment: str = "") -> str:
    text = f"{_key(key)} = {value(v)}"
    return f"{text:<40} # {comment}" if comment else text


def render_toml(f: Findings, base: Path) -> str:
    """The config text. `base` is the folder the config is written in (paths are relative)."""
    where = f" from {_path(f.config_file, base)}" if f.config_file else ""
    out = [f"# feedletter.toml for {_NAMES[f.generator]}, written by `feedletter init`{where}.",
           "# Every value was read from the site's own files; `feedletter init --force` writes it",
           "# again. Keys are documented in feedletter's README (Configuration).", ""]

    out.append("[site]")
    out.append(_line("generator", f.generator, "whose rules read the posts: files, dates, links"))
    comments = {"title": "feed titles, digest header", "url": "where the site is served",
                "description": "feed subtitle", "language": "feeds' language",
                "timezone": "dates without a zone are read in this zone",
                "author": "author of posts that name none"}
    for key in ("title", "url", "description", "language", "timezone", "author"):
        if key in f.site:
            out.append(_line(key, f.site[key], comments[key]))
    if f.feeds_at_root:
        feeds_url = (f.feed_domain or f.site["url"]).rstrip("/") + "/"
        out.append(_line("feeds_url", feeds_url, "the output folder is served at the site's root"))
    out.append("")

    out.append("[paths]")
    if f.posts is not None:
        out.append(_line("posts", _path(f.posts, base), "the posts folder"))
    if f.feeds_at_root:
        out.append(_line("output", "feeds", "copy its files into the built site's root"))
    out.append("")

    if f.generator != "feedletter":
        out.append("[source]                                 # the generator's rules, from its config")
        out.append(_line("root", _path(f.root, base), "the generator's site folder"))
        for key in ("permalink", "permalinks", "future", "drafts", "taxonomies", "slugify",
                    "date_pattern", "exclude", "variables"):
            if key in f.source and f.source[key] not in ({}, [], None, ""):
                out.append(_line(key, f.source[key]))
        out.append("")
        for default in f.source.get("defaults", []):
            out.append("[[source.defaults]]                      # front-matter defaults")
            out += [_line(k, v) for k, v in default.items()]
            out.append("")

    feeds = dict(f.feeds)
    if feeds or f.feeds_at_root:
        out.append("[feeds]")
        if "ids" in feeds:
            out.append(_line("ids", feeds.pop("ids"), "entry ids as the generator's feed had them"))
        for key, v in feeds.items():
            out.append(_line(key, v))
        out.append("")
    if f.feeds_at_root:
        out.append("[feeds.paths]")
        out.append(_line("index", "feeds.html", "not index.html: the site's home page is there"))
        out.append("")
    for fmt in ("atom", "rss", "json"):
        if f.files.get(fmt):
            out.append(f"{f'[feeds.paths.{fmt}]':<40} # the files the generator wrote"
                       if fmt != "json" else "[feeds.paths.json]")
            out += [_line(k, v) for k, v in f.files[fmt].items()]
            out.append("")
    for section in f.sections:
        out.append("[[feeds.sections]]                       # a section with its own feed")
        out += [_line(k, v) for k, v in section.items()]
        out.append("")
    for username, entry in sorted(f.authors.items()):
        out.append(f"[authors.{_key(username)}]")
        out += [_line(k, v) for k, v in entry.items()]
        out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
