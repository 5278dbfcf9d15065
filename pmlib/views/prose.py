"""Narrative as notebook outputs: Markdown that every renderer reads the same way.

Officers' commentary comes from a spreadsheet anyone can type into. It is
read once, by ``pmlib.contract.officer_text``, into the few constructs the
contract allows, and ``user_markdown`` writes those back as Markdown in which
every other character is backslash-escaped: Pandoc, Quarto and the built-in
renderer then read only what pmlib wrote (no raw attribute, shortcode, math,
heading, code or HTML can come from the text), and show the rest as typed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pmlib.contract import officer_text


def escape_html(text: object) -> str:
    """``<``, ``>`` and ``&`` as entities, nothing else changed; blank gives ``""``. Text going into Markdown takes ``literal_markdown``."""
    return html.escape(text, quote=False) if isinstance(text, str) else ""


_PUNCTUATION = re.compile(r"([!-%'-/:;=?@\[-`{-~])")  # ASCII punctuation but & < >, which become entities
_INDENT = re.compile(r"(?<=\n)[ \t]+")  # four spaces would start a code block; HTML drops them anyway
_CONTINUATION = re.compile(r"(?<=\n)(?=.)")  # where a list item's later lines start, indented under its text
_LINK_UNSAFE = re.compile(r"[\s()<>\\`]")


def literal_markdown(text: object) -> str:
    """Text from the data as Markdown every reader shows as typed; blank gives ``""``.

    ``&``, ``<`` and ``>`` become entities and every other ASCII punctuation
    character is backslash-escaped, and a line's leading spaces are dropped,
    so a measure's name or a plan's description can no more make a link,
    heading, code block, raw Typst or shortcode than commentary can.
    """
    if not isinstance(text, str):
        return ""
    return escape_html(_PUNCTUATION.sub(r"\\\1", _INDENT.sub("", text)))


def user_markdown(value: object) -> str:
    """An officer's commentary or action as Markdown: paragraphs, emphasis, lists and allowed links; the rest as text.

    A line starting with ``#`` in a spreadsheet cell is a number or a note,
    not a heading, and a link to any scheme but https, http or mailto is shown
    as typed (``pm check`` warns of it).
    """
    return "\n\n".join(_block(block) for block in officer_text.parse(value))


def _block(block: officer_text.Block) -> str:
    if isinstance(block, officer_text.Paragraph):
        return _inlines(block.inlines)
    items = []
    for number, item in enumerate(block.items, start=block.start):
        marker = f"{number}. " if block.ordered else "- "
        body = "\n\n".join(_block(b) for b in item)
        items.append(marker + _CONTINUATION.sub(" " * len(marker), body))
    return "\n".join(items)


def _inlines(inlines: tuple[officer_text.Inline, ...]) -> str:
    out = []
    for inline in inlines:
        if isinstance(inline, officer_text.Text):
            out.append(literal_markdown(inline.text))
        elif isinstance(inline, officer_text.Break):
            out.append("\n")
        elif isinstance(inline, officer_text.Emphasis):
            mark = "**" if inline.strong else "*"
            out.append(f"{mark}{_inlines(inline.inlines)}{mark}")
        else:
            href = _LINK_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", inline.href).replace("&", "\\&")
            out.append(f"[{_inlines(inline.inlines)}]({href})")
    return "".join(out)


@dataclass(frozen=True)
class Prose:
    """A Markdown output: shown as formatted text in Jupyter, Quarto and the built-in renderer."""

    markdown: str

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.markdown, "text/plain": self.markdown}

    def __add__(self, other: Prose) -> Prose:
        return Prose(f"{self.markdown}\n\n{other.markdown}")


def heading(level: int, text: str) -> str:
    """A Markdown heading line with the text escaped."""
    return f"{'#' * level} {literal_markdown(text)}"
