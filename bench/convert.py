"""Convert the synthetic corpus into the peers' input formats (not timed).

    python bench/convert.py POSTS_DIR OUT_DIR [--peer pelican|hugo|all]

Writes OUT_DIR/pelican/ (content/*.md with `Key: value` metadata, pelicanconf.py)
and OUT_DIR/hugo/ (content/posts/*.md with YAML front matter, hugo.toml, layouts/),
configs copied from bench/peers/. Needs PyYAML (a dependency of feedletter, so the
project's venv has it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

PEERS_DIR = Path(__file__).resolve().parent / "peers"

# The abbreviations the corpus uses; fixed offsets, as feedletter reads them.
ZONES = {"UTC": "+00:00", "GMT": "+00:00", "CET": "+01:00", "CEST": "+02:00"}
_ZONED = re.compile(r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d)?) ([A-Z]{2,5})")


@dataclass(frozen=True)
class Post:
    """One corpus post, reduced to what every peer needs."""

    stem: str  # file name without extensions: unique, used as the slug
    title: str
    author: str
    tags: tuple[str, ...]
    date: str  # ISO 8601; without a time or offset the site's time zone applies
    body: str


def iso_date(value: object) -> str:
    """The post date as ISO 8601, whatever form YAML gave it."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    m = _ZONED.fullmatch(text)
    if m and m.group(3) in ZONES:
        time = m.group(2) if m.group(2).count(":") == 2 else m.group(2) + ":00"
        return f"{m.group(1)}T{time}{ZONES[m.group(3)]}"
    return text


def tag_list(value: object) -> tuple[str, ...]:
    """Tags as strings: a YAML list, or one scalar holding comma-separated tags.

    YAML reads unquoted numbers as numbers: `tags: 4.2` is a float, `[2018]` an int.
    """
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).split(",")
    return tuple(s for s in (str(t).strip() for t in items) if s)


def read_post(path: Path) -> Post:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    return Post(
        stem=path.name.split(".", 1)[0],
        title=str(meta["title"]).strip(),
        author=str(meta.get("author", "")),
        tags=tag_list(meta.get("tags")),
        date=iso_date(meta["date"]),
        body=body.lstrip("\n"),
    )


def read_corpus(posts_dir: Path) -> list[Post]:
    return [read_post(p) for p in sorted(posts_dir.glob("*.md"))]


def pelican_source(post: Post) -> str:
    # Pelican's Markdown reader: `Key: value` lines at the top, then a blank line.
    lines = [
        f"Title: {post.title}",
        f"Date: {post.date}",
        f"Author: {post.author}",
        f"Tags: {', '.join(post.tags)}",
        f"Slug: {post.stem}",
    ]
    return "\n".join(lines) + "\n\n" + post.body


def hugo_source(post: Post) -> str:
    # JSON strings and lists are valid YAML, and need no quoting rules of their own.
    lines = [
        "---",
        f"title: {json.dumps(post.title, ensure_ascii=False)}",
        f"date: {post.date}",
        f"author: {json.dumps(post.author)}",
        f"tags: {json.dumps(list(post.tags), ensure_ascii=False)}",
        f"slug: {json.dumps(post.stem)}",
        "---",
    ]
    return "\n".join(lines) + "\n\n" + post.body


def _write_all(posts: list[Post], folder: Path, render) -> None:
    folder.mkdir(parents=True)
    for post in posts:
        (folder / f"{post.stem}.md").write_text(render(post), encoding="utf-8")


def write_pelican(posts: list[Post], site: Path) -> None:
    """A Pelican project: site/content/ and site/pelicanconf.py."""
    shutil.rmtree(site, ignore_errors=True)
    _write_all(posts, site / "content", pelican_source)
    shutil.copy(PEERS_DIR / "pelican" / "pelicanconf.py", site / "pelicanconf.py")


def write_hugo(posts: list[Post], site: Path) -> None:
    """A Hugo project: site/content/posts/, site/hugo.toml and site/layouts/."""
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(PEERS_DIR / "hugo", site)
    _write_all(posts, site / "content" / "posts", hugo_source)


WRITERS = {"pelican": write_pelican, "hugo": write_hugo}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("posts_dir", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--peer", choices=[*WRITERS, "all"], default="all")
    args = ap.parse_args(argv)
    posts = read_corpus(args.posts_dir)
    for name, write in WRITERS.items():
        if args.peer in (name, "all"):
            write(posts, args.out_dir / name)
            print(f"{name}: {len(posts)} posts in {args.out_dir / name}")


if __name__ == "__main__":
    main()
