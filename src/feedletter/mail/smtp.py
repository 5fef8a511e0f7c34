"""One SMTP connection: TLS, AUTH, one transaction per recipient, failures classified.

`Transport.deliver` sends one message to one recipient and returns the server's reply or
raises `Failure`, which says whether to retry and whether the next recipient can be
tried at all. The only window in which a recipient can get two copies is documented at
`Transport.deliver` (a connection lost after the message was sent, before the reply).
"""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
from collections.abc import Callable

from ..config import SmtpConfig
from ..errors import ConfigError

PASSWORD_ENV = "FEEDLETTER_SMTP_PASSWORD"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# Plain-text SMTP is refused except to the machine itself (a local relay such as Postfix).
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
# The wait for the reply to the end of the message is this many times smtp.timeout.
DATA_DONE_FACTOR = 10


def check_smtp(smtp: SmtpConfig, where: str) -> int:
    """The port to use; ConfigError for the one [smtp] rule that spans two keys.

    Each key's own range (port 1-65535, finite timeout and backoff, an ASCII username, an
    existing ca_file) is the config schema's (config.SmtpConfig); this runs before
    anything is sent, for the rule the schema cannot say.
    """
    if smtp.security == "none" and smtp.host.strip("[]").lower() not in LOCAL_HOSTS:
        raise ConfigError(where,
            f"smtp.security = 'none' is only allowed to localhost, not {smtp.host!r}: "
            "the digest and the password would cross the network unencrypted; "
            "use 'starttls' (port 587) or 'ssl' (port 465)")
    return smtp.port if smtp.port is not None else DEFAULT_PORTS[smtp.security]


def tls_context(smtp: SmtpConfig, where: str) -> ssl.SSLContext:
    """The TLS settings, made before anything is sent: certificates are always verified,
    and `smtp.ca_file` adds trust (a private CA), it never removes checks. A ca_file that
    cannot be loaded is a config error naming the key, not a failure to connect."""
    try:
        return ssl.create_default_context(cafile=smtp.ca_file)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise ConfigError(where, f"key 'smtp.ca_file': cannot load {smtp.ca_file!r} as PEM "
                                 f"certificates ({reason})") from None


class Mask:
    """Hides the SMTP password in server replies, and only there.

    Only what the server says is masked (it saw the password during AUTH and a careless
    one repeats it); feedletter's own text, addresses and messages are never touched.
    A form of the secret (as typed, escaped, or base64 as AUTH LOGIN/PLAIN send it) is
    replaced only as a whole token, never inside a longer word, so `a@example.org` stays
    itself whatever the password. Outside the AUTH exchange, forms shorter than
    `MIN_OUTSIDE_AUTH` are left alone: a short password matching an ordinary word would
    both corrupt the reply and reveal the password by where the mask appears.
    """

    MIN_OUTSIDE_AUTH = 8
    _EDGE = r"\s<>()\[\]\"'=,;"

    def __init__(self, username: str, password: str) -> None:
        forms: set[str] = set()
        if password:
            def b64(text: str) -> str:
                return base64.b64encode(text.encode()).decode()
            forms = {password, repr(password)[1:-1], b64(password),
                     b64(f"\0{username}\0{password}")}
        self._forms = sorted((f for f in forms if f), key=len, reverse=True)

    def __call__(self, text: str, stage: str = "") -> str:
        for form in self._forms:
            if stage != "AUTH" and len(form) < self.MIN_OUTSIDE_AUTH:
                continue
            pattern = rf"(?<![^{self._EDGE}]){re.escape(form)}(?![^{self._EDGE}.:])"
            text = re.sub(pattern, "********", text)
        return text



class Failure(Exception):
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


class Transport:
    """One SMTP connection, opened on demand and reused across recipients."""

    def __init__(self, smtp: SmtpConfig, port: int, password: str | None,
                 mask: Mask, context: ssl.SSLContext) -> None:
        self.smtp = smtp
        self.port = port
        self.password = password
        self.mask = mask
        self.context = context
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

    def deliver(self, sender: str, rcpt: str, payload: bytes, *, smtputf8: bool,
                before_data: Callable[[], None] = lambda: None) -> str:
        """One transaction; returns the server's 250 reply or raises Failure.

        `smtputf8`: the sender or the recipient has a non-ASCII local part (a non-ASCII
        domain is sent in its IDNA form and needs nothing). `before_data` runs once the
        server is ready for the message, just before it is sent (the ledger's
        reservation: nothing goes out that the ledger could not record).
        """
        try:
            conn = self.conn or self._connect()
            options = []
            if smtputf8:
                if not conn.has_extn("smtputf8"):
                    raise Failure(f"RCPT: {self.where} does not accept non-ASCII addresses "
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
            before_data()
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
            return self._reply(code, reply)
        except Failure:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise self._classify(exc) from None

    def _expect(self, answer: tuple[int, bytes], *codes: int) -> None:
        code, reply = answer
        if code not in codes:
            raise self._reply_failure(code, reply)

    def _reply(self, code: int, reply: bytes | str) -> str:
        """The server's reply as one line, the password masked (see Mask)."""
        return self.mask(_reply_text(code, reply), self.stage)

    def _reply_failure(self, code: int, reply: bytes | str) -> Failure:
        text = f"{self.stage}: {self._reply(code, reply)}"
        if self.stage == "AUTH" and code >= 500:
            text = (f"authentication as {self.smtp.username!r} failed ({text}); check "
                    f"smtp.username and {PASSWORD_ENV}")
        # 421: the server is closing the connection (and did not take the message);
        # -1: an unreadable reply, so the conversation is out of step.
        return Failure(text, self.stage, temporary=code < 500, dropped=code in (421, -1))

    def _connect(self) -> smtplib.SMTP:
        smtp, timeout = self.smtp, self.smtp.timeout
        self.stage = "connect"
        context = self.context
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
                raise Failure(f"{self.where} does not offer STARTTLS; refusing to send in "
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

    def _classify(self, exc: OSError) -> Failure:
        stage, where = self.stage, self.where
        if isinstance(exc, ssl.SSLCertVerificationError):
            return Failure(f"the TLS certificate of {where} did not verify "
                            f"({exc.verify_message}); if the server uses a private CA, set "
                            "smtp.ca_file to its certificate", stage, temporary=False)
        if isinstance(exc, smtplib.SMTPResponseException):
            return self._reply_failure(exc.smtp_code, exc.smtp_error)
        if isinstance(exc, ssl.SSLError) and not isinstance(
                exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            return Failure(f"TLS with {where} failed: {self.mask(str(exc), stage)}", stage,
                            temporary=False)
        if not isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(
                exc, smtplib.SMTPException):
            return Failure(f"{stage}: {self.mask(str(exc), stage)}", stage, temporary=False)
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            text = f"no reply from {where} within {self._wait:g} s (timeout)"
        elif stage == "connect" and not isinstance(exc, smtplib.SMTPServerDisconnected):
            text = f"cannot connect to {where}: {exc.strerror or exc}"
        else:
            text = f"connection to {where} lost"
        if stage == "after-DATA":
            text += " after the message was sent, before the server confirmed it"
        return Failure(f"{stage}: {text}", stage, temporary=True, dropped=True,
                        unconfirmed=stage == "after-DATA")

    def recover(self, failure: Failure) -> None:
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

    def abandon(self) -> None:
        """Close the socket without a goodbye (the conversation is mid-transaction)."""
        self._drop()

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None
