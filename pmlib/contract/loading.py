"""Read a council's ``data/`` folder into typed tables, checking every rule of the contract.

``check_data`` never raises for bad input: it returns every problem found in
every file, so a data officer fixes them all in one pass. ``load_data`` is the
strict form the rest of pmlib uses.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.contract import officer_text
from pmlib.contract.collecting import Collector, a_or_an, empty_table, flag_duplicates
from pmlib.contract.comparators import check_comparisons, empty_comparator_groups, empty_comparators
from pmlib.contract.config import Council, read_council
from pmlib.contract.figure_checks import check_observations, check_targets, check_targets_run_on
from pmlib.contract.memo import Memo, folder_state
from pmlib.contract.periods import example_code, period_indexes
from pmlib.contract.tables import ROW_COLUMN
from pmlib.errors import DataContractError, Problem, sort_problems

REQUIRED_FILES = ("plans.csv", "measures.csv", "targets.csv")
COMMENTARY_FILE = "commentary.csv"  # officers' words: read by the plans' notebooks and pages, not by how a measure is judged
OPTIONAL_FILES = (COMMENTARY_FILE, "actions.csv", "action_updates.csv", "forecasts.csv")


@dataclass(frozen=True)
class CouncilData:
    """Everything in one council's ``data/`` folder, validated and typed.

    ``comparator_groups`` and ``comparators`` (contract v2, optional) are empty
    frames of the same types when the folder has no comparisons; their defaults
    are those, so code that builds a ``CouncilData`` of its own needs no change.
    """

    data_dir: Path
    council: Council
    plans: pd.DataFrame
    measures: pd.DataFrame
    targets: pd.DataFrame
    observations: pd.DataFrame
    commentary: pd.DataFrame
    actions: pd.DataFrame
    action_updates: pd.DataFrame
    forecasts: pd.DataFrame
    comparator_groups: pd.DataFrame = field(default_factory=empty_comparator_groups)
    comparators: pd.DataFrame = field(default_factory=empty_comparators)
    warnings: tuple[Problem, ...] = ()
    files: dict[str, str] = field(default_factory=dict)


def owner_slug(owner: str) -> str:
    """File-name form of a service unit's name (``Adult Social Care`` -> ``adult-social-care``): one return each."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’]", "", owner.lower())).strip("-") or "no-owner"


def owners_written_differently(owners: pd.Series) -> pd.Series:
    """The name most rows give each owner's unit (ties: the first row's), where that owner is written another way; else NaN.

    Owners are one unit when their ``owner_slug`` is the same.
    ``WASTE AND CLEANSING`` beside ``Waste and Cleansing`` is one service
    unit to a reader, but two owners to pandas: two returns under one file
    name, two rows in every table by owner.
    """
    named = owners.dropna().astype(str)
    slugs = named.map(owner_slug)
    rows = pd.DataFrame({"slug": slugs, "owner": named, "at": np.arange(len(named))})
    counts = rows.groupby(["slug", "owner"], sort=False)["at"].agg(["size", "min"]).reset_index()
    usual = counts.sort_values(["size", "min"], ascending=[False, True]).drop_duplicates("slug").set_index("slug")["owner"]
    usual_name = slugs.map(usual)
    return usual_name.where(usual_name != named).reindex(owners.index)


def portable_observations(data: CouncilData) -> pd.DataFrame:
    """The figures with each row's ``source`` file named inside the data folder: a key made of them is the same wherever it is."""
    observations = data.observations
    if "source" not in observations:
        return observations
    prefix = os.path.join(str(data.data_dir), "")
    return observations.assign(source=observations["source"].astype(object).map(lambda s: str(s).removeprefix(prefix)))


_checked = Memo(4)


