"""SMTP sending of the digest, the sent-ledger and the send lock.

`send_message` delivers one message to each recipient in its own SMTP transaction and
records every accepted delivery in a SQLite ledger before moving on, so that a cron job
that is killed, loses its connection or runs twice still sends each recipient one copy.
The only window in which a recipient can get two copies is documented at
`_Transport.deliver` (a connection lost after the message was sent, before the reply).
"""

from __future__ import annotations

import base64
import copy
import fcntl
import os
import re
import smtplib
import sqlite3
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from .config import SmtpConfig
from .errors import FeedletterError, LockBusy

PASSWORD_ENV = "FEEDLETTER_SMTP_PASSWORD"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# Plain-text SMTP is refused except to the machine itself (a local relay such as Postfix).
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
# The wait for the reply to the end of the message is this many times smtp.timeout.
DATA_DONE_FACTOR = 10
LEDGER_NAME = "sent.sqlite"
LEDGER_BUSY_TIMEOUT = 5.0  # seconds to wait for another program using the ledger
LOCK_NAME = "send.lock"

# Waits between retries; the tests replace it to check the schedule without waiting.
sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Delivery:
    """What happened to one recipient; `detail` is the server's reply or the reason."""

    recipient: str
    status: str  # "sent" | "already-sent" | "failed"
    detail: str = ""


def send_message(message: EmailMessage, recipients: Sequence[str], smtp: SmtpConfig, *,
                 state_dir: Path, period: str, force: bool = False,
                 log: Callable[[str], None] = lambda s: None,
                 password: str | None = None) -> list[Delivery]:
    """Send `message` once to each recipient not yet in the ledger; one Delivery each.

    `password=None` reads FEEDLETTER_SMTP_PASSWORD. Raises FeedletterError for a setup
    problem found before anything is sent (insecure settings, no password, damaged
    ledger) and LockBusy if another send holds `state_dir/send.lock`; problems met while
    sending are reported per recipient as `failed` instead.
    """
    port = _check_security(smtp)
    if password is None:
        password = os.environ.get(PASSWORD_ENV)
    password = password or None
    if smtp.username and not password:
        raise FeedletterError(f"smtp.username is set ({smtp.username!r}) but the environment "
                              f"variable {PASSWORD_ENV} is not set or empty")
    if password and not password.isascii():
        # smtplib encodes AUTH PLAIN/LOGIN as ASCII and would fail half-way through.
        raise FeedletterError(f"{PASSWORD_ENV} contains non-ASCII characters, which SMTP AUTH "
                              "(as implemented by Python's smtplib) cannot send")
    scrub = _Scrubber(smtp.username or "", password or "")

    def say(line: str) -> None:
        log(scrub(line))

    if password and not smtp.username:
        say(f"{PASSWORD_ENV} is set but smtp.username is not: sending without AUTH")
    message_id = (message["Message-ID"] or "").strip()
    if not message_id:
        raise FeedletterError("the message has no Message-ID header (the ledger needs it)")
    sender = _envelope_sender(message)
    payload = _payload(message)

    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FeedletterError(f"{state_dir}: cannot create the state folder "
                              f"({exc.strerror})") from None
    with _send_lock(state_dir / LOCK_NAME), _Ledger.open(state_dir / LEDGER_NAME) as ledger:
        say(f"sending {message_id} ({period}) to {len(recipients)} recipient(s) "
            f"via {smtp.host}:{port} ({smtp.security})")
        transport = _Transport(smtp, port, password, scrub)
        try:
            return _send_all(transport, ledger, sender, payload, recipients, smtp,
                             period=period, message_id=message_id, force=force, say=say)
        finally:
            transport.close()


