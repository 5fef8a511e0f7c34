"""The digest as a MIME message, with headers that depend only on the site and period."""

from __future__ import annotations

import email.policy
import hashlib
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ..config import Config
from ..errors import ConfigError
from .page import _mailto
from .period import Period


def message_id(config: Config, period: Period) -> str:
    """The same site and period always give the same id (the ledger relies on it)."""
    token = hashlib.sha256(f"{config.site_url}\n{period.name}".encode()).hexdigest()[:12]
    return f"<digest-{period.name}.{token}@{config.domain}>"


def sender(config: Config) -> str:
    """The From address: `digest.from`, else a no-reply address of the site's domain."""
    if config.digest.sender:
        return config.digest.sender
    return str(Address(config.title, "noreply", config.domain))


def make_message(config: Config, period: Period, subject: str, text: str, page: str,
                 recipients: Sequence[str]) -> EmailMessage:
    """multipart/alternative (text, then HTML), UTF-8, with deterministic headers.

    Date is the end of the period: when the digest became complete, and the same on every
    rebuild, so the bytes (and a resend after a crash) never change. Several recipients
    get `To: undisclosed-recipients:;` so subscribers never see each other's addresses.
    """
    where = str(config.path or "<defaults>")
    msg = EmailMessage(policy=email.policy.SMTP)
    unsubscribe = [u for u in (config.digest.unsubscribe_url,
                               _mailto(config.digest.unsubscribe_mailto)) if u]
    try:
        msg["From"] = sender(config)
        msg["To"] = recipients[0] if len(recipients) == 1 else "undisclosed-recipients:;"
        msg["Subject"] = subject
        msg["Date"] = format_datetime(period.end)
        msg["Message-ID"] = message_id(config, period)
        if unsubscribe:
            msg["List-Unsubscribe"] = ", ".join(f"<{u}>" for u in unsubscribe)
            if (config.digest.unsubscribe_url or "").startswith("https:"):
                # RFC 8058: one-click unsubscription needs an HTTPS URI to POST to.
                msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    except ValueError as exc:  # a line break in site.title, digest.subject or an address
        raise ConfigError(where, f"cannot write the message headers: {exc}") from None
    for header in ("From", "To"):
        if msg[header].defects or not all("@" in a.addr_spec for a in msg[header].addresses):
            what = "key 'digest.from'" if header == "From" else "recipient"
            raise ConfigError(where, f"{what} is not an email address: {str(msg[header])!r}")
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(page, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():
        del part["MIME-Version"]       # add_alternative copies it into the part
    # A random boundary would change the bytes on every build. "=_" never occurs in
    # quoted-printable text, so this boundary cannot collide with the parts.
    token = hashlib.sha256((text + page).encode()).hexdigest()[:24]
    msg.set_boundary(f"=_digest_{token}")
    return msg
