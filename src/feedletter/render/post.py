"""A post's body and summary → `Rendered` HTML: the one pipeline every engine goes through.

    template pass   the generator's template language in the body (liquid.py for Jekyll
                    and Eleventy, shortcodes.py for Hugo, zola.py for Zola); none for
                    feedletter, Pelican and Middleman sites
    (after the engine: Zola's `@/` and Pelican's `{filename}` links, zola.py, pelican.py)
    engine          python_markdown.py or commonmark.py (`[site] markdown`)
    sanitize        sanitize.py (nh3), then every URL absolute (urls.py), bare URLs linked
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import commonmark, liquid, pelican, python_markdown, shortcodes, zola
from .context import Context, Ref, Report, Settings
from .sanitize import sanitize
from .urls import linkify

_FIRST_P = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SPLIT = "FEEDLETTER-EXCERPT-ENDS-HERE-5c1e0d"
# HTML a shortcode made stands in the Markdown as one word, until the engine is done
_PLACEHOLDER = "FEEDLETTERSHORTCODE{}X"
_PLACED = re.compile(r"<p>(FEEDLETTERSHORTCODE\d+X)</p>|(FEEDLETTERSHORTCODE\d+X)")


def _engine(settings: Settings) -> Callable[[str], str]:
    if settings.engine != "commonmark":
        return python_markdown.convert
    # Hugo's goldmark has its typographer on by default; Zola's smart_punctuation is off
    return commonmark.convert_smart if settings.generator == "hugo" else commonmark.convert


def markdown_to_html(source: str, base: str, context: Context | None = None,
                     report: Report | None = None) -> str:
    """Markdown (with raw HTML) → safe HTML fragment, bare URLs linked.

    With a `context`, the body's template language is rendered first and the context's
    engine used; problems and lookups go to `report`."""
    if context is None or context.settings.plain:
        return linkify(sanitize(python_markdown.convert(source), base))
    settings, page = context.settings, context.page
    report = report if report is not None else Report(context.resolve)
    convert = _engine(settings)
    blocks: list[str] = []

    def placeholder(fragment: str) -> str:
        blocks.append(fragment)
        return _PLACEHOLDER.format(len(blocks) - 1)

    text = source
    if settings.generator in ("jekyll", "eleventy"):
        text = liquid.render(text, settings, page, report)
    elif settings.generator == "hugo":
        text = shortcodes.render(text, settings, page, report, convert, placeholder)
    elif settings.generator == "zola":
        text = zola.shortcodes(text, report)
    raw = convert(text)
    if blocks:
        def fill(m: re.Match[str]) -> str:
            n = int((m.group(1) or m.group(2))[19:-1])
            return blocks[n] if n < len(blocks) else m.group(0)    # the author's own text
        raw = _PLACED.sub(fill, raw)
    if settings.generator == "zola":
        raw = zola.internal_links(raw, text, report)
    elif settings.generator == "pelican":
        raw = pelican.internal_links(raw, text, page, settings.site_url, report)
    return linkify(sanitize(raw, base))


def html_to_text(fragment: str) -> str:
    """A rough plain-text view of an HTML fragment (for summaries and the text digest)."""
    text = re.sub(r"</(p|div|li|h[1-6]|tr|pre|blockquote)>|<br\s*/?>", "\n", fragment, flags=re.I)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


@dataclass(frozen=True)
class Rendered:
    content_html: str
    summary_html: str
    # (line in the body or None, reason, the construct as written): left out, to report
    problems: tuple[tuple[int | None, str, str], ...] = ()
    # each link to another post the body asked for, and the answer (see context.py)
    lookups: tuple[tuple[Ref, str | None], ...] = ()


def first_paragraph(content_html: str) -> str:
    m = _FIRST_P.search(content_html)
    if m:
        return f"<p>{m.group(1).strip()}</p>"
    text = html_to_text(content_html)
    if not text:
        return ""
    cut = text[:280].rsplit(" ", 1)[0] + ("…" if len(text) > 280 else "")
    return f"<p>{html.escape(cut, quote=False)}</p>"


def render_post(body: str, summary: str | None, link: str,
                context: Context | None = None) -> Rendered:
    """A post's Markdown body and optional Markdown summary → HTML content and summary.

    When the summary is the body's opening (text before an excerpt marker), the body is
    rendered once with a split mark where the marker was: one Markdown pass instead of
    two, and reference links defined further down still resolve in the summary.
    `context` (context.py): the generator's template language and engine, the post's own
    front matter and the other posts' links; None renders as feedletter always has.
    """
    report = Report(context.resolve, _SPLIT) if context is not None else None

    def done(content: str, summary_html: str) -> Rendered:
        if report is None:
            return Rendered(content, summary_html)
        return Rendered(content, summary_html,
                        tuple(sorted(((p.line, p.reason, p.text) for p in report.problems),
                                     key=lambda p: p[0] or 0)),
                        tuple(sorted(report.lookups.items(), key=repr)))

    at = body.find(summary) if summary else -1
    cut = at + len(summary or "")
    # only where the summary is the body's first paragraphs, ending at a paragraph break
    if summary and at >= 0 and not body[:at].strip() and _SPLIT not in body and \
            (body[cut:cut + 2] == "\n\n" or not body[cut:].strip()):
        whole = markdown_to_html(f"{body[:cut]}\n\n{_SPLIT}\n\n{body[cut:]}", link,
                                 context, report)
        mark = f"<p>{_SPLIT}</p>"
        if whole.count(mark) == 1:
            head, tail = whole.split(mark)
            head = head.rstrip()
            return done(head + "\n" + tail.lstrip("\n") if tail.strip() else head, head)
    content = markdown_to_html(body, link, context, report)
    if summary and report is not None:
        report.in_summary = True         # its lines are not the body's
    summary_html = markdown_to_html(summary, link, context, report) if summary \
        else first_paragraph(content)
    return done(content, summary_html)
