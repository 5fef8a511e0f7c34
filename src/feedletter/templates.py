"""Jinja2 templates: a site's own folder (config `templates_dir`) first, then the built-ins."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .config import Config

BUILTIN = Path(__file__).parent / "templates"


@lru_cache(maxsize=8)
def _environment(site_dir: Path | None):
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if site_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(site_dir)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN)))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,               # every template, whatever its name: titles are untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def environment(config: Config):  # -> jinja2.Environment
    return _environment(config.templates_dir)
