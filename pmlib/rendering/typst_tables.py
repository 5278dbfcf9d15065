"""great-tables HTML as a Typst table, so the PDF pack shows the same table the website does.

The notebooks' tables are great-tables HTML: a title row in ``thead``, column
headings with ``scope="col"``, body cells whose classes give the alignment,
and inline styles for the status tints. Typst cannot read HTML, so this
module turns that HTML into a Typst ``table(...)`` inside a ``figure`` whose
caption is the title: the header rows repeat on every page the table breaks
across, and each cell keeps its background colour, text colour, weight and
style. Borders, fonts and sizes are left to the pack's template, so every
table in the pack looks alike.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import lxml.html
from lxml.html import HtmlElement

from pmlib.errors import TableConversionError

# Every ASCII character Typst markup can give a meaning to (emphasis, code, labels, references, comments,
# list markers, dash and ellipsis shorthands, escapes), and "(", which right after an embedded expression
# (#linebreak(), #emph[...]) would call its result. Escaping all of them is always valid in Typst.
_MARKUP = frozenset("\\#$*_`<>@[]~=-+/.(")
_ESCAPES = str.maketrans({c: f"\\{c}" for c in _MARKUP})
_ALIGN = {"gt_left": "left", "gt_right": "right", "gt_center": "center"}
_CSS_ALIGN = {"left": "left", "right": "right", "center": "center", "start": "start", "end": "end"}
_WEIGHT = {"normal": '"regular"', "bold": '"bold"', "bolder": '"bold"', "lighter": '"light"'}
_INLINE = {"strong": "strong", "b": "strong", "em": "emph", "i": "emph"}
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_RGB = re.compile(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*([\d.]+)\s*)?\)")
# Table widths, in ems of the table's text: the pack's text width, a character's and a cell's padding (estimates
# for Liberation Sans), and the least a column of sentences may have. In characters: the longest text a short
# column holds, and the length beyond which a column of sentences gets no larger share.
TEXT_EM, CHAR_EM, PAD_EM, LONG_MIN_EM = 56, 0.55, 1.0, 12
SHORT, WIDE = 24, 60
MIN_SCALE = 0.9
"""The smallest a too-wide table's text is set, relative to the pack's table text (8.5 pt): about 7.7 pt."""
WHOLE_ROW = 300
"""The longest cell, in characters, of a row kept on one page: longer rows (commentary, lists of codes) may break."""
_LABEL = re.compile(r"[A-Za-z][\w.:-]*")


def escape_markup(text: str) -> str:
    """Text that Typst markup shows exactly as written: every markup character backslash-escaped."""
    return text.translate(_ESCAPES)


def _string(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _colour(value: str, where: str) -> str:
    value = value.strip()
    if _HEX.fullmatch(value):
        return f"rgb({_string(value.upper())})"
    match = _RGB.fullmatch(value)
    if match:
        r, g, b, alpha = match.groups()
        channels = f"{r}, {g}, {b}" + (f", {round(float(alpha) * 100)}%" if alpha is not None else "")
        return f"rgb({channels})"
    raise TableConversionError(f"colour {value!r} is not a hex code or rgb(); give great-tables colours as '#RRGGBB'", file=where)


def _text(text: str | None) -> str:
    return escape_markup(re.sub(r"\s+", " ", text)) if text else ""


def _inline(node: HtmlElement, where: str) -> str:
    """An element inside a cell as Typst markup: text escaped, bold, italic, line breaks and links kept; its tail is the caller's."""
    if not isinstance(node.tag, str):  # a comment or processing instruction
        return ""
    if node.tag == "svg":  # a sparkline: drawn as a vector image named by its description
        svg = re.sub(r"\bviewbox=", "viewBox=", lxml.html.tostring(node, encoding="unicode", with_tail=False))
        alt = f", alt: {_string(node.get('aria-label'))}" if node.get("aria-label") else ""
        return f'#box(image(bytes({_string(svg)}), format: "svg", height: 1.4em{alt}))'
    inner = _inline_all(node, where)
    if node.tag in _INLINE:
        return f"#{_INLINE[node.tag]}[{inner}]"
    if node.tag == "br":
        return "#linebreak()"
    if node.tag == "a" and node.get("href"):
        return f"#link({_string(node.get('href'))})[{inner}]"
    if node.tag == "code":
        return f"#raw({_string(node.text_content())})"
    if node.tag in ("span", "div", "p", "sup", "sub", "small"):
        wrap = {"sup": "#super[{}]", "sub": "#sub[{}]", "small": "#text(size: 0.85em)[{}]"}.get(node.tag, "{}")
        return wrap.format(inner)
    raise TableConversionError(f"table cell holds <{node.tag}>, which the pack cannot draw; use text, <strong>, <em> or <br>", file=where)


def _style(cell: HtmlElement) -> dict[str, str]:
    declarations = {}
    for part in (cell.get("style") or "").split(";"):
        name, sep, value = part.partition(":")
        if sep:
            declarations[name.strip().lower()] = value.strip()
    return declarations


