"""The quarterly returns of a shared-services project: each council's own returns, and one per shared service for every council.

Councils that share services (``councils.yml``) still ask each of their own
service units for figures exactly as a single council does, so each council's
own measures (blank ``shared_service``) go out in the workbooks
``pmlib.intake.returns`` writes, under ``<out>/<council id>/``. A shared
service is one team supplying the same measures to every council, so it gets
ONE workbook per quarter holding every council's rows, each named in a
``Council`` column, rather than one per council that the team would fill in
twice. Its layout is the single-council return's with that column put first,
so ``pmlib.intake.shared_ingest`` can split it by council and read each part
by the single-council rules. Its deadline is the earliest of the councils'
``returns_due``: the team must meet every council's, and the sheet says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

from pmlib.contract.councils import SharedServices
from pmlib.contract.harmonisation import load_shared
from pmlib.contract.loading import CouncilData
from pmlib.contract.params_folder import params_files, report_params
from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import ConfigError, Problem
from pmlib.intake.return_rows import return_rows, target_warnings
from pmlib.intake.returns import (
    ABOUT_SHEET,
    COMMENTARY_COLUMNS,
    COMMENTARY_SHEET,
    DEFINITIONS_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    RETURN_COLUMNS,
    RETURN_SHEET,
    commentary_sheet,
    definitions_sheet,
    owner_slug,
    return_sheet,
    save_workbook,
    write_owner_returns,
)

SHARED_FORMAT = "pmlib-shared-return-1"
SHARED_FOLDER = "shared"
COUNCIL_HEADING = "Council"
COUNCIL_WIDTH = 24


def shared_services_of(data: CouncilData) -> pd.Series:
    """Each measure's shared service, ``""`` for the council's own (a data folder without the column has only its own)."""
    if "shared_service" not in data.measures:
        return pd.Series("", index=data.measures.index, dtype=object)
    return data.measures["shared_service"].fillna("").astype(str).str.strip()


def council_dues(services: SharedServices, quarter: Period, due: dt.date | None = None) -> dict[str, dt.date | None]:
    """Each council's deadline for ``quarter``: its params file's ``returns_due``, else ``due`` (``pm returns --due``).

    ``due`` given and differing from a council's ``returns_due`` is an error,
    as for a single council: there would be two deadlines.
    """
    dues = {}
    for council in services.councils:
        given = report_params(council.params, quarter).returns_due if quarter in params_files(council.params) else None
        if due is not None and given is not None and due != given:
            raise ConfigError(
                f"--due {due:%Y-%m-%d} differs from {council.id}'s returns_due {given}; give one deadline",
                file=council.params / f"{quarter.slug}.yml",
            )
        dues[council.id] = given if given is not None else due
    return dues


def earliest_due(dues: dict[str, dt.date | None]) -> dt.date | None:
    """A shared service's deadline: the earliest of the councils' (None if no council has one)."""
    given = [d for d in dues.values() if d is not None]
    return min(given) if given else None


def due_note(dues: dict[str, dt.date | None]) -> str:
    """Why the shared return's deadline is the date it is, naming each council's."""
    each = ", ".join(f"{cid} {d:%Y-%m-%d}" if d else f"{cid} none" for cid, d in dues.items())
    return f"The deadline is the earliest of the councils' returns_due ({each})."


def shared_rows(datas: dict[str, CouncilData], quarter: Period, service: str) -> pd.DataFrame:
    """``return_rows`` of ``service``'s measures in every council that has them, council by council, each row naming its council."""
    parts = []
    for council_id, data in datas.items():
        rows = return_rows(data, quarter)
        mine = rows[rows["measure_id"].map(shared_services_of(data)) == service]
        parts.append(mine.assign(council=data.council.name, council_id=council_id))
    return pd.concat(parts, ignore_index=True)


def _shift_table(ws, columns: int) -> None:
    """Move the table (heading row down) one column right for the Council column, with its Excel checks and column widths."""
    last = get_column_letter(columns)
    ws.move_range(f"A{HEADER_ROW}:{last}{max(ws.max_row, HEADER_ROW)}", cols=1)
    for dv in ws.data_validations.dataValidation:
        ranges = []
        for cell_range in dv.sqref.ranges:
            moved = CellRange(cell_range.coord)
            if moved.min_row >= HEADER_ROW:
                moved.shift(col_shift=1)
            ranges.append(moved)
        dv.sqref = MultiCellRange(ranges)
    for i in range(columns, 0, -1):
        ws.column_dimensions[get_column_letter(i + 1)].width = ws.column_dimensions[get_column_letter(i)].width
    ws.column_dimensions["A"].width = COUNCIL_WIDTH
    ws.freeze_panes = f"D{FIRST_ROW}"


