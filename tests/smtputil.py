"""A real SMTP server for the mail tests: aiosmtpd with STARTTLS, AUTH and scripted faults.

`SmtpServer` runs aiosmtpd's threaded Controller on 127.0.0.1 with a certificate from a
throw-away CA made by `make_certs`. Its `Handler` stores what it accepts and plays
scripted faults per stage ("connect", "MAIL", "RCPT", "DATA"):

    server.handler.script("RCPT", "451 4.3.0 try later", "drop")

Each action is used once, in order: an SMTP reply ("451 ..."), "drop" (close the
connection without a reply), "keep-and-drop" (DATA only: store the message, then drop
before replying, the case SMTP cannot disambiguate), "stall:SECONDS" (answer late) or
"wait" (answer once `handler.release` is set).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import signal
import socket
import ssl
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

USERNAME = "feed"
PASSWORD = "Zq7-s3cr3t-Pw!x"  # distinctive, so a leak is easy to find
SRC = Path(__file__).resolve().parents[1] / "src"


@dataclass(frozen=True)
class Certs:
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_certs(directory: Path) -> Certs:
    """A CA and a server certificate for localhost and 127.0.0.1 signed by it."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feedletter test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True,
            content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    certs = Certs(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    certs.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    certs.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    certs.key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return certs


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt: tuple[str, ...]
    data: bytes
    mail_options: tuple[str, ...] = ()


class Handler:
    """aiosmtpd handler: stores accepted messages, plays scripted faults, checks AUTH."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.rcpt_replies: dict[str, str] = {}  # address -> reply given every time
        self.connections = 0
        self.auth_attempts = 0
        self.echo_secrets = False  # a careless server that repeats the credentials
        self.release = threading.Event()
        self.kill_at_mail: int | None = None  # SIGKILL kill_pid at the n-th MAIL
        self.kill_at_data: int | None = None  # SIGKILL kill_pid once the n-th message is in
        self.kill_pid: int | None = None
        self.password = PASSWORD
        self.mails = 0
        self._lock = threading.Lock()

    def script(self, stage: str, *actions: str) -> None:
        with self._lock:
            self.faults[stage].extend(actions)

    def copies(self, address: str) -> int:
        return sum(address in m.rcpt for m in self.messages)

    async def act(self, stage: str) -> str | None:
        """Play the next scripted action of `stage`; a reply to send instead, or None."""
        with self._lock:
            action = self.faults[stage].pop(0) if self.faults[stage] else None
        if action is None:
            return None
        if action == "drop":
            raise ConnectionResetError(f"scripted drop at {stage}")
        if action.startswith("stall:"):
            await asyncio.sleep(float(action.partition(":")[2]))
            return None
        if action == "wait":
            for _ in range(1000):  # at most 10 s
                if self.release.is_set():
                    break
                await asyncio.sleep(0.01)
            return None
        return action

    async def handle_MAIL(self, server: SMTP, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        self.mails += 1
        if self.kill_at_mail == self.mails:
            await self._kill()
        reply = await self.act("MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server: SMTP, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        reply = await self.act("RCPT")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def _kill(self) -> None:
        for _ in range(500):
            if self.kill_pid:
                break
            await asyncio.sleep(0.01)
        assert self.kill_pid, "kill_at_* set but no kill_pid"
        os.kill(self.kill_pid, signal.SIGKILL)

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        received = Received(envelope.mail_from, tuple(envelope.rcpt_tos),
                            bytes(envelope.original_content), tuple(envelope.mail_options))
        if self.kill_at_data == len(self.messages) + 1:
            # The sender dies after handing over the message, before our reply: the
            # message is kept (as a real server may), the sender never hears of it.
            with self._lock:
                self.messages.append(received)
            await self._kill()
            await asyncio.sleep(1)
            raise ConnectionResetError("sender killed")
        with self._lock:
            if self.faults["DATA"][:1] == ["keep-and-drop"]:
                self.faults["DATA"].pop(0)
                self.messages.append(received)
                raise ConnectionResetError("scripted drop after keeping the message")
        reply = await self.act("DATA")
        if reply:
            return reply
        with self._lock:
            self.messages.append(received)
            number = len(self.messages)
        return f"250 2.0.0 OK queued as Q{number}"

    def authenticate(self, server: SMTP, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        self.auth_attempts += 1
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USERNAME.encode()
              and auth_data.password == self.password.encode())
        if ok or not self.echo_secrets:
            return AuthResult(success=ok, handled=False)
        password = auth_data.password.decode()
        return AuthResult(success=False, handled=False,
                          message=f"535 5.7.8 {mechanism} {auth_data.login.decode()} "
                                  f"{password} rejected")


class _ScriptedSMTP(SMTP):
    """aiosmtpd's SMTP with a hook before the greeting (for 4xx greetings, stalls, drops)."""

    async def _handle_client(self) -> None:
        handler: Handler = self.event_handler
        handler.connections += 1
        try:
            reply = await handler.act("connect")
        except ConnectionResetError:
            reply = None
            assert self.transport is not None
            self.transport.close()
            return
        if reply:
            await self.push(reply)
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _ScriptedSMTP(self.handler, **self.SMTP_kwargs)


def smtp_toml(server: SmtpServer, certs: Certs) -> str:
    """The `[smtp]` table of a feedletter.toml that sends through `server` (fast retries)."""
    return (f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "starttls"\n'
            f'username = "{USERNAME}"\nca_file = "{certs.ca_file}"\ntimeout = 5\n'
            'retries = 2\nbackoff = 0.01\n')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """A running test server. security: 'starttls' (required), 'ssl' (implicit) or 'none'."""

    def __init__(self, certs: Certs, security: str = "starttls", auth: bool = True,
                 smtputf8: bool = False) -> None:
        self.handler = Handler()
        self.port = free_port()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certs.cert_file, certs.key_file)
        kwargs: dict[str, Any] = {"enable_SMTPUTF8": smtputf8}
        if security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        elif security == "ssl":
            kwargs.update(ssl_context=context)
        if auth:
            # aiosmtpd only counts STARTTLS as TLS for AUTH: with implicit TLS it would
            # not offer AUTH at all unless told the (already encrypted) link is fine, and
            # it warns about auth_required without auth_require_tls.
            starttls = security == "starttls"
            kwargs.update(authenticator=self.handler.authenticate, auth_required=starttls,
                          auth_require_tls=starttls)
        self.controller = _Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                      server_hostname="localhost", ready_timeout=5.0,
                                      timeout=10, **kwargs)

    def start(self) -> SmtpServer:
        self.controller.start()
        self.handler.connections = 0  # the controller's own start-up probe
        return self

    def stop(self) -> None:
        self.handler.release.set()
        self.controller.stop()


# Runs send_message in a child process: argv[1] is JSON {eml, to, smtp, state, period};
# prints "RESULT <json deliveries>" or "BUSY <message>" (exit 75).
SEND_SCRIPT = r"""
import dataclasses, email, email.policy, json, sys
from pathlib import Path
from feedletter.config import SmtpConfig
from feedletter.errors import LockBusy
from feedletter.mail import send_message

args = json.loads(sys.argv[1])
message = email.message_from_bytes(Path(args["eml"]).read_bytes(), policy=email.policy.default)
try:
    deliveries = send_message(message, args["to"], SmtpConfig(**args["smtp"]),
                              state_dir=Path(args["state"]), period=args["period"],
                              log=lambda line: print("LOG", line, flush=True))
except LockBusy as exc:
    print("BUSY", exc, flush=True)
    sys.exit(75)
print("RESULT", json.dumps([dataclasses.asdict(d) for d in deliveries]), flush=True)
"""
