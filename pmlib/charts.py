"""Charts as output bundles: an offline HTML view and an SVG, both from one Vega-Lite spec.

The website picks the HTML (an inline SVG that works without scripts, and the
spec beside it for the site's own Vega libraries to make interactive); the
Cabinet pack picks the SVG. Both carry the same text description, so no chart
is only a picture. Element ids come from the quarter and the measure, never
from counters or memory addresses, so a rerun gives identical bytes.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field

import altair as alt
import pandas as pd
import vl_convert

from pmlib.formats import format_value
from pmlib.vocabulary import STATUS_LABELS

# Government Analysis Function categorical palette (accessible on white).
GAF_DARK_BLUE = "#12436D"
GAF_TURQUOISE = "#28A197"
GAF_DARK_PINK = "#801650"
GAF_ORANGE = "#F46A25"
GAF_DARK_GREY = "#3D3D3D"
TEXT_COLOUR = "#0B0C0C"
FONT = "Arial, Helvetica, Liberation Sans, sans-serif"
WIDTH, HEIGHT = 520, 200
_SERIES = {"Value": (GAF_DARK_BLUE, [1, 0]), "Target": (GAF_TURQUOISE, [6, 3]), "Intervention level": (GAF_DARK_PINK, [2, 2])}
_UNIT_AXIS = {
    "percent": "Per cent",
    "number": "Number",
    "days": "Days",
    "gbp": "Pounds",
    "rate_per_1000": "Per 1,000",
    "rate_per_100k": "Per 100,000",
    "score": "Score",
}


@dataclass(frozen=True)
class Chart:
    """One chart: its spec, a stable element id, and the words that stand in for it."""

    element_id: str
    title: str
    description: str
    spec: dict = field(compare=False, repr=False)

    def svg(self) -> str:
        """The static rendering, labelled for screen readers, with ids made unique to this chart."""
        svg = vl_convert.vegalite_to_svg(self.spec)
        svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{self.element_id}-{m.group(1)}"', svg)
        svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{self.element_id}-{m.group(1)})", svg)
        label = html.escape(self.description, quote=True)
        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
        return svg

    def html(self, svg: str | None = None) -> str:
        """A self-contained figure: the SVG, a caption, and the spec as inert JSON for interactivity."""
        svg = svg or self.svg()
        spec = json.dumps(self.spec, sort_keys=True, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        return (
            f'<figure id="{self.element_id}" class="pm-chart">\n'
            f'<div class="pm-chart-view">{svg}</div>\n'
            f'<figcaption class="pm-chart-description">{html.escape(self.description)}</figcaption>\n'
            f'<script type="application/json" class="pm-chart-spec">{spec}</script>\n'
            "</figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        svg = self.svg()
        return {"text/html": self.html(svg), "image/svg+xml": svg, "text/plain": self.description}


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT)
        .configure_mark(aria=False)
        .configure_view(stroke=None)
        .configure_axis(labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, labelFontSize=11, titleFontSize=12, gridColor="#E5E5E5", aria=False)
        .configure_title(color=TEXT_COLOUR, fontSize=14, subtitleColor=TEXT_COLOUR, subtitleFontSize=12, anchor="start")
        .configure_legend(labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, orient="bottom", labelFontSize=11, title=None, aria=False)
    )


def _shown(value: float, unit: str, decimals: int) -> str:
    return "not available" if value is None or (isinstance(value, float) and math.isnan(value)) else format_value(value, unit, decimals)


def measure_chart(element_id: str, history: pd.DataFrame, measure: pd.Series, title: str, finding: str) -> Chart:
    """A measure's published values by period against its target and intervention level.

    ``history`` has one row per period (``period``, ``value``, ``target``,
    ``intervention``), oldest first, already filtered for disclosure: a
    suppressed or missing value is NaN and leaves a gap rather than a guess.
    """
    unit, decimals = measure["unit"], int(measure["decimals"])
    order = list(history["period"])
    long = history.melt(id_vars="period", value_vars=["value", "target", "intervention"], var_name="series", value_name="amount")
    long["series"] = long["series"].map({"value": "Value", "target": "Target", "intervention": "Intervention level"})
    long = long.dropna(subset=["amount"])
    present = [s for s in _SERIES if s in set(long["series"])]
    if long.empty:
        return _empty_chart(element_id, history, measure, title, finding)
    long["shown"] = [_shown(v, unit, decimals) for v in long["amount"]]
    legend = alt.Legend(title=None, symbolType="stroke", symbolStrokeWidth=3, symbolSize=300)
    colour = alt.Color("series:N", scale=alt.Scale(domain=present, range=[_SERIES[s][0] for s in present]), legend=legend)
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=present, range=[_SERIES[s][1] for s in present]), legend=legend)
    x = alt.X("period:O", sort=order, title=None, axis=alt.Axis(labelAngle=-40))
    y = alt.Y("amount:Q", title=_UNIT_AXIS.get(unit, ""), scale=alt.Scale(zero=unit in ("percent", "number", "gbp")))
    tooltip = [alt.Tooltip("series:N", title="Series"), alt.Tooltip("period:O", title="Period"), alt.Tooltip("shown:N", title="Figure")]
    base = alt.Chart(long).encode(x=x, y=y, color=colour, strokeDash=dash, tooltip=tooltip)
    lines = base.mark_line(strokeWidth=2)
    points = base.transform_filter(alt.datum.series == "Value").mark_point(filled=True, size=40, shape="circle", opacity=1)
    chart = alt.layer(lines, points).properties(
        width=WIDTH, height=HEIGHT, title=alt.Title(title, subtitle=finding), description=f"{title}. {finding}"
    )
    description = _history_description(history, measure, title, finding)
    spec = _configure(chart).to_dict()
    spec["description"] = description
    return Chart(element_id=element_id, title=title, description=description, spec=spec)


def _empty_chart(element_id: str, history: pd.DataFrame, measure: pd.Series, title: str, finding: str) -> Chart:
    """A measure with nothing to plot still gets a chart-sized note, so every page keeps its shape and words."""
    note = alt.Chart(pd.DataFrame({"text": ["No published figures yet"]})).mark_text(fontSize=14, color=TEXT_COLOUR).encode(text="text:N")
    chart = note.properties(width=WIDTH, height=60, title=alt.Title(title, subtitle=finding), description=f"{title}. {finding}")
    description = _history_description(history, measure, title, finding)
    spec = _configure(chart).to_dict()
    spec["description"] = description
    return Chart(element_id=element_id, title=title, description=description, spec=spec)


def _history_description(history: pd.DataFrame, measure: pd.Series, title: str, finding: str) -> str:
    unit, decimals = measure["unit"], int(measure["decimals"])
    values = history.dropna(subset=["value"])
    if values.empty:
        return f"Line chart of {title}: no published figures yet. {finding}"
    first, last = history["period"].iloc[0], history["period"].iloc[-1]
    hi = values.loc[values["value"].idxmax()]
    lo = values.loc[values["value"].idxmin()]
    lines = "with its target" + (" and intervention level" if history["intervention"].notna().any() else "")
    if history["target"].isna().all():
        lines = "without a target"
    return (
        f"Line chart of {title} from {first} to {last}, {lines}. {finding} "
        f"The highest figure was {_shown(hi['value'], unit, decimals)} in {hi['period']} "
        f"and the lowest {_shown(lo['value'], unit, decimals)} in {lo['period']}."
    )


def status_chart(element_id: str, counts: pd.DataFrame, title: str, finding: str) -> Chart:
    """Statuses by delivery plan as stacked bars; legend and tooltips name each status in words and symbols.

    ``counts`` has one row per plan (``plan``, then a column per status key).
    """
    keys = [k for k in STATUS_LABELS if k in counts.columns]
    long = counts.melt(id_vars="plan", value_vars=keys, var_name="key", value_name="measures")
    long = long[long["measures"] > 0].copy()
    long["status"] = long["key"].map(lambda k: STATUS_LABELS[k].text)
    long["rank"] = long["key"].map(keys.index)
    domain = [STATUS_LABELS[k].text for k in keys]
    colour = alt.Color(
        "status:N", scale=alt.Scale(domain=domain, range=[STATUS_LABELS[k].colour for k in keys]), legend=alt.Legend(title=None)
    )
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("plan:N", sort=list(counts["plan"]), title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("measures:Q", title="Measures", stack="zero", axis=alt.Axis(tickMinStep=1, format="d")),
            color=colour,
            order=alt.Order("rank:Q"),
            tooltip=[alt.Tooltip("plan:N", title="Delivery plan"), alt.Tooltip("status:N", title="Status"), alt.Tooltip("measures:Q")],
        )
    )
    chart = bars.properties(width=WIDTH - 200, height=alt.Step(26), title=alt.Title(title, subtitle=finding))
    lines = []
    for row in counts.itertuples(index=False):
        parts = [f"{getattr(row, k)} {STATUS_LABELS[k].word.lower()}" for k in keys if getattr(row, k)]
        lines.append(f"{row.plan}: {', '.join(parts) or 'no measures'}.")
    description = f"Bar chart of measures by status for each delivery plan. {finding} " + " ".join(lines)
    spec = _configure(chart).to_dict()
    spec["description"] = description
    return Chart(element_id=element_id, title=title, description=description, spec=spec)
