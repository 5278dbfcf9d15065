"""The executed notebooks as a renderer sees them: which cells show, and which output of each.

Quarto shows a notebook's outputs without its code (``echo: false``), drops
cells tagged ``remove-cell``, and picks one representation of each output
per format: HTML where the page can show it, otherwise Markdown or SVG. The
built-in renderer follows the same choices from the same files, so the two
paths cannot disagree about content, and it refuses Quarto syntax it does not
implement rather than printing it as text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import nbformat

from pmlib.errors import Problem, UnsupportedSyntaxError

Target = Literal["html", "pack"]
Kind = Literal["markdown", "html", "svg", "text"]

# Representation chosen for each output, best first, as Quarto picks them for HTML and for Typst.
PREFERENCE: dict[str, tuple[str, ...]] = {
    "html": ("text/html", "image/svg+xml", "text/markdown", "text/plain"),
    "pack": ("text/markdown", "image/svg+xml", "text/html", "text/plain"),
}
_KIND = {"text/html": "html", "image/svg+xml": "svg", "text/markdown": "markdown", "text/plain": "text"}
HIDDEN_TAGS = frozenset({"remove-cell", "parameters", "injected-parameters"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output"})

# Quarto syntax the built-in renderer does not implement; finding any is an error, never silent text.
UNSUPPORTED = {
    "shortcode": re.compile(r"\{\{<.*?>\}\}"),
    "div or callout": re.compile(r"^:::", re.MULTILINE),
    "cross-reference": re.compile(r"(?<![\w@])@(fig|tbl|sec|eq|lst)-[\w-]+"),
    "cell option": re.compile(r"^#\|", re.MULTILINE),
    "attribute block": re.compile(r"\]\{[#.][^}]*\}"),
}


@dataclass(frozen=True)
class Block:
    """One piece of a page: Markdown to convert, HTML or SVG to insert as is, or plain text to escape.

    ``tokens`` is checked Markdown's parse (``documents.markdown_problems``),
    kept so that rendering it does not parse it again; it is not part of the
    block's value.
    """

    kind: Kind
    content: str
    cell_id: str
    tokens: tuple | None = field(default=None, compare=False, repr=False)


def unsupported_syntax(text: str, where: str) -> list[Problem]:
    """Every construct in ``text`` that Quarto would interpret and the built-in renderer would not."""
    problems = []
    for what, pattern in UNSUPPORTED.items():
        for match in pattern.finditer(text):
            line = text[: match.start()].count("\n") + 1
            found = match.group(0)[:40]
            message = f"Quarto {what} {found!r} is not handled by the built-in renderer; write plain Markdown"
            problems.append(Problem(where, line, what, message))
    return problems


def pick(output: dict, target: Target) -> tuple[str, str] | None:
    """The MIME type and content Quarto would use for one output in ``target``, or None if nothing shows."""
    if output.get("output_type") == "stream":
        return "text/plain", output.get("text", "")
    data = output.get("data", {})
    for mime in PREFERENCE[target]:
        if mime in data:
            value = data[mime]
            return mime, "".join(value) if isinstance(value, list) else value
    return None


def read_blocks(path: str | os.PathLike, target: Target, *, echo: bool = False, text: str | None = None) -> list[Block]:
    """The blocks of an executed notebook for ``target``, in order; raises on unsupported syntax or error outputs.

    ``text`` is the notebook file's content when the caller has already read it.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4) if text is None else nbformat.reads(text, as_version=4)
    blocks: list[Block] = []
    problems: list[Problem] = []
    for number, cell in enumerate(nb.cells, 1):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & HIDDEN_TAGS:
            continue
        where = f"{path.as_posix()} cell {number}"
        if cell.cell_type == "markdown":
            problems += unsupported_syntax(cell.source, where)
            blocks.append(Block("markdown", cell.source, cell.get("id", str(number))))
            continue
        if cell.cell_type != "code":
            continue
        problems += unsupported_syntax(cell.source, where)
        if echo:
            blocks.append(Block("markdown", f"```python\n{cell.source}\n```", cell.get("id", str(number))))
        if tags & REMOVE_OUTPUT_TAGS:
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(Problem(where, None, None, f"the notebook holds an error ({output.get('ename')}); run pm run again"))
                continue
            chosen = pick(output, target)
            if chosen is None:
                continue
            mime, content = chosen
            if mime == "text/markdown":
                problems += unsupported_syntax(content, where)
            blocks.append(Block(_KIND[mime], content, cell.get("id", str(number))))
    if problems:
        raise UnsupportedSyntaxError(problems)
    return blocks


def page_title(blocks: list[Block], fallback: str) -> str:
    """The first level-one Markdown heading, which the notebooks write as their title."""
    for block in blocks:
        if block.kind == "markdown":
            match = re.search(r"^# (.+)$", block.content, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback
