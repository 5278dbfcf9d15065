"""A return workbook's sheet saved from Excel as CSV: recognised, so it is one error rather than a missing column for each.

Excel's Save As CSV writes only the sheet in view, title and instructions
first and the table's headings on row 5, so the contract's columns are all
"missing" and every heading "unknown". ``pm ingest`` (and its shared-service
form) asks here before reading a CSV as figures.
"""

from __future__ import annotations

import re
from pathlib import Path

from pmlib.contract.tables import TABLES
from pmlib.errors import Problem
from pmlib.intake.returns import COMMENTARY_COLUMNS, COMMENTARY_SHEET, RETURN_COLUMNS, RETURN_SHEET

_SHEET_TITLES = (
    (RETURN_SHEET, re.compile(r"performance return: .*\b\d{4}/\d{2} Q[1-4] \(")),
    (COMMENTARY_SHEET, re.compile(r"^\W*Commentary for \d{4}/\d{2} Q[1-4]: ")),
)
_SHEET_HEADINGS = tuple(
    (sheet, [c.heading for c in columns if c.fill_in])
    for sheet, columns in ((RETURN_SHEET, RETURN_COLUMNS), (COMMENTARY_SHEET, COMMENTARY_COLUMNS))
)
_LOOK = 12


def saved_return_sheet(text: str) -> tuple[str, int, str] | None:
    """Which sheet of a return workbook a CSV was saved from, the row that shows it and how; None for any other CSV.

    The title (``returns.return_sheet`` and ``commentary_sheet`` write it in
    A1) or a row of the sheet's fill-in headings is looked for in the text
    itself, whatever the separator.
    """
    lines = text.splitlines()[:_LOOK]
    for sheet, title in _SHEET_TITLES:
        if lines and title.search(lines[0]):
            return sheet, 1, "row 1 is its title"
    for row, line in enumerate(lines, start=1):
        for sheet, headings in _SHEET_HEADINGS:
            if all(heading in line for heading in headings):
                return sheet, row, f"row {row} holds its headings"
    return None


def saved_return_problem(path: Path, display: str) -> Problem | None:
    """The one error for a return workbook saved as CSV (see ``saved_return_sheet``), rather than a missing column for each."""
    head = path.read_bytes()[: 1 << 16].decode("utf-8-sig", errors="replace")
    found = saved_return_sheet(head)
    if found is None:
        return None
    sheet, row, how = found
    return Problem(
        display,
        row,
        None,
        f"this is a return workbook's {sheet} sheet saved as CSV ({how}); pm ingest reads the workbook itself, with its "
        "Supplied on date and its Commentary sheet: send the return (.xlsx) as it was sent out, "
        f"filled in, or give the figures in a CSV with the data contract's columns ({', '.join(c.name for c in TABLES['observations'])})",
    )
