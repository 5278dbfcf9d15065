"""How the council compares with other areas: the contract's comparison rules, for every measure and group at once.

For a report quarter, each measure with comparator figures is compared with
each group of areas, on one period: the latest of the measure's own periods,
no later than the end of the period the status rules expect, for which the
council and at least one of the group's areas have a figure as the report's
``data_as_at`` saw them. Values are compared as published (no roll-up, no
year to date) at the measure's decimals. In a group of two or more areas the
council is ranked among the members with a figure (equal values share the
best rank), placed in a quarter, and set against the members' median; a
one-area group (England) is a reference the council is better or worse than.

The rules are worked on whole columns (group-bys and array arithmetic), so a
national comparator file costs one pass, not a loop per measure and group.
Disclosure is recorded (``suppressed``) but not applied: what each audience
sees is decided in ``pmlib.views``, as for every other figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import Period
from pmlib.engine.figures import figures_as_at
from pmlib.engine.rollup import ratio_value, small_count
from pmlib.engine.rounding import round_half_away
from pmlib.engine.status import expected_period_end
from pmlib.vocabulary import Frequency, Polarity

COUNCIL = "council"
"""``role`` of the council's own row among a comparison's figures; members are ``member``, a reference area ``reference``."""

TABLE_COLUMNS = (
    "measure_id",
    "group_id",
    "group_name",
    "reference",
    "period",
    "value",
    "suppressed",
    "rank",
    "tied",
    "of",
    "quartile",
    "group_median",
    "reference_value",
    "comparison",
    "public",
)
FIGURE_COLUMNS = ("measure_id", "group_id", "period", "area_code", "area_name", "role", "value", "suppressed", "source", "reported_on")


@dataclass(frozen=True)
class Comparisons:
    """A quarter's comparisons: one row per measure and group (``table``), and the figures each was made from (``figures``).

    ``figures`` holds, per measure and group, the council's own figure for
    the comparison period (role ``council``) and every member's (``member``
    or ``reference``): what a chart of the group draws and a table
    alternative lists.
    """

    table: pd.DataFrame
    figures: pd.DataFrame

    @property
    def empty(self) -> bool:
        """No measure has a comparison: nothing about comparisons is shown anywhere."""
        return self.table.empty


def empty_comparisons() -> Comparisons:
    """What a council without comparator files has: no rows, the same columns."""
    return Comparisons(pd.DataFrame(columns=list(TABLE_COLUMNS)), pd.DataFrame(columns=list(FIGURE_COLUMNS)))


def comparators_as_at(comparators: pd.DataFrame, data_as_at: dt.date) -> pd.DataFrame:
    """Per measure, period and area the newest comparator row published on or before ``data_as_at`` (as for observations)."""
    seen = comparators[comparators["reported_on"] <= pd.Timestamp(data_as_at)]
    return seen.sort_values("reported_on", kind="stable").drop_duplicates(["measure_id", "period_index", "area_code"], keep="last")


def _published_value(rows: pd.DataFrame, measures: pd.DataFrame) -> np.ndarray:
    """Each row's value at its measure's decimals: a ratio's parts (x the unit's scale) where given, else ``value``."""
    m = measures.loc[rows["measure_id"]]
    from_parts = ratio_value(rows["numerator"], rows["denominator"], m["unit"].to_numpy(object))
    is_ratio = (m["aggregation"] == "ratio").to_numpy(bool)
    value = np.where(is_ratio & ~np.isnan(from_parts), from_parts, rows["value"].to_numpy("float64"))
    return round_half_away(value, m["decimals"].to_numpy("int64"))


def compare(data: CouncilData, quarter: Period, data_as_at: dt.date) -> Comparisons:
    """The comparison rules of the contract for one report quarter, as its figures and comparators stood at ``data_as_at``."""
    groups, measures = data.comparator_groups, data.measures
    comparators = comparators_as_at(data.comparators, data_as_at)
    comparators = comparators[comparators["measure_id"].isin(measures.index)]
    if comparators.empty or groups.empty:
        return empty_comparisons()

    sizes = groups.groupby("group_id", sort=False)["area_code"].transform("size")
    groups = groups.assign(reference=sizes.to_numpy() == 1)
    theirs = comparators.assign(value=_published_value(comparators, measures))
    theirs = theirs[theirs["value"].notna()].merge(groups[["group_id", "area_code", "area_name", "reference"]], on="area_code")

    ours = _council_figures(data, data_as_at, theirs["measure_id"].unique())
    last_month = _period_last_month(theirs, measures)
    m = measures.loc[theirs["measure_id"]]
    latest = 3 * expected_period_end(m["frequency"].to_numpy(object), m["lag"].to_numpy("int64"), quarter.index) + 5
    key = pd.MultiIndex.from_arrays([theirs["measure_id"], theirs["period_index"].astype("int64")])
    eligible = (last_month <= latest) & key.isin(ours.index)
    theirs = theirs[eligible]
    if theirs.empty:
        return empty_comparisons()

    period = theirs.groupby(["measure_id", "group_id"], sort=False)["period_index"].transform("max")
    theirs = theirs[theirs["period_index"] == period].reset_index(drop=True)
    council = ours.reindex(pd.MultiIndex.from_arrays([theirs["measure_id"], theirs["period_index"].astype("int64")]))
    theirs = theirs.assign(council=council["value"].to_numpy(), council_suppressed=council["suppressed"].to_numpy(bool))
    table = judge_groups(theirs, measures, groups)
    return Comparisons(table, _figures(theirs, table, measures, data.council.short_name))


def _council_figures(data: CouncilData, data_as_at: dt.date, measure_ids: np.ndarray) -> pd.DataFrame:
    """The council's own figure per (measure, period index) at ``data_as_at``, rounded, with its disclosure flag."""
    obs = data.observations[data.observations["measure_id"].isin(measure_ids)]
    figures = figures_as_at(obs, data_as_at)
    figures = figures.assign(value=_published_value(figures, data.measures))
    figures = figures[figures["value"].notna()]
    suppressed = small_count(figures, data.measures)
    index = pd.MultiIndex.from_arrays([figures["measure_id"], figures["period_index"].astype("int64")])
    return pd.DataFrame(
        {"value": figures["value"].to_numpy(), "suppressed": suppressed, "period": figures["period"].to_numpy()}, index=index
    )


