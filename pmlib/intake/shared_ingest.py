"""Returns read into a shared-services project: each file to the council it is for, a shared service's split by council.

A council's own return says which council it is for on its About sheet (the
council id, or for one written without ``councils.yml`` the council's name),
and is read into that council's data folder exactly as ``pm ingest --data``
would. A shared service's return holds every council's rows; each council's
rows are copied, cell by cell, into a workbook of the single-council layout
and read by ``WorkbookReader`` itself, so the same rules (what a cell really
holds, revisions, same-day checks, commentary, forecasts) apply with no
second copy of them; every problem is then put back on the shared
workbook's own cell. Nothing is written unless every file and every
council's part is clean: councils share one return, and half of it read in
would leave their reports telling different stories.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from pmlib.contract.councils import SharedServices
from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import PeriodError, parse_quarter
from pmlib.errors import IntakeError, Problem, sort_problems
from pmlib.intake.ingest import (
    FileRead,
    checked_folder,
    named_once,
    plan_intake,
    read_file,
)
from pmlib.intake.intake_plan import IntakeResult
from pmlib.intake.late import LateCheck, dated, report_dates
from pmlib.intake.returns import (
    ABOUT_SHEET,
    COMMENTARY_COLUMNS,
    COMMENTARY_SHEET,
    COUNCIL_ID,
    DEFINITIONS_SHEET,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    READABLE_FORMATS,
    RETURN_COLUMNS,
    RETURN_SHEET,
    SUPPLIED_ON_CELL,
    owner_slug,
)
from pmlib.intake.saved_sheets import saved_return_problem
from pmlib.intake.shared_returns import COUNCIL_HEADING, SHARED_FORMAT, shared_services_of
from pmlib.intake.supplied_on import date_warnings, with_date_warnings
from pmlib.intake.workbooks import WorkbookReader, added_columns

_FRESH = "ask the performance team for a fresh return (pm returns --councils) and copy the figures into it"
_SHEETS = {RETURN_SHEET: RETURN_COLUMNS, COMMENTARY_SHEET: COMMENTARY_COLUMNS}


@dataclass(frozen=True)
class SharedIntake:
    """The outcome of ``ingest_shared``: per council that was sent anything (in display order), what each file added."""

    councils: dict[str, IntakeResult]
    written: bool


def _shift(where: str) -> str:
    """A cell of a council's part (``Return!K7``) as the shared workbook's (``Return!L7``): the table is one column right."""
    sheet, _, ref = where.rpartition("!")
    if sheet not in _SHEETS or not ref:
        return where
    parts = []
    for part in ref.split(":"):
        col, row = re.fullmatch(r"([A-Z]+)(\d+)", part).groups()
        min_col, *_ = range_boundaries(f"{col}1")
        parts.append(f"{get_column_letter(min_col + 1)}{row}" if int(row) >= HEADER_ROW else part)
    return f"{sheet}!{':'.join(parts)}"


class _CouncilPart(WorkbookReader):
    """One council's rows of a shared service's return, read by the single-council rules, each problem on the shared cell."""

    def __init__(self, path: Path, display: str, data: CouncilData, service: str, part: Workbook):
        super().__init__(path, display, data)
        self.service, self.part = service, part

    def _open(self):
        return self.part

    def problem(self, sheet: str | None, ref: str | None, message: str, severity: str = "error") -> None:
        """As ``WorkbookReader.problem``, on the shared workbook's cell."""
        super().problem(sheet, _shift(f"{sheet}!{ref}").partition("!")[2] if sheet and ref else ref, message, severity)

    def repeated(self, sheet: str, r: int, first: int, what: str, each: str) -> None:
        """As ``WorkbookReader.repeated``, on the row's Council cell: rows are split by council, so one row's Council was changed.

        Each council's rows go out once, so a measure (and period) twice in
        one council's part means another council's row was given its name.
        """
        name = self.data.council.name
        message = (
            f"{what} is also on row {first} for {name}, so one of the two rows' Council was changed; put back the council the row came with"
        )
        WorkbookReader.problem(self, sheet, f"A{r}", message)

    def ours(self, sheet: str, ref: str, measure_id: str) -> bool:
        """Whether a row's Measure ID is one of this service's measures in this council, and on the Definitions sheet."""
        name = self.data.council.name
        put_back = "put back the Measure ID the return came with (the Definitions sheet lists them), and don't add rows"
        if measure_id not in self.data.measures.index:
            self.problem(sheet, ref, f"{measure_id!r} is not a measure of {name} (its measures.csv); {put_back}")
            return False
        service = shared_services_of(self.data)[measure_id]
        if service != self.service:
            whose = f"the shared service {service}'s" if service else f"{name}'s own"
            self.problem(sheet, ref, f"{measure_id} is {whose} measure in {name}, not {self.service}'s; {put_back}")
            return False
        if self.listed is not None and measure_id not in self.listed:
            self.problem(sheet, ref, f"{measure_id} is not on this return's Definitions sheet; {put_back}")
            return False
        return True

    def part_read(self, default_date: dt.date, quarter_slug: str) -> FileRead:
        """The part's figures, commentary and questions, each cell named as on the shared workbook."""
        rows = self.read(default_date)
        moved = lambda origin: {k: (f, r, _shift(w)) for k, (f, r, w) in origin.items()}  # noqa: E731
        if len(rows):
            rows = rows.assign(_origin=rows["_origin"].map(moved), _target=f"returns-{quarter_slug}-{owner_slug(self.service)}.csv")
        said = self.commentary.assign(_origin=self.commentary["_origin"].map(moved)) if len(self.commentary) else self.commentary
        asked = [a | {"where": (a["where"][0], a["where"][1], _shift(a["where"][2]))} for a in self.asked]
        return FileRead(rows, said, asked, self.problems, self.quarter, self.undated)


