"""Zola: `config.toml`, the sections' `_index.md`, taxonomies and feeds.

Followed: https://www.getzola.org/documentation/getting-started/configuration/ (base_url,
title, description, default_language, author, generate_feeds / feed_filenames, and the
older generate_feed / feed_filename; feed_limit; taxonomies `{name, feed}`; slugify.paths),
https://www.getzola.org/documentation/content/section/ (`generate_feeds = true` in a
section's `_index.md` gives it a feed at `<section>/<feed file>`),
https://www.getzola.org/documentation/templates/feeds/ (the site feed holds every page;
atom.xml's `<id>{{ page.permalink }}</id>`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .common import read_data, text
from .model import Findings


def _front_matter(path: Path) -> dict:
    """The TOML front matter of a section's `_index.md` (`+++` … `+++`); {} if none."""
    try:
        lines = path.read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    if not lines or lines[0].strip() != "+++":
        return {}
    for end in range(1, len(lines)):
        if lines[end].strip() == "+++":
            try:
                return tomllib.loads("\n".join(lines[1:end]))
            except tomllib.TOMLDecodeError:
                return {}
    return {}


def _singular(plural: str) -> str:
    """The taxonomy's singular ('categories' → 'category'), as the agreed [source] key wants."""
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    return plural[:-1] if plural.endswith("s") else plural


def read(root: Path, config_file: Path | None) -> Findings:
    f = Findings("zola", root, config_file, posts=root / "content")
    data = read_data(config_file) if config_file else {}
    title = text(data.get("title"))
    if title:
        f.site["title"] = title
        f.note(f"title {title!r} (config.toml)")
    url = text(data.get("base_url"))
    if url and url.startswith(("http://", "https://")):
        f.site["url"] = url.rstrip("/")
        f.note(f"site URL {f.site['url']} (base_url)")
    else:
        f.unsure("no site URL in config.toml (base_url); pass --url")
    for key, target in (("description", "description"), ("default_language", "language"),
                        ("author", "author")):
        value = text(data.get(key))
        if value:
            f.site[target] = value
            f.note(f"{target} {value!r} ({key})")
    f.note("time zone: Zola reads dates without an offset as UTC")
    slugify = data.get("slugify")
    if isinstance(slugify, dict) and text(slugify.get("paths")):
        f.source["slugify"] = text(slugify["paths"])
    extra = data.get("extra")
    if isinstance(extra, dict):
        f.source["variables"] = {k: v for k, v in extra.items() if isinstance(v, str | int | float | bool)}

    taxonomies = [t for t in data.get("taxonomies") or [] if isinstance(t, dict) and text(t.get("name"))]
    if taxonomies:
        names = [str(t["name"]) for t in taxonomies]
        f.source["taxonomies"] = {_singular(n): n for n in names}
        f.note(f"taxonomies {names}")

    # The feed files: generate_feeds + feed_filenames (0.19+), or the older singular keys.
    generate = data.get("generate_feeds", data.get("generate_feed", False)) is True
    filenames = data.get("feed_filenames")
    if not isinstance(filenames, list) or not filenames:
        filenames = [text(data.get("feed_filename")) or "atom.xml"]
    formats = {("rss" if "rss" in str(n) else "atom"): str(n) for n in filenames}
    f.feeds["ids"] = "permalink"
    limit = data.get("feed_limit")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        f.feeds["max_entries"] = limit
        f.note(f"feeds keep the newest {limit} entries (feed_limit)")
    if generate:
        for fmt, name in formats.items():
            f.feed_file(fmt, "site", name)
        f.note("feeds: " + ", ".join(f"/{n}" for n in formats.values())
               + "; entry ids are the permalinks (<id>{{ page.permalink }}</id>)")
    else:
        f.feeds_at_root = False
        f.unsure("generate_feeds is not set: Zola wrote no site feed; feedletter's names are kept")
    for taxonomy in taxonomies:
        if taxonomy.get("feed") is True:
            kind = {"tags": "tags", "categories": "categories"}.get(str(taxonomy["name"]))
            if kind is None:
                f.unsure(f"taxonomy {taxonomy['name']!r} has feeds in Zola; feedletter makes "
                         "feeds of tags and categories only")
                continue
            for fmt, name in formats.items():
                f.feed_file(fmt, kind, f"{kind}/{{slug}}/{name}")
            f.note(f"{kind} feeds at /{kind}/<slug>/{next(iter(formats.values()))}")

    content = root / "content"
    if content.is_dir():
        for index in sorted(content.rglob("_index.md")):
            meta = _front_matter(index)
            if meta.get("generate_feeds", meta.get("generate_feed")) is True:
                path = index.parent.relative_to(content).as_posix()
                if path == ".":
                    continue
                f.sections.append({"path": path, "title": text(meta.get("title")) or path,
                                   "in_main": True})
        if f.sections:
            for fmt, name in formats.items():
                f.feed_file(fmt, "sections", f"{{slug}}/{name}")
            f.note("sections with their own feed (generate_feeds in _index.md): "
                   + ", ".join(s["path"] for s in f.sections))
    return f
