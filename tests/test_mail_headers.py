"""The header builder against any text (hypothesis): a value is refused with a ConfigError
naming its key, or the message carries exactly the headers asked for, each reading back
as given. The CLI tests (test_mail_cli.py) show the same through real sends."""

from __future__ import annotations

import email
import email.policy

from hypothesis import given, settings
from hypothesis import strategies as st

from feedletter.errors import ConfigError
from feedletter.mail import Field, Mailbox, new_message, parse_recipients

# Text with what breaks headers: line breaks, encoded words, non-ASCII words, runs of
# spaces, and long values that must fold.
PIECES = st.sampled_from(["\r\n", "\n", "=?utf-8?q?", "?=", "=0D=0A", "Bcc: x@evil.example",
                          " ", "   ", "kůň", "přátel", "—", "a", "komunity", "\t", "\x00",
                          "=?utf-8?b?", "DQo=", "Zoë", ",", "<", ">", '"', "\u2028"])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=250, deadline=None)
@given(subject=TEXT, name=TEXT)
def test_any_subject_and_display_name_is_refused_or_exact(subject, name):
    sender = Mailbox("news", "example.org", name)
    try:
        msg = new_message([("From", [sender], "key 'digest.from'"),
                           Field("To", "undisclosed-recipients:;"),
                           Field("Subject", subject, "key 'digest.subject'")],
                          where="feedletter.toml")
    except ConfigError as exc:
        assert "digest." in str(exc) or "header" in str(exc)
        return
    data = msg.as_bytes()
    head = data.split(b"\r\n\r\n")[0]
    assert head.isascii()
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert [k.lower() for k in parsed.keys()] == ["from", "to", "subject"]
    assert str(parsed["Subject"]) == str(email.policy.default.header_factory("Subject", subject))
    assert parsed["From"].addresses[0].addr_spec == "news@example.org"


@settings(max_examples=200, deadline=None)
@given(value=TEXT)
def test_any_recipient_text_is_refused_or_only_checked_addresses(value):
    try:
        boxes = parse_recipients([value], where="--to", what="recipient")
    except ConfigError as exc:
        assert str(exc).startswith("--to: recipient")
        return
    for box in boxes:
        assert "\r" not in box.addr_spec and "\n" not in box.addr_spec and " " not in box.addr_spec
        assert box.domain.isascii()
    assert len({b.key for b in boxes}) == len(boxes)


def test_a_sender_with_a_non_ascii_local_part_is_refused_naming_the_key():
    try:
        new_message([("From", [Mailbox("zoë", "example.org")], "key 'digest.from'")],
                     where="feedletter.toml")
    except ConfigError as exc:
        assert "key 'digest.from'" in str(exc) and "non-ASCII local part" in str(exc)
    else:
        raise AssertionError("not refused")
