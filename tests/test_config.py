"""The config schema, through the CLI: every bad value is one line naming the file, the key
and what is allowed, exit 2; the README's config reference is the schema's.

Cases from issue 13 (a control character in any text key, `str.format` field access in
patterns, non-finite and out-of-range numbers, credentials in URLs, `javascript:` links, a
missing CA file) are a table, and one test puts a control character into every string key
the schema has, so a key added later is covered without a new case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feedletter.config import BEGIN, END, reference_rows, reference_table

REPO = Path(__file__).resolve().parents[1]
SITE = '[site]\nurl = "https://example.org"\n'


def run_check(site, config: str):
    (site.root / "feedletter.toml").write_text(config, "utf-8")
    return site.run("check")


def assert_refused(result, key: str, fragment: str = "") -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert lines[0].startswith("feedletter: feedletter.toml: ")
    assert f"'{key}'" in lines[0] and fragment in lines[0], lines[0]
    return lines[0]


# (config after [site] url, the key named, a fragment of the message)
BAD = [
    ('title = "News\\u001b[31m"', "site.title", "U+001B"),
    ('description = "a\\rb"', "site.description", "U+000D"),
    ('author = "x\\u0085y"', "site.author", "U+0085"),
    ('language = "en\\u0000"', "site.language", "a language tag"),
    ('language = "en\\"><script>"', "site.language", "a language tag"),
    ('feeds_url = "ftp://example.org/feeds/"', "site.feeds_url", "scheme ftp: is not http(s)"),
    ('[feeds]\nlink_pattern = "javascript:alert(1)//{slug}"', "feeds.link_pattern", "javascript:"),
    ('[feeds]\nlink_pattern = "{site_url.__class__}/{slug}"', "feeds.link_pattern",
     "{site_url.__class__} is not one of the placeholders"),
    ('[feeds]\nlink_pattern = "{site_url}/{x[0]}"', "feeds.link_pattern", "{x[0]}"),
    ('[feeds]\nlink_pattern = "{site_url}/{slug!r}"', "feeds.link_pattern", "{slug!r}"),
    ('[feeds]\nlink_pattern = "{site_url}/{slug:>999999999}"', "feeds.link_pattern", "{slug:>999999999}"),
    ('[feeds]\nlink_pattern = "{site_url}/{title}"', "feeds.link_pattern", "{title}"),
    ('[feeds]\nlink_pattern = "{slug}"', "feeds.link_pattern", "is not http(s)"),
    ('[feeds]\nlink_pattern = "{site_url}/{"', "feeds.link_pattern", "not a valid pattern"),
    ("[feeds]\nmax_post_bytes = 0", "feeds.max_post_bytes", "from 1 to"),
    ("[feeds]\nmax_entries = 0", "feeds.max_entries", "from 1 to 100000, not 0"),
    ("[feeds]\nmax_entries = 2.5", "feeds.max_entries", "an integer"),
    ("[feeds]\nmax_entries = true", "feeds.max_entries", "an integer"),
    ('[digest]\nsubject = "{site_title.foo}"', "digest.subject", "{site_title.foo}"),
    ('[digest]\nsubject = "{site_title.__class__.__mro__}"', "digest.subject", "__mro__"),
    ('[digest]\nsubject = "{period[0]}"', "digest.subject", "{period[0]}"),
    ('[digest]\nsubject = "Hi\\u0007 {period}"', "digest.subject", "U+0007"),
    ('[digest]\nintro = "Hello\\n\\u001b[0m"', "digest.intro", "U+001B"),
    ('[digest]\nother_section = "More\\tnews"', "digest.other_section", "U+0009"),
    ('[digest]\nunsubscribe_url = "https://u:p@lists.example.org/"', "digest.unsubscribe_url",
     "user:password@"),
    ("[digest]\nmax_items = 0", "digest.max_items", "from 1 to 10000"),
    ('[[digest.sections]]\ntitle = "Rel\\u0000eases"', "digest.sections[0].title", "U+0000"),
    ('[[digest.sections]]\ntags = ["x"]', "digest.sections[0].title", "is required"),
    ('[authors.ada]\nname = "Ada\\nLovelace"', "authors.ada.name", "U+000A"),
    ('[authors.ada]\nemail = "ada@example.org\\r\\nBcc: x@evil.example"', "authors.ada.email",
     "an email address"),
    ('[authors.ada]\nuri = "javascript:alert(1)"', "authors.ada.uri", "scheme javascript: is not http(s)"),
    ('[authors.ada]\nuri = "data:text/html,x"', "authors.ada.uri", "scheme data:"),
    ('[authors.ada]\nslug = "../x"', "authors.ada.slug", "lower-case ASCII"),
    ("[authors]\nada = 3", "authors.ada", "a table, not 3"),
    ('[authors."a\\u001bb"]\nname = "x"', "authors.a\x1bb", "U+001B"),
    ('[tags.slugs]\n"C++" = "C++"', "tags.slugs.C++", "lower-case ASCII"),
    ('[tags.aliases]\n"c#" = "C\\u0000#"', "tags.aliases.c#", "U+0000"),
    ('[zones]\nXYZT = "Mars/Olympus_Mons"', "zones.XYZT", "unknown time zone"),
    ("[smtp]\ntimeout = -1", "smtp.timeout", "over 0 and at most 3600, not -1"),
    ("[smtp]\ntimeout = 0", "smtp.timeout", "not 0"),
    ("[smtp]\ntimeout = nan", "smtp.timeout", "not nan"),
    ("[smtp]\ntimeout = inf", "smtp.timeout", "not inf"),
    ("[smtp]\nbackoff = -1", "smtp.backoff", "from 0 to 3600"),
    ("[smtp]\nbackoff = nan", "smtp.backoff", "not nan"),
    ("[smtp]\nretries = -1", "smtp.retries", "from 0 to 100"),
    ("[smtp]\nport = 0", "smtp.port", "from 1 to 65535, not 0"),
    ("[smtp]\nport = 70000", "smtp.port", "from 1 to 65535"),
    ('[smtp]\nsecurity = "tls"', "smtp.security", "one of starttls, ssl, none"),
    ('[smtp]\nusername = "zoë"', "smtp.username", "printable ASCII"),
    ('[smtp]\nca_file = "missing-ca.pem"', "smtp.ca_file", "no such file"),
    ('[source]\npermalink = "blog/{slug.__class__.__mro__}/"', "source.permalink", "is not a plain"),
    ('[source]\npermalink = "blog/{date:>999999999}/"', "source.permalink", "is not a plain"),
    ('[source.permalinks]\nposts = "/{x[0]}/"', "source.permalinks.posts", "{x[0]}"),
]


@pytest.mark.parametrize(("extra", "key", "fragment"), BAD, ids=[c[1] + ":" + c[0][-24:] for c in BAD])
def test_bad_value_is_one_line_naming_key(site, extra, key, fragment):
    assert_refused(run_check(site, SITE + extra + "\n"), key, fragment)


@pytest.mark.parametrize(("config", "key", "fragment"), [
    ('[site]\nurl = "https://user:secret@example.org"\n', "site.url", "user:password@"),
    ('[site]\nurl = "https://example.org:99999"\n', "site.url", "not a valid URL"),
    ('[site]\nurl = "example.org"\n', "site.url", "is not http(s)"),
    ('[site]\nurl = "https://"\n', "site.url", "no host"),
    ('[site]\ntitle = "x"\n', "site.url", "is required"),
])
def test_site_url(site, config, key, fragment):
    line = assert_refused(run_check(site, config), key, fragment)
    assert "secret" not in line or "user:secret@" in line   # named, so it can be found


def test_secrets_in_the_file_are_never_echoed(site):
    result = run_check(site, SITE + '[smtp]\npassword = "hunter2"\n')
    assert result.exit_code == 2 and "FEEDLETTER_SMTP_PASSWORD" in result.stderr
    assert "hunter2" not in result.output


# Keys a list of tables needs in each entry: {"digest.sections[]": ["title"], …}
REQUIRED: dict[str, list[str]] = {}
for _key, _default, _, _ in reference_rows():
    if _default.startswith("— (required)"):
        _table, _, _name = _key.strip("`").rpartition(".")
        REQUIRED.setdefault(_table, []).append(_name)


def _toml_for(key: str, allowed: str, value: str) -> str:
    """A config setting `key` (as the README table names it) to the string `value`."""
    literal = json.dumps(value)          # a JSON string is a TOML basic string
    if allowed.startswith("a list of"):
        literal = f"[{literal}]"
    table, _, name = key.strip("`").rpartition(".")
    table = table.replace("<username>", "ada")
    if allowed.startswith(("a table of", "a table whose values")) and table.endswith("[]"):
        # a table in each entry of a list of tables (source.defaults[].values)
        return f"{SITE}[[{table[:-2]}]]\n[{table[:-2]}.{name}]\n\"k\" = {literal}\n"
    if allowed.startswith(("a table of", "a table whose values")):
        return f"{SITE}[{table}.{name}]\n\"k\" = {literal}\n"
    if table.endswith("[]"):
        required = "".join(f'{r} = "t"\n' for r in REQUIRED.get(table, ()) if r != name)
        return f"{SITE}[[{table[:-2]}]]\n{required}{name} = {literal}\n"
    if name == "<ABBR>":
        return f"{SITE}[zones]\nXYZT = {literal}\n"
    if table == "site":
        return f"[site]\n{name} = {literal}\n" + ("" if name == "url" else 'url = "https://e.org"\n')
    return f"{SITE}[{table}]\n{name} = {literal}\n"


STRING_KEYS = [(k, a) for k, _, a, _ in reference_rows()
               if not a.startswith(("an integer", "a number", "one of", "true or false"))]


@pytest.mark.parametrize(("key", "allowed"), STRING_KEYS, ids=[k.strip("`") for k, _ in STRING_KEYS])
def test_every_string_key_refuses_control_characters(site, key, allowed):
    """The mechanism, not a list: whatever string key the schema has now or gets later."""
    name = key.strip("`").replace("<username>", "ada").replace("[]", "[0]")
    name = name.replace(".<ABBR>", ".XYZT")
    if allowed.startswith(("a table of", "a table whose values")):
        name += ".k"
    if allowed.startswith("a list of"):
        name += "[0]"
    value = "https://example.org/\x1b" if "URL" in allowed else "ab\x1bc"
    assert_refused(run_check(site, _toml_for(key, allowed, value)), name)


@pytest.mark.parametrize("extra", [
    '[feeds]\nlink_pattern = "{site_url}/{year}/{month}/{day}/{slug}.html"',
    '[feeds]\nlink_pattern = "https://blog.example.org/{{archive}}/{slug}"',
    '[digest]\nsubject = "{period}: {site_title} {{weekly}}"',
    '[digest]\nintro = """\nLine one,\n\tline two.\r\n"""',
    "[smtp]\ntimeout = 5\nbackoff = 0\nretries = 0\nport = 465\nsecurity = \"ssl\"",
    '[smtp]\nca_file = "ca.pem"',           # relative to the config file
    'language = "pt-BR"\ntitle = "Zoë’s «blog» — 日本"',
    '[authors.ada]\nname = "Ada"\nemail = "ada@example.org"\nuri = "http://ada.example.org/"',
    '[source]\npermalink = "blog/{date:%Y}/{date:%m}/{date:%-d}/{slug}/"',   # Pelican's ARTICLE_URL
    '[source]\npermalink = "/news/:year/:month/:day/:title/"',               # Jekyll's
])
def test_good_values_are_accepted(site, extra):
    (site.root / "ca.pem").write_text("not read by check\n")
    result = run_check(site, SITE + extra + "\n")
    assert result.exit_code == 0, result.output


def test_readme_reference_is_the_schema():
    readme = (REPO / "README.md").read_text("utf-8")
    table = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"
    assert table == reference_table(), "run: python -m feedletter.config README.md"
