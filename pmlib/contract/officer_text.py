"""Officers' text: the one reader of the commentary and corrective actions councils type into their data.

The contract allows paragraphs, emphasis, lists, and links to ``https:``,
``http:`` and ``mailto:`` addresses in that text; everything else is text to
show as typed. This module reads a cell into those constructs alone, with
markdown-it-py's smallest preset (no HTML, headings, code, images, tables,
autolinks, entities or reference definitions), so nothing a full Markdown,
Pandoc or Quarto reader would act on (raw attributes, shortcodes, math) can
come from it. A link to any other scheme is not read as a link at all, so
it stays as typed, brackets and address included. The views write each
output from what this returns; the text itself is never handed to another
reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("https", "http", "mailto")

_READER = MarkdownIt("zero").enable(["emphasis", "list", "link", "newline", "escape"])
_FINDER = MarkdownIt("zero").enable(["link", "image", "autolink", "reference"])
_FINDER.validateLink = lambda url: True
_FINDER.normalizeLink = lambda url: url  # an address is named to the officer as typed, not percent-encoded
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def given(text: object) -> bool:
    """Whether a text cell holds anything besides spaces: the one test of whether an officer's commentary was given.

    Every table saying "Given" or "Commentary missing" uses it, so they
    agree, and ``pmlib.run.reuse`` keys the notebooks that show only this on
    exactly this.
    """
    return isinstance(text, str) and bool(text.strip())


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


_READER.validateLink = allowed_link  # a refused link is not a link at all: its brackets stay as typed


def parse(text: object) -> tuple[Block, ...]:
    """The blocks of one cell; blank or missing gives ``()``."""
    if not isinstance(text, str) or not text.strip():
        return ()
    blocks, _ = _blocks(_READER.parse(text.strip()), 0)
    return blocks


def refused_links(text: object) -> list[str]:
    """Each link target in ``text`` with a scheme that is not allowed, however it is written.

    A reader that knows every way Markdown writes a link (inline, reference,
    autolink, image) looks for them, so an officer is told of each one that
    another tool would have followed; ``parse`` shows all of them as typed.
    """
    if not isinstance(text, str):
        return []
    env: dict = {}
    found = []
    for token in _FINDER.parse(text, env):
        for child in token.children or ():
            if child.type in ("link_open", "image"):
                found.append(str(child.attrs.get("href", child.attrs.get("src", ""))))
    found += [str(reference["href"]) for reference in env.get("references", {}).values()]
    return [href for href in dict.fromkeys(found) if not allowed_link(href)]


_BARE = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]`]+", re.IGNORECASE)


def bare_addresses(text: object) -> list[str]:
    """Web addresses typed as plain words, outside any link: shown as text, as typed, so a reader cannot follow them."""
    if not isinstance(text, str):
        return []
    found = []
    for token in _FINDER.parse(text, {}):
        inside = False
        for child in token.children or ():
            if child.type == "link_open":
                inside = True
            elif child.type == "link_close":
                inside = False
            elif child.type == "text" and not inside:
                found += [m.group(0).rstrip(".,;:!?'\"") for m in _BARE.finditer(child.content)]
    return list(dict.fromkeys(found))


def as_link(address: str) -> str:
    """How to write a bare address as a link, for the warning: ``[the page's name](https://...)``."""
    href = address if re.match(r"https?://", address, re.IGNORECASE) else f"https://{address}"
    return f"[the page's name]({href})"


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
                stack[-1][2].append(Link(href, tuple(inner)))
            else:
                stack[-1][2].append(Emphasis(kind == "strong_open", tuple(inner)))
    return tuple(stack[0][2])
