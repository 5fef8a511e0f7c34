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

import email.policy
import hashlib
import html
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import css_inline
from lxml import html as lxml_html

from .config import Config
from .dates import parse_zone
from .emit import new_generator, set_links
from .errors import ConfigError, FeedletterError
from .output import file_lock, write_atomic
from .posts import Post, tag_key
from .render import Rendered, html_to_text, markdown_to_html, render_post, sanitize
from .site import Site, posts_between
from .templates import environment

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
TEXT_WIDTH = 76             # plain-text part: wrapped at 76, inside the 72-78 columns asked
SHORT_SUMMARY = 240         # characters of a summary once summaries must be shortened
FEED_NAME = "digests.atom.xml"
DIGESTS_DIR = "digests"
_MONTH_NAME = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")
_ANCHOR = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)
_BLOCK_END = re.compile(r"</(?:p|ul|ol|h[1-6]|pre|blockquote|table)>", re.I)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.I | re.S)
_LIST_ITEM = re.compile(r"<li\b[^>]*>", re.I)
_PARAGRAPH = "\ue000"        # private-use character: a paragraph break while converting
# Mail clients play no media: a player becomes a link to what it plays (as render.py does
# for iframes); <picture> keeps its <img>.
_PLAYERS = ("video", "audio")


# ---------------------------------------------------------------------------- periods

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
        return "+".join((base, *self.tags))

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
        period = month_period(int(m[1]), int(m[2]), tz)
    elif since is not None:
        first = _parse_day(since, "--since")
        end = _parse_day(until, "--until") if until is not None else today
        if end <= first:
            raise ValueError(f"the period {first} to {end} is empty (--until is the first "
                             "day not included)")
        period = Period(_midnight(first, tz), _midnight(end, tz))
    elif last_days is not None:
        if last_days < 1:
            raise ValueError("--last-days must be at least 1")
        period = Period(_midnight(today - timedelta(days=last_days), tz), _midnight(today, tz))
    else:
        previous = today.replace(day=1) - timedelta(days=1)
        period = month_period(previous.year, previous.month, tz)
    keys = sorted({tag_key(t) for t in tags} - {""})
    if tags and not keys:
        raise ValueError(f"--tag {' '.join(tags)}: no usable tag name")
    return replace(period, tags=tuple(keys))


def _parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} must be a date YYYY-MM-DD, not {text!r}") from None


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


# ---------------------------------------------------------------------------- content

@dataclass(frozen=True)
class Item:
    """One post as the digest shows it; `mode` is full, short (summary cut) or link."""

    title: str
    link: str
    authors: str
    date: str
    summary_html: str
    summary_text: str
    mode: str = "full"


@dataclass(frozen=True)
class SectionView:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class FeedLink:
    name: str
    url: str


@dataclass
class Digest:
    """A built digest: its files' bytes and the message that carries them."""

    config: Config
    period: Period
    posts: list[Post]
    sections: list[SectionView]
    subject: str
    html: str
    text: str
    message: EmailMessage
    layout: str                       # which size stage fitted, for the CLI's report
    recipients: tuple[str, ...] = ()

    @property
    def files(self) -> dict[str, bytes]:
        name = self.period.name
        return {f"{name}.html": self.html.encode("utf-8"),
                f"{name}.txt": self.text.encode("utf-8"),
                f"{name}.eml": self.message.as_bytes()}

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


def select_posts(site: Site, period: Period) -> list[Post]:
    """Published posts of the period (and of one of its tags, if any), oldest first."""
    posts = posts_between(site, period.start, period.end)
    if period.tags:
        wanted = set(period.tags)
        posts = [p for p in posts if wanted & {tag_key(t) for t in p.tags}]
    return posts


def group_sections(posts: Sequence[Post], config: Config) -> list[tuple[str, list[Post]]]:
    """Posts → (section title, posts) in the config's order; each post once, oldest first.

    A post goes into the first section one of its tags matches; the others go last,
    under `digest.other_section`. Empty sections are left out.
    """
    sections = config.digest.sections
    keys = [{tag_key(t) for t in s.tags} for s in sections]
    buckets: list[list[Post]] = [[] for _ in range(len(sections) + 1)]
    for post in posts:
        tags = {tag_key(t) for t in post.tags}
        index = next((i for i, k in enumerate(keys) if k & tags), len(sections))
        buckets[index].append(post)
    titles = [s.title for s in sections] + [config.digest.other_section]
    return [(title, bucket) for title, bucket in zip(titles, buckets, strict=True) if bucket]


