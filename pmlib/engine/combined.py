"""Combined figures of shared services: the councils' figures added up, judged by the same status rules.

Councils that share a service report the same measure, to one definition,
each in its own data folder. For a ``sum`` measure the joint committee's
figure is the councils' figures added; for a ``ratio`` measure numerators and
denominators are added first, so the combined rate is the rate of everyone
served, not the average of two rates drawn from populations of different
sizes. ``mean`` and ``last`` measures have no combined figure: an average of
averages, or two snapshots added, would mean nothing a reader could use.

No new rule is written for the combined figure. ``combined_data`` makes the
joint committee a council of its own (a ``CouncilData``) whose observations
are the combined figures and whose targets are the joint targets, and
``judge_combined`` hands it to ``pmlib.engine.status.judge``, which rolls it
up, judges it (``monitoring`` without a joint target) and finds its trends
exactly as for any council. Each council's figures are taken as its own
report saw them, at its own ``data_as_at``; a period's combined figure exists
only when every council that has the measure has a figure for it, since a
partial sum would read as a fall.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.contract.config import Council
from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import Period
from pmlib.contract.tables import ROW_COLUMN, TABLES
from pmlib.engine.figures import figures_as_at
from pmlib.engine.rollup import ratio_value
from pmlib.engine.status import SUPPRESSED, SUPPRESSED_VALUES, judge
from pmlib.vocabulary import QUALITIES, Aggregation, Quality

ADDED = (Aggregation.SUM.word, Aggregation.RATIO.word)
"""Aggregations whose figures add up across councils, and so have a combined figure."""

COMBINED = "combined"
"""What the combined figure is called where a council's id would stand (``source``, open data)."""

_KEY = ["measure_id", "period"]
_FIGURE = ["value", "numerator", "denominator"]


@dataclasses.dataclass(frozen=True)
class CouncilPart:
    """One council's side of the combined figures: its id, its data, and the date its own report's figures stand at."""

    council_id: str
    data: CouncilData
    data_as_at: dt.date | None = None


