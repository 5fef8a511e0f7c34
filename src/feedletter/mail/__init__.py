"""Mail: addresses, headers, the unsubscribe link, SMTP and the sent-ledger.

    addresses.py    parse, check, normalize and deduplicate addresses (Mailbox)
    headers.py      the one place message headers are built and checked
    unsubscribe.py  List-Unsubscribe, personal one-click links, verify_token
    smtp.py         one SMTP connection: TLS, AUTH, a transaction, failures classified
    ledger.py       who got which digest (reserved before DATA, confirmed after)
    send.py         send_message: the send lock, the ledger and the loop
"""

from __future__ import annotations

from .addresses import Mailbox, normalize, parse_mailbox, parse_recipients
from .headers import Field, check_text, new_message, safe_format, wire_size
from .ledger import LEDGER_NAME, Ledger, sent_count
from .send import LOCK_NAME, Delivery, SendInterrupted, report_line, send_message
from .smtp import PASSWORD_ENV, check_smtp
from .unsubscribe import LINK as UNSUBSCRIBE_LINK
from .unsubscribe import SECRET_ENV as UNSUBSCRIBE_SECRET_ENV
from .unsubscribe import Unsubscribe, token, verify_token

__all__ = [
    "LEDGER_NAME", "LOCK_NAME", "PASSWORD_ENV", "UNSUBSCRIBE_LINK", "UNSUBSCRIBE_SECRET_ENV",
    "Delivery", "Field", "Ledger", "Mailbox", "SendInterrupted", "Unsubscribe", "check_smtp",
    "check_text", "new_message", "normalize", "parse_mailbox", "parse_recipients",
    "report_line", "safe_format", "send_message", "sent_count", "token", "verify_token", "wire_size",
]
