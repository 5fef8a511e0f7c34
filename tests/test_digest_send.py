"""`feedletter digest --send` through a real SMTP server (aiosmtpd, STARTTLS, AUTH)."""

from __future__ import annotations

import email
import email.policy
import fcntl
import os
import textwrap

import pytest

from conftest import november_posts
from feedletter import mail
from smtputil import PASSWORD, smtp_toml

READERS = ["ada@example.org", "bob@example.net"]


@pytest.fixture
def news(site, server, certs, monkeypatch):
    """A small site whose digest goes to READERS through `server`."""
    monkeypatch.setenv(mail.PASSWORD_ENV, PASSWORD)
    site.config(textwrap.dedent(f"""
        [digest]
        from = "Test News <news@example.org>"
        to = {READERS!r}
        unsubscribe_url = "https://example.org/unsubscribe"
        """) + smtp_toml(server, certs))
    november_posts(site)
    return site


def send(site, *args: str):
    return site.run("digest", "--month", "2016-11", "--send", *args)


def test_sends_once_rerun_sends_nothing_force_sends_again(news, server):
    first = send(news)
    assert first.exit_code == 0, first.output
    assert "sent: ada@example.org" in first.stdout and "sent: bob@example.net" in first.stdout
    assert "2 sent, 0 already sent" in first.stdout
    assert [m.rcpt for m in server.handler.messages] == [(r,) for r in READERS]
    assert server.handler.auth_attempts == 1             # AUTH, after STARTTLS (required)
    eml = (news.out / "digests" / "2016-11.eml").read_bytes()
    for received in server.handler.messages:
        assert received.mail_from == "news@example.org"
        # what was sent is the .eml on disk, byte for byte (CRLF on both)
        assert received.data == eml
    msg = email.message_from_bytes(server.handler.messages[0].data, policy=email.policy.default)
    assert msg["Subject"] == "Test Site — November 2016"
    assert msg["To"] == "undisclosed-recipients:;"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Meetup in Brno" in msg.get_body(("plain",)).get_content()
    assert PASSWORD not in first.output

    # A rerun, even after a post was edited, sends nothing: same period, same Message-ID.
    path = news.posts / "2016-11-12-post-12.md"
    path.write_text(path.read_text().replace("About", "All about"))
    again = send(news)
    assert again.exit_code == 0, again.output
    assert "already sent: ada@example.org" in again.stdout
    assert "0 sent, 2 already sent (--force sends again), 0 failed." in again.stdout
    assert len(server.handler.messages) == 2

    forced = send(news, "--force")
    assert forced.exit_code == 0, forced.output
    assert "2 sent, 0 already sent" in forced.stdout
    assert len(server.handler.messages) == 4
    assert b"All about Meetup" in server.handler.messages[-1].data


def test_to_option_and_a_refused_recipient_exit_3(news, server):
    server.handler.rcpt_replies["nobody@example.org"] = "550 5.1.1 no such user"
    result = send(news, "--to", "cy@example.com", "--to", "nobody@example.org")
    assert result.exit_code == 3, result.output
    assert "sent: cy@example.com" in result.stdout
    assert "FAILED: nobody@example.org (RCPT: 550 5.1.1 no such user)" in result.stdout
    assert "did not reach 1 of 2 recipients" in result.stderr
    assert [m.rcpt for m in server.handler.messages] == [("cy@example.com",)]
    # the next run retries only the one that failed
    server.handler.rcpt_replies.clear()
    retry = send(news, "--to", "cy@example.com", "--to", "nobody@example.org")
    assert retry.exit_code == 0, retry.output
    assert "already sent: cy@example.com" in retry.stdout
    assert [m.rcpt for m in server.handler.messages] == [("cy@example.com",),
                                                         ("nobody@example.org",)]


def test_temporary_failure_is_retried_and_delivered_once(news, server):
    server.handler.script("RCPT", "451 4.3.0 try again later")
    result = send(news, "--to", "ada@example.org")
    assert result.exit_code == 0, result.output
    assert server.handler.copies("ada@example.org") == 1


def test_dry_run_send_sends_nothing(news, server):
    result = send(news, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would send <digest-2016-11." in result.stdout
    assert server.handler.messages == [] and server.handler.connections == 0
    assert not (news.root / ".feedletter").exists()


def test_another_send_running_exits_75(news, server):
    state = news.root / ".feedletter"
    state.mkdir()
    fd = os.open(state / mail.LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = send(news)
    finally:
        os.close(fd)
    assert result.exit_code == 75, result.output
    assert server.handler.messages == []


@pytest.mark.parametrize(("config", "args", "message"), [
    ('[digest]\nfrom = "News <news@example.org>"\n', [], "no recipients"),
    ('[digest]\nto = ["a@example.org"]\n', [], "'digest.from' is required to send"),
])
def test_send_needs_a_sender_and_recipients(site, config, args, message):
    site.config(config)
    site.post("a.md", "---\ntitle: Hello\ndate: 2016-11-02\n---\nHi.\n")
    result = site.run("digest", "--month", "2016-11", "--send", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_wrong_password_fails_every_recipient_without_leaking_it(news, server, monkeypatch):
    monkeypatch.setenv(mail.PASSWORD_ENV, "not-the-password")
    result = send(news)
    assert result.exit_code == 3, result.output
    assert result.stdout.count("FAILED: ") == 2
    assert "not-the-password" not in result.output
    assert server.handler.messages == []


def test_a_resend_is_the_same_message(news, server):
    """--force sends the very same bytes: same Message-ID, same Date, same boundary."""
    assert send(news, "--to", "ada@example.org").exit_code == 0
    assert send(news, "--to", "ada@example.org", "--force").exit_code == 0
    first, second = (m.data for m in server.handler.messages)
    assert first == second
