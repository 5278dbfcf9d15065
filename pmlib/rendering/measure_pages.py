"""A page per public measure: its definition, targets, forecasts, comparisons, whole published history, commentary and revisions.

The measure pages are most of the pages a build writes, and the only ones
written apart from the rest: while the notebooks run, from the latest
quarter's report alone (``pmlib.rendering.building.judge_ahead``), and kept
between builds under what they are made from (``pmlib.rendering.page_store``).
So they are made here, needing nothing of the home page, the archive or the
other pages that ``pmlib.rendering.pages`` writes around them. Like those,
text from the data is HTML-escaped before it becomes Markdown, and HTML goes
in raw blocks (``pmlib.rendering.qmd``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmlib.contract.officer_text import given
from pmlib.contract.periods import parse_quarter
from pmlib.rendering.pack_links import pack_link
from pmlib.rendering.page_store import PageStore
from pmlib.rendering.qmd import link, long_date, page, raw_html
from pmlib.views.appendices import baseline_withheld, revisions
from pmlib.views.charts import Chart
from pmlib.views.disclosure import SUPPRESSED, value_text, value_texts
from pmlib.views.formats import NOT_APPLICABLE, UNIT_WORDS, format_value, period_words, target_text
from pmlib.views.how_we_compare import HEADING, comparison_section
from pmlib.views.labels import status_label
from pmlib.views.prose import literal_markdown, user_markdown
from pmlib.views.report import QuarterReport, split_by_measure
from pmlib.views.tables import make_table
from pmlib.views.year_end import measure_forecasts
from pmlib.vocabulary import Status

MEASURES_DIR = "measures"
_POLARITY = {"higher": "Higher is better", "lower": "Lower is better", "none": "Neither: shown for context, without a target"}
_link, _raw, _page, _given, _date = link, raw_html, page, given, long_date


@dataclass(frozen=True)
class MeasureRows:
    """The rows of the report's targets for each measure, split once for every measure page (``split_by_measure``).

    The history is the report's own split (``QuarterReport.measure_history``), which its charts use too.
    """

    targets: Mapping[str | None, pd.DataFrame]

    @classmethod
    def of(cls, report: QuarterReport) -> MeasureRows:
        """The report's rows split by measure."""
        return cls(split_by_measure(report.data.targets))

    def targets_of(self, measure_id: str) -> pd.DataFrame:
        """The measure's rows of ``report.data.targets``, likewise."""
        return self.targets.get(measure_id, self.targets[None])


def _freshness_rows(report: QuarterReport, measure_id: str) -> list[tuple[str, str]]:
    """How up to date the measure's figure is: what it covers, when it was supplied, when the next is due."""
    row = report.freshness.loc[measure_id]
    if not isinstance(row["period"], str):
        shown = "None yet"
    elif report.judged_by_measure.at[measure_id, "status"] == Status.NO_DATA.word:
        shown = f"None supplied for {row['period']}"
    else:
        supplied = f"supplied on {_date(row['reported_on'])}" if pd.notna(row["reported_on"]) else "date supplied not recorded"
        shown = f"{row['period']}, {supplied}"
    return [("Figure shown", shown), ("Next figure", f"{row['next_period']}, expected by {_date(row['next_expected'])}")]


def _about(report: QuarterReport, measure_id: str, plan_link: str | None) -> str:
    m = report.data.measures.loc[measure_id]
    plan = literal_markdown(report.plans.loc[m["plan_id"], "name"])
    rows = [("Definition", literal_markdown(m["definition"]) if isinstance(m["definition"], str) else "")]
    rows.append(("Delivery plan", f"[{plan}]({plan_link})" if plan_link else plan))
    rows += [("Owner", literal_markdown(m["owner"])), ("Source system", literal_markdown(m["source_system"]))]
    rows += [("Frequency", str(m["frequency"]).capitalize()), ("Unit", UNIT_WORDS.get(m["unit"], str(m["unit"])))]
    rows.append(("Which way is better", _POLARITY[m["polarity"]]))
    rows += _freshness_rows(report, measure_id)
    if isinstance(m["baseline_period"], str) and pd.notna(m["baseline_value"]):
        value = value_text(m["baseline_value"], m["unit"], int(m["decimals"]), suppressed=baseline_withheld(report, measure_id))
        rows.append(("Baseline", f"{value} ({literal_markdown(period_words(m['baseline_period']))})"))
    return "\n".join(f"- **{label}:** {text}" for label, text in rows if text)


