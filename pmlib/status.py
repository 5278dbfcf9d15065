"""The status rules of the data contract, for every measure and report quarter at once.

``judge`` builds the judged table: one row per measure x quarter with its
expected period, value, target, intervention level, status, directions of
travel and flags. ``classify`` and ``direction`` are the rules themselves,
as pure functions of arrays, so they can be tested one boundary at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from pmlib.config import Council
from pmlib.figures import figures_as_at
from pmlib.loading import CouncilData
from pmlib.periods import Frequency, Period, parse_quarter
from pmlib.rollup import roll_up
from pmlib.rounding import round_half_away
from pmlib.targets import resolve_targets

STATUSES = ("on_target", "below_target", "intervention", "monitoring", "no_data")


def classify(value, target, intervention, polarity, method: str = "intervention") -> np.ndarray:
    """Status for each (already rounded) value: the contract's rule 5, in order."""
    v, t, i = (np.asarray(x, dtype="float64") for x in (value, target, intervention))
    polarity = np.broadcast_to(np.asarray(polarity, dtype=object), v.shape)
    higher, lower = polarity == "higher", polarity == "lower"
    with np.errstate(invalid="ignore"):
        meets = np.where(higher, v >= t, np.where(lower, v <= t, False))
        if method == "tolerance":
            beyond = np.where(higher, v < i, np.where(lower, v > i, False))
        else:
            beyond = np.where(higher, v <= i, np.where(lower, v >= i, False))
    beyond &= ~np.isnan(i)
    return np.select(
        [np.isnan(v), (polarity == "none") | np.isnan(t), meets, beyond],
        ["no_data", "monitoring", "on_target", "intervention"],
        default="below_target",
    ).astype(object)


def direction(current, previous, polarity) -> np.ndarray:
    """Direction of travel between two values already rounded to the measure's decimals; None if either is missing."""
    c, p = np.asarray(current, dtype="float64"), np.asarray(previous, dtype="float64")
    polarity = np.broadcast_to(np.asarray(polarity, dtype=object), c.shape)
    up = np.where(polarity == "lower", "worsening", np.where(polarity == "none", "increasing", "improving"))
    down = np.where(polarity == "lower", "improving", np.where(polarity == "none", "decreasing", "worsening"))
    with np.errstate(invalid="ignore"):
        out = np.where(c > p, up, np.where(c < p, down, "no_change")).astype(object)
    out[np.isnan(c) | np.isnan(p)] = None
    return out


