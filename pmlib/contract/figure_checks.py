"""Checks of the figures and targets: the rules that depend on each measure's unit, frequency and polarity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.contract.collecting import Collector, a_or_an, empty_table, flag_duplicates
from pmlib.contract.periods import Period, example_code, first_months, period_indexes
from pmlib.errors import Problem
from pmlib.vocabulary import NON_NEGATIVE_UNITS, Frequency


def check_targets(c: Collector, targets: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Check targets against their measures; add the financial year and the month a phased row ends in."""
    known = targets["measure_id"].isin(measures.index)
    if "measures.csv" not in c.broken:
        c.flag(
            targets,
            ~known & targets["measure_id"].notna(),
            "measure_id",
            lambda r: f"'{r.measure_id}' is not a measure_id in measures.csv; add the measure or remove the target",
        )
    year = period_indexes(targets["year"].fillna(""), "annual")
    c.flag(
        targets,
        year.isna() & targets["year"].notna(),
        "year",
        lambda r: f"'{r.year}' is not a financial year; write it as {example_code('annual')}",
    )
    m = measures.reindex(targets["measure_id"]).set_index(targets.index)
    freq = m["frequency"]

    period = targets["period"].fillna("")
    quarter_n = period.str.extract(r"^Q([1-4])$")[0].astype("Float64")
    month = period_indexes(period, "monthly")
    month_fy = (month - 3) // 12
    is_quarter, is_month = quarter_n.notna().to_numpy(dtype=bool), month.notna()
    bad_code = (period != "") & ~is_quarter & ~is_month
    c.flag(targets, bad_code, "period", lambda r: f"'{r.period}' is not Q1-Q4 or a month YYYY-MM; leave it blank for the whole year")
    c.flag(
        targets,
        is_month & year.notna() & (month_fy != year),
        "period",
        lambda r: (
            f"{r.period} is not in the financial year {r.year} (April {r.year[:4]} to March {int(r.year[:4]) + 1}); "
            "correct the year or the month"
        ),
    )
    c.flag(
        targets,
        known & (period != "") & (freq == "annual"),
        "period",
        lambda r: f"{r.measure_id} is annual, so its target cannot be phased; leave period blank",
    )
    c.flag(
        targets,
        known & is_month & (freq == "quarterly"),
        "period",
        lambda r: f"{r.measure_id} is quarterly; phase its target by quarter (Q1-Q4), not by month",
    )
    # Undated rows apply to every report, so two of them clash whatever the revisions beside them.
    undated = targets["agreed_on"].isna() & ~c.invalid(targets, "agreed_on")
    flag_duplicates(
        c,
        targets[undated],
        ["measure_id", "year", "period"],
        "period",
        "a target for this measure, year and period",
        required=["measure_id", "year"],
    )
    flag_duplicates(
        c,
        targets[targets["agreed_on"].notna()],
        ["measure_id", "year", "period", "agreed_on"],
        "agreed_on",
        "a target for this measure, year, period and agreed_on date",
        required=["measure_id", "year", "agreed_on"],
        hint="keep one, or give the revised target a later agreed_on date",
    )

    pct = known & (m["unit"] == "percent")
    for col in ("target", "intervention"):
        c.flag(
            targets,
            pct & targets[col].notna() & ~targets[col].between(0, 100),
            col,
            lambda r, col=col: f"{r[col]:g} is outside 0-100 for a percent measure",
        )
    wrong_higher = (m["polarity"] == "higher") & (targets["intervention"] > targets["target"])
    wrong_lower = (m["polarity"] == "lower") & (targets["intervention"] < targets["target"])
    for wrong, side, better in ((wrong_higher, "above", "higher"), (wrong_lower, "below", "lower")):
        c.flag(
            targets,
            known & wrong,
            "intervention",
            lambda r, side=side, better=better: (
                f"{r.intervention:g} is {side} the target {r.target:g}, but {better} is better for {r.measure_id}; "
                f"the intervention level must be at or {'below' if side == 'above' else 'above'} the target"
            ),
        )
    c.flag(
        targets,
        known & (m["polarity"] == "none"),
        "target",
        lambda r: f"{r.measure_id} has polarity none, so it is monitored and this target is not used",
        "warning",
    )

    phased = np.where(is_quarter, (year * 4 + quarter_n.astype("float64") - 1) * 3 + 5, np.where(is_month, month, np.nan))
    return targets.assign(fy=year.astype("Int64"), phased_last_month=pd.Series(phased, index=targets.index).astype("float64"))


