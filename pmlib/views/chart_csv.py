"""A chart's figures to take away: a small CSV file carried inside the link that downloads it.

Every chart names the figures it draws, as the reader sees them: formatted
at the measure's decimals with its unit, ``[c]`` for a figure withheld to
protect small numbers and ``[x]`` where there is none, headers in words and
periods by their codes. The file travels in the link itself (a ``data:``
address with a ``download`` name), so it works in either renderer's pages,
from any folder and from ``file://``, and no request leaves the machine;
a dozen figures cost about a kilobyte of page.

The file is UTF-8 with a byte order mark (spreadsheets otherwise misread
``£``) and CRLF line ends (RFC 4180). A cell of text that a spreadsheet
would run as a formula (one starting ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return: an area or plan name as a council typed it) starts with a
single quote instead, so it is shown as text; a figure pmlib formatted
itself (``-2.5%``, ``-£1.2m``) is left as it is, since it can only be a
number.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from urllib.parse import quote

LINK_TEXT = "Download the figures for this chart (CSV)"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FIGURE = re.compile(r"-?£?\d[\d,]*(?:\.\d+)?(?:%|m|bn)?(?: days?| per 1,000| per 100,000)?(?: \[[a-z]\])*")
_BOM = "\ufeff"


def guarded(cell: str) -> str:
    """The cell as a spreadsheet may safely open it: text that would start a formula gets a leading single quote."""
    if cell.startswith(_FORMULA_START) and not _FIGURE.fullmatch(cell):
        return "'" + cell
    return cell


@dataclass(frozen=True)
class ChartFigures:
    """The figures a chart draws, as rows of display text under a header row of words."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def csv(self) -> str:
        """The figures as CSV text: byte order mark, CRLF line ends, formula-like text guarded."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows([[guarded(c) for c in row] for row in (self.header, *self.rows)])
        return _BOM + out.getvalue()

    def href(self) -> str:
        """The CSV as a ``data:`` address: everything but letters, digits, ``-._~``, commas and slashes percent-encoded."""
        return "data:text/csv;charset=utf-8," + quote(self.csv(), safe=",/")

    def link(self, element_id: str, title: str) -> str:
        """The download link shown under a chart; the chart's title, unseen, tells one such link from another."""
        href = html.escape(self.href(), quote=True)
        name = html.escape(f"{element_id}.csv", quote=True)
        hidden = f'<span class="pm-visually-hidden">: {html.escape(title)}</span>' if title else ""
        return f'<p class="pm-chart-download"><a href="{href}" download="{name}">{LINK_TEXT}{hidden}</a></p>'


def figures_table(header: list[str], columns: list[list[str]]) -> ChartFigures:
    """``ChartFigures`` from columns of display text, one list per header word."""
    return ChartFigures(tuple(header), tuple(tuple(str(c) for c in row) for row in zip(*columns, strict=True)))