def email_fragment(fragment: str, base: str) -> str:
    """Sanitized HTML → HTML for a mail client: `alt` on every image, no media players."""
    if not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for el in list(root.iter(*_PLAYERS)):
        src = el.get("src") or next((s.get("src") for s in el.iter("source") if s.get("src")),
                                    None)
        link = lxml_html.Element("a", href=src) if src else lxml_html.Element("span")
        link.text = src or ""
        link.tail = el.tail
        el.getparent().replace(el, link)
    # drop_tag, not drop_tree: libxml2 does not know <source> is empty and nests what
    # follows it (the <img> of a <picture>) inside it.
    for el in list(root.iter("source", "track", "picture")):
        el.drop_tag()
    for img in root.iter("img"):
        if img.get("alt") is None:
            img.set("alt", "")
    inner = (root.text and html.escape(root.text, quote=False) or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root)
    # Sanitize again: what lxml serialized is what the mail client will parse.
    return sanitize(inner, base)


def text_with_links(fragment: str) -> str:
    """HTML → plain text, each link's address written out after its text."""
    def spell(m: re.Match[str]) -> str:
        url, label = html.unescape(m[1]), m[2]
        shown = html.unescape(re.sub(r"<[^>]+>", "", label)).strip()
        if not shown or shown == url or shown == url.removeprefix("mailto:"):
            return html.escape(url)
        return f"{label} &lt;{html.escape(url)}&gt;"
    # Line breaks in HTML source are spaces (but in <pre>); <br> and blocks make lines.
    fragment = "".join(part if part[:4].lower() == "<pre" else re.sub(r"\s*\n\s*", " ", part)
                       for part in _PRE.split(fragment))
    fragment = _ANCHOR.sub(spell, fragment)
    fragment = _LIST_ITEM.sub(lambda m: m[0] + "- ", fragment)
    # html_to_text drops blank lines; a marker line keeps paragraphs apart.
    fragment = _BLOCK_END.sub(lambda m: f"{m[0]}\n{_PARAGRAPH}\n", fragment)
    text = html_to_text(fragment)
    return re.sub(rf"(?:\s*{_PARAGRAPH}\s*)+", "\n\n", text).strip()