def check_data(data_dir: str | os.PathLike) -> tuple[CouncilData | None, list[Problem]]:
    """Validate a data folder; return the typed data (None if any error) and every problem found.

    A folder checked before in this process, every file as it was then, gives
    the same data again without reading it (see ``pmlib.contract.memo``).
    """
    data, problems = _checked.get(folder_state(data_dir), lambda: _check_data(Path(data_dir)))
    return data, list(problems)


def checked_data(data: CouncilData) -> bool:
    """Whether ``data`` is what ``check_data`` keeps, so work done on it can be kept as long as it is."""
    return any(kept[0] is data for kept in _checked.values())


def _check_data(data_dir: Path) -> tuple[CouncilData | None, tuple[Problem, ...]]:
    c = Collector(data_dir)
    council, problems = read_council(data_dir / "council.yml", c.display("council.yml"))
    c.problems += problems
    if (data_dir / "council.yml").is_file():
        c.files["council.yml"] = hashlib.sha256((data_dir / "council.yml").read_bytes()).hexdigest()

    tables: dict[str, pd.DataFrame] = {}
    for name in REQUIRED_FILES + OPTIONAL_FILES:
        table = c.read(name, required=name in REQUIRED_FILES)
        table = empty_table(name) if table is None else table
        table.attrs["display"] = c.display(name)
        tables[name] = table
    plans = _check_plans(c, tables["plans.csv"])
    measures = _check_measures(c, tables["measures.csv"], plans)
    targets = check_targets(c, tables["targets.csv"], measures)
    observations = check_observations(c, measures)
    check_targets_run_on(c, targets, observations, measures)
    commentary = _check_commentary(c, tables["commentary.csv"], measures)
    actions, updates = _check_actions(c, tables["actions.csv"], tables["action_updates.csv"], plans)
    forecasts = _check_forecasts(c, tables["forecasts.csv"], measures)
    comparator_groups, comparators = check_comparisons(c, council, measures)

    problems = tuple(sort_problems(c.problems))
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
        forecasts=forecasts,
        comparator_groups=comparator_groups,
        comparators=comparators,
        warnings=problems,
        files=dict(sorted(c.files.items())),
    )
    return data, problems


def load_data(data_dir: str | os.PathLike) -> CouncilData:
    """Validated data, or ``DataContractError`` listing every error in every file."""
    data, problems = check_data(data_dir)
    if data is None:
        raise DataContractError(problems)
    return data


def _check_plans(c: Collector, plans: pd.DataFrame) -> pd.DataFrame:
    flag_duplicates(c, plans, ["plan_id"], "plan_id", "this plan_id")
    plans = plans.drop_duplicates("plan_id")
    order = plans["order"].astype("Float64").fillna(pd.Series(np.arange(len(plans)) + 1e6, index=plans.index))
    return plans.assign(order=order.astype("int64")).sort_values(["order", ROW_COLUMN]).set_index("plan_id", drop=False)


