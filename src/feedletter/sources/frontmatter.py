"""Front matter: its format told by the first line, one small decoder per format.

Modelled on Hugo's `parser/pageparser` and `parser/metadecoders`
(https://gohugo.io/content-management/front-matter/): the delimiter says the format.

    `---`         YAML (Jekyll, Hugo, Middleman, Eleventy, feedletter): `_yaml`, python-
                  frontmatter's split and libyaml's BaseLoader, or `_plain` for simple lines
    `+++`         TOML (Hugo, Zola): `_toml`, tomllib
    `{`           JSON (Hugo; Eleventy `---json`): `_json`, the object at the top
    `Key: value`  Pelican / MultiMarkdown metadata lines ended by a blank line: `_metadata`

Every decoder gives text values (as YAML's BaseLoader does: `4.0` stays `4.0`), lists and
tables; the flavours interpret them. A first line that looks like another format's
delimiter (`---js`, `;;;`, `#+TITLE:`) is a bad post naming it, never "not a post".
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from ..errors import PostError
from .model import clean_text

FORMATS = ("yaml", "toml", "json", "metadata")
_FM_START = re.compile(r"\A---[ \t]*(?:\r\n?|\n)")     # any line end: also tells posts from notes
_TOML_END = re.compile(r"^\+{3}[ \t]*$", re.MULTILINE)
# Python-Markdown's `meta` extension, which Pelican's Markdown reader uses: a key line,
# and continuation lines indented by four spaces or more.
_META_LINE = re.compile(r"^[ ]{0,3}([A-Za-z0-9_-]+):\s*(.*)$")
_META_MORE = re.compile(r"^[ ]{4,}(.*)$")
# Another format's opening line: Eleventy `---js`, org-mode `#+TITLE:`, other fences.
_UNKNOWN = re.compile(r"\A(?:(?:-{3}|\+{3})[A-Za-z]\w*|;{3}|~{3}|={3}|#\+[A-Za-z]+:)[^\n]*")
_META_KEYS = ("title", "date", "slug", "author", "authors", "tags", "category", "summary")
# A plain `key: value` line whose value is no YAML flow, quote, anchor, tag or block.
_PLAIN_LINE = re.compile(r"^([A-Za-z_][\w-]*):(?:[ \t]+([^\s\[\]{}\"'&*!|>%@`#].*?))?[ \t]*$")
_PY_TAG = re.compile(r"!(?:!|<tag:yaml\.org,2002:)python/[^\s,\]}]*")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)


@dataclass(frozen=True)
class FrontMatter:
    format: str                 # one of FORMATS, or "" (the file has none)
    meta: dict
    body: str
    warnings: tuple[str, ...] = ()


def detect(text: str) -> str:
    """The front-matter format a (normalized) post text starts with; "" for none,
    "unknown" for another format's delimiter."""
    if _FM_START.match(text):
        return "yaml"
    if text.startswith("---json\n"):
        return "json"
    if text.startswith("+++") and text[3:4] in ("\n", " ", "\t"):
        return "toml"
    if text.startswith("{"):
        return "json"
    if _UNKNOWN.match(text):
        return "unknown"
    m = _META_LINE.match(text[: text.find("\n")] if "\n" in text else text)
    if m and m[1].lower() in _META_KEYS:
        return "metadata"
    return ""


def split(text: str, path: str, formats: tuple[str, ...] = FORMATS) -> FrontMatter:
    """A normalized post text → its front matter and body; PostError when the format is
    unknown, not one the flavour reads, or broken."""
    kind = detect(text)
    if kind == "":
        return FrontMatter("", {}, text)
    if kind == "unknown":
        first = text.split("\n", 1)[0][:40]
        raise PostError(path, f"front matter in an unknown format (first line {first!r}); "
                              "feedletter reads YAML (---), TOML (+++), JSON ({ }) and "
                              "'Key: value' metadata lines", 1)
    if kind not in formats:
        if kind == "metadata":
            raise PostError(path, "front matter as Pelican/MultiMarkdown 'Key: value' lines: "
                                  "set [site] generator = \"pelican\" to read them", 1)
        raise PostError(path, f"front matter in {kind.upper()}, which this generator does not "
                              "read", 1)
    if kind == "yaml":
        meta, body, warnings = _yaml(text, path)
        return FrontMatter("yaml", meta, body, tuple(warnings))
    meta, body = {"toml": _toml, "json": _json, "metadata": _metadata}[kind](text, path)
    return FrontMatter(kind, meta, body.lstrip("\n"))


def body_of(text: str) -> str:
    """Only the body of a post parsed before (the front matter is split off, not read)."""
    kind = detect(text)
    if kind == "yaml":
        return _handler()[0].split(text)[1].lstrip("\n")
    if kind == "toml":
        m = _TOML_END.search(text, text.index("\n") + 1)
        return text[m.end():].lstrip("\n") if m else ""
    if kind == "json":
        start = len("---json\n") if text.startswith("---json\n") else 0
        try:
            return _json_split(text, start)[1].lstrip("\n")
        except ValueError:
            return ""
    if kind == "metadata":
        return _metadata_split(text)[1].lstrip("\n")
    return text


