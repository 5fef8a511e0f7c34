"""digests/index.html: the web page listing every published digest, newest first.

Built from `files.published`, the reader behind the digests feed, so the page and the
feed always list the same issues. A web page, not an email: no inlined styles needed.
Links are relative (`2016-11.html`, `../digests.atom.xml`): the page works wherever the
output folder is served, and in a file browser.
"""

from __future__ import annotations

from urllib.parse import quote

from ..config import Config
from ..templates import environment
from .files import FEED_NAME, Published
from .page import language, newsletter_name, words_of


def archive_page(config: Config, found: list[Published]) -> bytes:
    """The page's bytes: only the files' contents and the config go in (no build time),
    so the same digests give the same bytes."""
    words = words_of(config)
    name = newsletter_name(config)
    issues = []
    for entry in found:
        period = words.period(entry.period)
        if entry.period.tags:       # a digest of some tags only: say which
            period += f" ({', '.join(entry.period.tags)})"
        issues.append({"title": entry.title, "period": period,
                       "html": f"{quote(entry.period.name, safe='+')}.html",
                       "text": f"{quote(entry.period.name, safe='+')}.txt" if entry.text else None})
    template = environment(config).get_template("digests_index.html.j2")
    text = template.render(lang=language(config), title=f"{name} — {words('archive')}", name=name,
                           t=words, issues=issues, feed=f"../{FEED_NAME}",
                           site_url=config.site_url, site_title=config.title)
    return text.encode("utf-8")