def shorten(text: str, limit: int = SHORT_SUMMARY) -> str:
    """At most `limit` characters, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + " …"


def _item(post: Post, tz: tzinfo, render: Callable[[Post], Rendered]) -> Item:
    rendered = render(post)
    summary = email_fragment(rendered.summary_html, post.link)
    when = post.date.astimezone(tz).date()
    return Item(title=post.title, link=post.link,
                authors=", ".join(a.name for a in post.authors), date=_day(when),
                summary_html=summary, summary_text=text_with_links(summary))


def _shortened(item: Item) -> Item:
    text = shorten(html_to_text(item.summary_html))
    return replace(item, mode="short", summary_text=text,
                   summary_html=f"<p>{html.escape(text, quote=False)}</p>" if text else "")


def _layouts(sections: list[tuple[str, list[Item]]], max_items: int):
    """Ever smaller versions of the digest: full, summaries cut, then more and more
    items (beyond `max_items`, then half as many each time) as a plain linked list."""
    yield "full summaries", sections
    short = [(title, [_shortened(i) for i in items]) for title, items in sections]
    yield "summaries shortened", short
    total = sum(len(items) for _, items in sections)
    keep = max_items if max_items < total else total // 2
    while True:
        count = 0
        cut = []
        for title, items in short:
            row = []
            for item in items:
                count += 1
                row.append(item if count <= keep else replace(item, mode="link"))
            cut.append((title, row))
        yield f"{keep} items in full, {total - keep} as links", cut
        if keep == 0:
            return
        keep //= 2


# ---------------------------------------------------------------------------- rendering

def wrap(text: str, indent: str = "", first: str | None = None,
         width: int = TEXT_WIDTH) -> str:
    """Wrap each paragraph of `text`; URLs and other long words are never broken."""
    lines: list[str] = []
    lead = indent if first is None else first
    for para in text.split("\n"):
        if not para.strip():
            lines.append("")
            continue
        lines.extend(textwrap.wrap(para, width=width, initial_indent=lead,
                                   subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False))
        lead = indent
    return "\n".join(lines)


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


def _fit(context: dict, sections: list[tuple[str, list[Item]]], config: Config,
         what: str) -> tuple[str, list[SectionView], str]:
    """The first layout whose HTML fits in `digest.max_html_bytes`: name, sections, HTML."""
    limit = config.digest.max_html_bytes
    size = 0
    for layout, candidate in _layouts(sections, config.digest.max_items):
        views = [SectionView(title, tuple(items)) for title, items in candidate]
        page = render_html(context, views)
        size = len(page.encode("utf-8"))
        if size <= limit:
            return layout, views, page
    raise FeedletterError(
        f"the digest of {what} is {size:,} bytes of HTML even as a list of links, over "
        f"digest.max_html_bytes ({limit:,}); choose a shorter period or --tag")


def build_digest(site: Site, period: Period, *, intro: str | None = None,
                 recipients: Sequence[str] = (),
                 render: Callable[[Post], Rendered] | None = None) -> Digest | None:
    """The digest of `period`, or None when no published post falls in it.

    The HTML part must stay under `digest.max_html_bytes` (Gmail clips larger messages):
    the first of `_layouts` that fits is used; none fitting is an error, never a clip.
    """
    config = site.config
    _check_config(config)
    posts = select_posts(site, period)
    if not posts:
        return None
    tz = site_zone(config)
    subject = config.digest.subject.format(site_title=config.title, period=period.label)
    context = _context(config, site, period, subject, intro if intro is not None
                       else config.digest.intro, posts)
    if render is None:
        def render(post: Post) -> Rendered:
            return render_post(post.body, post.summary, post.link)
    sections = [(title, [_item(p, tz, render) for p in group])
                for title, group in group_sections(posts, config)]
    layout, views, page = _fit(context, sections, config, f"{period.label} ({len(posts)} posts)")
    text = render_text(context, views)
    to = tuple(recipients) or config.digest.to
    message = make_message(config, period, subject, text, page, to)
    return Digest(config, period, posts, views, subject, page, text, message, layout, to)


# ---------------------------------------------------------------------------- message

def message_id(config: Config, period: Period) -> str:
    """The same site and period always give the same id (the ledger relies on it)."""
    token = hashlib.sha256(f"{config.site_url}\n{period.name}".encode()).hexdigest()[:12]
    return f"<digest-{period.name}.{token}@{config.domain}>"


def sender(config: Config) -> str:
    """The From address: `digest.from`, else a no-reply address of the site's domain."""
    if config.digest.sender:
        return config.digest.sender
    return str(Address(config.title, "noreply", config.domain))


