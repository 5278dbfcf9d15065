"""One delivery plan's part of a quarter's report, as the plan notebook lays it out.

The plan notebook reads like the report it produces: a heading, the summary
table, a section per measure (its figures, chart and commentary), the actions,
the exception reports, and at Q2 and Q4 the year's view. Each piece here is a
display object, so the notebook holds no formatting logic of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from pmlib.engine.year_view import year_view_heading
from pmlib.views import tables
from pmlib.views.charts import Chart
from pmlib.views.disclosure import value_text
from pmlib.views.formats import format_value
from pmlib.views.how_we_compare import comparison_section
from pmlib.views.labels import status_label, trend_label
from pmlib.views.narrative import plan_sentence
from pmlib.views.prose import Prose, literal_markdown, user_markdown
from pmlib.views.wording import count_words
from pmlib.views.year_end import year_end_line

if TYPE_CHECKING:
    from pmlib.views.report import QuarterReport

COMMENTARY_MISSING = "**Commentary missing.** The responsible officer has not yet explained this result or the action being taken."


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class MeasureReport:
    """One measure in one quarter: its figures, chart, commentary and, when needed, exception report."""

    report: QuarterReport
    measure_id: str

    @property
    def measure(self) -> pd.Series:
        """The measure's definition row."""
        return self.report.data.measures.loc[self.measure_id]

    @property
    def row(self) -> pd.Series:
        """The measure's judged row for the quarter."""
        judged = self.report.judged
        return judged[judged["measure_id"] == self.measure_id].iloc[0]

    def _fmt(self, value: float) -> str:
        return format_value(value, self.measure["unit"], int(self.measure["decimals"]))

    def _figures(self) -> list[str]:
        r, m = self.row, self.measure
        flags = {k: bool(r[k]) for k in ("suppressed", "provisional", "estimated", "revised")}
        value = value_text(r["value"], m["unit"], int(m["decimals"]), **flags)
        lines = [
            f"- Value ({r['period']}): {value}",
            f"- Target: {self._fmt(r['target'])}",
            f"- Intervention level: {self._fmt(r['intervention'])}",
            f"- Status: {status_label(r['status']).text}",
            f"- Short-term trend (against {r['previous_period']}): {trend_label(r['short_trend']).text}",
            f"- Long-term trend (against a year earlier): {trend_label(r['long_trend']).text}",
        ]
        return lines

    def commentary_row(self) -> pd.Series | None:
        """The officer's commentary for this quarter, if any was given by the report's ``data_as_at``."""
        rows = self.report.commentary(self.report.quarter, self.measure_id)
        return None if rows.empty else rows.iloc[-1]

    def summary(self) -> Prose:
        """The measure's heading, where it stands, and its figures."""
        m = self.measure
        head = f"### {literal_markdown(m['name'])}\n\n{literal_markdown(self.report.finding(self.measure_id))}"
        about = [f"*{literal_markdown(m['definition'])}*" if _text(m["definition"]) else ""]
        about += [
            f"{label}: {literal_markdown(m[key])}." for key, label in (("source_system", "Source"), ("owner", "Owner")) if _text(m[key])
        ]
        about_text = " ".join(a for a in about if a)
        return Prose(f"{head}\n\n" + "\n".join(self._figures()) + (f"\n\n{about_text}" if about_text else ""))

    def chart(self, purpose: str = "history") -> Chart:
        """The measure's history against target and intervention level; ``purpose`` keeps element ids unique on a page."""
        return self.report.chart(self.measure_id, purpose)

    def how_we_compare(self) -> tuple[Prose] | tuple[()]:
        """How the measure compares with other areas, a sentence per group; nothing without comparisons.

        The group's chart and its table are on the measure's own page: a
        plan page with a bar per area for every compared measure would pass
        the site's page-weight budget and add a page per measure to the pack.
        """
        return comparison_section(self.report, self.measure_id)[:1]

    def commentary(self) -> Prose:
        """What the responsible officer says this quarter; Markdown emphasis kept, HTML shown as text."""
        row = self.commentary_row()
        text = None if row is None else _text(row["commentary"])
        return Prose(f"**Commentary:** {user_markdown(text)}" if text else "No commentary this quarter.")

    def exception_report(self) -> Prose:
        """The contract's exception report (rule 7) with the year end where there is one, or a visible 'commentary missing'."""
        m = self.measure
        figures = self._figures()
        year_end = year_end_line(self.row, m)
        parts = [f"### Exception report: {literal_markdown(m['name'])}", "\n".join([*figures, year_end] if year_end else figures)]
        row = self.commentary_row()
        commentary = None if row is None else _text(row["commentary"])
        parts.append(f"**Commentary:** {user_markdown(commentary)}" if commentary else COMMENTARY_MISSING)
        if row is not None and _text(row["action"]):
            due = f"{row['action_due']:%-d %B %Y}" if pd.notna(row["action_due"]) else "no date given"
            owner = literal_markdown(_text(row["action_owner"]) or "no owner given")
            parts.append(f"**Corrective action:** {user_markdown(_text(row['action']))}\n\n**Owner:** {owner}. **Due:** {due}.")
        else:
            parts.append("**Corrective action:** none recorded.")
        return Prose("\n\n".join(parts))


