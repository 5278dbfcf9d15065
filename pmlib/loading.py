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
        # Files that are missing (when required) or unreadable: rows elsewhere that refer to
        # them are not checked against them, so one broken file does not flood every other.
        self.broken: set[str] = set()

    def display(self, name: str) -> str:
        return os.path.join(str(self.data_dir), name)

    def read(self, name: str, columns_key: str | None = None, required: bool = True) -> pd.DataFrame | None:
        path = self.data_dir / name
        if not path.is_file():
            if required:
                self.problems.append(Problem(self.display(name), None, None, "file not found; create it as the data contract describes"))
                self.broken.add(name)
            return None
        self.files[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        table, problems = read_table(path, self.display(name), TABLES[columns_key or name])
        self.problems += problems
        if table is None:
            self.broken.add(name)
        return table

    def invalid(self, table: pd.DataFrame, column: str, file_column: str | None = None) -> pd.Series:
        """Rows whose ``column`` cell already has an error, so a follow-on check does not repeat it."""
        cells = {(p.file, p.row) for p in self.problems if p.column == column and p.severity == "error" and p.row is not None}
        files = table[file_column] if file_column else pd.Series(table.attrs.get("display", ""), index=table.index)
        if not cells or table.empty:
            return pd.Series(False, index=table.index)
        keys = pd.MultiIndex.from_arrays([files.astype(str), table[ROW_COLUMN].astype("int64")])
        return pd.Series(keys.isin(list(cells)), index=table.index)

    def flag(self, table: pd.DataFrame, mask, column: str, message, severity: str = "error", file_column: str | None = None) -> None:
        """Add a problem for each row where ``mask`` holds; ``message`` gets the row."""
        mask = pd.Series(mask, index=table.index).fillna(False).astype(bool)
        for _, row in table[mask].iterrows():
            file = row[file_column] if file_column else table.attrs["display"]
            self.problems.append(Problem(file, int(row[ROW_COLUMN]), column, message(row), severity))  # type: ignore[arg-type]


def _empty(key: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=object) for c in TABLES[key]} | {ROW_COLUMN: pd.Series(dtype="int64")})


def _duplicates(
    c: _Collector,
    table: pd.DataFrame,
    keys: list[str],
    column: str,
    what: str,
    file_column: str | None = None,
    required: list[str] | None = None,
    hint: str = "keep one",
) -> None:
    """Flag every repeat of a key after its first appearance (in file order), saying where the first one is.

    Only keys with every ``required`` part given (default: all parts) are compared;
    other blank parts count as equal, so two whole-year targets clash.
    """
    keyed = table[required or keys].notna().all(axis=1)
    sub = table[keyed]
    if sub.empty or not sub.duplicated(keys).any():
        return
    first = sub.index.to_series().groupby([sub[k] for k in keys], sort=False, dropna=False).transform("first")
    later = first[first != first.index]
    first_row = dict(zip(later.index, table.loc[later.to_numpy(), ROW_COLUMN], strict=True))
    first_file = dict(zip(later.index, table.loc[later.to_numpy(), file_column], strict=True)) if file_column else {}

    def message(r: pd.Series) -> str:
        where = f"row {first_row[r.name]}"
        if file_column and first_file[r.name] != r[file_column]:
            where = f"{first_file[r.name]} row {first_row[r.name]}"
        return f"{what} repeats {where}; {hint}"

    c.flag(table, table.index.isin(later.index), column, message, file_column=file_column)


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
    if "plans.csv" not in c.broken:
        known = measures["plan_id"].isin(plans.index) | measures["plan_id"].isna()
        c.flag(measures, ~known, "plan_id", lambda r: f"'{r.plan_id}' is not a plan_id in plans.csv; add the plan or correct the id")
    default_decimals = np.where(measures["unit"] == "number", 0, 1)
    measures = measures.assign(decimals=measures["decimals"].fillna(pd.Series(default_decimals, index=measures.index)).astype("int64"))
    measures["lag"] = measures["lag"].fillna(0).astype("int64")
    measures["disclosure_min"] = measures["disclosure_min"].fillna(0).astype("int64")

    has_base = measures["baseline_period"].notna()
    idx = period_indexes(measures["baseline_period"].fillna(""), measures["frequency"].fillna(""))
    c.flag(
        measures,
        has_base & idx.isna() & measures["frequency"].notna(),
        "baseline_period",
        lambda r: f"'{r.baseline_period}' is not {_a(r.frequency)} period code; write it as {example_code(r.frequency)}",
    )
    c.flag(
        measures,
        has_base & measures["baseline_value"].isna() & ~c.invalid(measures, "baseline_value"),
        "baseline_value",
        lambda r: "a baseline_period needs a baseline_value",
    )
    c.flag(
        measures,
        (measures["unit"] == "percent") & ~measures["baseline_value"].between(0, 100) & measures["baseline_value"].notna(),
        "baseline_value",
        lambda r: f"{r.baseline_value:g} is outside 0-100 for a percent measure",
    )
    c.flag(
        measures,
        measures["ytd"] & (measures["frequency"] == "annual"),
        "ytd",
        lambda r: "year to date has no effect on an annual measure",
        "warning",
    )
    no_effect = (
        measures["unit"].notna() & measures["aggregation"].notna() & ~measures["unit"].eq("number") & ~measures["aggregation"].eq("ratio")
    )
    c.flag(
        measures,
        (measures["disclosure_min"] > 0) & no_effect,
        "disclosure_min",
        lambda r: "only counts (unit number) and ratio numerators and denominators are suppressed; this has no effect",
        "warning",
    )
    return measures.drop_duplicates("measure_id").set_index("measure_id", drop=False)