def service_id(name: str) -> str:
    """A shared service's name as a slug (``Revenues and Benefits`` -> ``revenues-and-benefits``), for ids and file names."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "service"


def shared_measures(parts: Sequence[CouncilPart], shared: pd.DataFrame) -> pd.DataFrame:
    """One row per shared measure that some council has, in the order of ``shared`` (``measure_id``, ``shared_service``).

    A measure is defined as the first council (in display order) that has it
    writes it, since one framework has one definition. It is ``public`` only
    if every council publishes it: restricted anywhere means restricted in
    the joint report. ``disclosure_min`` is the largest of the councils', so
    a combined count is protected as strictly as the strictest council
    protects its own. ``councils`` names the councils having it, in order,
    and ``plan_id`` is the shared service's ``service_id``.
    """
    ids = pd.Index(shared["measure_id"], dtype=object)
    frames = [p.data.measures[p.data.measures.index.isin(ids)].assign(_council=p.council_id) for p in parts]
    rows = pd.concat(frames, ignore_index=True)
    by_measure = rows.groupby("measure_id", sort=False)
    first = rows.drop_duplicates("measure_id").set_index("measure_id", drop=False)
    service = shared.drop_duplicates("measure_id").set_index("measure_id")["shared_service"]
    out = first.drop(columns="_council").assign(
        public=by_measure["public"].all(),
        disclosure_min=by_measure["disclosure_min"].max().astype("int64"),
        councils=by_measure["_council"].agg(tuple),
        shared_service=service.reindex(first.index).to_numpy(object),
    )
    out["plan_id"] = out["shared_service"].map(service_id)
    order = [m for m in dict.fromkeys(shared["measure_id"]) if m in out.index]
    return out.loc[order]


def combined_observations(parts: Sequence[CouncilPart], measures: pd.DataFrame) -> pd.DataFrame:
    """The combined figure of each measure in ``measures`` (``shared_measures`` rows to add up) for each period every council has.

    ``value`` is the sum for a ``sum`` measure and, for a ``ratio`` measure,
    the ratio of the summed numerator and denominator; ``reported_on`` is the
    latest of the parts (when the combined figure could first be known) and
    ``quality`` the weakest (an estimate in one council makes the sum an
    estimate). Columns as ``CouncilData.observations``; ``source`` is ``combined``.
    """
    frames = []
    for p in parts:
        obs = p.data.observations
        frames.append(figures_as_at(obs[obs["measure_id"].isin(measures.index)], p.data_as_at).assign(_council=p.council_id))
    figures = pd.concat(frames, ignore_index=True)
    figures["_quality"] = Quality.codes(figures["quality"].fillna(Quality.VALIDATED.word).to_numpy(object))
    grouped = figures.groupby(_KEY, sort=True)
    out = grouped[_FIGURE].sum(min_count=1)
    out = out.assign(
        _parts=grouped["_council"].nunique(),
        _quality=grouped["_quality"].max(),
        reported_on=grouped["reported_on"].max(),
        period_index=grouped["period_index"].first(),
        first_month=grouped["first_month"].first(),
        frequency=grouped["frequency"].first(),
    ).reset_index()
    m = measures.reindex(out["measure_id"])
    out = out[out["_parts"].to_numpy() == m["councils"].map(len).to_numpy()]
    m = measures.reindex(out["measure_id"])
    ratio = (m["aggregation"] == Aggregation.RATIO.word).to_numpy(bool)
    value = np.where(ratio, ratio_value(out["numerator"], out["denominator"], m["unit"].to_numpy(object)), out["value"])
    out = out.assign(
        value=value,
        numerator=out["numerator"].where(ratio),
        denominator=out["denominator"].where(ratio),
        quality=np.asarray(QUALITIES, dtype=object)[out["_quality"].to_numpy("int64")],
        note=pd.Series(pd.NA, index=out.index, dtype="str"),
        source=COMBINED,
    )
    out[ROW_COLUMN] = np.arange(len(out), dtype="int64") + 2
    columns = [ROW_COLUMN, *_KEY, *_FIGURE, "quality", "note", "reported_on", "source", "period_index", "first_month", "frequency"]
    return out[columns].reset_index(drop=True)


def combined_data(
    parts: Sequence[CouncilPart],
    shared: pd.DataFrame,
    council: Council,
    targets: pd.DataFrame | None = None,
    data_dir: str | os.PathLike | None = None,
) -> CouncilData:
    """The joint committee as a council: the shared ``sum`` and ``ratio`` measures, their combined figures, the joint ``targets``.

    ``shared`` has a row per shared measure (``measure_id``,
    ``shared_service``); ``council`` gives the name and the status method
    (and tolerance) the combined figures are judged by; ``targets`` are
    the joint targets, checked as ``CouncilData.targets`` are (None: none, so
    every combined figure is monitored). Its plans are the shared services,
    in order. It has no commentary, actions or forecasts of its own.
    ``data_dir`` only names where it came from (default: the folder holding
    the councils' folders).
    """
    measures = shared_measures(parts, shared)
    measures = measures[measures["aggregation"].isin(ADDED)]
    services = list(dict.fromkeys(measures["shared_service"]))
    plans = pd.DataFrame(
        {c.name: pd.Series([""] * len(services), dtype="str") for c in TABLES["plans.csv"]}
        | {
            ROW_COLUMN: np.arange(len(services), dtype="int64") + 2,
            "plan_id": [service_id(s) for s in services],
            "name": services,
            "sdgs": [()] * len(services),
            "order": np.arange(len(services), dtype="int64") + 1,
        }
    ).set_index("plan_id", drop=False)
    first = parts[0].data
    if data_dir is None:
        data_dir = os.path.commonpath([os.path.abspath(p.data.data_dir) for p in parts])
    return CouncilData(
        data_dir=Path(data_dir),
        council=council,
        plans=plans,
        measures=measures,
        targets=first.targets.iloc[:0] if targets is None else targets[targets["measure_id"].isin(measures.index)],
        observations=combined_observations(parts, measures),
        commentary=first.commentary.iloc[:0],
        actions=first.actions.iloc[:0],
        action_updates=first.action_updates.iloc[:0],
        forecasts=first.forecasts.iloc[:0],
    )


def judge_combined(
    combined: CouncilData,
    parts: Sequence[CouncilPart],
    quarters: Iterable[Period | str],
    data_as_at: dt.date | None = None,
) -> pd.DataFrame:
    """The judged table of the combined figures (``combined_data``), with the joint targets as agreed by ``data_as_at``.

    The figures are already as each council's report saw them, so only the
    targets are taken as at ``data_as_at`` (the joint report's date). A
    combined value is also marked suppressed wherever a council's own value
    for the same cell is: the contract withholds every value derived from a
    small count, and a total beside one council's published figure would
    give away the other's.
    """
    quarters = list(quarters)
    targets = combined.targets
    if data_as_at is not None and "agreed_on" in targets.columns:
        targets = targets[targets["agreed_on"].isna() | (targets["agreed_on"] <= pd.Timestamp(data_as_at))]
    judged = judge(dataclasses.replace(combined, targets=targets), quarters)
    return _with_parts_suppressed(judged, combined.measures, parts, quarters)


def _with_parts_suppressed(judged: pd.DataFrame, measures: pd.DataFrame, parts: Sequence[CouncilPart], quarters: list) -> pd.DataFrame:
    """``judged`` with each ``*suppressed`` flag also set where any council's own figure for that cell is suppressed."""
    frames = []
    for p in parts:
        own = p.data.measures
        if (own.index.isin(measures.index) & (own["disclosure_min"] > 1)).any():
            # The council judged whole, as its own report is: its figures are placed by position among all its measures.
            judged_part = judge(p.data, quarters, p.data_as_at)
            frames.append(judged_part[judged_part["measure_id"].isin(measures.index)][["quarter", "measure_id", *SUPPRESSED]])
    if not frames:
        return judged
    flags = pd.concat(frames, ignore_index=True).groupby(["quarter", "measure_id"])[list(SUPPRESSED)].any()
    cells = pd.MultiIndex.from_arrays([judged["quarter"].to_numpy(object), judged["measure_id"].to_numpy(object)])
    from_parts = flags.reindex(cells).fillna(False).to_numpy(bool)
    out = judged.copy()
    for i, name in enumerate(SUPPRESSED):
        out[name] = out[name].to_numpy(bool) | (from_parts[:, i] & out[SUPPRESSED_VALUES[name]].notna().to_numpy())
    return out
