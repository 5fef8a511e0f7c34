"""Dates as real posts write them → timezone-aware datetimes.

Accepted (see README "Dates"): `YYYY-MM-DD`; `YYYY-MM-DD[ T]HH:MM[:SS[.frac]] [ZONE]`;
ISO 8601 with offset or `Z`; Unix `date` output (`Tue Feb 20 08:54:34 IST 2018`).
ZONE is UTC/GMT/Z, a numeric offset, an IANA name or an abbreviation. An unknown zone
is an error, never silently UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .config import DEFAULT_ZONES

_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$")
_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[Tt ]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<zone>Z|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z][A-Za-z0-9_+/-]*)?)?$"
)
_MONTHS = {m: i + 1 for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split())}
_UNIX = re.compile(
    r"^(?:[A-Za-z]{3},?\s+)?(?P<mon>[A-Za-z]{3})\s+(?P<d>\d{1,2})\s+"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s+"
    r"(?:(?P<zone>[A-Za-z][A-Za-z0-9_+/-]*|[+-]\d{2}:?\d{2})\s+)?(?P<y>\d{4})$"
)
_FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")

# The years feedletter handles, for posts and for every date option alike: earlier ones
# are typos (and RSS cannot write years before 1000); later ones do not fit a datetime.
MIN_YEAR, MAX_YEAR = 1900, 9999
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
RANGE = f"{FIRST_DAY} to {LAST_DAY}"


def out_of_range(moment: datetime, tz: tzinfo) -> str | None:
    """Why `moment` is outside [1900-01-01, 9999-12-31] in UTC or in the zone `tz`, or None.

    Both matter: `9999-12-31T23:59:59Z` is already year 10000 in Prague, and a moment
    that cannot be converted would crash whatever compares it with a post's date.
    """
    for zone, label in ((UTC, "UTC"), (tz, "the site's time zone")):
        try:
            local = moment.astimezone(zone)
        except (OverflowError, ValueError):
            return f"is outside {RANGE} in {label}"
        if not FIRST_DAY <= local.date() <= LAST_DAY:
            return f"is {local.date().isoformat()} {local:%H:%M} in {label}, outside {RANGE}"
    return None


@lru_cache(maxsize=256)
def _fixed(sign: str, hours: str, minutes: str | None) -> timezone:
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta >= timedelta(hours=24):
        raise ValueError("offset out of range")
    return timezone(-delta if sign == "-" else delta)


@lru_cache(maxsize=512)
def _zone_cached(name: str, overrides: tuple[tuple[str, str], ...]) -> tzinfo:
    if name in ("Z", "UTC", "GMT", "UT"):
        return UTC
    m = _OFFSET.match(name)
    if m:
        return _fixed(*m.groups())
    table = dict(overrides)
    upper = name.upper()
    if upper in table:
        return _zone_cached(table[upper], ())
    if "/" in name or name in ("EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT"):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}") from None
    if upper in DEFAULT_ZONES:
        return _zone_cached(DEFAULT_ZONES[upper], ())
    raise ValueError(f"unknown time zone {name!r} (map it in the config's [zones] table)")


def parse_zone(name: str, zones: dict[str, str]) -> tzinfo:
    """A zone name, abbreviation or offset → tzinfo; `zones` is the config's [zones] table."""
    return _zone_cached(name.strip(), tuple(sorted(zones.items())))


def _combine(day: date, clock: time, zone: str | None, default_tz: str,
             zones: dict[str, str]) -> datetime:
    tz = parse_zone(zone if zone else default_tz, zones)
    naive = datetime.combine(day, clock)
    return naive.replace(tzinfo=tz)


def parse_date(value: object, default_tz: str, zones: dict[str, str]) -> datetime:
    """A front-matter date value → aware datetime; raises ValueError with the reason."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=parse_zone(default_tz, zones))
        return value
    if isinstance(value, date):
        return _combine(value, time(), None, default_tz, zones)
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = " ".join(value.split())
    m = _ISO.match(text)
    if m:
        day = date(int(m["y"]), int(m["mo"]), int(m["d"]))
        clock = time()
        if m["h"] is not None:
            micro = int((m["f"] or "0").ljust(6, "0")[:6])
            clock = time(int(m["h"]), int(m["mi"]), int(m["s"] or 0), micro)
        return _combine(day, clock, m["zone"], default_tz, zones)
    m = _UNIX.match(text)
    if m:
        month = _MONTHS.get(m["mon"].lower())
        if month is None:
            raise ValueError(f"unknown month {m['mon']!r} in date {value!r}")
        day = date(int(m["y"]), month, int(m["d"]))
        clock = time(int(m["h"]), int(m["mi"]), int(m["s"] or 0))
        return _combine(day, clock, m["zone"], default_tz, zones)
    raise ValueError(
        f"cannot read date {value!r} (use YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS] ZONE' or ISO 8601)")


def date_from_filename(name: str) -> date | None:
    """The `YYYY-MM-DD-` prefix of a post's file name, if it is a real day."""
    m = _FILENAME_DATE.match(name)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def rfc3339(moment: datetime) -> str:
    """RFC 3339 timestamp, seconds precision, the post's own offset (`Z` for UTC)."""
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
