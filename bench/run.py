"""Benchmark feedletter, and Pelican and Hugo where installed, on a synthetic corpus.

    python bench/run.py --posts N [--runs 3] [--workdir DIR] [--feedletter EXE]
                        [--tools feedletter,pelican,hugo]
                        [--engines python-markdown,commonmark] [--json OUT]

Prints one Markdown table: wall time median (min–max), CPU time, peak RSS, output
files and bytes per tool and scenario, and each median's ratio to Hugo's. bench/README.md
says what each row means and how it is measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from hashlib import sha256
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
TOOLS = ("feedletter", "pelican", "hugo")
ENGINES = ("python-markdown", "commonmark")      # `[site] markdown`; the first is the default

FEEDLETTER_TOML = """\
[site]
title = "Bench blog"
url = "https://bench.example.org"
timezone = "Europe/Prague"

[feeds]
max_entries = 50
"""
EDIT = "\n\nBench edit: one more sentence at the end of the newest post.\n"


# --------------------------------------------------------------------------
# Measuring one run
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One timed run of one scenario."""

    wall_s: float
    cpu_s: float  # user + system time of the child and the descendants it waited for
    peak_rss_mb: float
    files: int  # files in the output folder after the run
    bytes: int  # their total size
    written: int  # files created or replaced by the run


Snapshot = dict[str, tuple[int, int, int]]


