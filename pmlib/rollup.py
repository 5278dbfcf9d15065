"""Roll a measure's own periods up into quarters, years and years to date, for all measures at once.

Figures are laid on a dense grid (measure x month of a financial year), so a
quarter is a sum over three cells and a year to date is a cumulative sum
along the year: NumPy does the work for every measure and period in one pass,
and a missing month makes every roll-up that covers it missing, as the
contract requires, because NaN propagates through sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MULTIPLIERS = {"percent": 100.0, "rate_per_1000": 1_000.0, "rate_per_100k": 100_000.0}
FLAGS = ("provisional", "estimated", "revised", "small")
_QUARTER_END = np.array([2, 5, 8, 11])


@dataclass(frozen=True)
class Rollup:
    """Quarter-grid arrays, shape (measures, quarters): a value for the quarter (or year) ending there.

    ``own`` is the period on its own; ``ytd`` runs from the start of the
    financial year. Annual measures have values only in each year's Q4 column.
    ``flags`` holds, per flag name, whether any figure rolled in carries it.
    """

    measure_ids: pd.Index
    first_quarter: int
    own: np.ndarray
    ytd: np.ndarray
    own_numerator: np.ndarray
    own_denominator: np.ndarray
    ytd_numerator: np.ndarray
    ytd_denominator: np.ndarray
    own_flags: dict[str, np.ndarray]
    ytd_flags: dict[str, np.ndarray]

    @property
    def n_quarters(self) -> int:
        """Number of quarter columns."""
        return self.own.shape[1]


def small_count(figures: pd.DataFrame, measures: pd.DataFrame, positions: np.ndarray | None = None) -> np.ndarray:
    """True where a figure is a count between 1 and the measure's ``disclosure_min`` - 1."""
    pos = measures.index.get_indexer(figures["measure_id"]) if positions is None else positions
    k = measures["disclosure_min"].to_numpy("float64")[pos]
    is_ratio = (measures["aggregation"].to_numpy(object) == "ratio")[pos]
    is_count = (measures["unit"].to_numpy(object) == "number")[pos] & ~is_ratio

    def small(column: str) -> np.ndarray:
        x = figures[column].to_numpy("float64")
        return (x >= 1) & (x < k)

    return (is_count & small("value")) | (is_ratio & (small("numerator") | small("denominator")))


def roll_up(measures: pd.DataFrame, figures: pd.DataFrame, first_quarter: int, last_quarter: int) -> Rollup:
    """Roll ``figures`` (an as-at view with ``first_month``) up onto quarters ``first_quarter``..``last_quarter``.

    The grid is widened to whole financial years so years to date can be
    computed with a reshape.
    """
    first_year, last_year = first_quarter // 4, last_quarter // 4
    years = last_year - first_year + 1
    n = len(measures)
    pos = measures.index.get_indexer(figures["measure_id"])
    spans = measures["frequency"].map({"monthly": 1, "quarterly": 3, "annual": 12}).to_numpy("int64")
    span = spans[pos]
    col = figures["first_month"].to_numpy("int64") + span - 1 - (12 * first_year + 3)
    inside = (pos >= 0) & (col >= 0) & (col < 12 * years)
    row, col = pos[inside], col[inside]

    def grid(values) -> np.ndarray:
        out = np.full((n, years * 12), np.nan)
        out[row, col] = np.asarray(values, dtype="float64")
        return out.reshape(n, years, 12)

    def column(name: str) -> np.ndarray:
        return figures[name].to_numpy()[inside]

    present = grid(np.ones(len(row)))
    value, num, den = grid(column("value")), grid(column("numerator")), grid(column("denominator"))
    quality = column("quality")
    flag_grids = {
        "provisional": grid(quality == "provisional"),
        "estimated": grid(quality == "estimated"),
        "revised": grid(column("revised").astype(bool)),
        "small": grid(small_count(figures, measures, pos)[inside]),
    }

    freq = measures["frequency"].to_numpy()
    agg = measures["aggregation"].to_numpy()
    mult = measures["unit"].map(MULTIPLIERS).fillna(1.0).to_numpy("float64")[:, None, None]
    monthly, quarterly = (freq == "monthly")[:, None, None], (freq == "quarterly")[:, None, None]
    annual = (freq == "annual")[:, None, None]

    # Periods expected in each cell: months present for monthly measures, quarter ends for
    # quarterly ones, March for annual ones. A missing expected period makes the roll-up NaN.
    expected = np.zeros((n, 1, 12), dtype=bool)
    expected[:, :, :] = monthly
    expected[:, :, _QUARTER_END] |= quarterly
    expected[:, :, 11] |= annual[:, :, 0]

    def nan_missing(a: np.ndarray) -> np.ndarray:
        return np.where(expected & np.isnan(present), np.nan, np.where(expected, a, 0.0))

    v, nu, de, cnt = nan_missing(value), nan_missing(num), nan_missing(den), np.where(expected, 1.0, 0.0) * np.ones_like(value)
    quarter_of = lambda a: a.reshape(n, years, 4, 3).sum(axis=3)  # noqa: E731
    own_sum, own_num, own_den, own_cnt = quarter_of(v), quarter_of(nu), quarter_of(de), quarter_of(cnt)
    ytd_sum = np.cumsum(v, axis=2)[:, :, _QUARTER_END]
    ytd_num = np.cumsum(nu, axis=2)[:, :, _QUARTER_END]
    ytd_den = np.cumsum(de, axis=2)[:, :, _QUARTER_END]
    ytd_cnt = np.cumsum(cnt, axis=2)[:, :, _QUARTER_END]
    last = value[:, :, _QUARTER_END]

    def combine(total, numer, denom, count):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(agg[:, None, None] == "mean", total / count, total)
            out = np.where(agg[:, None, None] == "last", np.where(np.isnan(total), np.nan, last), out)
            out = np.where(agg[:, None, None] == "ratio", numer / denom * mult, out)
        return np.where(count > 0, out, np.nan)

    own = combine(own_sum, own_num, own_den, own_cnt)
    ytd = combine(ytd_sum, ytd_num, ytd_den, ytd_cnt)
    # An annual measure's only period is the year, reported in the Q4 column.
    annual_mask = np.zeros((1, 1, 4), dtype=bool)
    annual_mask[..., 3] = True
    keep = ~annual | annual_mask
    own, ytd = np.where(keep, own, np.nan), np.where(keep, ytd, np.nan)

    # A `last` value comes from its final period alone, so only that period's flags carry.
    is_last = (agg == "last")[:, None, None]

    def flags_of(windowed) -> dict[str, np.ndarray]:
        out = {}
        for name, g in flag_grids.items():
            g = np.nan_to_num(g) * expected
            out[name] = np.where(is_last, g[:, :, _QUARTER_END] > 0, windowed(g) > 0)
        return out

    own_flags = flags_of(lambda a: quarter_of(a))
    ytd_flags = flags_of(lambda a: np.cumsum(a, axis=2)[:, :, _QUARTER_END])

    start = 4 * first_year
    flat = lambda a: a.reshape(n, years * 4)  # noqa: E731
    return Rollup(
        measure_ids=measures.index,
        first_quarter=start,
        own=flat(own),
        ytd=flat(ytd),
        own_numerator=flat(own_num),
        own_denominator=flat(own_den),
        ytd_numerator=flat(ytd_num),
        ytd_denominator=flat(ytd_den),
        own_flags={k: flat(a) for k, a in own_flags.items()},
        ytd_flags={k: flat(a) for k, a in ytd_flags.items()},
    )
