"""Markdown → safe HTML with absolute URLs, and the summary of a post.

    post.py                     the pipeline: body → engine → sanitize → URLs → Rendered
    python_markdown.py          the Python-Markdown engine (and its speed patches, a fork:
    python_markdown_patches.py  one module, so the rest never knows they exist)
    sanitize.py                 nh3: no scripts, no active content
    urls.py                     every URL absolute; bare URLs linked
"""

from __future__ import annotations

from .post import Rendered, first_paragraph, html_to_text, markdown_to_html, render_post
from .sanitize import sanitize
from .urls import SAFE_SCHEMES, URL_ATTRIBUTES, absolutize, linkify

__all__ = ["SAFE_SCHEMES", "URL_ATTRIBUTES", "Rendered", "absolutize", "first_paragraph",
           "html_to_text", "linkify", "markdown_to_html", "render_post", "sanitize"]
