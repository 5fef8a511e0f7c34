"""Zola: `config.toml`, the sections' `_index.md`, taxonomies and feeds.

Followed: https://www.getzola.org/documentation/getting-started/configuration/ (base_url,
title, description, default_language, author, generate_feeds / feed_filenames, and the
older generate_feed / feed_filename; feed_limit; taxonomies `{name, feed}`; slugify.paths),
https://www.getzola.org/documentation/content/section/ (`generate_feeds = true` in a
section's `_index.md` gives it a feed at `<section>/<feed file>`),
https://www.getzola.org/documentation/templates/feeds/ (the site feed holds every page;
atom.xml's `<id>{{ page.permalink }}</id>`), https://www.getzola.org/documentation/content/page/
(a page's `date`, else "a filename starting with a datetime (YYYY-mm-dd …) followed by an
underscore (_) or a dash (-) will use that date as the page date"; `path`: "The path the
content will appear at … will override both `slug` and the filename").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from .common import read_data, text
from .model import Findings


def _front_matter(path: Path) -> dict:
    """The front matter of a page or a section's `_index.md`: TOML (`+++` … `+++`) or
    YAML (`---` … `---`, which Zola also reads); {} if none or unreadable."""
    try:
        lines = path.read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    fence = lines[0].strip() if lines else ""
    if fence not in ("+++", "---"):
        return {}
    for end in range(1, len(lines)):
        if lines[end].strip() == fence:
            block = "\n".join(lines[1:end])
            try:
                if fence == "+++":
                    return tomllib.loads(block)
                import yaml

                data = yaml.safe_load(block)
                return data if isinstance(data, dict) else {}
            except Exception:  # noqa: BLE001 - a broken page is the build's to report
                return {}
    return {}


# Zola's own date in a file (or bundle folder) name: YYYY-MM-DD then `_` or `-`.
_DATED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:T[0-9:.+-Z]*)?[_-]")
# Where sites without a `date` keep one: `path = "2019/10/24/slug"` (blog.rust-lang.org),
# `path = "2019-10-24-slug"`, or folders content/2019/10/24/slug.md. The first one that
# dates the most undated pages is written as `[source] date_pattern`.
DATE_PATTERNS = (r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})(?:/|$)",
                 r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")


MAX_EXCLUDED = 20        # more undated pages than this: a list too long to write; say so


def _dates(pattern: str, *texts: str) -> bool:
    """True when `pattern` finds a real date in one of `texts` (as the flavour searches)."""
    for where in texts if pattern else ():
        m = re.search(pattern, where) if where else None
        if m:
            try:
                date(int(m["year"]), int(m["month"]), int(m["day"]))
                return True
            except ValueError:
                continue
    return False


def _date_pattern(f: Findings, content: Path) -> None:
    """`[source] date_pattern` for a site whose pages have no `date` and no dated file
    name, but whose `path` (or folder) holds the date: Zola publishes such a page, and
    feedletter needs its date."""
    undated: list[tuple[str, str]] = []
    pages = 0
    for page in sorted(content.rglob("*.md")):
        if page.name == "_index.md":
            continue
        pages += 1
        name = page.parent.name if page.name == "index.md" else page.name
        meta = _front_matter(page)
        if meta.get("date") or _DATED_NAME.match(name):
            continue
        path = meta.get("path")
        undated.append((path.strip() if isinstance(path, str) else "",
                        page.relative_to(content).as_posix()))
    if not undated:
        return
    counts = {p: sum(_dates(p, *texts) for texts in undated) for p in DATE_PATTERNS}
    best = max(DATE_PATTERNS, key=lambda p: counts[p])     # the first on a tie
    if not counts[best]:
        best = ""
    else:
        f.source["date_pattern"] = best
        f.note(f"{len(undated)} of {pages} pages have no date; {counts[best]} keep it in their "
               f"`path` or folders: date_pattern {best!r}")
    left = [rel for texts in undated if not _dates(best, *texts) for rel in texts[1:]]
    if not left:
        return
    if len(left) <= MAX_EXCLUDED:
        # Zola's feeds: "Only pages with a date will be available." A page without one
        # (blog.rust-lang.org's releases/latest.md, a redirect) is in no feed: not a post.
        f.source["exclude"] = left
        f.note(f"{len(left)} of {pages} pages have no date, so no Zola feed has them: "
               "excluded (" + ", ".join(left) + ")")
    else:
        f.unsure(f"{len(left)} of {pages} pages have no date (no `date`, no dated name or path): "
                 "Zola keeps them out of its feeds; feedletter reports them as bad: add "
                 "`date = YYYY-MM-DD`, or list them in [source] exclude")


def _feed_format(root: Path, name: str) -> str | None:
    """"atom" or "rss" for a name of `feed_filenames`: Zola's own atom.xml / rss.xml, or a
    template of the site's (templates/<name>) read for its root element; None otherwise
    (blog.rust-lang.org's `releases.json` is a list of releases, not a feed)."""
    template = root / "templates" / name
    try:
        body = template.read_text("utf-8", errors="replace") if template.is_file() else ""
    except OSError:
        body = ""
    if body:
        if "<rss" in body:
            return "rss"
        return "atom" if "<feed" in body else None
    if "rss" in name:
        return "rss"
    return "atom" if name.endswith(".xml") else None


def _section_pages_only(root: Path, names: Iterable[str]) -> bool:
    """True when the site's own feed template lists `section.pages` and never `pages`:
    Zola gives a feed template `pages` (for the site feed, every page with a date), but
    blog.rust-lang.org's feed.xml loops over `section.pages` of the home section, so the
    pages of its sections (inside-rust) are not in /feed.xml."""
    for name in names:
        template = root / "templates" / name
        try:
            body = template.read_text("utf-8", errors="replace") if template.is_file() else ""
        except OSError:
            continue
        if re.search(r"\bin\s+section\.pages\b", body) and not re.search(r"\bin\s+pages\b", body):
            return True
    return False


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
    elif title := text(_front_matter(root / "content" / "_index.md").get("title")):
        f.site["title"] = title         # the home section's title: what the site's pages show
        f.note(f"title {title!r} (content/_index.md; config.toml has none)")
    f.site_url(text(data.get("base_url")), "base_url", "no site URL in config.toml (base_url)")
    f.site_values(data, (("description", "description"), ("default_language", "language"),
                         ("author", "author")))
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
    formats: dict[str, str] = {}
    for name in map(str, filenames):
        fmt = _feed_format(root, name)
        if fmt is None:
            f.unsure(f"feed file {name!r} is the site's own template, neither Atom nor RSS: "
                     "feedletter does not write it")
        elif fmt not in formats:
            formats[fmt] = name
    if not formats:
        formats = {"atom": "atom.xml"}
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
    in_main = not _section_pages_only(root, formats.values())
    if not in_main:
        f.note("the site's feed template lists `section.pages` (the home section's own pages): "
               "the sections' pages stay out of the main feed")
    if content.is_dir():
        _date_pattern(f, content)
        for index in sorted(content.rglob("_index.md")):
            meta = _front_matter(index)
            if meta.get("generate_feeds", meta.get("generate_feed")) is True:
                path = index.parent.relative_to(content).as_posix()
                if path == ".":
                    continue
                f.sections.append({"path": path, "title": text(meta.get("title")) or path,
                                   "in_main": in_main})
        if f.sections:
            for fmt, name in formats.items():
                f.feed_file(fmt, "sections", f"{{slug}}/{name}")
            f.note("sections with their own feed (generate_feeds in _index.md): "
                   + ", ".join(s["path"] for s in f.sections))
    return f
