"""The mail class of issue 13 and the send side of issue 14, through the CLI and a real
SMTP server (aiosmtpd on 127.0.0.1, STARTTLS, AUTH): header injection, addresses,
duplicates, the ledger held by another program, the password mask, personal
unsubscribe links, the archive that is never personal, and the size on the wire."""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from urllib.parse import parse_qs, urlsplit

import pytest

import feedletter.mail.ledger
from conftest import november_posts
from feedletter import mail
from smtputil import PASSWORD, SRC, USERNAME, SmtpServer, smtp_toml

SECRET = "s3cret-for-the-unsubscribe-links"
READERS = ["ada@example.org", "bob@example.net"]


def configure(site, server, certs, digest: str = "", site_table: str = "") -> None:
    if site_table:
        site.config_text = site_table
    site.config(textwrap.dedent(digest) + smtp_toml(server, certs))


@pytest.fixture
def news(site, server, certs, monkeypatch):
    """A small site with two posts in November 2016, sending through `server`."""
    monkeypatch.setenv(mail.PASSWORD_ENV, PASSWORD)
    monkeypatch.delenv(mail.UNSUBSCRIBE_SECRET_ENV, raising=False)
    configure(site, server, certs, f"""
        [digest]
        from = "Test News <news@example.org>"
        to = {READERS!r}
        """)
    november_posts(site)
    return site


def send(site, *args: str):
    return site.run("digest", "--month", "2016-11", "--send", *args)


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def eml(site) -> bytes:
    return (site.out / "digests" / "2016-11.eml").read_bytes()


# ─ headers: checked after decoding, folded with every space ──────────────────────────

INJECTION = "=?utf-8?q?Hello=0D=0ABcc:_x@evil.example?="


@pytest.mark.parametrize(("where", "key"), [
    ("subject", "digest.subject"),
    ("title", "site.title"),
    ("split", "digest.subject"),   # harmless parts, an encoded word once put together
])
def test_encoded_line_break_in_a_header_is_refused(news, server, certs, where, key):
    digest = '[digest]\nfrom = "News <news@example.org>"\nto = ["ada@example.org"]\n'
    title = "Test Site"
    if where == "subject":
        digest += f'subject = "{INJECTION} {{period}}"\n'
    elif where == "title":
        title = INJECTION
    else:
        digest += 'subject = "=?utf-8?q?{site_title}?= {period}"\n'
        title = "Hello=0D=0ABcc:_x@evil.example"
    configure(news, server, certs, digest,
              f'[site]\ntitle = "{title}"\nurl = "https://example.org"\n')
    result = send(news)
    assert result.exit_code == 2, result.output
    assert f"key '{key}'" in result.stderr and "line break" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert server.handler.messages == [] and server.handler.connections == 0
    assert not (news.out / "digests" / "2016-11.eml").exists()


@pytest.mark.parametrize("subject", [
    "Novinky z komunity oVirt a jeho přátel — kůň kůň kůň — {period}",
    "a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a kůň kůň — {period}",
    "Zpravodaj komunity: vydání, setkání, kůň   kůň (tři mezery) — {period}",
])
def test_subject_folding_keeps_every_space(news, server, certs, subject):
    configure(news, server, certs, f'''
        [digest]
        from = "Zpravodaj komunity oVirt kůň kůň přátel a ještě delší jméno <news@example.org>"
        to = ["ada@example.org"]
        subject = "{subject}"
        ''')
    result = send(news)
    assert result.exit_code == 0, result.output
    want = subject.format(period="November 2016")
    for data in (server.handler.messages[0].data, eml(news)):
        msg = parse(data)
        assert str(msg["Subject"]) == want
        assert msg["From"].addresses[0].display_name == (
            "Zpravodaj komunity oVirt kůň kůň přátel a ještě delší jméno")
        head = data.split(b"\r\n\r\n")[0]
        assert head.isascii() and max(len(line) for line in head.split(b"\r\n")) <= 78


def test_unsubscribe_url_cannot_add_uris(news, server, certs):
    configure(news, server, certs, '''
        [digest]
        from = "News <news@example.org>"
        to = ["ada@example.org"]
        unsubscribe_url = "https://example.org/u>, <mailto:x@evil.example"
        ''')
    result = send(news)
    assert result.exit_code == 2, result.output
    assert "key 'digest.unsubscribe_url'" in result.stderr
    assert server.handler.messages == []


