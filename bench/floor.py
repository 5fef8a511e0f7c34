"""The floor under a cold build: what the libraries a build must call cost on this machine,
with none of feedletter's own work around them.

    python bench/floor.py --posts bench/out/corpus-10000/posts [--hugo SECONDS]

In this one process, the best of `--passes` passes of each row (CPU seconds):

- read + YAML: every post file read, split by python-frontmatter, its YAML parsed by
  libyaml (CBaseLoader); nothing checked.
- Markdown, stock: Python-Markdown (extra, sane_lists), one instance and `reset()`, on
  the body of every post some feed shows.
- Markdown, feedletter: the same on feedletter's instance, with its exact skips
  (`render._markdown()`).
- nh3: feedletter's configured cleaner on each of those posts' HTML.
- feedgen + json: every feed's Atom and RSS from feedgen and its JSON Feed from
  json.dumps (`feeds.emit_feed`), the renders given.

The posts are those the full default output shows (site, every tag and author, 50
entries each), found with feedletter's site model before anything is timed. The sum of
the rows, halved, is what a build that used both cores perfectly and did nothing else
would take. With `--hugo SECONDS` (Hugo's wall time from `bench/run.py`), each figure
is also given as a multiple of it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from feedletter import feeds, posts, render
from feedletter.config import load_config
from feedletter.site import build_site


def best(passes: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(passes):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=Path, required=True, help="the corpus's posts folder")
    ap.add_argument("--passes", type=int, default=2, help="passes of each row; the best counts")
    ap.add_argument("--hugo", type=float, metavar="SECONDS", help="Hugo's wall time, for ratios")
    args = ap.parse_args()

    config = replace(load_config(None, site_url="https://bench.example.org"),
                     title="Bench blog", timezone="Europe/Prague")      # as bench/run.py
    paths = list(posts.discover(args.posts))      # the files a build reads, as it finds them
    load = posts.load_posts(config, args.posts, now=datetime.now(UTC))
    site = build_site(config, load.posts)
    specs = feeds.feed_specs(site)
    shown = feeds.posts_in_feeds(specs)
    bodies = [(p.body or "", p.link) for p in shown]
    print(f"{len(paths):,} posts, {len(specs)} feeds, {len(shown):,} posts shown in some feed",
          flush=True)

    handler, _ = posts._handler()

    def read_and_parse() -> None:
        for path in paths:
            with open(path, "rb") as fh:
                text = fh.read().decode("utf-8-sig")
            fm, _body = handler.split(text)
            handler.load(fm)

    import markdown

    stock = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    ours = render._markdown()
    html: list[str] = []

    def convert(md: markdown.Markdown, keep: bool) -> Callable[[], None]:
        def work() -> None:
            html.clear()
            for body, _ in bodies:
                out = md.convert(body)
                md.reset()
                if keep:
                    html.append(out)
        return work

    cleaner = render._cleaner()

    def clean() -> None:
        for fragment in html:
            cleaner.clean(fragment)

    renders = {p.id: render.render_post(p.body or "", p.summary, p.link) for p in shown}

    def emit() -> None:
        for spec in specs:
            feeds.emit_feed(config, spec, lambda post: renders[post.id])

    rows = [("read + YAML", best(args.passes, read_and_parse), len(paths)),
            ("Markdown, stock", best(args.passes, convert(stock, False)), len(bodies)),
            ("Markdown, feedletter", best(args.passes, convert(ours, True)), len(bodies)),
            ("nh3", best(args.passes, clean), len(bodies)),
            ("feedgen + json", best(args.passes, emit), len(specs))]

    def line(name: str, seconds: float, count: int | str) -> str:
        per = f"{seconds / count * 1000:.3f}" if isinstance(count, int) else ""
        two = seconds / 2
        hugo = f"{two / args.hugo:.2f}×" if args.hugo else ""
        return f"| {name} | {count} | {seconds:.2f} | {per} | {two:.2f} | {hugo} |"

    print("\n| row | items | CPU s | ms each | two cores, s | two cores × Hugo |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, seconds, count in rows:
        print(line(name, seconds, count))
    floor = sum(s for name, s, _ in rows if name != "Markdown, stock")
    print(line("sum, feedletter's Markdown", floor, "—"))
    print(line("sum, stock Markdown", floor - rows[2][1] + rows[1][1], "—"))


if __name__ == "__main__":
    main()
