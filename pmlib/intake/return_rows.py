"""What each return asks for: a row per measure and period the quarter's report needs, with what is held and its target.

Worked out apart from the workbooks that show the rows (``pmlib.intake.returns``
for a council's units, ``pmlib.intake.shared_returns`` for a shared service's),
so a row's wording (how its figure is given, above all for a year-to-date
measure) is the same in both, and what the rows lack (a year's target not yet
added) can be said before any workbook goes out.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import Period, parse_period
from pmlib.contract.tables import ROW_COLUMN
from pmlib.engine.figures import figures_as_at
from pmlib.engine.status import judge
from pmlib.errors import Problem
from pmlib.views.formats import UNIT_WORDS
from pmlib.vocabulary import Aggregation, Polarity


def _figure(row) -> float | str | None:
    """A held figure as the cell shows it: a number (formatted by ``number_format``) or a ratio's two parts in words."""
    if row is None:
        return None
    if not np.isnan(row["numerator"]) or not np.isnan(row["denominator"]):
        part = lambda v: "[x]" if np.isnan(v) else f"{v:,.{0 if float(v).is_integer() else 2}f}"  # noqa: E731
        return f"{part(row['numerator'])} / {part(row['denominator'])}"
    return None if np.isnan(row["value"]) else float(row["value"])


def number_format(unit: str, decimals: int) -> str:
    """Excel's format for a measure's figures, so a cell reads as the report writes it (``1,234.5``, ``76.3%``, ``£1,200``).

    The unit is literal text in the format, not Excel's percent style, so the
    cell still holds the figure the report uses (76.3, not 0.763).
    """
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    suffix = {"percent": '"%"', "days": '" days"', "rate_per_1000": '" per 1,000"', "rate_per_100k": '" per 100,000"'}
    if unit == "gbp":
        return f'"£"{digits};-"£"{digits}'
    return digits + suffix.get(unit, "")


AS_AT = "as at the end of"
"""What a ``last`` year-to-date measure's rows ask for: the figure so far, which is what the report takes."""


def _give(m: pd.Series, period: Period) -> str:
    """How a row's figure is given; for a year-to-date measure, which figure the report's roll-up wants.

    The report rolls up the year to date itself (status rule 2). For ``sum``,
    ``ratio`` and ``mean`` it adds up or averages each period's own figure, so
    a total so far typed in would be counted again; the row's target is the
    year to date's, so the row says the period's own is wanted. For ``last``
    (a collection rate to date, say) the year to date is the latest period's
    figure itself, so the row asks for the figure so far: asked for the
    period alone, an officer would give a month's in-month rate, and the
    report would judge that as the year's.
    """
    give = "numerator and denominator" if m["aggregation"] == Aggregation.RATIO.word else "value"
    if not m["ytd"]:
        return give
    if m["aggregation"] == Aggregation.LAST.word:
        return f"{give} {AS_AT} {period.code}, the year so far; pmlib takes the latest"
    adds = "adds up" if m["aggregation"] in (Aggregation.SUM.word, Aggregation.RATIO.word) else "works out"
    return f"{give} for {period.code} alone; pmlib {adds} the year to date"


def return_rows(data: CouncilData, quarter: Period) -> pd.DataFrame:
    """One row per measure and period the quarter's report needs, with what is already held for it.

    The periods are those of each measure's expected period (rule 1 of the
    status rules): a monthly measure's three months, a quarterly measure's
    quarter, an annual measure's year.
    """
    judged = judge(data, [quarter]).set_index("measure_id")
    year_end = judge(data, [Period.quarter(quarter.fy_start, 4)]).set_index("measure_id")["target"]
    latest = figures_as_at(data.observations)
    held = {(r["measure_id"], r["period"]): r for _, r in latest.iterrows()}
    rows = []
    for measure_id, m in data.measures.iterrows():
        j = judged.loc[measure_id]
        expected = parse_period(j["period"])
        periods = expected.months() if m["frequency"] == "monthly" else (expected,)
        for period in periods:
            before = period.previous()
            rows.append(
                {
                    "measure_id": measure_id,
                    "name": m["name"],
                    "period": period.code,
                    "unit": UNIT_WORDS.get(m["unit"], m["unit"]),
                    "give": _give(m, period),
                    "held": _figure(held.get((measure_id, period.code))),
                    "previous_period": before.code,
                    "previous": _figure(held.get((measure_id, before.code))),
                    "target": None if np.isnan(j["target"]) else float(j["target"]),
                    "intervention": None if np.isnan(j["intervention"]) else float(j["intervention"]),
                    "year_target": None if np.isnan(year_end[measure_id]) else float(year_end[measure_id]),
                    "owner": m["owner"] if isinstance(m["owner"], str) and m["owner"] else "",
                    "ratio": m["aggregation"] == "ratio",
                    "ytd": bool(m["ytd"]),
                    "unit_key": m["unit"],
                    "format": number_format(m["unit"], int(m["decimals"])),
                }
            )
    return pd.DataFrame(rows)


def targets_not_set(data: CouncilData, needed: pd.DataFrame) -> pd.DataFrame:
    """Measures of ``needed`` (a ``measure_id`` and ``period`` per row) with no target for their period's year but targets before it.

    The commonest cause is a new year's targets not yet added, and the report
    would then judge the measure as monitoring, without a word until figures
    for the year arrive (``pm check``'s warning). A measure that never had a
    target, or of polarity none, is monitored by design and is not listed.
    One row per measure: its ``year`` (code), the year its targets ``end``
    with, and ``row``, that year's last row in ``targets.csv``.
    """
    first = needed.drop_duplicates("measure_id")
    fy = first["period"].map(lambda p: parse_period(p).fy_start).astype("int64").to_numpy()
    judged = (data.measures.loc[first["measure_id"], "polarity"] != Polarity.NONE.word).to_numpy()
    targets = data.targets.dropna(subset=["fy"]).astype({"fy": "int64"})
    held = pd.MultiIndex.from_frame(targets[["measure_id", "fy"]])
    unset = judged & ~pd.MultiIndex.from_arrays([first["measure_id"], fy]).isin(held)
    candidates = pd.DataFrame({"measure_id": first["measure_id"].to_numpy()[unset], "fy": fy[unset]})
    earlier = candidates.merge(targets, on="measure_id", suffixes=("", "_target"))
    earlier = earlier[earlier["fy_target"] < earlier["fy"]].sort_values(["fy_target", ROW_COLUMN])
    last = earlier.drop_duplicates("measure_id", keep="last").set_index("measure_id")
    last = last.reindex(candidates["measure_id"]).dropna(subset=["fy"])
    return pd.DataFrame(
        {
            "measure_id": last.index,
            "year": [Period.year(int(y)).code for y in last["fy"]],
            "ends": last["year"].to_numpy(),
            "row": last[ROW_COLUMN].astype("int64").to_numpy(),
        }
    )


def target_warnings(data: CouncilData, rows: pd.DataFrame) -> list[Problem]:
    """``targets_not_set`` of a quarter's return rows as warnings, each on its measure's last target row.

    The returns are the first thing made for a quarter, before any figure of
    the year arrives: this is where a target not rolled forward is seen in time.
    """
    where = os.path.join(str(data.data_dir), "targets.csv")
    return [
        Problem(
            where,
            int(r.row),
            "year",
            f"{r.measure_id} has no target for {r.year} (its targets end with {r.ends}): its return goes out with the Target blank, "
            "and the report will judge it as monitoring; add the year's target, then run pm returns again",
            "warning",
        )
        for r in targets_not_set(data, rows).itertuples()
    ]