def make_message(config: Config, period: Period, subject: str, text: str, page: str,
                 recipients: Sequence[str]) -> EmailMessage:
    """multipart/alternative (text, then HTML), UTF-8, with deterministic headers.

    Date is the end of the period: when the digest became complete, and the same on every
    rebuild, so the bytes (and a resend after a crash) never change. Several recipients
    get `To: undisclosed-recipients:;` so subscribers never see each other's addresses.
    """
    where = str(config.path or "<defaults>")
    msg = EmailMessage(policy=email.policy.SMTP)
    unsubscribe = [u for u in (config.digest.unsubscribe_url,
                               _mailto(config.digest.unsubscribe_mailto)) if u]
    try:
        msg["From"] = sender(config)
        msg["To"] = recipients[0] if len(recipients) == 1 else "undisclosed-recipients:;"
        msg["Subject"] = subject
        msg["Date"] = format_datetime(period.end)
        msg["Message-ID"] = message_id(config, period)
        if unsubscribe:
            msg["List-Unsubscribe"] = ", ".join(f"<{u}>" for u in unsubscribe)
            if (config.digest.unsubscribe_url or "").startswith("https:"):
                # RFC 8058: one-click unsubscription needs an HTTPS URI to POST to.
                msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    except ValueError as exc:  # a line break in site.title, digest.subject or an address
        raise ConfigError(where, f"cannot write the message headers: {exc}") from None
    for header in ("From", "To"):
        if msg[header].defects or not all("@" in a.addr_spec for a in msg[header].addresses):
            what = "key 'digest.from'" if header == "From" else "recipient"
            raise ConfigError(where, f"{what} is not an email address: {str(msg[header])!r}")
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(page, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():
        del part["MIME-Version"]       # add_alternative copies it into the part
    # A random boundary would change the bytes on every build. "=_" never occurs in
    # quoted-printable text, so this boundary cannot collide with the parts.
    token = hashlib.sha256((text + page).encode()).hexdigest()[:24]
    msg.set_boundary(f"=_digest_{token}")
    return msg


# ---------------------------------------------------------------------------- files

@dataclass
class WriteResult:
    written: list[Path]
    unchanged: list[Path]
    feed: Path | None


def default_dir(config: Config) -> Path:
    return config.output_dir / DIGESTS_DIR


def write_digest(digest: Digest, out_dir: Path | None = None, *,
                 lock_wait: float | None = 600) -> WriteResult:
    """Write the three files atomically, then rebuild the digests feed.

    Not through `output.TreeWriter`: its manifest belongs to `feedletter build`, which
    would prune files it did not emit. The build lock is held so that a build cleaning
    its temporary files never meets a digest's half-written one.
    """
    config = digest.config
    out_dir = out_dir or default_dir(config)
    result = WriteResult([], [], None)
    with file_lock(config.state_dir / "build.lock", wait=lock_wait, what="build or digest"):
        for name, data in digest.files.items():
            path = out_dir / name
            (result.written if write_atomic(path, data) else result.unchanged).append(path)
        result.feed = write_digests_feed(config)
    return result


def digests_feed(config: Config, digests_dir: Path | None = None) -> bytes | None:
    """Atom feed of the digests published in `<output>/digests/`, newest first; None if
    there is none. Built from the files only: adding a month never changes another."""
    digests_dir = digests_dir or default_dir(config)
    tz = site_zone(config)
    found: list[tuple[Period, Path]] = []
    if digests_dir.is_dir():
        for path in digests_dir.glob("*.html"):
            period = parse_period_name(path.name.removesuffix(".html"), tz)
            if period is not None:
                found.append((period, path))
    if not found:
        return None
    # Newest first; of digests ending together, the whole site's month comes first.
    found.sort(key=lambda pair: (pair[0].end, not pair[0].tags, pair[0].is_month,
                                 pair[0].start, pair[0].name), reverse=True)
    found = found[: config.max_entries]

    fg = new_generator(config, f"{config.title} — digests",
                       f"The newsletter of {config.title}, one entry per digest")
    set_links(fg, config.site_url, config.feeds_url + FEED_NAME, "application/atom+xml")
    fg.updated(found[0][0].end)
    used: set[datetime] = set()
    for period, path in found:
        # Two entries must not share `updated` (W3C DuplicateUpdated): a digest ending
        # with another, listed after it, is dated a second earlier per such neighbour.
        stamp = period.end
        while stamp in used:
            stamp -= timedelta(seconds=1)
        used.add(stamp)
        title, body = _page_parts(path.read_text("utf-8"), period)
        fe = fg.add_entry(order="append")
        fe.id(f"tag:{config.domain},{period.start:%Y-%m-%d}:"
              f"{urlsplit(config.site_url).path}/{DIGESTS_DIR}/{period.name}")
        fe.title(title)
        fe.link(href=f"{config.feeds_url}{DIGESTS_DIR}/{period.name}.html", rel="alternate",
                type="text/html")
        fe.published(stamp)
        fe.updated(stamp)
        fe.content(body, type="html")
    return fg.atom_str(pretty=True, encoding="UTF-8")


def _page_parts(page: str, period: Period) -> tuple[str, str]:
    """A digest page's <title> and the inside of its <body>, without inlined styles."""
    root = lxml_html.document_fromstring(page)
    title = " ".join((root.findtext(".//title") or period.label).split())
    body = root.find("body")
    if body is None:
        return title, ""
    # Feed readers style entries themselves and flag style attributes as unsafe.
    for el in body.iter():
        el.attrib.pop("style", None)
    inner = (html.escape(body.text, quote=False) if body.text else "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in body)
    return title, inner.strip()


def write_digests_feed(config: Config) -> Path | None:
    data = digests_feed(config)
    if data is None:
        return None
    path = config.output_dir / FEED_NAME
    write_atomic(path, data)
    return path


# ---------------------------------------------------------------------------- sending

def send_digest(digest: Digest, *, force: bool = False,
                log: Callable[[str], None] = lambda s: None) -> list:
    """Send the digest's message once to each recipient (see `mail.send_message`)."""
    from .mail import send_message  # only a send needs smtplib, sqlite and the ledger

    config = digest.config
    if not digest.recipients:
        raise ConfigError(str(config.path or "<defaults>"),
                          "no recipients: give --to ADDR or set digest.to")
    if not config.digest.sender:
        raise ConfigError(str(config.path or "<defaults>"),
                          "key 'digest.from' is required to send the digest")
    return send_message(digest.message, digest.recipients, config.smtp,
                        state_dir=config.state_dir, period=digest.period.name, force=force,
                        log=log)
