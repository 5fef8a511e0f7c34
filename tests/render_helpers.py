"""Render a body as a site of some generator would: a Context with its settings and posts."""

from __future__ import annotations

from typing import Any

from feedletter.render import Rendered, render_post
from feedletter.render.context import DEFAULT_ENGINE, Context, Page, Settings
from feedletter.render.links import resolver

LINK = "https://example.com/blog/2024/01/this-post/"


def render(body: str, generator: str, *, variables: dict[str, Any] | None = None,
           front: dict[str, Any] | None = None, posts: list[tuple[str, str]] = (),
           engine: str | None = None, site_url: str = "https://example.com") -> Rendered:
    settings = Settings(generator, engine or DEFAULT_ENGINE[generator], site_url,
                        variables or {})
    context = Context(settings, Page("post.md", LINK, front or {}), resolver(posts))
    return render_post(body, None, LINK, context)


def reasons(rendered: Rendered) -> list[str]:
    return [reason for _, reason, _ in rendered.problems]
