"""Officers' text: the one reader of the commentary and corrective actions councils type into their data.

The contract allows paragraphs, emphasis, lists, and links to ``https:``,
``http:`` and ``mailto:`` addresses in that text; everything else is text to
show as typed. This module reads a cell into those constructs alone, with
markdown-it-py's smallest preset (no HTML, headings, code, images, tables,
autolinks, entities or reference definitions), so nothing a full Markdown,
Pandoc or Quarto reader would act on (raw attributes, shortcodes, math) can
come from it. The views write each output from what this returns; the text
itself is never handed to another reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("https", "http", "mailto")

_READER = MarkdownIt("zero").enable(["emphasis", "list", "link", "newline", "escape"])
_READER.validateLink = lambda url: True  # every link is judged here, so a refused one can be reported
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Text:
    """Characters to show exactly as typed."""

    text: str


@dataclass(frozen=True)
class Break:
    """A line break inside a paragraph."""


@dataclass(frozen=True)
class Emphasis:
    """Emphasised (``*x*``) or strong (``**x**``) text."""

    strong: bool
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    """A link to an ``https:``, ``http:`` or ``mailto:`` address."""

    href: str
    inlines: tuple[Inline, ...]


Inline = Text | Break | Emphasis | Link


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inline text."""

    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class ListBlock:
    """A bulleted or numbered list; each item is its own blocks."""

    ordered: bool
    start: int
    items: tuple[tuple[Block, ...], ...]


Block = Paragraph | ListBlock


def allowed_link(href: str) -> bool:
    """Whether a link may stay a link: its scheme, read as a browser would (case and control characters ignored), is allowed."""
    scheme = urlsplit(_CONTROL.sub("", href)).scheme.lower()
    return scheme in ALLOWED_SCHEMES


def parse(text: object) -> tuple[Block, ...]:
    """The blocks of one cell; blank or missing gives ``()``."""
    if not isinstance(text, str) or not text.strip():
        return ()
    blocks, _ = _blocks(_READER.parse(text.strip()), 0)
    return blocks


def refused_links(text: object) -> list[str]:
    """Each link target in ``text`` that will be shown as text because its scheme is not allowed."""
    if not isinstance(text, str):
        return []
    found = []
    for token in _READER.parse(text):
        for child in token.children or ():
            href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
            if child.type == "link_open" and not allowed_link(href):
                found.append(href)
    return found


def _blocks(tokens, i: int, close: str | None = None) -> tuple[tuple[Block, ...], int]:
    out: list[Block] = []
    while i < len(tokens) and tokens[i].type != close:
        token = tokens[i]
        if token.type == "paragraph_open":
            out.append(Paragraph(_inlines(tokens[i + 1].children or [])))
            i += 3
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            ordered = token.type == "ordered_list_open"
            start = int(token.attrs.get("start", 1)) if ordered else 1
            items, i = [], i + 1
            while tokens[i].type == "list_item_open":
                item, i = _blocks(tokens, i + 1, "list_item_close")
                items.append(item)
                i += 1
            out.append(ListBlock(ordered, start, tuple(items)))
            i += 1
        else:
            i += 1
    return tuple(out), i


def _inlines(children) -> tuple[Inline, ...]:
    stack: list[tuple[str, str, list[Inline]]] = [("", "", [])]
    for child in children:
        if child.type == "text":
            stack[-1][2].append(Text(child.content))
        elif child.type in ("softbreak", "hardbreak"):
            stack[-1][2].append(Break())
        elif child.type in ("em_open", "strong_open", "link_open"):
            stack.append((child.type, str(child.attrs.get("href", "")), []))
        elif child.type in ("em_close", "strong_close", "link_close") and len(stack) > 1:
            kind, href, inner = stack.pop()
            if kind == "link_open":
                stack[-1][2].extend([Link(href, tuple(inner))] if allowed_link(href) else inner)
            else:
                stack[-1][2].append(Emphasis(kind == "strong_open", tuple(inner)))
    return tuple(stack[0][2])
