"""mail.send_message against a real aiosmtpd server (TLS, AUTH, scripted faults)."""

from __future__ import annotations

import base64
import email
import email.policy
import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import closing
from email.message import EmailMessage
from pathlib import Path

import pytest

from feedletter import mail
from feedletter.config import SmtpConfig, replace
from feedletter.errors import FeedletterError, LockBusy
from feedletter.mail import Delivery, send_message
from smtputil import (
    PASSWORD,
    SEND_SCRIPT,
    SRC,
    USERNAME,
    Certs,
    SmtpServer,
    free_port,
    make_certs,
)

RECIPIENTS = ["ada@example.org", "bob@example.net", "cy@example.com"]
PERIOD = "2024-05"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def start(certs: Certs) -> Iterator[Callable[..., SmtpServer]]:
    """Start servers (see SmtpServer); all are stopped at teardown."""
    servers: list[SmtpServer] = []

    def start(**kwargs: object) -> SmtpServer:
        server = SmtpServer(certs, **kwargs)  # type: ignore[arg-type]
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(start: Callable[..., SmtpServer]) -> SmtpServer:
    return start()


@pytest.fixture(autouse=True)
def password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(mail.PASSWORD_ENV, PASSWORD)


def smtp_config(server: SmtpServer, certs: Certs, **changes: object) -> SmtpConfig:
    config = SmtpConfig(host="127.0.0.1", port=server.port, security="starttls",
                        username=USERNAME, ca_file=str(certs.ca_file), timeout=5.0,
                        retries=3, backoff=0.01)
    return replace(config, **changes)  # type: ignore[arg-type]


def make_message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Blog Digest <digest@example.org>"
    message["To"] = "Readers <readers@example.org>"
    message["Subject"] = "Blog — 2024-05 digest"
    message["Date"] = "Sat, 01 Jun 2024 08:00:00 +0000"
    message["Message-ID"] = "<digest-2024-05@example.org>"
    message.set_content("Hello readers,\n.a line that starts with a dot\n\nÇa va? — 2024\n")
    message.add_alternative("<p>Hello <b>readers</b></p>\n", subtype="html")
    message.set_boundary("==feedletter-test==")  # else each serialisation picks a new one
    return message


def wire_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


class Run:
    """Calls send_message with one config and state folder, keeping every log line."""

    def __init__(self, config: SmtpConfig, state_dir: Path) -> None:
        self.config = config
        self.state_dir = state_dir
        self.lines: list[str] = []

    def __call__(self, recipients: list[str] = RECIPIENTS, **kwargs: object) -> list[Delivery]:
        return send_message(make_message(), recipients, self.config, state_dir=self.state_dir,
                            period=PERIOD, log=self.lines.append, **kwargs)  # type: ignore[arg-type]


def statuses(deliveries: list[Delivery]) -> list[str]:
    return [d.status for d in deliveries]


def ledger_rows(state_dir: Path) -> list[tuple[str, ...]]:
    with closing(sqlite3.connect(state_dir / "sent.sqlite")) as db:
        return db.execute("SELECT period, recipient, message_id FROM sent").fetchall()


# 1 ─ the normal path ───────────────────────────────────────────────────────────────────

def test_starttls_auth_one_copy_each_rerun_nothing_force_again(server, certs, tmp_path):
    send = Run(smtp_config(server, certs), tmp_path / "state")

    first = send()
    assert statuses(first) == ["sent"] * 3
    assert [d.recipient for d in first] == RECIPIENTS
    assert all(d.detail.startswith("250 ") for d in first)
    assert [m.rcpt for m in server.handler.messages] == [(r,) for r in RECIPIENTS]
    assert server.handler.connections == 1  # one connection reused for all three
    assert server.handler.auth_attempts == 1
    expected = wire_bytes(make_message())
    for received in server.handler.messages:
        assert received.mail_from == "digest@example.org"
        assert received.data == expected
    parsed = email.message_from_bytes(server.handler.messages[0].data,
                                      policy=email.policy.default)
    assert parsed["Subject"] == "Blog — 2024-05 digest"
    assert parsed["Message-ID"] == "<digest-2024-05@example.org>"
    assert ".a line that starts with a dot" in parsed.get_body(("plain",)).get_content()
    assert len(ledger_rows(tmp_path / "state")) == 3

    second = send()
    assert statuses(second) == ["already-sent"] * 3
    assert len(server.handler.messages) == 3
    assert server.handler.connections == 1  # nothing to send: no connection at all

    third = send(force=True)
    assert statuses(third) == ["sent"] * 3
    assert all(server.handler.copies(r) == 2 for r in RECIPIENTS)


