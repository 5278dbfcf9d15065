"""A table's HTML written directly, byte for byte as great-tables writes it and ``make_table`` finishes it, for the tables pmlib makes.

great-tables 1.1.0 sets a table's cells one at a time, and for a pyarrow
table each setting copies the whole column again: a 30-row history table
takes 20 ms, and a cold demo build makes 162 tables (1.5 CPU-s: 115 for
the website's pages, 46 in the notebooks' kernels). pmlib's tables use a
small part of great-tables: a title, a label per column, text and
whole-number cells, each column aligned left or right, and cells tinted
with a colour. This module writes that part's markup in well under a
millisecond, and ``make_table`` falls back to great-tables for anything
else (``covered``): a title left empty, a colour that is not a hex code, a
control character other than a tab or a line feed (an HTML parser changes
it, or lxml refuses it in a title), a lone surrogate, an id with characters
great-tables would change, tints or trusted cells that do not give one
entry a row. ``tests/test_table_markup.py`` holds the two byte-equal on
generated tables, so a great-tables upgrade that changes its markup fails
there rather than on a page, and holds ``pmlib/rendering/assets/tables.css``
to the stylesheet great-tables makes (``table_stylesheet``).

Text is escaped as lxml serialises what great-tables escaped (``&``, ``<``
and ``>`` in text; quotes left as they are). Ids follow great-tables'
``_IdRegistry``: the columns' first, in order, then the title's, each made
unique within the table.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# What lxml's parser changes (NUL, CR) or drops, or what it refuses in a title.
_UNSAFE_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}")
_NOT_ID = re.compile(r"[^\w.:-]+")
TABLE_CLASS = "pm-gt"  # every table's <div> carries it, in place of great-tables' stylesheet scoped to its id (``table_stylesheet``)
_CONTAINER = (
    "padding-left:0px;padding-right:0px;padding-top:10px;padding-bottom:10px;overflow-x:auto;overflow-y:auto;width:auto;height:auto;"
)


@dataclass(frozen=True)
class Column:
    """One column as a table shows it: its label, ``left`` or ``right``, and each row's text (None shows as great-tables shows it)."""

    name: str
    align: str
    texts: Sequence[str | None]


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _sanitised(text: str) -> str:
    """great-tables' ``_sanitize_id`` of a text with no markup: each run of all but word characters, ``.``, ``:`` and ``-`` is ``-``."""
    return _NOT_ID.sub("-", text).strip("-")


def _ids(table_id: str, names: Sequence[str]) -> tuple[list[str], str]:
    """Each column's header id, then the title's, as great-tables' ``_IdRegistry`` makes them."""
    prefix = _sanitised(table_id)
    prefix = f"{prefix}-" if prefix else ""
    used = {table_id}

    def make(base: str, fallback: str) -> str:
        name = _sanitised(base) or fallback
        candidate, n = f"{prefix}{name}", 2
        while candidate in used:
            candidate, n = f"{prefix}{name}-{n}", n + 1
        used.add(candidate)
        return candidate

    columns = [make(name, "column") for name in names]
    return columns, make("title", "title")


def covered(
    table_id: str, title: str, columns: Sequence[Column], tints: Mapping[str, Sequence[str]], cell_html: Mapping[str, Sequence[str]]
) -> bool:
    """Whether ``table_markup`` writes this table as great-tables would: else ``make_table`` asks great-tables.

    Tints and trusted cells must give one entry a row, the trusted cells'
    for a column the table has: otherwise great-tables tints what it is
    given, and ``make_table`` reports the mistake, as they always did.
    """
    texts = [table_id, title, *(c.name for c in columns), *(t for c in columns for t in c.texts if t is not None)]
    colours = {colour for row in tints.values() for colour in row if colour}
    rows = len(columns[0].texts) if columns else 0
    return (
        bool(title)
        and bool(columns)
        and all(len(given) == rows for given in (*tints.values(), *cell_html.values()))
        and set(cell_html) <= {c.name for c in columns}
        and all(c.align in ("left", "right") for c in columns)
        and not any(_UNSAFE_TEXT.search(t) for t in texts)
        and all(_COLOUR.fullmatch(colour) for colour in colours)
        and not _NOT_ID.search(table_id)
    )


def table_markup(
    table_id: str,
    title: str,
    columns: Sequence[Column],
    tints: Mapping[str, Sequence[str]],
    cell_html: Mapping[str, Sequence[str]],
) -> str:
    """The finished table (a ``<div>`` of ``TABLE_CLASS`` holding it) for a table ``covered`` says this writes.

    ``tints`` maps a column to one colour per row (blank for none);
    ``cell_html`` a column to trusted HTML per row, put in the cells as it is.
    """
    header_ids, title_id = _ids(table_id, [c.name for c in columns])
    heads = "".join(
        f'  <th class="gt_col_heading gt_columns_bottom_border gt_{c.align}" rowspan="1" colspan="1" scope="col" id="{cid}">'
        f"{_text(c.name)}</th>\n"
        for c, cid in zip(columns, header_ids, strict=True)
    )
    cells = []
    for c, cid in zip(columns, header_ids, strict=True):
        given, colours = cell_html.get(c.name), tints.get(c.name)
        texts = given if given is not None else ["None" if t is None else _text(t) for t in c.texts]
        styles = [f' style="background-color: {colour};"' if colour else "" for colour in colours] if colours else [""] * len(texts)
        cells.append([f'    <td{s} headers="{cid}" class="gt_row gt_{c.align}">{t}</td>\n' for t, s in zip(texts, styles, strict=True)])
    rows = "".join("  <tr>\n" + "".join(row) + "  </tr>\n" for row in zip(*cells, strict=True)) or "\n"  # great-tables' empty body
    return (
        f'<div class="{TABLE_CLASS}" id="{table_id}" style="{_CONTAINER}">\n\n'
        f'<table class="gt_table" aria-labelledby="{title_id}" data-quarto-disable-processing="false" data-quarto-bootstrap="false">'
        f'<caption class="gt_caption" id="{title_id}">{_text(title)}</caption>\n'
        f'<thead>\n\n  \n<tr class="gt_col_headings">\n{heads}</tr>\n</thead>\n'
        f'<tbody class="gt_table_body">\n{rows}</tbody>\n\n</table>\n\n</div>'
    )
