"""What changed since the last report, as the overview lists it and ``changes.csv`` publishes it.

``pmlib.engine.changes.what_changed`` decides what changed between this
report and the previous one (the params file of the quarter before): new and
dropped measures, revised targets and intervention levels, status moves and
revised figures. This module only words the list: each change in words,
figures at the measure's decimals, statuses as word and symbol. The list
replaces the older table of status moves alone, so no move is shown twice.
For the public, restricted measures are left out and a revised small count
is ``[c]``, decided by the engine's ``public_only``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pmlib.engine.rounding import round_half_away
from pmlib.views.formats import format_value, period_words
from pmlib.views.labels import STATUS_LABELS, status_label
from pmlib.views.prose import Prose, literal_markdown
from pmlib.views.tables import Table, make_table, table_id
from pmlib.vocabulary import Change

if TYPE_CHECKING:
    from pmlib.views.report import QuarterReport

NONE = "–"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _what(kind: str, period: object, was: object = None, now: object = None) -> str:
    """A change in words, naming the period where the change is to one period's figure or target.

    A target or level where there was none is *set* (a new measure's first
    target, say), and one no longer there is *withdrawn*: "changed, was –"
    reads as if a target had been lost.
    """
    on = f" for {period_words(period)}" if isinstance(period, str) and period else ""
    changed = "set" if _missing(was) else "withdrawn" if _missing(now) else "changed"
    return {
        Change.NEW_MEASURE.word: "New measure",
        Change.NOT_REPORTED.word: "No longer reported",
        Change.TARGET.word: f"Target{on} {changed}",
        Change.INTERVENTION.word: f"Intervention level{on} {changed}",
        Change.STATUS.word: "Status moved",
        Change.REVISED.word: f"Figure{on} revised",
    }[kind]


def _shown(value: object, kind: str, measure: pd.Series | None) -> str:
    """``was`` or ``now`` as a reader sees it: a status as word and symbol, a figure at the measure's decimals, ``[c]`` kept."""
    if _missing(value):
        return NONE
    if kind == Change.STATUS.word:
        return status_label(str(value)).text
    if isinstance(value, str):
        return value
    if measure is None:
        return str(value)
    return format_value(float(value), measure["unit"], int(measure["decimals"]))


def _data(value: object, kind: str, measure: pd.Series | None) -> str:
    """``was`` or ``now`` for ``changes.csv``: a number at the measure's decimals, a status key, ``[c]``, or blank."""
    if _missing(value):
        return ""
    if kind == Change.STATUS.word or isinstance(value, str) or measure is None:
        return str(value)
    decimals = int(measure["decimals"])
    return f"{round_half_away(float(value), decimals):.{decimals}f}"


def previous_code(report: QuarterReport) -> str | None:
    """The quarter of the report this one is compared with, or None when there is no earlier report."""
    return None if report.previous_params is None else report.previous_params.quarter.code


def changes_heading(report: QuarterReport) -> Prose:
    """The section's heading, naming the previous report's quarter, and what the list holds."""
    code = previous_code(report)
    if code is None:
        return Prose("## What changed since the last report")
    return Prose(
        f"## {literal_markdown(f'What changed since {code}')}\n\n"
        + literal_markdown(
            "Measures reported for the first time or no longer reported, targets and intervention levels changed, statuses that moved, "
            f"and figures revised since the {code} report."
        )
    )


def changes_table(report: QuarterReport) -> Table | Prose:
    """Every change since the previous report: the measure, what changed in words, was, now and the reason given."""
    code = previous_code(report)
    if code is None:
        return Prose(literal_markdown(f"There is no {report.quarter.previous().code} report to compare this one with."))
    changes = report.changes
    if changes.empty:
        return Prose(literal_markdown(f"Nothing has changed since {code}: no measure, target, status or figure."))
    measures = report.data.measures
    m = [measures.loc[i] if i in measures.index else None for i in changes["measure_id"]]
    frame = pd.DataFrame(
        {
            "Measure": [r["name"] if r is not None else i for r, i in zip(m, changes["measure_id"], strict=True)],
            "What changed": [_what(*row) for row in zip(changes["kind"], changes["period"], changes["was"], changes["now"], strict=True)],
            "Was": [_shown(v, k, r) for v, k, r in zip(changes["was"], changes["kind"], m, strict=True)],
            "Now": [_shown(v, k, r) for v, k, r in zip(changes["now"], changes["kind"], m, strict=True)],
            "Reason or note": [r.strip() if isinstance(r, str) else "" for r in changes["reason"]],
        }
    )
    tints = {
        "Now": [
            STATUS_LABELS[v].tint if k == Change.STATUS.word and v in STATUS_LABELS else ""
            for k, v in zip(changes["kind"], changes["now"], strict=True)
        ]
    }
    return make_table(frame, table_id(report, "changes"), f"What changed since {code}", tints)


def changes_section(report: QuarterReport) -> tuple[Prose, Table | Prose]:
    """The overview's "What changed since ..." section: heading and list."""
    return changes_heading(report), changes_table(report)


def changes_open_data(report: QuarterReport) -> pd.DataFrame:
    """``changes.csv``: one row per change, in the columns of ``pmlib.views.open_data.CHANGE_COLUMNS``; none without an earlier report."""
    from pmlib.views.open_data import CHANGE_COLUMNS

    changes = report.changes
    measures = report.data.measures
    m = [measures.loc[i] if i in measures.index else None for i in changes["measure_id"]]
    return pd.DataFrame(
        {
            "measure_id": changes["measure_id"].to_numpy(object),
            "kind": changes["kind"].to_numpy(object),
            "period": [p if isinstance(p, str) else "" for p in changes["period"]],
            "was": [_data(v, k, r) for v, k, r in zip(changes["was"], changes["kind"], m, strict=True)],
            "now": [_data(v, k, r) for v, k, r in zip(changes["now"], changes["kind"], m, strict=True)],
            "reason": [r.strip() if isinstance(r, str) else "" for r in changes["reason"]],
        },
        columns=[c for c, _, _ in CHANGE_COLUMNS],
    )
