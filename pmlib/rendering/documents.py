"""The site's sources as documents: executed notebooks and generated ``.qmd`` pages, read the way Quarto reads them.

Both kinds become a title and a list of blocks. Markdown is converted with
markdown-it-py with raw HTML disabled, so text typed into a spreadsheet can
never become markup; HTML reaches a page only from notebook outputs and from
```` ```{=html} ```` blocks, both written by pmlib. Markdown that Quarto would
read differently from the built-in renderer (raw HTML, executable code
blocks, images, the constructs ``sources.UNSUPPORTED`` lists) is refused with
``UnsupportedSyntaxError`` rather than shown wrongly.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pmlib.contract.periods import Period
from pmlib.errors import ConfigError, Problem
from pmlib.rendering.sources import Block, UnsupportedSyntaxError, page_title, read_blocks, unsupported_syntax
from pmlib.views.tables import table_region

RAW_HTML = "{=html}"
FRONT_MATTER_KEYS = frozenset({"title"})
OVERVIEW = "overview"
APPENDICES = "appendices"

MD = MarkdownIt("commonmark", {"html": False}).enable("table")
# Only to find raw HTML that Quarto (Pandoc) would pass through and the built-in renderer shows as text.
_WITH_HTML = MarkdownIt("commonmark", {"html": True}).enable("table")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)
_TABLE_TITLE = re.compile(r'<caption[^>]*>(.*?)</caption>|class="gt_heading gt_title[^"]*"[^>]*>(.*?)</', re.DOTALL)

# Notebooks kept by content for a second read (see read_notebook), Markdown tokens and all: ten years of quarters, a dozen notebooks each.
NOTEBOOKS_KEPT = 512
_read: dict[tuple, tuple[str, tuple[Block, ...], bool]] = {}  # notebooks and pages read, by content (``read_notebook``)
_shown: dict[tuple, tuple] = {}  # the key each file (where it really is, and how it was read) held when last read
_reading = threading.Lock()  # pm build reads in more than one thread

_CODE_HINT = "show code as ```python and HTML as ```{=html}"
_HTML_HINT = "is shown as text by the built-in renderer but as HTML by Quarto; put HTML in a ```{=html} block"

Resolve = Callable[[str], str]


@dataclass(frozen=True)
class Document:
    """One page of the site: where it comes from, where it goes, its title (inline Markdown) and its blocks."""

    source: Path
    output: str
    title: str
    blocks: tuple[Block, ...]
    quarter: Period | None = None
    has_h1: bool = False

    @property
    def label(self) -> str:
        """The page's name in a quarter's menu: 'Overview', or its title without the quarter."""
        if self.source.stem == OVERVIEW:
            return "Overview"
        text = inline_text(self.title)
        return text.removesuffix(f": {self.quarter.code}") if self.quarter else text


@functools.lru_cache(maxsize=4096)
def inline_text(markdown: str) -> str:
    """Inline Markdown as plain text, for ``<title>`` and menus (entities decoded; the template escapes again).

    Kept by its text: a page's title is asked for by its own page, its menu entry and its feed link.
    """
    tokens = MD.parseInline(markdown)
    children = (tokens[0].children or []) if tokens else []
    return "".join(t.content if t.type in ("text", "code_inline") else " " if t.type == "softbreak" else "" for t in children).strip()


def wrap_html(content: str) -> str:
    """Inserted HTML, with a table put in a focusable region that scrolls sideways on small screens (pmlib's own tables come in one)."""
    if "<table" not in content or 'class="pm-chart"' in content or content.lstrip().startswith('<div class="pm-table-wrap"'):
        return content
    match = _TABLE_TITLE.search(content)
    label = html.unescape(re.sub(r"<[^>]+>", "", match.group(1) or match.group(2))).strip() if match else "Table"
    return table_region(content, label)


def _fence(self, tokens, idx, options, env):
    token = tokens[idx]
    if token.info.strip() == RAW_HTML:
        return wrap_html(token.content) + "\n"
    return _default_fence(tokens, idx, options, env)


def _link_open(self, tokens, idx, options, env):
    """The link with its target resolved; the token is left as parsed, as a checked block's tokens are rendered again by each build."""
    token = tokens[idx]
    resolve = (env or {}).get("resolve")
    if resolve is None:
        return self.renderToken(tokens, idx, options, env)
    href = token.attrGet("href")
    token.attrSet("href", resolve(str(href or "")))
    try:
        return self.renderToken(tokens, idx, options, env)
    finally:
        token.attrSet("href", href)  # type: ignore[arg-type]  # back as parsed; a link's href is always set


def _table_open(self, tokens, idx, options, env):
    return '<div class="pm-table-wrap" role="region" tabindex="0" aria-label="Table">\n' + self.renderToken(tokens, idx, options, env)


def _table_close(self, tokens, idx, options, env):
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


_default_fence = MD.renderer.rules["fence"]
MD.add_render_rule("fence", _fence)
MD.add_render_rule("link_open", _link_open)
MD.add_render_rule("table_open", _table_open)
MD.add_render_rule("table_close", _table_close)


def render_markdown(text: str, resolve: Resolve | None = None, tokens: Sequence[Token] | None = None) -> str:
    """A Markdown block as HTML; ``resolve`` rewrites each link's target (source file to page).

    ``tokens`` are the block's tokens from ``markdown_problems`` when it found
    nothing: the parse that checked the text is the one rendered, so a page's
    Markdown is parsed once.
    """
    env = {"resolve": resolve} if resolve else {}
    if tokens is None:
        return MD.render(text, env)
    return MD.renderer.render(tokens, MD.options, env)


def render_inline(text: str, resolve: Resolve | None = None) -> str:
    """One line of Markdown (a title, a footer) as HTML without a paragraph around it."""
    return MD.renderInline(text, {"resolve": resolve} if resolve else {})


def _blank_raw_html(text: str, tokens: Sequence[Token]) -> str:
    """The text with every ```` ```{=html} ```` block emptied, line numbers kept, so only Markdown is checked.

    ``tokens`` are ``MD``'s parse of the text.
    """
    lines = text.split("\n")
    for token in tokens:
        if token.type == "fence" and token.info.strip() == RAW_HTML and token.map:
            for n in range(token.map[0], min(token.map[1], len(lines))):
                lines[n] = ""
    return "\n".join(lines)


def markdown_problems(text: str, where: str, first_line: int = 1) -> tuple[list[Problem], int, tuple[Token, ...] | None]:
    """What Quarto and the built-in renderer would show differently in ``text``, how many level-1 headings it has, and its tokens.

    The tokens are what ``render_markdown`` renders, or None when a problem
    was found. The text is parsed once, with raw HTML on, to find raw HTML.
    When it has none, that parse is token for token ``MD``'s: the ``html``
    option only switches on markdown-it's two raw-HTML rules, and wherever one
    of them matches, even only to end a paragraph, it leaves a raw-HTML
    token; with none, every other rule saw the same text. So the one parse
    is also used to empty the raw blocks and, kept with the block, to render.
    """
    problems: list[Problem] = []
    h1 = 0
    raw_html = False
    tokens = _WITH_HTML.parse(text)
    for token in tokens:
        line = first_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open" and token.tag == "h1":
            h1 += 1
        info = token.info.strip() if token.type == "fence" else ""
        if info.startswith("{") and info != RAW_HTML:
            problems.append(Problem(where, line, "code block", f"Quarto would run {info[:30]!r} blocks; {_CODE_HINT}"))
        if token.type == "html_block":
            raw_html = True
            problems.append(Problem(where, line, "raw HTML", f"raw HTML in Markdown {_HTML_HINT}"))
        for child in token.children or []:
            if child.type == "html_inline":
                raw_html = True
                problems.append(Problem(where, line, "raw HTML", f"raw HTML {child.content[:30]!r} {_HTML_HINT}"))
            if child.type == "image":
                problems.append(Problem(where, line, "image", "images in Markdown are not published; make charts in a notebook output"))
    for problem in unsupported_syntax(_blank_raw_html(text, MD.parse(text) if raw_html else tokens), where):
        problems.append(Problem(problem.file, problem.row + first_line - 1, problem.column, problem.message))
    return problems, h1, None if problems else tuple(tokens)


def read_notebook(path: Path, output: str, quarter: Period | None, *, echo: bool = False) -> Document:
    """An executed notebook as Quarto shows it; its first level-one heading is its title and its page's ``<h1>``.

    A build reads each notebook twice, for the generated pages (titles,
    charts) and for the website, and checking its Markdown is most of the
    cost; so what is read is kept by the file's content (not its name or
    date), and reading unchanged bytes again costs a hash.
    """
    path = Path(path)
    data = path.read_bytes()
    key = (hashlib.sha256(data).hexdigest(), path.stem, echo)
    title, blocks, has_h1 = _kept(key, (os.path.realpath(path), echo), lambda: _parse_notebook(path, data.decode("utf-8"), echo))
    return Document(path, output, title, blocks, quarter, has_h1)


def _kept(key: tuple, source: tuple, read: Callable[[], tuple[str, tuple[Block, ...], bool]]) -> tuple[str, tuple[Block, ...], bool]:
    """What ``read`` gives for ``key``, read once; a file read in other bytes than last time drops what its old bytes gave.

    A long ``pm preview`` or build server reads the edited plan's notebooks
    and pages again after every edit: kept by content alone, each edit's
    superseded copies (about a megabyte on the demo) stayed until
    ``NOTEBOOKS_KEPT`` was reached, a hundred edits later. Bytes another
    file still shows are kept for it. Which bytes each file showed is
    remembered for as many files as readings are kept, the files read
    longest ago forgotten first (a process reading many copies of a
    project); a forgotten file's old reading goes with the oldest.
    """
    with _reading:
        found = _read.get(key)
    if found is None:
        found = read()
    with _reading:
        _read[key] = found
        before = _shown.pop(source, None)
        _shown[source] = key  # the newest last, so the files read longest ago are forgotten first
        if before is not None and before != key and before not in _shown.values():
            _read.pop(before, None)
        while len(_read) > NOTEBOOKS_KEPT:
            del _read[next(iter(_read))]  # the oldest
        while len(_shown) > NOTEBOOKS_KEPT:
            del _shown[next(iter(_shown))]
    return found


def _parse_notebook(path: Path, text: str, echo: bool) -> tuple[str, tuple[Block, ...], bool]:
    problems: list[Problem] = []
    try:
        blocks = read_blocks(path, "html", echo=echo, text=text)
    except UnsupportedSyntaxError as exc:
        problems += exc.problems
        blocks = []
    h1 = 0
    for n, block in enumerate(blocks):
        if block.kind == "markdown":
            found, count, tokens = markdown_problems(block.content, f"{path.as_posix()} cell {block.cell_id}")
            problems += found
            h1 += count
            blocks[n] = dataclasses.replace(block, tokens=tokens)
    if h1 > 1:
        message = f"{h1} level-one headings; a page has one title: use ## for sections (in commentary.csv, do not start a line with '#')"
        problems.append(Problem(path.as_posix(), None, "heading", message))
    if problems:
        raise UnsupportedSyntaxError(problems)
    return page_title(blocks, path.stem), tuple(blocks), h1 == 1


def read_page(path: Path, output: str) -> Document:
    """A ``.qmd`` page: YAML front matter with its ``title``, then Markdown with ```` ```{=html} ```` blocks.

    Kept by content as a notebook is: a build writes every page again, most of them as they were.
    """
    text = path.read_text(encoding="utf-8")
    key = ("page", hashlib.sha256(text.encode("utf-8")).hexdigest(), path.as_posix())
    title, blocks, _ = _kept(key, (os.path.realpath(path), "page"), lambda: _parse_page(path, text))
    return Document(path, output, title, blocks)


def _parse_page(path: Path, text: str) -> tuple[str, tuple[Block, ...], bool]:
    where = path.as_posix()
    match = _FRONT_MATTER.match(text)
    if not match:
        raise UnsupportedSyntaxError([Problem(where, 1, "front matter", "start the page with '---', 'title: ...' and '---'")])
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise UnsupportedSyntaxError([Problem(where, 2, "front matter", f"not valid YAML ({exc})")]) from None
    problems = []
    if not isinstance(meta, dict) or not isinstance(meta.get("title"), str) or not meta["title"].strip():
        problems.append(Problem(where, 1, "title", "the front matter needs 'title: ...', the page's title and <h1>"))
        meta = meta if isinstance(meta, dict) else {}
    for key in sorted(set(map(str, meta)) - FRONT_MATTER_KEYS):
        problems.append(Problem(where, 2, key, "front matter option not handled by the built-in renderer; remove it"))
    body = text[match.end() :]
    first_line = text[: match.end()].count("\n") + 1
    found, h1, tokens = markdown_problems(body, where, first_line)
    problems += found
    if h1:
        problems.append(Problem(where, None, "heading", "the title comes from the front matter; use ## for sections"))
    if problems:
        raise UnsupportedSyntaxError(problems)
    return str(meta["title"]).strip(), (Block("markdown", body, "body", tokens),), False


MENUS = "menus.json"  # in the pages folder: each quarter's menu, for Quarto's pages (_extensions/pmlib-site/quarter-menu.lua)


def quarter_menus(documents: Mapping[Period, Sequence[Document]]) -> dict:
    """Each quarter's menu of its reports (title, then each page's name and site path), and which quarter is the latest.

    A quarter's pages show its own menu, every other page the latest
    quarter's. Both renderers show this one value: the built-in renderer
    directly, Quarto's pages from the ``menus.json`` that ``pm pages`` writes.
    """
    quarters = sorted(documents)
    return {
        "latest": quarters[-1].slug if quarters else None,
        "quarters": {
            q.slug: {"title": f"{q.code} report", "links": [{"text": d.label, "page": d.output} for d in documents[q]]} for q in quarters
        },
    }


REPORTS_PATH = "reports"  # where the website profile's render patterns find the executed notebooks


def notebook_output(path: Path, quarter: Period) -> str:
    """Where a quarter's notebook is published: ``reports/<slug>/<name>.html``, as Quarto publishes ``reports/<slug>/<name>.ipynb``.

    Quarto publishes every page at its source's path in the project, so both
    renderers do: one address per page whichever made the site.
    """
    return f"{REPORTS_PATH}/{quarter.slug}/{path.stem}.html"


def read_quarter(reports_dir: Path, quarter: Period, *, echo: bool = False) -> list[Document]:
    """A quarter's executed notebooks (overview first, appendices last, the rest by name); every problem in all of them at once."""
    folder = Path(reports_dir) / quarter.slug
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise ConfigError(f"no executed notebooks here: run 'pm run {quarter.slug}' first, or leave {quarter.code} out", file=folder)
    documents, problems = [], []
    for path in paths:
        try:
            documents.append(read_notebook(path, notebook_output(path, quarter), quarter, echo=echo))
        except UnsupportedSyntaxError as exc:
            problems += exc.problems
    if problems:
        raise UnsupportedSyntaxError(problems)
    return sorted(documents, key=lambda d: (d.source.stem != OVERVIEW, d.source.stem == APPENDICES, d.label.casefold(), d.source.name))
