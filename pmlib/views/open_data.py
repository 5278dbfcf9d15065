"""The open data for a built quarter: ``measures.csv``, ``changes.csv``, ``comparisons.csv`` and their Frictionless ``datapackage.json``.

It is written from the judged table after ``public_view``, never scraped from
pages, so the file says exactly what the report says: the same figures,
statuses and GSS symbols, with restricted measures absent and small numbers
shown as ``[c]``. Status and trend columns hold the contract's keys, which
tools can rely on; the report's words and symbols are for readers.
``changes.csv`` is what changed since the previous report, as the overview
lists it (``pmlib.views.changes``). ``comparisons.csv``, only for a quarter
that compares the council with other areas, gives each public measure's
place in each group, as the contract's comparison rules decide it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.engine.rounding import round_half_away
from pmlib.views.disclosure import SUPPRESSED
from pmlib.vocabulary import CHANGES, Polarity

OPEN_DATA_FILES = ("measures.csv", "changes.csv", "comparisons.csv", "datapackage.json")
"""Every file of a quarter's open data, in the order written; ``comparisons.csv`` only for a quarter with comparisons."""
COMPARISONS_FILE = "comparisons.csv"
COLUMNS = [
    ("measure_id", "string", "The measure's stable key."),
    ("plan_id", "string", "The delivery plan the measure belongs to."),
    ("name", "string", "The measure's name as published."),
    ("unit", "string", "percent, number, days, gbp, rate_per_1000, rate_per_100k or score."),
    ("period", "string", "The period the figure is for (the status rules' expected period)."),
    ("value", "string", "The figure as published, at the measure's decimals; [c] suppressed to protect small numbers, [x] not available."),
    ("target", "number", "The target for the period; blank if none."),
    ("intervention", "number", "The intervention level for the period; blank if none."),
    ("status", "string", "on_target, below_target, intervention, monitoring or no_data."),
    (
        "short_trend",
        "string",
        "Against the previous period: improving, worsening or no_change (increasing, decreasing for context); blank if unknown.",
    ),
    ("long_trend", "string", "Against a year earlier, in the same words; blank if unknown."),
    ("quality", "string", "validated, provisional or estimated."),
    ("revised", "boolean", "The figure differs from one an earlier published report used."),
    ("source_system", "string", "The system that holds the source data."),
    ("owner", "string", "The service unit accountable for the measure."),
    ("reported_on", "date", "When the newest figure behind the value was supplied; blank if there is none."),
    (
        "next_expected",
        "date",
        "When the measure's next figure is expected: the report that first includes it (from the measure's frequency and lag), "
        "with this report's gap between the quarter's end and its data date.",
    ),
    (
        "source_rows",
        "string",
        "Where the figures behind the value are in the council's data folder: file:row, separated by spaces (row 1 is the header).",
    ),
    (
        "forecast",
        "string",
        "The year-end figure forecast by the service, or projected at the current rate, at the measure's decimals; "
        "[c] suppressed to protect small numbers; blank if there is none (and always in a Q4 report, which judges the outturn).",
    ),
    ("forecast_status", "string", "The forecast or projection judged against the year-end target, in the words of status; blank if none."),
    ("forecast_kind", "string", "forecast (the service's own), projection (the year to date at the current rate) or blank if none."),
]


CHANGE_COLUMNS = [
    ("measure_id", "string", "The measure's stable key."),
    (
        "kind",
        "string",
        f"What changed since the previous report: {', '.join(CHANGES[:-1])} or {CHANGES[-1]}.",
    ),
    ("period", "string", "The period the change is for (the year or period of a target, the period of a revised figure); blank if none."),
    (
        "was",
        "string",
        "Before: a target or intervention level or revised figure at the measure's decimals ([c] suppressed to protect small "
        "numbers), or a status in the words of measures.csv; blank if none.",
    ),
    ("now", "string", "After, in the same form as was; blank if none."),
    ("reason", "string", "The reason given for a changed target or level, or the service unit's note on a revised figure; blank if none."),
]


COMPARISON_COLUMNS = [
    ("measure_id", "string", "The measure's stable key."),
    ("group_id", "string", "The group of areas compared with: its key in the council's comparator_groups.csv."),
    ("group_name", "string", "The group's name as published, e.g. CIPFA nearest neighbours or England."),
    ("period", "string", "The period compared: the latest for which the council and an area of the group both have a figure."),
    ("value", "number", "The council's figure for the period, at the measure's decimals; [c] suppressed to protect small numbers."),
    (
        "rank",
        "integer",
        "The council's place among the group's areas with a figure, 1 the best; equal figures share the best place, so two "
        "areas tied for third are both 3. [c] where the value is suppressed; blank for a one-area group or a measure with no "
        "better direction.",
    ),
    ("of", "integer", "How many areas were ranked: the council and the group's areas with a figure; blank for a one-area group."),
    ("quartile", "integer", "The quarter of the group the rank is in, 1 the best; [c] and blank as for rank."),
    (
        "group_median",
        "number",
        "The median of the group's areas with a figure (not the council), at the measure's decimals; blank for a one-area group.",
    ),
    ("reference_value", "number", "A one-area group's figure (such as England's), at the measure's decimals; blank for a larger group."),
    (
        "comparison",
        "string",
        "The council against the group's median or the one area's figure: better, worse or same (above, below or same for a "
        "measure with no better direction); [c] where the value is suppressed.",
    ),
]


