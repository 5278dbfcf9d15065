"""The return's Commentary sheet read back, and its rows added to ``commentary.csv`` as new versions.

Commentary is the other half of a return: what the figures show, and where
they fall short, the corrective action, its owner and due date. It comes from
the same service unit in the same workbook, so it is read with the same care
as the figures (every cell named in each problem) and dated with the same
Supplied on. Rows are only ever appended: a later text for the same measure
and quarter is a new version (contract v2's ``reported_on``), and a report
uses the newest at its ``data_as_at``, as for figures.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import parse_quarter
from pmlib.engine.commentary import commentary_as_at
from pmlib.engine.status import judge
from pmlib.errors import Problem
from pmlib.intake.returns import (
    COMMENTARY_COLUMNS,
    COMMENTARY_LETTERS,
    COMMENTARY_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    SUPPLIED_ON_CELL,
    TEXT_LIMIT,
)
from pmlib.intake.versions import append_csv, dated_versions
from pmlib.views.formats import format_value
from pmlib.vocabulary import Status

if TYPE_CHECKING:
    from pmlib.intake.workbooks import WorkbookReader

COMMENTARY_CSV_COLUMNS = ("measure_id", "period", "commentary", "action", "action_owner", "action_due", "reported_on")
TEXT_COLUMNS = ("commentary", "action", "action_owner")
_FRESH = "ask the performance team for a fresh return (pm returns) and copy your text into it"
_SHORT = {Status.BELOW_TARGET.word: "is below target", Status.INTERVENTION.word: "needs intervention"}


def _heading(key: str) -> str:
    return next(c.heading.replace(" (fill in)", "") for c in COMMENTARY_COLUMNS if c.key == key)


def _due(reader: WorkbookReader, cell) -> dt.date | None:
    v = cell.value
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = str(v).strip()
    if cell.data_type == "f" or text.startswith("="):
        reader.problem(COMMENTARY_SHEET, cell.coordinate, f"Action due holds a formula ({text}); type the date itself, e.g. 31/03/2026")
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    reader.problem(
        COMMENTARY_SHEET,
        cell.coordinate,
        f"Action due holds {text!r}, which is not a date; type the date the action is due, e.g. 31/03/2026 (or 2026-03-31)",
    )
    return None


def _row(reader: WorkbookReader, ws, r: int, supplied: dt.date, seen: dict[str, int]) -> dict | None:
    cell = {c.key: ws[f"{COMMENTARY_LETTERS[c.key]}{r}"] for c in COMMENTARY_COLUMNS}
    if reader.quarter is not None and cell["measure_id"].value:
        reader.asked.append(
            {
                "measure_id": str(cell["measure_id"].value).strip(),
                "period": reader.quarter.code,
                "where": (reader.display, r, f"{COMMENTARY_SHEET}!{COMMENTARY_LETTERS['action']}{r}"),
            }
        )
    given = {key: reader.text(cell[key], _heading(key), COMMENTARY_SHEET) for key in TEXT_COLUMNS}
    due = _due(reader, cell["action_due"])
    blank_due = cell["action_due"].value is None or not str(cell["action_due"].value).strip()
    forecast = reader.number(cell["forecast"], _heading("forecast"), COMMENTARY_SHEET)
    forecast_note = reader.text(cell["forecast_note"], _heading("forecast_note"), COMMENTARY_SHEET)
    blank_forecast = cell["forecast"].value is None or not str(cell["forecast"].value).strip()
    if not any(given.values()) and blank_due and blank_forecast and not forecast_note:
        return None
    ref = lambda key: f"{COMMENTARY_LETTERS[key]}{r}"  # noqa: E731
    measure_id = str(cell["measure_id"].value or "").strip()
    if not reader.ours(COMMENTARY_SHEET, ref("measure_id"), measure_id):
        return None
    quarter = str(cell["period"].value or "").strip()
    if reader.quarter is not None and quarter != reader.quarter.code:
        reader.problem(COMMENTARY_SHEET, ref("period"), f"Quarter holds {quarter!r}, not {reader.quarter.code}; {_FRESH}")
        return None
    if measure_id in seen:
        reader.repeated(COMMENTARY_SHEET, r, seen[measure_id], measure_id, "measure")
        return None
    seen[measure_id] = r
    for key in ("commentary", "action"):
        if given[key] and len(given[key]) > TEXT_LIMIT:
            reader.problem(
                COMMENTARY_SHEET,
                ref(key),
                f"{_heading(key)} is {len(given[key]):,} characters; the limit is {TEXT_LIMIT:,} (about 250 words): "
                "shorten it, and link to a longer report if one is needed",
            )
    if forecast_note and blank_forecast:
        reader.problem(
            COMMENTARY_SHEET, ref("forecast_note"), "a forecast note is given without a forecast; give the forecast, or clear this cell"
        )
    if given["action"]:
        if not given["action_owner"]:
            reader.problem(COMMENTARY_SHEET, ref("action_owner"), "a corrective action needs an owner; give Action owner (a post or team)")
        if blank_due:
            reader.problem(COMMENTARY_SHEET, ref("action_due"), "a corrective action needs a due date; give Action due, e.g. 31/03/2026")
    else:
        for key in ("action_owner", "action_due"):
            if given.get(key) if key != "action_due" else not blank_due:
                reader.problem(
                    COMMENTARY_SHEET,
                    ref(key),
                    f"{_heading(key)} is given without a corrective action; describe the action in Corrective action, or clear this cell",
                )
    origin = {key: (reader.display, r, f"{COMMENTARY_SHEET}!{ref(key)}") for key in COMMENTARY_LETTERS}
    origin["reported_on"] = (reader.display, 3, f"{reader.sheet}!{SUPPLIED_ON_CELL}")
    origin["note"] = origin["forecast_note"]
    return {
        "measure_id": measure_id,
        "period": quarter,
        **given,
        "action_due": pd.Timestamp(due) if due else pd.NaT,
        "forecast": float("nan") if forecast is None else forecast,
        "forecast_note": forecast_note,
        "reported_on": pd.Timestamp(supplied),
        "_origin": origin,
    }


def read_commentary_sheet(reader: WorkbookReader, wb, supplied: dt.date) -> pd.DataFrame:
    """The commentary rows a service unit filled in, one per measure; ``reader.problems`` gains what was wrong."""
    if COMMENTARY_SHEET not in wb.sheetnames:
        reader.problem(None, None, f"the '{COMMENTARY_SHEET}' sheet has been deleted or renamed; rename it back, or {_FRESH}")
        return pd.DataFrame()
    ws = wb[COMMENTARY_SHEET]
    for i, column in enumerate(COMMENTARY_COLUMNS, start=1):
        if ws.cell(HEADER_ROW, i).value != column.heading:
            found = ws.cell(HEADER_ROW, i)
            reader.problem(
                COMMENTARY_SHEET,
                found.coordinate,
                f"should hold the heading '{column.heading}' but holds {found.value!r}: columns were moved, added or deleted; {_FRESH}",
            )
            return pd.DataFrame()
    reader.added_columns(ws, len(COMMENTARY_COLUMNS))
    seen: dict[str, int] = {}
    rows = [row for r in range(FIRST_ROW, ws.max_row + 1) if (row := _row(reader, ws, r, supplied, seen)) is not None]
    return pd.DataFrame(rows)


def _cells(r) -> list[str]:
    text = lambda v: v if isinstance(v, str) else ""  # noqa: E731
    day = lambda v: "" if pd.isna(v) else f"{v:%Y-%m-%d}"  # noqa: E731
    return [r["measure_id"], r["period"], *(text(r[k]) for k in TEXT_COLUMNS), day(r["action_due"]), day(r["reported_on"])]


def append_commentary(path: Path, rows: pd.DataFrame) -> None:
    """Append commentary rows to ``commentary.csv`` (see ``append_csv``)."""
    append_csv(path, COMMENTARY_CSV_COLUMNS, [dict(zip(COMMENTARY_CSV_COLUMNS, _cells(r), strict=True)) for _, r in rows.iterrows()])


def commentary_given(frame: pd.DataFrame) -> pd.DataFrame:
    """The Commentary sheet's rows that say something for ``commentary.csv`` (some rows give only a forecast)."""
    if not len(frame):
        return frame
    said = frame[list(TEXT_COLUMNS)].notna().any(axis=1) | frame["action_due"].notna()
    return frame[said].reset_index(drop=True)


