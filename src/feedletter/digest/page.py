"""The HTML and text parts from the templates: context, rendering, CSS inlining."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import css_inline

from ..config import Config
from ..errors import ConfigError
from ..posts import Post, tag_key
from ..render import markdown_to_html
from ..site import Site
from ..templates import environment
from .files import DIGESTS_DIR, FEED_NAME
from .fragments import email_fragment
from .model import FeedLink, SectionView
from .period import Period
from .text import text_with_links, wrap


def _mailto(address: str | None) -> str | None:
    if not address:
        return None
    return address if address.lower().startswith("mailto:") else f"mailto:{address}"


def _check_config(config: Config) -> None:
    where = str(config.path or "<defaults>")
    url = config.digest.unsubscribe_url
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(where, f"key 'digest.unsubscribe_url' must be an http(s) URL, "
                                 f"not {url!r}")
    mailto = config.digest.unsubscribe_mailto
    if mailto and "@" not in mailto:
        raise ConfigError(where, f"key 'digest.unsubscribe_mailto' must be an email "
                                 f"address, not {mailto!r}")
    try:
        config.digest.subject.format(site_title="", period="")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(where, f"key 'digest.subject': unknown placeholder {exc} (use "
                                 "{site_title} and {period})") from None


def _context(config: Config, site: Site, period: Period, subject: str, intro: str | None,
             posts: Sequence[Post]) -> dict:
    names = {g.slug: g.name for g in site.tags}
    mailto = _mailto(config.digest.unsubscribe_mailto)
    present = sorted({tag_key(t) for p in posts for t in p.tags} & names.keys(),
                     key=lambda k: (names[k].lower(), k))
    intro_html = email_fragment(markdown_to_html(intro, config.site_url + "/"),
                                config.site_url + "/") if intro and intro.strip() else ""
    return {
        "config": config,
        "lang": config.language,
        "site_title": config.title,
        "site_url": config.site_url + "/",
        "subject": subject,
        "period": period,
        "intro_html": intro_html,
        "intro_text": text_with_links(intro_html) if intro_html else "",
        "view_url": f"{config.feeds_url}{DIGESTS_DIR}/{period.name}.html",
        "site_feed": FeedLink(config.title, config.feeds_url + "all.atom.xml"),
        "tag_feeds": [FeedLink(names[k], f"{config.feeds_url}tags/{k}.atom.xml")
                      for k in present],
        "digests_feed": config.feeds_url + FEED_NAME,
        "unsubscribe_url": config.digest.unsubscribe_url,
        "unsubscribe_mailto": mailto,
        "unsubscribe_address": mailto[len("mailto:"):].split("?")[0] if mailto else None,
        "count": len(posts),
        "wrap": wrap,
    }


def _inline(document: str) -> str:
    # keep_at_rules: the @media rules (phone widths, dark mode) cannot be inlined and
    # stay in a <style> block; everything else moves into style attributes.
    page = css_inline.inline(document, keep_at_rules=True, load_remote_stylesheets=False)
    # css-inline puts the kept <style> first; the charset must come first (HTML5 §4.2.5.4:
    # within the first 1024 bytes).
    charset = '<meta charset="utf-8">'
    if charset in page:
        page = page.replace(charset, "", 1).replace("<head>", "<head>" + charset, 1)
    return page.rstrip("\n") + "\n"


def render_html(context: dict, sections: list[SectionView]) -> str:
    template = environment(context["config"]).get_template("digest.html.j2")
    return _inline(template.render(context, sections=sections))


def render_text(context: dict, sections: list[SectionView]) -> str:
    template = environment(context["config"]).get_template("digest.txt.j2")
    text = template.render(context, sections=sections)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