def _number_text(value: float, decimals: int) -> str:
    if value is None or np.isnan(value):
        return ""
    return f"{round_half_away(value, decimals):.{decimals}f}"


def _forecasts(j: pd.DataFrame, decimals: np.ndarray) -> dict[str, np.ndarray]:
    """The year-end forecast columns: a suppressed forecast is ``[c]`` as a suppressed value is, and no forecast is blank."""
    kind = j["forecast_kind"].astype(object).where(j["forecast_kind"].notna(), "").to_numpy()
    forecasts = [
        "" if not k else SUPPRESSED if s else _number_text(v, d)
        for v, d, s, k in zip(j["forecast"].to_numpy(float), decimals, j["forecast_suppressed"].to_numpy(bool), kind, strict=True)
    ]
    status = j["forecast_status"].astype(object).where(j["forecast_status"].notna() & (kind != ""), "").to_numpy()
    return {"forecast": np.array(forecasts, dtype=object), "forecast_status": status, "forecast_kind": kind}


def _provenance_columns(report) -> dict[str, np.ndarray]:
    found, fresh = report.provenance, report.freshness
    return {
        "reported_on": found["reported_on"].dt.strftime("%Y-%m-%d").fillna("").to_numpy(object),
        "source_rows": found["source_rows"].to_numpy(object),
        "next_expected": fresh["next_expected"].dt.strftime("%Y-%m-%d").to_numpy(object),
    }


def figure_columns(j: pd.DataFrame, decimals: np.ndarray) -> dict[str, np.ndarray]:
    """The open data's columns about a judged figure, ``period`` to ``revised``, as published: the same in every measures.csv."""
    values = [
        SUPPRESSED if s else ("[x]" if np.isnan(v) else _number_text(v, d))
        for v, d, s in zip(j["value"].to_numpy(float), decimals, j["suppressed"].to_numpy(bool), strict=True)
    ]
    quality = np.where(j["provisional"], "provisional", np.where(j["estimated"], "estimated", "validated"))
    return {
        "period": j["period"].to_numpy(),
        "value": np.array(values, dtype=object),
        "target": np.array([_number_text(v, d) for v, d in zip(j["target"].to_numpy(float), decimals, strict=True)], dtype=object),
        "intervention": np.array(
            [_number_text(v, d) for v, d in zip(j["intervention"].to_numpy(float), decimals, strict=True)], dtype=object
        ),
        "status": j["status"].to_numpy(),
        "short_trend": j["short_trend"].fillna("").to_numpy(),
        "long_trend": j["long_trend"].fillna("").to_numpy(),
        "quality": np.where(np.isnan(j["value"].to_numpy(float)), "", quality),
        "revised": np.where(j["revised"].to_numpy(bool), "true", "false"),
    }


def measures_table(report) -> pd.DataFrame:
    """One row per published measure of the report's quarter, in the columns of ``COLUMNS``."""
    j = report.judged
    m = report.data.measures.loc[j["measure_id"]]
    decimals = m["decimals"].astype(int).to_numpy()
    return pd.DataFrame(
        {
            "measure_id": j["measure_id"].to_numpy(),
            "plan_id": j["plan_id"].to_numpy(),
            "name": m["name"].to_numpy(),
            "unit": m["unit"].to_numpy(),
        }
        | figure_columns(j, decimals)
        | {
            "source_system": m["source_system"].fillna("").to_numpy(),
            "owner": m["owner"].fillna("").to_numpy(),
        }
        | _provenance_columns(report)
        | _forecasts(j, decimals),
        columns=[c for c, _, _ in COLUMNS],
    )


_DESCRIBED = {name: (kind, text) for name, kind, text in COLUMNS}
JOINT_COLUMNS = [
    ("measure_id", *_DESCRIBED["measure_id"]),
    ("shared_service", "string", "The shared service that delivers the measure, as the councils' measures.csv name it."),
    ("name", "string", "The measure's name as published (the first council's, in the joint report's order)."),
    ("unit", *_DESCRIBED["unit"]),
    (
        "council",
        "string",
        "Whose figure the row is: a council's id, or combined for the councils' figures added up (numerators and denominators "
        "added first for a ratio); mean and last measures have no combined row.",
    ),
    ("period", *_DESCRIBED["period"]),
    ("value", *_DESCRIBED["value"]),
    ("target", "number", "The council's own target for the period, or the joint target for a combined row; blank if none."),
    ("intervention", "number", "The intervention level of the same target; blank if none."),
    ("status", *_DESCRIBED["status"]),
    ("short_trend", *_DESCRIBED["short_trend"]),
    ("long_trend", *_DESCRIBED["long_trend"]),
    ("quality", "string", "validated, provisional or estimated; a combined figure is as weak as the weakest of the councils' figures."),
    ("revised", *_DESCRIBED["revised"]),
]
"""The columns of a joint report's ``measures.csv``: a council's open data's names, with ``shared_service`` and ``council``."""