def test_one_mailbox_spelled_several_ways_is_one_recipient(server, certs, tmp_path):
    send = Run(smtp_config(server, certs), tmp_path)
    assert statuses(send(["Ada@Example.org", "ada@example.org"])) == ["sent"]
    assert statuses(send(["ADA <ada@EXAMPLE.org>"])) == ["already-sent"]  # the ledger's key
    assert len(server.handler.messages) == 1


def test_mailboxes_keep_their_order_first_spelling_wins(server, certs, tmp_path):
    ada, bob = mail.Mailbox("Ada", "example.org"), mail.Mailbox("bob", "example.net")
    send = Run(smtp_config(server, certs), tmp_path)
    deliveries = send([ada, bob, mail.Mailbox("ada", "example.org")])
    assert [d.recipient for d in deliveries] == ["Ada@example.org", "bob@example.net"]
    assert [m.rcpt for m in server.handler.messages] == [("Ada@example.org",),
                                                         ("bob@example.net",)]


def test_implicit_tls(start, certs, tmp_path):
    server = start(security="ssl")
    send = Run(smtp_config(server, certs, security="ssl"), tmp_path)
    assert statuses(send()) == ["sent"] * 3
    assert len(server.handler.messages) == 3
    assert server.handler.auth_attempts == 1


# 2 ─ temporary failures are retried ────────────────────────────────────────────────────

@pytest.mark.parametrize("stage", ["connect", "MAIL", "RCPT", "DATA"])
@pytest.mark.parametrize("code", [421, 451, 452])
def test_temporary_failures_are_retried(server, certs, tmp_path, stage, code):
    reply = f"{code} 4.3.0 try again later"
    server.handler.script(stage, reply, reply)
    send = Run(smtp_config(server, certs), tmp_path)

    deliveries = send(RECIPIENTS[:1])

    assert statuses(deliveries) == ["sent"]
    assert server.handler.copies(RECIPIENTS[0]) == 1
    assert len(server.handler.messages) == 1
    retries = [line for line in send.lines if "retry" in line]
    assert len(retries) == 2 and str(code) in retries[0]