def _text(value: object) -> object:
    """A TOML or JSON value as YAML's BaseLoader would give it: text, lists and tables."""
    if isinstance(value, dict):
        return {str(k): _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return "" if value is None else str(value)


def _toml(text: str, path: str) -> tuple[dict, str]:
    """TOML between '+++' lines (Hugo, Zola)."""
    m = _TOML_END.search(text, text.index("\n") + 1) if "\n" in text else None
    if m is None:
        raise PostError(path, "front matter is not closed: add a '+++' line after the keys", 1)
    fm = clean_text(text[text.index("\n") + 1: m.start()])
    try:
        meta = tomllib.loads(fm)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "(at line 3, column 5)": line 1 of the TOML is line 2 of the file
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found[1]) + 1 if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise PostError(path, f"front matter is not valid TOML: {reason}", line) from None
    except RecursionError:
        raise PostError(path, "front matter is not valid TOML: nested too deeply", 1) from None
    return _text(meta), text[m.end():]


def _json_split(text: str, start: int) -> tuple[object, str]:
    decoder = json.JSONDecoder(parse_float=str, parse_int=str)
    value, end = decoder.raw_decode(text, start)
    return value, text[end:]


def _json(text: str, path: str) -> tuple[dict, str]:
    """A JSON object at the top of the file (Hugo), or after a '---json' line (Eleventy)."""
    start = len("---json\n") if text.startswith("---json\n") else 0
    try:
        meta, body = _json_split(text, start)
    except json.JSONDecodeError as exc:
        raise PostError(path, f"front matter is not valid JSON: {exc.msg}",
                        exc.lineno) from None
    except RecursionError:
        raise PostError(path, "front matter is not valid JSON: nested too deeply", 1) from None
    if not isinstance(meta, dict):
        raise PostError(path, "front matter must be a JSON object", 1)
    if start:      # Eleventy closes its '---json' block with '---'
        body = re.sub(r"\A\s*\n---[ \t]*(?:\n|\Z)", "", body)
    return _text(meta), body


def _metadata_split(text: str) -> tuple[list[tuple[str, str]], str]:
    """(key, value) lines and the body: the block ends at the first blank line, or at the
    first line that is neither a key line nor a continuation (Python-Markdown `meta`)."""
    # each key's lines, joined at the end (joining as they come is quadratic)
    pairs: list[tuple[str, list[str]]] = []
    lines = text.split("\n")
    body = ""
    for i, line in enumerate(lines):
        if not line.strip():
            body = "\n".join(lines[i + 1:])
            break
        m = _META_LINE.match(line)
        more = _META_MORE.match(line) if m is None else None
        if m is not None:
            pairs.append((m[1].lower(), [m[2].strip()] if m[2].strip() else []))
        elif more is not None and pairs:
            pairs[-1][1].append(more[1].strip())
        else:
            body = "\n".join(lines[i:])
            break
    return [(key, "\n".join(values)) for key, values in pairs], body


def _metadata(text: str, path: str) -> tuple[dict, str]:
    """Pelican / MultiMarkdown metadata lines: keys are case-insensitive (Pelican lowers
    them); a key given twice keeps the last value."""
    pairs, body = _metadata_split(clean_text(text))
    return dict(pairs), body


@lru_cache(maxsize=1)
def _handler():
    """python-frontmatter's YAML handler, loading with libyaml's BaseLoader: every scalar
    stays a string (`4.0`, `yes`, `10:00`, `2019-01-01` as written) and feedletter
    interprets the keys itself. Imported late: a build whose posts all come from the
    cache never parses YAML."""
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    class BaseYAML(YAMLHandler):
        def load(self, fm: str, **kwargs: object) -> object:
            loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
            return yaml.load(fm, Loader=loader)  # noqa: S506 - BaseLoader constructs no objects

    return BaseYAML(), yaml.YAMLError


def _lenient(fm: str) -> dict[str, str] | None:
    """Read front matter as plain `key: value` lines when every line is one."""
    result: dict[str, str] = {}
    for line in fm.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _PLAIN_LINE.match(line)
        if not m:
            return None
        result[m[1]] = (m[2] or "").strip()
    return result


# The first character of a plain value: not a space, nor one of YAML's indicators.
_PLAIN_START = r"[^\s\[\]{}\"'&*!|>%@`#,?:-]"
# A front matter line YAML reads as `key: value` with the value as written (see `_plain`):
# a plain scalar without YAML syntax, a quoted one without escapes, or a flow list of
# plain items. (Group 2: the plain value, 3 and 4: quoted, 5: the list's inside.)
_SIMPLE_LINE = re.compile(
    rf"([A-Za-z_][\w-]*):(?: +(?:({_PLAIN_START}[^\t]*?)|\"([^\"\\]*)\"|'([^']*)'"
    r"|\[([^\[\]{}\"'#:\t]*)\]))? *")
