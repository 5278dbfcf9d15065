"""Validation findings as data: collected, sorted and printed by the edge, never raised one by one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about one cell, column or file, in the words a data officer can act on.

    ``row`` is the row number a spreadsheet shows (the header is row 1, the
    first data row 2; a blank line counts as a row, so later numbers still match
    the file; a cell holding a line break is one row). In a YAML file it is the
    line of the key. ``None`` means the whole file. ``column`` is ``None`` for
    file-level findings.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        """Render as ``FILE:ROW: COLUMN: message`` so editors and CI annotate the right cell."""
        row = "-" if self.row is None else str(self.row)
        column = "-" if self.column is None else self.column
        return f"{self.file}:{row}: {column}: {self.message}"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Order by file, then row, so a reader can work down each file once."""
    return sorted(problems, key=lambda p: (p.file, -1 if p.row is None else p.row, p.column or "", p.message))
