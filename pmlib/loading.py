"""Read a council's ``data/`` folder into typed tables, checking every rule of the contract.

``check_data`` never raises for bad input: it returns every problem found in
every file, so a data officer fixes them all in one pass. ``load_data`` is the
strict form the rest of pmlib uses.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.config import Council, read_council
from pmlib.contract import ROW_COLUMN, TABLES, read_table
from pmlib.errors import DataContractError
from pmlib.periods import Frequency, example_code, first_months, period_indexes
from pmlib.problems import Problem, sort_problems

REQUIRED_FILES = ("plans.csv", "measures.csv", "targets.csv")
OPTIONAL_FILES = ("commentary.csv", "actions.csv", "action_updates.csv")
NON_NEGATIVE_UNITS = ("number", "days", "rate_per_1000", "rate_per_100k")


@dataclass(frozen=True)
class CouncilData:
    """Everything in one council's ``data/`` folder, validated and typed."""

    data_dir: Path
    council: Council
    plans: pd.DataFrame
    measures: pd.DataFrame
    targets: pd.DataFrame
    observations: pd.DataFrame
    commentary: pd.DataFrame
    actions: pd.DataFrame
    action_updates: pd.DataFrame
    warnings: tuple[Problem, ...] = ()
    files: dict[str, str] = field(default_factory=dict)


class _Collector:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.problems: list[Problem] = []
        self.files: dict[str, str] = {}

    def display(self, name: str) -> str:
        return os.path.join(str(self.data_dir), name)

    def read(self, name: str, columns_key: str | None = None, required: bool = True) -> pd.DataFrame | None:
        path = self.data_dir / name
        if not path.is_file():
            if required:
                self.problems.append(Problem(self.display(name), None, None, "file not found; create it as the data contract describes"))
            return None
        self.files[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        table, problems = read_table(path, self.display(name), TABLES[columns_key or name])
        self.problems += problems
        return table

    def flag(self, table: pd.DataFrame, mask, column: str, message, severity: str = "error", file_column: str | None = None) -> None:
        """Add a problem for each row where ``mask`` holds; ``message`` gets the row."""
        mask = pd.Series(mask, index=table.index).fillna(False).astype(bool)
        for _, row in table[mask].iterrows():
            file = row[file_column] if file_column else table.attrs["display"]
            self.problems.append(Problem(file, int(row[ROW_COLUMN]), column, message(row), severity))  # type: ignore[arg-type]


def _empty(key: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=object) for c in TABLES[key]} | {ROW_COLUMN: pd.Series(dtype="int64")})


def _duplicates(c: _Collector, table: pd.DataFrame, keys: list[str], column: str, what: str, file_column: str | None = None) -> None:
    dup = table.duplicated(keys, keep=False) & table[keys].notna().all(axis=1)
    if not dup.any():
        return
    first = table[dup].groupby(keys, sort=False)[ROW_COLUMN].transform("min")
    later = table[dup][table[dup][ROW_COLUMN] != first]
    firsts = dict(zip(later.index, first[later.index]))
    c.flag(table, table.index.isin(later.index), column, lambda r: f"{what} repeats row {firsts[r.name]}; keep one", file_column=file_column)


def check_data(data_dir: str | os.PathLike) -> tuple[CouncilData | None, list[Problem]]:
    """Validate a data folder; return the typed data (None if any error) and every problem found."""
    data_dir = Path(data_dir)
    c = _Collector(data_dir)
    council, problems = read_council(data_dir / "council.yml", c.display("council.yml"))
    c.problems += problems
    if (data_dir / "council.yml").is_file():
        c.files["council.yml"] = hashlib.sha256((data_dir / "council.yml").read_bytes()).hexdigest()

    tables: dict[str, pd.DataFrame] = {}
    for name in REQUIRED_FILES + OPTIONAL_FILES:
        table = c.read(name, required=name in REQUIRED_FILES)
        table = _empty(name) if table is None else table
        table.attrs["display"] = c.display(name)
        tables[name] = table
    plans = _check_plans(c, tables["plans.csv"])
    measures = _check_measures(c, tables["measures.csv"], plans)
    targets = _check_targets(c, tables["targets.csv"], measures)
    observations = _check_observations(c, measures)
    commentary = _check_commentary(c, tables["commentary.csv"], measures)
    actions, updates = _check_actions(c, tables["actions.csv"], tables["action_updates.csv"], plans)

    problems = sort_problems(c.problems)
    if council is None or any(p.severity == "error" for p in problems):
        return None, problems
    data = CouncilData(
        data_dir=data_dir,
        council=council,
        plans=plans,
        measures=measures,
        targets=targets,
        observations=observations,
        commentary=commentary,
        actions=actions,
        action_updates=updates,
        warnings=tuple(problems),
        files=dict(sorted(c.files.items())),
    )
    return data, problems