def commentary_versions(rows: pd.DataFrame, held: pd.DataFrame) -> tuple[list[Problem], np.ndarray]:
    """Commentary rows that clash with another supplied the same day, and which repeat the newest text held (see ``dated_versions``)."""
    return dated_versions(
        rows,
        held,
        [*TEXT_COLUMNS, "action_due"],
        twice="commentary for {measure_id} {period} is given twice on the same day; keep one",
        differs="commentary for {measure_id} {period} was already supplied on {day} and differs from this; one text per day is kept",
        repeat_at="measure_id",
    )


def shortfall_warnings(data: CouncilData, asked: pd.DataFrame) -> list[Problem]:
    """A warning for each measure on a Commentary sheet that falls short on the figures now held and has no corrective action.

    The figures are judged as they are read in, by the report's own rules. A
    missing action is a warning, not an error: refusing the figures would
    leave the report without them too, and the data quality report lists it
    again at the deadline.
    """
    asked = asked[asked["measure_id"].isin(data.measures.index)] if len(asked) else asked
    if not len(asked):
        return []
    judged = judge(data, sorted({parse_quarter(q) for q in asked["period"]})).set_index(["measure_id", "quarter"])
    newest = commentary_as_at(data.commentary, None).set_index(["measure_id", "period"])
    problems = []
    for r in asked.itertuples(index=False):
        j = judged.loc[(r.measure_id, r.period)]
        if j["status"] not in (Status.BELOW_TARGET.word, Status.INTERVENTION.word):
            continue
        note = newest.loc[(r.measure_id, r.period)] if (r.measure_id, r.period) in newest.index else None
        if note is not None and isinstance(note["action"], str) and note["action"].strip():
            continue
        m = data.measures.loc[r.measure_id]
        shown = lambda v: format_value(v, m["unit"], int(m["decimals"]))  # noqa: E731
        level = "the intervention level" if j["status"] == Status.INTERVENTION.word else "target"
        against = j["intervention"] if j["status"] == Status.INTERVENTION.word else j["target"]
        file, row, column = r.where
        problems.append(
            Problem(
                file,
                row,
                column,
                f"{r.measure_id} {_SHORT[j['status']]} on the figures now held ({shown(j['value'])} for "
                f"{j['period']}, against {level} {shown(against)}) and no corrective action is given; "
                "give the action, its owner and due date here, or the exception report will show none",
                "warning",
            )
        )
    return problems
