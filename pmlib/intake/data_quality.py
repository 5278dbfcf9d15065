"""The data quality report: what a performance officer checks before a quarter is signed off.

Validation (``pm check``) rejects what breaks the contract; this report finds
what is valid but worth a second look: returns not received, returns and
commentary not in by the quarter's ``returns_due`` (``pmlib.intake.deadline``), figures
missing for the periods the report needs, provisional and estimated
figures, figures far from the measure's own history (robust: the median
absolute deviation, so one earlier bad month does not hide the next),
likely unit mistakes (a percent typed as a fraction), numerators above
denominators where the unit counts cases in a population (a percent or a
rate, not an average such as days per claim), figures supplied after the
cut-off, and revisions since the last report. It covers every measure,
restricted ones too: it is for the performance team, never for publication.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from pmlib.contract.config import read_report_params
from pmlib.contract.loading import CouncilData
from pmlib.contract.params_folder import params_files
from pmlib.contract.periods import Period, parse_period, parse_quarter
from pmlib.engine.figures import figures_as_at
from pmlib.engine.rollup import ratio_value
from pmlib.engine.status import judge
from pmlib.intake.deadline import intervention_without_commentary, returns_by_deadline
from pmlib.intake.return_rows import targets_not_set
from pmlib.views.formats import format_value
from pmlib.vocabulary import MULTIPLIERS, Aggregation, Quality

OUTLIER_Z = 3.5
HISTORY = 24
MIN_HISTORY = 6
_SCALES = ((100.0, "about 100 times"), (1000.0, "about 1,000 times"))


@dataclass(frozen=True)
class Section:
    """One kind of finding: a title, why it matters, and its rows (already in words)."""

    key: str
    title: str
    why: str
    table: pd.DataFrame


@dataclass(frozen=True)
class DataQuality:
    """Every finding for one report quarter, by kind."""

    council: str
    quarter: Period
    as_at: dt.date | None
    previous: tuple[Period, dt.date] | None
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        """One section by its key (``returns``, ``deadline``, ``no-commentary``, ``missing``, ``quality``, ``outliers``, ``units``, ...)."""
        return next(s for s in self.sections if s.key == key)

    @property
    def as_at_words(self) -> str:
        """The cut-off in words, for headings."""
        if self.as_at is None:
            return "the newest figures, as there is no params file for this quarter yet"
        return f"figures as at {self.as_at:%-d %B %Y}"

    def text(self) -> str:
        """The report as plain text for the terminal."""
        lines = [f"Data quality: {self.council}, {self.quarter.code} ({self.as_at_words})"]
        for s in self.sections:
            lines.append("")
            lines.append(f"{s.title} ({len(s.table)})")
            if s.table.empty:
                lines.append("  none")
            for row in s.table.itertuples(index=False):
                lines.append("  " + "; ".join(f"{c}: {v}" for c, v in zip(s.table.columns, row, strict=True) if v not in ("", None)))
        return "\n".join(lines) + "\n"


def _value(figures: pd.DataFrame, measures: pd.DataFrame) -> np.ndarray:
    """The figure as a reader would see it: a ratio's numerator and denominator made into its rate."""
    m = measures.loc[figures["measure_id"]]
    rate = ratio_value(figures["numerator"], figures["denominator"], m["unit"])
    return np.where((m["aggregation"] == Aggregation.RATIO.word).to_numpy(), rate, figures["value"].to_numpy("float64"))


def needed_periods(data: CouncilData, quarter: Period, as_at: dt.date | None) -> pd.DataFrame:
    """Each measure's own periods that the quarter's report needs (its expected period, rule 1)."""
    judged = judge(data, [quarter], as_at)
    rows = []
    for measure_id, expected in zip(judged["measure_id"], judged["period"], strict=True):
        m = data.measures.loc[measure_id]
        period = parse_period(expected)
        for own in period.months() if m["frequency"] == "monthly" else (period,):
            rows.append((measure_id, own.code, own.index, m["owner"] if isinstance(m["owner"], str) and m["owner"] else "(no owner)"))
    return pd.DataFrame(rows, columns=["measure_id", "period", "period_index", "owner"])


def _shown(values, measure_ids, measures: pd.DataFrame) -> list[str]:
    m = measures.loc[list(measure_ids)]
    return [format_value(v, u, int(d)) for v, u, d in zip(values, m["unit"], m["decimals"], strict=True)]


