"""Every header of an outgoing message is built here, and checked after it is written.

Three rules, each closing a class of bugs rather than one case:

1. **Values are checked as the mail reader will see them.** The `email` package decodes
   RFC 2047 encoded words in every value it is given, so `=?utf-8?q?Hello=0D=0ABcc:…?=`
   in a config key is a line break once decoded. `check_text` decodes first and refuses
   any control character or line break, naming the config key(s) the value came from.
2. **Folding keeps every space.** Each header is folded by the `email` package's SMTP
   policy and read back; the policy's folder (CPython 3.11) sometimes drops or adds a
   space around encoded words (`komunity … kůň kůň` came back as `kůňkůň`, a display
   name as `přát el`), and then the package's legacy `email.header.Header` encoder is
   used instead, which keeps every space inside the encoded words. The message keeps
   that folding (`refold_source="none"`).
3. **What was written is read back.** `new_message` parses the header block it wrote and
   compares every header name and decoded value with what was asked for: an extra header,
   a lost space or a changed address is refused, never sent.
"""

from __future__ import annotations

import email.policy
import string
from collections.abc import Sequence
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr

from ..errors import ConfigError
from .addresses import Mailbox, has_control

# SMTP's CRLF lines, and headers we folded ourselves written out as they are.
POLICY = email.policy.SMTP.clone(refold_source="none")
MAX_LINE = 78          # RFC 5322 §2.1.1: lines SHOULD be at most 78 characters


@dataclass(frozen=True)
class Field:
    """One header: its name, the text a reader must see, and where that text came from."""

    name: str
    value: str
    keys: str = ""       # config keys or options, for the error message


def check_text(value: str, *, where: str, keys: str) -> str:
    """`value` as a header will carry it (encoded words decoded), or ConfigError."""
    decoded = str(email.policy.default.header_factory("Subject", value))
    if has_control(value) or has_control(decoded):
        raise ConfigError(where, f"{keys}: {value!r} holds a line break or control character "
                                 "(after decoding RFC 2047 encoded words), which could add "
                                 "headers to the message")
    return decoded


def safe_format(template: str, *, where: str, key: str, **values: str) -> str:
    """`str.format` limited to the named placeholders: no `{x.y}`, `{x[0]}`, `{x!r}`."""
    allowed = ", ".join("{" + name + "}" for name in values)
    out = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(where, f"key '{key}': {exc} (placeholders: {allowed})") from None
    for literal, field, spec, conversion in parsed:
        out.append(literal)
        if field is None:
            continue
        if field not in values or spec or conversion:
            raise ConfigError(where, f"key '{key}': unknown placeholder {{{field}}} "
                                     f"(placeholders: {allowed})")
        out.append(values[field])
    return "".join(out)


def _fold_text(name: str, text: str) -> str:
    """An unstructured value as written after `Name: `, folded, spaces kept."""
    folded = _policy_fold(name, text)
    if folded is not None and _reads_back(name, folded, text):
        return folded
    # The policy's folder lost or added a space: the package's legacy encoder keeps them
    # inside the encoded words (whitespace between encoded words is not text, RFC 2047
    # §6.2, so each space must be inside one).
    return Header(text, "utf-8", header_name=name).encode(linesep="\r\n")


def _fold_mailboxes(name: str, mailboxes: Sequence[Mailbox]) -> str:
    addresses = [Address(b.display, addr_spec=b.addr_spec) for b in mailboxes]
    folded = _policy_fold(name, addresses)
    if folded is not None and _reads_back(name, folded, mailboxes):
        return folded
    parts = []
    for box in mailboxes:
        if not box.display:
            parts.append(box.addr_spec)
        elif box.display.isascii():
            parts.append(formataddr((box.display, box.addr_spec)))  # quotes when needed
        else:
            parts.append(f"{_phrase(box.display)} <{box.addr_spec}>")
    return ",\r\n ".join(parts)