def _period_last_month(rows: pd.DataFrame, measures: pd.DataFrame) -> np.ndarray:
    months = measures.loc[rows["measure_id"], "frequency"].map({f.word: f.months for f in Frequency}).to_numpy("int64")
    return rows["first_month"].to_numpy("int64") + months - 1


def judge_groups(rows: pd.DataFrame, measures: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Rules 3-6 on every (measure, group) at once.

    ``rows`` are the members' figures at each comparison period (``measure_id``,
    ``group_id``, ``period_index``, ``value``, ``reference``), each with the
    council's figure for that period (``council``, ``council_suppressed``).
    """
    polarity = Polarity.codes(measures.loc[rows["measure_id"], "polarity"].to_numpy(object))
    value, council = rows["value"].to_numpy("float64"), rows["council"].to_numpy("float64")
    better = np.select([polarity == Polarity.HIGHER, polarity == Polarity.LOWER], [value > council, value < council], False)
    keys = ["measure_id", "group_id"]
    summary = (
        rows.assign(better=better, equal=value == council)
        .groupby(keys, sort=False)
        .agg(
            period_index=("period_index", "first"),
            value=("council", "first"),
            suppressed=("council_suppressed", "first"),
            reference=("reference", "first"),
            members=("value", "size"),
            ahead=("better", "sum"),
            tied=("equal", "any"),
            group_median=("value", "median"),
            reference_value=("value", "first"),
        )
        .reset_index()
    )
    m = measures.loc[summary["measure_id"]]
    decimals = m["decimals"].to_numpy("int64")
    polarity = Polarity.codes(m["polarity"].to_numpy(object))
    ranked = ~summary["reference"].to_numpy(bool) & (polarity != Polarity.NONE)
    of = summary["members"].to_numpy("int64") + 1
    rank = summary["ahead"].to_numpy("int64") + 1
    quartile = -(-4 * rank // of)
    reference = summary["reference"].to_numpy(bool)
    median = np.where(reference, np.nan, round_half_away(summary["group_median"], decimals))
    against = np.where(reference, summary["reference_value"].to_numpy("float64"), median)
    names = groups.drop_duplicates("group_id").set_index("group_id")["name"]
    out = pd.DataFrame(
        {
            "measure_id": summary["measure_id"],
            "group_id": summary["group_id"],
            "group_name": names.loc[summary["group_id"]].to_numpy(),
            "reference": reference,
            "period": _period_codes(summary, measures),
            "value": summary["value"].to_numpy("float64"),
            "suppressed": summary["suppressed"].to_numpy(bool),
            "rank": pd.array(np.where(ranked, rank, 0), dtype="Int64"),
            "tied": summary["tied"].to_numpy(bool) & ranked,
            "of": pd.array(np.where(reference, 0, of), dtype="Int64"),
            "quartile": pd.array(np.where(ranked, quartile, 0), dtype="Int64"),
            "group_median": median,
            "reference_value": np.where(reference, against, np.nan),
            "comparison": comparison_words(summary["value"].to_numpy("float64"), against, polarity),
            "public": m["public"].to_numpy(bool),
        }
    )
    for column, keep in (("rank", ranked), ("quartile", ranked), ("of", ~reference)):
        out.loc[~keep, column] = pd.NA
    order = pd.Series(measures.index.get_indexer(out["measure_id"]) * len(names) + names.index.get_indexer(out["group_id"]))
    return out.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def comparison_words(council, against, polarity) -> np.ndarray:
    """``better``/``worse``/``same`` by polarity (``above``/``below``/``same`` for ``none``), of values at the measure's decimals."""
    c, a = np.asarray(council, dtype="float64"), np.asarray(against, dtype="float64")
    none, lower = polarity == Polarity.NONE, polarity == Polarity.LOWER
    up = np.select([none, lower], ["above", "worse"], "better")
    down = np.select([none, lower], ["below", "better"], "worse")
    return np.where(c > a, up, np.where(c < a, down, "same")).astype(object)


