"""Hugo: `hugo.toml|yaml|json` (or `config.*`, or `config/_default/`), its permalinks,
taxonomies, future/draft switches, authors and RSS outputs.

Followed: https://gohugo.io/configuration/all/ (baseURL, title, languageCode, timeZone,
buildFuture, buildDrafts; keys are case-insensitive), https://gohugo.io/configuration/introduction/#configuration-directory
(`config/_default/<key>.toml` holds the key `<key>`), https://gohugo.io/content-management/taxonomies/
(default taxonomies tag → tags, category → categories), https://gohugo.io/templates/rss/
(RSS of the home page at /index.xml, of each section at /<section>/index.xml, of each
term at /<taxonomy>/<term>/index.xml; `services.rss.limit`), and the embedded RSS
template's `<guid>{{ .Permalink }}</guid>` for ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import authors_from, read_data, text
from .model import Findings

_DATA_SUFFIXES = (".toml", ".yaml", ".yml", ".json")


def _lower(data: Any) -> Any:
    """Hugo's keys are case-insensitive: compare them lower-cased (values kept)."""
    if isinstance(data, dict):
        return {str(k).lower(): v for k, v in data.items()}
    return data


def _load(config_file: Path) -> dict[str, Any]:
    data = _lower(read_data(config_file))
    folder = config_file.parent
    if folder.name == "_default":                       # config directory: one file per key
        for path in sorted(folder.iterdir()):
            if path == config_file or path.suffix not in _DATA_SUFFIXES:
                continue
            key = path.stem.lower()
            if key in ("hugo", "config"):
                data.update(_lower(read_data(path)))
            else:
                data.setdefault(key, read_data(path))
    return data


