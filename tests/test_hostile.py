"""Hostile posts: every case in tests/hostile/cases.toml, built by the real CLI.

Each case is a fixture in tests/hostile/ (`<case>.md`, raw bytes in `<case>.bin`, or a
folder of posts `<case>/`) or a post made at test time (`setup = ...`: symlinks, a FIFO,
an unreadable file, 5 MB, 10,000 tags). It is built alone beside one ordinary post by
`python -m feedletter build` in a subprocess with a time limit and an address-space
limit, and then, whatever the case:

- the outcome is the expected one: published with the right title, tags and authors, or
  reported on stderr as `path[:line]: reason` (exit status 1) with the ordinary post still
  published; never a traceback;
- every feed is well-formed XML that feedparser reads with `bozo == 0`, every JSON feed is
  JSON, and no HTML in any of them (or in index.html) can run a script;
- nothing is created, changed or removed outside the output folder and `.feedletter/`;
- the build stays under its time limit and memory bound.

Set FEEDLETTER_HOSTILE_KEEP=DIR to keep each case's output (e.g. for the W3C validator).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from lxml import etree

HOSTILE = Path(__file__).parent / "hostile"
CASES: dict[str, dict] = tomllib.loads((HOSTILE / "cases.toml").read_text("utf-8"))
NOW = "2030-01-01T00:00:00+00:00"
SECONDS = 10.0              # per build, unless the case sets `seconds`
ADDRESS_SPACE = 2 << 30     # RLIMIT_AS of the build: a runaway allocation fails, not the machine
MAX_RSS_MB = 600            # what a build may really use
CONFIG = """\
[site]
title = "Hostile"
url = "https://example.org"
timezone = "Europe/Prague"
author = "Site Team"
"""
NEIGHBOUR = "---\ntitle: Ordinary neighbour\ndate: 2020-01-01 10:00 UTC\ntags: neighbour\n---\nFine.\n"
OUTCOMES = {"published", "warning", "error", "ignored"}
SAFE_SCHEMES = {"http", "https", "mailto"}
ACTIVE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
               "style", "link", "meta", "base", "form", "input", "button", "textarea", "select",
               "template", "noscript"}
URL_ATTRIBUTES = {"href", "src", "cite", "poster", "srcset", "longdesc", "action", "formaction",
                  "data", "background", "xlink:href", "srcdoc"}


# --- making a case -----------------------------------------------------------------------

def installed_name(name: str, case: dict) -> str:
    return case.get("name", f"{name}.md")


def fixture(name: str, case: dict) -> Path | None:
    if "file" in case:
        return HOSTILE / case["file"]
    for candidate in (HOSTILE / f"{name}.md", HOSTILE / f"{name}.bin", HOSTILE / name):
        if candidate.exists():
            return candidate
    return None


def generated_text(case: dict) -> str:
    """`front` (the keys) and `body`, with `line` repeated `repeat` times after the body."""
    return (f"---\n{case['front']}\n---\n{case.get('body', '')}"
            + case.get("line", "") * case.get("repeat", 0))


def setup_generated(posts: Path, root: Path, name: str, case: dict) -> None:
    (posts / installed_name(name, case)).write_text(generated_text(case), "utf-8")


def setup_many(posts: Path, root: Path, name: str, case: dict) -> None:
    """`count` distinct values of the list key `key` on one post."""
    values = ", ".join(f"{case['prefix']}{i}" for i in range(case["count"]))
    text = f"---\n{case['front']}\n{case['key']}: [{values}]\n---\n{case.get('body', 'Body.')}\n"
    (posts / installed_name(name, case)).write_text(text, "utf-8")


def setup_alias_bomb(posts: Path, root: Path, name: str, case: dict) -> None:
    """One long string, aliased many times in a list: small file, huge expansion."""
    big = "x" * case["length"]
    aliases = ", ".join(["*s"] * case["count"])
    text = (f"---\n{case['front']}\nbig: &s {big}\n{case['key']}: [{aliases}]\n---\nBody.\n")
    (posts / installed_name(name, case)).write_text(text, "utf-8")


def setup_big_file(posts: Path, root: Path, name: str, case: dict) -> None:
    """A post of `megabytes` MB: some prose, then a pasted log in a code block."""
    head = f"---\n{case['front']}\n---\n"
    prose = ("Plain prose with *emphasis*, `code` and a [link](https://example.org/). " * 12 + "\n\n")
    line = "2020-02-01 12:00:00 INFO [worker-3] request id=4f2a served in 12 ms\n"
    target = int(case["megabytes"] * 1_000_000)
    prose_part = prose * (case.get("prose_kb", 0) * 1000 // len(prose))
    log_lines = max(0, (target - len(head) - len(prose_part)) // len(line))
    (posts / installed_name(name, case)).write_text(
        head + prose_part + "```\n" + line * log_lines + "```\n", "utf-8")


def setup_symlink(posts: Path, root: Path, name: str, case: dict) -> None:
    """A link named like a post: to `target` (relative to the site root, or absolute)."""
    target = case["target"]
    if not target.startswith("/"):
        outside = root / target
        outside.parent.mkdir(parents=True, exist_ok=True)
        if "text" in case:
            outside.write_text(case["text"], "utf-8")
        target = os.path.relpath(outside, posts) if case.get("relative") else str(outside)
    os.symlink(target, posts / installed_name(name, case))


def setup_symlink_loop(posts: Path, root: Path, name: str, case: dict) -> None:
    os.symlink("loop-b.md", posts / installed_name(name, case))
    os.symlink(installed_name(name, case), posts / "loop-b.md")


def setup_fifo(posts: Path, root: Path, name: str, case: dict) -> None:
    os.mkfifo(posts / installed_name(name, case))


def setup_unreadable(posts: Path, root: Path, name: str, case: dict) -> None:
    path = posts / installed_name(name, case)
    path.write_text(generated_text(case), "utf-8")
    path.chmod(0)


def setup_folder(posts: Path, root: Path, name: str, case: dict) -> None:
    """A folder named like a post, holding a real post (and an empty one beside it)."""
    folder = posts / installed_name(name, case)
    folder.mkdir()
    (folder / "inner.md").write_text(generated_text(case), "utf-8")
    (posts / "empty-folder.md").mkdir()


def setup_bad_name(posts: Path, root: Path, name: str, case: dict) -> None:
    """A file name that is not UTF-8 (bytes from a Latin-1 machine)."""
    raw = os.fsencode(posts) + b"/" + case["name_bytes"].encode("latin-1")
    with open(raw, "w", encoding="utf-8") as fh:
        fh.write(generated_text(case))


SETUPS = {f.__name__.removeprefix("setup_"): f for f in (
    setup_generated, setup_many, setup_alias_bomb, setup_big_file, setup_symlink,
    setup_symlink_loop, setup_fifo, setup_unreadable, setup_folder, setup_bad_name)}


def install(name: str, case: dict, posts: Path, root: Path) -> None:
    (posts / "2020-01-01-neighbour.md").write_text(NEIGHBOUR, "utf-8")
    if "setup" in case:
        SETUPS[case["setup"]](posts, root, name, case)
        return
    source = fixture(name, case)
    assert source is not None, f"no fixture for case {name!r} in {HOSTILE}"
    if source.is_dir():
        for path in sorted(source.iterdir()):
            shutil.copyfile(path, posts / path.name)
    else:
        shutil.copyfile(source, posts / installed_name(name, case))


# --- running and observing ---------------------------------------------------------------

@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


def _drop_root_read_override() -> None:
    """Make root subject to file permissions (drop CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).

    Tests often run as root, which reads a chmod 000 file; without these two capabilities
    it cannot, so the unreadable-file case means the same for root as for anyone.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):                       # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:    # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_build(root: Path, seconds: float, *, unprivileged: bool = False) -> Run:
    """`python -m feedletter build` in `root`, bounded in time and address space."""
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if unprivileged and os.geteuid() == 0:
            _drop_root_read_override()

    out, err = root.parent / f"{root.name}.out", root.parent / f"{root.name}.err"
    started = time.monotonic()
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen([sys.executable, "-m", "feedletter", "build", "--now", NOW],
                                cwd=root, stdout=fo, stderr=fe, preexec_fn=limits)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > seconds:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                pytest.fail(f"build still running after {seconds} s; killed. stderr: "
                            f"{err.read_text('utf-8', 'replace')[-2000:]}")
            time.sleep(0.01)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(proc.returncode, out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace"),
               time.monotonic() - started, usage.ru_maxrss / 1024)


