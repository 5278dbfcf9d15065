"""What changed since the last report (contract v2): new and dropped measures, revised targets, status moves, revised figures.

The contract lists the kinds and leaves their edges open; a performance
officer's reading, which this module follows:

- *Reported*: a report reports a measure when it has, for the measure's
  expected period, a figure or a target: something current to show. A
  measure shown only as ``no_data`` with an older figure as context, and no
  target, is not reported (a measure dropped from the framework keeps its
  history but gets no new targets or figures).
- *New measure*: reported now and shown with nothing at all last time (no
  figure for its expected period, no earlier figure as context, no target),
  or not in the previous report's table. So a measure is new once, when it
  first has something to show; a late figure coming back is a status move.
- *No longer reported*: reported last time, not reported now (or not in this
  report's table). A context-only measure (no target) whose figure is late
  reads as no longer reported until the figure arrives.
- *Target and intervention changes*: like with like. The target (and level)
  that applies to this report's expected period as agreed at this report's
  ``data_as_at`` against the one applying to the same period as agreed at the
  previous report's ``data_as_at`` (targets.csv's ``agreed_on``). A new
  financial year's targets are not a change; a revision agreed between the
  two reports is, with the ``reason`` of the rows now applying that were
  agreed after the previous report. Rows without ``agreed_on`` apply to every
  report, so they never show as a change. A derived level (tolerance method)
  changes with its target, and shows too.
- *Status moves*: the previous report's status against this report's, for a
  measure reported in both (a new or dropped measure has its own line).
- *Revised figures*: a figure (one measure and one of its own periods) that
  the previous report had at its ``data_as_at`` and that now differs in value,
  numerator or denominator, as the ``[r]`` flag decides; ``was`` and ``now``
  as a reader sees them (a ratio as its rate, rounded to ``decimals``), with
  the ``note`` of the row now used.

Public lists (``public_only``) leave out ``public: false`` measures and show
a revised figure from a small count as ``[c]``, as every public output does.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import Period, parse_period, parse_quarter
from pmlib.engine.figures import figures_as_at
from pmlib.engine.measure_arrays import MeasureArrays, TargetArrays
from pmlib.engine.rollup import ratio_value, small_count
from pmlib.engine.rounding import round_half_away
from pmlib.engine.status import expected_period_end, judge
from pmlib.engine.targets import resolve_targets
from pmlib.vocabulary import Aggregation, Change

COLUMNS = ("measure_id", "kind", "period", "was", "now", "reason")
"""The columns of a list of changes, all of dtype object."""

CONFIDENTIAL = "[c]"
_TARGET_KEY = ["measure_id", "year", "period"]
_FIGURE = ["value", "numerator", "denominator"]
_JUDGED = ["measure_id", "period", "value", "context_value", "target", "intervention", "status", "public"]


def empty_changes() -> pd.DataFrame:
    """A list with no changes: the columns, no rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def _agreed_on(targets: pd.DataFrame) -> pd.Series:
    """Each target row's ``agreed_on`` as a timestamp, NaT where blank or where targets.csv has no such column (v1)."""
    if "agreed_on" not in targets.columns:
        return pd.Series(pd.NaT, index=targets.index, dtype="datetime64[ns]")
    return pd.to_datetime(targets["agreed_on"], errors="coerce")


def _reasons(targets: pd.DataFrame) -> pd.Series:
    if "reason" not in targets.columns:
        return pd.Series("", index=targets.index, dtype=object)
    return targets["reason"].astype(object).where(targets["reason"].notna(), "").astype(str).str.strip()


def targets_as_agreed(targets: pd.DataFrame, as_at: dt.date | None) -> pd.DataFrame:
    """The target rows that apply to a report at ``as_at`` (None: every row): one per measure, year and period.

    A row with ``agreed_on`` applies from that date; a row without applies
    always and counts as the oldest; the newest applicable row wins.
    """
    agreed = _agreed_on(targets)
    applies = pd.Series(True, index=targets.index) if as_at is None else agreed.isna() | (agreed <= pd.Timestamp(as_at))
    rows = targets[applies.to_numpy()].assign(_agreed=agreed[applies])
    rows = rows.sort_values("_agreed", na_position="first", kind="stable")
    return rows.drop_duplicates(_TARGET_KEY, keep="last").sort_index().drop(columns="_agreed")


