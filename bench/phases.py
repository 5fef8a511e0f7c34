"""Where a build's wall time goes: run `feedletter build` in this process, timing its phases.

    python bench/phases.py build --config SITE/feedletter.toml --quiet

Prints one line to stderr after the build's own output, e.g.
`scan 0.12  load+site 3.24  render 12.85  emit+write 2.01  total 18.32` (seconds). The
phases overlap nowhere: "emit+write" is what is left of `write_outputs` after rendering.
For profiling the parts, run the same with `--jobs 1` under cProfile.
"""

from __future__ import annotations

import functools
import sys
import time

from feedletter import build, cli

SPENT: dict[str, float] = {}


def timed(owner: object, name: str, label: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[label] = SPENT.get(label, 0.0) + time.perf_counter() - started

    setattr(owner, name, wrapper)


def main() -> None:
    timed(build, "scan_posts", "scan")
    timed(build, "load_site", "load+site")
    timed(build.Renderer, "prepare", "render")
    timed(build, "write_outputs", "outputs")
    started = time.perf_counter()
    sys.argv = ["feedletter", *sys.argv[1:]]
    try:
        cli.main()
    except SystemExit:
        pass
    total = time.perf_counter() - started
    outputs = SPENT.pop("outputs", 0.0)
    if outputs:
        SPENT["emit+write"] = outputs - SPENT.get("render", 0.0)
    SPENT["total"] = total
    print("  ".join(f"{k} {v:.2f}" for k, v in SPENT.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