def test_backoff_is_exponential_and_bounded(server, certs, tmp_path, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(mail.send, "sleep", waits.append)
    server.handler.script("RCPT", *["451 4.2.0 mailbox busy"] * 10)
    send = Run(smtp_config(server, certs, retries=3, backoff=2.0), tmp_path)

    [delivery] = send(RECIPIENTS[:1])

    assert waits == [2.0, 4.0, 8.0]
    assert delivery.status == "failed"
    assert "451 4.2.0 mailbox busy" in delivery.detail
    assert "gave up after 4 attempts" in delivery.detail
    assert server.handler.messages == []


def test_connection_refused_is_retried_then_fails_everybody(certs, tmp_path):
    config = SmtpConfig(host="127.0.0.1", port=free_port(), ca_file=str(certs.ca_file),
                        timeout=2, retries=2, backoff=0.01)
    send = Run(config, tmp_path)

    deliveries = send()

    assert statuses(deliveries) == ["failed"] * 3
    assert "cannot connect to 127.0.0.1" in deliveries[0].detail
    assert deliveries[1].detail.startswith("not attempted: ")
    assert sum("retry" in line for line in send.lines) == 2  # not 2 per recipient


# 3 ─ connection drops ──────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("stage", ["connect", "MAIL", "RCPT"])
def test_drop_before_data_is_retried(server, certs, tmp_path, stage):
    server.handler.script(stage, "drop")
    send = Run(smtp_config(server, certs), tmp_path)

    assert statuses(send()) == ["sent"] * 3
    assert all(server.handler.copies(r) == 1 for r in RECIPIENTS)
    assert "may have two copies" not in " ".join(send.lines)


def test_drop_after_data_is_treated_as_not_delivered(server, certs, tmp_path):
    # The server lost the message with the connection: the retry delivers the only copy.
    server.handler.script("DATA", "drop")
    send = Run(smtp_config(server, certs), tmp_path)

    deliveries = send()

    assert statuses(deliveries) == ["sent"] * 3
    assert all(server.handler.copies(r) == 1 for r in RECIPIENTS)
    assert "may have two copies" in deliveries[0].detail
    assert any("before the server confirmed it" in line for line in send.lines)


def test_drop_after_data_when_server_had_kept_it_gives_two_copies(server, certs, tmp_path):
    # The documented at-least-once window: SMTP cannot tell this case from the one above.
    server.handler.script("DATA", "keep-and-drop")
    send = Run(smtp_config(server, certs), tmp_path)

    deliveries = send()

    assert statuses(deliveries) == ["sent"] * 3
    assert server.handler.copies(RECIPIENTS[0]) == 2
    assert "may have two copies" in deliveries[0].detail
    assert [server.handler.copies(r) for r in RECIPIENTS[1:]] == [1, 1]


# 4, 9 ─ authentication and secrets ─────────────────────────────────────────────────────

@pytest.mark.parametrize("echo", [False, True], ids=["plain-535", "server-echoes-secrets"])
def test_auth_failure_fails_all_at_once_without_leaking(server, certs, tmp_path,
                                                        monkeypatch, capfd, echo):
    wrong = "Wr0ng-" + PASSWORD
    monkeypatch.setenv(mail.PASSWORD_ENV, wrong)
    server.handler.echo_secrets = echo
    send = Run(smtp_config(server, certs), tmp_path)

    deliveries = send()

    assert statuses(deliveries) == ["failed"] * 3
    assert "535" in deliveries[0].detail
    assert f"authentication as '{USERNAME}' failed" in deliveries[0].detail
    assert mail.PASSWORD_ENV in deliveries[0].detail
    assert all(d.detail.startswith("not attempted: ") for d in deliveries[1:])
    assert server.handler.connections == 1  # no retry, no reconnect per recipient
    assert server.handler.messages == []
    assert ledger_rows(tmp_path) == []
    out = capfd.readouterr()
    _assert_secret_absent(wrong, USERNAME, [
        *send.lines, *(d.detail for d in deliveries), out.out, out.err,
        (tmp_path / "sent.sqlite").read_bytes()])


def test_server_unusable_still_reports_already_sent(server, certs, tmp_path, monkeypatch):
    send = Run(smtp_config(server, certs), tmp_path)
    send(RECIPIENTS[:2])
    monkeypatch.setenv(mail.PASSWORD_ENV, "wrong")
    deliveries = send()
    assert statuses(deliveries) == ["already-sent", "already-sent", "failed"]
    assert "535" in deliveries[2].detail


def test_password_never_appears_anywhere(server, certs, tmp_path, capfd):
    send = Run(smtp_config(server, certs), tmp_path)
    deliveries = send()
    assert statuses(deliveries) == ["sent"] * 3

    (tmp_path / "sent.sqlite").write_bytes(b"garbage" * 100)
    with pytest.raises(FeedletterError) as info:
        send()
    out = capfd.readouterr()
    _assert_secret_absent(PASSWORD, USERNAME, [
        *send.lines, *(d.detail for d in deliveries), out.out, out.err,
        *(m.data for m in server.handler.messages),
        "".join(traceback.format_exception(info.value))])


def test_password_only_from_environment(server, certs, tmp_path, monkeypatch):
    monkeypatch.delenv(mail.PASSWORD_ENV)
    send = Run(smtp_config(server, certs), tmp_path)
    with pytest.raises(FeedletterError, match=mail.PASSWORD_ENV):
        send()
    assert server.handler.connections == 0
    assert statuses(send(password=PASSWORD)) == ["sent"] * 3  # the library API


def _assert_secret_absent(password: str, username: str, outputs: list[str | bytes]) -> None:
    forms = [password, base64.b64encode(password.encode()).decode(),
             base64.b64encode(f"\0{username}\0{password}".encode()).decode()]
    for output in outputs:
        text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
        for form in forms:
            assert form not in text, f"secret found in {text[:200]!r}"


# 5 ─ one recipient refused ─────────────────────────────────────────────────────────────

def test_550_for_one_recipient(server, certs, tmp_path):
    server.handler.rcpt_replies["bob@example.net"] = "550 5.1.1 <bob@example.net>: no such user"
    send = Run(smtp_config(server, certs), tmp_path)

    deliveries = send()

    assert statuses(deliveries) == ["sent", "failed", "sent"]
    assert "550 5.1.1 <bob@example.net>: no such user" in deliveries[1].detail
    assert not any("retry" in line for line in send.lines)
    assert server.handler.connections == 1
    assert [server.handler.copies(r) for r in RECIPIENTS] == [1, 0, 1]

    del server.handler.rcpt_replies["bob@example.net"]
    assert statuses(send()) == ["already-sent", "sent", "already-sent"]
    assert [server.handler.copies(r) for r in RECIPIENTS] == [1, 1, 1]


# 6 ─ certificates are verified ─────────────────────────────────────────────────────────

@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_unverified_certificate_is_a_clear_permanent_failure(start, certs, tmp_path, security):
    server = start(security=security)
    send = Run(smtp_config(server, certs, security=security, ca_file=None), tmp_path)

    deliveries = send()

    assert statuses(deliveries) == ["failed"] * 3
    assert "certificate of 127.0.0.1" in deliveries[0].detail
    assert "smtp.ca_file" in deliveries[0].detail
    assert not any("retry" in line for line in send.lines)
    # (with implicit TLS the handshake fails before aiosmtpd counts a connection)
    assert server.handler.connections == (1 if security == "starttls" else 0)
    assert server.handler.messages == []


def test_starttls_required_when_not_offered(start, certs, tmp_path):
    server = start(security="none", auth=False)
    send = Run(smtp_config(server, certs, username=None), tmp_path)

    deliveries = send()

    assert statuses(deliveries) == ["failed"] * 3
    assert "does not offer STARTTLS" in deliveries[0].detail
    assert server.handler.messages == []


# 7 ─ a server that stops answering ─────────────────────────────────────────────────────

def test_silent_server_times_out_in_bounded_time(server, certs, tmp_path):
    server.handler.script("MAIL", "stall:30", "stall:30")
    send = Run(smtp_config(server, certs, timeout=1.0, retries=1), tmp_path)

    began = time.monotonic()
    deliveries = send(RECIPIENTS[:2])
    elapsed = time.monotonic() - began

    assert statuses(deliveries) == ["failed", "failed"]
    assert "no reply from 127.0.0.1" in deliveries[0].detail
    assert "within 1 s (timeout)" in deliveries[0].detail
    assert deliveries[1].detail.startswith("not attempted: ")
    assert elapsed < 6
    assert server.handler.messages == []


def test_slow_final_reply_is_waited_for_not_resent(server, certs, tmp_path):
    # A server that scans the message before answering must not be sent a second copy.
    server.handler.script("DATA", "stall:1.5")
    send = Run(smtp_config(server, certs, timeout=1.0, retries=1), tmp_path)

    assert statuses(send(RECIPIENTS[:1])) == ["sent"]
    assert server.handler.copies(RECIPIENTS[0]) == 1


# 8 ─ plain SMTP only to localhost ──────────────────────────────────────────────────────

@pytest.mark.parametrize("host", ["mail.example.org", "192.0.2.10", "localhost.example.org"])
def test_security_none_refused_off_localhost(tmp_path, host):
    config = SmtpConfig(host=host, security="none")
    with pytest.raises(FeedletterError, match="only allowed to localhost"):
        send_message(make_message(), RECIPIENTS, config, state_dir=tmp_path, period=PERIOD)
    assert not (tmp_path / "sent.sqlite").exists()


def test_security_none_to_localhost(start, tmp_path):
    server = start(security="none", auth=False)
    config = SmtpConfig(host="127.0.0.1", port=server.port, security="none", timeout=5)
    send = Run(config, tmp_path)
    assert statuses(send()) == ["sent"] * 3
    assert len(server.handler.messages) == 3


# 10 ─ exactly once when the sender is killed ───────────────────────────────────────────

def _spawn(server: SmtpServer, certs: Certs, tmp_path: Path, **smtp: object) -> subprocess.Popen:
    eml = tmp_path / "digest.eml"
    eml.write_bytes(make_message().as_bytes())
    config = {"host": "127.0.0.1", "port": server.port, "username": USERNAME,
              "ca_file": str(certs.ca_file), "timeout": 10.0, "retries": 2, "backoff": 0.01}
    args = {"eml": str(eml), "to": RECIPIENTS, "state": str(tmp_path / "state"),
            "period": PERIOD, "smtp": {**config, **smtp}}
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, "-c", SEND_SCRIPT, json.dumps(args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("kill_at_mail", [2, 3])
def test_killed_between_recipients_then_rerun_sends_each_once(server, certs, tmp_path,
                                                              kill_at_mail):
    # SIGKILL arrives when the n-th transaction starts: the earlier ones were accepted.
    server.handler.kill_at_mail = kill_at_mail
    proc = _spawn(server, certs, tmp_path)
    server.handler.kill_pid = proc.pid
    first_out, _ = proc.communicate(timeout=20)
    assert proc.returncode == -9, first_out
    done = RECIPIENTS[:kill_at_mail - 1]
    assert [m.rcpt for m in server.handler.messages] == [(r,) for r in done]

    rerun = _spawn(server, certs, tmp_path)
    out, _ = rerun.communicate(timeout=20)
    assert rerun.returncode == 0, out
    result = json.loads(out.split("RESULT ", 1)[1])
    assert [d["status"] for d in result] == (
        ["already-sent"] * len(done) + ["sent"] * (3 - len(done)))
    assert [server.handler.copies(r) for r in RECIPIENTS] == [1, 1, 1]
    _assert_secret_absent(PASSWORD, USERNAME, [first_out, out])


# 11 ─ the lock and the ledger ──────────────────────────────────────────────────────────

def test_two_concurrent_sends_one_gets_lock_busy(server, certs, tmp_path):
    server.handler.script("MAIL", "wait")  # the winner waits in its first transaction
    procs = [_spawn(server, certs, tmp_path) for _ in range(2)]
    try:
        deadline = time.monotonic() + 15
        while all(p.poll() is None for p in procs) and time.monotonic() < deadline:
            time.sleep(0.02)
        [loser] = [p for p in procs if p.poll() is not None]
        server.handler.release.set()
        [winner] = [p for p in procs if p is not loser]
        loser_out, _ = loser.communicate(timeout=5)
        winner_out, _ = winner.communicate(timeout=20)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert loser.returncode == 75, loser_out
    assert "another feedletter digest --send is running (lock " in loser_out
    assert winner.returncode == 0, winner_out
    assert [server.handler.copies(r) for r in RECIPIENTS] == [1, 1, 1]
    assert len(server.handler.messages) == 3


def test_lock_busy_in_process(server, certs, tmp_path):
    tmp_path.mkdir(exist_ok=True)
    with open(tmp_path / "send.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(LockBusy, match=str(tmp_path / "send.lock")):
            Run(smtp_config(server, certs), tmp_path)()
    assert server.handler.connections == 0


@pytest.mark.parametrize("content", [
    b"\x00garbage\xff" * 512,
    b"SQLite format 3\x00" + b"\xee" * 4000,
    b"",  # truncated to nothing
], ids=["garbage", "bad-sqlite-header", "empty"])
def test_damaged_ledger_is_reported_not_trusted_nor_replaced(server, certs, tmp_path, content):
    ledger = tmp_path / "sent.sqlite"
    ledger.write_bytes(content)
    with pytest.raises(FeedletterError) as info:
        Run(smtp_config(server, certs), tmp_path)()
    message = str(info.value)
    assert str(ledger) in message
    assert "move the file aside" in message and "backup" in message
    assert ledger.read_bytes() == content
    assert server.handler.connections == 0
    assert server.handler.messages == []


@pytest.mark.parametrize("hold", [
    ["BEGIN IMMEDIATE"],                       # someone editing it in the sqlite3 shell
    ["BEGIN", "SELECT count(*) FROM sent"],    # someone only reading it
], ids=["writer", "reader"])
def test_ledger_in_use_by_another_program_is_lock_busy(server, certs, tmp_path, monkeypatch,
                                                       hold):
    monkeypatch.setattr(mail.ledger, "BUSY_TIMEOUT", 0.1)
    send = Run(smtp_config(server, certs), tmp_path)
    send(RECIPIENTS[:1])
    other = sqlite3.connect(tmp_path / "sent.sqlite", isolation_level=None)
    try:
        for statement in hold:
            other.execute(statement)
        with pytest.raises(LockBusy, match="in use by another program"):
            send()
    finally:
        other.close()
    assert len(server.handler.messages) == 1   # nothing sent to the other two
    assert statuses(send()) == ["already-sent", "sent", "sent"]
