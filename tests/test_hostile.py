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
- nothing is created, changed or removed outside the output folder, `.feedletter/` and the id
  register `feedletter.ids`;
- the build stays under its time limit and memory bound.

Set FEEDLETTER_HOSTILE_KEEP=DIR to keep each case's output (e.g. for the W3C validator).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from lxml import etree

from conftest import check_cli_output

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
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
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
    """`front` (the keys) and `body`, then `line` repeated `repeat` times, then `tail`."""
    return (f"---\n{case['front']}\n---\n{case.get('body', '')}"
            + case.get("line", "") * case.get("repeat", 0) + case.get("tail", ""))


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


# The builds run in a small fork server: one process imports feedletter once, then forks
# a child per case that runs the CLI's `main` with the case's limits (0.1 s per case
# instead of a 0.5 s interpreter start). Each child is a real process: its own limits,
# its own stdout/stderr files, killed when over time.
SERVER = r"""
import ctypes, json, os, resource, sys, time, traceback
import feedletter.cli, feedletter.build, feedletter.emit, feedletter.render, feedletter.posts
import markdown, nh3, feedgen.feed, lxml.etree, yaml  # noqa: F401 - warm imports

def drop_root_read_override():
    # root reads a chmod 000 file; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH it cannot
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(0x20080522, 0), (Data * 2)()       # _LINUX_CAPABILITY_VERSION_3
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    keep = ~((1 << 1) | (1 << 2)) & 0xFFFFFFFF
    data[0].effective &= keep
    data[0].permitted &= keep
    data[0].inheritable &= keep
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")

def child(req):
    os.chdir(req["cwd"])
    resource.setrlimit(resource.RLIMIT_AS, (req["address_space"], req["address_space"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if req["unprivileged"] and os.geteuid() == 0:
        drop_root_read_override()
    for fd, name, mode in ((0, os.devnull, os.O_RDONLY), (1, req["out"], os.O_WRONLY | os.O_CREAT),
                           (2, req["err"], os.O_WRONLY | os.O_CREAT)):
        os.dup2(os.open(name, mode, 0o644), fd)
    code = 1
    try:
        feedletter.cli.main(req["argv"], prog_name="feedletter")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

def warm_up():
    # One ordinary build in a throw-away folder before serving: the modules a build imports
    # lazily, its compiled templates and its Markdown instance are then inherited by every
    # forked child (about 0.2 s a case instead of 0.6 s). Each case still runs its whole
    # build, every step, in its own process under its own limits.
    import contextlib, io, tempfile
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as top:
        os.makedirs(os.path.join(top, "posts"))
        with open(os.path.join(top, "feedletter.toml"), "w", encoding="utf-8") as fh:
            fh.write(CONFIG)
        with open(os.path.join(top, "posts", "2020-01-01-warm.md"), "w", encoding="utf-8") as fh:
            fh.write(NEIGHBOUR)
        os.chdir(top)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                feedletter.cli.main(["build", "--now", NOW], prog_name="feedletter")
        except SystemExit:
            pass
        finally:
            os.chdir(cwd)

warm_up()
for line in sys.stdin:
    req = json.loads(line)
    sys.stdout.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            child(req)
        finally:
            os._exit(70)
    killed = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - started > req["seconds"]:
            os.kill(pid, 9)
            _, status, usage = os.wait4(pid, 0)
            killed = True
            break
        time.sleep(0.005)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status), "killed": killed,
                      "seconds": time.monotonic() - started, "max_rss_kb": usage.ru_maxrss}),
          flush=True)
"""


@pytest.fixture(scope="module")
def builder():
    """Run `feedletter build` for a case; returns a function (root, seconds, unprivileged)."""
    constants = f"CONFIG = {CONFIG!r}\nNEIGHBOUR = {NEIGHBOUR!r}\nNOW = {NOW!r}\n"
    server = subprocess.Popen([sys.executable, "-c", constants + SERVER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)

    def run(root: Path, seconds: float, *, unprivileged: bool = False) -> Run:
        out, err = root.parent / f"{root.name}.out", root.parent / f"{root.name}.err"
        request = {"cwd": str(root), "argv": ["build", "--now", NOW], "seconds": seconds,
                   "out": str(out), "err": str(err), "unprivileged": unprivileged,
                   "address_space": ADDRESS_SPACE}
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        reply = json.loads(server.stdout.readline())
        stderr = err.read_text("utf-8", "replace")
        check_cli_output(stderr, f"feedletter build in {root}", cwd=root)
        if reply["killed"]:
            pytest.fail(f"build still running after {seconds} s; killed. stderr: {stderr[-2000:]}")
        return Run(reply["code"], out.read_text("utf-8", "replace"), stderr, reply["seconds"],
                   reply["max_rss_kb"] / 1024)

    yield run
    assert server.stdin is not None
    server.stdin.close()
    server.wait(timeout=30)


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
                # feedparser's own sanitizing is not what is tested (the raw HTML is, below)
                parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
                assert parsed.bozo == 0, (rel, parsed.get("bozo_exception"))
            del tree
        elif path.suffix == ".json":
            feed = json.loads(data)
            for item in feed["items"]:
                assert_inert(item.get("content_html", ""), rel)
                # JSON Feed 1.1: `summary` is plain text (what a post says about `<svg>` is
                # text there); the only HTML is content_html, checked above
                summary = item.get("summary", "")
                assert isinstance(summary, str) and "\n" not in summary, (rel, summary)
        elif path.suffix == ".html":
            document = lxml.html.document_fromstring(data)
            for el in document.iter():
                if isinstance(el.tag, str) and el.tag.lower() in ("script", "iframe", "object", "embed"):
                    pytest.fail(f"{rel}: <{el.tag}> in the index page")
    # Every entry's HTML as written (RSS carries the same HTML as Atom) is inert, and
    # every entry id is a URI (a urn:uuid one a real UUID), as Atom requires.
    for path in sorted(out.rglob("*.atom.xml")):
        tree = etree.parse(str(path))
        for node in tree.iter("{http://www.w3.org/2005/Atom}id"):
            assert URI.match(node.text or ""), (str(path.relative_to(out)), node.text)
            if node.text.lower().startswith("urn:uuid:"):
                uuid.UUID(node.text[len("urn:uuid:"):])
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
def test_hostile_case(name: str, case: dict, tmp_path: Path, builder) -> None:
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

    run = builder(root, case.get("seconds", SECONDS), unprivileged=case.get("setup") == "unreadable")
    keep = os.environ.get("FEEDLETTER_HOSTILE_KEEP")
    if keep and out.is_dir():
        shutil.copytree(out, Path(keep) / name, dirs_exist_ok=True)

    where = f"{name}: exit {run.code}\nstdout: {run.stdout}\nstderr: {run.stderr[-3000:]}"
    assert "Traceback" not in run.stderr, where
    after = tree_state(top, (out, root / ".feedletter"))
    # the id register beside the config is feedletter's own lock file (ids.py)
    after = {k: v for k, v in after.items() if not k.startswith("site.") and k != "site/feedletter.ids"}
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

