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
import pandas as pd

from pmlib.config import Council
from pmlib.rounding import round_half_away


def resolve_targets(rows: pd.DataFrame, measures: pd.DataFrame, targets: pd.DataFrame, council: Council) -> pd.DataFrame:
    """Target and intervention level for each row of ``rows``.

    ``rows`` has ``measure_id``, ``fy`` (financial year of the expected
    period), ``last_month`` (absolute month index where it ends) and
    ``months_elapsed`` (months from the start of its year). Returns columns
    ``target``, ``intervention`` and ``target_phased`` aligned to ``rows``.
    """
    t = targets.dropna(subset=["fy"])
    t = t.assign(fy=t["fy"].astype("int64"))
    year_rows = t[t["phased_last_month"].isna()].drop_duplicates(["measure_id", "fy"])
    phased_rows = t[t["phased_last_month"].notna()].drop_duplicates(["measure_id", "fy", "phased_last_month", "period"])
    is_month = phased_rows["period"].str.contains("-", na=False)
    quarter_rows, month_rows = phased_rows[~is_month], phased_rows[is_month]
    phased_years = phased_rows[["measure_id", "fy"]].drop_duplicates().assign(has_phasing=True)

    keys = rows[["measure_id", "fy", "last_month"]].astype({"fy": "int64", "last_month": "float64"})
    year = keys.merge(year_rows[["measure_id", "fy", "target", "intervention"]], on=["measure_id", "fy"], how="left")

    def phased_at(table: pd.DataFrame, months_before: int) -> tuple[np.ndarray, np.ndarray]:
        """Target and intervention of the ``table`` row ending ``months_before`` months before each row's period ends."""
        found = keys.assign(last_month=keys["last_month"] - months_before).merge(
            table[["measure_id", "fy", "phased_last_month", "target", "intervention"]],
            left_on=["measure_id", "fy", "last_month"],
            right_on=["measure_id", "fy", "phased_last_month"],
            how="left",
        )
        return found["target"].to_numpy("float64"), found["intervention"].to_numpy("float64")

    has_phasing = keys.merge(phased_years, on=["measure_id", "fy"], how="left")["has_phasing"].fillna(False).to_numpy(bool)

    m = measures.reindex(rows["measure_id"])
    decimals = m["decimals"].to_numpy("int64")
    agg = m["aggregation"].to_numpy(object)
    ytd = m["ytd"].to_numpy(bool) & (m["frequency"] != "annual").to_numpy()

    # Month rows: the quarter's last month for a year to date or a "last" measure, else all three rolled up.
    (t0, i0), (t1, i1), (t2, i2) = phased_at(month_rows, 0), phased_at(month_rows, 1), phased_at(month_rows, 2)
    by_month = ~ytd & np.isin(agg, ("sum", "mean", "ratio"))
    divisor = np.where(agg == "sum", 1.0, 3.0)
    month_t = np.where(by_month, (t0 + t1 + t2) / divisor, t0)
    month_i = np.where(by_month, (i0 + i1 + i2) / divisor, i0)
    month_t, month_i = (np.where(by_month, round_half_away(x, decimals), x) for x in (month_t, month_i))
    # A quarter row and month rows for the same quarter: the quarter row wins.
    quarter_t, quarter_i = phased_at(quarter_rows, 0)
    use_quarter = ~np.isnan(quarter_t)
    phased_t, phased_i = np.where(use_quarter, quarter_t, month_t), np.where(use_quarter, quarter_i, month_i)

    use_phased = ~np.isnan(phased_t)
    even = ytd & (agg == "sum") & ~has_phasing
    share = np.where(even, rows["months_elapsed"].to_numpy("float64") / 12.0, 1.0)

    target = np.where(use_phased, phased_t, year["target"].to_numpy("float64") * share)
    intervention = np.where(use_phased, phased_i, year["intervention"].to_numpy("float64") * share)
    target = np.where(even, round_half_away(target, decimals), target)
    intervention = np.where(even, round_half_away(intervention, decimals), intervention)

    if council.status_method == "tolerance":
        polarity = m["polarity"].to_numpy()
        factor = np.select(
            [polarity == "higher", polarity == "lower"], [1 - council.tolerance_pct / 100, 1 + council.tolerance_pct / 100], np.nan
        )
        derived = round_half_away(target * factor, decimals)
        intervention = np.where(np.isnan(intervention), derived, intervention)

    no_target = (m["polarity"] == "none").to_numpy()
    return pd.DataFrame(
        {
            "target": np.where(no_target, np.nan, target),
            "intervention": np.where(no_target, np.nan, intervention),
            "target_phased": use_phased | (even & ~np.isnan(target)),
        },
        index=rows.index,
    )
