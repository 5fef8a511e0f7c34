"""The persistent build cache: `.feedletter/cache.sqlite` beside the config.

What it remembers, and what each entry is keyed by:
- posts:   a snapshot of every parsed post (or its error), each keyed by its file's size,
           mtime, ctime and inode, as make and git do (ctime cannot be set back by a user);
           in `SHARDS` blobs by a hash of the path: unpickling 10,000 posts in a few blobs
           is ten times faster than one by one, and one edited post rewrites 1/64 of it;
- renders: a post's rendered HTML, keyed by a hash of the file's bytes and its link;
- outputs: for each output file, a hash of everything it was made from, and the size and
           mtime it was written with (a file edited or deleted by hand is made again);
- state:   the last build's summary, so that a build which finds every post file, the
           outputs and the publication window as they were can stop after the scan.
Every entry also depends on feedletter's version, the config file and the templates: they
form the cache's salt, and a different salt empties the cache.

SQLite gives atomic commits and safe concurrent readers; a build holds the build lock
anyway. A cache that cannot be opened or read (damaged file, wrong schema, a blob that
does not match its checksum) is moved aside and rebuilt, never trusted. A cache that is
only busy (another process in a transaction) is not damaged: the rule of locks.py applies
(a bounded wait, then LockBusy, exit 75).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
import stat
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import __version__
from .errors import FileInTheWay, OutputError
from .locks import DB_WAIT, busy_error, connect, io_errno, is_busy, wait_limit
from .output import file_stat
from .output import folder as real_folder

SCHEMA_VERSION = 4
SHARDS = 64
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posts (shard INTEGER PRIMARY KEY, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS renders (key TEXT PRIMARY KEY, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, key TEXT NOT NULL,
                                    size INTEGER NOT NULL, mtime INTEGER NOT NULL);
"""


