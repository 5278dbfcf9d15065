"""One object per report: what a notebook, a page or the command line asks for a quarter.

``quarter_report`` reads the params file, loads and validates the data, and
judges the quarter as its figures stood at ``data_as_at``, flagging figures
that differ from what earlier published reports showed. Everything public
passes through ``public_view`` here, once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmlib.config import ReportParams, read_report_params
from pmlib.disclosure import public_view, value_texts
from pmlib.errors import ConfigError
from pmlib.formats import format_value
from pmlib.loading import CouncilData, load_data
from pmlib.narrative import headline, movement, plan_sentence
from pmlib.periods import Period, parse_quarter
from pmlib.status import judge
from pmlib.vocabulary import status_label, trend_label


def params_files(params_dir: str | os.PathLike) -> dict[Period, Path]:
    """Every ``params/<slug>.yml`` by quarter, oldest first; other files are ignored."""
    out = {}
    for path in sorted(Path(params_dir).glob("*.yml")):
        try:
            out[parse_quarter(path.stem)] = path
        except ValueError:
            continue
    return dict(sorted(out.items()))


def report_params(params_dir: str | os.PathLike, quarter: str | Period | None = None) -> ReportParams:
    """The params for ``quarter`` (a code or slug), or for the latest quarter when None."""
    files = params_files(params_dir)
    if not files:
        raise ConfigError(f"no params files in {params_dir}; add one per quarter, e.g. {Path(params_dir) / '2020-21-Q2.yml'}")
    if quarter is None:
        return read_report_params(files[max(files)])
    period = quarter if isinstance(quarter, Period) else parse_quarter(quarter)
    if period not in files:
        raise ConfigError(f"no params file for {period.code}: create {Path(params_dir) / (period.slug + '.yml')} (see the data contract)")
    return read_report_params(files[period])


def published_dates(params_dir: str | os.PathLike, before: Period) -> list:
    """``data_as_at`` of every report for a quarter before ``before``: the already-published figures."""
    return [read_report_params(p).data_as_at for q, p in params_files(params_dir).items() if q < before]


@dataclass(frozen=True)
class QuarterReport:
    """A quarter as its audience may see it: the judged rows, the data behind them, and its words."""

    params: ReportParams
    data: CouncilData
    judged: pd.DataFrame
    previous: pd.DataFrame | None

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
        """Rows needing an exception report, with the officer's commentary where given."""
        rows = self.judged[self.judged["needs_exception"]]
        notes = self.data.commentary[self.data.commentary["period"] == self.quarter.code]
        return rows.merge(notes.drop(columns="period"), on="measure_id", how="left")

    def plan_rows(self, plan_id: str) -> pd.DataFrame:
        """The judged rows of one delivery plan."""
        return self.judged[self.judged["plan_id"] == plan_id]

    def narrative(self) -> str:
        """Headline sentences for the quarter, with movement since the previous quarter."""
        names = self.data.measures["name"]
        text = headline(self.judged, names)
        if self.previous is not None:
            text += " " + movement(self.judged, self.previous, self.quarter.previous().code)
        return text

    def table(self) -> pd.DataFrame:
        """Display strings for every row: value with GSS markers, target, status and trends in words."""
        j, m = self.judged, self.measures
        fmt = lambda col: [format_value(v, u, d) for v, u, d in zip(j[col], m["unit"], m["decimals"], strict=True)]  # noqa: E731
        return pd.DataFrame(
            {
                "measure_id": j["measure_id"].to_numpy(),
                "plan_id": j["plan_id"].to_numpy(),
                "measure": m["name"].to_numpy(),
                "period": j["period"].to_numpy(),
                "value": value_texts(j, self.data.measures).to_numpy(),
                "target": fmt("target"),
                "intervention": fmt("intervention"),
                "status": [status_label(s).text for s in j["status"]],
                "short_trend": [trend_label(t).text for t in j["short_trend"]],
                "long_trend": [trend_label(t).text for t in j["long_trend"]],
            }
        )

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


def quarter_report(
    params: ReportParams | str | Period, data_dir: str | os.PathLike = "data", params_dir: str | os.PathLike = "params"
) -> QuarterReport:
    """Load, validate and judge one report quarter for its audience."""
    if not isinstance(params, ReportParams):
        params = report_params(params_dir, params)
    data = load_data(data_dir)
    published = published_dates(params_dir, params.quarter)
    judged = public_view(judge(data, [params.quarter], params.data_as_at, published), params.audience)
    previous = None
    prev_quarter = params.quarter.previous()
    files = params_files(params_dir)
    if prev_quarter in files:
        prev_params = read_report_params(files[prev_quarter])
        prev_published = published_dates(params_dir, prev_quarter)
        previous = public_view(judge(data, [prev_quarter], prev_params.data_as_at, prev_published), params.audience)
    return QuarterReport(params=params, data=data, judged=judged.reset_index(drop=True), previous=previous)
