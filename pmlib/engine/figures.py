"""The as-at view: which figure a report uses for each period, and whether it was revised.

A report frozen at ``data_as_at`` uses, per measure and period, the newest row
reported on or before that date (the later row in the files on a tie);
rebuilding an old quarter later therefore shows exactly what it first showed.
A figure is *revised* when an earlier published report used a different one
for the same period.

Only a period with more than one row can have a choice to make or a revision,
and those are few, so the national tables are sorted only for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from pmlib.contract.loading import CouncilData, portable_observations
from pmlib.contract.memo import Memo, row_hashes
from pmlib.engine.positions import measure_positions

_KEY = ["measure_id", "period"]
_FIGURE = ["value", "numerator", "denominator"]
_NEVER = np.iinfo("int64").max


def _day(date: dt.date | None) -> int:
    return _NEVER if date is None else int(np.datetime64(date, "D").astype("int64"))


def reported_days(observations: pd.DataFrame) -> np.ndarray:
    """Each row's ``reported_on`` as a day number; a row without one counts as reported at the start of time."""
    days = observations["reported_on"].to_numpy("datetime64[D]").astype("int64")
    return np.where(days == np.iinfo("int64").min, np.iinfo("int64").min + 1, days)


def figure_keys(positions: np.ndarray, first_month: np.ndarray) -> tuple[np.ndarray, int]:
    """A dense integer per (measure, period) and how many there can be: a measure's periods never share a first month."""
    if len(first_month) == 0:
        return np.zeros(0, dtype="int64"), 1
    low = int(first_month.min())
    span = int(first_month.max()) - low + 1
    return positions * span + (first_month - low), max(1, int(positions.max(initial=0)) + 1) * span


def _differs(values: tuple[np.ndarray, ...], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros(len(a), dtype=bool)
    for v in values:
        x, y = v[a], v[b]
        out |= ~((x == y) | (np.isnan(x) & np.isnan(y)))
    return out


def latest_rows(
    keys: np.ndarray,
    size: int,
    reported: np.ndarray,
    figures: tuple[np.ndarray, ...],
    data_as_at: dt.date | None = None,
    published: Iterable[dt.date] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Rows a report at ``data_as_at`` uses (ascending) and whether each is revised; see ``figures_as_at``.

    ``keys`` says which rows are the same measure and period (``figure_keys``),
    ``reported`` is ``reported_days`` and ``figures`` the value, numerator and
    denominator arrays compared for revisions.
    """
    limit = _day(data_as_at)
    counts = np.bincount(keys, minlength=size)
    repeated = counts[keys] > 1
    single = np.flatnonzero(~repeated & (reported <= limit))
    rows = np.flatnonzero(repeated)
    if len(rows) == 0:
        return single, np.zeros(len(single), dtype=bool)
    rows = rows[np.lexsort((rows, reported[rows], keys[rows]))]
    cell = keys[rows]
    starts = np.flatnonzero(np.concatenate(([True], cell[1:] != cell[:-1])))

    def chosen(day: int) -> tuple[np.ndarray, np.ndarray]:
        """Per group: the winning row's place in ``rows``, and whether the group had any row by ``day``."""
        seen = np.add.reduceat((reported[rows] <= day).astype("int64"), starts)
        return starts + seen - 1, seen > 0

    now, has_now = chosen(limit)
    revised = np.zeros(len(starts), dtype=bool)
    for day in sorted({_day(d) for d in published if data_as_at is None or d < data_as_at}):
        then, has_then = chosen(day)
        both = has_now & has_then
        revised[both] |= _differs(figures, rows[now[both]], rows[then[both]])
    winners = rows[now[has_now]]
    kept = np.concatenate((single, winners))
    flags = np.concatenate((np.zeros(len(single), dtype=bool), revised[has_now]))
    order = np.argsort(kept, kind="stable")
    return kept[order], flags[order]


def figures_as_at(observations: pd.DataFrame, data_as_at: dt.date | None = None, published: Iterable[dt.date] = ()) -> pd.DataFrame:
    """One row per measure and period as a report at ``data_as_at`` sees it (None: the newest).

    ``published`` are the ``data_as_at`` dates of reports already published;
    those before ``data_as_at`` decide the ``revised`` flag: a figure is
    revised when any of them saw a different value, numerator or denominator
    for the period. A correction made before the first of them is not.
    """
    ids = pd.Index(observations["measure_id"].unique())
    keys, size = figure_keys(measure_positions(ids, observations["measure_id"]), observations["first_month"].to_numpy("int64"))
    values = tuple(observations[c].to_numpy("float64") for c in _FIGURE)
    rows, revised = latest_rows(keys, size, reported_days(observations), values, data_as_at, published)
    current = observations.iloc[rows].assign(revised=revised)
    current = current[_KEY + [c for c in current.columns if c not in _KEY]]
    return current.sort_values(_KEY, kind="stable").reset_index(drop=True)


_hashed = Memo(4)  # each entry holds its data, so no other data can take its id while it is kept


def seen_digests(data: CouncilData, dates: Iterable[dt.date | None]) -> list[str]:
    """For each date, one sha256 of every figure row a report of that date can see and of the earliest month any row covers.

    A report judged at a date reads no more of the figures: ``latest_rows``
    and ``figures_as_at`` choose among the rows supplied by then (or undated),
    whatever later rows exist, and a measure's history starts at the
    earliest month held. So the same digest means the same judging, and a
    figure supplied after a quarter's date leaves that quarter's digest as it
    was. Rows are hashed with their file named inside the data folder, so the
    digest is the same wherever the folder is, and once per data loaded.
    """
    _, types, hashes, days, earliest = _hashed.get(id(data), lambda: _hash_figures(data))
    head = types + b"\n" + earliest + b"\n"
    return [hashlib.sha256(head + hashes[days <= _day(date)].tobytes()).hexdigest() for date in dates]


def _hash_figures(data: CouncilData) -> tuple:
    observations = portable_observations(data).reset_index(drop=True)
    types, hashes = row_hashes(observations)
    months = observations["first_month"].dropna()
    earliest = b"" if months.empty else str(int(months.min())).encode()
    return data, types, hashes, reported_days(observations), earliest
