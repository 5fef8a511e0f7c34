"""Small readers the generator modules share: YAML/TOML/JSON config files, author data."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from ..errors import ConfigError


def read_data(path: Path) -> dict[str, Any]:
    """A YAML, TOML or JSON file as a mapping; a broken file is a ConfigError naming it."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read: {exc}") from None
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - any parser's error is the same user error
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(str(path), f"cannot parse: {first}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "is not a mapping of keys")
    return data


def text(value: Any) -> str | None:
    """A config value usable as text (numbers too); None for anything else or blank."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        s = str(value).strip()
        return s or None
    return None


def person(username: str, value: Any) -> dict[str, str] | None:
    """An author entry of a data file (`name`, `email`, `uri`/`url`/`web`…) or a bare name."""
    if isinstance(value, str):
        return {"name": value.strip()} if value.strip() else None
    if not isinstance(value, dict):
        return None
    out: dict[str, str] = {"name": text(value.get("name")) or text(value.get("display_name")) or username}
    email = text(value.get("email"))
    if email and "@" in email:
        out["email"] = email
    for key in ("uri", "url", "web", "website", "homepage", "link"):
        uri = text(value.get(key))
        if uri and uri.startswith(("http://", "https://")):
            out["uri"] = uri
            break
    return out


def authors_from(data: Any) -> dict[str, dict[str, str]]:
    """username → {name, email?, uri?} from a mapping (Jekyll `_data/authors.yml`, Hugo
    `params.authors`) or a list of entries with a `username`/`id`/`name`."""
    found: dict[str, dict[str, str]] = {}
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = [(text(e.get("username")) or text(e.get("id")) or text(e.get("name")) or "", e)
                 for e in data if isinstance(e, dict)]
    else:
        return found
    for username, value in items:
        key = str(username).strip()
        entry = person(key, value) if key else None
        if entry:
            found[key] = entry
    return found