def flat_params(params: dict[Any, Any], prefix: str = "") -> dict[str, Any]:
    """Hugo's `params`, nested tables flattened to dotted keys (`notes.docker-compose-v2`),
    scalars only: `[source] variables` holds no tables, and render's `param` shortcode
    looks a dotted name up as one flat key. Lists are left out (no shortcode prints one)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat_params(value, name + "."))
        elif isinstance(value, str | int | float | bool):
            out[name] = value
    return out


def _outputs_rss(value: Any) -> bool | None:
    if isinstance(value, list):
        return any(str(v).lower() == "rss" for v in value)
    return None


def read(root: Path, config_file: Path | None) -> Findings:
    f = Findings("hugo", root, config_file)
    data = _load(config_file) if config_file else {}
    where = str(config_file.relative_to(root)) if config_file else "hugo.toml"
    title = text(data.get("title"))
    if title:
        f.site["title"] = title
        f.note(f"title {title!r} ({where})")
    f.site_url(text(data.get("baseurl")), f"baseURL in {where}", f"no site URL in {where} (baseURL)")
    lang = text(data.get("defaultcontentlanguage")) or "en"
    languages = _lower(data.get("languages")) if isinstance(data.get("languages"), dict) else {}
    lang_table = _lower(languages.get(lang)) if isinstance(languages.get(lang), dict) else {}
    language = (text(data.get("languagecode")) or text(lang_table.get("languagecode"))
                or text(lang_table.get("locale")) or lang)
    f.site["language"] = language
    f.note(f"language {language!r}")
    params = _lower(data.get("params")) if isinstance(data.get("params"), dict) else {}
    description = text(params.get("description")) or text(_lower(lang_table.get("params") or {}).get(
        "description") if isinstance(lang_table.get("params"), dict) else None)
    if description:
        f.site["description"] = description
    zone = text(data.get("timezone"))
    if zone:
        f.site["timezone"] = zone
        f.note(f"time zone {zone!r} (timeZone)")
    else:
        f.note("time zone: none set, Hugo reads dates without a zone as UTC")

    # Content: Hugo's contentDir, or the default language's folder in a multilingual site.
    content = root / (text(data.get("contentdir")) or text(lang_table.get("contentdir")) or "content")
    if languages and (content / lang).is_dir():
        content = content / lang
        f.note(f"posts: {content.relative_to(root)} (the {lang!r} content of a multilingual site)")
    f.posts = content

    permalinks = data.get("permalinks")
    if isinstance(permalinks, dict):
        flat = {str(k): str(v) for k, v in permalinks.items() if isinstance(v, str)}
        page = permalinks.get("page")
        if isinstance(page, dict):                       # Hugo ≥ 0.120: permalinks.page.<section>
            flat.update({str(k): str(v) for k, v in page.items() if isinstance(v, str)})
        if flat:
            f.source["permalinks"] = flat
            f.note(f"permalinks {flat}")
    if data.get("buildfuture") is True:
        f.source["future"] = True
        f.note("buildFuture: true")
    if data.get("builddrafts") is True:
        f.source["drafts"] = True
    taxonomies = data.get("taxonomies")
    if isinstance(taxonomies, dict) and taxonomies:
        f.source["taxonomies"] = {str(k): str(v) for k, v in taxonomies.items()}
        f.note(f"taxonomies {f.source['taxonomies']}")
    if params:          # as written: .Site.Params.FA and .Site.Params.fa are the same to Hugo
        variables = flat_params(data["params"])
        # the default language's own params override the site's (Hugo's language merge)
        lang_params = lang_table.get("params")
        if isinstance(lang_params, dict):
            variables.update(flat_params(lang_params))
        f.source["variables"] = variables
        nested = sorted({k.split(".")[0] for k in variables if "." in k})
        if nested:
            f.note("nested params as dotted keys ({{% param notes.x %}}): " + ", ".join(nested))
    author = params.get("author", data.get("author"))
    name = text(author.get("name")) if isinstance(author, dict) else text(author)
    if name:
        f.site["author"] = name
    if "authors" in params:
        f.authors = authors_from(params["authors"])
        f.note(f"{len(f.authors)} authors (params.authors)")

    # Feeds: Hugo's RSS, unless the kind or the output is switched off.
    disabled = {str(k).lower() for k in data.get("disablekinds") or []}
    outputs = _lower(data.get("outputs")) if isinstance(data.get("outputs"), dict) else {}
    services = _lower(data.get("services")) if isinstance(data.get("services"), dict) else {}
    rss = _lower(services.get("rss")) if isinstance(services.get("rss"), dict) else {}
    limit = rss.get("limit", data.get("rsslimit"))
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        f.feeds["max_entries"] = limit
        f.note(f"feeds keep the newest {limit} entries (services.rss.limit)")
    f.feeds["ids"] = "permalink"
    if "rss" in disabled or _outputs_rss(outputs.get("home")) is False:
        f.unsure("the home page has no RSS output: feedletter still writes /index.xml")
    f.feed_file("rss", "site", "index.xml")
    f.feed_file("rss", "tags", "tags/{slug}/index.xml")
    f.feed_file("rss", "categories", "categories/{slug}/index.xml")
    f.feed_file("rss", "sections", "{slug}/index.xml")
    f.note("feeds: RSS at /index.xml, /<section>/index.xml, /tags/<tag>/index.xml; entry ids "
           "are the permalinks (Hugo's <guid>{{ .Permalink }}</guid>)")
    for section in _rss_sections(content, outputs, data.get("cascade")):
        f.sections.append({"path": section, "in_main": True})
    if f.sections:
        f.note("sections with their own RSS: " + ", ".join(s["path"] for s in f.sections))
    return f


def _rss_sections(content: Path, outputs: dict[str, Any], cascade: Any) -> list[str]:
    """Top-level sections that get an RSS feed: all of them when section outputs include
    RSS (Hugo's default), else those a cascade gives RSS (`target.path: /blog`)."""
    if not content.is_dir():
        return []
    sections = sorted(p.name for p in content.iterdir()
                      if p.is_dir() and not p.name.startswith((".", "_")))
    if _outputs_rss(outputs.get("section")) is not False:
        return sections
    chosen: list[str] = []
    for entry in cascade if isinstance(cascade, list) else [cascade] if isinstance(cascade, dict) else []:
        entry = _lower(entry) if isinstance(entry, dict) else {}
        target = _lower(entry.get("target") or entry.get("_target") or {})
        path = text(target.get("path")) if isinstance(target, dict) else None
        if path and _outputs_rss(entry.get("outputs")) and str(target.get("kind", "section")) == "section":
            name = path.strip("/")
            if name in sections and name not in chosen:
                chosen.append(name)
    return chosen
