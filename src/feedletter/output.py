"""Atomic, skip-if-unchanged writes of a tree of files, and the locks around them.

A reader (a web server, rsync, a killed build's successor) only ever sees a complete old
or a complete new file: each file is written to a temporary name in the same folder,
flushed to disk, then renamed over the old one. A file whose bytes would not change is
not touched, so its mtime stays and HTTP caches see nothing new.

The manifest (`.feedletter-manifest` in the output folder) lists what feedletter wrote;
only those files are ever removed (feeds of tags that no longer exist). Before writing,
the manifest is widened to old ∪ new, so a build killed half-way still knows every file
it may have created.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import FeedletterError, LockBusy

MANIFEST = ".feedletter-manifest"
TMP_MARK = ".feedletter-tmp"


@dataclass
class WriteReport:
    written: list[str]
    unchanged: list[str]
    removed: list[str]


def safe_relpath(rel: str) -> str:
    """Refuse any output path that could land outside the output folder."""
    p = PurePosixPath(rel)
    if p.is_absolute() or any(part in ("", ".", "..") for part in p.parts) or "\\" in rel \
            or "\x00" in rel:
        raise FeedletterError(f"refusing to write outside the output folder: {rel!r}")
    return str(p)


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` atomically; False (and no write) when the bytes are equal."""
    try:
        with path.open("rb") as fh:
            if os.fstat(fh.fileno()).st_size == len(data) and fh.read() == data:
                return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_MARK}")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return True


def write_file(out_dir: Path, name: str, data: bytes, *, dry_run: bool = False) -> bool:
    """Write one file of an output tree atomically; whether its bytes changed.

    With `dry_run`, only compare. Safe to call from several processes at once for
    different names (a `TreeWriter`'s `start` must have run first).
    """
    path = out_dir / safe_relpath(name)
    if not dry_run:
        return write_atomic(path, data)
    try:
        return path.read_bytes() != data
    except OSError:
        return True


def _read_manifest(out_dir: Path) -> set[str]:
    try:
        names = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(names, list):
        return set()
    result = set()
    for name in names:
        try:
            result.add(safe_relpath(str(name)))
        except FeedletterError:
            continue
    return result


def _write_manifest(out_dir: Path, names: set[str]) -> None:
    data = (json.dumps(sorted(names), indent=0) + "\n").encode()
    write_atomic(out_dir / MANIFEST, data)


def _remove_stale_temps(out_dir: Path) -> None:
    for tmp in out_dir.rglob(f"*{TMP_MARK}"):
        with contextlib.suppress(OSError):
            tmp.unlink()


class TreeWriter:
    """Write an output tree file by file (nothing held in memory), then prune.

    `start(names)` widens the manifest to every name this run may write, `write(name,
    data)` writes one file atomically, `finish(prune=True)` removes what earlier runs wrote
    and this one did not, and records the manifest.
    """

    def __init__(self, out_dir: Path, *, dry_run: bool = False) -> None:
        self.out_dir = out_dir
        self.dry_run = dry_run
        self.report = WriteReport([], [], [])
        self.names: set[str] = set()
        self.old: set[str] = set()

    def start(self, names: set[str]) -> None:
        self.names = {safe_relpath(n) for n in names}
        self.old = _read_manifest(self.out_dir) if self.out_dir.exists() else set()
        if self.dry_run:
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(self.out_dir)
        if not self.names <= self.old:
            _write_manifest(self.out_dir, self.old | self.names)

    def write(self, name: str, data: bytes) -> bool:
        changed = write_file(self.out_dir, name, data, dry_run=self.dry_run)
        self.record(name, changed)
        return changed

    def record(self, name: str, changed: bool) -> None:
        """Count a file another process wrote (with `write_file`) for this tree."""
        (self.report.written if changed else self.report.unchanged).append(safe_relpath(name))

    def keep(self, name: str) -> None:
        """Count a file known to be current without reading it (the cache said so)."""
        self.report.unchanged.append(safe_relpath(name))

    def finish(self, *, prune: bool = True) -> WriteReport:
        stale = sorted(self.old - self.names) if prune else []
        if self.dry_run:
            self.report.removed = stale
            return self.report
        for name in stale:
            path = self.out_dir / name
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                self.report.removed.append(name)
            _remove_empty_parents(path.parent, self.out_dir)
        keep = self.names if prune else self.names | self.old
        if keep != self.old:
            _write_manifest(self.out_dir, keep)
        return self.report


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


# The descriptors of the locks this process holds. A forked worker closes its copies
# (`release_inherited_locks`): a flock belongs to the open file, so a worker outliving a
# killed build would otherwise keep the build locked.
_HELD: set[int] = set()


def release_inherited_locks() -> None:
    """In a forked child: close the lock descriptors inherited from the parent."""
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


@contextlib.contextmanager
def file_lock(path: Path, *, wait: float | None, what: str) -> Iterator[None]:
    """Hold an exclusive lock on `path`; wait up to `wait` seconds (None: forever)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    _HELD.add(fd)
    try:
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockBusy(f"another feedletter {what} is running (lock {path})") from None
                time.sleep(0.05)
        yield
    finally:
        _HELD.discard(fd)
        os.close(fd)