def tree_state(top: Path, skip: tuple[Path, ...]) -> dict[str, tuple]:
    """Every entry under `top` (not following links) with its type, mode and content hash."""
    state: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for entry in [*dirnames, *filenames]:
            path = here / entry
            st = path.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_mode & 0o400:
                content = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(path)
            else:
                content = ""
            state[str(path.relative_to(top))] = (stat.S_IFMT(st.st_mode), st.st_mode & 0o7777, content)
    return state


def assert_inert(fragment: str, where: str) -> None:
    """No element, attribute or URL in this HTML can run anything in a reader or browser."""
    if not fragment.strip():
        return
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue                                # comments, processing instructions
        assert el.tag.lower() not in ACTIVE_TAGS, (where, lxml.html.tostring(el)[:200])
        for name, value in el.attrib.items():
            low = name.lower()
            assert not low.startswith("on"), (where, name, value)
            if low in URL_ATTRIBUTES:
                urls = [u.split()[0] for u in value.split(",") if u.split()] if low == "srcset" \
                    else [value]
                for url in urls:
                    scheme = urlsplit(url.strip()).scheme.lower()
                    assert scheme in SAFE_SCHEMES, (where, name, value)
            if low == "style":
                assert "expression" not in value.lower() and "url(" not in value.lower(), \
                    (where, value)


