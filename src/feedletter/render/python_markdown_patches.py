"""feedletter's speed patches to Python-Markdown: a fork of some of its internals.

Each patch names the upstream function it shadows; they were checked against
Python-Markdown 3.11.3. `tests/test_render.py`
renders texts with a patched and a stock instance and fails when upstream changes under
them. Nothing outside `python_markdown.py` knows these exist.
"""

from __future__ import annotations

import bisect
import re
import sys


def patch(md) -> None:
    """Apply every patch to `md` (a Markdown instance with `extra` and `sane_lists`)."""
    _linear_links(md)
    _bounded_start_tags()
    _skip_hopeless_patterns(md)
    _skip_hopeless_blocks(md)
    _skip_hopeless_passes(md)
    _set_of_block_elements(md)
    _listed_block_processors(md)


def _listed_block_processors(md) -> None:
    """The block processors in a list made once, not on every block.

    Python-Markdown's registry sorts and copies itself into a new list each time it is
    iterated, and the block parser iterates it for every block of every post. The list
    is made again after any register or deregister.
    """
    from markdown.util import Registry

    registry = md.parser.blockprocessors
    if type(registry) is not Registry:
        return

    class Listed(Registry):
        _listed: list | None = None

        def __iter__(self):
            if self._listed is None:
                self._listed = list(Registry.__iter__(self))
            return iter(self._listed)

        def register(self, *args, **kwargs) -> None:
            self._listed = None
            Registry.register(self, *args, **kwargs)

        def deregister(self, *args, **kwargs) -> None:
            self._listed = None
            Registry.deregister(self, *args, **kwargs)

    registry.__class__ = Listed


def _registered(registry, name: str, cls: str):
    """The processor registered as `name` if it is of the class named `cls` (the one the
    needles were written for), else None: another extension's is left alone."""
    processor = registry[name] if name in registry else None
    return processor if type(processor).__name__ == cls else None


def _unchanged(value):
    return value


def _nothing(root) -> None:
    return None


# Whole-document passes that cannot change a document without one of these strings:
# (registry, name, class name, needles). Fenced code needs a fence; attribute lists a '{'
# (an escaped or entity '{' is a placeholder until after them); the raw-HTML extractor
# hands back a text without '<' and '&' exactly as it got it (HTMLParser calls no
# handler but handle_data on such a text); the placeholders `unescape` restores are made
# only by backslash escapes.
_PASS_NEEDLES = (
    ("preprocessors", "fenced_code_block", "FencedBlockPreprocessor", ("```", "~~~")),
    ("preprocessors", "html_block", "HtmlBlockPreprocessor", ("<", "&")),
    ("treeprocessors", "attr_list", "AttrListTreeprocessor", ("{",)),
    ("treeprocessors", "unescape", "UnescapeTreeprocessor", ("\\",)),
)


def _skip_hopeless_passes(md) -> None:
    """Run a whole-document pass only on a document that has a string it needs.

    The passes in `_PASS_NEEDLES` cost ~0.5 ms on a 4 kB post that has nothing for them.
    Which to skip is decided per document, from its source, in `convert`.
    """
    gated = []
    for registry, name, cls, needles in _PASS_NEEDLES:
        processor = _registered(getattr(md, registry), name, cls)
        if processor is not None:
            idle = _unchanged if registry == "preprocessors" else _nothing
            gated.append((processor, processor.run, idle, needles))
    if not gated:
        return
    convert = md.convert

    def gated_convert(source: str) -> str:
        # normalize_whitespace drops STX and ETX before these passes: so do the needles
        text = source.replace("\x02", "").replace("\x03", "") \
            if "\x02" in source or "\x03" in source else source
        for processor, run, idle, needles in gated:
            processor.run = run if any(n in text for n in needles) else idle
        return convert(source)

    md.convert = gated_convert


def _set_of_block_elements(md) -> None:
    """`md.is_block_level` from a set, not a scan of a list of 59 tags (~150 calls a post).

    The set is remade whenever the list is replaced or changes length (an extension
    appending a tag after start-up)."""
    made: list = [None, -1, frozenset()]

    def is_block_level(tag) -> bool:
        if not isinstance(tag, str):
            return False
        elements = md.block_level_elements
        if made[0] is not elements or made[1] != len(elements):
            made[:] = [elements, len(elements), frozenset(elements)]
        return tag.lower().rstrip("/") in made[2]

    md.is_block_level = is_block_level