def _period_codes(rows: pd.DataFrame, measures: pd.DataFrame) -> np.ndarray:
    frequency = measures.loc[rows["measure_id"], "frequency"].to_numpy(object)
    index = rows["period_index"].to_numpy("int64")
    return np.array([Period(Frequency(f), int(i)).code for f, i in zip(frequency, index, strict=True)], dtype=object)


def _figures(rows: pd.DataFrame, table: pd.DataFrame, measures: pd.DataFrame, council_name: str) -> pd.DataFrame:
    """Each comparison's figures: the council's first, then the members' by value, best first (polarity ``none``: highest first)."""
    period = table.set_index(["measure_id", "group_id"])["period"]
    members = pd.DataFrame(
        {
            "measure_id": rows["measure_id"],
            "group_id": rows["group_id"],
            "area_code": rows["area_code"],
            "area_name": rows["area_name"],
            "role": np.where(rows["reference"], "reference", "member"),
            "value": rows["value"],
            "suppressed": False,
            "source": rows["source"],
            "reported_on": rows["reported_on"],
        }
    )
    firsts = rows.drop_duplicates(["measure_id", "group_id"])
    ours = pd.DataFrame(
        {
            "measure_id": firsts["measure_id"],
            "group_id": firsts["group_id"],
            "area_code": None,
            "area_name": council_name,
            "role": COUNCIL,
            "value": firsts["council"],
            "suppressed": firsts["council_suppressed"],
            "source": None,
            "reported_on": pd.NaT,
        }
    )
    out = pd.concat([ours, members], ignore_index=True)
    keys = pd.MultiIndex.from_frame(out[["measure_id", "group_id"]])
    lower = (measures.loc[out["measure_id"], "polarity"] == Polarity.LOWER.word).to_numpy(bool)
    values = out["value"].to_numpy("float64")
    order = np.lexsort(
        (out["area_name"].to_numpy(str), np.where(lower, values, -values), out["role"] != COUNCIL, period.index.get_indexer(keys))
    )
    out = out.iloc[order].assign(period=period.loc[keys[order]].to_numpy())
    return out.reset_index(drop=True)[list(FIGURE_COLUMNS)]
