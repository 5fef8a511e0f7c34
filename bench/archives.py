"""RFC 5005 archives at scale: what a cron rebuild writes with `[feeds] archives = true`.

    python bench/archives.py [--posts 10000] [--work DIR]

Builds the synthetic corpus (../shared/bench/make_corpus.py) with archives on, then:
a rebuild with nothing changed, and a rebuild after one new post. For each rebuild it
prints the files written, and for the one-post rebuilds the most files written in any one
feed's document series (a format's current document plus its archives). Expected: 0
files, and at most 2 per series (the current document; plus one new archive when the
post completes one: the last rebuild adds the post that completes the site feed's next
archive). Archive size is the default, 25.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
NOW = "2031-01-01T00:00:00Z"
NEW_POST = """---
title: One more post
date: 2030-12-31 12:00 UTC
author: jnovak
tags: [oVirt, community, release]
---
A new post, the only change since the last build.
"""


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(out)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}


def series(name: str) -> str:
    """tags/ovirt.archive-3.atom.xml → tags/ovirt.atom.xml (the feed it belongs to)."""
    stem, dot, rest = name.partition(".archive-")
    return stem + "." + rest.split(".", 1)[1] if dot else name


def build(work: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "feedletter", "build", "--quiet", "--now", NOW],
                          cwd=work, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    if done.returncode not in (0, 1):
        sys.exit(done.stderr[-2000:])
    return time.perf_counter() - started, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--make-corpus", type=Path, default=MAKE_CORPUS,
                        help="the corpus generator (default: ../shared/bench/make_corpus.py)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="feedletter-archives-"))
    if (work / "posts").exists():
        shutil.rmtree(work / "posts")
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(args.make_corpus), str(work / "posts"), str(args.posts)],
                   check=True, capture_output=True)
    (work / "feedletter.toml").write_text(
        '[site]\ntitle = "Bench"\nurl = "https://example.org"\n'
        '[feeds]\narchives = true\n')
    out = work / "feeds"
    seconds, line = build(work)
    first = snapshot(out)
    archives = sum(".archive-" in n for n in first)
    print(f"cold build, archives on: {seconds:.1f} s, {len(first)} files "
          f"({archives} archive documents): {line}")

    seconds, line = build(work)
    second = snapshot(out)
    written = [n for n in second if second[n] != first.get(n)]
    print(f"no-change rebuild: {seconds:.2f} s, {len(written)} files written: {line}")

    (work / "posts" / "zz-one-more-post.md").write_text(NEW_POST)
    seconds, line = build(work)
    third = snapshot(out)
    written = sorted(n for n in third if third[n] != second.get(n))
    per_series = Counter(series(n) for n in written if n.endswith((".xml", ".json")))
    worst = max(per_series.values(), default=0)
    new_archives = sum(".archive-" in n for n in written)
    print(f"one new post: {seconds:.2f} s, {len(written)} files written in {len(per_series)} "
          f"feed documents series, at most {worst} per series ({new_archives} new archive "
          f"documents): {line}")

    # Posts until the site feed's next archive is one post short, then the one that
    # completes it: the current document and one new archive per series.
    size, total = 25, args.posts + 1
    missing = (size - total % size) % size or size
    for i in range(missing - 1):
        (work / "posts" / f"zz-filler-{i:02d}.md").write_text(
            NEW_POST.replace("One more post", f"Filler {i}").replace("12:00", f"13:{i:02d}"))
    build(work)
    fourth = snapshot(out)
    (work / "posts" / "zz-completes-an-archive.md").write_text(
        NEW_POST.replace("One more post", "The post that completes an archive")
                .replace("12:00", "23:59"))
    seconds, line = build(work)
    fifth = snapshot(out)
    written = sorted(n for n in fifth if fifth[n] != fourth.get(n))
    per_series = Counter(series(n) for n in written if n.endswith((".xml", ".json")))
    new_archives = sum(".archive-" in n and n not in fourth for n in written)
    rewritten = sum(".archive-" in n and n in fourth for n in written)
    print(f"one new post completing the site feed's archive: {seconds:.2f} s, {len(written)} "
          f"files written in {len(per_series)} feed document series, at most "
          f"{max(per_series.values(), default=0)} per series ({new_archives} new archive "
          f"documents, {rewritten} old ones rewritten): {line}")
    if args.work is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