@dataclass(frozen=True)
class PlanReport:
    """A delivery plan in one quarter's report."""

    report: QuarterReport
    plan_id: str

    @property
    def plan(self) -> pd.Series:
        """The plan's row from ``plans.csv``."""
        return self.report.plans.loc[self.plan_id]

    @property
    def rows(self) -> pd.DataFrame:
        """The plan's judged rows."""
        return self.report.plan_rows(self.plan_id)

    def heading(self) -> Prose:
        """Title, purpose, who answers for it, and its status counts in a sentence."""
        p, r = self.plan, self.report
        people = [
            f"{label}: {literal_markdown(p[key])}."
            for key, label in (("portfolio_holder", "Portfolio holder"), ("lead_officer", "Lead officer"))
            if _text(p[key])
        ]
        parts = [f"# {literal_markdown(p['name'])}: {r.quarter.code}", literal_markdown(p["description"]), " ".join(people)]
        parts.append(literal_markdown(plan_sentence(p["name"], self.rows)))
        return Prose("\n\n".join(part for part in parts if part))

    def summary_table(self) -> tables.Table:
        """Every measure of the plan with value, target, intervention level, status, trends, quality and a sparkline."""
        return tables.dashboard_table(
            self.report, self.rows, f"{self.plan_id}-measures", f"{self.plan['name']}: measures, {self.report.quarter.code}"
        )

    def measures(self) -> list[MeasureReport]:
        """The plan's measures this audience may see, in file order."""
        return [MeasureReport(self.report, m) for m in self.rows["measure_id"]]

    def actions_table(self) -> tables.Table | Prose:
        """The plan's actions and their progress this quarter."""
        return tables.actions_table(self.report, self.plan_id)

    def exceptions(self) -> list[MeasureReport]:
        """Measures of the plan needing an exception report."""
        return [MeasureReport(self.report, m) for m in self.rows.loc[self.rows["needs_exception"], "measure_id"]]

    def exceptions_intro(self) -> Prose:
        """How many exception reports follow, or that none is needed."""
        n = len(self.exceptions())
        if n == 0:
            return Prose("No measure in this plan needs intervention this quarter, so there are no exception reports.")
        return Prose(f"{count_words(n).capitalize()} measure{'s' if n > 1 else ''} in this plan need{'s' if n == 1 else ''} intervention.")

    def year_section(self) -> tuple[Prose, tables.Table, tables.Table | Prose] | tuple[()]:
        """At Q2 and Q4: a heading, the year's figures against annual targets, and the year's action progress."""
        view = self.report.year_view
        if view is None:
            return ()
        heading = year_view_heading(self.report.quarter)
        rows = view[view["plan_id"] == self.plan_id]
        return (
            Prose(f"## {literal_markdown(heading)}"),
            tables.year_view_table(self.report, rows, f"{self.plan_id}-year-view", f"{self.plan['name']}: {heading}"),
            tables.year_actions_table(self.report, self.plan_id),
        )