def _about(wb) -> dict[str, object]:
    if ABOUT_SHEET not in wb.sheetnames:
        return {}
    return {str(r[0]).strip(): r[1] for r in wb[ABOUT_SHEET].iter_rows(values_only=True) if r and r[0] is not None and len(r) > 1}


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


class _SharedReturn:
    """One shared service's return: its About sheet and layout checked once, then split by the Council column."""

    def __init__(self, path: Path, wb, services: SharedServices, datas: dict[str, CouncilData]):
        self.path, self.display, self.wb, self.services, self.datas = path, str(path), wb, services, datas
        self.problems: list[Problem] = []
        self.labels = {label: cid for cid, data in datas.items() for label in (cid, data.council.name)}

    def problem(self, where: str | None, message: str, severity: str = "error") -> None:
        row = int(re.sub(r"[^0-9]", "", where.split("!")[1].split(":")[0])) if where and "!" in where else None
        self.problems.append(Problem(self.display, row, where, message, severity))  # type: ignore[arg-type]

    def _layout(self) -> bool:
        for sheet, columns in _SHEETS.items():
            if sheet not in self.wb.sheetnames:
                self.problem(None, f"no sheet named '{sheet}' (sheets: {', '.join(self.wb.sheetnames)}); rename it back, or {_FRESH}")
                return False
            ws = self.wb[sheet]
            for i, heading in enumerate((COUNCIL_HEADING, *(c.heading for c in columns)), start=1):
                if ws.cell(HEADER_ROW, i).value != heading:
                    cell = ws.cell(HEADER_ROW, i)
                    self.problem(
                        f"{sheet}!{cell.coordinate}",
                        f"should hold the heading '{heading}' but holds {cell.value!r}: columns were moved, added or deleted; {_FRESH}",
                    )
                    return False
            for coordinate, message in added_columns(ws, 1 + len(columns)):
                self.problem(f"{sheet}!{coordinate}", message, "warning")
            for merged in sorted(ws.merged_cells.ranges, key=str):
                if merged.max_row >= HEADER_ROW or (sheet == RETURN_SHEET and SUPPLIED_ON_CELL in merged):
                    self.problem(
                        f"{sheet}!{merged.coord}", f"cells {merged.coord} are merged; unmerge them so each figure has its own cell"
                    )
        return not any(p.severity == "error" for p in self.problems)

    def _councils(self, sheet: str) -> dict[int, str]:
        """Each table row's council id; a row naming no council of the return is a problem if anything is filled in on it."""
        ws, columns = self.wb[sheet], _SHEETS[sheet]
        fill_in = [i + 2 for i, c in enumerate(columns) if c.fill_in]
        names = ", ".join(data.council.name for data in self.datas.values())
        out = {}
        for r in range(FIRST_ROW, ws.max_row + 1):
            label = ws.cell(r, 1).value
            text = "" if _blank(label) else str(label).strip()
            if text in self.labels:
                out[r] = self.labels[text]
            elif text or any(not _blank(ws.cell(r, i).value) for i in fill_in):
                said = f"{text!r} is not one of this return's councils ({names})" if text else f"no council is given ({names})"
                self.problem(f"{sheet}!A{r}", f"{said}; put back the council the row came with, and don't add rows")
        return out

    def _part(self, council_id: str, rows: dict[str, dict[int, str]], service: str, quarter: str) -> Workbook:
        """A single-council return holding only this council's rows, each on its own row number, one column left."""
        part = Workbook()
        part.remove(part.active)
        for sheet, columns in _SHEETS.items():
            src, dst = self.wb[sheet], part.create_sheet(sheet)
            if sheet == RETURN_SHEET:
                dst[SUPPLIED_ON_CELL].value = src[SUPPLIED_ON_CELL].value
                dst[SUPPLIED_ON_CELL].number_format = src[SUPPLIED_ON_CELL].number_format
            for r in [HEADER_ROW] + [r for r, cid in rows[sheet].items() if cid == council_id]:
                for i in range(1, len(columns) + 1):
                    cell, source = dst.cell(r, i), src.cell(r, i + 1)
                    cell.value, cell.number_format = source.value, source.number_format
        if DEFINITIONS_SHEET in self.wb.sheetnames:
            definitions = part.create_sheet(DEFINITIONS_SHEET)
            for (v,) in self.wb[DEFINITIONS_SHEET].iter_rows(max_col=1, values_only=True):
                definitions.append([v])
        about = part.create_sheet(ABOUT_SHEET)
        for key, value in (("Format", FORMAT), ("Council", self.datas[council_id].council.name), ("Owner", service), ("Quarter", quarter)):
            about.append([key, value])
        return part

    def read(self, default_date: dt.date) -> dict[str, FileRead]:
        """Each council's part, read; ``problems`` holds what is wrong with the workbook as a whole."""
        about = _about(self.wb)
        service = "" if _blank(about.get("Service")) else str(about["Service"]).strip()
        if not service:
            self.problem(f"{ABOUT_SHEET}!B3", f"the About sheet does not name the shared service; {_FRESH}")
        try:
            quarter = parse_quarter(str(about.get("Quarter")))
        except PeriodError:
            self.problem(f"{ABOUT_SHEET}!B4", f"{about.get('Quarter')!r} is not a quarter; {_FRESH}")
            return {}
        if not service or not self._layout():
            return {}
        rows = {sheet: self._councils(sheet) for sheet in _SHEETS}
        reads = {}
        for council_id in dict.fromkeys(cid for sheet in rows.values() for cid in sheet.values()):
            part = self._part(council_id, rows, service, quarter.code)
            reader = _CouncilPart(self.path, self.display, self.datas[council_id], service, part)
            reads[council_id] = reader.part_read(default_date, quarter.slug.lower())
        return reads


