"""The sent-ledger: who got which digest, written before and after each delivery.

Nothing is sent that the ledger cannot record:

- **Held for the whole send.** The ledger is opened in SQLite's exclusive locking mode
  and locked at once (`BEGIN EXCLUSIVE`). Another program reading it (`BEGIN; SELECT …`
  in the sqlite3 shell) or writing it makes us wait `BUSY_TIMEOUT` seconds, then stop
  with LockBusy (exit 75) before anything is sent. Once we hold it, nobody else can
  read or write it until the send ends, so no commit of ours can be kept waiting.
- **Reserved before DATA.** `reserve` commits a `sending` row before the message is
  sent; `confirm` turns it into `sent` after the server's 250; `release` deletes it
  after a failure (nothing was delivered). A crash, a kill or a failed commit between
  sending and `confirm` leaves the `sending` row: the next run reports that recipient as
  `unknown: may have been delivered` and does not send again silently (`--force` does).
- **Keyed by mailbox.** The recipient column holds `Mailbox.key` (lower-cased local
  part, IDNA domain), so five spellings of one address are one row.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..errors import FeedletterError, LockBusy
from ..locks import connect, is_busy, wait_limit

LEDGER_NAME = "sent.sqlite"
BUSY_TIMEOUT = 5.0  # seconds to wait for another program using it (FEEDLETTER_LOCK_WAIT overrides)

SENT, SENDING = "sent", "sending"


class Ledger:
    """One row per delivery (or delivery under way); see the module docstring."""

    COLUMNS = ("period", "recipient", "message_id", "sent_at", "reply")
    SCHEMA = """
        CREATE TABLE sent (
            period     TEXT NOT NULL,
            recipient  TEXT NOT NULL,   -- Mailbox.key: lower-cased, IDNA domain
            message_id TEXT NOT NULL,
            sent_at    TEXT NOT NULL,   -- ISO 8601, UTC
            reply      TEXT NOT NULL,   -- the server's reply to DATA
            state      TEXT NOT NULL DEFAULT 'sent'   -- 'sending' until the 250 is recorded
        );
        CREATE INDEX sent_key ON sent (period, recipient, message_id);
    """

    def __init__(self, path: Path, db: sqlite3.Connection) -> None:
        self.path = path
        self.db = db

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[Ledger]:
        if not path.exists():
            try:
                cls._create(path)
            except (OSError, sqlite3.Error) as exc:
                raise FeedletterError(f"{path}: cannot create the sent-ledger ({exc})") from None
        try:
            # mode=rw: never create the file here, so a ledger that disappeared or was
            # damaged is reported instead of silently replaced by an empty one (which
            # would send the digest again to everybody).
            db = connect(f"{path.resolve().as_uri()}?mode=rw", wait=BUSY_TIMEOUT, uri=True,
                         isolation_level=None)
        except sqlite3.Error as exc:
            raise cls._unusable(path, str(exc)) from None
        try:
            cls._take(path, db)
            yield cls(path, db)
        finally:
            db.close()

    @classmethod
    def _create(cls, path: Path) -> None:
        # Built aside and renamed into place (we hold the send lock), so an existing
        # ledger file always has the table: anything else is damage, not "new".
        # A random name made with O_EXCL|O_NOFOLLOW (mkstemp): a link planted at a fixed
        # name would have had SQLite write through it.
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        try:
            db = sqlite3.connect(tmp)
            try:
                db.execute("PRAGMA synchronous=FULL")
                db.executescript(cls.SCHEMA)
                db.commit()
            finally:
                db.close()
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    @classmethod
    def _take(cls, path: Path, db: sqlite3.Connection) -> None:
        """Lock the ledger for this connection until it closes, check it, upgrade it."""
        try:
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            db.execute("BEGIN EXCLUSIVE")   # waits up to BUSY_TIMEOUT for other programs
            result = [row[0] for row in db.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                raise cls._unusable(path, "integrity check failed: " + "; ".join(result[:3]))
            columns = {row[1] for row in db.execute("PRAGMA table_info(sent)")}
            if not set(cls.COLUMNS) <= columns:
                raise cls._unusable(path, "it has no 'sent' table with the expected columns")
            if "state" not in columns:  # a ledger from before reservations: all were sent
                db.execute("ALTER TABLE sent ADD COLUMN state TEXT NOT NULL DEFAULT 'sent'")
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if is_busy(exc):
                raise LockBusy(f"{path}: the sent-ledger is in use by another program "
                               f"(waited {wait_limit(BUSY_TIMEOUT):g} s); nothing was sent, "
                               "try again later") from None
            raise cls._unusable(path, str(exc)) from None
        except sqlite3.Error as exc:
            raise cls._unusable(path, str(exc)) from None

    @staticmethod
    def _unusable(path: Path, reason: str) -> FeedletterError:
        return FeedletterError(
            f"{path}: cannot use the sent-ledger ({reason}). It records who already "
            "received each digest, so nothing was sent and it was not replaced. Restore it "
            "from a backup (or fix its permissions); if you accept that earlier recipients "
            "may get this digest again, move the file aside and run again.")

    def state(self, period: str, key: str, message_id: str) -> tuple[str, str] | None:
        """(state, sent_at) of the latest row for this recipient and digest, or None."""
        row = self.db.execute(
            "SELECT state, sent_at FROM sent WHERE period = ? AND recipient = ? "
            "AND message_id = ? ORDER BY rowid DESC LIMIT 1",
            (period, key, message_id)).fetchone()
        return (row[0], row[1]) if row else None

    def reserve(self, period: str, key: str, message_id: str) -> int:
        """Commit a `sending` row before the message goes out; its rowid."""
        try:
            cur = self.db.execute("INSERT INTO sent VALUES (?, ?, ?, ?, '', ?)",
                                  (period, key, message_id, _now(), SENDING))
        except sqlite3.Error as exc:
            raise FeedletterError(f"{self.path}: cannot record that {key} is about to be "
                                  f"sent the digest ({exc}); stopping before sending it") from None
        return int(cur.lastrowid or 0)

    def confirm(self, row: int, key: str, reply: str) -> None:
        """The server took the message: the row becomes `sent` (on disk on return)."""
        try:
            self.db.execute("UPDATE sent SET state = ?, sent_at = ?, reply = ? WHERE rowid = ?",
                            (SENT, _now(), reply, row))
        except sqlite3.Error as exc:
            raise FeedletterError(
                f"{self.path}: {key} was sent the digest but it could not be recorded "
                f"({exc}); stopping. The ledger still marks {key} as being sent, so the next "
                "run reports it as 'unknown' instead of sending again.") from None

    def release(self, row: int) -> None:
        """Nothing was delivered: drop the reservation."""
        try:
            self.db.execute("DELETE FROM sent WHERE rowid = ?", (row,))
        except sqlite3.Error as exc:
            raise FeedletterError(f"{self.path}: cannot update the sent-ledger ({exc}); "
                                  "stopping") from None


def sent_count(state_dir: Path, period: str, message_id: str) -> int | None:
    """How many mailboxes were sent this digest (None: no ledger, or it cannot be read
    now). Read-only and without waiting: only used for a note in the output."""
    path = state_dir / LEDGER_NAME
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
        try:
            row = db.execute("SELECT count(DISTINCT recipient) FROM sent WHERE period = ? "
                             "AND message_id = ? AND state = ?",
                             (period, message_id, SENT)).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return int(row[0])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