def check_outputs(out: Path) -> list[dict]:
    """Every output file is well-formed and inert; returns the site JSON feed's items."""
    assert out.is_dir(), "no output folder"
    real_out = out.resolve()
    for path in sorted(out.rglob("*")):
        assert not path.is_symlink(), path
        assert real_out in path.resolve().parents, path
        if not path.is_file() or path.name.startswith("."):
            continue
        rel = str(path.relative_to(out))
        data = path.read_bytes()
        if path.name.endswith(".xml") or path.suffix == ".opml":
            tree = etree.fromstring(data)              # raises on any well-formedness error
            if path.suffix == ".xml":
                parsed = feedparser.parse(data)
                assert parsed.bozo == 0, (rel, parsed.get("bozo_exception"))
                for entry in parsed.entries:
                    for part in [*entry.get("content", []), entry.get("summary_detail")]:
                        if part is not None:
                            assert_inert(part.get("value", ""), rel)
            del tree
        elif path.suffix == ".json":
            feed = json.loads(data)
            for item in feed["items"]:
                assert_inert(item.get("content_html", ""), rel)
                assert_inert(item.get("summary", ""), rel)
        elif path.suffix == ".html":
            document = lxml.html.document_fromstring(data)
            for el in document.iter():
                if isinstance(el.tag, str) and el.tag.lower() in ("script", "iframe", "object", "embed"):
                    pytest.fail(f"{rel}: <{el.tag}> in the index page")
    # Raw XML: every feed entry's HTML, before feedparser's own sanitizer, is inert too.
    for path in sorted(out.rglob("*.atom.xml")):
        tree = etree.parse(str(path))
        for node in tree.iter("{http://www.w3.org/2005/Atom}content",
                              "{http://www.w3.org/2005/Atom}summary"):
            assert_inert(node.text or "", str(path.relative_to(out)))
    return json.loads((out / "all.json").read_text("utf-8"))["items"]


def problem_lines(stderr: str, display: str) -> tuple[list[str], list[str]]:
    """Errors (lines starting with `display`) and warnings (`warning: ...` naming it)."""
    lines = stderr.splitlines()
    return ([ln for ln in lines if ln.startswith(display)],
            [ln for ln in lines if ln.startswith("warning: ") and display in ln])