def _route(path: Path, services: SharedServices, datas: dict[str, CouncilData], default_date: dt.date) -> dict[str, FileRead]:
    """Which council (or councils) a file's figures are for, each with what it gives them.

    A file that cannot be opened or is no return is read for the first
    council, only to report the problem as ``pm ingest`` would: it gives no
    figures.
    """
    first = services.councils[0].id
    if path.suffix.lower() == ".csv":
        folders = ", ".join(c.data.as_posix() for c in services.councils)
        message = f"a CSV of figures does not say which council it is for; read it in with pm ingest FILE --data FOLDER ({folders})"
        saved = saved_return_problem(path, str(path)) if path.is_file() else None
        return {first: FileRead(pd.DataFrame(), pd.DataFrame(), [], [saved or Problem(str(path), None, None, message)])}
    try:
        wb = load_workbook(path, data_only=False) if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm") else None
    except Exception:  # an untrusted file: read_file says what is wrong with it
        wb = None
    about = _about(wb) if wb is not None else {}
    if about.get("Format") == SHARED_FORMAT:
        shared = _SharedReturn(path, wb, services, datas)
        reads = shared.read(default_date)
        if not shared.problems:
            return reads
        if first in reads:  # warnings alone: the first council's part keeps its rows
            return reads | {first: replace(reads[first], problems=reads[first].problems + shared.problems)}
        return reads | {first: FileRead(pd.DataFrame(), pd.DataFrame(), [], shared.problems)}
    if about.get("Format") not in READABLE_FORMATS:
        return {first: FileRead(pd.DataFrame(), pd.DataFrame(), [], read_file(path, datas[first], default_date).problems)}
    names = {data.council.name: cid for cid, data in datas.items()}
    council_id = about.get(COUNCIL_ID, names.get(about.get("Council")))
    if council_id not in datas:
        given = f"council id {council_id!r}" if COUNCIL_ID in about else f"{about.get('Council')!r}"
        row = 5 if COUNCIL_ID in about else 2  # the About sheet's Council id and Council lines, as returns.about_sheet writes them
        message = f"this return is for {given}, which is not a council in {services.file.as_posix()} ({', '.join(datas)}); {_FRESH}"
        return {first: FileRead(pd.DataFrame(), pd.DataFrame(), [], [Problem(str(path), row, f"{ABOUT_SHEET}!B{row}", message)])}
    return {council_id: read_file(path, datas[council_id], default_date)}


