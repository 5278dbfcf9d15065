"""Narrative as notebook outputs: Markdown that every renderer reads the same way.

Officers' commentary is plain text with Markdown emphasis and lists, but it
comes from a spreadsheet anyone can type into, so raw HTML in it must show as
text and never run. ``escape_html`` makes that so before any Markdown is built.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


def escape_html(text: object) -> str:
    """Text safe to put in Markdown: ``<``, ``>`` and ``&`` become entities, Markdown emphasis survives; blank gives ``""``."""
    return html.escape(text, quote=False) if isinstance(text, str) else ""


_BLOCK_START = re.compile(r"^([ \t]{0,3})(#|=|```|~~~)", re.MULTILINE)


def user_markdown(value: object) -> str:
    """An officer's commentary: Markdown emphasis and lists kept, HTML shown as text, no headings or code fences.

    A line starting with ``#`` in a spreadsheet cell is a number or a note, not a
    heading; left alone it would break the page's heading order.
    """
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", escape_html(value).strip())


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
    return f"{'#' * level} {escape_html(text)}"