# --- the test ----------------------------------------------------------------------------

def case_params():
    for name, case in CASES.items():
        marks = [pytest.mark.slow] if case.get("slow") else []
        if "xfail" in case:
            marks.append(pytest.mark.xfail(reason=case["xfail"], strict=True))
        yield pytest.param(name, case, id=name, marks=marks)


@pytest.mark.parametrize("name, case", list(case_params()))
def test_hostile_case(name: str, case: dict, tmp_path: Path) -> None:
    assert case.get("outcome") in OUTCOMES, f"{name}: outcome must be one of {sorted(OUTCOMES)}"
    assert case.get("why"), f"{name}: say what the case is about in 'why'"
    top = tmp_path
    root = top / "site"
    posts = root / "posts"
    posts.mkdir(parents=True)
    (root / "feedletter.toml").write_text(CONFIG + case.get("config", ""), "utf-8")
    install(name, case, posts, root)
    out = root / "feeds"
    before = tree_state(top, (out, root / ".feedletter"))

    run = run_build(root, case.get("seconds", SECONDS), unprivileged=case.get("setup") == "unreadable")
    keep = os.environ.get("FEEDLETTER_HOSTILE_KEEP")
    if keep and out.is_dir():
        shutil.copytree(out, Path(keep) / name, dirs_exist_ok=True)

    where = f"{name}: exit {run.code}\nstdout: {run.stdout}\nstderr: {run.stderr[-3000:]}"
    assert "Traceback" not in run.stderr, where
    after = tree_state(top, (out, root / ".feedletter"))
    after = {k: v for k, v in after.items() if not k.startswith("site.")}
    before = {k: v for k, v in before.items() if not k.startswith("site.")}
    assert after == before, f"{name}: files outside the output folder changed: " \
                            f"{sorted(set(after.items()) ^ set(before.items()))[:10]}"
    assert run.max_rss_mb < case.get("max_rss_mb", MAX_RSS_MB), (name, run.max_rss_mb)

    items = check_outputs(out)
    titles = {item["title"] for item in items}
    assert "Ordinary neighbour" in titles, where
    display = f"posts/{installed_name(name, case)}"
    errors, warnings = problem_lines(run.stderr, display)
    outcome = case["outcome"]
    title = case.get("title")
    if outcome == "error":
        assert run.code == 1, where
        assert title is None or title not in titles, where
        expected = f"{display}:{case['line']}: " if "line" in case else display
        matching = [ln for ln in errors if ln.startswith(expected) and case["message"] in ln]
        assert matching, f"{where}\nexpected a line starting {expected!r} with {case['message']!r}"
        assert titles == {"Ordinary neighbour", *case.get("also", [])}, where
        return
    assert run.code == 0, where
    assert not errors, where
    if outcome == "warning" or "message" in case:
        assert any(case["message"] in ln for ln in warnings), \
            f"{where}\nexpected a warning about {display} with {case['message']!r}"
    elif outcome == "published":
        assert not warnings, where
    if outcome == "ignored":
        assert titles == {"Ordinary neighbour"}, where
        return
    found = [i for i in items if i["title"] == title and i["url"] == case.get("link", i["url"])]
    assert found, f"{where}\npublished: {sorted((i['title'], i['url']) for i in items)}"
    item = found[0]
    if "tags" in case:
        assert item.get("tags", []) == case["tags"], where
    if "authors" in case:
        assert [a["name"] for a in item["authors"]] == case["authors"], where
    if "date" in case:
        assert item["date_published"] == case["date"], where
    for text in case.get("content", []):
        assert text in item["content_html"], (where, item["content_html"][:2000])
    for text in case.get("not_content", []):
        assert text not in item["content_html"], (where, item["content_html"][:2000])
    for rel in case.get("files", []):
        assert (out / rel).is_file(), (where, rel)
    for other in case.get("also", []):
        assert other in titles, where