def ingest_shared(
    files: list[str | os.PathLike],
    services: SharedServices,
    reported_on: dt.date | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> SharedIntake:
    """Read returns into each council's data folder by ``ingest``'s rules; raise ``IntakeError`` with every problem and write nothing.

    ``reported_on`` dates figures whose file gives no date (default: today).
    """
    today = today or dt.date.today()
    datas, problems = {}, []
    for council in services.councils:
        data, found = checked_folder(council.data)
        problems += found
        datas[council.id] = data
    if problems:
        raise IntakeError(problems)
    reads: dict[str, list[tuple[Path, FileRead]]] = {cid: [] for cid in datas}
    for path in named_once(files):
        for council_id, got in _route(path, services, datas, reported_on or today).items():
            reads[council_id].append((path, got))
    warned = date_warnings([read for council in reads.values() for read in council], today, dated(reported_on))
    reads = {council_id: with_date_warnings(council, warned) for council_id, council in reads.items()}
    plans = {}
    for council in services.councils:
        if reads[council.id]:
            try:
                late = LateCheck(report_dates(council.params), written=not dry_run, dated=dated(reported_on))
                plans[council.id] = plan_intake(council.data, datas[council.id], reads[council.id], today, late)
            except IntakeError as error:
                problems += error.problems
    if any(p.severity == "error" for p in problems):
        raise IntakeError(sort_problems(list(dict.fromkeys(problems))))
    if not dry_run:
        for plan in plans.values():
            plan.write()
    return SharedIntake(
        {cid: plan.result(not dry_run) for cid, plan in plans.items()}, not dry_run and any(p.anything for p in plans.values())
    )