def _classes(element: HtmlElement) -> list[str]:
    return element.get("class", "").split()


def _class_align(cell: HtmlElement) -> str | None:
    return next((_ALIGN[c] for c in _classes(cell) if c in _ALIGN), None)


@dataclass(frozen=True)
class _Cell:
    """One cell as Typst: its content markup and the ``table.cell`` arguments it needs."""

    markup: str
    args: tuple[str, ...]
    align: str | None
    length: int = 0
    word: int = 0
    colspan: int = 1
    rowspan: int = 1

    def code(self, column_align: str | None = None, unbreakable: bool = False) -> str:
        args = list(self.args) + (["breakable: false"] if unbreakable else [])
        if self.align and self.align != column_align:
            args.append(f"align: {self.align}")
        body = f"[{self.markup}]"
        return f"table.cell({', '.join(args)}){body}" if args else body


def _cell(tag: HtmlElement, where: str, header: bool = False) -> _Cell:
    css = _style(tag)
    markup = _inline_all(tag, where)
    text_args = []
    if "color" in css:
        text_args.append(f"fill: {_colour(css['color'], where)}")
    weight = css.get("font-weight", "").lower()
    if weight:
        text_args.append(f"weight: {int(weight) if weight.isdigit() else _WEIGHT.get(weight, _WEIGHT['normal'])}")
    classes = set(_classes(tag))
    if "gt_font_bold" in classes and not weight:
        text_args.append('weight: "bold"')
    if css.get("font-style", "").lower() in ("italic", "oblique") or "gt_font_italic" in classes:
        text_args.append('style: "italic"')
    if header and not text_args:
        markup = f"#strong[{markup}]" if markup else markup
    elif text_args:
        markup = f"#text({', '.join(text_args)})[{markup}]"
    spans = {span: max(1, int(tag.get(span) or 1)) for span in ("colspan", "rowspan")}
    args = [f"{span}: {n}" for span, n in spans.items() if n > 1]
    if "background-color" in css:
        args.append(f"fill: {_colour(css['background-color'], where)}")
    align = _CSS_ALIGN.get(css.get("text-align", "").lower()) or _class_align(tag)
    text = tag.text_content().split()
    return _Cell(markup, tuple(args), align, len(" ".join(text)), max(map(len, text), default=0), **spans)


def _rows(section: HtmlElement | None) -> list[HtmlElement]:
    return [] if section is None else section.findall("tr")


def _cells(row: HtmlElement) -> list[HtmlElement]:
    return [cell for cell in row if cell.tag in ("th", "td")]


def _in_head(table: HtmlElement, name: str) -> HtmlElement | None:
    """The first heading cell of class ``name`` inside a ``<thead>``, in document order."""
    return next((c for head in table.iter("thead") for c in head.iter("td", "th") if name in _classes(c)), None)


def _width(rows: list[list[HtmlElement]]) -> int:
    return max((sum(int(c.get("colspan", 1) or 1) for c in row) for row in rows), default=0)


@functools.lru_cache(maxsize=256)
def html_table_to_typst(html: str, where: str = "the table") -> str:
    """Typst markup for one great-tables (or plain HTML) table; ``where`` names its notebook and cell in errors.

    Kept by its text: a pack typeset again after an edit holds mostly the tables it held before.
    """
    table = next(lxml.html.fragment_fromstring(html, create_parent="div").iter("table"), None)
    if table is None:
        raise TableConversionError("HTML output without a <table>; the pack shows Markdown, SVG charts and tables only", file=where)
    caption = table.find("caption")
    title = caption if caption is not None else _in_head(table, "gt_title")
    subtitle = _in_head(table, "gt_subtitle")
    thead, tfoot = next(table.iter("thead"), None), next(table.iter("tfoot"), None)
    head_rows = [_cells(tr) for tr in _rows(thead) if "gt_heading" not in _classes(tr)]
    body_rows = [_cells(tr) for body in table.findall("tbody") for tr in _rows(body)]
    for tr in _rows(table):  # a table written without thead and tbody: leading rows of <th> are its header
        cells = _cells(tr)
        is_head = not body_rows and all(c.tag == "th" for c in cells)
        (head_rows if is_head else body_rows).append(cells)
    if not head_rows and not body_rows:
        raise TableConversionError("the table has no rows; show a sentence instead of an empty table", file=where)
    columns = _width(head_rows + body_rows)
    body = [[_cell(c, where) for c in row] for row in body_rows]
    head = [[_cell(c, where, header=True) for c in row] for row in head_rows]
    aligns = _column_aligns(body, head, columns)
    widths, scale = _column_widths(body, head, columns)
    lines = [f"columns: {_array(widths)},", f"align: {_array(aligns)},"]
    if head:
        cells = _code_rows(head, aligns)
        lines += ["table.header(", "  repeat: true,", *[f"  {row}," for row in cells], "),"]
    lines += [f"{row}," for row in _code_rows(body, aligns, whole=True)]
    foot = [" ".join(_inline_all(c, where) for c in tr.iter("th", "td")).strip() for tr in _rows(tfoot)]
    if any(foot):
        lines += ["table.footer(", "  repeat: false,", *[f"  table.cell(colspan: {columns})[{f}]," for f in foot if f], "),"]
    caption = _caption(title, subtitle, where)
    figure = ["#figure(", "  kind: table,"] + ([f"  caption: [{caption}],"] if caption else []) + ["  table("]
    figure += [f"    {line}" for line in lines] + ["  ),", ")"]
    label = _label(table)
    code = "\n".join(figure) + (f" <{label}>" if label else "")
    if scale < 1:  # only this table: smaller, and long words broken at hyphens rather than run into the next cell
        return f"#[\n#show table: set text(size: {scale:.2f}em, hyphenate: true)\n{code}\n]"
    return code