def _one_quarter(judged: pd.DataFrame, which: str) -> pd.DataFrame:
    quarters = judged["quarter"].unique() if len(judged) else []
    if len(quarters) > 1:
        raise ValueError(f"the {which} judged table holds {len(quarters)} quarters; pass one report's rows")
    return judged


def _blank(values) -> np.ndarray:
    """Object array with None where a value is missing (NaN), so a blank is one thing in every column."""
    out = np.asarray(values, dtype=object).copy()
    out[pd.isna(out)] = None
    return out


def _rows(kind: Change, measure_id, period, was=None, now=None, reason="", order=0) -> pd.DataFrame:
    n = len(measure_id)
    return pd.DataFrame(
        {
            "measure_id": np.asarray(measure_id, dtype=object),
            "kind": np.full(n, kind.word, dtype=object),
            "period": np.asarray(period, dtype=object),
            "was": _blank(np.broadcast_to(np.asarray(was, dtype=object), n)),
            "now": _blank(np.broadcast_to(np.asarray(now, dtype=object), n)),
            "reason": np.broadcast_to(np.asarray(reason, dtype=object), n).copy(),
            "_kind": int(kind),
            "_order": np.broadcast_to(np.asarray(order, dtype="int64"), n),
        }
    )


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    x, y = a.to_numpy("float64"), b.to_numpy("float64")
    return ~((x == y) | (np.isnan(x) & np.isnan(y)))