def _phrase(display: str) -> str:
    """A non-ASCII display name: ASCII words as they are, each run of other words (with
    the spaces between them) as one encoded word, so that no two encoded words touch:
    between touching ones, decoders disagree about the space (RFC 2047 §6.2 drops it,
    Python's parser adds one)."""
    out: list[str] = []
    run: list[str] = []
    for word in display.split(" "):
        if word.isascii() and word and not any(c in word for c in '()<>[]:;@\\,."=?'):
            if run:
                out.append(Header(" ".join(run), "utf-8", maxlinelen=998).encode())
                run = []
            out.append(word)
        else:
            run.append(word)
    if run:
        out.append(Header(" ".join(run), "utf-8", maxlinelen=998).encode())
    lines = [out[0]]
    for token in out[1:]:  # fold between tokens only where a line would grow too long
        if len(lines[-1]) + 1 + len(token) > MAX_LINE - 10:
            lines.append(token)
        else:
            lines[-1] += " " + token
    return "\r\n ".join(lines)


def _policy_fold(name: str, value: object) -> str | None:
    try:
        line = email.policy.SMTP.header_factory(name, value).fold(policy=email.policy.SMTP)
    except (ValueError, TypeError, IndexError):
        return None
    return line.removeprefix(f"{name}: ").removesuffix("\r\n")


def _reads_back(name: str, folded: str, want: str | Sequence[Mailbox]) -> bool:
    """Whether a reader of `Name: folded` sees exactly `want`."""
    try:
        header = BytesParser(policy=POLICY).parsebytes(
            f"{name}: {folded}\r\n\r\n".encode("ascii"))[name]
    except (UnicodeEncodeError, ValueError):
        return False
    if header is None:
        return False
    if isinstance(want, str):
        return str(header) == want
    seen = [(a.display_name, a.addr_spec) for a in header.addresses]
    return not header.defects and seen == [(b.display, b.addr_spec) for b in want]


def new_message(fields: Sequence[Field | tuple[str, Sequence[Mailbox], str]], *,
                where: str) -> EmailMessage:
    """A message with exactly these headers, in this order, and no body yet.

    Text fields are `Field`s; address fields are `(name, mailboxes, keys)`. Raises
    ConfigError naming the keys when a value cannot be carried as asked.
    """
    lines = []
    expected: list[tuple[str, str, str, tuple[Mailbox, ...] | None]] = []
    for item in fields:
        if isinstance(item, Field):
            name, keys = item.name, item.keys
            check_text(item.value, where=where, keys=keys or f"header {name}")
            lines.append(f"{name}: {_fold_text(name, item.value)}")
            expected.append((name, item.value, keys, None))
        else:
            name, boxes, keys = item
            for box in boxes:  # a Mailbox may be made without parse_mailboxes
                check_text(box.display, where=where, keys=keys or f"header {name}")
                if has_control(box.addr_spec) or " " in box.addr_spec:
                    raise ConfigError(where, f"{keys or name}: {box.addr_spec!r} is not an "
                                             "address")
                if box.needs_smtputf8:  # headers are written in ASCII (no SMTPUTF8 needed)
                    raise ConfigError(where, f"{keys or name}: {box.addr_spec!r} has a "
                                             "non-ASCII local part, which an ASCII header "
                                             "cannot carry; use an ASCII address")
            lines.append(f"{name}: {_fold_mailboxes(name, boxes)}")
            expected.append((name, "", keys, tuple(boxes)))
    block = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    msg = BytesParser(policy=POLICY).parsebytes(block)
    got = msg.items()
    if [n.lower() for n, _ in got] != [n.lower() for n, *_ in expected]:
        raise ConfigError(where, f"the headers would be {[n for n, _ in got]} instead of "
                                 f"{[n for n, *_ in expected]}: refusing to send")
    for (name, value), (_, want, keys, boxes) in zip(got, expected, strict=True):
        if boxes is None:
            ok = str(value) == want
        else:
            seen = [(a.display_name, a.addr_spec) for a in value.addresses]
            ok = not value.defects and seen == [(b.display, b.addr_spec) for b in boxes]
        if not ok:
            raise ConfigError(where, f"{keys or name}: the {name} header would read "
                                     f"{str(value)!r}, not what was asked: refusing to send")
    return msg


def wire_size(html: str) -> int:
    """Bytes of an HTML part's body as sent: UTF-8, quoted-printable, CRLF lines.

    The size budget (Gmail clips past ~102 KB) is about these bytes, which are 7-8 %
    more than the UTF-8 file (line ends and `=XX` escapes).
    """
    part = EmailMessage(policy=POLICY)
    part.set_content(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return len(part.get_payload().replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode())
