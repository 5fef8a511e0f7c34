"""Send one digest to each recipient once: the ledger, the send lock and the loop.

`send_message` delivers the message to each recipient in its own SMTP transaction,
reserving the delivery in the sent-ledger before the message is sent and confirming it
after the server's reply (see `ledger`), so that a cron job that is killed, loses its
connection or runs twice still sends each recipient one copy.
"""

from __future__ import annotations

import copy
import fcntl
import os
import re
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from ..config import SmtpConfig
from ..errors import ConfigError, FeedletterError, Interrupted, LockBusy
from ..output import open_lock_file
from .addresses import Mailbox, parse_mailbox, parse_recipients
from .ledger import LEDGER_NAME, SENDING, Ledger
from .smtp import PASSWORD_ENV, Failure, Mask, Transport, check_smtp, tls_context

LOCK_NAME = "send.lock"

# Waits between retries; the tests replace it to check the schedule without waiting.
sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Delivery:
    """What happened to one recipient; `detail` is the server's reply or the reason."""

    recipient: str
    status: str  # "sent" | "already-sent" | "failed" | "unknown" (may have been delivered)
    detail: str = ""


LABELS = {"sent": "sent", "already-sent": "already sent", "failed": "FAILED",
          "unknown": "UNKNOWN"}


def report_line(d: Delivery) -> str:
    return f"{LABELS.get(d.status, d.status)}: {d.recipient}{f' ({d.detail})' if d.detail else ''}"


class SendInterrupted(Interrupted):
    """SIGINT or SIGTERM during a send; `report` says who got the digest and who did not
    (the CLI's guard prints it and exits 128 + signum). The ledger is already right."""

    def __init__(self, signum: int, deliveries: list[Delivery], not_attempted: list[str]) -> None:
        lines = ([report_line(d) for d in deliveries]
                 + [f"not sent: {r}" for r in not_attempted]
                 + [f"send interrupted: {sum(d.status == 'sent' for d in deliveries)} sent now, "
                    f"{sum(d.status == 'unknown' for d in deliveries)} unknown, "
                    f"{len(not_attempted)} not sent; the ledger is up to date, run again to "
                    "send the rest"])
        super().__init__(signum, tuple(lines))
        self.deliveries = deliveries
        self.not_attempted = not_attempted


@dataclass
class _Run:
    """What the loop has done so far (what an interruption reports)."""

    deliveries: list[Delivery] = field(default_factory=list)
    pending: list[Mailbox] = field(default_factory=list)


def send_message(message: EmailMessage, recipients: Sequence[str | Mailbox],
                 smtp: SmtpConfig, *, state_dir: Path, period: str, force: bool = False,
                 log: Callable[[str], None] = lambda s: None, password: str | None = None,
                 personal: Callable[[Mailbox], EmailMessage] | None = None,
                 where: str = "<config>") -> list[Delivery]:
    """Send `message` once to each recipient not yet in the ledger; one Delivery each.

    Recipients are parsed, split (`"a@x.org, b@x.org"` is two) and deduplicated by
    mailbox first. `personal(mailbox)`, when given, makes that recipient's own copy
    (personal unsubscribe link); its Message-ID must be `message`'s. `password=None`
    reads FEEDLETTER_SMTP_PASSWORD. Raises ConfigError/FeedletterError for a setup
    problem found before anything is sent, LockBusy if another send holds
    `state_dir/send.lock` or the ledger is in use, SendInterrupted on SIGINT/SIGTERM (with who got it);
    problems met while sending are reported per recipient instead.
    """
    port = check_smtp(smtp, where)
    context = tls_context(smtp, where)
    if all(isinstance(r, Mailbox) for r in recipients):
        unique: dict[str, Mailbox] = {}
        for box in recipients:
            unique.setdefault(box.key, box)  # type: ignore[union-attr, arg-type]
        boxes = list(unique.values())
    else:
        boxes = parse_recipients([str(r) for r in recipients], where="recipients",
                                 what="recipient")
    if password is None:
        password = os.environ.get(PASSWORD_ENV)
    password = password or None
    if smtp.username and not password:
        raise ConfigError(where, f"smtp.username is set ({smtp.username!r}) but the "
                                 f"environment variable {PASSWORD_ENV} is not set or empty")
    if password and not password.isascii():
        # smtplib encodes AUTH PLAIN/LOGIN as ASCII and would fail half-way through.
        raise FeedletterError(f"{PASSWORD_ENV} contains non-ASCII characters, which SMTP AUTH "
                              "(as implemented by Python's smtplib) cannot send")
    if password and not smtp.username:
        log(f"{PASSWORD_ENV} is set but smtp.username is not: sending without AUTH")
    message_id = (message["Message-ID"] or "").strip()
    if not message_id:
        raise FeedletterError("the message has no Message-ID header (the ledger needs it)")
    sender = _envelope_sender(message)

    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FeedletterError(f"{state_dir}: cannot create the state folder "
                              f"({exc.strerror})") from None
    with _send_lock(state_dir, LOCK_NAME), Ledger.open(state_dir / LEDGER_NAME) as ledger:
        log(f"sending {message_id} ({period}) to {len(boxes)} recipient(s) "
            f"via {smtp.host}:{port} ({smtp.security})")
        transport = Transport(smtp, port, password, Mask(smtp.username or "", password or ""),
                              context)
        run = _Run(pending=list(boxes))
        try:
            _send_all(run, transport, ledger, sender, message, personal, smtp,
                      period=period, message_id=message_id, force=force, say=log)
        except (KeyboardInterrupt, Interrupted) as exc:
            transport.abandon()
            signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
            raise SendInterrupted(signum, run.deliveries,
                                  [b.addr_spec for b in run.pending]) from None
        except BaseException:
            transport.abandon()  # maybe mid-transaction: no QUIT into the message
            raise
        finally:
            transport.close()
        return run.deliveries


