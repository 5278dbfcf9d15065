"""Year-end forecasts from the return's Commentary sheet, added to ``forecasts.csv`` as new versions.

The service that supplies a measure's figures knows best where its year is
heading, so the return asks for its forecast beside its commentary. A
forecast is dated with the return's Supplied on; a different forecast for the
same measure and quarter is a new row with a later date (the report uses the
newest on or before its ``data_as_at``), never an edit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.errors import Problem
from pmlib.intake.versions import append_csv, dated_versions

FORECAST_CSV_COLUMNS = ("measure_id", "period", "forecast", "reported_on", "note")


def forecasts_given(frame: pd.DataFrame) -> pd.DataFrame:
    """The Commentary sheet's rows that give a forecast, as ``forecasts.csv`` rows (with each cell's origin)."""
    if not len(frame):
        return pd.DataFrame(columns=[*FORECAST_CSV_COLUMNS, "_origin", "_file"])
    given = frame[frame["forecast"].notna()]
    return given.assign(note=given["forecast_note"])[[*FORECAST_CSV_COLUMNS, "_origin", "_file"]].reset_index(drop=True)


def forecast_versions(rows: pd.DataFrame, held: pd.DataFrame) -> tuple[list[Problem], np.ndarray]:
    """Forecasts that clash with another supplied the same day, and which repeat the newest held (see ``dated_versions``)."""
    return dated_versions(
        rows,
        held,
        ["forecast", "note"],
        twice="a forecast for {measure_id} {period} is given twice on the same day; keep one",
        differs="a different forecast for {measure_id} {period} was already supplied on {day}; one forecast per day is kept",
        repeat_at="forecast",
    )


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
