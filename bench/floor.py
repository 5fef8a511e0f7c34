"""The floor under a cold build: what the libraries a build must call cost on this machine,
with none of feedletter's own work around them, beside Hugo's time in the same run.

    python bench/floor.py --posts bench/out/corpus-10000/posts \
                          --hugo-site bench/out/corpus-10000/peers/hugo

In this one process, `--rounds` rounds (3); each round runs Hugo once (when
`--hugo-site` is given: the Hugo site `bench/run.py` converted, built into a temporary
folder) and then each row once. A row's figure is its median CPU seconds:

- read + YAML: every post file read, split by python-frontmatter, its YAML parsed by
  libyaml (CBaseLoader); nothing checked.
- Markdown, stock: Python-Markdown (extra, sane_lists), one instance and `reset()`, on
  the body of every post some feed shows.
- Markdown, feedletter: the same on feedletter's instance, with its exact skips
  (`python_markdown.instance()`).
- nh3: feedletter's configured cleaner on each of those posts' HTML.
- feedgen + json: every feed's Atom and RSS from feedgen and its JSON Feed from
  json.dumps (`feeds.emit_feed`), the renders given.

The posts are those the full default output shows (site, every tag and author, 50
entries each), found with feedletter's site model before anything is timed. The sum of
the rows, halved, is what a build that used both cores perfectly and did nothing else
would take; it is also given as a multiple of Hugo's median wall time. Hugo runs in the
same rounds because this machine's speed drifts by a third over minutes, and a ratio
to a Hugo time taken at another moment is off by as much.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from run import rmtree

from feedletter import feeds, posts, render
from feedletter.config import load_config, replace
from feedletter.render import python_markdown, sanitize
from feedletter.site import build_site


def cpu_seconds(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def hugo_seconds(exe: str, site: Path) -> float:
    """One Hugo build of `site` into a fresh temporary folder, wall seconds."""
    with tempfile.TemporaryDirectory() as out:
        rmtree(site / "resources")
        started = time.perf_counter()
        subprocess.run([exe, "--source", str(site), "--destination", out, "--quiet"],
                       check=True)
        return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=Path, required=True, help="the corpus's posts folder")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; each row's median counts")
    ap.add_argument("--hugo-site", type=Path, metavar="DIR",
                    help="the Hugo site bench/run.py made: WORKDIR/corpus-N/peers/hugo")
    ap.add_argument("--hugo-exe", default="hugo", help="the hugo to run (default: on PATH)")
    args = ap.parse_args()

    config = load_config(None, site_url="https://bench.example.org")
    config = replace(config, site=replace(config.site, title="Bench blog",
                                          timezone="Europe/Prague"))   # as bench/run.py
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
    ours = python_markdown.instance()
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

    cleaner = sanitize._cleaner()

    def clean() -> None:
        for fragment in html:
            cleaner.clean(fragment)

    renders = {p.id: render.render_post(p.body or "", p.summary, p.link) for p in shown}

    def emit() -> None:
        for spec in specs:
            feeds.emit_feed(config, spec, lambda post: renders[post.id])

    work = [("read + YAML", read_and_parse, len(paths)),
            ("Markdown, stock", convert(stock, False), len(bodies)),
            ("Markdown, feedletter", convert(ours, True), len(bodies)),
            ("nh3", clean, len(bodies)),
            ("feedgen + json", emit, len(specs))]
    spent: dict[str, list[float]] = {name: [] for name, _, _ in work}
    hugo_runs: list[float] = []
    for round_ in range(1, args.rounds + 1):
        if args.hugo_site:
            hugo_runs.append(hugo_seconds(args.hugo_exe, args.hugo_site))
        for name, run, _ in work:
            spent[name].append(cpu_seconds(run))
        print(f"round {round_}: " + (f"Hugo {hugo_runs[-1]:.2f} s, " if hugo_runs else "")
              + ", ".join(f"{name} {spent[name][-1]:.2f}" for name, _, _ in work), flush=True)
    rows = [(name, statistics.median(spent[name]), count) for name, _, count in work]
    hugo = statistics.median(hugo_runs) if hugo_runs else None

    def line(name: str, seconds: float, count: int | str) -> str:
        per = f"{seconds / count * 1000:.3f}" if isinstance(count, int) else ""
        two = seconds / 2
        times_hugo = f"{two / hugo:.2f}×" if hugo else ""
        return f"| {name} | {count} | {seconds:.2f} | {per} | {two:.2f} | {times_hugo} |"

    print("\n| row | items | CPU s | ms each | two cores, s | two cores × Hugo |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, seconds, count in rows:
        print(line(name, seconds, count))
    median = {name: seconds for name, seconds, _ in rows}
    floor = sum(s for name, s in median.items() if name != "Markdown, stock")
    print(line("sum, feedletter's Markdown", floor, "—"))
    print(line("sum, stock Markdown",
               floor - median["Markdown, feedletter"] + median["Markdown, stock"], "—"))
    if hugo:
        print(f"\nHugo: median {hugo:.2f} s of {len(hugo_runs)} runs "
              f"({', '.join(f'{t:.2f}' for t in hugo_runs)})")


if __name__ == "__main__":
    main()