def _check_targets(c: _Collector, targets: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
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
    _duplicates(
        c,
        targets,
        ["measure_id", "year", "period"],
        "period",
        "a target for this measure, year and period",
        required=["measure_id", "year"],
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


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


_UNIT_NOUNS = {"number": "count", "days": "number of days", "rate_per_1000": "rate", "rate_per_100k": "rate"}


def _check_observations(c: _Collector, measures: pd.DataFrame) -> pd.DataFrame:
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
        return _empty("observations").assign(source=pd.Series(dtype=object))
    obs = pd.concat(frames, ignore_index=True)
    obs.attrs["display"] = ""
    flag = lambda mask, col, msg, sev="error": c.flag(obs, mask, col, msg, sev, file_column="source")  # noqa: E731

    # A measure whose own row has a bad frequency, unit or aggregation has that field blank:
    # the checks that need it are skipped until measures.csv is fixed.
    known = obs["measure_id"].isin(measures.index)
    if "measures.csv" not in c.broken:
        flag(
            ~known & obs["measure_id"].notna(),
            "measure_id",
            lambda r: f"'{r.measure_id}' is not a measure_id in measures.csv; add the measure or correct the id",
        )
    m = measures.reindex(obs["measure_id"]).set_index(obs.index)
    index = period_indexes(obs["period"].fillna(""), m["frequency"].fillna(""))
    flag(
        known & m["frequency"].notna() & index.isna() & obs["period"].notna(),
        "period",
        lambda r: (
            f"'{r.period}' is not {_a(m.at[r.name, 'frequency'])} period code, which {r.measure_id} needs; "
            f"write it as {example_code(m.at[r.name, 'frequency'])}"
        ),
    )

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
        lambda r: f"the numerator {r.numerator:g} is above the denominator {r.denominator:g}, giving a percent over 100",
    )
    flag(
        plain & (obs["numerator"].notna() | obs["denominator"].notna()),
        "numerator",
        lambda r: "numerator and denominator are read only for ratio measures; ignored",
        "warning",
    )

    _duplicates(
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
    last_month = first + freq.map({f.value: f.months for f in Frequency})
    reported_month = obs["reported_on"].dt.year * 12 + obs["reported_on"].dt.month - 1
    flag(
        ok & (reported_month < last_month),
        "reported_on",
        lambda r: f"{r.reported_on:%Y-%m-%d} is before {r.period} ends; check the date",
        "warning",
    )
    return obs.assign(period_index=index.astype("Int64"), first_month=first.astype("Int64"), frequency=m["frequency"])


def _check_commentary(c: _Collector, commentary: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    flag = lambda mask, col, msg, sev="error": c.flag(commentary, mask, col, msg, sev)  # noqa: E731
    if "measures.csv" not in c.broken:
        flag(
            ~commentary["measure_id"].isin(measures.index) & commentary["measure_id"].notna(),
            "measure_id",
            lambda r: f"'{r.measure_id}' is not a measure_id in measures.csv; correct the id or remove the commentary",
        )
    quarter = period_indexes(commentary["period"].fillna(""), "quarterly")
    flag(
        quarter.isna() & commentary["period"].notna(),
        "period",
        lambda r: f"'{r.period}' is not a quarter code; write it as {example_code('quarterly')}",
    )
    _duplicates(c, commentary, ["measure_id", "period"], "period", "commentary for this measure and quarter")
    return commentary


def _check_actions(c: _Collector, actions: pd.DataFrame, updates: pd.DataFrame, plans: pd.DataFrame):
    _duplicates(c, actions, ["action_id"], "action_id", "this action_id")
    if "plans.csv" not in c.broken:
        c.flag(
            actions,
            ~actions["plan_id"].isin(plans.index) & actions["plan_id"].notna(),
            "plan_id",
            lambda r: f"'{r.plan_id}' is not a plan_id in plans.csv; add the plan or correct the id",
        )
    if "actions.csv" not in c.broken:
        c.flag(
            updates,
            ~updates["action_id"].isin(actions["action_id"]) & updates["action_id"].notna(),
            "action_id",
            lambda r: f"'{r.action_id}' is not an action_id in actions.csv; add the action there or correct the id",
        )
    quarter = period_indexes(updates["period"].fillna(""), "quarterly")
    c.flag(
        updates,
        quarter.isna() & updates["period"].notna(),
        "period",
        lambda r: f"'{r.period}' is not a quarter code; write it as {example_code('quarterly')}",
    )
    _duplicates(c, updates, ["action_id", "period"], "period", "an update for this action and quarter")
    return actions, updates