# A flow list's item: a plain scalar that cannot be anything else in a flow context.
_FLOW_ITEM = re.compile(rf"{_PLAIN_START}[^,]*")
# An item of a block list (`  - value`): its indent, and a value as a plain one above.
_BLOCK_ITEM = re.compile(rf"( *)- +({_PLAIN_START}[^\t]*?) *")
# Characters YAML reads as line breaks beyond '\n' (or as a byte-order mark).
_YAML_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff", "\r")


def _plain(fm: str) -> dict[str, str | list[str]] | None:
    """The front matter as YAML's BaseLoader reads it, when every line is a simple
    `key: value` (or blank, or a comment); None otherwise (YAML must read it).

    Most front matter is such lines, and the YAML constructor (Python, even over libyaml)
    was a fifth of a post's load. A value is one of: a plain scalar holding none of YAML's
    syntax (no ': ' or ' #', no ':' at the end, no tab, no indicator first); a double-
    quoted one without '\\' or '"' inside, or a single-quoted one without "'" inside;
    a flow list `[a, b c]` of such plain items, or a block list of them (`key:` and then
    `- item` lines, indented alike). Trailing spaces go, as in YAML.
    `tests/test_properties.py` compares it with YAML on generated lines.
    """
    if any(c in fm for c in _YAML_BREAKS):
        return None
    result: dict[str, str | list[str]] = {}
    listing: tuple[str, str | None] | None = None   # (key, indent) of a block list read
    for line in fm.split("\n"):
        if not line.strip(" ") or line.lstrip(" ").startswith("#"):
            continue
        m = _SIMPLE_LINE.fullmatch(line)
        if m is None:
            # an item of a block list: `- value` lines, all indented alike, after `key:`
            item = _BLOCK_ITEM.fullmatch(line)
            if item is None or listing is None or listing[1] not in (None, item[1]):
                return None
            value = item[2]
            if _yaml_inside(value):
                return None
            key = listing[0]
            if listing[1] is None:
                result[key] = []
                listing = (key, item[1])
            result[key].append(value)
            continue
        key, bare, double, single, flow = m.groups()
        listing = (key, None) if m[0].rstrip(" ") == f"{key}:" else None
        if flow is not None:
            items = [item.strip(" ") for item in flow.split(",")]
            if items[-1] == "":         # `[a, b,]`, and `[]`
                items.pop()
            if not all(_FLOW_ITEM.fullmatch(item) for item in items):
                return None
            result[key] = items
            continue
        if bare and _yaml_inside(bare):
            return None
        result[key] = bare or double or single or ""
    return result


def _yaml_inside(value: str) -> bool:
    """A plain value YAML reads otherwise: a mapping (': ', or ':' at the end) or a
    comment (' #') inside it."""
    return ": " in value or " #" in value or value.endswith(":")


def _yaml(text: str, path: str) -> tuple[dict, str, list[str]]:
    """YAML between '---' lines (Jekyll, Hugo, Middleman, Eleventy): front matter dict,
    body, warnings."""
    handler, yaml_error = _handler()
    try:
        fm, body = handler.split(text)    # python-frontmatter's own '---' split
    except ValueError:
        raise PostError(path, "front matter is not closed: add a '---' line after the keys",
                        1) from None
    body = body.lstrip("\n")
    # YAML refuses raw control characters; every value would drop them anyway (clean_text).
    fm = clean_text(fm)
    warnings: list[str] = []
    m = _PY_TAG.search(fm)
    if m:
        raise PostError(path, f"front matter is not valid YAML: tag {m.group(0)!r} is not "
                              "allowed (feedletter never constructs objects)",
                        fm.count("\n", 0, m.start()) + 1)
    keys = _TOP_KEY.findall(fm)
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    try:
        meta = _plain(fm)
        if meta is None:
            meta = handler.load(fm)
    except yaml_error as exc:
        mark = getattr(exc, "problem_mark", None)
        # `fm` starts right after the opening '---' (its line 0 is file line 1).
        line = mark.line + 1 if mark is not None else None
        loose = _lenient(fm)
        if loose is None:
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise PostError(path, f"front matter is not valid YAML: {reason}", line) from None
        meta = loose
        bad = [k for k, v in loose.items() if ": " in v]
        hint = f" (quote the value of '{bad[0]}', e.g. {bad[0]}: \"{loose[bad[0]]}\")" if bad else ""
        where = f"{path}:{line}" if line else path
        warnings.append(f"{where}: front matter is not valid YAML; read it as plain "
                        f"'key: value' lines{hint}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise PostError(path, "front matter must be 'key: value' lines, not a "
                              f"{type(meta).__name__}", 2)
    for key in dupes:
        warnings.append(f"{path}: key '{key}' appears more than once in the front matter; "
                        "the last one is used")
    return meta, body, warnings
