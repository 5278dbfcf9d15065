"""The year's view that the half-year (Q2) and end-of-year (Q4) reports add.

It reuses the status rules rather than inventing new ones: every measure is
judged on its year-to-date figure, so at Q4 it is the year-end outturn and at
Q2 the position half way through the year. Annual and year-to-date measures
are judged exactly as in the quarter. A measure judged quarter by quarter on a
``sum`` has a target per quarter, so its annual target is four times the
year's row (or the sum of its phased rows), phased evenly by months elapsed
(rule 3); ``mean``, ``ratio`` and ``last`` targets apply to a period of any
length and are kept. Phased rows are added up per revision (``agreed_on``),
so the engine still picks the revision agreed by the report's ``data_as_at``.
A forecast stays only where the year's Q4 figure is the same figure in the
view, for year-to-date and annual measures; the others become year-to-date
here, so their quarter's forecast would be judged as the year's.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import Period

YEAR_VIEW_QUARTERS = (2, 4)


def has_year_view(quarter: Period) -> bool:
    """Only the half-year and end-of-year reports carry the year's view."""
    return quarter.number in YEAR_VIEW_QUARTERS


def year_view_data(data: CouncilData) -> CouncilData:
    """The council's data with every measure judged year to date against an annual target."""
    m = data.measures
    per_quarter_sums = set(m.index[(m["aggregation"] == "sum") & ~m["ytd"] & (m["frequency"] != "annual")])
    t = data.targets
    keep = t[~t["measure_id"].isin(per_quarter_sums)]
    sums = t[t["measure_id"].isin(per_quarter_sums)]
    year_rows = sums[sums["period"].isna()].copy()
    year_rows[["target", "intervention"]] = year_rows[["target", "intervention"]] * 4
    phased = sums[sums["period"].notna()]
    has_year = set(zip(year_rows["measure_id"], year_rows["year"], strict=True))
    phased = phased[np.array([(k, y) not in has_year for k, y in zip(phased["measure_id"], phased["year"], strict=True)], dtype=bool)]
    keys = ["measure_id", "year", "fy", *(["agreed_on"] if "agreed_on" in t.columns else [])]
    totals = phased.groupby(keys, as_index=False, dropna=False)[["target", "intervention"]].sum(min_count=1)
    totals["period"] = pd.NA
    totals["phased_last_month"] = float("nan")
    targets = pd.concat([keep, year_rows, totals[t.columns.intersection(totals.columns)]], ignore_index=True)
    measures = m.copy()
    measures["ytd"] = measures["frequency"] != "annual"
    forecasts = data.forecasts[data.forecasts["measure_id"].isin(m.index[m["ytd"] | (m["frequency"] == "annual")])]
    return dataclasses.replace(data, measures=measures, targets=targets, forecasts=forecasts)


def year_view_heading(quarter: Period) -> str:
    """What the view is called in the report, which differs at half year and year end."""
    year = quarter.financial_year.code
    if quarter.number == 4:
        return f"Year-end outturn {year}"
    return f"The year so far: {year} to the end of {quarter.end:%B %Y}"