def _send_all(run: _Run, transport: Transport, ledger: Ledger, sender: Mailbox,
              message: EmailMessage, personal: Callable[[Mailbox], EmailMessage] | None,
              smtp: SmtpConfig, *, period: str, message_id: str, force: bool,
              say: Callable[[str], None]) -> None:
    given_up: str | None = None  # set once the server itself is unusable
    shared = None if personal else _payload(message)
    while run.pending:
        box = run.pending[0]
        rcpt = box.addr_spec

        def done(status: str, detail: str) -> None:
            run.deliveries.append(Delivery(rcpt, status, detail))  # noqa: B023
            run.pending.pop(0)

        state = ledger.state(period, box.key, message_id)
        if state and not force:
            if state[0] == SENDING:
                detail = (f"may have been delivered: a run stopped at {state[1]} between "
                          "sending it and recording the reply; not sent again (--force "
                          f"--to {rcpt} sends it again)")
                say(f"{rcpt}: unknown: {detail}")
                done("unknown", detail)
            else:
                say(f"{rcpt}: already sent at {state[1]}, skipped")
                done("already-sent", f"sent at {state[1]}")
            continue
        if given_up is not None:
            done("failed", f"not attempted: {given_up}")
            continue
        payload = shared if shared is not None else _payload(personal(box))  # type: ignore[misc]
        row: int | None = None

        def reserve() -> None:
            nonlocal row
            if row is None:
                row = ledger.reserve(period, box.key, message_id)  # noqa: B023

        cut_off = False
        attempt = 0
        while True:
            try:
                reply = transport.deliver(sender.addr_spec, rcpt, payload,
                                          smtputf8=sender.needs_smtputf8 or box.needs_smtputf8,
                                          before_data=reserve)
            except Failure as failure:
                transport.recover(failure)
                cut_off = cut_off or failure.unconfirmed
                if failure.temporary and attempt < smtp.retries:
                    delay = smtp.backoff * 2 ** attempt
                    attempt += 1
                    say(f"{rcpt}: {failure.text}; retry {attempt} of {smtp.retries} "
                        f"in {delay:g} s")
                    sleep(delay)
                    continue
                if row is not None:
                    ledger.release(row)
                detail = failure.text
                if failure.temporary:
                    detail += f" (gave up after {attempt + 1} attempts)"
                say(f"{rcpt}: failed: {detail}")
                done("failed", detail)
                if failure.stops_all:
                    given_up = detail
                break
            except (KeyboardInterrupt, Interrupted):
                if row is not None and transport.stage == "after-DATA":
                    # The whole message was handed over: keep the reservation.
                    done("unknown", "interrupted while waiting for the server's reply: may "
                                    "have been delivered (the ledger says so too)")
                elif row is not None:
                    ledger.release(row)
                raise
            assert row is not None
            ledger.confirm(row, box.key, reply)
            if cut_off:
                reply += (" (an earlier attempt was cut off after the message was sent:"
                          " the recipient may have two copies)")
            say(f"{rcpt}: sent ({reply})")
            done("sent", reply)
            break


def _envelope_sender(message: EmailMessage) -> Mailbox:
    for header in ("Sender", "From"):
        if message[header]:
            return parse_mailbox(str(message[header]), where="the message",
                                 what=f"the {header} header")
    raise FeedletterError("the message has no From address (needed as the SMTP sender)")


def _payload(message: EmailMessage) -> bytes:
    """The DATA bytes: CRLF lines, dot-stuffed, terminated."""
    message = copy.copy(message)
    del message["Bcc"]
    del message["Resent-Bcc"]
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


@contextmanager
def _send_lock(state_dir: Path, name: str) -> Iterator[None]:
    """Hold an exclusive flock on `state_dir/name` for the whole send (released if the
    process dies). Not waited for: a second send at the same moment has nothing to do."""
    path = state_dir / name
    fd = open_lock_file(state_dir, name)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockBusy(f"another feedletter digest --send is running (lock {path})") from None
        yield
    finally:
        os.close(fd)
