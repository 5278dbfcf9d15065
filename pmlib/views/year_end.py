"""Where the year is heading: each measure's year-end forecast or projection, as tables and a sentence show it.

In Q1 to Q3 a measure may carry a year-end figure: the service's own
forecast, or, for a year-to-date sum, a projection of the year to date at the
current rate. A projection is arithmetic, not a promise, so every place that
shows one says which it is. The status engine judges both against the
year-end target (``forecast``, ``forecast_status``, ``forecast_kind``); this
module only words them, after ``public_view`` has blanked a suppressed one, so
a withheld forecast shows as ``[c]`` like any withheld figure. A Q4 report
judges the outturn itself and has neither.

The contract fixes a projection as x 12 / months elapsed, whatever the
targets. Where the council phases a measure's targets through the year (a
planting season, summer parking income), that straight line can tell Cabinet
a measure on its profile is heading for intervention, so every place that
shows such a projection says it ignores the phasing, and the overview sets
the year to date against the phased target so far (``year_phased``).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pmlib.engine.rollup import small_count
from pmlib.views.disclosure import SUPPRESSED, value_text
from pmlib.views.formats import format_value
from pmlib.views.labels import status_label
from pmlib.views.prose import Prose, literal_markdown
from pmlib.views.tables import Table, make_table, table_id
from pmlib.views.wording import count_words, join_words
from pmlib.vocabulary import ForecastKind, Status

if TYPE_CHECKING:
    from pmlib.views.report import QuarterReport

NONE = "–"
YEAR_END_COLUMN = "Year end"
KIND_WORDS = {ForecastKind.FORECAST.word: "Forecast", ForecastKind.PROJECTION.word: "Projection at the current rate"}
"""What each kind is called where there is room to say it."""
KIND_SHORT = {ForecastKind.FORECAST.word: "forecast", ForecastKind.PROJECTION.word: "projection"}
"""What each kind is called in a narrow column of the dashboard."""
MISSES = (Status.INTERVENTION.word, Status.BELOW_TARGET.word)
"""Year-end statuses that miss the target, worst first."""
PROJECTION_NOTE = (
    "A projection at the current rate is the year to date scaled up to twelve months (x 12 / months elapsed): "
    "arithmetic, not the service's forecast."
)
IGNORES_PHASING = "ignores phased targets"
"""Said with a projection of a measure whose targets the council phases through the year."""


def _kind(value: object) -> str | None:
    return value if isinstance(value, str) and value in KIND_WORDS else None


def _ignores(row: pd.Series) -> bool:
    """A projection at the current rate of a measure whose targets the council phases within the year, which the straight line ignores."""
    return row["forecast_kind"] == ForecastKind.PROJECTION.word and bool(row["year_phased"])


def _kind_text(row: pd.Series, words: dict[str, str]) -> str:
    kind = words[row["forecast_kind"]]
    return f"{kind}; {IGNORES_PHASING}" if _ignores(row) else kind


def has_year_end(judged: pd.DataFrame) -> pd.Series:
    """Rows with a year-end forecast or projection (shown or withheld)."""
    return judged["forecast_kind"].map(lambda k: _kind(k) is not None).astype(bool)


def year_end_value(row: pd.Series, measure: pd.Series) -> str:
    """The forecast or projection at the measure's decimals, ``[c]`` when withheld; ``–`` when there is none."""
    if _kind(row["forecast_kind"]) is None:
        return NONE
    if row["forecast_suppressed"] or pd.isna(row["forecast"]):
        return SUPPRESSED
    return format_value(row["forecast"], measure["unit"], int(measure["decimals"]))


