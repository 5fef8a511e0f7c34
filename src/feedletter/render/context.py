"""What a body's template pass may read besides the body: the site's settings, the post
itself, and the links of the other posts; and what it tells back (problems, lookups).

`render_post` is a pure function of (body, summary, link, `Context`): everything in a
`Context` that can change the output is in its `fingerprint` (the render cache's key),
except the links of other posts, which are asked for through `resolve` and recorded in
`Rendered.lookups`, so a cached render is used only while each lookup still answers the
same (`still_valid`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

ENGINES = ("python-markdown", "commonmark")
GENERATORS = ("feedletter", "jekyll", "hugo", "zola", "pelican", "middleman", "eleventy")

# The Markdown engine each generator renders with, when `[site] markdown` is not set.
# Jekyll and Middleman use kramdown: not CommonMark, but PHP-Markdown-Extra-like (footnotes,
# definition lists, tables, `{: .class}` attribute lists, no Markdown inside HTML blocks
# unless asked), which is Python-Markdown's `extra`. Pelican uses Python-Markdown itself.
# Hugo (goldmark), Zola (pulldown-cmark) and Eleventy (markdown-it) are CommonMark.
DEFAULT_ENGINE = {"feedletter": "python-markdown", "jekyll": "python-markdown",
                  "middleman": "python-markdown", "pelican": "python-markdown",
                  "hugo": "commonmark", "zola": "commonmark", "eleventy": "commonmark"}

# A reference to another post, as the body wrote it: (kind, text), e.g. ("post_url",
# "2019-01-01-slug"), ("link", "_posts/2019-01-01-slug.md"), ("ref", "blog/x.md"),
# ("zola", "blog/x.md"). The answer is the post's link, or None.
Ref = tuple[str, str]
Resolver = Callable[[Ref], "str | None"]


def _no_posts(ref: Ref) -> str | None:
    return None


@dataclass(frozen=True)
class Settings:
    """The site-wide part: which generator's template language, which engine, `site.*`."""

    generator: str = "feedletter"
    engine: str = "python-markdown"
    site_url: str = ""
    variables: Mapping[str, Any] = field(default_factory=dict)

    @property
    def plain(self) -> bool:
        """No template language, Python-Markdown: feedletter's own rendering."""
        return self.generator in ("feedletter", "middleman") and self.engine == "python-markdown"

    def fingerprint(self) -> str:
        if self.plain:
            return ""               # today's render: today's cache keys
        blob = json.dumps([self.generator, self.engine, self.site_url, self.variables],
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:24]


DEFAULT = Settings()


def _read(obj: Any, *names: str) -> Any:
    """The first attribute of `obj` found along each dotted name (config shapes vary while
    the config module is being restructured: `generator` or `site.generator`)."""
    for name in names:
        value = obj
        for part in name.split("."):
            value = getattr(value, part, None) if not isinstance(value, Mapping) \
                else value.get(part)
            if value is None:
                break
        if value is not None:
            return value
    return None


def settings_from(config: Any) -> Settings:
    """The render settings a `Config` asks for (defaults: today's rendering)."""
    generator = _read(config, "generator", "site.generator", "source.generator") or "feedletter"
    generator = generator if generator in GENERATORS else "feedletter"
    engine = _read(config, "markdown", "site.markdown") or DEFAULT_ENGINE[generator]
    variables = _read(config, "variables", "source.variables", "source_variables") or {}
    return Settings(generator, engine, _read(config, "site_url", "site.url") or "",
                    dict(variables))


@dataclass(frozen=True)
class Page:
    """The post whose body is rendered: its file (for messages), link and front matter."""

    source: str = ""
    link: str = ""
    front_matter: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    settings: Settings = DEFAULT
    page: Page = field(default_factory=Page)
    resolve: Resolver = _no_posts


@dataclass(frozen=True)
class Problem:
    """Something in a body that could not be rendered faithfully and was left out."""

    line: int | None        # 1-based, in the body; None: in a summary from front matter
    reason: str
    text: str               # the construct as written (to find its line in the file)


class Report:
    """Collects, while one body is rendered, its problems (each reason once) and lookups."""

    def __init__(self, resolve: Resolver, mark: str = "") -> None:
        self._resolve = resolve
        self.problems: list[Problem] = []
        self.lookups: dict[Ref, str | None] = {}
        self._seen: set[str] = set()
        # render_post's excerpt mark: a paragraph of its own, 4 line breaks not in the file
        self._mark = mark
        self.in_summary = False     # a summary from the front matter: no body line

    def problem(self, source: str, at: int | None, reason: str, text: str) -> None:
        if reason in self._seen:
            return
        self._seen.add(reason)
        line = None
        if at is not None and not self.in_summary:
            line = source.count("\n", 0, at) + 1
            if self._mark:
                line -= 4 * source.count(self._mark, 0, at)
        self.problems.append(Problem(line, reason, text[:200]))

    def resolve(self, kind: str, ref: str) -> str | None:
        key = (kind, ref)
        if key not in self.lookups:
            self.lookups[key] = self._resolve(key)
        return self.lookups[key]


def still_valid(lookups: tuple[tuple[Ref, str | None], ...], resolve: Resolver) -> bool:
    """Each link a cached render looked up still resolves the same."""
    return all(resolve(ref) == url for ref, url in lookups)