def digest(*parts: bytes | str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def stat_key(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def shard_of(path: str) -> int:
    """Which blob of the posts snapshot holds a file's entry."""
    return zlib.crc32(path.encode("utf-8", "surrogatepass")) % SHARDS


def _seal(obj: Any) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(data, digest_size=16).digest() + data


def _unseal(blob: bytes) -> Any:
    check, data = blob[:16], blob[16:]
    if hashlib.blake2b(data, digest_size=16).digest() != check:
        raise ValueError("cache entry does not match its checksum")
    return pickle.loads(data)  # noqa: S301 - our own sealed, checksummed file


class Cache:
    """Build cache; every method degrades to a miss rather than trusting bad data."""

    def __init__(self, path: Path | None, salt: str) -> None:
        self.path = path
        self.salt = salt
        self.db: sqlite3.Connection | None = None
        self.problem: str | None = None
        self._deferred: list[Callable[[], None]] = []
        if path is not None:
            self._open(path)

    # -- opening --------------------------------------------------------------------------

    def _open(self, path: Path) -> None:
        with real_folder(path.parent):     # created if missing; a file or link there is refused
            pass
        st = file_stat(path.parent, path.name)
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise FileInTheWay(str(path), "is not a regular file; the cache must be one")
        for attempt in (1, 2):
            try:
                self.db = self._connect(path)
                return
            except (sqlite3.DatabaseError, ValueError) as exc:
                self._not_damaged(exc)
                self.problem = f"{path}: cache damaged ({exc}); rebuilt from scratch"
                if self.db is not None:
                    with contextlib.suppress(sqlite3.Error):
                        self.db.close()
                    self.db = None
                if attempt == 1:
                    with contextlib.suppress(OSError):
                        os.replace(path, path.with_name(path.name + ".damaged"))
                    for suffix in ("-journal", "-wal", "-shm"):
                        with contextlib.suppress(OSError):
                            os.unlink(str(path) + suffix)

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = connect(path, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key='salt'").fetchone()
            schema = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None or row[0] != self.salt or schema != (str(SCHEMA_VERSION),):
                db.execute("BEGIN IMMEDIATE")
                for table in ("posts", "renders", "outputs", "state", "meta"):
                    db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                db.execute("INSERT INTO meta VALUES ('salt', ?), ('schema', ?)",
                           (self.salt, str(SCHEMA_VERSION)))
                db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        self.flush()
        if self.db is not None:
            self.db.close()
            self.db = None

    # -- writes done while the build waits for its workers ----------------------------------

    def defer(self, write: Callable[[], None]) -> None:
        """Do `write` at the next `flush` (at the latest when the cache is closed).

        Pickling and storing 10,000 posts or 4,000 renders takes a few tenths of a second;
        a build flushes while its worker processes render or emit, when this process would
        only wait.
        """
        self._deferred.append(write)

    def flush(self) -> None:
        writes, self._deferred = self._deferred, []
        for write in writes:
            write()

    # -- generic get / put -----------------------------------------------------------------

    def _get(self, sql: str, args: tuple) -> tuple | None:
        if self.db is None:
            return None
        try:
            return self.db.execute(sql, args).fetchone()
        except sqlite3.DatabaseError as exc:
            self._disable(exc)
            return None

    def _not_damaged(self, exc: BaseException) -> None:
        """Raise for what is not damage: busy (LockBusy, exit 75), or the file system
        refusing (OutputError, exit 73/74). Only then may the cache be called damaged."""
        if is_busy(exc):
            raise busy_error(self.path or "cache", "build cache", wait_limit(DB_WAIT)) from None
        code = io_errno(exc)
        if code is not None:
            raise OutputError(str(self.path), f"cannot use the build cache ({exc})", code) from None

    def _disable(self, exc: Exception) -> None:
        self._not_damaged(exc)
        self.problem = f"{self.path}: cache unreadable ({exc}); continuing without it"
        self.close()

    def _transaction(self, work: Callable[[sqlite3.Connection], Any], begin: str = "BEGIN"
                     ) -> Any:
        """`work(db)` in one transaction, and its result; None when the cache is off or
        the database failed (rolled back, and the cache disabled). Any other error rolls
        back and propagates."""
        if self.db is None:
            return None
        try:
            self.db.execute(begin)
            try:
                result = work(self.db)
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return result
        except sqlite3.DatabaseError as exc:
            self._disable(exc)
            return None

    def write_many(self, sql: str, rows: Iterable[tuple]) -> None:
        self._transaction(lambda db: db.executemany(sql, rows))

    # -- posts -----------------------------------------------------------------------------

    def posts(self) -> dict[str, tuple[str, Any]]:
        """{file: (stat key, outcome)} as the last build left it; {} when any part is
        unusable (every post is then parsed again, and every shard rewritten)."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute("SELECT shard, blob FROM posts").fetchall()
        except sqlite3.DatabaseError as exc:
            self._disable(exc)
            return {}
        snapshot: dict[str, tuple[str, Any]] = {}
        for _shard, blob in rows:
            part = self.unseal(blob)
            if not isinstance(part, dict):
                return {}
            snapshot.update(part)
        return snapshot

    def put_posts(self, snapshot: dict[str, tuple[str, Any]], shards: Iterable[int]) -> None:
        """Rewrite the given shards of the snapshot (the others are as stored)."""
        parts: dict[int, dict[str, tuple[str, Any]]] = {shard: {} for shard in shards}
        for path, value in snapshot.items():
            part = parts.get(shard_of(path))
            if part is not None:
                part[path] = value
        self.write_many("INSERT OR REPLACE INTO posts VALUES (?, ?)",
                        ((shard, _seal(part)) for shard, part in sorted(parts.items())))

    @staticmethod
    def unseal(blob: bytes) -> Any:
        try:
            return _unseal(blob)
        except Exception:   # any damage is a miss: pickle raises many kinds
            return None

    # -- small named records (the last build's summary) -------------------------------------

    def get_state(self, key: str) -> Any:
        row = self._get("SELECT blob FROM state WHERE key = ?", (key,))
        return self.unseal(row[0]) if row else None

    def put_state(self, key: str, value: Any) -> None:
        self.write_many("INSERT OR REPLACE INTO state VALUES (?, ?)", [(key, _seal(value))])

    def drop_state(self, key: str) -> None:
        self.write_many("DELETE FROM state WHERE key = ?", [(key,)])

    # -- a header and its rows, written and read together (the digest's index) -------------

    def put_index(self, header_key: str, prefix: str,
                  make: Callable[[Any], tuple[Any, dict[str, Any], Iterable[str]]]) -> None:
        """Replace a header and its rows in one transaction that also reads the old header:
        `make(old header or None)` gives (new header, rows to store as `prefix` + name, names
        to drop), so no other writer can slip in between the read and the write."""
        def work(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT blob FROM state WHERE key = ?", (header_key,)).fetchone()
            header, rows, gone = make(self.unseal(row[0]) if row else None)
            db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)",
                           ((prefix + name, _seal(value)) for name, value in rows.items()))
            db.executemany("DELETE FROM state WHERE key = ?", ((prefix + n,) for n in gone))
            db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (header_key, _seal(header)))
        self._transaction(work, "BEGIN IMMEDIATE")

    def get_index(self, header_key: str, prefix: str, names: list[str]
                  ) -> tuple[Any, dict[str, Any]]:
        """The header and the rows among `names` that exist, read in one transaction; a
        damaged row is left out (the caller then loads the site in full)."""
        def work(db: sqlite3.Connection) -> tuple[Any, dict[str, bytes]]:
            row = db.execute("SELECT blob FROM state WHERE key = ?", (header_key,)).fetchone()
            found = {}
            for name in names:
                hit = db.execute("SELECT blob FROM state WHERE key = ?",
                                 (prefix + name,)).fetchone()
                if hit is not None:
                    found[name] = hit[0]
            return row, found
        read = self._transaction(work)
        if read is None:
            return None, {}
        row, found = read
        rows = {name: value for name, blob in found.items()
                if (value := self.unseal(blob)) is not None}
        return (self.unseal(row[0]) if row else None), rows

    # -- renders ---------------------------------------------------------------------------

    def get_render(self, key: str) -> Any:
        row = self._get("SELECT blob FROM renders WHERE key = ?", (key,))
        return self.unseal(row[0]) if row else None

    def put_renders(self, rows: list[tuple[str, Any]]) -> None:
        self.write_many("INSERT OR REPLACE INTO renders VALUES (?, ?)",
                        ((k, _seal(v)) for k, v in rows))

    # -- outputs ---------------------------------------------------------------------------

    def outputs(self) -> dict[str, tuple[str, int, int]]:
        if self.db is None:
            return {}
        try:
            return {p: (k, s, m) for p, k, s, m in
                    self.db.execute("SELECT path, key, size, mtime FROM outputs")}
        except sqlite3.DatabaseError as exc:
            self._disable(exc)
            return {}

    def put_outputs(self, rows: list[tuple[str, str, int, int]], keep: set[str]) -> None:
        if self.db is None:
            return
        self.write_many("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?)", rows)
        known = self.outputs()
        gone = [(p,) for p in known if p not in keep]
        if gone:
            self.write_many("DELETE FROM outputs WHERE path = ?", gone)


def salt_for(config_path: Path | None, templates: Iterable[Path], extra: str = "") -> str:
    """Everything besides the posts that changes the output."""
    parts: list[bytes | str] = [__version__, str(SCHEMA_VERSION), extra]
    if config_path is not None:
        with contextlib.suppress(OSError):
            parts.append(config_path.read_bytes())
    for folder in templates:
        if folder.is_dir():
            for f in sorted(folder.iterdir()):
                if f.is_file():
                    parts += [f.name, f.read_bytes()]
    return digest(*parts)
