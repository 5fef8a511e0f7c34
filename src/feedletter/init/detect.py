"""Which generator built a site, from the files it keeps (never by running anything)."""

from __future__ import annotations

import tomllib
from pathlib import Path

HUGO_NAMES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json")
CONFIG_NAMES = ("config.toml", "config.yaml", "config.yml", "config.json")
ELEVENTY_NAMES = (".eleventy.js", "eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs",
                  ".eleventy.cjs")
# Keys only Zola's config.toml has (https://www.getzola.org/documentation/getting-started/configuration/).
ZOLA_KEYS = {"base_url", "compile_sass", "generate_feeds", "generate_feed", "feed_filenames",
             "feed_filename", "build_search_index", "default_language", "minify_html"}
# Keys of a Hugo site config (https://gohugo.io/configuration/all/), in either spelling.
HUGO_KEYS = {"baseurl", "languagecode", "defaultcontentlanguage", "theme", "permalinks",
             "buildfuture", "builddrafts", "taxonomies", "params", "disablekinds", "outputs"}
# Folders a repository often keeps its site in, looked at when the given folder has none.
SUBFOLDERS = ("docs", "site", "website", "blog", "www", "src")


def _toml_keys(path: Path) -> set[str]:
    try:
        with path.open("rb") as fh:
            return set(tomllib.load(fh))
    except (OSError, tomllib.TOMLDecodeError):
        return set()


def detect_here(folder: Path) -> tuple[str, Path | None] | None:
    """(generator, its config file) when `folder` holds a site's config; else None."""
    if (folder / "_config.yml").is_file() or (folder / "_config.yaml").is_file():
        name = "_config.yml" if (folder / "_config.yml").is_file() else "_config.yaml"
        return "jekyll", folder / name
    if (folder / "pelicanconf.py").is_file():
        return "pelican", folder / "pelicanconf.py"
    for name in HUGO_NAMES:
        if (folder / name).is_file():
            return "hugo", folder / name
    default = folder / "config" / "_default"
    if default.is_dir():
        for name in HUGO_NAMES + CONFIG_NAMES:
            if (default / name).is_file():
                return "hugo", default / name
    if (folder / "config.toml").is_file():
        keys = _toml_keys(folder / "config.toml")
        if keys & ZOLA_KEYS:
            return "zola", folder / "config.toml"
        if {k.lower() for k in keys} & HUGO_KEYS:
            return "hugo", folder / "config.toml"
    for name in CONFIG_NAMES[1:]:
        if (folder / name).is_file() and (folder / "content").is_dir():
            return "hugo", folder / name
    if (folder / "config.rb").is_file():
        return "middleman", folder / "config.rb"
    for name in ELEVENTY_NAMES:
        if (folder / name).is_file():
            return "eleventy", folder / name
    return None


def detect(site_dir: Path) -> tuple[str, Path, Path | None]:
    """(generator, the generator's site folder, its config file).

    The folder itself first, then the usual subfolders (`docs/` for a project's site kept
    beside its code); a folder with no generator's config is a bare folder of posts
    ("feedletter", the default rules)."""
    found = detect_here(site_dir)
    if found is not None:
        return found[0], site_dir, found[1]
    for name in SUBFOLDERS:
        sub = site_dir / name
        if sub.is_dir():
            found = detect_here(sub)
            if found is not None:
                return found[0], sub, found[1]
    return "feedletter", site_dir, None