def _array(items: list[str]) -> str:
    """A Typst array literal (one item needs a trailing comma, or it is just parentheses)."""
    return f"({', '.join(items)}{',' if len(items) == 1 else ''})"


def _code_rows(rows: list[list[_Cell]], aligns: list[str], whole: bool = False) -> list[str]:
    """Each row's cells as Typst, each compared with the alignment of the column it lands in under earlier rowspans.

    With ``whole``, a row of short cells is kept on one page (its first cell
    unbreakable, which holds the row), so a member never reads a measure's
    name on one page and its figures on the next. A row with a long cell
    may still break: kept whole, a page-tall row would run over the footer.
    """
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        codes, column = [], 0
        unbroken = whole and bool(row) and max(cell.length for cell in row) <= WHOLE_ROW
        for i, cell in enumerate(row):
            while (r, column) in taken:
                column += 1
            codes.append(cell.code(aligns[column] if column < len(aligns) else None, unbreakable=unbroken and i == 0))
            taken |= {(r + dr, column + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            column += cell.colspan
        out.append(", ".join(codes))
    return out


def _column_widths(body: list[list[_Cell]], head: list[list[_Cell]], columns: int) -> tuple[list[str], float]:
    """Each column's width, and the size of the table's text (1: the pack's own).

    Columns of sentences share what short columns leave, when that is enough;
    otherwise Typst sizes every column. Typst's ``auto`` columns never
    overlap, but when a table is too wide they squeeze every long column to
    the same width, leaving a column of measure names one or two words wide
    next to a column of updates. Sharing the space in proportion to the text
    reads better, but only when the short columns (figures, dates, statuses)
    still fit on one line, which is estimated from their text at about half
    an em a character. A table whose longest words alone are wider than the
    page (a dashboard of eleven columns) would have words running into the
    next cell: its text is set smaller, down to ``MIN_SCALE``, its words may
    break at hyphens, and each column gets its longest word (as far as the
    page allows) plus a share of the rest by its text.
    """
    longest, words = [0] * columns, [1] * columns
    for row in [*head, *body]:
        if len(row) == columns:
            longest = [max(n, cell.length) for n, cell in zip(longest, row, strict=True)]
            words = [max(w, cell.word) for w, cell in zip(words, row, strict=True)]
    least = [w * CHAR_EM + PAD_EM for w in words]
    if sum(least) > TEXT_EM:
        scale = max(MIN_SCALE, TEXT_EM / sum(least))
        spare = max(0.0, TEXT_EM / scale - sum(least))
        share = [min(n, WIDE) for n in longest]
        return [f"{m + spare * k / sum(share):.1f}fr" for m, k in zip(least, share, strict=True)], scale
    long = [n > SHORT for n in longest]
    short_em = sum(n * CHAR_EM + PAD_EM for n, is_long in zip(longest, long, strict=True) if not is_long)
    if not any(long) or short_em + LONG_MIN_EM * sum(long) > TEXT_EM:
        return ["auto"] * columns, 1.0
    return [f"{max(w, min(n, WIDE))}fr" if is_long else "auto" for n, w, is_long in zip(longest, words, long, strict=True)], 1.0


def _column_aligns(body: list[list[_Cell]], head: list[list[_Cell]], columns: int) -> list[str]:
    """Each column's alignment: from the first body row whose cells fill every column, else the last heading row."""
    for row in [*body, *reversed(head)]:
        if len(row) == columns:
            return [cell.align or "left" for cell in row]
    return ["left"] * columns


def _caption(title: HtmlElement | None, subtitle: HtmlElement | None, where: str) -> str:
    parts = [_inline_all(t, where) for t in (title, subtitle) if t is not None]
    return " #linebreak() ".join(p for p in parts if p)


def _inline_all(tag: HtmlElement, where: str) -> str:
    return (_text(tag.text) + "".join(_inline(child, where) + _text(child.tail) for child in tag)).strip()


def _label(table: HtmlElement) -> str | None:
    """The great-tables id (from the wrapping div), as a Typst label to refer to the table by."""
    wrapper = next((div for div in table.iterancestors("div") if div.get("id") is not None), None)
    candidate = wrapper.get("id") if wrapper is not None else (table.get("id") or "")
    return candidate if _LABEL.fullmatch(candidate) else None
