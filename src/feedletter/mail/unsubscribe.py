"""List-Unsubscribe: the header and the footer link, list-wide or personal (RFC 8058).

`digest.unsubscribe_url` may hold `{email}` and `{token}`. Each recipient's copy then
carries their own URL, so a one-click POST (RFC 8058 §3.1) says who leaves:

    token = HMAC-SHA256(key = FEEDLETTER_UNSUBSCRIBE_SECRET (UTF-8),
                        msg = list_id + "\\n" + normalized address (UTF-8)), in hex

`{email}` is the normalized address (`addresses.Mailbox.key`: lower-cased, IDNA domain),
percent-encoded. A list server checks a request with `verify_token` (or the same four
lines in its own language) and never needs a table of tokens.

The digest's templates receive `LINK`, a fixed placeholder URL, wherever the unsubscribe
URL goes; `personalize` swaps it for the recipient's URL in the HTML and text parts, and
for the list-wide URL in the published archive. The list-wide URL is the configured one
with every query parameter holding a placeholder removed and any other placeholder
emptied: the archive never identifies anybody.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ..errors import ConfigError
from .addresses import Mailbox, normalize, parse_mailbox
from .headers import Field, safe_format

SECRET_ENV = "FEEDLETTER_UNSUBSCRIBE_SECRET"
MIN_SECRET = 16
LINK = "https://unsubscribe.feedletter.invalid/personal-link"
PLACEHOLDERS = ("email", "token")
MAX_URL = 900   # a header line must stay under 998 characters
# RFC 3986 characters, without ',' (it separates the URIs of the header) and without
# anything that could close the <...> around a URI.
_URI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+;=%]+")


def token(address_key: str, list_id: str, secret: str) -> str:
    """The token of one normalized address on one list."""
    message = f"{list_id}\n{address_key}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_token(address: str, list_id: str, token_: str, secret: str) -> bool:
    """Whether `token_` was made by feedletter for `address` on `list_id` with `secret`.

    `address` may be spelled any way (`ADA@Example.org`): it is normalized first, as
    the token was. For a list server handling `POST <personal URL>`: read `email` and
    `token` from the URL, call this, and unsubscribe the address if it returns True.
    """
    try:
        key = normalize(address)
    except ConfigError:
        return False
    return hmac.compare_digest(token(key, list_id, secret), token_)


def _check_uri(uri: str, *, where: str, key: str) -> str:
    if len(uri) > MAX_URL or not _URI.fullmatch(uri):
        raise ConfigError(where, f"key '{key}': {uri!r} is not one absolute URI (characters "
                                 "such as spaces, commas, quotes and <> must be "
                                 f"percent-encoded; at most {MAX_URL} characters)")
    return uri


@dataclass(frozen=True)
class Unsubscribe:
    """The configured unsubscribe URL and address, checked."""

    url: str | None          # may hold {email} / {token}
    mailto: str | None       # a checked mailto: URI
    list_id: str
    secret: str | None = None
    where: str = ""

    @property
    def personal(self) -> bool:
        return bool(self.url) and any("{" + p + "}" in self.url for p in PLACEHOLDERS)

    @property
    def needs_secret(self) -> bool:
        return bool(self.url) and "{token}" in self.url

    @classmethod
    def from_config(cls, url: str | None, mailto: str | None, list_id: str, *, where: str,
                    environ: Mapping[str, str] | None = None) -> Unsubscribe | None:
        if not url and not mailto:
            return None
        secret = (os.environ if environ is None else environ).get(SECRET_ENV) or None
        made = cls(url or None, _mailto(mailto, where) if mailto else None, list_id, secret,
                   where)
        if url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(where, f"key 'digest.unsubscribe_url' must be an absolute "
                                         f"http(s) URL, not {url!r}")
            if parts.username is not None or parts.password is not None:
                raise ConfigError(where, "key 'digest.unsubscribe_url' must not hold a user "
                                         "name or password")
            # Try it with the longest values it can get, and with none.
            _check_uri(made.longest_url(), where=where, key="digest.unsubscribe_url")
            _check_uri(made.list_url() or "", where=where, key="digest.unsubscribe_url")
        return made

    def check_secret(self) -> None:
        """ConfigError unless a {token} URL has its secret (called before a send)."""
        if self.needs_secret and not self.secret:
            raise ConfigError(self.where, f"key 'digest.unsubscribe_url' uses {{token}}: set "
                                          f"the environment variable {SECRET_ENV}")
        if self.needs_secret and len(self.secret or "") < MIN_SECRET:
            raise ConfigError(self.where, f"{SECRET_ENV} must be at least {MIN_SECRET} "
                                          "characters long")

    def _fill(self, box: Mailbox, tok: str) -> str:
        return safe_format(self.url or "", where=self.where, key="digest.unsubscribe_url",
                           email=quote(box.key, safe="@"), token=tok)

    def longest_url(self) -> str:
        """The URL of the longest address there can be (for size budgets and checks)."""
        if not self.personal:
            return self.list_url() or ""
        return self._fill(Mailbox("x" * 64, "x" * 63 + "." + "x" * 63 + ".org"), "f" * 64)

    def list_url(self) -> str | None:
        """The URL with nothing personal in it (the archive, the feeds)."""
        if not self.url:
            return None
        base, sep, rest = self.url.partition("?")
        query, hash_, fragment = rest.partition("#")
        kept = [p for p in query.split("&") if p and not any("{" + n + "}" in p
                                                             for n in PLACEHOLDERS)]
        url = base + (sep if kept else "") + "&".join(kept) + hash_ + fragment
        return safe_format(url, where=self.where, key="digest.unsubscribe_url",
                           email="", token="")

    def url_for(self, box: Mailbox | None) -> str | None:
        """`box`'s own URL, or the list-wide one for None."""
        if not self.url or box is None or not self.personal:
            return self.list_url()
        self.check_secret()
        return self._fill(box, token(box.key, self.list_id, self.secret or ""))

    def fields(self, box: Mailbox | None) -> list[Field]:
        """List-Unsubscribe (and -Post for an HTTPS URL: RFC 8058 needs HTTPS)."""
        url = self.url_for(box)
        uris = [u for u in (url, self.mailto) if u]
        out = [Field("List-Unsubscribe", ", ".join(f"<{u}>" for u in uris),
                     "digest.unsubscribe_url / digest.unsubscribe_mailto")]
        if url and url.startswith("https:"):
            out.append(Field("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        return out

    def personalize(self, text: str, page: str, box: Mailbox | None) -> tuple[str, str]:
        """The text and HTML parts with `LINK` replaced by `box`'s URL (list-wide: None)."""
        url = self.url_for(box) or ""
        return text.replace(LINK, url), page.replace(LINK, html.escape(url, quote=True))


def _mailto(value: str, where: str) -> str:
    key = "digest.unsubscribe_mailto"
    address, _, query = value.removeprefix("mailto:").partition("?")
    box = parse_mailbox(address, where=where, what=f"key '{key}'")
    uri = f"mailto:{quote(box.local, safe='')}@{box.domain}" + (f"?{query}" if query else "")
    return _check_uri(uri, where=where, key=key)
