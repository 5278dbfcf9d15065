"""Dates that look like slips in what is read in: supplied after today, or a return supplied before its periods have ended.

A report uses only what was supplied on or before its ``data_as_at``, so a
year typed wrong in a return's Supplied on (2027 for 2026) keeps its figures
out of every report until then without a word; and a figure cannot have been
supplied before its period ended. ``pm check`` warns of the second for each
row of ``observations/``: for a return that is one line per figure, all on
the one Supplied on cell and naming no council, so here a return gets one
warning, naming its periods, and ``pmlib.intake.ingest`` leaves the per-row
ones out for returns. A shared return is read once per council; its parts
are taken together, as they share one Supplied on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pmlib.contract.periods import parse_period
from pmlib.errors import Problem
from pmlib.intake.late import rows_words
from pmlib.views.wording import join_words

if TYPE_CHECKING:
    from pmlib.intake.ingest import FileRead

_LISTED = 6
_UNSEEN = "so a report as at any earlier date leaves"


def date_warnings(reads: Iterable[tuple[Path, FileRead]], today: dt.date, dated: str) -> dict[str, list[Problem]]:
    """Each file's warnings, by its path as named; ``dated`` says where a date the file does not give came from (``late.dated``)."""
    frames: dict[str, list[pd.DataFrame]] = {}
    returns: dict[str, bool] = {}
    for path, got in reads:
        for frame in (got.rows, got.commentary):
            if len(frame):
                undated = frame["_undated"] if "_undated" in frame else got.undated
                frames.setdefault(str(path), []).append(frame[["period", "reported_on", "_origin"]].assign(_undated=undated))
        returns[str(path)] = returns.get(str(path), False) or got.quarter is not None
    found = {}
    for file, parts in frames.items():
        given = pd.concat(parts, ignore_index=True).dropna(subset=["reported_on"])
        if len(given):
            found[file] = _return_dates(given, today, dated) if returns[file] else _csv_dates(given, today)
    return found


def with_date_warnings(reads: list[tuple[Path, FileRead]], warned: dict[str, list[Problem]]) -> list[tuple[Path, FileRead]]:
    """``reads`` with each file's ``date_warnings`` among its first read's problems: a shared return's are said once, not per council.

    ``warned`` is emptied of what is added, so it can be given each council's reads in turn.
    """
    return [(path, replace(got, problems=got.problems + warned.pop(str(path), []))) for path, got in reads]


def _return_dates(given: pd.DataFrame, today: dt.date, dated: str) -> list[Problem]:
    """A return's warnings, on its Supplied on: every figure and text in it has that one date."""
    day = given["reported_on"].iloc[0].date()
    file, row, column = given["_origin"].iloc[0]["reported_on"]
    undated = bool(given["_undated"].iloc[0])
    subject = f"Supplied on is blank, so this return is dated {day} ({dated}), which is" if undated else f"Supplied on {day} is"
    problems = []
    if day > today:
        message = f"{subject} after today ({today}), {_UNSEEN} out what this return gives; check the date"
        problems.append(Problem(file, row, column, message, "warning"))
    periods = sorted((parse_period(code) for code in given["period"].unique()), key=lambda p: (p.end, p.code))
    early = [p.code for p in periods if day <= p.end]
    if early:
        shown = early[:_LISTED] + ([f"{len(early) - _LISTED} more"] if len(early) > _LISTED else [])
        message = f"{subject} before the end of {join_words(shown)}, which this return gives figures for; check the date"
        problems.append(Problem(file, row, column, message, "warning"))
    return problems


def _csv_dates(given: pd.DataFrame, today: dt.date) -> list[Problem]:
    """A CSV's one warning for its rows dated after today, on the first of them (``pm check`` names each row dated too early)."""
    late = given[given["reported_on"] > pd.Timestamp(today)]
    if not len(late):
        return []
    file, _, _ = late["_origin"].iloc[0]["reported_on"]
    rows = sorted(origin["reported_on"][1] for origin in late["_origin"])
    by_option = " (--reported-on, for rows without a date)" if late["_undated"].any() else ""
    dated = f"{rows_words(rows)} {'is' if len(rows) == 1 else 'are'} dated after today ({today}){by_option}"
    message = f"{dated}, {_UNSEEN} {'it' if len(rows) == 1 else 'them'} out; check reported_on"
    return [Problem(file, rows[0], "reported_on", message, "warning")]
