"""One object per report: what a notebook, a page or the command line asks for a quarter.

``quarter_report`` reads the params file, loads and validates the data, and
judges the quarter as its figures stood at ``data_as_at``, flagging figures
that differ from what earlier published reports showed. Everything public
passes through ``public_view`` here, once.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from pmlib.contract.config import ReportParams, read_report_params
from pmlib.contract.loading import COMMENTARY_FILE, CouncilData, checked_data, load_data
from pmlib.contract.memo import Memo, folder_state
from pmlib.contract.params_folder import params_files, published_dates, report_params
from pmlib.contract.periods import Period
from pmlib.engine.changes import empty_changes, what_changed
from pmlib.engine.commentary import commentary_as_at
from pmlib.engine.comparisons import Comparisons, compare
from pmlib.engine.figures import seen_digests
from pmlib.engine.status import STATUSES, judge
from pmlib.engine.year_view import has_year_view, year_view_data, year_view_heading
from pmlib.errors import ConfigError
from pmlib.views import tables
from pmlib.views.changes import changes_heading, changes_table
from pmlib.views.charts import Chart, measure_chart
from pmlib.views.comparison_summary import how_we_compare_section
from pmlib.views.disclosure import public_comparisons, public_view
from pmlib.views.freshness import freshness
from pmlib.views.narrative import headline, measure_finding, movement, plan_sentence, short_headline, status_counts
from pmlib.views.prose import Prose, literal_markdown
from pmlib.views.provenance import provenance
from pmlib.views.status_chart import status_chart
from pmlib.views.year_end import forecasts_as_seen, year_end_section
from pmlib.vocabulary import Frequency

if TYPE_CHECKING:  # for annotations only (plan() and appendices() import their classes when called)
    import datetime as dt

    from pmlib.views.appendices import Appendices
    from pmlib.views.plan_report import PlanReport


@dataclass(frozen=True)
class QuarterReport:
    """A quarter as its audience may see it: the judged rows, the data behind them, and its words.

    ``history`` holds every quarter up to this one as the figures stood at
    this report's ``data_as_at``, so a measure's chart never shows a figure
    the report itself would not. ``previous`` and ``year_ago`` are those
    quarters as their reports showed them, or as the figures now stand where
    there was no report. ``previous_params`` are the params of the
    report for the quarter before, if there is one: what ``changes`` compares
    with, as the contract has it.
    """

    params: ReportParams
    data: CouncilData
    judged: pd.DataFrame
    previous: pd.DataFrame | None
    history: pd.DataFrame
    year_ago: pd.DataFrame | None = None
    year_view: pd.DataFrame | None = None
    previous_params: ReportParams | None = None

    @property
    def quarter(self) -> Period:
        """The report quarter."""
        return self.params.quarter

    @property
    def measures(self) -> pd.DataFrame:
        """Measures this audience may see, in file order."""
        return self.data.measures.loc[self.judged["measure_id"]]

    @property
    def plans(self) -> pd.DataFrame:
        """Delivery plans in display order."""
        return self.data.plans

    @property
    def exceptions(self) -> pd.DataFrame:
        """Rows needing an exception report, with the officer's commentary where given (as supplied by ``data_as_at``)."""
        rows = self.judged[self.judged["needs_exception"]]
        notes = self.commentary(self.quarter)
        return rows.merge(notes.drop(columns=["period", "_row", "reported_on"], errors="ignore"), on="measure_id", how="left")

    def commentary(self, quarter: Period | None = None, measure_id: str | None = None) -> pd.DataFrame:
        """Officers' commentary as this report shows it: per measure and quarter, the newest supplied by ``data_as_at``.

        Every measure and quarter unless ``quarter`` or ``measure_id`` narrows
        it. A row supplied after this report's date is never seen, so a quarter
        rebuilt later shows the text it first showed.
        """
        if measure_id is not None:
            split = self._commentary_by_measure
            notes = split.get(measure_id, split[None])
            if quarter is None:
                return notes.copy(deep=False)  # the caller's own: changing it leaves the report's split as it was
            return notes[(notes["period"] == quarter.code).to_numpy(bool)].reset_index(drop=True)
        notes = self.data.commentary
        if quarter is not None:
            notes = notes[(notes["period"] == quarter.code).to_numpy(bool)]
        return commentary_as_at(notes, self.params.data_as_at)

    @cached_property
    def _commentary_by_measure(self) -> dict[str | None, pd.DataFrame]:
        """``commentary()`` of each measure, split once from every measure's."""
        return split_by_measure(commentary_as_at(self.data.commentary, self.params.data_as_at), renumber=True)

    @cached_property
    def provenance(self) -> pd.DataFrame:
        """Each published measure's data rows and newest supply date (``pmlib.views.provenance``), made once for every view."""
        return provenance(self)

    @cached_property
    def freshness(self) -> pd.DataFrame:
        """Each published measure's period, supply date and next expected figure (``pmlib.views.freshness``), by measure id."""
        return freshness(self)

    @cached_property
    def revisions(self) -> pd.DataFrame:
        """Every figure supplied more than once (``pmlib.views.appendices.revised_figures``), for the appendix and the measure pages."""
        from pmlib.views.appendices import revised_figures

        return revised_figures(self)

    @cached_property
    def forecasts_by_measure(self) -> dict[str | None, pd.DataFrame]:
        """Each measure's forecasts as this report sees them (``year_end.measure_forecasts``), worked out once for every page."""
        return split_by_measure(forecasts_as_seen(self), renumber=True)

    @cached_property
    def baselines_withheld(self) -> pd.Series:
        """Whether each measure's baseline shows as ``[c]`` (``appendices.baseline_withheld``), worked out once for pages and appendix."""
        from pmlib.views.appendices import baselines_withheld

        return baselines_withheld(self)

    @cached_property
    def comparisons(self) -> Comparisons:
        """How the council compares with other areas this quarter (``pmlib.engine.comparisons``), as this audience may see it.

        Empty for a council without comparator files, so every view of it
        shows nothing. Worked out once, when first asked for.
        """
        found = compare(self.data, self.quarter, self.params.data_as_at)
        return public_comparisons(found, self.data.measures, self.params.audience)

    @cached_property
    def changes(self) -> pd.DataFrame:
        """What changed since the previous report (``pmlib.engine.changes``), as this audience may see it; empty without one.

        Worked out when first asked for (a tenth of a second on the demo),
        since only the overview and the open data show it, not a plan's notebook.
        """
        previous = self.previous_params
        if previous is None:
            return empty_changes()
        public_only = self.params.audience != "internal"
        return what_changed(self.data, self.quarter, self.params.data_as_at, previous.quarter, previous.data_as_at, public_only=public_only)

    def plan_rows(self, plan_id: str) -> pd.DataFrame:
        """The judged rows of one delivery plan."""
        return self.judged[self.judged["plan_id"] == plan_id]

    def plan(self, plan_id: str | None = None) -> PlanReport:
        """One delivery plan's part of the report; the first plan when ``plan_id`` is None."""
        from pmlib.views.plan_report import PlanReport

        if plan_id is None:
            plan_id = str(self.plans.index[0])
        if plan_id not in self.plans.index:
            known = ", ".join(self.plans.index)
            raise ConfigError(f"no delivery plan {plan_id!r} in {self.data.data_dir / 'plans.csv'}; use one of: {known}", column="plan_id")
        return PlanReport(self, plan_id)

    # --- words ----------------------------------------------------------
    def narrative(self) -> str:
        """Headline sentences for the quarter, with movement since the previous quarter."""
        names = self.data.measures["name"]
        text = headline(self.judged, names)
        if self.previous is not None:
            text += " " + movement(self.judged, self.previous, self.quarter.previous().code)
        return text

    def heading(self) -> Prose:
        """The report's title block: council, report, quarter, meeting and the date figures stand at."""
        p, council = self.params, self.data.council
        audience = "" if p.audience == "public" else " Internal report: includes restricted measures."
        return Prose(
            f"# Executive summary: {self.quarter.code}\n\n"
            f"**{literal_markdown(council.name)}: {literal_markdown(p.title)}**, {self.quarter.code} ({self.quarter.label}). "
            f"{literal_markdown(p.meeting)}, {p.meeting_date:%-d %B %Y}. Figures as at {p.data_as_at:%-d %B %Y}.{audience}"
        )

    def headline(self) -> Prose:
        """The narrative as a Markdown output."""
        return Prose(literal_markdown(self.narrative()))

    def finding(self, measure_id: str) -> str:
        """Where one measure stands this quarter, in a sentence."""
        row = self.judged_by_measure.loc[measure_id]
        m = self.data.measures.loc[measure_id]
        return measure_finding(row, m["unit"], int(m["decimals"]))

    # --- charts ---------------------------------------------------------
    @cached_property
    def judged_by_measure(self) -> pd.DataFrame:
        """``judged`` indexed by measure once, for the many look-ups of one measure's row a build makes."""
        return self.judged.set_index("measure_id")

    @cached_property
    def history_by_measure(self) -> dict[str | None, pd.DataFrame]:
        """``history`` split by measure once (``split_by_measure``), for the charts and the measure pages."""
        return split_by_measure(self.history)

    def measure_history(self, measure_id: str) -> pd.DataFrame:
        """The measure's judged figure for each period up to this quarter, oldest first, one row per period, with its quality flags.

        It starts at the measure's first figure (shown or withheld): the
        quarters before a measure began are no gaps in it, and the chart,
        which has no axis point without a figure, would start later than
        its description and the table said.
        """
        split = self.history_by_measure
        rows = split.get(measure_id, split[None]).drop_duplicates("period", keep="last")
        began = (rows["value"].notna() | rows["suppressed"].astype(bool)).cummax()
        rows = rows[began.to_numpy(bool)] if began.any() else rows
        columns = ["period", "value", "target", "intervention", "status", "suppressed", "provisional", "estimated", "revised"]
        return rows[columns].reset_index(drop=True)

    def chart(self, measure_id: str, purpose: str = "history") -> Chart:
        """The measure's history against its target and intervention level."""
        m = self.data.measures.loc[measure_id]
        return measure_chart(
            f"chart-{self.quarter.slug}-{measure_id}-{purpose}".lower(),
            self.measure_history(measure_id),
            m,
            title=m["name"],
            finding=self.finding(measure_id),
        )

    def status_counts(self) -> pd.DataFrame:
        """Measures by status for each delivery plan, in plan order."""
        rows = [{"plan_id": pid, "plan": plan["name"], **status_counts(self.plan_rows(pid))} for pid, plan in self.plans.iterrows()]
        return pd.DataFrame(rows, columns=["plan_id", "plan", *STATUSES])

    def status_chart(self) -> Chart:
        """Statuses by delivery plan as a chart whose legend names each status in words."""
        counts = self.status_counts()
        return status_chart(
            f"chart-{self.quarter.slug}-status-by-plan",
            counts.drop(columns="plan_id"),
            f"Measures by status, {self.quarter.code}",
            short_headline(self.judged),
        )

    def appendices(self) -> Appendices:
        """The report's appendices: measure definitions, symbols and status rules, data quality notes and revisions."""
        from pmlib.views.appendices import Appendices

        return Appendices(self)

    # --- tables ---------------------------------------------------------
    def status_table(self) -> tables.Table:
        """Statuses by delivery plan as a table: the chart's table alternative."""
        return tables.status_counts_table(self)

    def exceptions_table(self) -> tables.Table | Prose:
        """Measures needing intervention across all plans."""
        return tables.exceptions_table(self)

    def comparison_table(self) -> tables.Table:
        """Status counts this quarter, last quarter and a year ago."""
        return tables.comparison_table(self)

    def changes_heading(self) -> Prose:
        """The heading of the list of changes, naming the previous report's quarter."""
        return changes_heading(self)

    def changes_table(self) -> tables.Table | Prose:
        """What changed since the previous report: new and dropped measures, targets, status moves and revised figures."""
        return changes_table(self)

    def year_end_section(self) -> tuple[Prose] | tuple[Prose, tables.Table]:
        """Where the year is heading: how many measures are forecast or projected to miss their year-end target, and which."""
        return year_end_section(self)

    def year_view_section(self) -> tuple[Prose, tables.Table] | tuple[()]:
        """At Q2 and Q4, the year's view by plan (heading and status counts); nothing in other quarters."""
        if self.year_view is None:
            return ()
        heading = year_view_heading(self.quarter)
        counts = pd.DataFrame(
            [
                {"plan": plan["name"], **status_counts(self.year_view[self.year_view["plan_id"] == pid])}
                for pid, plan in self.plans.iterrows()
            ]
        )
        return (
            Prose(f"## {literal_markdown(heading)}"),
            tables.counts_table(self, counts, "year-view-by-plan", f"{heading}: measures by status and delivery plan"),
        )

    def how_we_compare_section(self) -> tuple[Prose, Prose, tables.Table] | tuple[()]:
        """How the council compares with its neighbours and England (heading, paragraph, table); nothing without comparisons.

        A measure's neighbours are the smallest group of two or more areas it
        is compared with (the first listed of equals); see ``pmlib.views.comparison_summary``.
        """
        return how_we_compare_section(self)

    def table(self) -> pd.DataFrame:
        """Display strings for every row: value with GSS markers, target, status and trends in words."""
        return tables.display_rows(self.judged, self.data.measures)

    def summary_text(self) -> str:
        """The quarter in plain text, for the terminal."""
        p, council = self.params, self.data.council
        lines = [
            f"{council.name}: {p.title}",
            f"{self.quarter.code} ({self.quarter.label}); {p.meeting} {p.meeting_date:%d %B %Y}",
            f"Figures as at {p.data_as_at:%d %B %Y}; {p.audience} audience",
            "",
            self.narrative(),
            "",
        ]
        table = self.table()
        for plan_id, plan in self.plans.iterrows():
            rows = table[table["plan_id"] == plan_id]
            lines.append(plan_sentence(plan["name"], self.plan_rows(plan_id)))
            for r in rows.itertuples():
                lines.append(f"  {r.status:<15} {r.measure[:58]:<58} {r.value:>18}  target {r.target:<14} {r.short_trend}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def _first_quarter(data: CouncilData, quarter: Period) -> Period:
    months = data.observations["first_month"].dropna()
    if months.empty:
        return quarter
    return min(quarter, Period(Frequency.QUARTERLY, (int(months.min()) - 3) // 3))


def _as_published(
    data: CouncilData, params_dir: str | os.PathLike, quarter: Period, fallback_as_at: dt.date, audience: str
) -> pd.DataFrame:
    """A quarter as its own report showed it, or as the figures stand now when it was never published."""
    files = params_files(params_dir)
    as_at = read_report_params(files[quarter]).data_as_at if quarter in files else fallback_as_at
    judged = judge(data, [quarter], as_at, published_dates(params_dir, quarter))
    return public_view(judged, audience).reset_index(drop=True)


def quarter_report(
    params: ReportParams | str | Period | None = None,
    data_dir: str | os.PathLike = "data",
    params_dir: str | os.PathLike = "params",
    audience: str | None = None,
    *,
    data: CouncilData | None = None,
) -> QuarterReport:
    """Load, validate and judge one report quarter for its audience (the latest when ``params`` is None or "latest").

    ``audience`` ("public" or "internal") overrides the params file's, so the
    internal Cabinet pack is made from the same params as the public one.
    ``data`` is ``data_dir`` already loaded (by ``load_data``), so a build
    that reports every quarter reads and checks the folder once, not once
    a quarter; it is only read, never changed.

    The same call on the same data and params folders, every file as it was,
    returns the report made the first time (see ``pmlib.contract.memo``): a
    build judges each quarter once for its pages, open data and feeds, and a
    notebook kernel forked from the warm server finds the report the server
    prepared for its quarter.
    """
    if not isinstance(params, ReportParams):
        params = report_params(params_dir, params)
    if audience is not None:
        if audience not in ("public", "internal"):
            raise ConfigError(f"audience {audience!r}: use 'public' or 'internal'", column="audience")
        params = params.model_copy(update={"audience": audience})
    data = load_data(data_dir) if data is None else data
    if not checked_data(data):
        return _quarter_report(params, params_dir, data)
    key = (id(data), folder_state(params_dir), params.model_dump_json())
    return _reports.get(key, lambda: _judged_again(params, params_dir, data))


def split_by_measure(frame: pd.DataFrame, *, renumber: bool = False) -> dict[str | None, pd.DataFrame]:
    """A table's rows by ``measure_id``, split once, each measure's in their order; ``None`` gives its columns with no rows.

    A mask over the whole table costs about a millisecond whatever its size,
    and the charts and measure pages want one per measure. Each measure's
    rows keep their index, as a mask gives them, or with ``renumber`` are
    numbered from 0, as a view that works on one measure's rows returns them.
    """
    split: dict[str | None, pd.DataFrame] = dict(tuple(frame.groupby("measure_id", sort=False)))
    split[None] = frame.iloc[:0]
    return {m: rows.reset_index(drop=True) for m, rows in split.items()} if renumber else split


_reports = Memo(16)
_judgements = Memo(16)
# What a report works out from its figures, never its commentary: kept when only commentary.csv changed.
_NOT_FROM_COMMENTARY = ("provenance", "freshness", "revisions", "comparisons", "changes")


def _judged_again(params: ReportParams, params_dir: str | os.PathLike, data: CouncilData) -> QuarterReport:
    """The quarter judged, or the same quarter's judging when everything it reads is as it was.

    How a measure is judged never reads commentary, and a quarter reads only
    the figures supplied by the latest ``data_as_at`` it uses (its own, the
    quarters' before it: ``seen_digests``). So after an officer's words
    change, or a figure a quarter cannot see yet (the analyst's commonest
    edits), its statuses, history and comparisons are taken from the report
    made before, with the new data beside them for whatever shows the words.
    """
    others = tuple(sorted((n, d) for n, d in data.files.items() if n != COMMENTARY_FILE and not n.startswith("observations/")))
    latest = max([params.data_as_at, *published_dates(params_dir, params.quarter)])
    [figures] = seen_digests(data, [latest])
    key = (str(data.data_dir), os.path.realpath(data.data_dir), others, figures, folder_state(params_dir), params.model_dump_json())
    earlier = _judgements.get(key, lambda: _quarter_report(params, params_dir, data))
    if earlier.data is data:
        return earlier
    report = dataclasses.replace(earlier, data=data)
    report.__dict__.update({name: earlier.__dict__[name] for name in _NOT_FROM_COMMENTARY if name in earlier.__dict__})
    return report


def _quarter_report(params: ReportParams, params_dir: str | os.PathLike, data: CouncilData) -> QuarterReport:
    q, audience = params.quarter, params.audience
    published = published_dates(params_dir, q)
    first = _first_quarter(data, q)
    quarters = [Period(Frequency.QUARTERLY, i) for i in range(first.index, q.index + 1)]
    history = public_view(judge(data, quarters, params.data_as_at, published), audience).reset_index(drop=True)
    judged = history[history["quarter"] == q.code].reset_index(drop=True)
    files = params_files(params_dir)
    previous, year_ago = None, None
    if q.previous() >= first:
        previous = _as_published(data, params_dir, q.previous(), params.data_as_at, audience)
    previous_params = read_report_params(files[q.previous()]) if q.previous() in files else None
    if q.same_period_last_year() >= first:
        year_ago = _as_published(data, params_dir, q.same_period_last_year(), params.data_as_at, audience)
    year_view = None
    if has_year_view(q):
        year_view = public_view(judge(year_view_data(data), [q], params.data_as_at, published), audience).reset_index(drop=True)
    return QuarterReport(params, data, judged, previous, history, year_ago, year_view, previous_params)
