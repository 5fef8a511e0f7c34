"""The digest as MIME messages: the list-wide one (published) and each recipient's.

A `Letter` holds the rendered parts, in which the unsubscribe link is the placeholder
`mail.UNSUBSCRIBE_LINK`, and makes every message from them through `mail.new_message`
(the one header builder):

- `archive()`: the list-wide message published as `<period>.eml`: `To:` the list's one
  configured address or `undisclosed-recipients:;`, and the list-wide unsubscribe link,
  whoever it is sent to;
- `message(recipients, box)`: what `box` is sent: the same bytes but for `To` (the
  recipient when there is only one) and, with a personal `unsubscribe_url`, their own
  link in `List-Unsubscribe` and in the footer of both parts.

Headers depend only on the site and the period (Date is the end of the period, the
Message-ID is made of the site and the period), so a rebuild or a resend after a crash
is the same message, and the MIME boundary comes from the list-wide parts, so every
recipient's copy shares it.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

from ..config import Config
from ..mail import (
    UNSUBSCRIBE_LINK,
    Field,
    Mailbox,
    Unsubscribe,
    check_text,
    new_message,
    parse_mailbox,
    parse_recipients,
    safe_format,
)
from ..mail import wire_size as _wire_size
from .period import Period

UNDISCLOSED = "undisclosed-recipients:;"


def where(config: Config) -> str:
    return str(config.path or "<defaults>")


def message_id(config: Config, period: Period) -> str:
    """The same site and period always give the same id (the ledger relies on it)."""
    token = hashlib.sha256(f"{config.site_url}\n{period.name}".encode()).hexdigest()[:12]
    return f"<digest-{period.name}.{token}@{config.domain}>"


def sender(config: Config) -> Mailbox:
    """The From address: `digest.from`, else a no-reply address of the site's domain."""
    if config.digest.sender:
        return parse_mailbox(config.digest.sender, where=where(config), what="key 'digest.from'")
    title = check_text(config.title, where=where(config), keys="key 'site.title'")
    try:
        domain = config.domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        domain = config.domain
    # Not checked as an address: a site on localhost still gets a preview .eml.
    return Mailbox("noreply", domain, title)


def subject(config: Config, **values: str) -> str:
    """`digest.subject` with its placeholders filled (`values`: site_title, period,
    name), checked as a header will carry it; ConfigError names the key."""
    keys = "key 'digest.subject'"
    check_text(config.digest.subject, where=where(config), keys=keys)
    check_text(config.title, where=where(config), keys="key 'site.title'")
    check_text(values.get("name", ""), where=where(config), keys="key 'digest.name'")
    text = safe_format(config.digest.subject, where=where(config), key="digest.subject",
                       **values)
    # The parts may be harmless alone and not together (an encoded word split across
    # them): check the result too.
    return check_text(text, where=where(config), keys=f"{keys} (with site.title)")


def unsubscribe(config: Config) -> Unsubscribe | None:
    return Unsubscribe.from_config(config.digest.unsubscribe_url,
                                   config.digest.unsubscribe_mailto,
                                   config.digest.list_id or config.domain,
                                   where=where(config))


@dataclass(frozen=True)
class Letter:
    """Everything a digest message is made of; see the module docstring."""

    config: Config
    period: Period
    subject: str
    text: str        # rendered; the unsubscribe URL is mail.UNSUBSCRIBE_LINK
    page: str
    unsubscribe: Unsubscribe | None

    @property
    def personal(self) -> bool:
        return bool(self.unsubscribe and self.unsubscribe.personal)

    def parts(self, box: Mailbox | None) -> tuple[str, str]:
        """The text and HTML parts for `box` (None: the list-wide ones)."""
        if self.unsubscribe is None:
            return self.text, self.page
        return self.unsubscribe.personalize(self.text, self.page, box)

    def archive(self) -> EmailMessage:
        """The published message: To is `digest.to` when that is one address (a list's
        own address, as every subscriber of the list sees it), else undisclosed; never
        a `--to` address, never a personal link."""
        listed = self.config.digest.to
        boxes = parse_recipients(listed, where=where(self.config),
                                 what="key 'digest.to'") if len(listed) == 1 else []
        return self.message(boxes if len(boxes) == 1 else (), None)

    def message(self, recipients: Sequence[Mailbox], box: Mailbox | None) -> EmailMessage:
        """multipart/alternative (text, then HTML), UTF-8, deterministic headers.

        `To` names the recipient only when there is exactly one (and it can be written
        in an ASCII header); otherwise `undisclosed-recipients:;`, so subscribers never
        see each other's addresses.
        """
        config = self.config
        to: Field | tuple[str, Sequence[Mailbox], str]
        if len(recipients) == 1 and not recipients[0].needs_smtputf8:
            to = ("To", recipients, "recipient")
        else:
            to = Field("To", UNDISCLOSED)
        fields: list[Field | tuple[str, Sequence[Mailbox], str]] = [
            ("From", [sender(config)], "key 'digest.from'"), to,
            Field("Subject", self.subject, "key 'digest.subject' (with site.title)"),
            Field("Date", format_datetime(self.period.end)),
            Field("Message-ID", message_id(config, self.period))]
        if self.unsubscribe is not None:
            fields += self.unsubscribe.fields(box if self.personal else None)
        msg = new_message(fields, where=where(config))
        text, page = self.parts(box if self.personal else None)
        msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(page, subtype="html", charset="utf-8", cte="quoted-printable")
        for part in msg.iter_parts():
            del part["MIME-Version"]       # add_alternative copies it into the part
        # A random boundary would change the bytes on every build. "=_" never occurs in
        # quoted-printable text, so this boundary cannot collide with the parts.
        shared_text, shared_page = self.parts(None)
        token = hashlib.sha256((shared_text + shared_page).encode()).hexdigest()[:24]
        msg.set_boundary(f"=_digest_{token}")
        return msg


def html_wire_size(page: str, unsub: Unsubscribe | None) -> int:
    """Bytes of the HTML part as it will be sent (quoted-printable, CRLF lines), with the
    longest unsubscribe link any recipient can get in place of the placeholder."""
    if unsub is not None:
        page = page.replace(UNSUBSCRIBE_LINK, html.escape(unsub.longest_url(), quote=True))
    return _wire_size(page)
