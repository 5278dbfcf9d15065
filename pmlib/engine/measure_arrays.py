"""The measures and targets as NumPy arrays of small codes, so the engine reads them per block of measures without pandas.

A national table is judged in blocks of a few thousand measures, each small
enough to stay in the processor's cache; slicing plain arrays per block costs
nothing, where slicing data frames of strings would cost more than the judging.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from pmlib.engine.positions import measure_positions
from pmlib.vocabulary import Aggregation, Frequency, Polarity, Unit

SPANS = np.array([frequency.months for frequency in Frequency])
_START = np.iinfo("int64").min + 1


def as_day(date: dt.date | None) -> int:
    """A report's ``data_as_at`` as a day number; None (no limit) is the end of time."""
    return np.iinfo("int64").max if date is None else int(np.datetime64(date, "D").astype("int64"))


def days(dates: pd.Series) -> np.ndarray:
    """Dates as day numbers; a blank one counts as the start of time, so it applies to every report and loses to any dated row."""
    out = dates.to_numpy("datetime64[D]").astype("int64")
    return np.where(out == np.iinfo("int64").min, _START, out)


@dataclass(frozen=True)
class MeasureArrays:
    """One entry per measure, in the order of the measures table."""

    frequency: np.ndarray
    aggregation: np.ndarray
    polarity: np.ndarray
    multiplier: np.ndarray
    is_count: np.ndarray
    ytd: np.ndarray
    lag: np.ndarray
    decimals: np.ndarray
    disclosure_min: np.ndarray
    public: np.ndarray

    @classmethod
    def of(cls, measures: pd.DataFrame) -> MeasureArrays:
        """The arrays of a measures table as ``load_data`` returns it."""
        return cls(
            frequency=Frequency.codes(measures["frequency"]),
            aggregation=Aggregation.codes(measures["aggregation"]),
            polarity=Polarity.codes(measures["polarity"]),
            multiplier=Unit.scales(measures["unit"]),
            is_count=(measures["unit"] == Unit.NUMBER.word).to_numpy(bool),
            ytd=measures["ytd"].to_numpy(bool),
            lag=measures["lag"].to_numpy("int64"),
            decimals=measures["decimals"].to_numpy("int64"),
            disclosure_min=measures["disclosure_min"].to_numpy("float64"),
            public=measures["public"].to_numpy(bool),
        )

    def __len__(self) -> int:
        return len(self.frequency)

    def block(self, lo: int, hi: int) -> MeasureArrays:
        """Measures ``lo`` to ``hi - 1``."""
        return MeasureArrays(**{f.name: getattr(self, f.name)[lo:hi] for f in fields(self)})

    @property
    def annual(self) -> np.ndarray:
        """Annual measures: one period a year, judged in its Q4 column."""
        return self.frequency == Frequency.ANNUAL

    @property
    def is_ratio(self) -> np.ndarray:
        """Measures given as numerator and denominator."""
        return self.aggregation == Aggregation.RATIO

    @property
    def judged_ytd(self) -> np.ndarray:
        """Measures judged on the year to date: ``ytd`` means nothing for an annual measure."""
        return self.ytd & ~self.annual


@dataclass(frozen=True)
class TargetArrays:
    """The target rows with a known year and measure: position, year, the month a phased row ends in, and the levels."""

    position: np.ndarray
    fy: np.ndarray
    last_month: np.ndarray
    is_year: np.ndarray
    is_month: np.ndarray
    target: np.ndarray
    intervention: np.ndarray

    @classmethod
    def of(cls, measures: pd.DataFrame, targets: pd.DataFrame, data_as_at: dt.date | None = None) -> TargetArrays:
        """The arrays of a targets table as ``load_data`` returns it, for the measures of ``measures``, as agreed at ``data_as_at``.

        A row agreed after ``data_as_at`` is left out (None: none is). The
        rest are ordered newest ``agreed_on`` first (undated rows last, as
        agreed at the start of time), keeping file order among equals, so the
        engine's first-row-wins grids pick the newest applicable revision.
        """
        t = targets[targets["fy"].notna()]
        pos = measure_positions(measures.index, t["measure_id"])
        t, pos = t[pos >= 0], pos[pos >= 0]
        last_month = t["phased_last_month"].to_numpy("float64")
        is_year = np.isnan(last_month)
        out = cls(
            position=pos,
            fy=t["fy"].to_numpy("int64"),
            last_month=np.where(is_year, -1, last_month).astype("int64"),
            is_year=is_year,
            is_month=t["period"].str.contains("-", na=False).to_numpy(bool) & ~is_year,
            target=t["target"].to_numpy("float64"),
            intervention=t["intervention"].to_numpy("float64"),
        )
        if "agreed_on" not in t.columns or not t["agreed_on"].notna().any():
            return out
        # Sorting only the dated rows, then the undated in file order, is a stable sort newest first.
        agreed = t["agreed_on"].to_numpy("datetime64[D]").astype("int64")
        dated = np.flatnonzero((agreed != np.iinfo("int64").min) & (agreed <= as_day(data_as_at)))
        dated = dated[np.argsort(-agreed[dated], kind="stable")]
        return out.take(np.concatenate((dated, np.flatnonzero(agreed == np.iinfo("int64").min))))

    def take(self, rows: np.ndarray, offset: int = 0) -> TargetArrays:
        """Rows ``rows``, with measure positions counted from ``offset``."""
        parts = {f.name: getattr(self, f.name)[rows] for f in fields(self)}
        return TargetArrays(**parts | {"position": parts["position"] - offset})


def blocks(positions: np.ndarray, n: int, size: int) -> list[tuple[int, int, np.ndarray]]:
    """Measures in blocks of ``size``: each block's range and the rows whose measure is in it, in their order."""
    block = (positions // size).astype("int16" if n // size < 2**15 else "int64")
    order = np.argsort(block, kind="stable")
    edges = np.searchsorted(block[order], np.arange(0, n // size + 2))
    return [(lo, min(lo + size, n), order[edges[i] : edges[i + 1]]) for i, lo in enumerate(range(0, n, size))]


@dataclass(frozen=True)
class ForecastArrays:
    """The forecasts of known measures made by a report's ``data_as_at``: position, the quarter made in, day reported, value."""

    position: np.ndarray
    quarter: np.ndarray
    reported: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, measures: pd.DataFrame, forecasts: pd.DataFrame, data_as_at: dt.date | None = None) -> ForecastArrays:
        """The arrays of a forecasts table as ``load_data`` returns it, leaving out rows reported after ``data_as_at``."""
        f = forecasts[forecasts["period_index"].notna()] if "period_index" in forecasts.columns else forecasts.iloc[:0]
        pos = measure_positions(measures.index, f["measure_id"]) if len(f) else np.zeros(0, dtype="int64")
        reported = days(f["reported_on"]) if len(f) else np.zeros(0, dtype="int64")
        keep = (pos >= 0) & (reported <= as_day(data_as_at))
        return cls(
            position=pos[keep],
            quarter=f["period_index"].to_numpy("int64")[keep] if len(f) else np.zeros(0, dtype="int64"),
            reported=reported[keep],
            value=f["forecast"].to_numpy("float64")[keep] if len(f) else np.zeros(0),
        )

    def take(self, rows: np.ndarray, offset: int = 0) -> ForecastArrays:
        """Rows ``rows``, with measure positions counted from ``offset``."""
        parts = {f.name: getattr(self, f.name)[rows] for f in fields(self)}
        return ForecastArrays(**parts | {"position": parts["position"] - offset})