def _send_all(transport: _Transport, ledger: _Ledger, sender: str, payload: bytes,
              recipients: Sequence[str], smtp: SmtpConfig, *, period: str, message_id: str,
              force: bool, say: Callable[[str], None]) -> list[Delivery]:
    deliveries: list[Delivery] = []
    given_up: str | None = None  # set once the server itself is unusable
    for rcpt in recipients:
        sent_at = ledger.sent_at(period, rcpt, message_id)
        if sent_at and not force:
            say(f"{rcpt}: already sent at {sent_at}, skipped")
            deliveries.append(Delivery(rcpt, "already-sent", f"sent at {sent_at}"))
            continue
        if given_up is not None:
            deliveries.append(Delivery(rcpt, "failed", f"not attempted: {given_up}"))
            continue
        cut_off = False
        attempt = 0
        while True:
            try:
                reply = transport.deliver(sender, rcpt, payload)
            except _Failure as failure:
                transport.recover(failure)
                cut_off = cut_off or failure.unconfirmed
                if failure.temporary and attempt < smtp.retries:
                    delay = smtp.backoff * 2 ** attempt
                    attempt += 1
                    say(f"{rcpt}: {failure.text}; retry {attempt} of {smtp.retries} "
                        f"in {delay:g} s")
                    sleep(delay)
                    continue
                detail = failure.text
                if failure.temporary:
                    detail += f" (gave up after {attempt + 1} attempts)"
                say(f"{rcpt}: failed: {detail}")
                deliveries.append(Delivery(rcpt, "failed", detail))
                if failure.stops_all:
                    given_up = detail
                break
            ledger.record(period, rcpt, message_id, reply)
            if cut_off:
                reply += (" (an earlier attempt was cut off after the message was sent:"
                          " the recipient may have two copies)")
            say(f"{rcpt}: sent ({reply})")
            deliveries.append(Delivery(rcpt, "sent", reply))
            break
    return deliveries


def _check_security(smtp: SmtpConfig) -> int:
    """The port to use; refuses settings that would send in clear text over a network."""
    if smtp.security not in DEFAULT_PORTS:
        raise FeedletterError(f"smtp.security must be starttls, ssl or none, "
                              f"not {smtp.security!r}")
    if smtp.security == "none" and smtp.host.strip("[]").lower() not in LOCAL_HOSTS:
        raise FeedletterError(
            f"smtp.security = 'none' is only allowed to localhost, not {smtp.host!r}: "
            "the digest and the password would cross the network unencrypted; "
            "use 'starttls' (port 587) or 'ssl' (port 465)")
    return smtp.port or DEFAULT_PORTS[smtp.security]


def _envelope_sender(message: EmailMessage) -> str:
    for header in ("Sender", "From"):
        if message[header]:
            addresses = [addr for _, addr in getaddresses([str(message[header])]) if addr]
            if addresses:
                return addresses[0]
    raise FeedletterError("the message has no From address (needed as the SMTP sender)")


def _payload(message: EmailMessage) -> bytes:
    """The DATA bytes: CRLF lines, dot-stuffed, terminated; the same for every recipient."""
    message = copy.copy(message)
    del message["Bcc"]
    del message["Resent-Bcc"]
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class _Scrubber:
    """Removes the password, in every form smtplib puts on the wire, from a text."""

    def __init__(self, username: str, password: str) -> None:
        forms: set[str] = set()
        if password:
            def b64(text: str) -> str:
                return base64.b64encode(text.encode()).decode()
            # As typed, as repr() escapes it, as AUTH LOGIN and AUTH PLAIN send it.
            forms = {password, repr(password)[1:-1], b64(password),
                     b64(f"\0{username}\0{password}")}
        self._forms = sorted((f for f in forms if f), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, "********")
        return text


