"""The Python-Markdown engine: `extra` and `sane_lists`, as feedletter has always rendered.

One Markdown instance per process, `reset()` between documents (footnote state would
otherwise leak from one post into the next; a new instance costs ~0.35 ms per post).
Its speed patches live in `python_markdown_patches.py`.
"""

from __future__ import annotations

from functools import lru_cache

from .python_markdown_patches import patch


@lru_cache(maxsize=1)
def instance():
    """The process's one Markdown instance (imported late: a no-change build never needs it)."""
    import markdown

    md = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    patch(md)
    return md


def convert(source: str) -> str:
    """Markdown (with raw HTML) → HTML, unsanitized."""
    md = instance()
    try:
        return md.convert(source)
    finally:
        md.reset()
