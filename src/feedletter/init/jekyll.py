"""Jekyll: `_config.yml`, `_data/authors.yml`, jekyll-feed's paths and ids.

Followed: https://jekyllrb.com/docs/configuration/default/ (url, baseurl, permalink,
timezone, future, show_drafts, lang), https://jekyllrb.com/docs/permalinks/ (a posts
collection's own `permalink` wins over the global one), https://github.com/jekyll/jekyll-feed
(`feed.path` default `/feed.xml`; `feed.posts_limit` default 10; `feed.categories` → `/feed/<category>.xml`;
`feed.tags` → `/feed/by_tag/<tag>.xml`; entry id `post.id | absolute_url`),
https://jekyllrb.com/docs/configuration/front-matter-defaults/ (`defaults:` scopes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import authors_from, read_data, text
from .model import Findings, site_relative


def read(root: Path, config_file: Path | None) -> Findings:
    f = Findings("jekyll", root, config_file, posts=root)
    data = read_data(config_file) if config_file else {}
    where = config_file.name if config_file else "_config.yml"
    title = text(data.get("title")) or text(data.get("name"))   # jekyll-feed: title, else name
    if title:
        f.site["title"] = title
        f.note(f"title {title!r} ({where})")
    url = text(data.get("url"))
    baseurl = (text(data.get("baseurl")) or "").rstrip("/")
    if url:
        f.site["url"] = url.rstrip("/") + baseurl
        f.note(f"site URL {f.site['url']} (url{' + baseurl' if baseurl else ''} in {where})")
    else:
        f.unsure(f"no site URL in {where} (url); pass --url")
    f.site_values(data, (("description", "description"), ("lang", "language"),
                         ("timezone", "timezone")), f" in {where}")
    if "timezone" not in f.site:
        f.unsure(f"no timezone in {where}: Jekyll then uses the build machine's zone; "
                 "feedletter uses UTC (set [site] timezone if the posts' dates are local)")
    author = data.get("author")
    name = text(author.get("name")) if isinstance(author, dict) else text(author)
    if name:
        f.site["author"] = name
        f.note(f"site author {name!r} ({where})")

    collections = data.get("collections") if isinstance(data.get("collections"), dict) else {}
    posts_meta = collections.get("posts") if isinstance(collections.get("posts"), dict) else {}
    permalink = text(posts_meta.get("permalink")) or text(data.get("permalink"))
    if permalink:
        f.source["permalink"] = permalink
        f.note(f"permalink {permalink!r} ({where})")
    else:
        f.note("permalink: Jekyll's default 'date' (/:categories/:year/:month/:day/:title:output_ext)")
    if data.get("future") is True:
        f.source["future"] = True
        f.note(f"future: true ({where}): future-dated posts are published")
    if data.get("show_drafts") is True:
        f.source["drafts"] = True
    excluded = data.get("exclude")
    if isinstance(excluded, list) and excluded:
        f.source["exclude"] = [str(x) for x in excluded]
    # Liquid's `site.*` is the whole config (`{{ site.repository }}` in a post): every
    # top-level value feedletter can carry (text, numbers, booleans; not lists or tables).
    variables = {str(k): v for k, v in data.items()
                 if isinstance(v, str | int | float | bool) and str(k) not in ("baseurl",)}
    variables["baseurl"] = baseurl
    f.source["variables"] = variables

    _defaults(f, data.get("defaults"), where)

    authors_file = next((root / "_data" / n for n in ("authors.yml", "authors.yaml", "authors.json")
                         if (root / "_data" / n).is_file()), None)
    if authors_file is not None:
        f.authors = authors_from(read_data(authors_file))
        f.note(f"{len(f.authors)} authors ({authors_file.relative_to(root)})")

    # jekyll-feed: one Atom feed at feed.path; categories and tags listed in `feed`.
    feed = data.get("feed") if isinstance(data.get("feed"), dict) else {}
    plugins = [str(p) for p in (data.get("plugins") or data.get("gems") or []) if isinstance(p, str)]
    if "jekyll-feed" in plugins or feed:
        f.feeds["ids"] = "jekyll-feed"
        f.feed_file("atom", "site", site_relative(text(feed.get("path")) or "/feed.xml"))
        f.note(f"jekyll-feed: the site's Atom feed is /{f.files['atom']['site']}; entry ids "
               "are jekyll-feed's (post.id | absolute_url)")
        # More entries than the old feed had would show readers old posts as new ones.
        limit = feed.get("posts_limit", 10)
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            f.feeds["max_entries"] = limit
            f.note(f"feeds keep the newest {limit} entries (jekyll-feed's posts_limit)")
        categories = feed.get("categories")
        if isinstance(categories, list) and categories:
            f.feed_file("atom", "categories", "feed/{slug}.xml")
            f.note(f"jekyll-feed category feeds /feed/<category>.xml ({', '.join(map(str, categories))})")
            from ..sources import tag_key as slugify  # the key site.py names category feeds by

            for name in map(str, categories):
                # jekyll-feed names the file after the category as written; feedletter's
                # {slug} is lower-case ASCII.
                if slugify(name) != name:
                    f.unsure(f"jekyll-feed wrote category {name!r} to /feed/{name}.xml; feedletter "
                             f"writes /feed/{slugify(name)}.xml: redirect the old URL")
        tags = feed.get("tags")
        if tags:
            tags_path = (text(tags.get("path")) if isinstance(tags, dict) else None) or "/feed/by_tag/"
            f.feed_file("atom", "tags", site_relative(tags_path).rstrip("/") + "/{slug}.xml")
            f.note("jekyll-feed tag feeds /" + f.files["atom"]["tags"].replace("{slug}", "<tag>"))
    elif (root / "feed.xml").is_file():
        f.feeds["ids"] = "jekyll-feed"
        f.feed_file("atom", "site", "feed.xml")
        f.note("a feed.xml page of the site's own: kept at /feed.xml (check its <id>s)")
    else:
        f.feeds_at_root = False
        f.unsure("no jekyll-feed in plugins and no feed.xml: feeds keep feedletter's names")
    return f


# Front-matter defaults that change what a post is in a feed or a digest. Layouts, styles
# and SEO keys change only the page Jekyll renders. `image` is left out on purpose: a
# default image is the same picture for every post in its scope (jekyll-news: the site's
# social card for every page), and feedletter's digest takes `image` as the post's own
# picture, ahead of the first image in its body: every item would show the same card.
DEFAULT_KEYS = ("author", "authors", "category", "categories", "tag", "tags", "permalink",
                "published", "digest")


def _default_value(value: Any) -> Any:
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    return None


def _defaults(f: Findings, entries: Any, where: str) -> None:
    """`defaults:` → `[[source.defaults]]`: the scopes that can reach posts (type `posts`
    or none), with the values that matter to feedletter."""
    if not isinstance(entries, list):
        return
    dropped: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
            continue
        scope = entry.get("scope") if isinstance(entry.get("scope"), dict) else {}
        kind = text(scope.get("type")) or ""
        if kind not in ("", "posts"):
            continue                      # pages, drafts or another collection: never a post
        values = {}
        for key, raw in entry["values"].items():
            value = _default_value(raw) if str(key) in DEFAULT_KEYS else None
            if value is None:
                dropped.add(str(key))
            else:
                values[str(key)] = value
        if values:
            f.source.setdefault("defaults", []).append(
                {"path": text(scope.get("path")) or "", "type": kind, "values": values})
    if f.source.get("defaults"):
        f.note(f"{len(f.source['defaults'])} front-matter defaults for posts ({where})")
    if dropped:
        f.note("front-matter defaults left out (they change the page, not the feed entry): "
               + ", ".join(sorted(dropped)))