class _Failure(Exception):
    """A failed attempt, classified: may it be retried, and does it stop the whole send?"""

    def __init__(self, text: str, stage: str, *, temporary: bool, dropped: bool = False,
                 unconfirmed: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.stage = stage  # connect, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, after-DATA
        self.temporary = temporary
        self.dropped = dropped  # the connection is gone (or its state unknown)
        self.unconfirmed = unconfirmed  # the message was sent, no reply came: maybe delivered

    @property
    def stops_all(self) -> bool:
        # Trying the next recipient would meet the same failure: a server we cannot
        # reach, talk TLS to or log in to, that drops us, or that refuses our sender.
        return (self.stage in ("connect", "EHLO", "STARTTLS", "AUTH") or self.dropped
                or (self.stage == "MAIL" and not self.temporary))


def _reply_text(code: int, reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return f"{code} {' '.join(reply.split())}".strip()


class _Transport:
    """One SMTP connection, opened on demand and reused across recipients."""

    def __init__(self, smtp: SmtpConfig, port: int, password: str | None,
                 scrub: _Scrubber) -> None:
        self.smtp = smtp
        self.port = port
        self.password = password
        self.scrub = scrub
        self.conn: smtplib.SMTP | None = None
        self.stage = "connect"

    @property
    def where(self) -> str:
        return f"{self.smtp.host}:{self.port}"

    @property
    def _wait(self) -> float:
        """Seconds to wait for the reply of the current stage."""
        factor = DATA_DONE_FACTOR if self.stage == "after-DATA" else 1
        return self.smtp.timeout * factor

    def deliver(self, sender: str, rcpt: str, payload: bytes) -> str:
        """One transaction; returns the server's 250 reply or raises _Failure."""
        try:
            conn = self.conn or self._connect()
            options = []
            if not (sender.isascii() and rcpt.isascii()):
                if not conn.has_extn("smtputf8"):
                    raise _Failure(f"RCPT: {self.where} does not accept non-ASCII addresses "
                                   "(no SMTPUTF8)", "RCPT", temporary=False)
                options.append("SMTPUTF8")
            if not payload.isascii() and conn.has_extn("8bitmime"):
                options.append("BODY=8BITMIME")
            self.stage = "MAIL"
            self._expect(conn.mail(sender, options), 250)
            self.stage = "RCPT"
            self._expect(conn.rcpt(rcpt), 250, 251)
            self.stage = "DATA"
            self._expect(conn.docmd("DATA"), 354)
            conn.send(payload)
            # The server now holds the whole message. If the connection drops (or times
            # out) before its reply, SMTP cannot tell whether it was accepted. We treat it
            # as NOT delivered and retry, as RFC 5321 §3.8 tells clients to (a lost
            # connection counts as a 451 reply; RFC 1047 describes the duplicates): the
            # recipient may get two copies, but never silently none; the log and the
            # Delivery say so. To keep this window small we wait longer here than for
            # other replies, as servers may scan the message before answering
            # (RFC 5321 §4.5.3.2.6 suggests 10 minutes).
            self.stage = "after-DATA"
            assert conn.sock is not None
            conn.sock.settimeout(self._wait)
            code, reply = conn.getreply()
            conn.sock.settimeout(self.smtp.timeout)
            self._expect((code, reply), 250)
            return self.scrub(_reply_text(code, reply))
        except _Failure:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise self._classify(exc) from None

    def _expect(self, answer: tuple[int, bytes], *codes: int) -> None:
        code, reply = answer
        if code not in codes:
            raise self._reply_failure(code, reply)

    def _reply_failure(self, code: int, reply: bytes | str) -> _Failure:
        text = self.scrub(f"{self.stage}: {_reply_text(code, reply)}")
        if self.stage == "AUTH" and code >= 500:
            text = (f"authentication as {self.smtp.username!r} failed ({text}); check "
                    f"smtp.username and {PASSWORD_ENV}")
        # 421: the server is closing the connection (and did not take the message);
        # -1: an unreadable reply, so the conversation is out of step.
        return _Failure(text, self.stage, temporary=code < 500, dropped=code in (421, -1))

    def _connect(self) -> smtplib.SMTP:
        smtp, timeout = self.smtp, self.smtp.timeout
        self.stage = "connect"
        # Always verified; ca_file adds trust (a private CA), it never removes checks.
        context = ssl.create_default_context(cafile=smtp.ca_file)
        conn: smtplib.SMTP
        if smtp.security == "ssl":
            conn = smtplib.SMTP_SSL(smtp.host, self.port, timeout=timeout, context=context)
        else:
            conn = smtplib.SMTP(smtp.host, self.port, timeout=timeout)
        self.conn = conn
        self.stage = "EHLO"
        conn.ehlo_or_helo_if_needed()
        if smtp.security == "starttls":
            self.stage = "STARTTLS"
            if not conn.has_extn("starttls"):
                raise _Failure(f"{self.where} does not offer STARTTLS; refusing to send in "
                               "clear text (use security = 'ssl' for a server that expects "
                               "TLS from the start, usually on port 465)",
                               self.stage, temporary=False)
            conn.starttls(context=context)  # raises unless 220
            self.stage = "EHLO"
            conn.ehlo_or_helo_if_needed()
        if smtp.username and self.password:
            self.stage = "AUTH"
            conn.login(smtp.username, self.password)
        return conn

    def _classify(self, exc: OSError) -> _Failure:
        stage, where = self.stage, self.where
        if isinstance(exc, ssl.SSLCertVerificationError):
            return _Failure(f"the TLS certificate of {where} did not verify "
                            f"({exc.verify_message}); if the server uses a private CA, set "
                            "smtp.ca_file to its certificate", stage, temporary=False)
        if isinstance(exc, smtplib.SMTPResponseException):
            return self._reply_failure(exc.smtp_code, exc.smtp_error)
        if isinstance(exc, ssl.SSLError) and not isinstance(
                exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            return _Failure(self.scrub(f"TLS with {where} failed: {exc}"), stage,
                            temporary=False)
        if not isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(
                exc, smtplib.SMTPException):
            return _Failure(self.scrub(f"{stage}: {exc}"), stage, temporary=False)
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            text = f"no reply from {where} within {self._wait:g} s (timeout)"
        elif stage == "connect" and not isinstance(exc, smtplib.SMTPServerDisconnected):
            text = f"cannot connect to {where}: {exc.strerror or exc}"
        else:
            text = f"connection to {where} lost"
        if stage == "after-DATA":
            text += " after the message was sent, before the server confirmed it"
        return _Failure(f"{stage}: {text}", stage, temporary=True, dropped=True,
                        unconfirmed=stage == "after-DATA")

    def recover(self, failure: _Failure) -> None:
        """Make the connection fit for the next attempt: RSET it, or drop it."""
        if self.conn is None:
            return
        if not failure.dropped and failure.stage in ("MAIL", "RCPT", "DATA", "after-DATA"):
            try:
                if self.conn.rset()[0] == 250:
                    return
            except (OSError, smtplib.SMTPException):
                pass
        self._drop()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
        self._drop()

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


@contextmanager
def _send_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on `path` for the whole send (released if the process dies)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise FeedletterError(f"{path}: cannot open the send lock ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockBusy(f"another feedletter digest --send is running (lock {path})") from None
        yield
    finally:
        os.close(fd)


class _Ledger:
    """Who got which digest: one row per accepted delivery, committed before the next one."""

    COLUMNS = ("period", "recipient", "message_id", "sent_at", "reply")
    SCHEMA = """
        CREATE TABLE sent (
            period     TEXT NOT NULL,
            recipient  TEXT NOT NULL,   -- lower-cased
            message_id TEXT NOT NULL,
            sent_at    TEXT NOT NULL,   -- ISO 8601, UTC
            reply      TEXT NOT NULL    -- the server's reply to DATA
        );
        CREATE INDEX sent_key ON sent (period, recipient, message_id);
    """

    def __init__(self, path: Path, db: sqlite3.Connection) -> None:
        self.path = path
        self.db = db

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[_Ledger]:
        if not path.exists():
            try:
                cls._create(path)
            except (OSError, sqlite3.Error) as exc:
                raise FeedletterError(f"{path}: cannot create the sent-ledger ({exc})") from None
        try:
            # mode=rw: never create the file here, so a ledger that disappeared or was
            # damaged is reported instead of silently replaced by an empty one (which
            # would send the digest again to everybody).
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                                 isolation_level=None, timeout=LEDGER_BUSY_TIMEOUT)
        except sqlite3.Error as exc:
            raise cls._unusable(path, str(exc)) from None
        try:
            cls._check(path, db)
            yield cls(path, db)
        finally:
            db.close()

    @classmethod
    def _create(cls, path: Path) -> None:
        # Built aside and renamed into place (we hold the send lock), so an existing
        # ledger file always has the table: anything else is damage, not "new".
        tmp = path.with_name(path.name + ".new")
        tmp.unlink(missing_ok=True)
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(cls.SCHEMA)
            db.commit()
        finally:
            db.close()
        os.replace(tmp, path)
        _fsync_dir(path.parent)

    @classmethod
    def _check(cls, path: Path, db: sqlite3.Connection) -> None:
        try:
            db.execute("PRAGMA synchronous=FULL")
            result = [row[0] for row in db.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                raise cls._unusable(path, "integrity check failed: " + "; ".join(result[:3]))
            columns = {row[1] for row in db.execute("PRAGMA table_info(sent)")}
            if not set(cls.COLUMNS) <= columns:
                raise cls._unusable(path, "it has no 'sent' table with the expected columns")
            # Prove now that we can write, before anything is sent rather than after.
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):  # another program is reading or writing it
                raise LockBusy(f"{path}: the sent-ledger is locked by another program; "
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

    def sent_at(self, period: str, recipient: str, message_id: str) -> str | None:
        row = self.db.execute(
            "SELECT sent_at FROM sent WHERE period = ? AND recipient = ? AND message_id = ?"
            " ORDER BY sent_at DESC LIMIT 1",
            (period, recipient.lower(), message_id)).fetchone()
        return row[0] if row else None

    def record(self, period: str, recipient: str, message_id: str, reply: str) -> None:
        """Commit one accepted delivery (autocommit + synchronous=FULL: on disk on return)."""
        sent_at = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            self.db.execute("INSERT INTO sent VALUES (?, ?, ?, ?, ?)",
                            (period, recipient.lower(), message_id, sent_at, reply))
        except sqlite3.Error as exc:
            # Stop here: sending on without recording would resend on the next run.
            raise FeedletterError(
                f"{self.path}: {recipient} was sent the digest but it could not be recorded "
                f"({exc}); stopping. Unless recorded, {recipient} will get it again on the "
                "next run.") from None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
