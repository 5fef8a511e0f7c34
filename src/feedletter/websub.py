"""WebSub publishing: after a build changed feeds, tell the hub (`[feeds] websub_hub`).

W3C WebSub (https://www.w3.org/TR/websub/#publishing) leaves the publisher's notice to
the hub open; every public hub (Google's pubsubhubbub.appspot.com, Superfeedr,
websub.rocks) takes the PubSubHubbub 0.4 form: a POST of `hub.mode=publish` and
`hub.url=<the feed's self URL>`, answered with a 2xx. One POST per changed feed, a few
at a time; each with a timeout, retried with exponential backoff when the hub is
unreachable, slow or answers 5xx/429. A hub can never fail a build: what could not be
delivered comes back as warnings (and the build retries it next time).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import __version__

PARALLEL = 4          # pings in flight at once: a hub is one server, be polite to it


@dataclass(frozen=True)
class Outcome:
    url: str          # the feed
    ok: bool
    detail: str       # the hub's answer or why there was none
    tries: int


def _post(hub: str, url: str, timeout: float) -> tuple[bool, bool, str]:
    """(delivered, worth retrying, detail) of one POST."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
    request = urllib.request.Request(hub, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": f"feedletter/{__version__} (WebSub publisher)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - http(s) only (config)
            return True, False, f"{reply.status} {reply.reason}"
    except urllib.error.HTTPError as exc:
        retry = exc.code >= 500 or exc.code in (408, 429)
        return False, retry, f"{exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:     # refused, reset, DNS, timeout
        reason = getattr(exc, "reason", exc)
        return False, True, f"no answer ({reason})"


def publish(hub: str, url: str, *, timeout: float, retries: int, backoff: float,
            sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Notify the hub that the feed at `url` changed, retrying temporary failures."""
    tries = 0
    while True:
        tries += 1
        ok, retry, detail = _post(hub, url, timeout)
        if ok or not retry or tries > retries:
            return Outcome(url, ok, detail, tries)
        sleep(backoff * 2 ** (tries - 1))


def publish_all(hub: str, urls: Iterable[str], *, timeout: float, retries: int,
                backoff: float) -> list[Outcome]:
    """Every feed URL, a few at a time; results in the order given."""
    urls = list(urls)
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(urls))) as pool:
        return list(pool.map(lambda u: publish(hub, u, timeout=timeout, retries=retries,
                                               backoff=backoff), urls))
