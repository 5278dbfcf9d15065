"""The data contract's CSV files as declarations, and the cell checks that follow from them.

Each file is a list of ``Column`` rules. ``read_table`` applies them to a whole
column at a time (vectorised, so a national data set checks quickly) and
returns typed values plus a ``Problem`` for every bad cell. Rules that relate
one file to another live in ``pmlib.contract.loading``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from pmlib.errors import Problem
from pmlib.vocabulary import ActionStatus, Aggregation, Frequency, Polarity, Quality, Unit

Kind = Literal["text", "id", "enum", "int", "number", "bool", "date", "sdgs"]


@dataclass(frozen=True)
class Column:
    """One column's rule: whether it must exist, whether cells may be blank, and what they hold."""

    name: str
    kind: Kind = "text"
    required: bool = False
    nonblank: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    pattern_hint: str = ""
    minimum: float | None = None
    default: str = ""


def _col(name: str, kind: Kind = "text", **kw) -> Column:
    return Column(name, kind, **kw)


_ID = r"[A-Za-z0-9_-]+"
_SLUG = r"[a-z0-9-]+"

TABLES: dict[str, tuple[Column, ...]] = {
    "plans.csv": (
        _col("plan_id", "id", required=True, nonblank=True, pattern=_SLUG, pattern_hint="lower-case letters, digits and hyphens"),
        _col("name", required=True, nonblank=True),
        _col("description"),
        _col("portfolio_holder"),
        _col("lead_officer"),
        _col("sdgs", "sdgs"),
        _col("order", "int"),
    ),
    "measures.csv": (
        _col("measure_id", "id", required=True, nonblank=True, pattern=_ID, pattern_hint="letters, digits, _ and -"),
        _col("plan_id", "id", required=True, nonblank=True),
        _col("name", required=True, nonblank=True),
        _col("definition"),
        _col("unit", "enum", required=True, nonblank=True, choices=Unit.words()),
        _col("polarity", "enum", required=True, nonblank=True, choices=Polarity.words()),
        _col("frequency", "enum", required=True, nonblank=True, choices=Frequency.words()),
        _col("aggregation", "enum", required=True, nonblank=True, choices=Aggregation.words()),
        _col("ytd", "bool", default="false"),
        _col("lag", "int", minimum=0, default="0"),
        _col("decimals", "int", minimum=0),
        _col("source_system"),
        _col("owner"),
        _col("public", "bool", default="true"),
        _col("disclosure_min", "int", minimum=0, default="0"),
        _col("baseline_period"),
        _col("baseline_value", "number"),
        _col("sdgs", "sdgs"),
        _col("shared_service"),
    ),
    "targets.csv": (
        _col("measure_id", "id", required=True, nonblank=True),
        _col("year", required=True, nonblank=True),
        _col("period"),
        _col("target", "number", required=True, nonblank=True),
        _col("intervention", "number"),
        _col("agreed_on", "date"),
        _col("reason"),
    ),
    "observations": (
        _col("measure_id", "id", required=True, nonblank=True),
        _col("period", required=True, nonblank=True),
        _col("value", "number"),
        _col("numerator", "number"),
        _col("denominator", "number"),
        _col("quality", "enum", choices=Quality.words(), default=Quality.VALIDATED.word),
        _col("note"),
        _col("reported_on", "date", required=True, nonblank=True),
    ),
    "commentary.csv": (
        _col("measure_id", "id", required=True, nonblank=True),
        _col("period", required=True, nonblank=True),
        _col("commentary"),
        _col("action"),
        _col("action_owner"),
        _col("action_due", "date"),
        _col("reported_on", "date"),
    ),
    "forecasts.csv": (
        _col("measure_id", "id", required=True, nonblank=True),
        _col("period", required=True, nonblank=True),
        _col("forecast", "number", required=True, nonblank=True),
        _col("reported_on", "date", required=True, nonblank=True),
        _col("note"),
    ),
    "comparator_groups.csv": (
        _col("group_id", "id", required=True, nonblank=True, pattern=_SLUG, pattern_hint="lower-case letters, digits and hyphens"),
        _col("name", required=True, nonblank=True),
        _col("area_code", "id", required=True, nonblank=True),
        _col("area_name"),
    ),
    "comparators": (
        _col("measure_id", "id", required=True, nonblank=True),
        _col("period", required=True, nonblank=True),
        _col("area_code", "id", required=True, nonblank=True),
        _col("value", "number"),
        _col("numerator", "number"),
        _col("denominator", "number"),
        _col("source"),
        _col("reported_on", "date", required=True, nonblank=True),
    ),
    "actions.csv": (
        _col("action_id", "id", required=True, nonblank=True, pattern=_ID, pattern_hint="letters, digits, _ and -"),
        _col("plan_id", "id", required=True, nonblank=True),
        _col("title", required=True, nonblank=True),
        _col("lead"),
        _col("due", "date"),
    ),
    "action_updates.csv": (
        _col("action_id", "id", required=True, nonblank=True),
        _col("period", required=True, nonblank=True),
        _col("status", "enum", required=True, nonblank=True, choices=ActionStatus.words()),
        _col("update"),
    ),
}

