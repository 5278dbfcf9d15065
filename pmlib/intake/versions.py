"""Dated versions of what a return supplies beside its figures (commentary, forecasts): checked, then appended.

The data folder never has a row edited: a changed text or forecast for the
same measure and quarter is a new row with a later ``reported_on``, and a
report uses the newest on or before its ``data_as_at``. So a row read in is
new, a repeat of the newest held (skipped: reading a return twice adds
nothing), or a clash (the same measure, quarter and day as a different held
row, or as another row read in), which needs a later Supplied on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.errors import Problem

_KEY = ["measure_id", "period"]


def _comparable(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Each row's values as they would be written: blanks alike, text stripped, dates as days."""

    def cell(v) -> object:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return ""
        if isinstance(v, pd.Timestamp | dt.date):
            return f"{v:%Y-%m-%d}"
        return v.strip() if isinstance(v, str) else float(v)

    return [tuple(cell(v) for v in row) for row in frame[columns].itertuples(index=False)]


def dated_versions(
    rows: pd.DataFrame, held: pd.DataFrame, columns: list[str], twice: str, differs: str, repeat_at: str
) -> tuple[list[Problem], np.ndarray]:
    """Problems for rows that clash, and which rows are not new; ``columns`` are what a version says.

    ``twice`` and ``differs`` are the messages (formatted with the row's
    ``measure_id``, ``period`` and ``day``); a repeat among the rows read is
    named at its ``repeat_at`` cell, a clash with a held row at Supplied on.
    """
    problems: list[Problem] = []
    unchanged = np.zeros(len(rows), dtype=bool)
    if not len(rows):
        return problems, unchanged
    keys = [*_KEY, "reported_on"]
    for _, r in rows[rows.duplicated(keys)].iterrows():
        file, row, column = r["_origin"][repeat_at]
        problems.append(Problem(file, row, column, twice.format(measure_id=r.measure_id, period=r.period)))
    said = _comparable(rows, columns)
    same_day = rows[keys].reset_index(drop=True).reset_index().merge(held[[*keys, *columns]], on=keys)
    for i, then in zip(same_day["index"], _comparable(same_day, columns), strict=True):
        if said[i] == then:
            unchanged[i] = True
            continue
        r = rows.iloc[i]
        file, row, column = r["_origin"]["reported_on"]
        day = r["reported_on"].date()
        message = differs.format(measure_id=r.measure_id, period=r.period, day=day)
        problems.append(
            Problem(file, row, column, f"{message}, so date the new one later: set Supplied on to {day + dt.timedelta(days=1)} or later")
        )
    newest = held.sort_values("reported_on", na_position="first", kind="stable").drop_duplicates(_KEY, keep="last")
    matched = rows[_KEY].merge(newest[[*_KEY, *columns]], on=_KEY, how="left", indicator=True)
    known = (matched["_merge"] == "both").to_numpy()
    unchanged |= known & np.array([a == b for a, b in zip(said, _comparable(matched, columns), strict=True)], dtype=bool)
    return problems, unchanged


def append_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    """Append rows (cells as text) to a data CSV in its own column order, replacing the file in one step.

    A file missing one of ``columns`` (a version 1 file) gains it, blank for
    the rows already there: for ``reported_on`` that keeps their meaning (a
    row without a date applies to every report) while the new rows are dated.
    """
    if path.is_file():
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    else:
        records = [list(columns)]
    header = records[0]
    added = [c for c in columns if c not in header]
    if added:
        records = [header + added] + [r + [""] * len(added) if r else r for r in records[1:]]
        header = records[0]
    records += [[row.get(c, "") for c in header] for row in rows]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(out.getvalue(), encoding="utf-8")
    os.replace(tmp, path)
