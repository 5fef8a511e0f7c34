"""`feedletter init`: read a site's own generator config and write a `feedletter.toml`
that builds it with no edits, keeping its feed URLs and entry ids.

detect.py says which generator built the site; one module per generator reads its config
into `Findings`; write.py turns those into a commented TOML file, which is loaded back
with the real config loader before it replaces anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ConfigError
from ..output import write_file
from . import eleventy, hugo, jekyll, middleman, pelican, plain, zola
from .detect import detect
from .model import Findings
from .write import render_toml

READERS: dict[str, Callable[[Path, Path | None], Findings]] = {
    "jekyll": jekyll.read, "hugo": hugo.read, "zola": zola.read, "pelican": pelican.read,
    "middleman": middleman.read, "eleventy": eleventy.read, "feedletter": plain.read}


@dataclass(frozen=True)
class InitResult:
    """What `init` wrote and said: the config path, its text, and the report lines."""

    path: Path
    text: str
    generator: str
    found: tuple[str, ...]
    undecided: tuple[str, ...]


def read_site(site_dir: Path, *, url: str | None = None) -> Findings:
    """Detect the generator and read what its files say (nothing is written)."""
    if not site_dir.is_dir():
        raise ConfigError(str(site_dir), "not a folder")
    generator, root, config_file = detect(site_dir)
    findings = READERS[generator](root, config_file)
    where = f" ({config_file.relative_to(site_dir)})" if config_file else ""
    findings.found.insert(0, f"generator: {generator}{where}")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError("--url", f"must be an absolute http(s) URL, not {url!r}")
        findings.site["url"] = url.rstrip("/")
        findings.undecided[:] = [u for u in findings.undecided if "pass --url" not in u]
        findings.note(f"site URL {findings.site['url']} (--url)")
    if generator == "feedletter" and "url" in findings.site:
        # feedletter's own link rule (feeds.link_pattern) adds /blog/ to the site URL: an
        # --url that already ends in /blog would link every post to /blog/blog/…
        site = findings.site["url"]
        findings.note(f"post links: {site}/blog/<year>/<month>/<slug>/ (feeds.link_pattern's "
                      "default)")
        if urlsplit(site).path.rstrip("/").endswith("/blog"):
            findings.unsure(f"the site URL ends in /blog, and post links add /blog/ again "
                            f"({site}/blog/…): pass the site's root as --url, or set [feeds] "
                            "link_pattern = \"{site_url}/{year}/{month}/{slug}/\"")
    return findings


def run_init(site_dir: Path, *, output: Path | None = None, url: str | None = None,
             force: bool = False) -> InitResult:
    """Write the config for the site in `site_dir`; never over an existing file unless
    `force`. Raises ConfigError (nothing written) when the result would not load."""
    site_dir = site_dir.absolute()
    # The current folder by default, as every other command looks there: `feedletter init
    # ../blog && feedletter build` then works, and a site tree that is read-only or not
    # ours (a checkout of someone else's site) is never written into.
    target = (output or Path("feedletter.toml")).absolute()
    if target.exists() and not force:
        raise ConfigError(str(target), "already exists; pass --force to replace it "
                                       "(or --output to write elsewhere)")
    findings = read_site(site_dir, url=url)
    if "url" not in findings.site:
        raise ConfigError(str(site_dir), "; ".join(u for u in findings.undecided if "--url" in u)
                          or "no site URL found; pass --url")
    text = render_toml(findings, target.parent)
    _check_and_write(target, text)
    return InitResult(target, text, findings.generator, tuple(findings.found),
                      tuple(findings.undecided))


def _check_and_write(target: Path, text: str) -> None:
    """Load the text with the real loader first; then replace the target atomically."""
    from ..config import load_config

    def loads(temp: Path) -> None:
        try:
            load_config(temp)
        except ConfigError as exc:
            raise ConfigError(str(target), f"the config init made does not load ({exc.reason}); "
                                           "nothing written: please report this") from None

    # The one writer (random O_EXCL temporary, only a regular file replaced), checked
    # before it replaces anything.
    write_file(target.parent, target.name, text.encode("utf-8"), check=loads)
