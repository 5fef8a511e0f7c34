"""The newsletter: a period's posts → sections → email-safe HTML, plain text and .eml.

    choose_period   --month / --since / --until / --last-days / default → Period
    build_digest    site + period → Digest (None when the period has no post)
    write_digest    Digest → <period>.html/.txt/.eml, then the digests feed
    send_digest     Digest → mail.send_message (the ledger there sends it once)

Everything in a digest is derived from the posts, the config and the period, never from
the clock: the same inputs give the same bytes, the same Message-ID and the same Date
(the end of the period), so a rebuild or a resend after a crash is the same message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import ConfigError
from ..posts import Post
from ..render import Rendered, render_post
from ..site import Site
from .compose import dedupe, duplicate_warnings, group_sections, leave_out, make_item, select_posts
from .files import (
    DIGESTS_DIR,
    FEED_NAME,
    WriteResult,
    default_dir,
    digests_feed,
    write_digest,
    write_digests_feed,
)
from .fragments import email_fragment
from .i18n import Words
from .layouts import fit
from .message import Letter, html_wire_size, message_id, sender, subject, unsubscribe
from .model import Digest, FeedLink, Item, SectionView
from .page import _check_config, _context, newsletter_name, render_html, render_text, words_of
from .period import Period, choose_period, month_period, parse_period_name, site_zone
from .text import text_with_links, wrap

__all__ = [
    "DIGESTS_DIR", "FEED_NAME", "Digest", "FeedLink", "Item", "Period", "SectionView",
    "Words", "WriteResult", "build_digest", "choose_period", "dedupe", "default_dir",
    "digests_feed", "duplicate_warnings", "email_fragment", "group_sections", "leave_out",
    "Letter", "check_send", "message_id", "month_period", "parse_period_name", "render_html",
    "render_text", "select_posts", "send_digest", "sender", "site_zone", "text_with_links",
    "wrap", "write_digest", "write_digests_feed",
]


def build_digest(site: Site, period: Period, *, intro: str | None = None,
                 recipients: Sequence[str] = (), exclude: Sequence[str] = (),
                 render: Callable[[Post], Rendered] | None = None) -> Digest | None:
    """The digest of `period`, or None when no published post falls in it.

    Posts with `digest: false` or named by `exclude` are left out, and each post appears
    once (`compose.dedupe`); `Digest.warnings` says what was left out. The HTML part must
    stay under `digest.max_html_bytes` (Gmail clips larger messages): the first of
    `layouts.stages` that fits is used; none fitting is an error, never a clip.
    """
    config = site.config
    _check_config(config)
    tz = site_zone(config)
    words = words_of(config)
    posts, warnings = leave_out(select_posts(site, period), exclude)
    posts, duplicates = dedupe(posts, tz)
    warnings = [*(w for p in posts for w in p.warnings), *duplicates, *warnings]
    if not posts:
        return None
    subject_line = subject(config, site_title=config.title, period=words.period(period),
                           name=newsletter_name(config))
    unsub = unsubscribe(config)
    context = _context(config, site, period, subject_line, intro if intro is not None
                       else config.digest.intro, posts, words)
    if render is None:
        def render(post: Post) -> Rendered:
            return render_post(post.body, post.summary, post.link)
    budget = config.digest.summary_chars
    other = config.digest.other_section or words("other_section")
    sections = [SectionView(group.title,
                            tuple(make_item(p, tz, render, words, budget, config)
                                  for p in group.posts), group.layout)
                for group in group_sections(posts, config, other)]
    more = words("more_from", period=context["period_label"])
    layout, views, page = fit(context, sections, config, more,
                              f"{period.label} ({len(posts)} posts)",
                              size=lambda page: html_wire_size(page, unsub))
    letter = Letter(config, period, subject_line, render_text(context, views), page, unsub)
    to = tuple(recipients) or config.digest.to
    return Digest(config, period, posts, views, letter, layout, to, tuple(warnings),
                  html_wire_size(page, unsub))


def check_send(digest: Digest) -> None:
    """ConfigError for anything that would stop a send, found before anything is written."""
    from ..mail import check_smtp, parse_recipients

    config = digest.config
    place = str(config.path or "<defaults>")
    if not digest.recipients:
        raise ConfigError(place, "no recipients: give --to ADDR or set digest.to")
    if not config.digest.sender:
        raise ConfigError(place, "key 'digest.from' is required to send the digest")
    if digest.letter.unsubscribe is not None:
        digest.letter.unsubscribe.check_secret()
    parse_recipients(digest.recipients, where=place, what="recipient (--to or key 'digest.to')")
    check_smtp(config.smtp, place)


def send_digest(digest: Digest, *, force: bool = False,
                log: Callable[[str], None] = lambda s: None) -> list:
    """Send the digest once to each recipient (see `mail.send_message`): one copy per
    mailbox, each with its own unsubscribe link when `digest.unsubscribe_url` is
    personal; the published files are not touched."""
    from ..mail import parse_recipients, send_message  # only a send needs smtplib, sqlite

    check_send(digest)
    config = digest.config
    place = str(config.path or "<defaults>")
    letter = digest.letter
    boxes = parse_recipients(digest.recipients, where=place,
                             what="recipient (--to or key 'digest.to')")
    personal = (lambda box: letter.message(boxes, box)) if letter.personal else None
    return send_message(letter.message(boxes, None), boxes, config.smtp,
                        state_dir=config.state_dir, period=digest.period.name, force=force,
                        log=log, personal=personal, where=place)
