"""Which target and intervention level apply to a measure's expected period.

A phased row (a quarter ``Qn`` or a month ``YYYY-MM``) wins over the year's
row. A phased row is the target for the figure judged over its period: for a
year-to-date measure that is the cumulative figure, so a month row is the
target for the year to the end of that month, and the quarter takes the row
for its last month. A measure judged on the quarter alone takes the row for
its last month under ``last`` aggregation; under ``sum`` its three month
rows are added up, and under ``mean`` or ``ratio`` averaged, as the values
are rolled up; with any of the three missing the quarter has no phased
target. A year-to-date ``sum`` measure with no phased rows in the year has
the year's target phased evenly by months elapsed. Under the tolerance method
a blank intervention level is derived from the target. Derived levels are
rounded to the measure's decimals, like values, so what a reader sees in a
table is exactly what was compared.
"""

from __future__ import annotations

import numpy as np

from pmlib.contract.config import Council
from pmlib.engine.measure_arrays import MeasureArrays, TargetArrays
from pmlib.engine.positions import first_of_each
from pmlib.engine.rounding import round_half_away
from pmlib.vocabulary import Aggregation, Polarity


def _grid(n: int, width: int, pos: np.ndarray, offset: np.ndarray, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rows laid on a (measure, ``offset``) grid, NaN where there is none; the first row wins, as ``drop_duplicates`` keeps."""
    inside = (offset >= 0) & (offset < width)
    cells = pos[inside] * width + offset[inside]
    first = first_of_each(cells, n * width)
    out = {}
    for name, v in values.items():
        grid = np.full(n * width, np.nan)
        grid[cells[first]] = v[inside][first]
        out[name] = grid.reshape(n, width)
    return out


def resolve_targets(m: MeasureArrays, t: TargetArrays, council: Council, first_quarter: int, n_quarters: int) -> dict[str, np.ndarray]:
    """Target, intervention level and whether the target is phased, for each measure and quarter column.

    The columns are the quarters ``first_quarter`` onwards, whole financial
    years, as in ``pmlib.engine.rollup``; a quarter column stands for the period
    judged there (an annual measure's year in its Q4 column). Returns
    ``target``, ``intervention`` and ``target_phased`` arrays of shape
    (measures, quarters), and ``year_phased``: whether the council phased the
    column's year at all (a phased row anywhere in it, on a measure with a
    polarity), which a projection at the current rate ignores.
    """
    n, years = len(m), n_quarters // 4
    fy0 = first_quarter // 4
    month = t.last_month - (12 * fy0 + 3)
    levels = {"target": t.target, "intervention": t.intervention}

    def laid(rows: np.ndarray, offset: np.ndarray, width: int) -> dict[str, np.ndarray]:
        return _grid(n, width, t.position[rows], offset[rows], {name: v[rows] for name, v in levels.items()})

    year = laid(np.flatnonzero(t.is_year), t.fy - fy0, years)
    months = laid(np.flatnonzero(t.is_month), month, years * 12)
    quarters = laid(np.flatnonzero(~t.is_year & ~t.is_month), (month - 2) // 3, n_quarters)
    phased = np.flatnonzero(~t.is_year)
    has_phasing = ~np.isnan(_grid(n, years, t.position[phased], t.fy[phased] - fy0, {"any": np.ones(len(phased))})["any"])

    decimals = m.decimals[:, None]
    agg = m.aggregation[:, None]
    ytd = m.judged_ytd[:, None]
    by_month = ~ytd & (agg != Aggregation.LAST)
    divisor = np.where(agg == Aggregation.SUM, 1.0, 3.0)
    with_months = np.unique(t.position[t.is_month])
    phased_levels = {}
    for name in ("target", "intervention"):
        # Month rows: the quarter's last month for a year to date or a "last" measure, else all three rolled up.
        by_quarter = months[name].reshape(n, n_quarters, 3)
        month_level = by_quarter[:, :, 2].copy()
        rows = with_months[by_month[with_months, 0]]
        if len(rows):
            rolled = by_quarter[rows].sum(axis=2) / divisor[rows]
            month_level[rows] = round_half_away(rolled, decimals[rows])
        # A quarter row and month rows for the same quarter: the quarter row wins.
        phased_levels[name] = np.where(~np.isnan(quarters["target"]), quarters[name], month_level)

    use_phased = ~np.isnan(phased_levels["target"])
    even = ytd & (agg == Aggregation.SUM) & ~np.repeat(has_phasing, 4, axis=1)
    share = np.where(even, (np.arange(n_quarters) % 4 + 1) * 3 / 12.0, 1.0)
    evenly = np.flatnonzero(even.any(axis=1))
    out = {}
    for name in ("target", "intervention"):
        level = np.where(use_phased, phased_levels[name], np.repeat(year[name], 4, axis=1) * share)
        level[evenly] = np.where(even[evenly], round_half_away(level[evenly], decimals[evenly]), level[evenly])
        out[name] = level

    polarity = m.polarity[:, None]
    if council.status_method == "tolerance":
        tolerance = council.tolerance_pct / 100
        factor = np.select([polarity == Polarity.HIGHER, polarity == Polarity.LOWER], [1 - tolerance, 1 + tolerance], np.nan)
        derived = round_half_away(out["target"] * factor, decimals)
        out["intervention"] = np.where(np.isnan(out["intervention"]), derived, out["intervention"])

    no_target = polarity == Polarity.NONE
    return {
        "target": np.where(no_target, np.nan, out["target"]),
        "intervention": np.where(no_target, np.nan, out["intervention"]),
        "target_phased": use_phased | (even & ~np.isnan(out["target"])),
        "year_phased": np.repeat(has_phasing, 4, axis=1) & ~no_target,
    }
