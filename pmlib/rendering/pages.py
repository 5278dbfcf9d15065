"""The website's pages that are not notebooks, written as ``.qmd`` files that Quarto and the built-in renderer both read.

``write_pages`` makes the home page (the latest quarter's headline and its
pages), the archive (every built quarter), a list of measures, and a page per
public measure (definition, targets, full history, commentary by quarter).
Everything comes from ``quarter_report`` of the latest quarter, which went
through ``public_view``: a restricted measure has no page and a small number
is ``[c]``. Text from the data is HTML-escaped before it becomes Markdown, and
HTML (charts, tables) goes in ```` ```{=html} ```` blocks. Links name source
files (``../reports/<slug>/overview.ipynb``), which each renderer maps to the
page it writes.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmlib.contract.loading import load_data
from pmlib.contract.officer_text import given
from pmlib.contract.params_folder import report_params
from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import ConfigError, Problem
from pmlib.project import Project
from pmlib.rendering.dashboard_page import dashboard_page
from pmlib.rendering.data_pages import OPEN_DATA_DIR, SDG_DIR, goal_pages, open_data_page
from pmlib.rendering.documents import MENUS, Document, quarter_menus, read_quarter
from pmlib.rendering.feeds import PLAN_PREFIX, follow_section
from pmlib.rendering.guide_pages import accessibility_page, methodology_page
from pmlib.rendering.pack_links import pack_link, whole_pack_link
from pmlib.rendering.page_store import OpenDataStore, PageStore
from pmlib.rendering.project import read_project
from pmlib.rendering.qmd import link, long_date, page, raw_html
from pmlib.rendering.search import search_page
from pmlib.views.appendices import baseline_withheld, revisions
from pmlib.views.charts import Chart, chart_figures
from pmlib.views.disclosure import SUPPRESSED, value_text, value_texts
from pmlib.views.formats import NOT_APPLICABLE, UNIT_WORDS, format_value, period_words, target_text
from pmlib.views.freshness import last_updated
from pmlib.views.how_we_compare import HEADING, comparison_section
from pmlib.views.labels import status_label
from pmlib.views.open_data import write_open_data
from pmlib.views.prose import Prose, literal_markdown, user_markdown
from pmlib.views.report import QuarterReport, quarter_report, split_by_measure
from pmlib.views.tables import Table, make_table
from pmlib.views.year_end import measure_forecasts
from pmlib.vocabulary import Status

HOME = "index.qmd"  # at the project root: Quarto makes the root's index the site's index.html
GENERATED = ("archive.qmd", "measures.qmd", "goals.qmd", "open-data.qmd", "methodology.qmd", "accessibility.qmd", "search.qmd")
MEASURES_DIR = "measures"
_POLARITY = {"higher": "Higher is better", "lower": "Lower is better", "none": "Neither: shown for context, without a target"}
_link, _raw, _page, _given, _date = link, raw_html, page, given, long_date


def _quarter_links(documents: list[Document], page: Path) -> str:
    return "\n".join(f"- [{literal_markdown(d.label)}]({_link(d.source, page)})" for d in documents)


def _meeting(report_param) -> str:
    p = report_param
    return f"{literal_markdown(p.meeting)}, {_date(p.meeting_date)}. Figures as at {_date(p.data_as_at)}."


def _shown(output: Table | Prose) -> str:
    """A table as raw HTML, or the sentence that stands in for an empty one."""
    return output.markdown if isinstance(output, Prose) else _raw(output.html)


def _intervention_links(report: QuarterReport, page: Path, pages_dir: Path) -> str:
    ids = list(report.exceptions["measure_id"])
    if not ids:
        return ""
    names = [f"[{literal_markdown(report.measures.loc[m, 'name'])}]({_link(pages_dir / MEASURES_DIR / f'{m}.qmd', page)})" for m in ids]
    return "Each has its own page with its history and what officers are doing about it: " + "; ".join(names) + "."


def _figures(documents: Iterable[Document]) -> dict[str, str]:
    """The charts the quarter's notebooks drew, by element id: the pages show the same charts and need not draw them again."""
    return chart_figures(block.content for doc in documents for block in doc.blocks if block.kind == "html")


