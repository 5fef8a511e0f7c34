"""Email addresses: parsed, checked and normalized once, before any header or envelope.

Every address feedletter uses (`digest.from`, `digest.to`, `--to`) goes through
`parse_mailboxes`: the `email` package's RFC 5322 address-list parser (so one string may
hold several addresses, `"a@example.org, b@example.org"`, each becoming its own
recipient), then `email-validator` for each address (syntax, IDNA). What comes out is a
`Mailbox`, whose parts are what the rest of the code may use:

- `addr_spec`: the envelope address (`MAIL FROM` / `RCPT TO`) and the address in headers:
  the local part as written, the domain in IDNA ASCII form (`zoe@xn--exmple-cua.org`), so
  an encoded word can never end up inside an address and SMTPUTF8 is needed only when the
  local part itself is not ASCII (`needs_smtputf8`);
- `key`: how two spellings of one mailbox are recognized, for deduplication and as the
  sent-ledger's key. The domain is case-insensitive (RFC 5321 §2.4). The local part is
  case-sensitive in the RFC's letter, but every real provider treats it as
  case-insensitive, and sending `ADA@example.org` and `ada@example.org` two copies is the
  bug users see, so feedletter treats it as case-insensitive too (`ada@example.org`).
  Display names and comments (`Ada <…>`, `… (Ada)`) never take part in the key.
"""

from __future__ import annotations

import email.policy
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from email.errors import NonASCIILocalPartDefect

from email_validator import EmailNotValidError, validate_email

from ..errors import ConfigError


@dataclass(frozen=True)
class Mailbox:
    """One checked address; see the module docstring for which field is for what."""

    local: str          # as written (NFC)
    domain: str         # IDNA ASCII, lower-case
    display: str = ""   # the display name, decoded; only ever shown in To/From

    @property
    def addr_spec(self) -> str:
        return f"{self.local}@{self.domain}"

    @property
    def key(self) -> str:
        return f"{self.local.lower()}@{self.domain}"

    @property
    def needs_smtputf8(self) -> bool:
        return not self.local.isascii()

    def __str__(self) -> str:
        return self.addr_spec


def has_control(text: str) -> bool:
    """Control characters (C0, C1, DEL) and Unicode line/paragraph separators."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def parse_mailboxes(value: str, *, where: str, what: str) -> list[Mailbox]:
    """Every address in `value` (an RFC 5322 address list), checked; ConfigError if any
    part is not an address. `where` and `what` name the file/option and the key."""
    def bad(reason: str) -> ConfigError:
        return ConfigError(where, f"{what}: {value!r} is not a valid address list ({reason})")

    if has_control(value):
        raise bad("it contains a line break or control character")
    try:
        header = email.policy.default.header_factory("To", value)
    except (ValueError, IndexError) as exc:  # the parser refuses CR/LF once decoded
        raise bad(str(exc)) from None
    # A non-ASCII local part is an address of RFC 6531 (sent with SMTPUTF8), which
    # email-validator checks below; every other defect is a malformed address list.
    defects = [d for d in header.defects if not isinstance(d, NonASCIILocalPartDefect)]
    if defects:
        raise bad(str(defects[0]))
    if any(group.display_name is not None for group in header.groups):
        raise bad("a group (name: ...;) is not a recipient")
    mailboxes = []
    for address in header.addresses:
        display = address.display_name or ""
        if has_control(display):  # after RFC 2047 decoding
            raise bad("a display name holds a line break or control character once decoded")
        try:
            checked = validate_email(address.addr_spec, check_deliverability=False,
                                     allow_smtputf8=True)
        except EmailNotValidError as exc:
            raise bad(f"{address.addr_spec!r}: {exc}") from None
        mailboxes.append(Mailbox(checked.local_part, checked.ascii_domain.lower(), display))
    if not mailboxes:
        raise bad("no address in it")
    return mailboxes


def parse_mailbox(value: str, *, where: str, what: str) -> Mailbox:
    """Exactly one address (a sender)."""
    found = parse_mailboxes(value, where=where, what=what)
    if len(found) != 1:
        raise ConfigError(where, f"{what} must be one address, not {len(found)}: {value!r}")
    return found[0]


def parse_recipients(values: Iterable[str], *, where: str, what: str) -> list[Mailbox]:
    """Each value may hold several addresses; one Mailbox per mailbox, first spelling
    first, duplicates (same `key`) dropped."""
    seen: dict[str, Mailbox] = {}
    for value in values:
        for mailbox in parse_mailboxes(value, where=where, what=what):
            seen.setdefault(mailbox.key, mailbox)
    return list(seen.values())


def normalize(address: str) -> str:
    """The `key` of one address given as text (for `verify_token` and list servers)."""
    return parse_mailbox(address, where="address", what="address").key