def _levels(data: CouncilData, measures: pd.DataFrame, targets: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """Target and intervention level of each of ``measures`` for its expected period in ``quarter``, from ``targets`` as they are.

    The engine's own rules (``resolve_targets``), without the figures: a
    level does not depend on them, and a measure with none yet still has one.
    """
    m = MeasureArrays.of(measures)
    eq = expected_period_end(measures["frequency"].to_numpy(object), m.lag, parse_quarter(quarter).index).astype("int64")
    first = 4 * (int(eq.min()) // 4)
    width = 4 * (int(eq.max()) // 4 + 1) - first
    levels = resolve_targets(m, TargetArrays.of(measures, targets), data.council, first, width)
    cells = np.arange(len(measures)) * width + (eq - first)
    return pd.DataFrame({name: levels[name].ravel().take(cells) for name in ("target", "intervention")}, index=measures.index)


def _level_changes(data: CouncilData, quarter: str, kept: pd.DataFrame, data_as_at, previous_as_at) -> list[pd.DataFrame]:
    """Target and intervention changes for the measures ``kept`` (reported in both reports): see the module's notes."""
    targets = data.targets
    agreed = _agreed_on(targets)
    window = agreed.notna()
    if previous_as_at is not None:
        window &= agreed > pd.Timestamp(previous_as_at)
    if data_as_at is not None:
        window &= agreed <= pd.Timestamp(data_as_at)
    ids = pd.Index(targets.loc[window.to_numpy(), "measure_id"].unique()).intersection(pd.Index(kept["measure_id"]))
    if ids.empty:
        return []
    measures = data.measures[data.measures.index.isin(ids)]
    own = targets[targets["measure_id"].isin(ids).to_numpy()]
    now = _levels(data, measures, targets_as_agreed(own, data_as_at), quarter)
    was = _levels(data, measures, targets_as_agreed(own, previous_as_at), quarter)
    both = now.join(was, suffixes=("", "_was")).rename_axis("measure_id").reset_index().astype({"measure_id": object})
    both = both.merge(kept[["measure_id", "period"]], on="measure_id")
    reasons = _new_reasons(own, both[["measure_id", "period"]], data_as_at, previous_as_at)
    both = both.merge(reasons, on="measure_id", how="left").fillna({"reason": ""})
    out = []
    for name, kind in (("target", Change.TARGET), ("intervention", Change.INTERVENTION)):
        moved = both[_differs(both[name], both[f"{name}_was"])]
        out.append(_rows(kind, moved["measure_id"], moved["period"], moved[f"{name}_was"], moved[name], moved["reason"].to_numpy()))
    return out


def _new_reasons(targets: pd.DataFrame, expected: pd.DataFrame, data_as_at, previous_as_at) -> pd.DataFrame:
    """Per measure, the ``reason`` of the rows applying to its expected period now that were agreed after the previous report.

    A row applies to the period when it is the year's row, or a quarter or
    month row within the period's last quarter; distinct reasons are joined
    with "; ".
    """
    now = targets_as_agreed(targets, data_as_at)
    agreed = _agreed_on(now)
    fresh = agreed.notna() if previous_as_at is None else agreed > pd.Timestamp(previous_as_at)
    rows = now[fresh.to_numpy()].assign(reason=_reasons(now)[fresh])[["measure_id", "fy", "phased_last_month", "reason"]]
    codes = expected["period"].unique()
    periods = {code: parse_period(code) for code in codes}
    span = pd.DataFrame(
        {
            "period": codes,
            "_fy": [periods[c].fy_start for c in codes],
            "_last": [periods[c].last_month for c in codes],
        }
    )
    cells = expected.merge(span, on="period").merge(rows.astype({"measure_id": object}), on="measure_id")
    last = cells["phased_last_month"]
    applies = (cells["fy"].astype("float64") == cells["_fy"]) & (last.isna() | ((last <= cells["_last"]) & (last > cells["_last"] - 3)))
    cells = cells[applies.to_numpy() & (cells["reason"] != "").to_numpy()]
    joined = cells.groupby("measure_id", sort=False)["reason"].agg(lambda r: "; ".join(dict.fromkeys(r)))
    return joined.rename("reason").reset_index().astype({"measure_id": object})


def _revised_figures(data: CouncilData, ids: pd.Index, data_as_at, previous_as_at, public_only: bool) -> pd.DataFrame:
    """Figures the previous report had that now differ: the contract's revision, as the ``[r]`` flag finds it."""
    observations = data.observations[data.observations["measure_id"].isin(ids).to_numpy()]
    then = figures_as_at(observations, previous_as_at)
    now = figures_as_at(observations, data_as_at)
    key = ["measure_id", "period"]
    both = now[[*key, *_FIGURE, "note", "first_month"]].merge(then[[*key, *_FIGURE]], on=key, suffixes=("", "_was"))
    differs = np.zeros(len(both), dtype=bool)
    for column in _FIGURE:
        differs |= _differs(both[column], both[f"{column}_was"])
    both = both[differs].reset_index(drop=True)
    measures = data.measures.loc[both["measure_id"]]

    def shown(suffix: str) -> np.ndarray:
        figures = both[[*key, *(f"{c}{suffix}" for c in _FIGURE)]].set_axis([*key, *_FIGURE], axis=1)
        rate = ratio_value(figures["numerator"], figures["denominator"], measures["unit"].to_numpy(object))
        ratio = (measures["aggregation"] == Aggregation.RATIO.word).to_numpy()
        value = round_half_away(np.where(ratio, rate, figures["value"].to_numpy("float64")), measures["decimals"].to_numpy("int64"))
        value = _blank(value)
        if public_only:
            value[small_count(figures, data.measures)] = CONFIDENTIAL
        return value

    note = both["note"].astype(object).where(both["note"].notna(), "").to_numpy(object)
    return _rows(Change.REVISED, both["measure_id"], both["period"], shown("_was"), shown(""), note, both["first_month"].astype("int64"))


def changes_between(
    data: CouncilData,
    current: pd.DataFrame,
    previous: pd.DataFrame,
    data_as_at: dt.date | None,
    previous_as_at: dt.date | None,
    *,
    public_only: bool = True,
) -> pd.DataFrame:
    """What changed between two reports, from their judged tables (``judge`` for one quarter each).

    ``current`` is this report's judged rows (as at ``data_as_at``),
    ``previous`` the previous report's (as at ``previous_as_at``). Returns one
    row per change with ``COLUMNS`` (all object): ``measure_id``, ``kind`` (a
    ``Change`` word), ``period`` (a revised figure's own period; otherwise
    this report's expected period for the measure, or the previous report's
    for a measure no longer in this one), ``was`` and ``now`` (numbers for
    targets, intervention levels and revised figures, status words for a
    status move, None for a new or dropped measure or a blank level; ``[c]``
    for a revised small count in a public list), ``reason`` (text, "" when
    none). Rows are in ``Change`` order, then the order of the measures in
    ``data.measures``, then (revised figures) by period.
    """
    current, previous = _one_quarter(current, "current"), _one_quarter(previous, "previous")
    now = current[_JUDGED].astype({"measure_id": object, "period": object, "status": object})
    before = previous[_JUDGED].astype({"measure_id": object, "period": object, "status": object})
    if public_only:
        now, before = now[now["public"].to_numpy(bool)], before[before["public"].to_numpy(bool)]
    both = now.merge(before, on="measure_id", how="outer", suffixes=("", "_was"), indicator=True, sort=False)
    in_now, in_before = (both["_merge"] != "right_only").to_numpy(), (both["_merge"] != "left_only").to_numpy()
    reported_now = in_now & (both["value"].notna() | both["target"].notna()).to_numpy()
    reported_before = in_before & (both["value_was"].notna() | both["target_was"].notna()).to_numpy()
    shown_before = reported_before | (in_before & both["context_value_was"].notna().to_numpy())
    new = reported_now & ~shown_before
    dropped = reported_before & ~reported_now
    kept = in_now & in_before & ~new & ~dropped
    period = both["period"].where(in_now, both["period_was"])

    parts = [
        _rows(Change.NEW_MEASURE, both["measure_id"][new], period[new]),
        _rows(Change.NOT_REPORTED, both["measure_id"][dropped], period[dropped]),
    ]
    if len(current):
        quarter = str(current["quarter"].iloc[0])
        parts += _level_changes(data, quarter, both[kept], data_as_at, previous_as_at)
    moved = kept & (both["status"] != both["status_was"]).to_numpy()
    parts.append(_rows(Change.STATUS, both["measure_id"][moved], period[moved], both["status_was"][moved], both["status"][moved]))
    ids = pd.Index(both["measure_id"]).intersection(data.measures.index)
    parts.append(_revised_figures(data, ids, data_as_at, previous_as_at, public_only))

    changes = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if changes is None:
        return empty_changes()
    # Measures in data.measures order; any only in a judged table (an older data folder's) after them, as met.
    known = data.measures.index.get_indexer(changes["measure_id"])
    extra = pd.Index(both["measure_id"]).get_indexer(changes["measure_id"]) + len(data.measures)
    changes["_measure"] = np.where(known >= 0, known, extra)
    changes = changes.sort_values(["_kind", "_measure", "_order"], kind="stable")
    return changes[list(COLUMNS)].astype(object).reset_index(drop=True)


def what_changed(
    data: CouncilData,
    quarter: Period | str,
    data_as_at: dt.date | None,
    previous_quarter: Period | str | None,
    previous_as_at: dt.date | None,
    *,
    public_only: bool = True,
) -> pd.DataFrame:
    """What changed since the previous report: judges both reports and calls ``changes_between``.

    ``previous_quarter`` None (no earlier params file): no previous report,
    so nothing changed and the list is empty.
    """
    if previous_quarter is None:
        return empty_changes()
    current = judge(data, [quarter], data_as_at)
    previous = judge(data, [previous_quarter], previous_as_at)
    return changes_between(data, current, previous, data_as_at, previous_as_at, public_only=public_only)
