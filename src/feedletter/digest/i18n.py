"""The digest's fixed words and dates in the site's language (Babel's CLDR data).

Why a table in Python and not gettext catalogs: the digest has a score of strings, five
languages and sites that override any of them in `[digest.strings]`. A `.po` file per
language would need a compile step (`pybabel compile`) in every install and a `.mo`
lookup that cannot merge a site's overrides; this table is read in one place, reviewed
in one diff, and a missing translation falls back to English key by key. What needs real
locale data, dates and plural rules, comes from Babel: month names and date patterns
(`babel.dates`), and the plural category of a number (`Locale.plural_form`: Czech has
one / few / many / other).

A string is either text or a mapping plural category → text; `{count}`, `{period}`,
`{name}`, `{title}` are filled in with `str.format`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval, format_skeleton

from .period import Period

Text = str | Mapping[str, str]

STRINGS: dict[str, dict[str, Text]] = {
    "en": {
        "view_in_browser": "View in a browser",
        "read_more": "Read more →",
        "other_section": "More news",
        "more_from": "More from {period}",
        "posts": {"one": "{count} post", "other": "{count} posts"},
        "follow": "Follow {name} in a feed reader:",
        "all_posts": "all posts",
        "digests_feed": "This newsletter is a feed too:",
        "digests": "digests",
        "why": "You receive this newsletter because you subscribed to it. To stop:",
        "unsubscribe": "unsubscribe",
        "or": "or",
        "write_to": "write to",
        "archive": "All issues",
        "plain_text": "plain text",
    },
    "de": {
        "view_in_browser": "Im Browser ansehen",
        "read_more": "Weiterlesen →",
        "other_section": "Weitere Neuigkeiten",
        "more_from": "Mehr aus {period}",
        "posts": {"one": "{count} Beitrag", "other": "{count} Beiträge"},
        "follow": "{name} im Feedreader folgen:",
        "all_posts": "alle Beiträge",
        "digests_feed": "Auch dieser Newsletter ist ein Feed:",
        "digests": "Ausgaben",
        "why": "Sie erhalten diesen Newsletter, weil Sie ihn abonniert haben. Zum Abbestellen:",
        "unsubscribe": "abbestellen",
        "or": "oder",
        "write_to": "schreiben Sie an",
        "archive": "Alle Ausgaben",
        "plain_text": "Nur Text",
    },
    "fr": {
        "view_in_browser": "Voir dans le navigateur",
        "read_more": "Lire la suite →",
        "other_section": "Autres nouvelles",
        "more_from": "Encore en {period}",
        "posts": {"one": "{count} article", "other": "{count} articles"},
        "follow": "Suivre {name} dans un lecteur de flux :",
        "all_posts": "tous les articles",
        "digests_feed": "Cette lettre est aussi un flux :",
        "digests": "numéros",
        "why": "Vous recevez cette lettre parce que vous y êtes abonné. Pour vous désabonner :",
        "unsubscribe": "se désabonner",
        "or": "ou",
        "write_to": "écrire à",
        "archive": "Tous les numéros",
        "plain_text": "texte brut",
    },
    "es": {
        "view_in_browser": "Ver en el navegador",
        "read_more": "Seguir leyendo →",
        "other_section": "Más noticias",
        "more_from": "Más de {period}",
        "posts": {"one": "{count} artículo", "other": "{count} artículos"},
        "follow": "Sigue {name} en un lector de feeds:",
        "all_posts": "todos los artículos",
        "digests_feed": "Este boletín también es un feed:",
        "digests": "boletines",
        "why": "Recibes este boletín porque te suscribiste. Para darte de baja:",
        "unsubscribe": "cancelar la suscripción",
        "or": "o",
        "write_to": "escribe a",
        "archive": "Todos los boletines",
        "plain_text": "texto sin formato",
    },
    "cs": {
        "view_in_browser": "Zobrazit v prohlížeči",
        "read_more": "Číst dál →",
        "other_section": "Další novinky",
        "more_from": "Další z období {period}",
        "posts": {"one": "{count} příspěvek", "few": "{count} příspěvky",
                  "many": "{count} příspěvku", "other": "{count} příspěvků"},
        "follow": "Sledujte {name} ve čtečce kanálů:",
        "all_posts": "všechny příspěvky",
        "digests_feed": "Tento zpravodaj je také kanál:",
        "digests": "vydání",
        "why": "Tento zpravodaj dostáváte, protože jste se přihlásili k odběru. Odhlášení:",
        "unsubscribe": "odhlásit odběr",
        "or": "nebo",
        "write_to": "napište na",
        "archive": "Všechna vydání",
        "plain_text": "prostý text",
    },
}
KEYS = frozenset(STRINGS["en"])


@lru_cache(maxsize=32)
def locale_of(language: str) -> Locale:
    """`de`, `de-AT`, `pt_BR` → a Babel Locale; an unknown tag is a ValueError."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown language {language!r} ({exc})") from None


@dataclass(frozen=True)
class Words:
    """One language's strings and dates, with a site's overrides on top."""

    language: str
    overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def locale(self) -> Locale:
        return locale_of(self.language)

    def _table(self) -> dict[str, Text]:
        base = dict(STRINGS["en"])
        loc = self.locale
        base.update(STRINGS.get(loc.language, {}))
        base.update(STRINGS.get(str(loc), {}))
        return base

    def __call__(self, key: str, count: int | None = None, **values: object) -> str:
        """The string `key`, plural-aware when `count` is given, placeholders filled."""
        text: Text = self.overrides.get(key) or self._table()[key]
        if isinstance(text, Mapping):
            form = self.locale.plural_form(count if count is not None else 1)
            text = text.get(form) or text["other"]
        if count is not None:
            values["count"] = count
        return text.format(**values) if values else text

    def day(self, moment: date | datetime) -> str:
        """A post's date: `November 14, 2016`, `14. listopadu 2016`."""
        day = moment.date() if isinstance(moment, datetime) else moment
        return format_date(day, "long", locale=self.locale)

    def period(self, period: Period) -> str:
        """The period in words: `November 2016`, `listopad 2016`, `Nov 3 – 16, 2016`."""
        first, last = period.start.date(), (period.end - timedelta(days=1)).date()
        if period.is_month:
            return format_skeleton("yMMMM", first, locale=self.locale)
        if first == last:
            return self.day(first)
        return format_interval(first, last, "yMMMMd", locale=self.locale)