def _targets(report: QuarterReport, measure_id: str, by_measure: MeasureRows) -> str:
    """Every target and intervention level agreed by the report's date, each revision with when it was agreed and why.

    A row agreed after ``data_as_at`` is not shown, so a quarter rebuilt
    later shows the targets it first showed; a folder with no revisions
    (no ``agreed_on`` or ``reason``) shows the table it always did.
    """
    m = report.data.measures.loc[measure_id]
    if m["polarity"] == "none":
        return "This measure is monitored for context and has no target."
    t = by_measure.targets_of(measure_id)
    agreed = t["agreed_on"] if "agreed_on" in t else pd.Series(pd.NaT, index=t.index)
    t = t[agreed.isna() | (agreed <= pd.Timestamp(report.params.data_as_at))]
    if t.empty:
        return "No target has been set for this measure."
    t = t.assign(_whole=t["period"].isna(), _agreed=agreed.loc[t.index])
    t = t.sort_values(["fy", "_whole", "period", "_agreed"], ascending=[True, False, True, True], kind="stable", na_position="first")
    fmt = lambda v: format_value(v, m["unit"], int(m["decimals"]))  # noqa: E731
    frame = pd.DataFrame(
        {
            "Year": t["year"].to_numpy(),
            "Applies to": ["Whole year" if pd.isna(p) else str(p) for p in t["period"]],
            "Target": [fmt(v) for v in t["target"]],
            "Intervention level": [fmt(v) for v in t["intervention"]],
        }
    )
    reasons = t["reason"] if "reason" in t else pd.Series(None, index=t.index, dtype=object)
    revised = t["_agreed"].notna().any() or reasons.map(_given).any()
    if revised:
        superseded = t.duplicated(["fy", "period"], keep="last").to_numpy()  # sorted oldest agreement first, so the last one stands
        frame["Agreed on"] = [_date(d) if pd.notna(d) else "Not recorded" for d in t["_agreed"]]
        frame["Reason"] = [r.strip() if _given(r) else "" for r in reasons]
        frame["Standing"] = ["Superseded" if s else "In force" for s in superseded]
    title = f"{m['name']}: targets by year" + (", with each revision" if revised else "")
    return _raw(make_table(frame, f"table-measure-{measure_id}-targets".lower(), title).html)


def _forecasts(report: QuarterReport, measure_id: str) -> str:
    """The measure's year-end forecasts by the quarter each was made in, as this report sees them, newest first."""
    rows = measure_forecasts(report, measure_id)
    if rows.empty:
        return "No year-end forecast has been supplied for this measure."
    m = report.data.measures.loc[measure_id]
    rows = rows.iloc[::-1]
    frame = pd.DataFrame(
        {
            "Quarter": rows["period"].to_numpy(),
            "Year-end forecast": [
                SUPPRESSED if w else format_value(v, m["unit"], int(m["decimals"]))
                for v, w in zip(rows["forecast"], rows["suppressed"], strict=True)
            ],
            "Status at year end": [status_label(s).text if isinstance(s, str) else NOT_APPLICABLE for s in rows["status"]],
            "Note": [n.strip() if _given(n) else "" for n in rows["note"]],
            "Supplied on": [_date(d) for d in rows["reported_on"]],
        }
    )
    tints = {"Status at year end": [status_label(s).tint if isinstance(s, str) else "" for s in rows["status"]]}
    table = make_table(frame, f"table-measure-{measure_id}-forecasts".lower(), f"{m['name']}: year-end forecasts by quarter", tints)
    return (
        "What the service forecast the year-end figure to be in each quarter, judged against the year-end target; "
        "the newest forecast supplied in each quarter by this report's date.\n\n" + _raw(table.html)
    )


def _history(report: QuarterReport, measure_id: str, figures: Mapping[str, str]) -> str:
    m = report.data.measures.loc[measure_id]
    rows = report.measure_history(measure_id).assign(measure_id=measure_id)
    fmt = lambda v: target_text(v, m["unit"], int(m["decimals"]), m["polarity"])  # noqa: E731
    frame = pd.DataFrame(
        {
            "Period": rows["period"].to_numpy(),
            "Value": value_texts(rows, report.data.measures).to_numpy(),
            "Target": [fmt(v) for v in rows["target"]],
            "Intervention level": [fmt(v) for v in rows["intervention"]],
            "Status": [status_label(s).text for s in rows["status"]],
        }
    )
    tints = {"Status": [status_label(s).tint for s in rows["status"]]}
    table = make_table(frame, f"table-measure-{measure_id}-history".lower(), f"{m['name']}: figures by period", tints)
    return "\n\n".join([_raw(report.chart(measure_id).drawn(figures)), _raw(table.html)])


