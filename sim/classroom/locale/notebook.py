"""Notebook 04 in the class's languages, through the same catalogue as the app.

The English notebook is the source. Its messages are its Markdown paragraphs, its
blocks of code comments and the ``_()`` calls in its code: ``extract_notebook`` hands
them to Babel's extractor (see ``babel.cfg``). ``translate_notebook`` makes the
notebook of another language from the catalogue, and running this module writes it:

    python -m sim.classroom.locale.notebook          # notebooks/fr/04-classroom.ipynb

The code is the same in every language except the line that picks the language, so
the numbers are the model's own in both.
"""

from __future__ import annotations

import copy
import io
import json
import re
import textwrap
import tokenize
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from sim.classroom.locale import LANGUAGES, SOURCE, Texts

__all__ = ["NOTEBOOK", "extract_notebook", "translate_notebook", "translated_path", "main"]

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK = ROOT / "notebooks" / "04-classroom.ipynb"
# The line of the size cell that picks the language; the translation sets its default.
_LANG_LINE = re.compile(r'^(LANG = os\.environ\.get\("SIM_NB_LANG", )"(\w+)"(\).*)$', re.M)
_WIDTH = 100  # ruff's line length


def translated_path(lang: str) -> Path:
    """Where the notebook in ``lang`` lives: ``notebooks/LANG/04-classroom.ipynb``."""
    return NOTEBOOK.parent / lang / NOTEBOOK.name


def _source(cell: Mapping[str, Any]) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def _paragraphs(markdown: str) -> list[str]:
    return [p for p in markdown.split("\n\n") if p.strip()]


def _comment_blocks(code: str) -> list[tuple[int, int, int, str]]:
    """Blocks of whole-line comments: (first line, last line, column, text) with the
    text of the block joined into one message (lines numbered from 0)."""
    lines = code.split("\n")
    blocks: list[tuple[int, int, int, str]] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return blocks
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        row, col = tok.start[0] - 1, tok.start[1]
        if lines[row][:col].strip():
            continue  # a comment after code stays as it is
        text = tok.string.lstrip("#").strip()
        if blocks and blocks[-1][1] == row - 1 and blocks[-1][2] == col:
            first, _, _, before = blocks[-1]
            blocks[-1] = (first, row, col, f"{before} {text}")
        else:
            blocks.append((row, row, col, text))
    return blocks


def extract_notebook(
    fileobj: Any, keywords: Collection[str], comment_tags: Collection[str], options: dict
) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    """Babel extractor: a notebook's paragraphs, comment blocks and ``_()`` messages.

    Line numbers are cell numbers (from 1).
    """
    from babel.messages.extract import extract_python

    cells = json.load(fileobj)["cells"]
    for number, cell in enumerate(cells, start=1):
        source = _source(cell)
        if cell["cell_type"] == "markdown":
            for paragraph in _paragraphs(source):
                yield number, None, paragraph, []
        elif cell["cell_type"] == "code":
            for _first, _last, _col, text in _comment_blocks(source):
                yield number, None, text, []
            python = io.BytesIO(source.encode("utf-8"))
            for _line, func, message, comments in extract_python(
                python, keywords, comment_tags, options
            ):
                yield number, func, message, comments


def _translate_comments(code: str, texts: Texts) -> str:
    lines = code.split("\n")
    for first, last, col, text in reversed(_comment_blocks(code)):
        width = _WIDTH - col - 2
        wrapped = textwrap.wrap(texts(text), width=width) or [""]
        lines[first : last + 1] = [" " * col + "# " + w for w in wrapped]
    return "\n".join(lines)


def _set_source(cell: dict, text: str) -> None:
    cell["source"] = text.splitlines(keepends=True)


def translate_notebook(notebook: dict, lang: str) -> dict:
    """The notebook with its paragraphs and comments in ``lang`` and ``LANG`` set to it."""
    texts = Texts(lang)
    out = copy.deepcopy(notebook)
    for cell in out["cells"]:
        source = _source(cell)
        if cell["cell_type"] == "markdown":
            parts = source.split("\n\n")
            _set_source(cell, "\n\n".join(texts(p) if p.strip() else p for p in parts))
        elif cell["cell_type"] == "code":
            source = _LANG_LINE.sub(lambda m: f'{m.group(1)}"{lang}"{m.group(3)}', source)
            _set_source(cell, _translate_comments(source, texts))
    return out


def render(notebook: dict) -> str:
    """A notebook as Jupyter writes it (one-space indent, a final newline)."""
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the notebook in every language but the source one."""
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for lang in LANGUAGES:
        if lang != SOURCE:
            path = translated_path(lang)
            path.parent.mkdir(exist_ok=True)
            path.write_text(render(translate_notebook(notebook, lang)), encoding="utf-8")
            print(f"Wrote {path}")


if __name__ == "__main__":
    main()