def _last_updated(report: QuarterReport) -> str:
    """When the published figures last changed: the newest date any of them was supplied."""
    newest = last_updated(report)
    return f" Figures last updated on {_date(newest)}." if newest else ""


def index_page(report: QuarterReport, documents: list[Document], page: Path, pages_dir: Path) -> str:
    """The home page: the latest quarter's headline, statuses by plan (chart and table), the measures needing intervention.

    It is ``index.qmd`` at the project's root, beside ``_quarto.yml``, so
    that Quarto, like the built-in renderer, makes it the site's
    ``index.html``; the other generated pages are in ``pages_dir``.
    """
    q, p = report.quarter, report.params
    here = pages_dir
    return _page(
        f"{literal_markdown(report.data.council.name)}: corporate performance",
        f"Latest report: **{literal_markdown(p.title)}, {q.code}** ({q.label}). {_meeting(p)}{_last_updated(report)}",
        report.headline().markdown,
        "## Status by delivery plan",
        _raw(report.status_chart().drawn(_figures(documents))),
        _raw(report.status_table().html),
        "## Measures needing intervention",
        _shown(report.exceptions_table()),
        _intervention_links(report, page, pages_dir),
        f"## The {q.code} report",
        _quarter_links(documents, page) + "\n" + whole_pack_link(q, page, pages_dir.parent),
        follow_section(documents, page, page.parent),
        "## More",
        f"- [Every measure]({_link(here / 'measures.qmd', page)}): definitions, targets, history and commentary.\n"
        f"- [Sustainable Development Goals]({_link(here / 'goals.qmd', page)}): the measures aligned to each goal.\n"
        f"- [Open data]({_link(here / 'open-data.qmd', page)}): every quarter's figures as CSV, with a data dictionary.\n"
        f"- [Methodology]({_link(here / 'methodology.qmd', page)}): how statuses are decided and what the symbols mean.\n"
        f"- [All reports]({_link(here / 'archive.qmd', page)}): every quarter published on this site.",
    )


def archive_page(params: dict[Period, object], documents: dict[Period, list[Document]], page: Path) -> str:
    """Every built quarter, newest first, with links to its overview, delivery plans and Cabinet pack."""
    parts = ["Every quarter published on this site, newest first. Each report shows its figures as they stood when it was published."]
    for q in sorted(params, reverse=True):
        parts += [
            f"## {q.code}: {literal_markdown(params[q].title)}",
            f"{q.label}. {_meeting(params[q])}",
            _quarter_links(documents[q], page) + "\n" + whole_pack_link(q, page, page.parent.parent),
        ]
    return _page("All reports", *parts)


def measures_page(report: QuarterReport, page: Path) -> str:
    """Every public measure of the latest quarter in one table to filter and sort (``pmlib.rendering.dashboard_page``)."""
    return dashboard_page(report, page, page.parent / MEASURES_DIR)


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


def _remove_stale(out_dir: Path) -> None:
    """Delete pages and files an earlier run generated, so a measure made restricted since then leaves no trace."""
    for name in (*GENERATED, HOME):  # the home page was in pages/ before it moved to the root
        (out_dir / name).unlink(missing_ok=True)
    for folder in (MEASURES_DIR, SDG_DIR):
        for path in (out_dir / folder).glob("*.qmd"):
            path.unlink()
    shutil.rmtree(out_dir / OPEN_DATA_DIR, ignore_errors=True)


def _open_data(quarter: Period, folder: Path, store: OpenDataStore | None, judged: Callable[[], QuarterReport]) -> list[Path]:
    """Write the quarter's open data into ``folder``: as kept in ``store`` when made from the same inputs, else from its report."""
    kept = store.kept(quarter) if store else None
    if kept is None:
        files = write_open_data(judged(), folder)
        if store:
            store.keep(quarter, files)
        return files
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in kept:
        (folder / name).write_bytes(text.encode("utf-8"))
    return [folder / name for name, _ in kept]