def joint_measures_table(report) -> pd.DataFrame:
    """One row per shared measure and figure of a joint report (``JointReport.rows``), in the columns of ``JOINT_COLUMNS``."""
    j = report.rows
    m = report.measures.loc[j["measure_id"]]
    return pd.DataFrame(
        {
            "measure_id": j["measure_id"].to_numpy(),
            "shared_service": j["shared_service"].to_numpy(),
            "name": m["name"].to_numpy(),
            "unit": m["unit"].to_numpy(),
            "council": j["figure"].to_numpy(),
        }
        | figure_columns(j, m["decimals"].astype(int).to_numpy()),
        columns=[c for c, _, _ in JOINT_COLUMNS],
    )


def _integer_text(values: pd.Series) -> np.ndarray:
    return np.array(["" if pd.isna(v) else str(int(v)) for v in values], dtype=object)


def comparisons_table(report) -> pd.DataFrame:
    """One row per public measure and comparator group, in the columns of ``COMPARISON_COLUMNS``; no rows without comparisons.

    Numbers are at the measure's decimals, as ``measures.csv`` writes them.
    Where the council's value is withheld, so are its rank, quartile and
    comparison (``[c]``); the group's size and median stay, as the contract says.
    """
    t = report.comparisons.table
    t = t[t["public"].to_numpy(bool)]
    m = report.data.measures.loc[t["measure_id"]]
    decimals = m["decimals"].astype(int).to_numpy()
    withheld = t["suppressed"].to_numpy(bool)
    numbers = lambda column: [_number_text(v, d) for v, d in zip(t[column].to_numpy("float64"), decimals, strict=True)]  # noqa: E731
    ranked = ~t["reference"].to_numpy(bool) & (m["polarity"] != Polarity.NONE.word).to_numpy(bool)
    whole = lambda column: np.where(withheld & ranked, SUPPRESSED, _integer_text(t[column]))  # noqa: E731

    return pd.DataFrame(
        {
            "measure_id": t["measure_id"].to_numpy(),
            "group_id": t["group_id"].to_numpy(),
            "group_name": t["group_name"].to_numpy(),
            "period": t["period"].to_numpy(),
            "value": np.where(withheld, SUPPRESSED, numbers("value")),
            "rank": whole("rank"),
            "of": _integer_text(t["of"]),
            "quartile": whole("quartile"),
            "group_median": numbers("group_median"),
            "reference_value": numbers("reference_value"),
            "comparison": np.where(withheld, SUPPRESSED, t["comparison"].astype(object).where(t["comparison"].notna(), "")),
        },
        columns=[c for c, _, _ in COMPARISON_COLUMNS],
    )


def _resource(name: str, columns: list[tuple[str, str, str]], primary_key: list[str] | None, missing: tuple[str, ...] = ("",)) -> dict:
    schema = {"fields": [{"name": c, "type": t, "description": d} for c, t, d in columns], "missingValues": list(missing)}
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema | ({"primaryKey": primary_key} if primary_key else {}),
    }


def datapackage(report) -> dict:
    """The Frictionless Data package describing ``measures.csv``, ``changes.csv`` and, with comparisons, ``comparisons.csv``.

    In ``comparisons.csv`` ``[c]`` is a missing value, so the numbers and
    ranks are typed as numbers and integers for the tools that read them.
    """
    council, q = report.data.council, report.quarter
    resources = [_resource("measures", COLUMNS, ["measure_id"]), _resource("changes", CHANGE_COLUMNS, None)]
    if not report.comparisons.empty:
        resources.append(_resource("comparisons", COMPARISON_COLUMNS, ["measure_id", "group_id"], ("", SUPPRESSED)))
    return {
        "profile": "tabular-data-package",
        "name": f"{council.short_name}-performance-{q.slug}".lower().replace(" ", "-"),
        "title": f"{council.name}: {report.params.title}, {q.code}",
        "description": f"Every published measure of success for {q.code} ({q.label}), as at {report.params.data_as_at:%-d %B %Y}.",
        "licenses": [{"name": "OGL-UK-3.0", "title": "Open Government Licence v3.0"}],
        "resources": resources,
    }


def write_open_data(report, out_dir: Path) -> list[Path]:
    """Write one quarter's open data into ``out_dir`` in the order of ``OPEN_DATA_FILES``, and return the paths written.

    ``comparisons.csv`` is written only when the quarter has comparisons, so
    a council without comparator files publishes what it always did.
    """
    from pmlib.views.changes import changes_open_data

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, changes_path, comparisons_path, package_path = (out_dir / name for name in OPEN_DATA_FILES)
    measures_table(report).to_csv(csv_path, index=False, lineterminator="\n", encoding="utf-8")
    changes_open_data(report).to_csv(changes_path, index=False, lineterminator="\n", encoding="utf-8")
    written = [csv_path, changes_path]
    if not report.comparisons.empty:
        comparisons_table(report).to_csv(comparisons_path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(comparisons_path)
    package_path.write_text(json.dumps(datapackage(report), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*written, package_path]
