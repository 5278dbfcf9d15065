"""One object per joint report: the shared measures of several councils side by side, and their combined figures.

A joint report is made of each council's own report (``quarter_report``,
so each council's figure, status and trends are exactly what that council
publishes: its own targets, status method and ``data_as_at``) and the
combined figures of the shared ``sum`` and ``ratio`` measures
(``pmlib.engine.combined``), judged against the joint targets. Everything the
report shows comes from ``rows``, one judged row per shared measure and
figure (a council's or the combined one), so its tables, narrative,
exceptions and open data cannot tell different stories. Restriction and
small numbers are settled here, once: a measure restricted in any council is
left out of a public joint report, and every figure has passed ``public_view``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pmlib.contract.config import Council, ReportParams
from pmlib.contract.harmonisation import SharedData, agreed_method
from pmlib.contract.loading import CouncilData
from pmlib.contract.params_folder import report_params
from pmlib.contract.periods import Period
from pmlib.engine.combined import COMBINED, CouncilPart, combined_data, judge_combined, service_id, shared_measures
from pmlib.errors import ConfigError
from pmlib.views import joint_exceptions, joint_tables
from pmlib.views.disclosure import public_view
from pmlib.views.narrative import joint_headline
from pmlib.views.prose import Prose, literal_markdown
from pmlib.views.report import QuarterReport, quarter_report

if TYPE_CHECKING:
    from pmlib.views.tables import Table


def joint_council(name: str, councils: Sequence[Council]) -> Council:
    """The joint committee as a council, for judging combined figures: the councils' status method when they agree.

    The contract gives a joint committee no ``council.yml`` of its own. When
    the councils judge by the same method (and tolerance) the combined figure
    is judged the same way; when they differ (``agreed_method``, as ``pm
    check`` reads it) it is judged by the contract's default, the
    intervention method, which uses only the levels written in
    ``joint/targets.csv``.
    """
    method, tolerance = agreed_method(councils) or ("intervention", None)
    return Council(name=name, short_name=name, status_method=method, **({} if tolerance is None else {"tolerance_pct": tolerance}))


@dataclass(frozen=True)
class JointReport:
    """A joint report as its audience may see it: each council's own report, the combined figures, and the shared measures.

    ``measures`` has one row per shared measure this audience may see, in
    report order (by shared service): its definition, ``shared_service``,
    ``councils`` having it, ``public`` and ``disclosure_min`` as
    ``pmlib.engine.combined.shared_measures`` gives them. ``combined`` is the
    judged table of the combined figures after ``public_view``.
    """

    params: ReportParams
    name: str
    councils: dict[str, CouncilData]
    reports: dict[str, QuarterReport]
    measures: pd.DataFrame
    combined_data: CouncilData
    combined: pd.DataFrame

    @property
    def quarter(self) -> Period:
        """The report quarter."""
        return self.params.quarter

    @property
    def services(self) -> tuple[str, ...]:
        """The shared services with a measure in this report, in order of first appearance."""
        return tuple(dict.fromkeys(self.measures["shared_service"]))

    @property
    def figures(self) -> tuple[str, ...]:
        """What a measure's row can show, in column order: each council's id, then ``combined``."""
        return (*self.councils, COMBINED)

    def short_name(self, figure: str) -> str:
        """A council's short name, or ``Combined``, for headings and sentences."""
        return "Combined" if figure == COMBINED else self.councils[figure].council.short_name

    @cached_property
    def rows(self) -> pd.DataFrame:
        """One judged row per shared measure and figure, in report order: measures by service, then councils, then combined.

        Columns are the judged table's (a council's rows are its own report's),
        with ``figure`` (a council id or ``combined``) and ``shared_service``.
        A council without the measure, or a ``mean`` or ``last`` measure's
        combined figure, has no row.
        """
        ids = self.measures.index
        frames = [self.reports[c].judged.assign(figure=c) for c in self.councils] + [self.combined.assign(figure=COMBINED)]
        rows = pd.concat([f[f["measure_id"].isin(ids)] for f in frames], ignore_index=True)
        place = ids.get_indexer(rows["measure_id"]) * len(self.figures) + pd.Index(self.figures).get_indexer(rows["figure"])
        rows = rows.iloc[np.argsort(place, kind="stable")].reset_index(drop=True)
        rows["shared_service"] = self.measures["shared_service"].reindex(rows["measure_id"]).to_numpy(object)
        return rows

    def service_rows(self, service: str) -> pd.DataFrame:
        """The rows of one shared service's measures."""
        return self.rows[self.rows["shared_service"] == service]

    @cached_property
    def exceptions(self) -> pd.DataFrame:
        """Each council's row of every measure needing intervention in any council or combined, with that council's commentary.

        One row per measure and council having it, so each council's
        explanation sits beside its own figure; ``combined_value``,
        ``combined_target``, ``combined_intervention``, ``combined_status``
        and ``combined_suppressed`` give the combined figure (blank where there
        is none). Commentary is as each council's report shows it.
        """
        rows = self.rows
        hit = rows.loc[rows["status"] == "intervention", "measure_id"].unique()
        council_rows = rows[rows["measure_id"].isin(hit) & (rows["figure"] != COMBINED)]
        combined = rows[rows["figure"] == COMBINED].set_index("measure_id")
        pick = ["value", "target", "intervention", "status", "suppressed"]
        joined = combined[pick].add_prefix("combined_").reindex(council_rows["measure_id"]).reset_index(drop=True)
        notes = [
            self.reports[c].commentary(self.quarter).drop(columns=["period", "_row", "reported_on"], errors="ignore").assign(figure=c)
            for c in self.councils
        ]
        out = pd.concat([council_rows.reset_index(drop=True), joined], axis=1)
        out = out.merge(pd.concat(notes, ignore_index=True), on=["measure_id", "figure"], how="left")
        out.insert(0, "council", out.pop("figure"))
        out.insert(1, "name", self.measures["name"].reindex(out["measure_id"]).to_numpy(object))
        return out

    # --- words ----------------------------------------------------------
    def narrative(self) -> str:
        """Sentences on the shared measures: on target in every council, needing intervention somewhere, and the combined figures."""
        names = {c: self.short_name(c) for c in self.councils}
        return joint_headline(self.rows, self.measures["name"], names)

    def heading(self) -> Prose:
        """The report's title block: the shared services, the report, quarter, meeting and the dates figures stand at."""
        p = self.params
        dates = "; ".join(f"{literal_markdown(self.short_name(c))} as at {r.params.data_as_at:%-d %B %Y}" for c, r in self.reports.items())
        audience = "" if p.audience == "public" else " Internal report: includes restricted measures."
        return Prose(
            f"# {literal_markdown(p.title)}: {self.quarter.code}\n\n"
            f"**{literal_markdown(self.name)}**, {self.quarter.code} ({self.quarter.label}). "
            f"{literal_markdown(p.meeting)}, {p.meeting_date:%-d %B %Y}. Figures: {dates}.{audience}"
        )

    def headline(self) -> Prose:
        """The narrative as a Markdown output."""
        return Prose(literal_markdown(self.narrative()))

    def summary_text(self) -> str:
        """The joint report in plain text, for the terminal (``pm status --councils``), as a council's ``summary_text`` is.

        Each shared measure is one line: every figure's status and value,
        from the same cells as the report's tables.
        """
        p = self.params
        dates = "; ".join(f"{self.short_name(c)} as at {r.params.data_as_at:%d %B %Y}" for c, r in self.reports.items())
        lines = [
            f"{self.name}: {p.title}",
            f"{self.quarter.code} ({self.quarter.label}); {p.meeting} {p.meeting_date:%d %B %Y}",
            f"Figures: {dates}; {p.audience} audience",
            "",
            self.narrative(),
            "",
        ]
        cells = joint_tables.figure_cells(self, self.rows)
        for service in self.services:
            lines.append(f"{service}:")
            for measure_id in dict.fromkeys(self.service_rows(service)["measure_id"]):
                shown = cells.loc[measure_id]
                figures = "; ".join(f"{self.short_name(f)} {shown.loc[f, 'status']} {shown.loc[f, 'value']}" for f in shown.index)
                lines.append(f"  {self.measures.loc[measure_id, 'name'][:58]:<58} {figures}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    # --- tables ---------------------------------------------------------
    def service_table(self, service: str) -> Table:
        """One shared service's measures, each council's figure, status and trend side by side, then the combined figure."""
        return joint_tables.service_table(self, service)

    def tables(self) -> tuple[Table, ...]:
        """``service_table`` for every shared service, in order."""
        return tuple(self.service_table(s) for s in self.services)

    def sections(self) -> tuple[Prose | Table, ...]:
        """Each shared service as the report shows it: its name as a heading, then its ``service_table``."""
        return tuple(part for s in self.services for part in (Prose(f"## {literal_markdown(s)}"), self.service_table(s)))

    def exceptions_table(self) -> Table | Prose:
        """Measures needing intervention in any council or combined, each council's figure and whether its commentary has arrived."""
        return joint_tables.exceptions_table(self)

    def exception_reports(self) -> tuple[Prose, ...]:
        """For each measure needing intervention: the combined figure, then each council's figure, commentary and corrective action."""
        return joint_exceptions.exception_reports(self)

    def table_id(self, what: str) -> str:
        """A table's fixed id from the quarter and what it shows, apart from any council's tables of the same quarter."""
        return f"table-joint-{self.quarter.slug.lower()}-{service_id(what)}"

    # --- open data ------------------------------------------------------
    def open_data(self) -> pd.DataFrame:
        """``_site/joint/data/<slug>/measures.csv``: one row per shared measure and figure (``pmlib.views.open_data.JOINT_COLUMNS``)."""
        from pmlib.views.open_data import joint_measures_table

        return joint_measures_table(self)


def joint_report(
    params: ReportParams | str | Period | None,
    shared: SharedData | str | os.PathLike = "councils.yml",
    audience: str | None = None,
) -> JointReport:
    """The joint report for ``params`` (a file of ``joint/params``) from the checked shared-services project ``shared``.

    As a notebook calls it, ``params`` is a quarter (a code or slug, or None
    for the latest joint report) and ``shared`` the path to ``councils.yml``,
    which is loaded and checked (every council, the harmonisation, the joint
    files); ``audience`` overrides the joint params file's.

    Each council's report is its own params file for the quarter (its
    ``data_as_at``, its published dates), for the joint report's audience.
    The combined figures add the councils' figures as those reports saw them,
    and are judged against the joint targets as agreed by the joint report's
    ``data_as_at``.
    """
    if not isinstance(shared, SharedData):
        from pmlib.contract.councils import load_councils
        from pmlib.contract.harmonisation import load_shared

        shared = load_shared(load_councils(shared))
    if not isinstance(params, ReportParams):
        if shared.services.joint_params is None:
            raise ConfigError("councils.yml names no joint params folder; add 'joint: params: joint/params'", file=shared.services.file)
        params = report_params(shared.services.joint_params, params)
    if audience is not None:
        if audience not in ("public", "internal"):
            raise ConfigError(f"audience {audience!r}: use 'public' or 'internal'", column="audience")
        params = params.model_copy(update={"audience": audience})
    q, audience = params.quarter, params.audience
    councils = {f.id: shared.councils[f.id] for f in shared.services.councils}
    reports = {
        f.id: quarter_report(report_params(f.params, q), f.data, f.params, audience, data=councils[f.id]) for f in shared.services.councils
    }
    parts = [CouncilPart(c, councils[c], reports[c].params.data_as_at) for c in councils]
    listed = shared.shared.reset_index(drop=True)[["measure_id", "shared_service"]]
    measures = shared_measures(parts, listed)
    if audience != "internal":
        measures = measures[measures["public"].to_numpy(bool)]
    council = joint_council(shared.services.name, [d.council for d in councils.values()])
    targets = shared.joint_targets if len(shared.joint_targets) else None
    data = combined_data(parts, listed, council, targets)
    combined = public_view(judge_combined(data, parts, [q], params.data_as_at), audience).reset_index(drop=True)
    return JointReport(params, shared.services.name, councils, reports, measures, data, combined)