def _council_column(ws, councils: list[str], columns: int) -> None:
    _shift_table(ws, columns)
    heading = ws.cell(HEADER_ROW, 1, COUNCIL_HEADING)
    heading.font, heading.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for r, name in enumerate(councils, start=FIRST_ROW):
        ws.cell(r, 1, name).font = Font(bold=True)


def _about(ws, services: SharedServices, datas: dict[str, CouncilData], service: str, quarter: Period, dues: dict) -> None:
    due = earliest_due(dues)
    lines = [("Format", SHARED_FORMAT), ("Shared services", services.name), ("Service", service), ("Quarter", quarter.code)]
    lines += [(f"Council {i}", f"{cid}: {data.council.name}") for i, (cid, data) in enumerate(datas.items(), start=1)]
    lines.append(("Due", f"{due:%Y-%m-%d}. {due_note(dues)}" if due else f"No deadline has been set. {due_note(dues)}"))
    for key, value in lines:
        ws.append([key, value])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 16, 90
    ws.protection.sheet = True


def _shared_workbook(
    services: SharedServices, datas: dict[str, CouncilData], quarter: Period, service: str, rows: pd.DataFrame, dues: dict
) -> Workbook:
    due = earliest_due(dues)
    wb = Workbook()
    ws = wb.active
    return_sheet(ws, services.name, service, quarter, rows.reset_index(drop=True), due)
    ws.title = RETURN_SHEET
    _council_column(ws, list(rows["council"]), len(RETURN_COLUMNS))
    names = "; ".join(f"{data.council.name} ({cid})" for cid, data in datas.items())
    ws["A4"] = f"One return for every council the service works for: {names}. Each row is for the council in its Council column. "
    ws["A4"] = f"{ws['A4'].value}{due_note(dues)}"
    said = wb.create_sheet(COMMENTARY_SHEET)
    commentary_sheet(said, service, quarter, rows, due, one_per=("council_id", "measure_id"))
    _council_column(said, list(rows.drop_duplicates(["council_id", "measure_id"])["council"]), len(COMMENTARY_COLUMNS))
    said["A4"] = "Give each council's commentary on its own row: the figures, and so the story, may differ."
    measures = pd.concat([d.measures for d in datas.values()])
    known = dataclasses.replace(next(iter(datas.values())), measures=measures[~measures.index.duplicated()])
    definitions_sheet(wb.create_sheet(DEFINITIONS_SHEET), known, list(dict.fromkeys(rows["measure_id"])))
    _about(wb.create_sheet(ABOUT_SHEET), services, datas, service, quarter, dues)
    wb.properties.creator, wb.properties.title = "pmlib", f"Shared performance return {quarter.code}: {service}"
    return wb


def shared_return_path(out_dir: str | os.PathLike, service: str, quarter: Period) -> Path:
    """Where a shared service's return goes: ``<out>/shared/<service slug>-<quarter slug>.xlsx``."""
    return Path(out_dir) / SHARED_FOLDER / f"{owner_slug(service)}-{quarter.slug}.xlsx"


def write_shared_returns(
    quarter: str | Period,
    services: SharedServices,
    out_dir: str | os.PathLike = "_returns",
    made_on: dt.date | None = None,
    due: dt.date | None = None,
) -> tuple[list[Path], list[Problem]]:
    """Write every council's own returns (``<out>/<council id>/<quarter slug>/``) and one per shared service.

    Returns their paths, and each council's warnings of measures going out
    without the year's target (``target_warnings``), found from the rows
    written. ``due`` is the deadline for a council whose params file for the
    quarter gives no ``returns_due`` (see ``council_dues``).
    """
    q = quarter if isinstance(quarter, Period) else parse_quarter(quarter)
    datas = load_shared(services).councils  # one framework checked: the Definitions sheet holds each shared measure's one definition
    dues = council_dues(services, q, due)
    made_on = made_on or dt.date.today()
    written, warnings = [], []
    for council_id, data in datas.items():
        rows = return_rows(data, q)
        warnings += target_warnings(data, rows)
        own = rows[rows["measure_id"].map(shared_services_of(data)) == ""]
        folder = Path(out_dir) / council_id / q.slug
        written += write_owner_returns(data, q, own, folder, made_on, dues[council_id], council_id=council_id)
    paths: dict[Path, str] = {}
    for service in sorted({s for data in datas.values() for s in shared_services_of(data) if s}):
        path = shared_return_path(out_dir, service, q)
        if path in paths:
            message = f"shared services {paths[path]!r} and {service!r} would both be written to {path.name}; name them apart"
            raise ConfigError(message, file=services.file)
        paths[path] = service
    for path, service in paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        save_workbook(_shared_workbook(services, datas, q, service, shared_rows(datas, q, service), dues), path, made_on)
        written.append(path)
    return written, warnings