def check_targets_run_on(c: Collector, targets: pd.DataFrame, observations: pd.DataFrame, measures: pd.DataFrame) -> None:
    """A warning on the last target row of a measure whose figures run into a year after its targets end.

    Such a year is judged as monitoring, without a word: the commonest cause
    is a new year's target not yet added, which moves a measure needing
    intervention out of the exceptions. A measure with no target at all is
    monitored by design, and one of polarity none never has targets.
    """
    if "fy" not in targets or "first_month" not in observations:  # a file that could not be read has its own error
        return
    judged = targets["measure_id"].isin(measures.index[measures["polarity"] != "none"]) & targets["fy"].notna()
    last_target = targets[judged].groupby("measure_id")["fy"].max()
    obs = observations[observations["measure_id"].isin(last_target.index) & observations["first_month"].notna()]
    last_figure = ((obs["first_month"].astype("int64") - 3) // 12).groupby(obs["measure_id"]).max()
    behind = last_figure[last_figure > last_target.reindex(last_figure.index)]
    ends = judged & targets["measure_id"].isin(behind.index) & (targets["fy"] == targets["measure_id"].map(last_target))
    c.flag(
        targets,
        targets.index.isin(targets[ends].drop_duplicates("measure_id", keep="last").index),
        "year",
        lambda r: (
            f"{r.measure_id}'s targets end with {r.year}, but it has figures for {Period.year(int(behind[r.measure_id])).code}, "
            "which are judged as monitoring without a target; add that year's target (or set the polarity to none)"
        ),
        "warning",
    )


_UNIT_NOUNS = {"number": "count", "days": "number of days", "rate_per_1000": "rate", "rate_per_100k": "rate"}


def check_measures_and_periods(
    c: Collector, table: pd.DataFrame, measures: pd.DataFrame, flag
) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
    """Flag figures naming an unknown measure or a period code of the wrong frequency; return which rows' measures are known,
    each row's measure, and its period index (observations and comparators share these checks).

    A measure whose own row has a bad frequency, unit or aggregation has that
    field blank: the checks that need it are skipped until measures.csv is fixed.
    """
    known = table["measure_id"].isin(measures.index)
    if "measures.csv" not in c.broken:
        flag(
            ~known & table["measure_id"].notna(),
            "measure_id",
            lambda r: f"'{r.measure_id}' is not a measure_id in measures.csv; add the measure or correct the id",
        )
    m = measures.reindex(table["measure_id"]).set_index(table.index)
    index = period_indexes(table["period"].fillna(""), m["frequency"].fillna(""))
    flag(
        known & m["frequency"].notna() & index.isna() & table["period"].notna(),
        "period",
        lambda r: (
            f"'{r.period}' is not {a_or_an(m.at[r.name, 'frequency'])} period code, which {r.measure_id} needs; "
            f"write it as {example_code(m.at[r.name, 'frequency'])}"
        ),
    )
    return known, m, index


def check_observations(c: Collector, measures: pd.DataFrame) -> pd.DataFrame:
    """Read every file in ``observations/`` and check each figure against its measure; add period positions."""
    folder = c.data_dir / "observations"
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []
    if not files:
        c.problems.append(
            Problem(
                c.display("observations"), None, None, "no observation files found; put one or more CSV files of figures in this folder"
            )
        )
    frames = []
    for path in files:
        name = f"observations/{path.name}"
        if path.suffix.lower() != ".csv":
            c.problems.append(
                Problem(c.display(name), None, None, "not a CSV file; save it as 'CSV UTF-8' or move it out of observations/")
            )
            continue
        table = c.read(name, "observations")
        if table is not None:
            frames.append(table.assign(source=c.display(name)))
    if not frames:
        return empty_table("observations").assign(source=pd.Series(dtype=object))
    obs = pd.concat(frames, ignore_index=True)
    obs.attrs["display"] = ""
    flag = lambda mask, col, msg, sev="error": c.flag(obs, mask, col, msg, sev, file_column="source")  # noqa: E731

    known, m, index = check_measures_and_periods(c, obs, measures, flag)

    ratio = known & (m["aggregation"] == "ratio")
    plain = known & m["aggregation"].notna() & ~ratio
    for col in ("numerator", "denominator"):
        flag(
            ratio & obs[col].isna() & ~c.invalid(obs, col, "source"),
            col,
            lambda r, col=col: f"{r.measure_id} is a ratio measure: give its {col}",
        )
        flag(obs[col] < 0, col, lambda r, col=col: f"{r[col]:g} is negative, but a {col} is a count of zero or more; check the figure")
    flag(
        obs["denominator"] == 0,
        "denominator",
        lambda r: "the denominator is zero, so no rate can be worked out; check the figure or leave the row out",
    )
    flag(
        plain & obs["value"].isna() & ~c.invalid(obs, "value", "source"),
        "value",
        lambda r: "the value is missing; give the figure, or leave the row out if there is none",
    )
    negative = known & m["unit"].isin(NON_NEGATIVE_UNITS) & (obs["value"] < 0)
    flag(
        negative,
        "value",
        lambda r: f"{r.value:g} is below zero, but a {_UNIT_NOUNS[m.at[r.name, 'unit']]} cannot be negative; check the figure",
    )
    pct = known & (m["unit"] == "percent")
    flag(
        pct & plain & obs["value"].notna() & ~obs["value"].between(0, 100),
        "value",
        lambda r: f"{r.value:g} is outside 0-100 for a percent measure; a fraction like 0.76 is written 76",
    )
    flag(
        pct & ratio & (obs["numerator"] > obs["denominator"]) & (obs["denominator"] > 0),
        "numerator",
        lambda r: (
            f"the numerator {r.numerator:g} is above the denominator {r.denominator:g}, giving a percent over 100; "
            "check the figures (are they the wrong way round?)"
        ),
    )
    flag(
        plain & (obs["numerator"].notna() | obs["denominator"].notna()),
        "numerator",
        lambda r: "numerator and denominator are read only for ratio measures; ignored",
        "warning",
    )

    flag_duplicates(
        c,
        obs,
        ["measure_id", "period", "reported_on"],
        "reported_on",
        "a figure for this measure, period and reported_on date",
        file_column="source",
        hint="keep one, or give a revised figure a later reported_on date",
    )

    freq = m["frequency"].fillna("monthly")
    ok = index.notna()
    first = pd.Series(np.nan, index=obs.index)
    first[ok] = first_months(index[ok].astype("int64"), freq[ok])
    last_month = first + freq.map({f.word: f.months for f in Frequency}).astype("float64")
    reported_month = obs["reported_on"].dt.year * 12 + obs["reported_on"].dt.month - 1
    flag(
        ok & (reported_month < last_month),
        "reported_on",
        lambda r: f"{r.reported_on:%Y-%m-%d} is before {r.period} ends; check the date",
        "warning",
    )
    return obs.assign(period_index=index.astype("Int64"), first_month=first.astype("Int64"), frequency=m["frequency"])