def snapshot(folder: Path) -> Snapshot:
    """path -> (inode, mtime_ns, size) of every file under folder."""
    files: Snapshot = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            st = os.stat(path)
            files[path] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return files


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (/proc/PID/task/*/children is often missing)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                # Field 4 (ppid) follows the command name, which may hold spaces and ")".
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):  # gone while we read it
                continue
    return parents


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeWatcher(threading.Thread):
    """Polls the peak RSS (VmHWM) of every descendant of a process until stopped.

    A backstop for os.wait4: that counts the child and every descendant reaped below
    it, but not a descendant still running, or orphaned, when the child exits.
    """

    def __init__(self, root: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            children: dict[int, list[int]] = {}
            for pid, parent in _parents().items():
                children.setdefault(parent, []).append(pid)
            todo = list(children.get(self.root, []))
            while todo:
                pid = todo.pop()
                self.peak_kb = max(self.peak_kb, _hwm_kb(pid))
                todo.extend(children.get(pid, []))


def measure(command: list[str], cwd: Path, out_dir: Path, log: Path) -> tuple[int, Sample]:
    """Run command once; return its exit code and what it cost."""
    before = snapshot(out_dir)
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
        watcher = TreeWatcher(proc.pid)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        watcher.stop.set()
        watcher.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # so that Popen never waits again
    after = snapshot(out_dir)
    written = sum(1 for path, key in after.items() if before.get(path) != key)
    # ru_maxrss is in KiB on Linux.
    peak_kb = max(usage.ru_maxrss, watcher.peak_kb)
    sample = Sample(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=peak_kb / 1024,
        files=len(after),
        bytes=sum(size for _, _, size in after.values()),
        written=written,
    )
    return proc.returncode, sample


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


@dataclass
class Scenario:
    """One row of the table: a command, what to do around it, how to check its output."""

    label: str
    tool: str
    command: list[str]
    cwd: Path
    out_dir: Path
    prepare: Callable[[], None] = lambda: None  # untimed, before each run
    restore: Callable[[], None] = lambda: None  # untimed, after each run, even a failed one
    check: Callable[[Sample], str | None] = lambda s: None  # what is wrong with the output
    error: str | None = None  # "not installed", "failed ...": the row has no numbers
    samples: list[Sample] = field(default_factory=list)
    note: str = ""


def rmtree(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def count(path: Path, needle: str) -> int:
    return path.read_text(encoding="utf-8").count(needle) if path.exists() else 0


def newest_post(posts: Path) -> Path:
    # Corpus file names start with the post's date: YYYY-MM-DD-slug.
    return max(posts.glob("*.md"), key=lambda p: (p.name[:10], p.name))


def feedletter_scenarios(exe: Path, posts: Path, run_dir: Path,
                         engine: str = ENGINES[0]) -> list[Scenario]:
    """The rows of one Markdown engine: all four for the default one, cold and no-change
    for the others (the engine changes only what a render costs)."""
    default = engine == ENGINES[0]
    home = run_dir / ("feedletter" if default else f"feedletter-{engine}")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "feedletter.toml"
    toml = FEEDLETTER_TOML.replace("[site]\n", f'[site]\nmarkdown = "{engine}"\n') \
        if not default else FEEDLETTER_TOML
    config.write_text(toml, encoding="utf-8")
    out, state, digest_out = home / "out", home / ".feedletter", home / "digest"
    inputs = ["--config", str(config), "--posts", str(posts)]
    build = [str(exe), "build", *inputs, "--out", str(out), "--quiet"]
    edited = newest_post(posts)
    month = edited.name[:7]
    backup = home / "edited-post.orig"
    if backup.exists():  # an earlier run died between edit and restore
        shutil.copyfile(backup, edited)

    def edit() -> None:
        shutil.copyfile(edited, backup)
        with edited.open("a", encoding="utf-8") as fh:
            fh.write(EDIT)

    def unedit() -> None:
        if backup.exists():
            shutil.copyfile(backup, edited)
            backup.unlink()

    def built(sample: Sample) -> str | None:
        return None if sample.files else "no file in the output folder"

    def rebuilt(sample: Sample) -> str | None:
        return built(sample) or (None if sample.written else "the edit changed no file")

    tag = f" ({engine})"
    rows = [
        Scenario(
            "feedletter cold build" + tag,
            "feedletter",
            build,
            home,
            out,
            prepare=lambda: rmtree(out, state),
            check=built,
            note="empty output folder, no .feedletter/ state",
        ),
        Scenario("feedletter no-change rebuild" + tag, "feedletter", build, home, out,
                 check=built),
    ]
    if not default:
        return rows
    return rows + [
        Scenario(
            "feedletter one-edit rebuild",
            "feedletter",
            build,
            home,
            out,
            prepare=edit,
            restore=unedit,
            check=rebuilt,
            note=f"a sentence appended to {edited.name}",
        ),
        Scenario(
            f"feedletter digest {month}",
            "feedletter",
            [str(exe), "digest", *inputs, "--month", month, "--out", str(digest_out)],
            home,
            digest_out,
            prepare=lambda: rmtree(digest_out),
            check=built,
        ),
    ]


def pelican_scenario(exe: Path, name: str, site: Path, run_dir: Path, n: int) -> Scenario:
    out = run_dir / "pelican-out"

    def check(sample: Sample) -> str | None:
        feeds = out / "feeds"
        entries = count(feeds / "all.atom.xml", "<entry>"), count(feeds / "all.rss.xml", "<item>")
        atom = len(list((feeds / "tag").glob("*.atom.xml")))
        rss = len(list((feeds / "tag").glob("*.rss.xml")))
        scenario.note = f"site + 2 site feeds + {atom} Atom and {rss} RSS tag feeds"
        if entries != (min(n, 50),) * 2:
            return f"site feeds have {entries} entries, not {min(n, 50)}"
        return None if atom and atom == rss else f"{atom} Atom and {rss} RSS tag feeds"

    scenario = Scenario(
        f"{name} (site + feeds)",
        "pelican",
        [str(exe), "content", "--settings", "pelicanconf.py", "--output", str(out), "--quiet"],
        site,
        out,
        prepare=lambda: rmtree(out, site / "cache", site / "__pycache__"),
        check=check,
    )
    return scenario


def hugo_scenario(exe: Path, name: str, site: Path, run_dir: Path, n: int) -> Scenario:
    out = run_dir / "hugo-out"

    def check(sample: Sample) -> str | None:
        items = count(out / "index.xml", "<item>")
        tags = len(list(out.glob("tags/*/index.xml")))
        scenario.note = f"1 site feed + {tags} tag feeds, RSS"
        if items != min(n, 50):
            return f"the site feed has {items} items, not {min(n, 50)}"
        return None if tags else "no tag feed"

    scenario = Scenario(
        f"{name} (feeds)",
        "hugo",
        [str(exe), "--source", str(site), "--destination", str(out), "--quiet"],
        site,
        out,
        prepare=lambda: rmtree(out, site / "resources"),
        check=check,
    )
    return scenario


# --------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------


def make_corpus(workdir: Path, n: int) -> Path:
    """The synthetic corpus of n posts, made once and kept in the workdir."""
    folder = workdir / f"corpus-{n}"
    posts, stamp = folder / "posts", folder / "posts.done"
    if stamp.exists():
        return posts
    script = os.environ.get("FEEDLETTER_MAKE_CORPUS", str(MAKE_CORPUS))
    rmtree(posts)
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, script, str(posts), str(n)], check=True)
    stamp.write_text(f"{script} {n}\n")
    return posts