def write_pages(
    quarters: Iterable[str | Period],
    project: Project,
    *,
    pages_dir: str | os.PathLike | None = None,
    page_store: str | os.PathLike | None = None,
) -> list[Path]:
    """Write the generated pages for the built ``quarters`` into ``pages_dir``, and each quarter's open data beside them.

    Returns the paths written, sorted. ``pages_dir`` is the project's
    ``pages/`` unless given (``pm pages --out``); the project root has the
    ``_quarto.yml`` whose site title the accessibility statement names, and
    the home page, ``index.qmd``. With ``page_store`` (a folder), measure
    pages made from exactly the same inputs and code are taken from it and
    new ones kept there (``pmlib.rendering.page_store``).

    Raises ``ConfigError`` when no quarter is given, a quarter has no executed
    notebooks, or a quarter's params file is for an internal audience (the
    website is public), and the data's own errors as ``quarter_report`` does.
    """
    data_dir, params_dir, reports_dir = project.data, project.params, project.reports
    periods = sorted({q if isinstance(q, Period) else parse_quarter(q) for q in quarters})
    if not periods:
        raise ConfigError("no quarter to publish: run 'pm run' for at least one quarter, then build the site", file=reports_dir)
    params = {q: report_params(params_dir, q) for q in periods}
    internal = [q.code for q, p in params.items() if p.audience != "public"]
    if internal:
        files = [(Path(params_dir) / f"{q.slug}.yml").as_posix() for q in periods if q.code in internal]
        message = "audience is internal, but the website is public; set 'audience: public' or leave the quarter out"
        problems = [Problem(file, None, "audience", message) for file in files]
        raise ConfigError(f"{', '.join(files)}: {message}", problems=problems)
    out_dir = project.pages if pages_dir is None else Path(pages_dir)
    documents = {q: read_quarter(reports_dir, q) for q in periods}
    latest = periods[-1]
    data = load_data(data_dir)  # once for every quarter's report
    report = quarter_report(params[latest], data_dir, params_dir, data=data)
    figures = _figures(documents[latest])
    plans = {d.source.stem.removeprefix(PLAN_PREFIX): d.source for d in documents[latest] if d.source.stem.startswith(PLAN_PREFIX)}
    home = project.root / HOME
    pages = {
        "archive.qmd": archive_page(params, documents, out_dir / "archive.qmd"),
        "measures.qmd": measures_page(report, out_dir / "measures.qmd"),
        "search.qmd": search_page(out_dir / "search.qmd", project.root),
    }
    store = PageStore.for_quarter(page_store, data, Path(params_dir), latest) if page_store is not None else None
    pages.update(measure_pages(report, out_dir, plans, store, figures))
    pages.update(goal_pages(report, out_dir, out_dir / MEASURES_DIR))
    pages["methodology.qmd"] = methodology_page(report.data.council, comparisons=not report.comparisons.empty)
    site_title = read_project(project.root, "website").website.title
    pages["accessibility.qmd"] = accessibility_page(report.data.council, site_title, params[latest].data_as_at)
    _remove_stale(out_dir)
    written = []
    files = {}
    open_data = OpenDataStore.for_data(page_store, data, Path(params_dir), periods) if page_store is not None else None
    for q in periods:
        judged = lambda q=q: report if q == latest else quarter_report(params[q], data_dir, params_dir, data=data)  # noqa: E731
        files[q] = _open_data(q, out_dir / OPEN_DATA_DIR / q.slug, open_data, judged)
        written += files[q]
    pages["open-data.qmd"] = open_data_page(params, files, out_dir / "open-data.qmd", project.root, report.data.council.name)
    for name in sorted(pages):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pages[name], encoding="utf-8", newline="\n")
        written.append(path)
    home.write_text(index_page(report, documents[latest], home, out_dir), encoding="utf-8", newline="\n")
    menus = out_dir / MENUS
    menus.write_text(json.dumps(quarter_menus(documents), indent=1, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return sorted([*written, home, menus])