# Block processors whose test (or, for those whose test is always true, whose run) cannot
# succeed on a block without one of these strings: (name, class name, needles).
_BLOCK_NEEDLES = (
    ("table", "TableProcessor", ("|",)),
    ("hashheader", "HashHeaderProcessor", ("#",)),
    ("setextheader", "SetextHeaderProcessor", ("\n=", "\n-")),
    ("deflist", "DefListProcessor", (": ",)),
    # a rule is a line of three '-', '_' or '*', each up to two spaces from the next
    ("hr", "HRProcessor", ("--", "- -", "-  -", "__", "_ _", "_  _", "**", "* *", "*  *")),
    ("quote", "BlockQuoteProcessor", (">",)),
    ("footnote", "FootnoteBlockProcessor", ("[^",)),
    ("abbr", "AbbrBlockprocessor", ("*[",)),
    ("reference", "ReferenceProcessor", ("]:",)),
)


def _skip_hopeless_blocks(md) -> None:
    """Ask a block processor about a block only if the block has a string it needs.

    Every paragraph goes past ~16 block processors, most of which run a regular
    expression over the whole block (a table looks for '|', a header for '#'): a third
    of the block parser's time. A skipped test is exactly a failed one: those tests have
    no effect when they fail, and the processors whose test is always true put the block
    back unchanged when their run finds nothing. Processors of another class under the
    same name (another extension) are left alone.
    """
    for name, cls, needles in _BLOCK_NEEDLES:
        processor = _registered(md.parser.blockprocessors, name, cls)
        if processor is None:
            continue
        test = processor.test
        if len(needles) == 1:
            def gated(parent, block: str, _test=test, _needle=needles[0]) -> bool:
                return _needle in block and _test(parent, block)
        else:
            def gated(parent, block: str, _test=test, _needles=needles) -> bool:
                return any(n in block for n in _needles) and _test(parent, block)
        processor.test = gated


# Characters an inline pattern cannot match without (one of them must be in the text).
_NEEDLES = {
    "backtick": "`", "escape": "\\", "footnote": "[^", "reference": "[", "link": "[",
    "short_reference": "[", "image_link": "![", "image_reference": "![",
    "short_image_ref": "![", "autolink": "<", "automail": "<", "html": "<",
    "linebreak": "  \n", "entity": "&", "em_strong": ("*", "_"), "em_strong2": "_",
    "not_strong": ("*", "_"),
}


