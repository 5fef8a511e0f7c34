"""The HTML and text parts from the templates: context, rendering, CSS inlining."""

from __future__ import annotations

import re
from collections.abc import Sequence

import css_inline

from ..config import Config
from ..errors import ConfigError
from ..mail import UNSUBSCRIBE_LINK
from ..names import name_key
from ..posts import Post
from ..render import markdown_to_html
from ..site import Site
from ..templates import environment
from .files import DIGESTS_DIR, FEED_NAME
from .fragments import email_fragment
from .i18n import KEYS, Words, locale_of
from .images import ItemImage, local_size
from .model import FeedLink, SectionView
from .period import Period
from .text import references, text_part, wrap

# What a preheader template may use (`digest.preheader`).
PREHEADER_FIELDS = ("name", "period", "titles", "count")


def _mailto(address: str | None) -> str | None:
    if not address:
        return None
    return address if address.lower().startswith("mailto:") else f"mailto:{address}"


def _check_config(config: Config) -> None:
    # digest.subject, digest.from and the unsubscribe keys are checked where the message
    # headers are built (message.subject, message.sender, mail.Unsubscribe).
    where = str(config.path or "<defaults>")
    try:
        (config.digest.preheader or "").format(**dict.fromkeys(PREHEADER_FIELDS, ""))
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(where, f"key 'digest.preheader': unknown placeholder {exc} (use "
                                 "{name}, {period}, {titles} and {count})") from None
    try:
        locale_of(language(config))
    except ValueError as exc:
        key = "digest.language" if config.digest.language else "site.language"
        raise ConfigError(where, f"key '{key}': {exc}") from None
    for key in config.digest.strings:
        if key not in KEYS:
            raise ConfigError(where, f"unknown key 'digest.strings.{key}' (known: "
                                     f"{', '.join(sorted(KEYS))})")


def language(config: Config) -> str:
    return config.digest.language or config.language


def words_of(config: Config) -> Words:
    return Words(language(config), config.digest.strings)


def newsletter_name(config: Config) -> str:
    return config.digest.name or config.title


def preheader(config: Config, words: Words, period: Period, titles: Sequence[str]) -> str:
    """The inbox preview line: `digest.preheader`, or the period and the first titles."""
    template = config.digest.preheader or "{period}: {titles}"
    shown = " · ".join(titles[:3]) + (" …" if len(titles) > 3 else "")
    text = template.format(name=newsletter_name(config), period=words.period(period),
                           titles=shown, count=words("posts", count=len(titles)))
    return " ".join(text.split())[:200]


def _markdown(text: str | None, config: Config) -> tuple[str, str]:
    """Markdown from the config or --intro → (email HTML, text with references)."""
    if not text or not text.strip():
        return "", ""
    base = config.site_url + "/"
    fragment = email_fragment(markdown_to_html(text, base), base)
    plain, refs = text_part(fragment)
    return fragment, (plain + "\n" + references(refs, "") if refs else plain)


def _masthead_image(config: Config, url: str | None, alt: str, *, width: int | None = None,
                    height: int | None = None) -> ItemImage | None:
    """The logo (`height` fixed) or header image (`width` fixed), with the other side
    scaled from the file when the site's folder holds it (Outlook sizes images by their
    attributes, not by CSS)."""
    if not url:
        return None
    size = local_size(url, config.site_url, (config.base_dir, config.base_dir / "static",
                                             config.posts_dir))
    if size is not None:
        w, h = size
        if height is not None:
            width = round(w * height / h)
        else:
            height = round(h * width / w) if width else None
    return ItemImage(url, alt, width or 0, height)


def _context(config: Config, site: Site, period: Period, subject: str, intro: str | None,
             posts: Sequence[Post], words: Words) -> dict:
    names = {g.slug: g.name for g in site.tags}
    slug_of = {name_key(name): slug for slug, name in names.items()}   # one per distinct name
    mailto = _mailto(config.digest.unsubscribe_mailto)
    present = sorted({slug_of[k] for p in posts for t in p.tags if (k := name_key(t)) in slug_of},
                     key=lambda k: (names[k].lower(), k))
    if config.digest.footer_tags == "none":
        present = []
    intro_html, intro_text = _markdown(intro, config)
    footer_html, footer_text = _markdown(config.digest.footer, config)
    name = newsletter_name(config)
    digest = config.digest
    return {
        "config": config,
        "t": words,
        "lang": language(config),
        "name": name,
        "site_title": config.title,
        "site_url": config.site_url + "/",
        "subject": subject,
        "period": period,
        "period_label": words.period(period),
        "preheader": preheader(config, words, period, [p.title for p in posts]),
        "logo": _masthead_image(config, digest.logo, digest.logo_alt or name, height=48),
        "header_image": _masthead_image(config, digest.header_image,
                                        digest.header_image_alt or "", width=600),
        "intro_html": intro_html,
        "intro_text": intro_text,
        "footer_html": footer_html,
        "footer_text": footer_text,
        "view_url": f"{config.feeds_url}{DIGESTS_DIR}/{period.name}.html",
        # where `build` writes them ([feeds.paths]); the Atom files, as before
        "site_feed": FeedLink(config.title,
                              config.feeds_url + config.feed_paths.path("site", "atom")),
        "tag_feeds": [FeedLink(names[k],
                               config.feeds_url + config.feed_paths.path("tags", "atom", k))
                      for k in present],
        "digests_feed": config.feeds_url + FEED_NAME,
        # A placeholder the mail side replaces: by each recipient's own link in what
        # they are sent, by the list-wide link in the published files.
        "unsubscribe_url": UNSUBSCRIBE_LINK if config.digest.unsubscribe_url else None,
        "unsubscribe_mailto": mailto,
        "unsubscribe_address": mailto[len("mailto:"):].split("?")[0] if mailto else None,
        "count": len(posts),
        "wrap": wrap,
        "references": references,
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