def _how_we_compare(report: QuarterReport, measure_id: str, figures: Mapping[str, str]) -> list[str]:
    """The measure's "How we compare": a sentence per group, then the group's chart and its table; nothing without comparisons.

    The plan pages give the sentences alone, so the chart is drawn here
    (``figures`` would hold it if a notebook had drawn it).
    """
    section = comparison_section(report, measure_id)
    if not section:
        return []
    words, *rest = section
    parts = [f"## {HEADING}", words.markdown.split("\n\n", 1)[1]]
    for output in rest:
        parts.append(raw_html(output.drawn(figures) if isinstance(output, Chart) else output.html))
    return parts


def _commentary(report: QuarterReport, measure_id: str) -> str:
    notes = report.commentary(measure_id=measure_id)
    quarters = {code: parse_quarter(code) for code in notes["period"].dropna().unique()}
    parts = []
    for code in sorted((c for c, q in quarters.items() if q <= report.quarter), key=quarters.get, reverse=True):
        row = notes[notes["period"] == code].iloc[-1]
        text = [user_markdown(row["commentary"]) if _given(row["commentary"]) else "No commentary."]
        if _given(row["action"]):
            due = _date(row["action_due"]) if pd.notna(row["action_due"]) else "no date given"
            owner = literal_markdown(row["action_owner"]) if _given(row["action_owner"]) else "no owner given"
            text.append(f"**Corrective action:** {user_markdown(row['action'])}\n\n**Owner:** {owner}. **Due:** {due}.")
        parts += [f"### {code}", *text]
    return "\n\n".join(parts) or "No commentary has been published for this measure."


def _revisions(report: QuarterReport, measure_id: str) -> str:
    rows = revisions(report, measure_id)
    if rows.empty:
        return "No figure for this measure has been revised."
    first = ~rows["period"].duplicated()
    frame = pd.DataFrame(
        {
            "Period": rows["period"].map(period_words),
            "Supplied on": [_date(d) for d in rows["reported_on"]],
            "Figure": rows["shown"],
            "Version": ["First supplied" if f else "Revised" for f in first],
        }
    )
    name = report.data.measures.loc[measure_id, "name"]
    table = make_table(frame, f"table-measure-{measure_id}-revisions".lower(), f"{name}: figures revised after they were first supplied")
    return "Figures corrected after they were first supplied, each version with the date it was supplied.\n\n" + _raw(table.html)


def measure_page(
    report: QuarterReport,
    measure_id: str,
    plan_source: Path | None,
    page: Path,
    figures: Mapping[str, str] | None = None,
    by_measure: MeasureRows | None = None,
) -> str:
    """One public measure: what it is, its targets and forecasts, its whole published history and what officers said each quarter.

    ``figures`` are the charts the quarter's notebooks drew, by element id
    (see ``Chart.drawn``); ``by_measure`` is ``MeasureRows.of(report)``, made once
    when there are many pages to write.
    """
    m = report.data.measures.loc[measure_id]
    by_measure = MeasureRows.of(report) if by_measure is None else by_measure
    return _page(
        literal_markdown(m["name"]),
        literal_markdown(report.finding(measure_id)),
        pack_link(report, measure_id, page),
        "## About this measure",
        _about(report, measure_id, _link(plan_source, page) if plan_source else None),
        "## Targets by year",
        _targets(report, measure_id, by_measure),
        "## Year-end forecasts",
        _forecasts(report, measure_id),
        *_how_we_compare(report, measure_id, figures or {}),
        f"## History to {report.quarter.code}",
        "Each figure as published at the latest report's date; a withheld or missing figure is a gap in the chart.",
        _history(report, measure_id, figures or {}),
        "## Commentary by quarter",
        _commentary(report, measure_id),
        "## Revisions",
        _revisions(report, measure_id),
    )


def measure_pages(
    report: QuarterReport, out_dir: Path, plans: Mapping[str, Path], store: PageStore | None, figures: Mapping[str, str]
) -> dict[str, str]:
    """Every public measure's page, by its path under ``out_dir``: kept in ``store`` when made from the same inputs, else written and kept.

    ``plans``: each plan's executed notebook, by plan id.
    """
    pages, by_measure = {}, None
    for measure_id in report.judged["measure_id"]:
        page = out_dir / MEASURES_DIR / f"{measure_id}.qmd"
        plan_id = report.data.measures.loc[measure_id, "plan_id"]
        plan = plans.get(plan_id)
        text = store.kept(plan_id, measure_id, page, plan) if store else None
        if text is None:
            by_measure = MeasureRows.of(report) if by_measure is None else by_measure
            text = measure_page(report, measure_id, plan, page, figures, by_measure)
            if store:
                store.keep(plan_id, measure_id, page, plan, text)
        pages[f"{MEASURES_DIR}/{measure_id}.qmd"] = text
    return pages
