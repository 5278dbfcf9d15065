"""Reading one returned workbook cell by cell, for what each cell really holds.

Excel hides what a cell holds behind what it shows: ``76%`` may be 0.76, a
figure may be a formula, ``3/4`` becomes a date, digits may be text. The
return's layout is fixed by ``pmlib.intake.returns``; anything that departs from it
(a renamed sheet, a moved column, merged cells) is reported rather than
guessed around, because a figure read from the wrong cell would be published.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import Period, PeriodError, parse_period, parse_quarter
from pmlib.errors import Problem
from pmlib.intake.return_commentary import read_commentary_sheet
from pmlib.intake.returns import (
    ABOUT_SHEET,
    COMMENTARY_SHEET,
    DEFINITIONS_SHEET,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    LETTERS,
    NO_FIGURE_WHERE,
    READABLE_FORMATS,
    RETURN_COLUMNS,
    RETURN_SHEET,
    SUPPLIED_ON_CELL,
)
from pmlib.intake.shared_returns import SHARED_FORMAT
from pmlib.vocabulary import QUALITIES

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_OLE = b"\xd0\xcf\x11\xe0"
_FRESH = "ask the performance team for a fresh return (pm returns) and copy the figures into it"


def _blank(cell) -> bool:
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def added_columns(ws, own: int) -> list[tuple[str, str]]:
    """The first cell typed in each column after a sheet's ``own`` columns, and a warning: ``pm ingest`` reads none of it, unsaid."""
    found = []
    for cells in ws.iter_cols(min_col=own + 1, min_row=HEADER_ROW, max_col=ws.max_column):
        typed = next((cell for cell in cells if not _blank(cell)), None)
        if typed is not None:
            found.append(
                (
                    typed.coordinate,
                    f"column {typed.column_letter} is not one of the return's, so what it holds ({str(typed.value)[:40]!r}) is not "
                    "read in; put a figure's note in Note and the measure's commentary on the Commentary sheet",
                )
            )
    return found