def _check_measures(c: Collector, measures: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    flag_duplicates(c, measures, ["measure_id"], "measure_id", "this measure_id")
    if "plans.csv" not in c.broken:
        known = measures["plan_id"].isin(plans.index) | measures["plan_id"].isna()
        c.flag(measures, ~known, "plan_id", lambda r: f"'{r.plan_id}' is not a plan_id in plans.csv; add the plan or correct the id")
    if "measures.csv" not in c.broken:
        c.flag(
            plans,
            ~plans["plan_id"].isin(measures["plan_id"]),
            "plan_id",
            lambda r: f"{r.plan_id} has no measures in measures.csv, so its report and its part of the pack are empty; add its measures",
            "warning",
        )
    usual = owners_written_differently(measures["owner"])
    c.flag(
        measures.assign(usual=usual),
        usual.notna(),
        "owner",
        lambda r: f"'{r.owner}' is written '{r.usual}' on other rows; write a service unit's name one way, or it gets two returns",
        "warning",
    )
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
        lambda r: f"'{r.baseline_period}' is not {a_or_an(r.frequency)} period code; write it as {example_code(r.frequency)}",
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


def _measure_and_quarter(c: Collector, table: pd.DataFrame, measures: pd.DataFrame, what: str, quarter_is: str = "") -> pd.Series:
    """Flag rows naming a measure measures.csv lacks, or a period that is not a quarter; return each row's quarter index."""
    if "measures.csv" not in c.broken:
        c.flag(
            table,
            ~table["measure_id"].isin(measures.index) & table["measure_id"].notna(),
            "measure_id",
            lambda r: f"'{r.measure_id}' is not a measure_id in measures.csv; correct the id or remove {what}",
        )
    quarter = period_indexes(table["period"].fillna(""), "quarterly")
    c.flag(
        table,
        quarter.isna() & table["period"].notna(),
        "period",
        lambda r: f"'{r.period}' is not a quarter code{quarter_is}; write it as {example_code('quarterly')}",
    )
    return quarter


def _check_commentary(c: Collector, commentary: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    flag = lambda mask, col, msg, sev="error": c.flag(commentary, mask, col, msg, sev)  # noqa: E731
    _measure_and_quarter(c, commentary, measures, "the commentary")
    # Undated rows apply to every report, so two of them for one quarter clash whatever the dates of the others.
    undated = commentary["reported_on"].isna() & ~c.invalid(commentary, "reported_on")
    flag_duplicates(c, commentary[undated], ["measure_id", "period"], "period", "commentary for this measure and quarter")
    flag_duplicates(
        c,
        commentary[commentary["reported_on"].notna()],
        ["measure_id", "period", "reported_on"],
        "reported_on",
        "commentary for this measure, quarter and reported_on date",
        hint="keep one, or give the newer text a later reported_on date",
    )
    schemes = ", ".join(f"{scheme}:" for scheme in officer_text.ALLOWED_SCHEMES)
    for column in ("commentary", "action"):
        refused = commentary[column].map(officer_text.refused_links)
        flag(
            refused.map(bool),
            column,
            lambda r, refused=refused: (
                "links to " + ", ".join(f"'{href}'" for href in refused[r.name]) + " will be shown as text: "
                f"links may only go to {schemes} addresses; correct the address or remove the link"
            ),
            "warning",
        )
        bare = commentary[column].map(officer_text.bare_addresses)
        flag(
            bare.map(bool),
            column,
            lambda r, bare=bare: (
                ", ".join(f"'{address}'" for address in bare[r.name])
                + f" will be shown as text, not a link; to link it, write {officer_text.as_link(bare[r.name][0])}"
            ),
            "warning",
        )
    return commentary


def _check_actions(c: Collector, actions: pd.DataFrame, updates: pd.DataFrame, plans: pd.DataFrame):
    flag_duplicates(c, actions, ["action_id"], "action_id", "this action_id")
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
    flag_duplicates(c, updates, ["action_id", "period"], "period", "an update for this action and quarter")
    return actions, updates


FORECAST_TYPES = {"measure_id": "str", "period": "str", "forecast": "float64", "reported_on": "datetime64[us]", "note": "str"}


def _check_forecasts(c: Collector, forecasts: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Check forecasts against the measures; add the quarter each was made in (``period_index``).

    An absent file gives the same typed columns as a present one, so the
    engine and a v1 folder's tables do not depend on whether the file exists.
    """
    quarter = _measure_and_quarter(c, forecasts, measures, "the forecast", " (the quarter the forecast was made in)")
    flag_duplicates(
        c,
        forecasts,
        ["measure_id", "period", "reported_on"],
        "reported_on",
        "a forecast for this measure, quarter and reported_on date",
        hint="keep one, or give the newer forecast a later reported_on date",
    )
    typed = forecasts.astype(FORECAST_TYPES | {ROW_COLUMN: "int64"})[[ROW_COLUMN, *FORECAST_TYPES]]
    return typed.assign(period_index=pd.array(quarter, dtype="Int64"))