def expected_period_end(frequency, lag, report_quarter) -> np.ndarray:
    """Quarter index at which each measure's expected period ends (rule 1).

    Monthly: the latest quarter ending at least ``lag`` months before the
    report quarter ends; quarterly: ``lag`` quarters back; annual: the latest
    financial year ending by the quarter's end, ``lag`` years back (its Q4).
    """
    freq = np.asarray(frequency, dtype=object)
    lag = np.asarray(lag, dtype="int64")
    r = np.asarray(report_quarter, dtype="int64")
    annual_year = (r + 1) // 4 - 1 - lag
    return np.select([freq == "monthly", freq == "quarterly"], [r - (-(-lag // 3)), r - lag], default=4 * annual_year + 3)


def _codes(index: np.ndarray, annual: np.ndarray) -> np.ndarray:
    """Period codes for quarter-grid positions: a year code for annual measures, else a quarter code.

    Codes are made once per distinct (position, annual) pair and spread with
    ``take``, so a national table of millions of rows costs a few dozen strings.
    """
    none = np.iinfo("int64").min
    key = np.where(index == none, none, index * 2 + annual.astype("int64"))
    uniques, inverse = np.unique(key, return_inverse=True)
    names = np.array(
        [None if k == none else (Period.year((k // 2) // 4).code if k % 2 else Period(Frequency.QUARTERLY, k // 2).code) for k in uniques],
        dtype=object,
    )
    return names[inverse.reshape(-1)]


class _Columns:
    """A measure attribute per judged row, taken from a NumPy array once instead of per pandas lookup."""

    def __init__(self, measures: pd.DataFrame, rows: np.ndarray):
        self._measures, self._rows = measures, rows

    def __getitem__(self, column: str) -> np.ndarray:
        values = self._measures.index if column == "measure_id" else self._measures[column]
        numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
        return values.to_numpy(dtype=None if numeric else object)[self._rows]


def judge_figures(
    measures: pd.DataFrame, targets: pd.DataFrame, figures: pd.DataFrame, quarters: Sequence[Period], council: Council
) -> pd.DataFrame:
    """The judged table for ``quarters`` from an as-at view of the figures (see ``figures_as_at``)."""
    report = np.array(sorted({parse_quarter(q.code if isinstance(q, Period) else q).index for q in quarters}), dtype="int64")
    n, nq = len(measures), len(report)
    mi = np.tile(np.arange(n), nq)
    r = np.repeat(report, n)
    m = _Columns(measures, mi)
    freq = m["frequency"]
    ytd_measure = measures["ytd"].to_numpy(bool) & (measures["frequency"] != "annual").to_numpy()
    annual, ytd_on = freq == "annual", ytd_measure[mi]
    decimals, polarity = m["decimals"].astype("int64"), m["polarity"]
    eq = expected_period_end(freq, m["lag"].astype("int64"), r)

    data_quarters = (figures["first_month"].to_numpy("int64") - 3) // 3 if len(figures) else eq
    # The grid starts two years before the earliest period needed, so every look-back stays on it.
    earliest = min(int(eq.min()), int(data_quarters.min())) if len(eq) and len(data_quarters) else int(eq.min(initial=0))
    first_q = earliest - 8
    roll = roll_up(measures, figures, first_q, int(eq.max(initial=first_q)))
    col = eq - roll.first_quarter
    step = np.where(annual, 4, 1)

    def at(grid: np.ndarray, c: np.ndarray) -> np.ndarray:
        return grid[mi, c]

    judged_series = np.where(ytd_measure[:, None], roll.ytd, roll.own)
    v_raw = np.where(ytd_on, at(roll.ytd, col), at(roll.own, col))
    value = round_half_away(v_raw, decimals)
    own = round_half_away(at(roll.own, col), decimals)
    previous = round_half_away(at(roll.own, col - step), decimals)
    year_ago = round_half_away(at(judged_series, col - 4), decimals)

    valid = ~np.isnan(judged_series)
    last_valid = np.maximum.accumulate(np.where(valid, np.arange(roll.n_quarters)[None, :], -1), axis=1)
    context_col = last_valid[mi, col - 1]
    has_context = np.isnan(value) & (context_col >= 0)
    context_value = np.where(has_context, round_half_away(judged_series[mi, np.maximum(context_col, 0)], decimals), np.nan)
    none_q = np.iinfo("int64").min

    rows = pd.DataFrame(
        {
            "measure_id": m["measure_id"],
            "fy": eq // 4,
            "last_month": 3 * eq + 5,
            "months_elapsed": np.where(annual, 12, (eq % 4 + 1) * 3),
        }
    )
    levels = resolve_targets(rows, measures, targets, council)
    status = classify(value, levels["target"], levels["intervention"], polarity, council.status_method)

    k = m["disclosure_min"].astype("float64")
    is_ratio = m["aggregation"] == "ratio"
    is_count = m["unit"] == "number"

    def pick(own_grid, ytd_grid, c, use_ytd):
        return np.where(use_ytd, at(ytd_grid, c), at(own_grid, c))

    def suppressed_at(c: np.ndarray, use_ytd: np.ndarray, shown: np.ndarray) -> np.ndarray:
        """Whether the value shown for column ``c`` comes from a small count (rule on small numbers)."""
        num = pick(roll.own_numerator, roll.ytd_numerator, c, use_ytd)
        den = pick(roll.own_denominator, roll.ytd_denominator, c, use_ytd)
        with np.errstate(invalid="ignore"):
            small = lambda x: (x >= 1) & (x < k)  # noqa: E731
            derived = np.where(is_ratio, small(num) | small(den), is_count & small(shown))
        return (pick(roll.own_flags["small"], roll.ytd_flags["small"], c, use_ytd) | derived) & ~np.isnan(shown)

    flags = {name: pick(roll.own_flags[name], roll.ytd_flags[name], col, ytd_on) for name in roll.own_flags}
    numerator = pick(roll.own_numerator, roll.ytd_numerator, col, ytd_on)
    denominator = pick(roll.own_denominator, roll.ytd_denominator, col, ytd_on)
    suppressed = suppressed_at(col, ytd_on, value)
    no = np.zeros_like(ytd_on)

    quarter_codes = {q: Period(Frequency.QUARTERLY, int(q)).code for q in report}
    table = pd.DataFrame(
        {
            "quarter": np.array([quarter_codes[q] for q in report], dtype=object)[np.repeat(np.arange(nq), n)],
            "measure_id": m["measure_id"],
            "plan_id": m["plan_id"],
            "period": _codes(eq, annual),
            "value": value,
            "numerator": np.where(is_ratio, numerator, np.nan),
            "denominator": np.where(is_ratio, denominator, np.nan),
            "target": levels["target"].to_numpy(),
            "intervention": levels["intervention"].to_numpy(),
            "target_phased": levels["target_phased"].to_numpy(),
            "status": status,
            "short_trend": direction(own, previous, polarity),
            "long_trend": direction(value, year_ago, polarity),
            "period_value": own,
            "previous_period": _codes(eq - step, annual),
            "previous_value": previous,
            "year_ago_value": year_ago,
            "context_period": _codes(np.where(has_context, context_col + roll.first_quarter, none_q), annual),
            "context_value": context_value,
            "provisional": flags["provisional"],
            "estimated": flags["estimated"],
            "revised": flags["revised"],
            "suppressed": suppressed,
            "period_value_suppressed": suppressed_at(col, no, own),
            "previous_value_suppressed": suppressed_at(col - step, no, previous),
            "year_ago_value_suppressed": suppressed_at(col - 4, ytd_on, year_ago),
            "context_value_suppressed": suppressed_at(np.maximum(context_col, 0), ytd_on, context_value),
            "needs_exception": status == "intervention",
            "public": m["public"].astype(bool),
        }
    )
    return table


def judge(
    data: CouncilData,
    quarters: Iterable[Period | str],
    data_as_at: dt.date | None = None,
    published: Iterable[dt.date] = (),
) -> pd.DataFrame:
    """The judged table for ``quarters`` as the figures stood at ``data_as_at`` (None: the newest).

    ``published`` are the ``data_as_at`` dates of reports already published,
    which decide which figures are flagged revised.
    """
    figures = figures_as_at(data.observations, data_as_at, published)
    quarters = [q if isinstance(q, Period) else parse_quarter(q) for q in quarters]
    return judge_figures(data.measures, data.targets, figures, quarters, data.council)