class WorkbookReader:
    """Problems and rows from one return workbook; ``read`` fills both."""

    def __init__(self, path: Path, display: str, data: CouncilData):
        self.path, self.display, self.data = path, display, data
        self.problems: list[Problem] = []
        self.quarter: Period | None = None
        self.owner = ""
        self.format = FORMAT
        self.listed: set[str] | None = None
        self.commentary = pd.DataFrame()
        self.asked: list[dict] = []
        self.commentary_rows: dict[str, int] = {}
        self.sheet = RETURN_SHEET
        self.undated = False

    def problem(self, sheet: str | None, ref: str | None, message: str, severity: str = "error") -> None:
        """Record a problem at ``sheet!ref`` (the row taken from the cell), so each message names the cell to fix."""
        row = int(re.sub(r"[A-Z]+", "", ref.split(":")[0])) if ref else None
        column = f"{sheet}!{ref}" if sheet and ref else sheet
        self.problems.append(Problem(self.display, row, column, message, severity))  # type: ignore[arg-type]

    def _open(self):
        head = self.path.read_bytes()[:8]
        if not head:
            self.problem(None, None, "the file is empty (0 bytes); save the workbook again and resend it, or " + _FRESH)
            return None
        if head.startswith(_OLE):
            self.problem(
                None,
                None,
                "this is an old-style .xls workbook or a password-protected one; "
                "open it in Excel, remove any password and save it as Excel Workbook (.xlsx)",
            )
            return None
        try:
            return load_workbook(self.path, data_only=False)
        except Exception as exc:  # an untrusted file: whatever openpyxl trips on (bad zip, bad XML, missing part), it cannot be read
            self.problem(
                None,
                None,
                f"not a workbook that can be opened: it is damaged or not an Excel file ({type(exc).__name__}); "
                "open it in Excel and save it as Excel Workbook (.xlsx), or ask for it to be sent again",
            )
            return None

    def _about(self, wb) -> bool:
        if ABOUT_SHEET not in wb.sheetnames:
            self.problem(
                None,
                None,
                f"not a pmlib return: it has no '{ABOUT_SHEET}' sheet (sheets: {', '.join(wb.sheetnames)}); "
                "fill in the workbook pm returns wrote, or send the figures as a CSV in the data contract's format",
            )
            return False
        about = {str(r[0]).strip(): r[1] for r in wb[ABOUT_SHEET].iter_rows(values_only=True) if r and r[0] is not None and len(r) > 1}
        if about.get("Format") == SHARED_FORMAT:
            self.problem(
                ABOUT_SHEET,
                "B1",
                f"this is a shared service's return (Format {SHARED_FORMAT}), with rows for each council it works for; "
                "read it in with pm ingest FILE --councils councils.yml, which puts each council's rows in its own data folder",
            )
            return False
        if about.get("Format") not in READABLE_FORMATS:
            self.problem(ABOUT_SHEET, "B1", f"the About sheet does not say Format {FORMAT}; {_FRESH}")
            return False
        self.format = str(about["Format"])
        if about.get("Council") != self.data.council.name:
            self.problem(
                ABOUT_SHEET,
                "B2",
                f"this return is for {about.get('Council')!r}, not {self.data.council.name!r} (council.yml); "
                "read it into that council's data folder (--data), or ask the performance team for this council's return",
            )
            return False
        try:
            self.quarter = parse_quarter(str(about.get("Quarter")))
        except PeriodError:
            self.problem(ABOUT_SHEET, "B4", f"{about.get('Quarter')!r} is not a quarter; {_FRESH}")
            return False
        self.owner = str(about.get("Owner") or "")
        return True

    def _layout(self, ws) -> bool:
        ok = True
        for i, column in enumerate(RETURN_COLUMNS, start=1):
            found = ws.cell(HEADER_ROW, i).value
            if found != column.heading:
                ref = ws.cell(HEADER_ROW, i).coordinate
                self.problem(
                    self.sheet,
                    ref,
                    f"should hold the heading '{column.heading}' but holds {found!r}: columns were moved, added or deleted; {_FRESH}",
                )
                ok = False
                break
        if ok:
            self.added_columns(ws, len(RETURN_COLUMNS))
        for merged in sorted(ws.merged_cells.ranges, key=str):
            # A merged title or note above the table is harmless; one over Supplied on or the table hides cells that are read.
            if merged.max_row >= HEADER_ROW or SUPPLIED_ON_CELL in merged:
                self.problem(
                    self.sheet,
                    merged.coord,
                    f"cells {merged.coord} are merged; unmerge them (Merge & Center) so each figure has its own cell",
                )
                ok = False
        return ok

    def added_columns(self, ws, own: int) -> None:
        """Warn of each column typed in after a sheet's ``own`` columns (``added_columns``)."""
        for coordinate, message in added_columns(ws, own):
            self.problem(ws.title, coordinate, message, "warning")

    def ours(self, sheet: str, ref: str, measure_id: str) -> bool:
        """Whether a row's Measure ID is one this return was written for: a known measure, this owner's, on its Definitions sheet.

        An edited ID that names another valid measure would otherwise put one
        service unit's figure on another's measure without a word.
        """
        put_back = "put back the Measure ID the return came with (the Definitions sheet lists them)"
        if measure_id not in self.data.measures.index:
            self.problem(
                sheet,
                ref,
                f"{measure_id!r} is not a measure in measures.csv; {put_back}, "
                "and don't add rows: ask the performance team to add a new measure",
            )
            return False
        owner = self.data.measures.at[measure_id, "owner"]
        owner = owner if isinstance(owner, str) else ""
        if owner != self.owner:
            whose = f"belongs to {owner}" if owner else "has no owner"
            self.problem(
                sheet,
                ref,
                f"{measure_id} {whose}, not to {self.owner or 'no owner'}; {put_back}; each service unit's measures come in its own return",
            )
            return False
        if self.listed is not None and measure_id not in self.listed:
            self.problem(
                sheet,
                ref,
                f"{measure_id} is not on this return's Definitions sheet; {put_back}, and don't add rows",
            )
            return False
        return True

    def repeated(self, sheet: str, r: int, first: int, what: str, each: str) -> None:
        """Row ``r`` gives ``what`` (a measure, or a measure and period) again after row ``first``: a problem on its Measure ID."""
        self.problem(sheet, f"{LETTERS['measure_id']}{r}", f"{what} is also on row {first}; keep one row for each {each}")

    def number(self, cell, heading: str, sheet: str | None = None) -> float | None:
        """A figure cell's number (None if blank); a formula, date, percent-formatted fraction or text is a problem on the cell."""
        sheet = sheet or self.sheet
        v = cell.value
        where = cell.coordinate
        if _blank(cell):
            return None
        if cell.data_type == "f" or (isinstance(v, str) and v.startswith("=")):
            self.problem(sheet, where, f"{heading} holds a formula ({v}); type the figure itself (copy the cell, then Paste Values)")
        elif isinstance(v, bool):
            self.problem(sheet, where, f"{heading} holds {str(v).upper()}; type the figure as a number")
        elif isinstance(v, dt.datetime | dt.date | dt.time):
            shown = v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else str(v)
            self.problem(
                sheet,
                where,
                f"{heading} holds the date {shown}: Excel turned what was typed into a date; format the cell as Number and type the figure",
            )
        elif isinstance(v, int | float):
            if "%" in (cell.number_format or ""):
                self.problem(
                    sheet,
                    where,
                    f"{heading} is formatted as a percentage, so Excel holds {v:g} for {v * 100:g}%; "
                    f"format the cell as Number and type {v * 100:g}",
                )
            elif np.isfinite(v):
                return float(v)
        else:
            text = str(v).strip()
            if _NUMBER.match(text):
                return float(text)
            if _THOUSANDS.match(text):
                return float(text.replace(",", ""))
            if text.endswith("%") and _NUMBER.match(text[:-1].strip()):
                self.problem(sheet, where, f"{heading} holds the text '{text}'; type {text[:-1].strip()} without the % sign")
            else:
                blank = (
                    "leave it blank (a forecast is optional)"
                    if sheet == COMMENTARY_SHEET
                    else f"leave it blank and say why in {NO_FIGURE_WHERE}"
                )
                self.problem(sheet, where, f"{heading} holds the text '{text}', not a number; type the figure in digits, or {blank}")
        return None

    def _supplied_on(self, ws, default: dt.date) -> dt.date:
        cell = ws[SUPPLIED_ON_CELL]
        v = cell.value
        if _blank(cell):
            self.undated = True
            return default
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        if cell.data_type == "f" or (isinstance(v, str) and v.startswith("=")):
            self.problem(
                self.sheet,
                SUPPLIED_ON_CELL,
                f"Supplied on holds a formula ({v}); type the date itself (e.g. 23/11/2026), or leave it blank",
            )
            return default
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
            try:
                return dt.date.fromisoformat(v.strip())
            except ValueError:
                pass
        self.problem(
            self.sheet,
            SUPPLIED_ON_CELL,
            f"Supplied on holds {v!r}, which Excel does not read as a date; type the date again so Excel shows it as one "
            "(e.g. 23/11/2026), write it as 2026-11-23, or leave it blank",
        )
        return default

    def text(self, cell, heading: str, sheet: str | None = None) -> str | None:
        """A text cell's text, stripped (None if blank); a formula is refused, since its result is not what was meant to be read."""
        sheet = sheet or self.sheet
        v = cell.value
        if cell.data_type == "f" or (isinstance(v, str) and v.startswith("=")):
            self.problem(sheet, cell.coordinate, f"{heading} holds a formula ({v}); type the text itself")
            return None
        return None if v is None or not str(v).strip() else str(v).strip()

    def _row(self, ws, r: int, supplied: dt.date, seen: dict) -> dict | None:
        cell = {c.key: ws[f"{LETTERS[c.key]}{r}"] for c in RETURN_COLUMNS}
        headings = {c.key: c.heading.replace(" (fill in)", "") for c in RETURN_COLUMNS}
        value, numerator, denominator = (self.number(cell[k], headings[k]) for k in ("value", "numerator", "denominator"))
        quality_text, note = self.text(cell["quality"], "Quality"), self.text(cell["note"], "Note")
        given = {k: not _blank(cell[k]) for k in ("value", "numerator", "denominator")}  # a figure refused above is not missing too
        if value is None and numerator is None and denominator is None:
            if (quality_text or note) and not any(given.values()):
                self.problem(self.sheet, f"{LETTERS['value']}{r}", self._no_figure(cell["measure_id"].value), "warning")
            return None
        measure_id = str(cell["measure_id"].value or "").strip()
        if not self.ours(self.sheet, f"{LETTERS['measure_id']}{r}", measure_id):
            return None
        m = self.data.measures.loc[measure_id]
        period_text = str(cell["period"].value or "").strip()
        try:
            period = parse_period(period_text, m["frequency"])
        except PeriodError as exc:
            self.problem(self.sheet, f"{LETTERS['period']}{r}", f"{exc}; {_FRESH}")
            return None
        if (measure_id, period.code) in seen:
            self.repeated(self.sheet, r, seen[(measure_id, period.code)], f"{measure_id} {period.code}", "measure and period")
            return None
        seen[(measure_id, period.code)] = r
        quality = None
        if quality_text is not None:
            quality = quality_text.lower()
            if quality not in QUALITIES:
                self.problem(
                    self.sheet,
                    cell["quality"].coordinate,
                    f"'{quality_text}' is not a quality; choose {', '.join(QUALITIES[:-1])} or {QUALITIES[-1]} from the list, "
                    f"or leave it blank for {QUALITIES[0]}",
                )
        if m["aggregation"] == "ratio":
            if value is not None:
                self.problem(
                    self.sheet, cell["value"].coordinate, f"{measure_id} is given as a numerator and a denominator; leave Value blank"
                )
            for key, got in (("numerator", numerator), ("denominator", denominator)):
                if got is None and not given[key]:
                    self.problem(self.sheet, cell[key].coordinate, f"{measure_id} needs both a numerator and a denominator; give its {key}")
        elif numerator is not None or denominator is not None:
            key = "numerator" if numerator is not None else "denominator"
            self.problem(
                self.sheet, cell[key].coordinate, f"{measure_id} is given as a value; put the figure in Value, not {headings[key]}"
            )
        origin = {key: (self.display, r, f"{self.sheet}!{LETTERS[key]}{r}") for key in LETTERS}
        origin["reported_on"] = (self.display, 3, f"{self.sheet}!{SUPPLIED_ON_CELL}")
        nan = float("nan")
        return {
            "measure_id": measure_id,
            "period": period.code,
            "value": nan if value is None else value,
            "numerator": nan if numerator is None else numerator,
            "denominator": nan if denominator is None else denominator,
            "quality": quality,
            "note": note,
            "reported_on": pd.Timestamp(supplied),
            "_origin": origin,
        }

    def _no_figure(self, measure_id) -> str:
        """Why a blank figure's Quality and Note are dropped, and where its explanation is kept instead.

        ``observations/`` has no row without a figure (a missing figure is no
        row at all), so the Note has nowhere to go; the quarter's commentary is
        per measure, shown with the measure whatever its status.
        """
        said = "no figure given, so this row's Quality and Note are not read in (they are kept only with a figure)"
        row = self.commentary_rows.get(str(measure_id or "").strip())
        if row is not None:
            return f"{said}; give the figure, or say why there is none in the Commentary column of the Commentary sheet, row {row}"
        if self.format == FORMAT:
            return f"{said}; give the figure, or say why there is none in {NO_FIGURE_WHERE}"
        return f"{said}; give the figure, or tell the performance team why there is none"

    def _missing_return_sheet(self, sheets: list[str]) -> None:
        others = [s for s in sheets if s not in (ABOUT_SHEET, DEFINITIONS_SHEET, COMMENTARY_SHEET)]
        if len(others) == 1:
            self.problem(
                others[0],
                None,
                f"the figures' sheet is named '{others[0]}'; rename it back to '{RETURN_SHEET}' (right-click the sheet tab, Rename)",
            )
        elif not others:
            self.problem(None, None, f"the '{RETURN_SHEET}' sheet has been deleted (sheets: {', '.join(sheets)}); {_FRESH}")
        else:
            self.problem(
                None,
                None,
                f"no sheet named '{RETURN_SHEET}' (sheets: {', '.join(sheets)}); rename the figures' sheet back to '{RETURN_SHEET}'",
            )

    def _figures_sheet(self, wb):
        """The Return sheet; or, when it is misnamed, the one other sheet with the return's headings, read under its own name.

        A misnamed sheet is an error either way, but its figures (and the
        Commentary sheet) are still read, so every other problem in the
        workbook comes out in the same run rather than after the rename.
        """
        if RETURN_SHEET in wb.sheetnames:
            return wb[RETURN_SHEET]
        self._missing_return_sheet(wb.sheetnames)
        headings = [c.heading for c in RETURN_COLUMNS]
        others = [wb[s] for s in wb.sheetnames if s not in (ABOUT_SHEET, DEFINITIONS_SHEET, COMMENTARY_SHEET)]
        like = [ws for ws in others if [ws.cell(HEADER_ROW, i).value for i in range(1, len(headings) + 1)] == headings]
        if len(like) != 1:
            return None
        self.sheet = like[0].title
        return like[0]

    def read(self, default_date: dt.date) -> pd.DataFrame:
        """The figures given in the workbook, one row each; ``problems`` says what could not be read."""
        wb = self._open()
        if wb is None or not self._about(wb):
            return pd.DataFrame()
        if DEFINITIONS_SHEET in wb.sheetnames:
            column = wb[DEFINITIONS_SHEET].iter_rows(min_row=2, max_col=1, values_only=True)
            self.listed = {str(v).strip() for (v,) in column if v is not None}
        if COMMENTARY_SHEET in wb.sheetnames:
            column = wb[COMMENTARY_SHEET].iter_rows(min_row=FIRST_ROW, max_col=1, values_only=True)
            self.commentary_rows = {str(v).strip(): r for r, (v,) in enumerate(column, start=FIRST_ROW) if v is not None}
        ws = self._figures_sheet(wb)
        supplied = default_date if ws is None else self._supplied_on(ws, default_date)
        rows = []
        if ws is not None and self._layout(ws):
            seen: dict = {}
            rows = [row for r in range(FIRST_ROW, ws.max_row + 1) if (row := self._row(ws, r, supplied, seen)) is not None]
        if self.format == FORMAT:
            self.commentary = read_commentary_sheet(self, wb, supplied)
        return pd.DataFrame(rows)
