"""Compare the Markdown engines: speed on post bodies, and CommonMark spec conformance.

    python bench/engines.py --posts DIR [--count 3000] [--passes 5] [--spec spec.txt]

Speed: the bodies of the first `count` posts of DIR (e.g. the synthetic corpus of
`../shared/bench/make_corpus.py OUT 10000`), each engine the best of `passes` passes.
Spec: `spec.txt` of commonmark/commonmark-spec, every example through pulldown-cmark and
cmark-gfm, compared as the spec's own runner does (`"` and `&quot;` alike, no line breaks
between tags). README "Markdown engines" has the figures.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

from feedletter.render import commonmark, python_markdown

FENCE = "`" * 32 + " example"


def gfm(text: str) -> str:
    return cmarkgfm.markdown_to_html_with_extensions(
        text, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES,
        extensions=["table", "strikethrough", "autolink", "tasklist"])


ENGINES = {"pulldown-cmark (pyromark)": commonmark.convert, "cmark-gfm (cmarkgfm)": gfm,
           "Python-Markdown (feedletter's)": python_markdown.convert}


def bodies(folder: Path, count: int) -> list[str]:
    out = []
    for path in sorted(folder.rglob("*.md"))[:count]:
        parts = path.read_text(encoding="utf-8").split("---\n", 2)
        out.append(parts[2] if len(parts) == 3 else parts[-1])
    return out


def spec_examples(spec: Path) -> list[tuple[str, str]]:
    lines, examples, i = spec.read_text(encoding="utf-8").split("\n"), [], 0
    while i < len(lines):
        if lines[i].startswith(FENCE):
            j = lines.index(".", i + 1)
            k = lines.index("`" * 32, j + 1)
            md, html = lines[i + 1:j], lines[j + 1:k]
            examples.append((("\n".join(md) + "\n" if md else "").replace("→", "\t"),
                             ("\n".join(html) + "\n" if html else "").replace("→", "\t")))
            i = k
        i += 1
    return examples


def normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", html.replace("&quot;", '"')).strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=Path, required=True)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--spec", type=Path)
    args = ap.parse_args()
    texts = bodies(args.posts, args.count)
    size = sum(map(len, texts))
    print(f"{len(texts)} bodies, {size / len(texts):.0f} characters on average")
    for name, convert in ENGINES.items():
        convert(texts[0])
        best = min(_timed(convert, texts) for _ in range(args.passes))
        print(f"{name:32s} {best * 1000 / len(texts):.3f} ms per post")
    if args.spec:
        examples = spec_examples(args.spec)
        for name, convert in list(ENGINES.items())[:2]:
            passed = sum(normalized(convert(md)) == normalized(html) for md, html in examples)
            print(f"{name:32s} {passed} of {len(examples)} spec examples")


def _timed(convert, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        convert(text)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
