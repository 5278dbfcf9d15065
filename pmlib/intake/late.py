"""Figures dated after the ``data_as_at`` of the report they are for: a warning at ``pm ingest``, since that report will not show them.

A file that gives no date of its own (a return's Supplied on left blank, a
CSV row without ``reported_on``) is dated the day it is read in, or
``--reported-on``. A report uses only figures reported on or before its
``data_as_at``, so a return read in after its quarter's report was signed
off would otherwise leave that report without a word said. Once the figures
are held, reading the file again with an earlier date adds nothing (they are
the figures already held), so the warning after a write says what undoing it
takes, and the one on a dry run says what to give before reading it in.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pmlib.contract.params_folder import check_params_folder
from pmlib.contract.periods import Period, period_indexes
from pmlib.engine.status import expected_period_end
from pmlib.errors import Problem
from pmlib.views.wording import join_words
from pmlib.vocabulary import Frequency

if TYPE_CHECKING:
    from pmlib.intake.ingest import FileRead

_LISTED = 5


@dataclass(frozen=True)
class LateCheck:
    """What ``late_warnings`` needs: each report's ``data_as_at``, whether the figures are being written, and where their date came from."""

    as_at: dict[Period, dt.date]
    written: bool
    dated: str


def dated(reported_on: dt.date | None) -> str:
    """Where the date of a file that gives none came from, as the warning says it."""
    return "the --reported-on date" if reported_on else "the day they were read in"


def report_dates(params_dir: str | os.PathLike | None) -> dict[Period, dt.date]:
    """Each report quarter's ``data_as_at``, from the params folder; a file with errors is left out (``pm check`` reports it)."""
    if params_dir is None or not Path(params_dir).is_dir():
        return {}
    params, _ = check_params_folder(params_dir)
    return {q: p.data_as_at for q, p in params.items()}


def first_reports(rows: pd.DataFrame, measures: pd.DataFrame, quarters: Sequence[Period]) -> np.ndarray:
    """The quarter index of the first of ``quarters`` whose report expects each row's period (status rule 1), -1 for none.

    A figure is for the report whose expected period holds it: a lagged
    monthly measure's October is for the next quarter's report, and an annual
    measure's year is first expected at a Q4 (or, lagged, a later) report.
    """
    m = measures.reindex(rows["measure_id"].to_numpy())
    frequency = m["frequency"].to_numpy(object)
    lag = m["lag"].fillna(0).to_numpy("int64")
    index = period_indexes(pd.Series(rows["period"].to_numpy(object)), pd.Series(frequency, dtype=object)).to_numpy("float64")
    monthly, quarterly = frequency == Frequency.MONTHLY.word, frequency == Frequency.QUARTERLY.word
    own = np.select([monthly, quarterly], [(index - 3) // 3, index], default=4 * index + 3)
    out = np.full(len(rows), -1, dtype="int64")
    for q in sorted(quarters, reverse=True):
        out = np.where(expected_period_end(frequency, lag, q.index) == own, q.index, out)
    return out


def rows_words(rows: Sequence[int]) -> str:
    """``row 2``, ``rows 2 and 5``, ``rows 2, 3, 4, 5, 6 and 7 more``: a file's rows, named compactly."""
    shown = [str(r) for r in rows[:_LISTED]]
    more = len(rows) - len(shown)
    return ("row " if len(rows) == 1 else "rows ") + (join_words(shown) if not more else f"{', '.join(shown)} and {more:,} more")


def late_warnings(
    reads: list[tuple[Path, FileRead]],
    new: pd.DataFrame,
    said: pd.DataFrame,
    forecasts: pd.DataFrame,
    measures: pd.DataFrame,
    check: LateCheck,
) -> list[Problem]:
    """A warning for each file whose undated figures (or commentary) are dated after the report they are for is as at.

    ``new``, ``said`` and ``forecasts`` are what is being added: what is
    already held is not dated again, so it is never warned of.
    """
    if not check.as_at:
        return []
    problems = []
    for path, got in reads:
        if got.quarter is not None:
            problems += _return_late(str(path), got, (new, said, forecasts), check)
        elif len(new) and "_undated" in new:
            problems += _csv_late(str(path), new, measures, check)
    return problems


def _return_late(file: str, got: FileRead, added: tuple[pd.DataFrame, ...], check: LateCheck) -> list[Problem]:
    """A return's one warning, on its Supplied on: all it gives has that one date."""
    cut = check.as_at.get(got.quarter)
    if not got.undated or cut is None:
        return []
    figures, said, forecasts = (frame[frame["_file"] == file] if len(frame) else frame for frame in added)
    given = next((frame for frame in (figures, said, forecasts) if len(frame)), None)
    if given is None or given["reported_on"].iloc[0].date() <= cut:
        return []
    day = given["reported_on"].iloc[0].date()
    what = join_words([w for w, n in (("figures", len(figures)), ("commentary", len(said) + len(forecasts))) if n])
    _, row, column = given["_origin"].iloc[0]["reported_on"]
    subject = f"Supplied on is blank, so this return's {what} {'are' if len(figures) else 'is'} dated {day} ({check.dated})"
    return [Problem(file, row, column, _message(subject, day, cut, got.quarter, "Supplied on (B3)", check.written), "warning")]


def _csv_late(file: str, new: pd.DataFrame, measures: pd.DataFrame, check: LateCheck) -> list[Problem]:
    """A CSV's warnings, one per report its undated rows miss, on the first such row."""
    mine = new[(new["_file"] == file) & new["_undated"].eq(True)].reset_index(drop=True)
    if not len(mine):
        return []
    first = first_reports(mine, measures, list(check.as_at))
    day = mine["reported_on"].iloc[0].date()
    problems = []
    for index in sorted(set(first[first >= 0].tolist())):
        q = Period.quarter(index // 4, index % 4 + 1)
        if day <= check.as_at[q]:
            continue
        rows = sorted(origin["reported_on"][1] for origin in mine.loc[first == index, "_origin"])
        subject = f"{len(rows):,} figure(s) with no reported_on ({rows_words(rows)}) are dated {day} ({check.dated})"
        problems.append(
            Problem(file, rows[0], "reported_on", _message(subject, day, check.as_at[q], q, "reported_on", check.written), "warning")
        )
    return problems


def _message(subject: str, day: dt.date, cut: dt.date, quarter: Period, where: str, written: bool) -> str:
    said = f"{subject}, after {cut}, the date {quarter.code}'s report is as at, so that report will not show them"
    if not written:
        return f"{said}; give the date they were supplied in {where}, or read the file in with --reported-on DATE"
    return (
        f"{said}; they are held now dated {day}, and reading the file in again with an earlier date adds nothing, as they are "
        f"already held: to redate them, take out the rows this run added to the data folder (intake-log.csv names the files), "
        f"then read the file in again with the date they were supplied in {where} or --reported-on"
    )