ROW_COLUMN = "_row"
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def read_table(
    path: Path, display: str, columns: tuple[Column, ...], data: bytes | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one CSV into typed columns, with a problem for every cell that breaks its rule.

    The returned frame has every declared column (blank ones filled from
    defaults), typed values, and ``_row``: the row number a spreadsheet shows
    (the header is row 1). Blank lines count as rows, so numbers after one
    still match the spreadsheet and the text file; a cell holding a line break
    is one spreadsheet row but two text lines, so a text editor's line number
    runs ahead of ``_row`` after such a cell. ``None`` means the file could not
    be read at all (the problems say why). ``data``: the file's bytes, when already read.
    """
    data = path.read_bytes() if data is None else data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [_not_utf8(data, display, exc.start)]
    if not text.strip():
        return None, [Problem(display, None, None, "the file is empty; it needs at least a header row")]
    other = _other_separator(text, columns)
    if other:
        return None, [Problem(display, 1, None, f"{other}; save the file as 'CSV UTF-8 (Comma delimited)'")]
    try:
        # header=None: pandas would otherwise silently use the first column as an index
        # when the first data row has one cell too many, shifting every value left.
        cells = pd.read_csv(io.StringIO(text), dtype=str, header=None, keep_default_na=False, skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        return None, _ragged_rows(text, display) or _unclosed_quote(text, display) or [
            Problem(display, None, None, f'not a readable CSV file ({exc}); check for a stray double quote (")')
        ]
    cells = cells.apply(lambda s: s.str.strip())
    names = [str(c) for c in cells.iloc[0]]
    frame = cells.iloc[1:].reset_index(drop=True)
    frame.columns = range(len(names))
    frame[ROW_COLUMN] = np.arange(len(frame)) + 2
    frame = frame[(frame.drop(columns=ROW_COLUMN) != "").any(axis=1)]

    problems: list[Problem] = []
    declared = {c.name for c in columns}
    keep: dict[str, int] = {}
    for position, name in enumerate(names):
        if name == "":
            if (frame[position] != "").any():
                where = f"column {_letters(position)}"
                problems.append(Problem(display, 1, where, "this column has no name in the header row; its values are ignored", "warning"))
        elif name in keep:
            problems.append(Problem(display, 1, name, "column appears twice; keep one"))
        else:
            keep[name] = position
            if name not in declared:
                problems.append(Problem(display, 1, name, "unknown column, ignored", "warning"))
    missing = [c.name for c in columns if c.required and c.name not in keep]
    for name in missing:
        problems.append(Problem(display, 1, name, "required column is missing; add it to the header row"))
    if any(p.severity == "error" for p in problems):
        return None, problems

    out = pd.DataFrame({ROW_COLUMN: frame[ROW_COLUMN].to_numpy()}, index=frame.index)
    for column in columns:
        raw = frame[keep[column.name]] if column.name in keep else pd.Series("", index=frame.index, dtype=str)
        out[column.name], cell_problems = _check_column(raw, frame[ROW_COLUMN], column, display)
        problems += cell_problems
    return out.reset_index(drop=True), problems


def typed_empty(columns: tuple[Column, ...]) -> pd.DataFrame:
    """A table with no rows, with the columns and types ``read_table`` gives a file of a header row only.

    For an optional file that is absent, where code downstream must not see
    different columns or types from a file that is present but empty.
    """
    rows = pd.Series([], dtype="int64")
    out = pd.DataFrame({ROW_COLUMN: rows})
    for column in columns:
        out[column.name] = _check_column(pd.Series([], dtype=str), rows, column, "")[0]
    return out


def _letters(position: int) -> str:
    """Spreadsheet column letters for a 0-based position (0 -> A, 26 -> AA)."""
    out = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        out = chr(65 + rest) + out
    return out


def _ragged_rows(text: str, display: str) -> list[Problem]:
    """A problem for every row with more cells than the header (only run on a file pandas refused)."""
    rows = csv.reader(io.StringIO(text))
    width = len(next(rows, []))
    return [
        Problem(
            display,
            number,
            None,
            f"this row has {len(row)} cells but the header row has {width}; a comma inside a value splits it "
            "(write 12.5, not 12,5, and put text containing commas in double quotes)",
        )
        for number, row in enumerate(rows, start=2)
        if len(row) > width
    ]


_SEPARATORS = {
    ";": "the values are separated by semicolons (;), not commas, as Excel saves CSV in some languages",
    "\t": "the values are separated by tabs, not commas, as a spreadsheet saves 'Text (Tab delimited)'",
}


def _other_separator(text: str, columns: tuple[Column, ...]) -> str | None:
    """What separates the values, when a header row has no comma but names the contract's columns between semicolons or tabs.

    Read with commas, such a file has one column with a long name, and every
    required column is reported missing; and a decimal comma in it splits rows.
    """
    header = text.split("\n", 1)[0]
    if "," in header:
        return None
    declared = {c.name for c in columns}
    for separator, found in _SEPARATORS.items():
        if declared & {name.strip().strip('"') for name in header.split(separator)[1:]}:
            return found
    return None


def missing_file(path: Path, display: str) -> Problem:
    """Why a file named on the command line cannot be read: a folder was named, or nothing is there."""
    if path.is_dir():
        return Problem(display, None, None, f"this is a folder, not a file; name the files in it, e.g. {path / '*.xlsx'}")
    return Problem(display, None, None, "file not found; check the path")


_BOM = b"\xef\xbb\xbf"
_MARK = "\ufffe"  # a noncharacter: no file's text holds it


def _not_utf8(data: bytes, display: str, start: int) -> Problem:
    """The row and column of the first byte that is not UTF-8 (``start`` counts from after a byte-order mark, as decoding did)."""
    offset = len(_BOM) if data.startswith(_BOM) else 0
    at = offset + start
    row, column = data[:at].count(b"\n") + 1, None
    marked = data[offset:at].decode("utf-8") + _MARK + data[at + 1 :].decode("utf-8", errors="replace")
    header: list[str] = []
    try:
        for n, record in enumerate(csv.reader(io.StringIO(marked)), start=1):
            header = record if n == 1 else header
            cell = next((i for i, value in enumerate(record) if _MARK in value), None)
            if cell is not None:
                row, column = n, header[cell].strip() if 1 < n and cell < len(header) else None
                break
    except csv.Error:
        pass  # the line counted above stands
    message = f"not UTF-8 text (byte 0x{data[at : at + 1].hex()} on this line); save the file as 'CSV UTF-8'"
    return Problem(display, row, column or None, message)


def _unclosed_quote(text: str, display: str) -> list[Problem]:
    """The row and column where a value opens a double quote that nothing closes (only run on a file pandas refused).

    pandas says only that the file ended inside a quoted value: everything
    after the quote reads as one value, so the analyst needs the cell where it
    opened. Rows are counted as ``read_table`` counts them.
    """
    rows = csv.reader(io.StringIO(text), strict=True)
    header: list[str] = []
    records, lines_before = 0, 0
    try:
        for row in rows:
            header = header if records else row
            records, lines_before = records + 1, rows.line_num
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):  # a quote followed by more text in its cell: pandas reads it
            return []
        rest = "".join(io.StringIO(text).readlines()[lines_before:])
        cells = next(csv.reader(io.StringIO(rest)), [""])  # the unfinished row, its last cell the one left open
        column = header[len(cells) - 1].strip() if records and len(cells) <= len(header) else None
        message = (
            'this value opens a double quote (") that is never closed, so everything after it reads as one value; '
            "close the quote, or remove it"
        )
        return [Problem(display, records + 1, column or None, message)]
    return []


def _check_column(raw: pd.Series, rows: pd.Series, column: Column, display: str):
    raw = raw.astype(str)
    blank = raw == ""
    problems: list[Problem] = []

    def report(mask: pd.Series, message) -> None:
        if not mask.any():
            return
        for row, value in zip(rows[mask], raw[mask], strict=True):
            problems.append(Problem(display, int(row), column.name, message(value)))

    if column.nonblank:
        report(blank, lambda _: "must not be blank")
    filled = raw.where(~blank, column.default)
    present = filled != ""

    if column.kind == "enum":
        bad = present & ~filled.str.lower().isin(column.choices)
        report(bad, lambda v: f"'{v}' is not allowed; write one of: {', '.join(column.choices)}")
        # A bad word becomes blank, so checks that depend on it are skipped rather than misled.
        return filled.str.lower().where(present & ~bad, None), problems
    if column.kind in ("int", "number"):
        numeric = filled.str.fullmatch(_NUMBER)
        report(present & ~numeric & ~blank, lambda v: f"'{v}' is not a number; write digits only, without commas, % or £")
        values = pd.to_numeric(filled.where(present & numeric), errors="coerce")
        if column.kind == "int":
            bad = values.notna() & (values != values.round())
            report(bad, lambda v: f"'{v}' is not a whole number; write one without a decimal point")
            values = values.where(~bad)
        if column.minimum is not None:
            bad = values.notna() & (values < column.minimum)
            report(bad, lambda v: f"'{v}' is below the minimum of {column.minimum:g}; write {column.minimum:g} or more")
            values = values.where(~bad)
        return (values.astype("Int64") if column.kind == "int" else values.astype("float64")), problems
    if column.kind == "bool":
        lower = filled.str.lower()
        report(present & ~lower.isin(("true", "false")), lambda v: f"'{v}' is not allowed; write true or false")
        return lower == "true", problems
    if column.kind == "date":
        # One unit whether or not any cell is filled (pandas gives an all-blank column seconds), so a table's
        # types, which reuse hashes, do not change when its first date is written.
        dates = pd.to_datetime(filled.where(present), format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")
        report(present & dates.isna() & ~blank, lambda v: f"'{v}' is not a date; write it as YYYY-MM-DD, e.g. 2020-10-31")
        return dates, problems
    if column.kind == "sdgs":
        parts = filled.str.split(";")
        ok = parts.map(lambda xs: all(x.strip().isdigit() and 1 <= int(x) <= 17 for x in xs) if xs != [""] else True)
        report(~ok, lambda v: f"'{v}' is not a list of UN goal numbers; write numbers 1-17 separated by ';', e.g. 3;11")
        goals = parts.map(lambda xs: tuple(sorted({int(x) for x in xs if x.strip().isdigit()})) if xs != [""] else ())
        return goals.where(ok, ()), problems
    if column.pattern:
        report(present & ~filled.str.fullmatch(column.pattern), lambda v: f"'{v}' may only use {column.pattern_hint}")
    return filled.where(present, None), problems