# ─ addresses: split, normalized, deduplicated ────────────────────────────────────────

def test_five_spellings_of_one_mailbox_get_one_copy(news, server):
    spellings = ["Ada <ada@example.org>", "<ada@example.org>", " ada@example.org",
                 "ada@example.org (Ada)", "ADA@example.org"]
    args = [a for s in spellings for a in ("--to", s)]
    result = send(news, *args)
    assert result.exit_code == 0, result.output
    assert [m.rcpt for m in server.handler.messages] == [("ada@example.org",)]
    assert "1 sent, 0 already sent" in result.stdout
    again = send(news, "--to", "ADA@EXAMPLE.ORG")   # the ledger's key is the mailbox
    assert "already sent: ADA@example.org" in again.stdout
    assert len(server.handler.messages) == 1


def test_one_to_option_with_two_addresses_reaches_both(news, server):
    result = send(news, "--to", "a@example.org, b@example.org")
    assert result.exit_code == 0, result.output
    assert sorted(m.rcpt for m in server.handler.messages) == [("a@example.org",),
                                                               ("b@example.org",)]
    assert "sent: a@example.org" in result.stdout and "sent: b@example.org" in result.stdout
    for received in server.handler.messages:
        assert parse(received.data)["To"] == "undisclosed-recipients:;"


def test_non_ascii_display_name_needs_no_smtputf8(news, server):
    # aiosmtpd does not offer SMTPUTF8 (enable_SMTPUTF8 defaults to False).
    result = send(news, "--to", "Zoë <zoe@example.org>")
    assert result.exit_code == 0, result.output
    [received] = server.handler.messages
    assert received.rcpt == ("zoe@example.org",)
    msg = parse(received.data)
    assert msg["To"].addresses[0].display_name == "Zoë"
    assert msg["To"].addresses[0].addr_spec == "zoe@example.org"


@pytest.mark.parametrize("smtputf8", [True, False])
def test_non_ascii_local_part_needs_smtputf8_and_only_then(news, certs, smtputf8):
    server = SmtpServer(certs, smtputf8=smtputf8).start()
    try:
        configure(news, server, certs, '[digest]\nfrom = "News <news@example.org>"\n')
        result = send(news, "--to", "zoë@example.org", "--to", "ada@example.org")
        received = list(server.handler.messages)
    finally:
        server.stop()
    ada = next(m for m in received if m.rcpt == ("ada@example.org",))
    assert "SMTPUTF8" not in ada.mail_options          # only the address that needs it
    if smtputf8:
        assert result.exit_code == 0, result.output
        zoe = next(m for m in received if m.rcpt == ("zoë@example.org",))
        assert "SMTPUTF8" in zoe.mail_options
    else:
        assert result.exit_code == 3, result.output
        assert "FAILED: zoë@example.org (RCPT:" in result.stdout
        assert "no SMTPUTF8" in result.stdout
        assert "sent: ada@example.org" in result.stdout


def test_idna_domain_is_punycode_in_envelope_and_header(news, server):
    result = send(news, "--to", "Zoë <zoe@exämple.org>")
    assert result.exit_code == 0, result.output
    [received] = server.handler.messages
    assert received.rcpt == ("zoe@xn--exmple-cua.org",)
    to_line = re.search(rb"(?m)^To: (.*(?:\r\n .*)*)", received.data)[1]
    assert b"<zoe@xn--exmple-cua.org>" in to_line     # no encoded word inside the address


@pytest.mark.parametrize("bad", ["not an address", "a@example.org, nobody", "x@", "@x.org",
                                 "Bcc: x@evil.example"])