def _history_checks(data: CouncilData, figures: pd.DataFrame, received: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outliers against each measure's own recent history, and figures about 100 or 1,000 times their usual size."""
    figures = figures.assign(shown=_value(figures, data.measures))
    outliers, units = [], []
    for r in received.itertuples(index=False):
        history = figures[(figures["measure_id"] == r.measure_id) & (figures["period_index"] < r.period_index)]
        past = history.sort_values("period_index")["shown"].dropna().to_numpy()[-HISTORY:]
        if len(past) < MIN_HISTORY or np.isnan(r.shown):
            continue
        median = float(np.median(past))
        mad = float(np.median(np.abs(past - median)))
        scale = abs(r.shown / median) if median else np.nan
        why = next((words for k, words in _SCALES if 0.5 * k <= scale <= 2 * k or 0.5 / k <= scale <= 2 / k), None)
        if why:
            size = "larger" if scale > 1 else "smaller"
            hint = " (a fraction typed for a percent?)" if data.measures.at[r.measure_id, "unit"] == "percent" and scale < 1 else ""
            units.append((r.measure_id, r.period, r.shown, median, f"{why} {size} than usual{hint}"))
        elif mad > 0 and abs(0.6745 * (r.shown - median) / mad) > OUTLIER_Z:
            outliers.append((r.measure_id, r.period, r.shown, median, round(0.6745 * (r.shown - median) / mad, 1), len(past)))
    return (
        pd.DataFrame(outliers, columns=["measure_id", "period", "value", "median", "robust_z", "history"]),
        pd.DataFrame(units, columns=["measure_id", "period", "value", "median", "why"]),
    )


def _previous_report(params_dir, quarter: Period) -> tuple[Period, dt.date] | None:
    earlier = {q: p for q, p in params_files(params_dir).items() if q < quarter}
    if not earlier:
        return None
    q = max(earlier)
    return q, read_report_params(earlier[q]).data_as_at


def _revisions(data: CouncilData, previous: tuple[Period, dt.date] | None, as_at: dt.date | None) -> pd.DataFrame:
    if previous is None:
        return pd.DataFrame(columns=["measure_id", "period", "was", "now", "reported_on", "source", "_row"])
    then = figures_as_at(data.observations, previous[1]).set_index(["measure_id", "period"])
    now = figures_as_at(data.observations, as_at).set_index(["measure_id", "period"])
    common = now.index.intersection(then.index)
    a, b = now.loc[common], then.loc[common]
    differs = np.zeros(len(common), dtype=bool)
    for col in ("value", "numerator", "denominator"):
        x, y = a[col].to_numpy("float64"), b[col].to_numpy("float64")
        differs |= ~((x == y) | (np.isnan(x) & np.isnan(y)))
    a, b = a[differs].reset_index(), b[differs].reset_index()
    return pd.DataFrame(
        {
            "measure_id": a["measure_id"],
            "period": a["period"],
            "was": _value(b, data.measures),
            "now": _value(a, data.measures),
            "reported_on": a["reported_on"].dt.strftime("%Y-%m-%d"),
            "source": a["source"],
            "_row": a["_row"],
        }
    )


def data_quality(data: CouncilData, quarter: str | Period, params_dir: str | os.PathLike = "params") -> DataQuality:
    """Every data quality finding for a report quarter, as the figures stand at its ``data_as_at`` (or now, without a params file)."""
    q = quarter if isinstance(quarter, Period) else parse_quarter(quarter)
    files = params_files(params_dir)
    params = read_report_params(files[q]) if q in files else None
    as_at, due = (params.data_as_at, params.returns_due) if params else (None, None)
    previous = _previous_report(params_dir, q)
    needed = needed_periods(data, q, as_at)
    figures = figures_as_at(data.observations, as_at)
    merged = needed.merge(figures.drop(columns=["period_index"]), on=["measure_id", "period"], how="left", indicator=True)
    got = (merged["_merge"] == "both").to_numpy()
    received = merged[got].assign(shown=lambda f: _value(f, data.measures) if len(f) else np.array([]))
    missing = merged[~got]
    name = data.measures["name"]
    owner = needed.drop_duplicates("measure_id").set_index("measure_id")["owner"]

    by_owner = merged.assign(received=got).groupby("owner", sort=True)["received"].agg(["size", "sum"])
    returns = pd.DataFrame(
        {
            "owner": by_owner.index,
            "figures needed": by_owner["size"].to_numpy(),
            "received": by_owner["sum"].astype(int).to_numpy(),
            "state": np.select(
                [by_owner["sum"] == by_owner["size"], by_owner["sum"] == 0], ["complete", "not received"], default="partly received"
            ),
        }
    )
    returns = returns.sort_values(
        ["state", "owner"], key=lambda s: s.map({"not received": 0, "partly received": 1, "complete": 2}) if s.name == "state" else s
    )

    def describe(frame: pd.DataFrame, **columns) -> pd.DataFrame:
        base = {"measure": [f"{m} {name[m]}" for m in frame["measure_id"]], "owner": list(owner.reindex(frame["measure_id"]).fillna(""))}
        return pd.DataFrame(base | {k: list(v) for k, v in columns.items()})

    flagged = received[received["quality"].isin([Quality.PROVISIONAL.word, Quality.ESTIMATED.word])]
    outliers, units = _history_checks(data, figures, received)
    kind = data.measures.loc[received["measure_id"], ["aggregation", "unit"]]
    counted = (kind["aggregation"] == Aggregation.RATIO.word).to_numpy() & kind["unit"].isin(list(MULTIPLIERS)).to_numpy()
    over = received[counted & (received["numerator"] > received["denominator"]).to_numpy()]
    late = data.observations[data.observations["reported_on"] > pd.Timestamp(as_at)] if as_at else data.observations.iloc[0:0]
    late = late.merge(needed[["measure_id", "period"]], on=["measure_id", "period"])
    revisions = _revisions(data, previous, as_at)
    unset, targets_file = targets_not_set(data, needed), os.path.join(str(data.data_dir), "targets.csv")
    where = lambda f: [f"{s}:{int(r)}" for s, r in zip(f["source"], f["_row"], strict=True)]  # noqa: E731
    shown = lambda v, f: _shown(v, f["measure_id"], data.measures)  # noqa: E731
    after = f"after {as_at:%-d %B %Y}" if as_at else "after the cut-off"
    since = f"since the last report ({previous[0].code}, figures as at {previous[1]:%-d %B %Y})" if previous else "since the last report"

    by = f"by {due:%-d %B %Y}" if due else "by the deadline"
    no_due = " No returns_due is set in this quarter's params file, so there is no deadline to check against." if not due else ""
    sections = (
        Section(
            "returns", "Returns by owner", "Each service unit's figures for the periods this report needs.", returns.reset_index(drop=True)
        ),
        Section(
            "deadline",
            f"Returns not complete {by}",
            "Each owner's figures first supplied by the deadline (returns_due) or after it; a later revision does not count." + no_due,
            returns_by_deadline(data, needed, due) if due else pd.DataFrame(columns=["owner"]),
        ),
        Section(
            "no-commentary",
            f"Intervention without commentary {by if due else 'by the cut-off'}",
            "Measures needing intervention this quarter whose commentary was not in by the deadline (or, without one, the "
            "cut-off): the exception report shows 'Commentary missing' until it is.",
            intervention_without_commentary(data, q, as_at, due),
        ),
        Section(
            "targets",
            "Targets not set",
            "Measures with targets in earlier years but none for the year this report needs (a new year's targets not yet added): "
            "the report will judge them as monitoring, so a measure needing intervention would not be listed as such.",
            describe(unset, year=unset["year"], targets_end_with=unset["ends"], where=[f"{targets_file}:{r}" for r in unset["row"]]),
        ),
        Section(
            "missing",
            "Figures missing",
            "No figure for a period the report needs: the measure shows as no data.",
            describe(missing, period=missing["period"]),
        ),
        Section(
            "quality",
            "Provisional or estimated figures",
            "Shown with [p] or [e]; confirm them or say when they will be.",
            describe(flagged, period=flagged["period"], quality=flagged["quality"], note=flagged["note"].fillna(""), source=where(flagged)),
        ),
        Section(
            "outliers",
            "Possible outliers",
            f"More than {OUTLIER_Z} robust z-scores (median absolute deviation) from the measure's last {HISTORY} figures.",
            describe(
                outliers,
                period=outliers["period"],
                value=shown(outliers["value"], outliers),
                usual=shown(outliers["median"], outliers),
                robust_z=outliers["robust_z"],
                history=outliers["history"],
            ),
        ),
        Section(
            "units",
            "Possible unit mistakes",
            "About 100 or 1,000 times larger or smaller than the measure's usual figure.",
            describe(
                units, period=units["period"], value=shown(units["value"], units), usual=shown(units["median"], units), why=units["why"]
            ),
        ),
        Section(
            "ratios",
            "Numerator above denominator",
            "A percent or a rate per 1,000 or 100,000 counts cases in a population: here there are more cases than the population "
            "they are counted in. Other ratios (an average, such as days per claim: total days over claims) are not listed, "
            "as their numerator is usually the larger.",
            describe(
                over,
                period=over["period"],
                numerator=over["numerator"].map("{:g}".format),
                denominator=over["denominator"].map("{:g}".format),
            ),
        ),
        Section(
            "late",
            f"Supplied {after}",
            "Received after the cut-off, so not in this report; they will count as revisions in the next.",
            describe(late, period=late["period"], reported_on=late["reported_on"].dt.strftime("%Y-%m-%d"), source=where(late)),
        ),
        Section(
            "revisions",
            f"Revisions {since}",
            "Figures that differ from the ones the last report used; the report marks them [r].",
            describe(
                revisions,
                period=revisions["period"],
                was=shown(revisions["was"], revisions),
                now=shown(revisions["now"], revisions),
                reported_on=revisions["reported_on"],
                source=where(revisions),
            ),
        ),
    )
    return DataQuality(data.council.short_name, q, as_at, previous, sections)


def quality_page(found: DataQuality) -> str:
    """The report as one self-contained, accessible HTML page."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("pmlib.rendering", "templates"), autoescape=True, keep_trailing_newline=True)
    return env.get_template("data_quality.html.j2").render(report=found)


def write_quality_page(found: DataQuality, path: str | os.PathLike) -> Path:
    """Write ``quality_page`` to ``path`` (its folder made if needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(quality_page(found), encoding="utf-8")
    return path