def converter_hash() -> str:
    digest = sha256()
    for path in sorted([BENCH / "convert.py", *(BENCH / "peers").rglob("*")]):
        if path.is_file():
            digest.update(str(path.relative_to(BENCH)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def convert_corpus(posts: Path) -> Path:
    """The peers' copies of the corpus (bench/convert.py), redone when it changes."""
    folder = posts.parent / "peers"
    stamp = posts.parent / "peers.done"
    key = converter_hash()
    if stamp.exists() and stamp.read_text() == key:
        return folder
    import convert  # bench/convert.py; needs PyYAML, so only when a peer runs

    rmtree(folder)
    corpus = convert.read_corpus(posts)
    for write in convert.WRITERS.values():
        write(corpus, folder / write.__name__.removeprefix("write_"))
    stamp.write_text(key)
    return folder


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except OSError:
        return "?"
    text = (done.stdout or done.stderr).strip()
    found = re.search(r"\d+\.\d+(\.\d+)?", text)
    return found.group(0) if found else "?"


def ratio(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}×" if reference else "–"


def table(scenarios: list[Scenario]) -> str:
    hugo = next((s for s in scenarios if s.tool == "hugo" and s.samples and not s.error), None)
    hugo_median = statistics.median(x.wall_s for x in hugo.samples) if hugo else None
    lines = [
        "| tool / scenario | wall s, median (min–max) | CPU s | peak RSS MB | files (written) | bytes "
        "| × Hugo |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for s in scenarios:
        if s.error or not s.samples:
            lines.append(f"| {s.label} | {s.error or 'no run'} | | | | | |")
            continue
        walls = [x.wall_s for x in s.samples]
        median = statistics.median(walls)
        last = s.samples[-1]
        lines.append(
            f"| {s.label} | {median:.2f} ({min(walls):.2f}–{max(walls):.2f}) "
            f"| {statistics.median(x.cpu_s for x in s.samples):.2f} "
            f"| {max(x.peak_rss_mb for x in s.samples):.0f} "
            f"| {last.files:,} ({last.written:,}) | {last.bytes:,} "
            f"| {'1.00× (ref)' if s is hugo else ratio(median, hugo_median)} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, required=True, metavar="N", help="corpus size")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each row (default 3)")
    ap.add_argument(
        "--workdir", type=Path, default=BENCH / "out", help="corpus cache and outputs (default bench/out/)"
    )
    ap.add_argument(
        "--feedletter",
        type=Path,
        default=REPO / ".venv" / "bin" / "feedletter",
        metavar="EXE",
        help="feedletter executable (default .venv/bin/feedletter)",
    )
    ap.add_argument(
        "--pelican",
        type=Path,
        default=BENCH / ".peers-venv" / "bin" / "pelican",
        metavar="EXE",
        help="default bench/.peers-venv/bin/pelican",
    )
    ap.add_argument(
        "--hugo",
        type=Path,
        default=Path(shutil.which("hugo") or "/usr/bin/hugo"),
        metavar="EXE",
        help="default: hugo on PATH",
    )
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS))
    ap.add_argument("--engines", default=",".join(ENGINES),
                    help="Markdown engines to give feedletter rows (default: both)")
    ap.add_argument("--json", type=Path, metavar="OUT", help="also save the raw numbers here")
    args = ap.parse_args(argv)
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if set(args.engines) - set(ENGINES):
        ap.error(f"unknown engine(s) {sorted(set(args.engines) - set(ENGINES))}")
    unknown = set(args.tools) - set(TOOLS)
    if unknown or args.posts < 1 or args.runs < 1:
        ap.error(f"unknown tool(s) {sorted(unknown)}" if unknown else "N and runs must be >= 1")
    return args


def set_up(args: argparse.Namespace) -> tuple[list[Scenario], dict[str, str]]:
    """Every row, with its error set where the tool is missing or its input can't be made."""
    workdir = args.workdir.resolve()
    posts = make_corpus(workdir, args.posts)
    run_dir = workdir / f"run-{args.posts}"
    run_dir.mkdir(parents=True, exist_ok=True)
    exes = {"feedletter": args.feedletter.resolve(), "pelican": args.pelican, "hugo": args.hugo}
    installed = {t: exes[t].is_file() and os.access(exes[t], os.X_OK) for t in args.tools}
    version_arg = {"feedletter": "--version", "pelican": "--version", "hugo": "version"}
    found = {t: version([str(exes[t]), version_arg[t]]) for t in args.tools if installed[t]}

    scenarios: list[Scenario] = []
    if "feedletter" in args.tools:
        for engine in args.engines:
            scenarios += feedletter_scenarios(exes["feedletter"], posts, run_dir, engine)
    peers, conversion_error = None, ""
    if installed.get("pelican") or installed.get("hugo"):
        try:
            peers = convert_corpus(posts)
        except Exception as exc:  # noqa: BLE001 - any failure only costs the peers' rows
            peers, conversion_error = None, f"corpus conversion failed: {exc!r}"
    if "pelican" in args.tools:
        name = f"Pelican {found.get('pelican', '')}".strip()
        site = (peers or workdir) / "pelican"
        scenarios.append(pelican_scenario(exes["pelican"], name, site, run_dir, args.posts))
    if "hugo" in args.tools:
        name = f"Hugo {found.get('hugo', '')}".strip()
        site = (peers or workdir) / "hugo"
        scenarios.append(hugo_scenario(exes["hugo"], name, site, run_dir, args.posts))
    for s in scenarios:
        if not installed[s.tool]:
            s.error = "not installed"
        elif s.tool != "feedletter" and peers is None:
            s.error = conversion_error
    return scenarios, found


def run_rounds(scenarios: list[Scenario], runs: int, log: Path) -> None:
    """Round-robin: each round runs every row once, so drift hits all rows alike."""
    for round_no in range(1, runs + 1):
        for s in scenarios:
            if s.error:
                continue
            print(f"[{round_no}/{runs}] {s.label} ...", end=" ", file=sys.stderr, flush=True)
            s.out_dir.mkdir(parents=True, exist_ok=True)
            s.prepare()
            try:
                code, sample = measure(s.command, s.cwd, s.out_dir, log)
                problem = f"exit {code}" if code else s.check(sample)
            finally:
                s.restore()
            if problem:
                s.error = f"failed: {problem} (see {log})"
                print(s.error, file=sys.stderr)
                continue
            s.samples.append(sample)
            print(
                f"{sample.wall_s:.2f} s, CPU {sample.cpu_s:.2f} s, {sample.peak_rss_mb:.0f} MB",
                file=sys.stderr,
            )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    scenarios, versions = set_up(args)
    log = args.workdir.resolve() / f"run-{args.posts}" / "commands.log"
    log.write_text("")
    load_before = os.getloadavg()[0]
    run_rounds(scenarios, args.runs, log)

    header = (
        f"feedletter bench, {dt.date.today().isoformat()}: N = {args.posts:,} posts, "
        f"cpu_count = {os.cpu_count()}, {args.runs} runs each, Python "
        f"{sys.version.split()[0]}, load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after"
    )
    if versions:
        header += "; " + ", ".join(f"{tool} {v}" for tool, v in versions.items())
    notes = [f"- {s.label}: {s.note}" for s in scenarios if s.note and not s.error]
    print("\n".join([header, "", table(scenarios), "", *notes]))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "posts": args.posts,
                    "cpu_count": os.cpu_count(),
                    "runs": args.runs,
                    "load_average": [load_before, os.getloadavg()[0]],
                    "versions": versions,
                    "rows": [
                        {
                            "label": s.label,
                            "tool": s.tool,
                            "command": s.command,
                            "error": s.error,
                            "note": s.note,
                            "samples": [asdict(x) for x in s.samples],
                        }
                        for s in scenarios
                    ],
                },
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