def test_bad_to_is_one_line_exit_2(news, server, bad):
    result = send(news, "--to", bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedletter: --to: recipient")
    assert server.handler.connections == 0


# ─ the ledger: nothing sent that it cannot record ───────────────────────────────────

HOLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN")
db.execute("SELECT count(*) FROM sent").fetchall()
print("holding", flush=True)
sys.stdin.read()
"""


def test_ledger_held_by_another_process_exit_75_nothing_sent(news, server, monkeypatch):
    assert send(news, "--to", "cy@example.com").exit_code == 0   # creates the ledger
    monkeypatch.setattr(feedletter.mail.ledger, "BUSY_TIMEOUT", 0.3)
    holder = subprocess.Popen([sys.executable, "-c", HOLD,
                               str(news.root / ".feedletter" / "sent.sqlite")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        began = time.monotonic()
        result = send(news)
        waited = time.monotonic() - began
    finally:
        holder.communicate("", timeout=5)
    assert result.exit_code == 75, result.output
    assert "sent-ledger is in use by another program" in result.stderr
    assert [m.rcpt for m in server.handler.messages] == [("cy@example.com",)]
    assert waited < 5
    done = send(news)           # once the reader has gone: each reader once
    assert done.exit_code == 0, done.output
    assert sorted(m.rcpt for m in server.handler.messages[1:]) == [(r,) for r in READERS]


# ─ the password mask ─────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("password", ["x", "e", "example", "org"])
def test_short_password_never_rewrites_ordinary_text(news, server, monkeypatch, password):
    server.handler.password = password
    monkeypatch.setenv(mail.PASSWORD_ENV, password)
    result = send(news, "--to", "ada@example.org")
    assert result.exit_code == 0, result.output
    assert "sent: ada@example.org" in result.stdout
    assert "********" not in result.output
    msg = parse(server.handler.messages[0].data)
    assert msg["To"] == "ada@example.org" and msg["From"] == "Test News <news@example.org>"
    assert "********" not in msg.get_body(("plain",)).get_content()


def test_echoed_password_is_masked_as_a_whole_token_only(news, server, monkeypatch):
    server.handler.echo_secrets = True
    monkeypatch.setenv(mail.PASSWORD_ENV, "e")       # wrong, and echoed by the server
    result = send(news, "--to", "ada@example.org")
    assert result.exit_code == 3, result.output
    assert f"LOGIN {USERNAME} ******** rejected" in result.stdout
    assert "FAILED: ada@example.org" in result.stdout


# ─ [smtp] values that cannot work ────────────────────────────────────────────────────

@pytest.mark.parametrize(("line", "key"), [
    ("port = 0", "smtp.port"), ("port = 70000", "smtp.port"),
    ("timeout = -1", "smtp.timeout"), ("timeout = 0", "smtp.timeout"),
    ("timeout = nan", "smtp.timeout"), ("timeout = inf", "smtp.timeout"),
    ("backoff = -1", "smtp.backoff"), ("backoff = nan", "smtp.backoff"),
    ('username = "žofie"', "smtp.username"),
    ('ca_file = "/nonexistent/ca.pem"', "smtp.ca_file"),
])
def test_bad_smtp_values_exit_2_naming_the_key(news, server, certs, line, key):
    smtp = smtp_toml(server, certs)
    name = line.split(" = ")[0]
    smtp = re.sub(rf"(?m)^{name} = .*\n", "", smtp) + line + "\n"
    news.config(f'[digest]\nfrom = "News <news@example.org>"\nto = {READERS!r}\n' + smtp)
    result = send(news)
    assert result.exit_code == 2, result.output
    assert key in result.stderr
    assert "cannot connect" not in result.output
    assert server.handler.connections == 0


def test_unloadable_ca_file_is_named_not_cannot_connect(news, server, certs, tmp_path):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate\n")
    smtp = re.sub(r'(?m)^ca_file = .*$', f'ca_file = "{bad}"', smtp_toml(server, certs))
    news.config(f'[digest]\nfrom = "News <news@example.org>"\nto = {READERS!r}\n' + smtp)
    result = send(news)
    assert result.exit_code == 2, result.output
    assert "key 'smtp.ca_file': cannot load" in result.stderr
    assert "cannot connect" not in result.output
    assert server.handler.connections == 0


# ─ personal one-click unsubscribe, the archive never personal ────────────────────────

PERSONAL = "https://lists.example.org/leave?list=news&email={email}&token={token}"


def personal_news(news, server, certs, monkeypatch, url: str = PERSONAL) -> None:
    monkeypatch.setenv(mail.UNSUBSCRIBE_SECRET_ENV, SECRET)
    configure(news, server, certs, f'''
        [digest]
        from = "Test News <news@example.org>"
        to = {READERS!r}
        unsubscribe_url = "{url}"
        unsubscribe_mailto = "leave@example.org"
        ''')


def unsubscribe_uris(msg) -> list[str]:
    return re.findall(r"<([^>]*)>", str(msg["List-Unsubscribe"]))


def test_each_recipient_gets_their_own_one_click_link(news, server, certs, monkeypatch):
    personal_news(news, server, certs, monkeypatch)
    result = send(news)
    assert result.exit_code == 0, result.output
    messages = {m.rcpt[0]: parse(m.data) for m in server.handler.messages}
    assert sorted(messages) == READERS
    bodies = []
    for reader, msg in messages.items():
        url, mailto = unsubscribe_uris(msg)
        query = parse_qs(urlsplit(url).query)
        assert query["email"] == [reader] and query["list"] == ["news"]
        assert mail.verify_token(reader, "example.org", query["token"][0], SECRET)
        assert not mail.verify_token(reader, "example.org", query["token"][0], SECRET + "x")
        other = next(r for r in READERS if r != reader)
        assert not mail.verify_token(other, "example.org", query["token"][0], SECRET)
        assert mailto == "mailto:leave@example.org"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        html = msg.get_body(("html",)).get_content()
        text = msg.get_body(("plain",)).get_content()
        assert f'href="{url.replace("&", "&amp;")}"' in html and url in text
        bodies.append((text.replace(url, "URL"), html.replace(url.replace("&", "&amp;"), "URL")))
    # Everything else is shared: the headers but List-Unsubscribe byte for byte, the
    # parts once the personal link is set aside.
    first, second = (m.data for m in server.handler.messages)
    strip = [re.sub(rb"(?m)^List-Unsubscribe:.*\r\n( .*\r\n)*", b"", d).split(b"\r\n\r\n")[0]
             for d in (first, second)]
    assert strip[0] == strip[1]
    assert bodies[0] == bodies[1] and "URL" in bodies[0][0] and "URL" in bodies[0][1]
    assert len(server.handler.messages) == 2
    # The ledger: one row per delivery, keyed by the mailbox.
    assert "2 sent" in result.stdout
    with closing(sqlite3.connect(news.root / ".feedletter" / "sent.sqlite")) as db:
        rows = db.execute("SELECT recipient, state FROM sent ORDER BY recipient").fetchall()
    assert rows == [(r, "sent") for r in READERS]

    # The archive: the list-wide version, nobody's address, nobody's token.
    archive = eml(news)
    for reader in READERS:
        assert reader.encode() not in archive
    msg = parse(archive)
    assert unsubscribe_uris(msg) == ["https://lists.example.org/leave?list=news",
                                     "mailto:leave@example.org"]
    assert "token" not in msg.get_body(("html",)).get_content()
    assert b"token" not in (news.out / "digests" / "2016-11.txt").read_bytes()


def test_token_is_bound_to_the_configured_list_id(news, server, certs, monkeypatch):
    personal_news(news, server, certs, monkeypatch)
    path = news.root / "feedletter.toml"
    path.write_text(path.read_text().replace(
        "[digest]\n", '[digest]\nlist_id = "news.lists.example.org"\n', 1))
    assert send(news, "--to", "ada@example.org").exit_code == 0
    url = unsubscribe_uris(parse(server.handler.messages[0].data))[0]
    token = parse_qs(urlsplit(url).query)["token"][0]
    assert mail.verify_token("Ada@Example.org", "news.lists.example.org", token, SECRET)
    assert not mail.verify_token("ada@example.org", "example.org", token, SECRET)


def test_to_and_force_sends_never_rewrite_the_archive(news, server, certs, monkeypatch):
    personal_news(news, server, certs, monkeypatch)
    assert news.run("digest", "--month", "2016-11").exit_code == 0
    published = {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
                 for p in (news.out / "digests").iterdir()}
    feed = (news.out / "digests.atom.xml").stat().st_mtime_ns
    path = news.posts / "2016-11-12-post-12.md"
    path.write_text(path.read_text().replace("About", "All about"))
    for args in (["--to", "cy@example.com"], ["--force", "--to", "cy@example.com"]):
        result = send(news, *args)
        assert result.exit_code == 0, result.output
        assert "never rewrite it" in result.stdout
        assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
                for p in (news.out / "digests").iterdir()} == published
        assert (news.out / "digests.atom.xml").stat().st_mtime_ns == feed
        assert b"cy@example.com" not in eml(news)
    assert server.handler.copies("cy@example.com") == 2
    # what cy got is personal; the archive is not
    got = parse(server.handler.messages[-1].data)
    assert "email=cy@example.com&token=" in got.get_body(("plain",)).get_content()
    assert "All about" in got.get_body(("plain",)).get_content()   # the current version


def test_token_without_its_secret_is_refused(news, server, certs, monkeypatch):
    personal_news(news, server, certs, monkeypatch)
    monkeypatch.delenv(mail.UNSUBSCRIBE_SECRET_ENV)
    result = send(news)
    assert result.exit_code == 2, result.output
    assert mail.UNSUBSCRIBE_SECRET_ENV in result.stderr
    assert server.handler.connections == 0


def test_edited_post_after_a_send_says_who_got_the_earlier_version(news, server):
    assert send(news).exit_code == 0
    path = news.posts / "2016-11-12-post-12.md"
    path.write_text(path.read_text().replace("About", "All about"))
    result = news.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    assert "already sent to 2 recipients: they got the earlier version" in result.stdout
    assert b"All about" in eml(news).replace(b"=\r\n", b"")


# ─ size on the wire ──────────────────────────────────────────────────────────────────

def test_html_budget_is_measured_as_sent(news, server, certs):
    for day in range(1, 25):
        news.post(f"2016-11-{day:02d}-cz.md", f"""\
            ---
            title: Příspěvek {day}
            date: 2016-11-{day:02d} 12:00
            ---
            Žluťoučký kůň úpěl ďábelské ódy, {"příliš žluťoučký kůň " * 20}
            """)
    assert news.run("digest", "--month", "2016-11").exit_code == 0
    file_size = (news.out / "digests" / "2016-11.html").stat().st_size
    part = parse(eml(news)).get_body(("html",))
    wire = len(part.get_payload().encode())
    assert wire > file_size * 1.05       # quoted-printable and CRLF cost this much
    budget = (file_size + wire) // 2     # the file fits, the part as sent does not
    configure(news, server, certs, f"[digest]\nmax_html_bytes = {budget}\n")
    result = news.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    assert "full summaries" not in result.stdout and "bytes as sent" in result.stdout
    part = parse(eml(news)).get_body(("html",))
    assert len(part.get_payload().encode()) <= budget


# ─ crash between sending and recording; SIGINT ──────────────────────────────────────

def _cli(site, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, "-m", "feedletter", "digest", "--month",
                             "2016-11", "--now", "2030-01-01T00:00:00Z", *args],
                            cwd=site.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_killed_between_data_and_record_is_unknown_not_resent(news, server):
    server.handler.kill_at_data = 1
    proc = _cli(news, "--send")
    server.handler.kill_pid = proc.pid
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert [m.rcpt for m in server.handler.messages] == [("ada@example.org",)]
    server.handler.kill_at_data = None
    rerun = send(news)
    assert rerun.exit_code == 3, rerun.output
    assert "UNKNOWN: ada@example.org (may have been delivered" in rerun.stdout
    assert "sent: bob@example.net" in rerun.stdout
    assert server.handler.copies("ada@example.org") == 1      # not silently resent
    forced = send(news, "--force", "--to", "ada@example.org")
    assert forced.exit_code == 0, forced.output
    assert server.handler.copies("ada@example.org") == 2
    assert send(news).exit_code == 0                           # resolved


@pytest.mark.parametrize(("signum", "name"), [(signal.SIGINT, "SIGINT"),
                                              (signal.SIGTERM, "SIGTERM")])
def test_signal_during_send_reports_who_got_it(news, server, signum, name):
    server.handler.script("MAIL", "stall:0", "wait")   # the second transaction hangs
    proc = _cli(news, "--send")
    deadline = time.monotonic() + 15
    while server.handler.mails < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=15)
    server.handler.release.set()
    assert proc.returncode == 128 + signum, (out, err)
    lines = err.splitlines()
    assert any(line.startswith("sent: ada@example.org (250 ") for line in lines), err
    assert "not sent: bob@example.net" in lines
    assert f"feedletter: interrupted by {name}" in err
    assert "Traceback" not in err
    assert [m.rcpt for m in server.handler.messages] == [("ada@example.org",)]
    rerun = send(news)
    assert rerun.exit_code == 0, rerun.output
    assert server.handler.copies("ada@example.org") == 1
    assert server.handler.copies("bob@example.net") == 1