def _skip_hopeless_patterns(md) -> None:
    """Try an inline pattern on a text only if the text has a character it needs.

    Python-Markdown tries each of its ~15 inline patterns on every text of every element,
    and most texts have no '[', '<', '`' or '*' at all: those tries were a third of the
    time spent on a typical post. Likewise the reference patterns, in a document without
    reference definitions. A skipped try is exactly a failed one (the text unchanged, the
    next pattern's search starting at 0), so the output is the same.
    """
    from markdown import util

    processor = md.treeprocessors["inline"]
    names = [item.name for item in sorted(md.inlinePatterns._priority, key=lambda i: i.priority,
                                          reverse=True)]
    patterns = [md.inlinePatterns[name] for name in names]
    apply = getattr(processor, "_InlineProcessor__applyPattern", None)
    if apply is None or patterns != list(md.inlinePatterns):
        return          # another Python-Markdown inside: keep its own (slower) loop
    from markdown.inlinepatterns import ReferenceInlineProcessor

    needles = [_NEEDLES.get(name) for name in names]
    # Without reference definitions in the document a reference pattern never changes the
    # text (its handleMatch returns no node for an undefined reference): skip it.
    unreferenced = [False if isinstance(pattern, ReferenceInlineProcessor) else needed
                    for pattern, needed in zip(patterns, needles, strict=True)]
    count = len(patterns)

    def handle_inline(data: str, index: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        start = 0
        table = needles if md.references else unreferenced
        while index < count:
            needed = table[index]
            if needed is False or needed is not None and (
                    needed not in data if isinstance(needed, str)
                    else not any(n in data for n in needed)):
                index, start = index + 1, 0
                continue
            data, matched, start = apply(patterns[index], data, index, start)
            if not matched:
                index += 1
        return data

    processor._InlineProcessor__handleInline = handle_inline


class _BoundedScan:
    """A start-tag pattern whose scans over one text are bounded in total.

    Python's tolerant HTML parser looks for the end of a start tag by scanning attributes,
    and an unclosed `<tag` scans on to the end of the text. The parser then takes the '<'
    as text and tries again one character later, so n unclosed tags cost n × the text's
    length (20,000 '<iframe src=x' lines took minutes). Here the scans of one text may
    cover `budget` characters (4 × the text, at least 1 MB: no real post comes near);
    after that each scan looks at most `window` characters ahead, and a start tag longer
    than that is text. Below the budget the results are exactly the original's.
    """

    window = 512

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.text: str | None = None
        self.left = 0

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        if text is not self.text:       # a new text: the next document (or its rest)
            self.text, self.left = text, max(1 << 20, 4 * len(text))
        if self.left <= 0:
            endpos = min(endpos, pos + self.window)
        m = self.pattern.match(text, pos, endpos)
        if m:
            self.left -= m.end() - pos
        return m

    def __getattr__(self, name: str):       # any other use of the pattern: unbounded
        if name == "pattern":               # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.pattern, name)


def _bounded_start_tags() -> None:
    """Bound the raw-HTML parser's start-tag scans (see `_BoundedScan`)."""
    from markdown.htmlparser import htmlparser

    for name in ("locatestarttagend_tolerant", "locatetagend"):     # 3.11–3.12, 3.13+
        pattern = getattr(htmlparser, name, None)
        if isinstance(pattern, re.Pattern):
            setattr(htmlparser, name, _BoundedScan(pattern))


class _Brackets:
    """Where each '[' and '(' of one text closes, found in one pass over the text."""

    def __init__(self, data: str) -> None:
        self.data = data
        self.square = self._pairs(data, "[", "]")
        self.round = self._pairs(data, "(", ")")
        self.quotes = [m.start() for m in re.finditer("[\"']", data)]

    @staticmethod
    def _pairs(data: str, opening: str, closing: str) -> dict[int, int]:
        pairs: dict[int, int] = {}
        stack: list[int] = []
        for m in re.finditer(re.escape(opening) + "|" + re.escape(closing), data):
            if m.group() == opening:
                stack.append(m.start())
            elif stack:
                pairs[stack.pop()] = m.start()
        return pairs


def _linear_links(md) -> None:
    """Make Python-Markdown's link, image and reference search linear in the text.

    Its `getText` and `getLink` scan from every '[' and '(' to the end of the paragraph
    for the matching bracket, so n unmatched brackets cost n × the paragraph's length:
    4,000 lines of pasted terminal output (every colour code leaves a '[') took minutes.
    Here the matches come from a table made once per text; the results are the same.
    A destination with quotes (a link title) still takes the original scan, over at most
    `window` characters; a footnote id is at most 256 characters.
    """
    from markdown.inlinepatterns import LinkInlineProcessor

    window = 4096
    last: list[_Brackets] = []

    def tables(data: str) -> _Brackets:
        if not last or last[0].data is not data:
            last[:] = [_Brackets(data)]
        return last[0]

    # Each finds the bracket closing the one at `index` - 1 (or `index`) as the tables do,
    # first without them: the next closing bracket, when no opening one comes before it.
    # That is the answer for nearly every link, and the tables are made only for the rest.

    def get_text(data: str, index: int) -> tuple[str, int, bool]:
        if data[index - 1:index] != "[":
            return "", len(data), False
        close = data.find("]", index)
        if close < 0 or data.find("[", index, close) >= 0:
            close = tables(data).square.get(index - 1)
            if close is None:
                return "", len(data), False
        return data[index:close], close + 1, True

    def wrap_get_link(original):
        def get_link(data: str, index: int):
            m = LinkInlineProcessor.RE_LINK.match(data, pos=index)
            if m and not m.group(1):
                close = data.find(")", index + 1)
                if close >= 0 and data.find("(", index + 1, close) < 0:
                    if data.find('"', m.end(), close) < 0 and data.find("'", m.end(), close) < 0:
                        return original(data[index:close + 1], 0)[:2] + (close + 1, True)
                t = tables(data)
                close = t.round.get(index)
                end = len(data) if close is None else close
                q = bisect.bisect_left(t.quotes, m.end())
                if q == len(t.quotes) or t.quotes[q] >= end:      # no title: plain nesting
                    if close is None:
                        return "", None, len(data), False
                    return original(data[index:close + 1], 0)[:2] + (close + 1, True)
            href, title, end, handled = original(data[index:index + window], 0)
            # an unclosed title makes the original answer -1 ("from the end"): keep that
            return href, title, end + index if end >= 0 else end, handled
        return get_link

    for processor in md.inlinePatterns:
        if isinstance(processor, LinkInlineProcessor):
            processor.getText = get_text
            processor.getLink = wrap_get_link(processor.getLink)
    # The footnote marker's `[^\]]*` tries every '[^' to the end of the text: bound it.
    if "footnote" in md.inlinePatterns:
        md.inlinePatterns["footnote"].compiled_re = re.compile(r"\[\^([^\]]{0,256})\]", re.S)


# A URL whose join with a base depends on the base's scheme and host only: one with its
# own host (and maybe scheme), or a path from the root. Most URLs of a site are one of
