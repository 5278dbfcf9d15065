"""Year-end forecasts from the return's Commentary sheet, added to ``forecasts.csv`` as new versions.

The service that supplies a measure's figures knows best where its year is
heading, so the return asks for its forecast beside its commentary. A
forecast is dated with the return's Supplied on; a different forecast for the
same measure and quarter is a new row with a later date (the report uses the
newest on or before its ``data_as_at``), never an edit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.errors import Problem
from pmlib.intake.return_commentary import append_csv

FORECAST_CSV_COLUMNS = ("measure_id", "period", "forecast", "reported_on", "note")


def forecasts_given(frame: pd.DataFrame) -> pd.DataFrame:
    """The Commentary sheet's rows that give a forecast, as ``forecasts.csv`` rows (with each cell's origin)."""
    if not len(frame):
        return pd.DataFrame(columns=[*FORECAST_CSV_COLUMNS, "_origin", "_file"])
    given = frame[frame["forecast"].notna()]
    return given.assign(note=given["forecast_note"])[[*FORECAST_CSV_COLUMNS, "_origin", "_file"]].reset_index(drop=True)


def _same(rows: pd.DataFrame, held: pd.DataFrame) -> np.ndarray:
    note = lambda f: f["note"].fillna("").astype(str).str.strip().to_numpy()  # noqa: E731
    return (rows["forecast"].to_numpy("float64") == held["forecast"].to_numpy("float64")) & (note(rows) == note(held))


def forecast_problems(rows: pd.DataFrame, held: pd.DataFrame) -> tuple[list[Problem], np.ndarray]:
    """Forecasts repeated among the files read, or dated the same day as a different held one; and which rows are not new.

    A row is not new when it repeats the newest forecast held for its
    measure and quarter, so reading a return twice adds nothing.
    """
    problems: list[Problem] = []
    unchanged = np.zeros(len(rows), dtype=bool)
    if not len(rows):
        return problems, unchanged
    keys = ["measure_id", "period", "reported_on"]
    for _, r in rows[rows.duplicated(keys)].iterrows():
        file, row, column = r["_origin"]["forecast"]
        problems.append(Problem(file, row, column, f"a forecast for {r.measure_id} {r.period} is given twice on the same day; keep one"))
    same_day = rows.reset_index().merge(held, on=keys, suffixes=("", "_held"))
    if len(same_day):
        same = _same(same_day, same_day[["forecast_held", "note_held"]].set_axis(["forecast", "note"], axis=1))
        unchanged[same_day.loc[same, "index"].to_numpy()] = True
        for _, r in same_day[~same].iterrows():
            file, row, column = r["_origin"]["reported_on"]
            later = r["reported_on"].date() + dt.timedelta(days=1)
            problems.append(
                Problem(
                    file,
                    row,
                    column,
                    f"a different forecast for {r.measure_id} {r.period} was already supplied on {r['reported_on']:%Y-%m-%d}; "
                    f"one forecast per day is kept, so date the new one later: set Supplied on to {later} or later",
                )
            )
    newest = held.sort_values("reported_on", kind="stable").drop_duplicates(["measure_id", "period"], keep="last")
    matched = rows[["measure_id", "period"]].merge(newest, on=["measure_id", "period"], how="left")
    unchanged |= _same(rows, matched) & matched["forecast"].notna().to_numpy()
    return problems, unchanged


def append_forecasts(path: Path, rows: pd.DataFrame) -> None:
    """Append forecast rows to ``forecasts.csv``, made with its header if it does not exist yet."""
    cells = [
        {
            "measure_id": r["measure_id"],
            "period": r["period"],
            "forecast": np.format_float_positional(r["forecast"], trim="-"),
            "reported_on": f"{r['reported_on']:%Y-%m-%d}",
            "note": r["note"] if isinstance(r["note"], str) else "",
        }
        for _, r in rows.iterrows()
    ]
    append_csv(path, FORECAST_CSV_COLUMNS, cells)
