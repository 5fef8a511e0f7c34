"""The period a digest covers: `--month` / `--since` / `--until` / `--last-days` → Period.

A Period is half-open, [start, end), in the site's time zone; its `name` is the digest's
file name and the sent-ledger's key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo

from ..config import Config
from ..dates import FIRST_DAY, LAST_DAY, MAX_YEAR, MIN_YEAR, RANGE, parse_zone
from ..names import name_key, standalone_slug

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_MONTH_NAME = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    """A half-open span [start, end) in the site's time zone, and the tags it is cut to."""

    start: datetime
    end: datetime
    tags: tuple[str, ...] = ()     # tag keys; empty: every post

    @property
    def is_month(self) -> bool:
        s, e = self.start, self.end
        return (s.day == 1 and e.day == 1 and s.time() == time() and e.time() == time()
                and (e.year * 12 + e.month) - (s.year * 12 + s.month) == 1)

    @property
    def name(self) -> str:
        """File name and ledger key: `2016-11`, `2016-11-03_2016-11-17`, `2016-11+release`."""
        if self.is_month:
            base = f"{self.start:%Y-%m}"
        else:
            base = f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"
        return "+".join((base, *_bounded(self.tags)))

    @property
    def label(self) -> str:
        """The period in words: "November 2016", "3–16 November 2016"."""
        first, last = self.start.date(), (self.end - timedelta(days=1)).date()
        if self.is_month:
            return f"{MONTHS[first.month - 1]} {first.year}"
        if first == last:
            return _day(last)
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{_day(last)}"
        if first.year == last.year:
            return f"{first.day} {MONTHS[first.month - 1]} – {_day(last)}"
        return f"{_day(first)} – {_day(last)}"


# A digest's file names are `<name>.html`, `.txt`, `.eml`: three 80-character tag slugs
# would pass the 255 bytes a file name may have. Longer tag lists keep their first tag
# (cut) and a hash of all of them; shorter ones, the names of today, are unchanged.
MAX_TAGS_CHARS = 100


def _bounded(tags: tuple[str, ...]) -> tuple[str, ...]:
    if len("+".join(tags)) <= MAX_TAGS_CHARS:
        return tags
    digest = hashlib.sha256("+".join(tags).encode()).hexdigest()[:12]
    return (tags[0][:60].rstrip("-"), f"and-{len(tags) - 1}-more-{digest}")


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def month_period(year: int, month: int, tz: tzinfo) -> Period:
    after = (year + month // 12, month % 12 + 1)
    return Period(_midnight(date(year, month, 1), tz), _midnight(date(*after, 1), tz))


def site_zone(config: Config) -> tzinfo:
    return parse_zone(config.timezone, config.zones)


def choose_period(config: Config, now: datetime, *, month: str | None = None,
                  since: str | None = None, until: str | None = None,
                  last_days: int | None = None, tags: Sequence[str] = ()) -> Period:
    """The command line's period options → Period; ValueError says what is wrong.

    Default: the previous calendar month. `until` is the first day *not* included and
    defaults to today, so every period but an explicit one covers whole past days.
    """
    try:
        period = _choose(config, now, month, since, until, last_days)
    except OverflowError:     # a last resort: the checks below should catch every case
        raise ValueError(f"the period is outside {RANGE}") from None
    # a name for the file, the same for every spelling of a tag, distinct for distinct tags
    keys = sorted({standalone_slug(config.tags.canonical.get(name_key(t), t)) for t in tags} - {""})
    if tags and not keys:
        raise ValueError(f"--tag {' '.join(tags)}: no usable tag name")
    return replace(period, tags=tuple(keys))


def _choose(config: Config, now: datetime, month: str | None, since: str | None,
            until: str | None, last_days: int | None) -> Period:
    if sum(x is not None for x in (month, since, last_days)) > 1:
        raise ValueError("give only one of --month, --since and --last-days")
    if until is not None and since is None:
        raise ValueError("--until needs --since")
    tz = site_zone(config)
    today = now.astimezone(tz).date()
    if month is not None:
        m = _MONTH_NAME.match(month)
        if not m or not 1 <= int(m[2]) <= 12:
            raise ValueError(f"--month must be YYYY-MM, not {month!r}")
        if not (MIN_YEAR, 1) <= (int(m[1]), int(m[2])) <= (MAX_YEAR, 11):
            # December 9999 would end in year 10000, which no datetime can hold
            raise ValueError(f"--month must be from {MIN_YEAR}-01 to {MAX_YEAR}-11, not {month!r}")
        return month_period(int(m[1]), int(m[2]), tz)
    if since is not None:
        first = _parse_day(since, "--since")
        end = _parse_day(until, "--until") if until is not None else today
        if end <= first:
            raise ValueError(f"the period {first} to {end} is empty (--until is the first "
                             "day not included)")
        return Period(_midnight(first, tz), _midnight(end, tz))
    if last_days is not None:
        most = (today - FIRST_DAY).days
        if not 1 <= last_days <= most:
            raise ValueError(f"--last-days must be from 1 to {most} (back to {FIRST_DAY}), "
                             f"not {last_days}")
        return Period(_midnight(today - timedelta(days=last_days), tz), _midnight(today, tz))
    previous = today.replace(day=1) - timedelta(days=1)
    if previous < FIRST_DAY:
        raise ValueError(f"the month before {today:%Y-%m} is before {FIRST_DAY}: give --month")
    return month_period(previous.year, previous.month, tz)


def _parse_day(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} must be a date YYYY-MM-DD, not {text!r}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{option} must be a day from {RANGE}, not {text!r}")
    return day


def parse_period_name(name: str, tz: tzinfo) -> Period | None:
    """A digest file's stem back to its Period (None for any other file name)."""
    base, *tags = name.split("+")
    m = _MONTH_NAME.match(base)
    try:
        if m:
            period = month_period(int(m[1]), int(m[2]), tz)
        else:
            r = _RANGE_NAME.match(base)
            if not r:
                return None
            period = Period(_midnight(date.fromisoformat(r[1]), tz),
                            _midnight(date.fromisoformat(r[2]), tz))
    except ValueError:
        return None
    period = replace(period, tags=tuple(tags))
    return period if period.name == name and period.start < period.end else None
