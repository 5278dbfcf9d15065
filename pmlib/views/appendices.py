"""The report's appendices: measure definitions, the symbols and status rules, and data quality notes and revisions.

A Cabinet member reading an exception report needs to look up what a measure
counts and how its status was decided without leaving the pack; the
performance team needs every provisional, estimated or revised figure listed
with the note its service unit gave. Everything here is read from the
quarter's report, so it covers exactly the measures this audience may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pmlib.contract.periods import Period, parse_period
from pmlib.engine.comparisons import COUNCIL, Comparisons
from pmlib.engine.rollup import ratio_value, small_count
from pmlib.views.disclosure import value_text
from pmlib.views.formats import format_value, period_words
from pmlib.views.labels import STATUS_LABELS, TREND_LABELS
from pmlib.views.method import gss_table, labels_table, status_rules
from pmlib.views.prose import Prose, literal_markdown
from pmlib.views.tables import Table, make_table

if TYPE_CHECKING:
    from pmlib.views.report import QuarterReport


def _one_text(notes) -> str:
    """Notes run together as one text: a note that ends a sentence is followed by a space, any other by "; "."""
    text = ""
    for note in notes:
        note = note.strip()
        text += (" " if text.endswith((".", "!", "?")) else "; ") + note if text else note
    return text


def revised_figures(report: QuarterReport) -> pd.DataFrame:
    """Every figure supplied more than once, each version with its date, up to the report's date, for every measure at once.

    Columns ``measure_id``, ``period``, ``reported_on`` and ``shown``; rows
    by measure in the data's order, then by period and date supplied. A
    figure counts as revised when its versions show differently. Small
    counts stay withheld: each version is checked by the small-number rule
    on its own, as the figure would have been when published. Worked out
    once per report (``QuarterReport.revisions``) for the appendix and every
    measure page, in whole-table operations: one pass per measure was a
    third of a second per appendix.
    """
    measures = report.data.measures
    obs = report.data.observations
    obs = obs[obs["measure_id"].isin(measures.index) & (obs["reported_on"] <= pd.Timestamp(report.params.data_as_at))]
    obs = obs.assign(_place=measures.index.get_indexer(obs["measure_id"]))
    obs = obs.sort_values(["_place", "period_index", "reported_on"], kind="stable")
    obs = obs[obs.duplicated(["measure_id", "period"], keep=False).to_numpy()]  # supplied once: nothing to compare
    m = measures.reindex(obs["measure_id"])
    value = obs["value"].to_numpy(float).copy()
    ratio = (m["aggregation"] == "ratio").to_numpy(bool)
    if ratio.any():
        value[ratio] = ratio_value(obs["numerator"].to_numpy()[ratio], obs["denominator"].to_numpy()[ratio], m["unit"].to_numpy()[ratio])
    withheld = small_count(obs, measures) if report.params.audience == "public" else np.zeros(len(obs), bool)
    units, decimals = m["unit"].to_numpy(), m["decimals"].to_numpy()
    shown = [value_text(v, u, int(d), suppressed=w) for v, u, d, w in zip(value, units, decimals, withheld, strict=True)]
    obs = obs.assign(shown=pd.Series(shown, index=obs.index, dtype=object))
    changed = obs.groupby(["measure_id", "period"], sort=False, observed=True)["shown"].transform("nunique") > 1
    return obs[changed.to_numpy(bool)][["measure_id", "period", "reported_on", "shown"]].reset_index(drop=True)


def revisions(report: QuarterReport, measure_id: str) -> pd.DataFrame:
    """The measure's revised figures (``revised_figures``): ``period``, ``reported_on`` and ``shown``."""
    found = report.revisions
    return found[(found["measure_id"] == measure_id).to_numpy(bool)][["period", "reported_on", "shown"]].reset_index(drop=True)


def baseline_withheld(report: QuarterReport, measure_id: str) -> bool:
    """Whether the baseline must show as ``[c]``: as its period was published, or by the small-number rule when it never was.

    A ratio's baseline is one rate with no counts behind it, so when the
    measure has a threshold and the period was never judged, it is withheld.
    Taken from ``QuarterReport.baselines_withheld``, worked out for every
    measure at once.
    """
    return bool(report.baselines_withheld[measure_id])


