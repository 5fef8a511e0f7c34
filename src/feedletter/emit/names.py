"""People's names joined the way the site's language joins a list ("Ana Alves and Jo Marks")."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=16)
def _locale(language: str):
    from babel import Locale, UnknownLocaleError  # late: only feeds with co-authored posts

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def join_names(names: Sequence[str], language: str) -> str:
    """One string naming everybody: RSS readers keep only one `dc:creator` (newsboat the
    last, rss-parser the first, feedparser the last), so co-authors must share one."""
    if len(names) == 1:
        return names[0]
    from babel.lists import format_list

    return format_list(list(names), style="standard", locale=_locale(language))
