"""A joint report's tables: the councils' figures side by side per shared service, and the measures needing intervention.

They are built with ``pmlib.views.tables.make_table`` from the joint
report's ``rows``, with the same words, symbols and GSS markers as a
council's own tables (``value_texts``, ``status_label``, ``trend_label``):
a figure reads the same in the joint report as in the council's report.
Where a council does not have a measure, or a ``mean`` or ``last`` measure
has no combined figure, the cell says ``[z]`` (not applicable).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from pmlib.contract.officer_text import given as commentary_given
from pmlib.engine.combined import COMBINED
from pmlib.views.disclosure import value_texts
from pmlib.views.formats import NOT_APPLICABLE, format_value, target_text
from pmlib.views.labels import status_label, trend_label
from pmlib.views.prose import Prose
from pmlib.views.tables import Table, make_table

if TYPE_CHECKING:
    from pmlib.views.joint_report import JointReport

_HEADINGS = {"value": "", "status": " status", "trend": " short-term trend"}


def figure_cells(report: JointReport, rows: pd.DataFrame) -> pd.DataFrame:
    """Display strings for joint rows, keyed by measure and figure: value, target, intervention level, status, short trend, tint."""
    m = report.measures.loc[rows["measure_id"]]
    fmt = lambda col: [target_text(v, u, d, p) for v, u, d, p in zip(rows[col], m["unit"], m["decimals"], m["polarity"], strict=True)]  # noqa: E731
    return pd.DataFrame(
        {
            "value": value_texts(rows, report.measures).to_numpy(),
            "target": fmt("target"),
            "intervention": fmt("intervention"),
            "status": [status_label(s).text for s in rows["status"]],
            "tint": [status_label(s).tint for s in rows["status"]],
            "trend": [trend_label(t).text for t in rows["short_trend"]],
        },
        index=pd.MultiIndex.from_arrays([rows["measure_id"].to_numpy(object), rows["figure"].to_numpy(object)]),
    )


def service_table(report: JointReport, service: str) -> Table:
    """One shared service: a row per measure; per council its value, status and short-term trend; then the combined figure.

    The combined columns (value, joint target, status) appear when any of
    the service's measures has a combined figure.
    """
    rows = report.service_rows(service)
    ids = list(dict.fromkeys(rows["measure_id"]))
    cells = figure_cells(report, rows)
    frame = pd.DataFrame(
        {"Measure": report.measures.loc[ids, "name"].to_numpy(), "Period": rows.drop_duplicates("measure_id")["period"].to_numpy()}
    )
    tints: dict[str, list[str]] = {}
    parts = {c: ("value", "status", "trend") for c in report.councils}
    if (rows["figure"] == COMBINED).any():
        parts[COMBINED] = ("value", "target", "status")
    for figure, shown in parts.items():
        keys = pd.MultiIndex.from_arrays([ids, [figure] * len(ids)])
        found = cells.reindex(keys)
        for what in shown:
            column = "Joint target" if what == "target" else f"{report.short_name(figure)}{_HEADINGS[what]}"
            frame[column] = found[what].fillna(NOT_APPLICABLE).to_numpy(object)
            if what == "status":
                tints[column] = found["tint"].fillna("").to_numpy(object).tolist()
    title = f"{service}: shared measures, {report.quarter.code}"
    return make_table(frame, report.table_id(service), title, tints)


def exceptions_table(report: JointReport) -> Table | Prose:
    """Every shared measure needing intervention in a council or combined: each council's figure, the combined status, commentary."""
    rows = report.exceptions
    if rows.empty:
        return Prose("No shared measure needs intervention this quarter, in any council or combined.")
    cells = figure_cells(report, rows.rename(columns={"council": "figure"}))
    m = report.measures.loc[rows["measure_id"]]
    combined = rows["combined_status"].astype(object)
    frame = pd.DataFrame(
        {
            "Measure": rows["name"].to_numpy(),
            "Council": [report.short_name(c) for c in rows["council"]],
            "Value": cells["value"].to_numpy(),
            "Target": cells["target"].to_numpy(),
            "Intervention level": [format_value(v, u, d) for v, u, d in zip(rows["intervention"], m["unit"], m["decimals"], strict=True)],
            "Status": cells["status"].to_numpy(),
            "Short-term trend": cells["trend"].to_numpy(),
            "Combined status": [status_label(s).text if isinstance(s, str) else NOT_APPLICABLE for s in combined],
            "Commentary": _commentary_words(rows),
        }
    )
    tints = {
        "Status": cells["tint"].tolist(),
        "Combined status": [status_label(s).tint if isinstance(s, str) else "" for s in combined],
    }
    title = f"Shared measures needing intervention, {report.quarter.code}"
    return make_table(frame, report.table_id("exceptions"), title, tints)


def _commentary_words(rows) -> list[str]:
    """Whether each council's explanation has arrived: missing only where its own or the combined figure needs intervention."""
    given = rows["commentary"].map(commentary_given).to_numpy(bool)
    needed = ((rows["status"] == "intervention") | (rows["combined_status"] == "intervention")).to_numpy(bool)
    return ["Given" if g else "Commentary missing" if n else "Not required" for g, n in zip(given, needed, strict=True)]