def baselines_withheld(report: QuarterReport) -> pd.Series:
    """``baseline_withheld`` for every measure of the data folder, by ``measure_id``: False for every one for an internal audience."""
    measures = report.data.measures
    withheld = np.zeros(len(measures), dtype=bool)
    if report.params.audience == "public":
        history = report.history.drop_duplicates(["measure_id", "period"], keep="last")  # the last row, as the report shows it
        rows = pd.MultiIndex.from_arrays([history["measure_id"], history["period"]])
        at = rows.get_indexer(pd.MultiIndex.from_arrays([measures.index, measures["baseline_period"]]))
        published = at >= 0
        withheld[published] = history["suppressed"].to_numpy(bool)[at[published]]
        ratio = ((measures["disclosure_min"] > 0) & (measures["aggregation"] == "ratio")).to_numpy(bool)
        baseline = measures["baseline_value"].to_numpy("float64")
        probe = pd.DataFrame({"measure_id": measures.index, "value": baseline, "numerator": np.nan, "denominator": np.nan})
        withheld[~published] = (ratio | small_count(probe, measures))[~published]
    return pd.Series(withheld, index=measures.index)


@dataclass(frozen=True)
class Appendices:
    """The appendices of one quarter's report."""

    report: QuarterReport

    def _id(self, what: str) -> str:
        return f"table-{self.report.quarter.slug}-{what}"

    def heading(self) -> Prose:
        """The title, saying what the appendices hold (D only when the report compares the council with other areas)."""
        compared = "" if self.report.comparisons.empty else " D: the groups of areas compared with, and where their figures come from."
        return Prose(
            f"# Appendices: {self.report.quarter.code}\n\n"
            "A: the definition, baseline, target and source of every measure in this report. "
            f"B: the symbols and the rules that decide each status. C: data quality notes and revisions.{compared}"
        )

    def definitions_table(self) -> Table:
        """Appendix A: each measure's definition, baseline, this year's target and intervention level, frequency, source and owner."""
        r = self.report
        judged = r.judged.set_index("measure_id")
        rows = []
        for measure_id, m in r.measures.iterrows():
            fmt = lambda v, m=m: format_value(v, m["unit"], int(m["decimals"]))  # noqa: E731
            j = judged.loc[measure_id]
            baseline = "[x]"
            if isinstance(m["baseline_period"], str) and pd.notna(m["baseline_value"]):
                shown = value_text(m["baseline_value"], m["unit"], int(m["decimals"]), suppressed=baseline_withheld(r, measure_id))
                baseline = f"{shown} ({m['baseline_period']})"
            definition = m["definition"] if isinstance(m["definition"], str) and m["definition"].strip() else "No definition given."
            rows.append(
                {
                    "Measure": m["name"],
                    "Definition": definition,
                    "Baseline": baseline,
                    "Target": fmt(j["target"]),
                    "Intervention level": fmt(j["intervention"]),
                    "Frequency": str(m["frequency"]).capitalize(),
                    "Source system and owner": " / ".join(str(v) for v in (m["source_system"], m["owner"]) if isinstance(v, str) and v),
                }
            )
        return make_table(pd.DataFrame(rows), self._id("definitions"), f"Appendix A: measure definitions, {r.quarter.code}")

    def rules(self) -> Prose:
        """Appendix B: how a status is decided, with the council's own method."""
        return Prose("## Appendix B: symbols and status rules\n\n" + status_rules(self.report.data.council))

    def status_symbols(self) -> Table:
        """The status words and symbols."""
        return labels_table(STATUS_LABELS, self._id("status-symbols"), "Statuses")

    def trend_symbols(self) -> Table:
        """The direction of travel words and symbols."""
        return labels_table(TREND_LABELS, self._id("trend-symbols"), "Directions of travel")

    def gss_symbols(self) -> Table:
        """The Government Statistical Service shorthand beside or in place of figures."""
        return gss_table(self._id("gss-symbols"), "Symbols beside figures")

    def quality_table(self) -> Table | Prose:
        """Appendix C: figures this report uses that are provisional, estimated or revised, with the service unit's note."""
        r = self.report
        flagged = r.judged[r.judged[["provisional", "estimated", "revised"]].any(axis=1) & ~r.judged["suppressed"]]
        if flagged.empty:
            return Prose("Every figure in this report is validated, and none has been revised.")
        obs = r.data.observations
        as_at = pd.Timestamp(r.params.data_as_at)
        rows = []
        for row in flagged.itertuples():
            covered = parse_period(row.period)
            # A year-to-date figure takes its flags from every month since the year began, so its notes come from there too.
            first = Period.year(covered.fy_start).first_month if r.measures.loc[row.measure_id, "ytd"] else covered.first_month
            notes = obs[(obs["measure_id"] == row.measure_id) & (obs["reported_on"] <= as_at) & obs["note"].notna()]
            notes = notes[(notes["first_month"] >= first) & (notes["first_month"] <= covered.last_month)]
            words = [w for w, on in (("Provisional", row.provisional), ("Estimated", row.estimated), ("Revised", row.revised)) if on]
            rows.append(
                {
                    "Measure": r.measures.loc[row.measure_id, "name"],
                    "Period": period_words(row.period),
                    "Quality": ", ".join(words),
                    "Note from the service unit": _one_text(dict.fromkeys(notes["note"].astype(str))) or "No note given.",
                }
            )
        return make_table(pd.DataFrame(rows), self._id("quality"), f"Figures that are provisional, estimated or revised, {r.quarter.code}")

    def revisions_table(self) -> Table | Prose:
        """Appendix C: every figure corrected after it was first supplied, each version with its date."""
        r = self.report
        found = r.revisions
        place = pd.Index(r.measures.index).get_indexer(found["measure_id"])
        found = found.assign(_place=place)[place >= 0].sort_values("_place", kind="stable").reset_index(drop=True)
        if found.empty:
            return Prose("No figure in this report has been revised.")
        found = found.assign(measure=r.measures.loc[found["measure_id"], "name"].to_numpy())
        first = ~found.duplicated(["measure", "period"])
        frame = pd.DataFrame(
            {
                "Measure": found["measure"],
                "Period": found["period"].map(period_words),
                "Supplied on": [f"{d:%-d %b %Y}" for d in found["reported_on"]],
                "Figure": found["shown"],
                "Version": ["First supplied" if f else "Revised" for f in first],
            }
        )
        return make_table(frame, self._id("revisions"), "Figures revised after they were first supplied")

    def quality_heading(self) -> Prose:
        """Appendix C's heading and what it lists."""
        return Prose(
            "## Appendix C: data quality notes and revisions\n\n"
            f"Figures used in this report that service units marked provisional or estimated, or that changed after an earlier "
            f"report used them, with {literal_markdown(self.report.data.council.short_name)}'s notes; then every revision up to "
            f"{self.report.params.data_as_at:%-d %B %Y}."
        )

    def comparators_section(self) -> tuple[Prose, Table, Table] | tuple[()]:
        """Appendix D: each group's member areas, and where each measure's comparator figures come from; nothing without comparisons.

        A reader checking a rank needs to know which areas it is among and
        which publication, downloaded when, gave their figures.
        """
        r = self.report
        comparisons = r.comparisons
        if comparisons.empty:
            return ()
        heading = Prose(
            "## Appendix D: comparator sources and groups\n\n"
            f"The groups of areas {literal_markdown(r.data.council.short_name)} is compared with, and for each measure the source "
            f"of the other areas' figures and when they were published or downloaded, as they stood on {r.params.data_as_at:%-d %B %Y}."
        )
        return heading, self._groups_table(comparisons), self._sources_table(comparisons)

    def _groups_table(self, comparisons: Comparisons) -> Table:
        groups = self.report.data.comparator_groups
        groups = groups[groups["group_id"].isin(comparisons.table["group_id"])]
        names = groups["area_name"].where(groups["area_name"].notna() & (groups["area_name"].str.strip() != ""), None)
        areas = (names + " (" + groups["area_code"] + ")").fillna(groups["area_code"])
        by_group = areas.groupby(groups["group_id"], sort=False)
        frame = pd.DataFrame(
            {
                "Group": groups.drop_duplicates("group_id")["name"].to_numpy(),
                "Areas": by_group.size().to_numpy(),
                "Member areas (ONS code)": by_group.agg(", ".join).to_numpy(),
            }
        )
        return make_table(frame, self._id("comparator-groups"), "Comparator groups and their member areas")

    def _sources_table(self, comparisons: Comparisons) -> Table:
        """Per measure, each source with the period and dates of its figures, and the groups they were compared in.

        Groups whose figures came from the same source, period and dates
        share a row, so a national file used for every group is listed once.
        """
        figures = comparisons.figures[comparisons.figures["role"] != COUNCIL]
        source = figures["source"].where(figures["source"].notna() & (figures["source"].str.strip() != ""), "Not given")
        found = (
            figures.assign(source=source)
            .groupby(["measure_id", "group_id"], sort=False)
            .agg(sources=("source", lambda s: "; ".join(dict.fromkeys(s))), first=("reported_on", "min"), last=("reported_on", "max"))
        )
        rows = comparisons.table.join(found, on=["measure_id", "group_id"])
        rows = rows.assign(
            dates=[
                f"{a:%-d %b %Y}" if a == b else f"{a:%-d %b %Y} to {b:%-d %b %Y}" for a, b in zip(rows["first"], rows["last"], strict=True)
            ]
        )
        shared = rows.groupby(["measure_id", "sources", "period", "dates"], sort=False)["group_name"].agg("; ".join).reset_index()
        frame = pd.DataFrame(
            {
                "Measure": self.report.data.measures.loc[shared["measure_id"], "name"].to_numpy(),
                "Source": shared["sources"].to_numpy(),
                "Period": shared["period"].to_numpy(),
                "Published or downloaded": shared["dates"].to_numpy(),
                "Compared with": shared["group_name"].to_numpy(),
            }
        )
        return make_table(frame, self._id("comparator-sources"), f"Sources of the comparator figures, {self.report.quarter.code}")
