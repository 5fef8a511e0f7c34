"""One rule for everything another run may hold (build.lock, send.lock, cache.sqlite,
the sent-ledger): busy means wait a bounded time, then `LockBusy` (exit 75, "another run
holds it", cron may retry). A busy database is never called damaged (`is_busy`), nor is
one the file system refuses (`io_errno`: read-only, full, I/O error: exit 73/74): only
SQLite's verdict on the file's contents (corrupt, not a database) may make it so.

The bound is each resource's own (the build lock waits 10 minutes, a database 30 s);
`FEEDLETTER_LOCK_WAIT` (seconds) replaces all of them, for a cron job that would rather
give up sooner, and for the tests.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import LockBusy
from .output import open_lock_file

WAIT_ENV = "FEEDLETTER_LOCK_WAIT"
DB_WAIT = 30.0                      # seconds a busy database is waited for

# SQLite's primary result codes for "another connection holds it".
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def wait_limit(default: float | None) -> float | None:
    """How long to wait for something busy: `FEEDLETTER_LOCK_WAIT` if set (seconds, a finite
    number ≥ 0), else `default` (None: forever)."""
    raw = os.environ.get(WAIT_ENV, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if math.isfinite(value) and value >= 0 else default


def is_busy(exc: BaseException) -> bool:
    """The database is held by another connection (not damaged)."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    text = str(exc)
    return "database is locked" in text or "database table is locked" in text or "busy" in text


# SQLite result codes that say the file could not be read or written (permissions, a full
# disk, an I/O error), not that its contents are bad: READONLY, IOERR, FULL, CANTOPEN,
# PERM, NOLFS, AUTH.
_SQLITE_IO = {8: 30, 10: 5, 13: 28, 14: 13, 3: 1, 22: 27, 23: 13}   # → an errno for the exit code


def io_errno(exc: BaseException) -> int | None:
    """For a SQLite error that is about the file system, not the contents: an errno that
    gives its exit status (EROFS, EACCES, EPERM → 73; EIO, ENOSPC, EFBIG → 74); else None."""
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    return _SQLITE_IO.get(code & 0xFF) if code is not None else None


def busy_error(path: Path | str, what: str, waited: float | None) -> LockBusy:
    after = f" (waited {waited:g} s)" if waited else ""
    return LockBusy(f"{path}: another run holds the {what}{after}; try again later")


def connect(path: Path | str, *, wait: float | None = DB_WAIT, **kwargs) -> sqlite3.Connection:
    """`sqlite3.connect` whose busy handler waits the bounded time of the rule."""
    limit = wait_limit(wait)
    return sqlite3.connect(path, timeout=limit if limit is not None else 1e9, **kwargs)


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
    """Hold an exclusive lock on `path`; wait up to `wait` seconds (None: forever; see
    `wait_limit`), then LockBusy. The file is opened by the one writer's rules (a regular
    file in a real folder, never blocking)."""
    fd = open_lock_file(path.parent, path.name)
    _HELD.add(fd)
    try:
        limit = wait_limit(wait)
        deadline = None if limit is None else time.monotonic() + limit
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