def load_data(data_dir: str | os.PathLike) -> CouncilData:
    """Validated data, or ``DataContractError`` listing every error in every file."""
    data, problems = check_data(data_dir)
    if data is None:
        raise DataContractError(problems)
    return data


def _check_plans(c: _Collector, plans: pd.DataFrame) -> pd.DataFrame:
    _duplicates(c, plans, ["plan_id"], "plan_id", "this plan_id")
    plans = plans.drop_duplicates("plan_id")
    order = plans["order"].astype("Float64").fillna(pd.Series(np.arange(len(plans)) + 1e6, index=plans.index))
    return plans.assign(order=order.astype("int64")).sort_values(["order", ROW_COLUMN]).set_index("plan_id", drop=False)


def _check_measures(c: _Collector, measures: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    _duplicates(c, measures, ["measure_id"], "measure_id", "this measure_id")
    known = measures["plan_id"].isin(plans.index) | measures["plan_id"].isna()
    c.flag(measures, ~known, "plan_id", lambda r: f"'{r.plan_id}' is not a plan_id in plans.csv; add the plan or correct the id")
    default_decimals = np.where(measures["unit"] == "number", 0, 1)
    measures = measures.assign(decimals=measures["decimals"].fillna(pd.Series(default_decimals, index=measures.index)).astype("int64"))
    measures["lag"] = measures["lag"].fillna(0).astype("int64")
    measures["disclosure_min"] = measures["disclosure_min"].fillna(0).astype("int64")

    has_base = measures["baseline_period"].notna()
    idx = period_indexes(measures["baseline_period"].fillna(""), measures["frequency"].fillna(""))
    c.flag(measures, has_base & idx.isna() & measures["frequency"].notna(), "baseline_period",
           lambda r: f"'{r.baseline_period}' is not a {r.frequency} period code ({example_code(r.frequency)})")
    c.flag(measures, has_base & measures["baseline_value"].isna(), "baseline_value", lambda r: "a baseline_period needs a baseline_value")
    c.flag(measures, (measures["unit"] == "percent") & ~measures["baseline_value"].between(0, 100) & measures["baseline_value"].notna(),
           "baseline_value", lambda r: f"{r.baseline_value:g} is outside 0-100 for a percent measure")
    c.flag(measures, measures["ytd"] & (measures["frequency"] == "annual"), "ytd",
           lambda r: "year to date has no effect on an annual measure", "warning")
    c.flag(measures, (measures["disclosure_min"] > 0) & ~measures["unit"].eq("number") & ~measures["aggregation"].eq("ratio"),
           "disclosure_min", lambda r: "only counts (unit number) and ratio numerators and denominators are suppressed; this has no effect", "warning")
    return measures.drop_duplicates("measure_id").set_index("measure_id", drop=False)


def _check_targets(c: _Collector, targets: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    known = targets["measure_id"].isin(measures.index)
    c.flag(targets, ~known & targets["measure_id"].notna(), "measure_id",
           lambda r: f"'{r.measure_id}' is not a measure_id in measures.csv; add the measure or remove the target")
    year = period_indexes(targets["year"].fillna(""), "annual")
    c.flag(targets, year.isna() & targets["year"].notna(), "year", lambda r: f"'{r.year}' is not a financial year ({example_code('annual')})")
    m = measures.reindex(targets["measure_id"]).set_index(targets.index)
    freq = m["frequency"]

    period = targets["period"].fillna("")
    quarter_n = period.str.extract(r"^Q([1-4])$")[0].astype("Float64")
    month = period_indexes(period, "monthly")
    month_fy = (month - 3) // 12
    is_quarter, is_month = quarter_n.notna().to_numpy(dtype=bool), month.notna()
    bad_code = (period != "") & ~is_quarter & ~is_month
    c.flag(targets, bad_code, "period", lambda r: f"'{r.period}' is not Q1-Q4 or a month YYYY-MM; leave it blank for the whole year")
    c.flag(targets, is_month & year.notna() & (month_fy != year), "period", lambda r: f"{r.period} is not in the financial year {r.year}")
    c.flag(targets, known & (period != "") & (freq == "annual"), "period",
           lambda r: f"{r.measure_id} is annual, so its target cannot be phased; leave period blank")
    c.flag(targets, known & is_month & (freq == "quarterly"), "period",
           lambda r: f"{r.measure_id} is quarterly; phase its target by quarter (Q1-Q4), not by month")
    _duplicates(c, targets, ["measure_id", "year", "period"], "period", "a target for this measure, year and period")

    pct = known & (m["unit"] == "percent")
    for col in ("target", "intervention"):
        c.flag(targets, pct & targets[col].notna() & ~targets[col].between(0, 100), col, lambda r, col=col: f"{r[col]:g} is outside 0-100 for a percent measure")
    wrong_higher = (m["polarity"] == "higher") & (targets["intervention"] > targets["target"])
    wrong_lower = (m["polarity"] == "lower") & (targets["intervention"] < targets["target"])
    c.flag(targets, known & wrong_higher, "intervention",
           lambda r: f"{r.intervention:g} is above the target {r.target:g}, but higher is better for {r.measure_id}; the intervention level must be at or below the target")
    c.flag(targets, known & wrong_lower, "intervention",
           lambda r: f"{r.intervention:g} is below the target {r.target:g}, but lower is better for {r.measure_id}; the intervention level must be at or above the target")
    c.flag(targets, known & (m["polarity"] == "none"), "target",
           lambda r: f"{r.measure_id} has polarity none, so it is monitored and this target is not used", "warning")

    phased = np.where(is_quarter, (year * 4 + quarter_n.astype("float64") - 1) * 3 + 5, np.where(is_month, month, np.nan))
    return targets.assign(fy=year.astype("Int64"), phased_last_month=pd.Series(phased, index=targets.index).astype("float64"))


def _check_observations(c: _Collector, measures: pd.DataFrame) -> pd.DataFrame:
    folder = c.data_dir / "observations"
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []
    if not files:
        c.problems.append(Problem(c.display("observations"), None, None, "no observation files found; put one or more CSV files of figures in this folder"))
    frames = []
    for path in files:
        name = f"observations/{path.name}"
        if path.suffix.lower() != ".csv":
            c.problems.append(Problem(c.display(name), None, None, "not a CSV file; save it as 'CSV UTF-8' or move it out of observations/"))
            continue
        table = c.read(name, "observations")
        if table is not None:
            frames.append(table.assign(source=c.display(name)))
    if not frames:
        return _empty("observations").assign(source=pd.Series(dtype=object))
    obs = pd.concat(frames, ignore_index=True)
    obs.attrs["display"] = ""
    flag = lambda mask, col, msg, sev="error": c.flag(obs, mask, col, msg, sev, file_column="source")  # noqa: E731

    known = obs["measure_id"].isin(measures.index)
    flag(~known & obs["measure_id"].notna(), "measure_id", lambda r: f"'{r.measure_id}' is not a measure_id in measures.csv; add the measure or correct the id")
    m = measures.reindex(obs["measure_id"]).set_index(obs.index)
    index = period_indexes(obs["period"].fillna(""), m["frequency"].fillna(""))
    flag(known & index.isna() & obs["period"].notna(), "period",
         lambda r: f"'{r.period}' is not a {m.at[r.name, 'frequency']} period code ({example_code(m.at[r.name, 'frequency'])}) as {r.measure_id} needs")

    ratio = m["aggregation"] == "ratio"
    for col in ("numerator", "denominator"):
        flag(known & ratio & obs[col].isna(), col, lambda r, col=col: f"{r.measure_id} is a ratio measure: give its {col}")
        flag(obs[col] < 0, col, lambda r, col=col: f"{r[col]:g} is negative; a {col} is a count of zero or more")
    flag(obs["denominator"] == 0, "denominator", lambda r: "the denominator is zero, so no rate can be worked out; check the figure or leave the row out")
    flag(known & ~ratio & obs["value"].isna(), "value", lambda r: "the value is missing; give the figure, or leave the row out if there is none")
    negative = known & m["unit"].isin(NON_NEGATIVE_UNITS) & (obs["value"] < 0)
    flag(negative, "value", lambda r: f"{r.value:g} is negative; a {m.at[r.name, 'unit'].replace('_', ' ')} cannot be below zero")
    pct = known & (m["unit"] == "percent")
    flag(pct & ~ratio & obs["value"].notna() & ~obs["value"].between(0, 100), "value", lambda r: f"{r.value:g} is outside 0-100 for a percent measure; a fraction like 0.76 is written 76")
    flag(pct & ratio & (obs["numerator"] > obs["denominator"]) & (obs["denominator"] > 0), "numerator",
         lambda r: f"the numerator {r.numerator:g} is above the denominator {r.denominator:g}, giving a percent over 100")
    flag(known & ~ratio & (obs["numerator"].notna() | obs["denominator"].notna()), "numerator",
         lambda r: "numerator and denominator are read only for ratio measures; ignored", "warning")

    _duplicates(c, obs, ["measure_id", "period", "reported_on"], "reported_on", "a figure for this measure, period and reported_on date", file_column="source")

    freq = m["frequency"].fillna("monthly")
    ok = index.notna()
    first = pd.Series(np.nan, index=obs.index)
    first[ok] = first_months(index[ok].astype("int64"), freq[ok])
    last_month = first + freq.map(lambda f: Frequency(f).months)
    reported_month = obs["reported_on"].dt.year * 12 + obs["reported_on"].dt.month - 1
    flag(ok & (reported_month < last_month), "reported_on", lambda r: f"{r.reported_on:%Y-%m-%d} is before {r.period} ends; check the date", "warning")
    return obs.assign(period_index=index.astype("Int64"), first_month=first.astype("Int64"), frequency=m["frequency"])


def _check_commentary(c: _Collector, commentary: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    flag = lambda mask, col, msg, sev="error": c.flag(commentary, mask, col, msg, sev)  # noqa: E731
    flag(~commentary["measure_id"].isin(measures.index) & commentary["measure_id"].notna(), "measure_id",
         lambda r: f"'{r.measure_id}' is not a measure_id in measures.csv")
    quarter = period_indexes(commentary["period"].fillna(""), "quarterly")
    flag(quarter.isna() & commentary["period"].notna(), "period", lambda r: f"'{r.period}' is not a quarter ({example_code('quarterly')})")
    _duplicates(c, commentary, ["measure_id", "period"], "period", "commentary for this measure and quarter")
    return commentary


def _check_actions(c: _Collector, actions: pd.DataFrame, updates: pd.DataFrame, plans: pd.DataFrame):
    _duplicates(c, actions, ["action_id"], "action_id", "this action_id")
    c.flag(actions, ~actions["plan_id"].isin(plans.index) & actions["plan_id"].notna(), "plan_id",
           lambda r: f"'{r.plan_id}' is not a plan_id in plans.csv")
    c.flag(updates, ~updates["action_id"].isin(actions["action_id"]) & updates["action_id"].notna(), "action_id",
           lambda r: f"'{r.action_id}' is not an action_id in actions.csv")
    quarter = period_indexes(updates["period"].fillna(""), "quarterly")
    c.flag(updates, quarter.isna() & updates["period"].notna(), "period", lambda r: f"'{r.period}' is not a quarter ({example_code('quarterly')})")
    _duplicates(c, updates, ["action_id", "period"], "period", "an update for this action and quarter")
    return actions, updates