def year_end_cells(rows: pd.DataFrame, measures: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The dashboard's year-end column: each cell's text, and its HTML with the figure, status and kind on lines of their own."""
    texts, cells = [], []
    for _, row in rows.iterrows():
        kind = _kind(row["forecast_kind"])
        if kind is None:
            texts.append(NONE)
            cells.append(NONE)
            continue
        kind_text = f"({_kind_text(row, KIND_SHORT)})"
        parts = [year_end_value(row, measures.loc[row["measure_id"]]), status_label(row["forecast_status"]).text, kind_text]
        texts.append(" ".join(parts))
        figure, status, kind_text = (html.escape(p) for p in parts)
        cells.append(f"{figure}<br>{status}<br><em>{kind_text}</em>")  # a Typst line break must not be followed by "("
    return texts, cells


def year_end_line(row: pd.Series, measure: pd.Series) -> str | None:
    """The exception report's line for the year end, or None when the measure has no forecast or projection."""
    kind = _kind(row["forecast_kind"])
    if kind is None:
        return None
    what = "Year-end forecast" if kind == ForecastKind.FORECAST.word else "Year-end projection at the current rate"
    line = f"- {what}: {year_end_value(row, measure)} ({status_label(row['forecast_status']).text})"
    if _ignores(row):
        line += ", which takes no account of the targets the council phases through the year"
    return line


def heading_for_year_end(report: QuarterReport) -> Prose:
    """How many measures are forecast or projected to miss their year-end target, out of those with a forecast or projection."""
    if report.quarter.number == 4:
        year = report.quarter.financial_year.code
        return Prose(
            literal_markdown(
                f"This is the year-end report for {year}: the year's outturn is in the figures, so there are no forecasts or projections."
            )
        )
    rows = report.judged[has_year_end(report.judged)]
    n = len(rows)
    if n == 0:
        return Prose("No measure has a year-end forecast or projection this quarter.")
    hit, below = (int((rows["forecast_status"] == s).sum()) for s in MISSES)
    k = hit + below
    if hit and below:
        miss = f"miss the year-end target: {count_words(hit)} at intervention level and {count_words(below)} below target"
    else:
        miss = f"end the year {'at intervention level' if hit else 'below target'}"
    if n == 1:
        verdict = f"it is forecast or projected to {miss}" if k else "it is not heading for a miss of its year-end target"
        text = f"One measure has a year-end forecast or projection, and {verdict}."
    elif k == 0:
        text = f"None of the {count_words(n)} measures with a year-end forecast or projection is forecast or projected to miss its target."
    else:
        who = f"All {count_words(n)}" if k == n else f"{count_words(k).capitalize()} of the {count_words(n)}"
        text = f"{who} measures with a year-end forecast or projection {'is' if k == 1 else 'are'} forecast or projected to {miss}."
    if (rows["forecast_kind"] == ForecastKind.PROJECTION.word).any():
        text += f" {PROJECTION_NOTE}"
    phased = rows[[_ignores(row) for _, row in rows.iterrows()]]
    if len(phased):
        text += f" {_phasing_note(phased, report.data.measures)}"
    return Prose(literal_markdown(text))


def _phasing_note(rows: pd.DataFrame, measures: pd.DataFrame) -> str:
    """Why the projections of measures with phased targets mislead, and where each stands against its phased target so far.

    It follows ``PROJECTION_NOTE``. The comparison is the quarter's own
    judgement (value against the phased target), so it says nothing the
    contract does not; a measure whose period so far has no phased row of
    its own (a partly phased year) has no such target to name.
    """
    names = [measures.loc[m, "name"] for m in rows["measure_id"]]
    text = (
        "It takes no account of targets phased through the year, and the council phases "
        f"{'that' if len(rows) == 1 else 'those'} of {join_words(names)}"
    )
    so_far = []
    for name, (_, row) in zip(names, rows.iterrows(), strict=True):
        if row["target_phased"] and not pd.isna(row["target"]):
            m = measures.loc[row["measure_id"]]
            unit, decimals = m["unit"], int(m["decimals"])
            value = value_text(row["value"], unit, decimals, suppressed=bool(row["suppressed"]))
            status = status_label(row["status"]).text
            so_far.append(f"{name} is {value} against its phased target of {format_value(row['target'], unit, decimals)} ({status})")
    return f"{text}: so far, {join_words(so_far)}." if so_far else f"{text}."


def year_end_table(report: QuarterReport) -> Table | None:
    """The measures forecast or projected to miss their year-end target, worst first; None when there are none."""
    if report.quarter.number == 4:
        return None
    rows = report.judged[has_year_end(report.judged) & report.judged["forecast_status"].isin(MISSES)]
    if rows.empty:
        return None
    rank = rows["forecast_status"].map({s: i for i, s in enumerate(MISSES)})
    rows = rows.assign(_rank=rank.to_numpy()).sort_values(["_rank"], kind="stable")
    measures = report.data.measures
    frame = pd.DataFrame(
        {
            "Measure": [measures.loc[m, "name"] for m in rows["measure_id"]],
            "Year end": [year_end_value(r, measures.loc[r["measure_id"]]) for _, r in rows.iterrows()],
            "Kind": [_kind_text(r, KIND_WORDS) for _, r in rows.iterrows()],
            "Status at year end": [status_label(s).text for s in rows["forecast_status"]],
        }
    )
    tints = {"Status at year end": [status_label(s).tint for s in rows["forecast_status"]]}
    title = f"Measures heading for a miss of their year-end target, {report.quarter.code}"
    return make_table(frame, table_id(report, "year-end"), title, tints)


def year_end_section(report: QuarterReport) -> tuple[Prose] | tuple[Prose, Table]:
    """The overview's "Heading for the year end": the sentence, and the table of misses when there are any."""
    table = year_end_table(report)
    sentence = heading_for_year_end(report)
    return (sentence,) if table is None else (sentence, table)


def measure_forecasts(report: QuarterReport, measure_id: str) -> pd.DataFrame:
    """The measure's forecasts as this report sees them: per quarter made, the newest supplied by ``data_as_at``, oldest first.

    Each has the status the report's history gave it in its own quarter
    (none for one made in a Q4, which judges the outturn instead), and for
    the public a count below ``disclosure_min`` is withheld, as it is where
    the report uses it. Taken from ``QuarterReport.forecasts_by_measure``.
    """
    found = report.forecasts_by_measure
    return found.get(measure_id, found[None]).copy(deep=False)  # the caller's own: changing it leaves the report's as it was


def forecasts_as_seen(report: QuarterReport) -> pd.DataFrame:
    """``measure_forecasts`` for every measure at once, in one table.

    Split by measure, each measure's rows are in the order that working on
    its rows alone gives: a stable sort of the whole table keeps each
    measure's rows in their own order.
    """
    f = report.data.forecasts
    f = f[(f["reported_on"] <= pd.Timestamp(report.params.data_as_at)).to_numpy(bool) & f["period_index"].notna().to_numpy(bool)]
    f = f[f["period_index"].to_numpy("float64", na_value=float("nan")) <= report.quarter.index]
    f = f.sort_values(["period_index", "reported_on"], kind="stable").drop_duplicates(["measure_id", "period"], keep="last")
    history = report.history
    judged = history[(history["forecast_kind"] == ForecastKind.FORECAST.word).to_numpy(bool)]
    judged = judged.drop_duplicates(["measure_id", "quarter"], keep="last")
    made = pd.MultiIndex.from_arrays([f["measure_id"], f["period"]])
    at = pd.MultiIndex.from_arrays([judged["measure_id"], judged["quarter"]]).get_indexer(made)
    seen = at >= 0
    withheld = np.zeros(len(f), dtype=bool)
    withheld[seen] = judged["forecast_suppressed"].to_numpy(bool)[at[seen]]
    status = np.full(len(f), None, dtype=object)
    status[seen] = judged["forecast_status"].to_numpy(object)[at[seen]]
    if report.params.audience == "public":
        probe = pd.DataFrame(
            {"measure_id": f["measure_id"], "value": f["forecast"], "numerator": float("nan"), "denominator": float("nan")}
        )
        withheld |= small_count(probe, report.data.measures)
    return f.assign(status=status, suppressed=withheld)
