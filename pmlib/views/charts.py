"""Charts as output bundles: an offline HTML view and an SVG, both from one Vega-Lite spec.

The website picks the HTML (an inline SVG that works without scripts, and the
spec beside it for the site's own Vega libraries to make interactive); the
Cabinet pack picks the SVG. Both carry the same text description, so no chart
is only a picture, and the HTML is followed by a link to the chart's figures as
CSV (``pmlib.views.chart_csv``). Element ids come from the quarter and the measure, never
from counters or memory addresses, so a rerun gives identical bytes.

The specs are written here as plain JSON-ready dicts rather than built with
Altair: a chart is a fixed shape filled with a few values, and Altair's
object model (a deep copy and a JSON-schema validation per call, about 40 ms
a chart, and 0.2 s to import in every notebook kernel) cost more than the
rendering itself. The dicts are exactly what Altair produced, key order,
dataset names and all; ``tests/test_charts.py`` checks them against the
Vega-Lite schema.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import vl_convert

from pmlib.views import chart_store
from pmlib.views.chart_csv import ChartFigures, figures_table
from pmlib.views.chart_drawer import drawn_elsewhere
from pmlib.views.chart_fonts import first_chart
from pmlib.views.disclosure import value_text
from pmlib.views.formats import format_value, target_text
from pmlib.views.sparklines import cumulative, same_quarter
from pmlib.views.wording import join_words
from pmlib.vocabulary import Unit

# Government Analysis Function categorical palette (accessible on white).
GAF_DARK_BLUE = "#12436D"
GAF_TURQUOISE = "#28A197"
GAF_DARK_PINK = "#801650"
GAF_ORANGE = "#F46A25"
GAF_DARK_GREY = "#3D3D3D"
TEXT_COLOUR = "#0B0C0C"
FONT = "Arial, Helvetica, Liberation Sans, sans-serif"
WIDTH, HEIGHT = 520, 200
# The Vega-Lite schema the specs follow (the version Altair 6.3 wrote); the site's Vega bundle and vl-convert both read it.
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
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
_SVG_CACHE_SIZE = 512
_FIGURE_ID = re.compile(r'<figure id="([^"]+)" class="pm-chart">')
_FIGURE_SVG = re.compile(r'<figure id="[^"]*" class="pm-chart">\n<div class="pm-chart-view">(.*)</div>\n<script .*', re.DOTALL)


@functools.lru_cache(maxsize=_SVG_CACHE_SIZE)
def _vegalite_svg(spec_json: str) -> str:
    """vl-convert's SVG for a spec, keyed by its exact JSON: a measure's exception chart is its history chart drawn again.

    Drawn by the chart drawer of a warm kernel's server when there is one
    (``pmlib.views.chart_drawer``), so the kernel never starts vl-convert,
    unless ``pm run``'s store of charts has it already (``pmlib.views.chart_store``).
    """
    svg = chart_store.kept(spec_json)
    if svg is None:
        svg = drawn_elsewhere(spec_json)
        if svg is None:
            with first_chart():
                svg = vl_convert.vegalite_to_svg(json.loads(spec_json))
        chart_store.keep(spec_json, svg)
    return svg


_XLINK = ' xmlns:xlink="http://www.w3.org/1999/xlink"'


@dataclass(frozen=True)
class Chart:
    """One chart: its spec, a stable element id, the words that stand in for it, and the figures it draws (``chart_csv``)."""

    element_id: str
    title: str
    description: str
    spec: dict = field(compare=False, repr=False)
    figures: ChartFigures | None = field(default=None, compare=False, repr=False)

    def svg(self) -> str:
        """The static rendering, labelled for screen readers, with ids made unique to this chart."""
        svg = _vegalite_svg(json.dumps(self.spec, ensure_ascii=False))
        svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{self.element_id}-{m.group(1)}"', svg)
        svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{self.element_id}-{m.group(1)})", svg)
        label = html.escape(self.description, quote=True)
        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
        if "xlink:" not in svg.replace(_XLINK, ""):  # declared, never used; Quarto's pages would carry it as an invalid "xlink"
            svg = svg.replace(_XLINK, "", 1)
        return svg

    def html(self, svg: str | None = None) -> str:
        """A self-contained figure: the SVG, the spec as inert JSON for interactivity, and a caption; then its figures' download link.

        The caption comes last: HTML allows a figure's caption only as its
        first or last child, so the link follows the figure.
        """
        svg = svg or self.svg()
        spec = json.dumps(self.spec, sort_keys=True, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        link = f"\n{self.figures.link(self.element_id, self.title)}" if self.figures is not None else ""
        return (
            f'<figure id="{self.element_id}" class="pm-chart">\n'
            f'<div class="pm-chart-view">{svg}</div>\n'
            f'<script type="application/json" class="pm-chart-spec">{spec}</script>\n'
            f'<figcaption class="pm-chart-description">{html.escape(self.description)}</figcaption>\n'
            f"</figure>{link}"
        )

    def drawn(self, figures: Mapping[str, str]) -> str:
        """``html()``, taken from ``figures`` (HTML by element id, from the executed notebooks) when one of them is this very chart.

        A measure page shows the chart its plan notebook already drew (same
        id, same spec), so vl-convert need not draw it again. A figure is
        reused only if ``html()`` of its own SVG gives it back byte for
        byte, so a notebook run on other data or words is never shown.
        """
        figure = figures.get(self.element_id)
        match = _FIGURE_SVG.fullmatch(figure) if figure else None
        if match and self.html(match.group(1)) == figure:
            return figure
        return self.html()

    def _repr_mimebundle_(self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None) -> dict[str, str]:
        svg = self.svg()
        return {"text/html": self.html(svg), "image/svg+xml": svg, "text/plain": self.description}


def chart_figures(outputs: Iterable[str]) -> dict[str, str]:
    """The chart figures among HTML outputs, by element id, for ``Chart.drawn``."""
    found = {}
    for html_text in outputs:
        match = _FIGURE_ID.match(html_text)
        if match:
            found[match.group(1)] = html_text
    return found


def _config() -> dict:
    """Fonts, colours and sizes shared by every chart; a fresh dict each time, since specs are handed out."""
    return {
        "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
        "axis": {
            "aria": False,
            "gridColor": "#E5E5E5",
            "labelColor": TEXT_COLOUR,
            "labelFontSize": 11,
            "titleColor": TEXT_COLOUR,
            "titleFontSize": 12,
        },
        "font": FONT,
        "legend": {
            "aria": False,
            "labelColor": TEXT_COLOUR,
            "labelFontSize": 11,
            "orient": "bottom",
            "title": None,
            "titleColor": TEXT_COLOUR,
        },
        "mark": {"aria": False},
        "title": {"anchor": "start", "color": TEXT_COLOUR, "fontSize": 14, "subtitleColor": TEXT_COLOUR, "subtitleFontSize": 12},
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as JSON-ready records, as Altair wrote them: Python scalars, and null for a missing or infinite number."""
    columns = []
    for _, column in frame.items():
        present = column.notna()
        if pd.api.types.is_float_dtype(column.dtype):
            present &= column.abs() != math.inf
        columns.append(column.astype(object).where(present, None).tolist())
    return [dict(zip(frame.columns, row, strict=True)) for row in zip(*columns, strict=True)]


def _dataset(values: list[dict]) -> tuple[str, dict]:
    """The spec's named dataset: named by a hash of its values, so equal data gives an equal name on every run."""
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]
    name = "empty" if values == [{}] else f"data-{digest}"
    return name, {name: values}


def _title(title: str, finding: str) -> dict:
    return {"text": title, "subtitle": finding}


def _shown(value: float, unit: str, decimals: int) -> str:
    return "not available" if value is None or (isinstance(value, float) and math.isnan(value)) else format_value(value, unit, decimals)


def measure_chart(element_id: str, history: pd.DataFrame, measure: pd.Series, title: str, finding: str) -> Chart:
    """A measure's published values by period against its target and intervention level.

    ``history`` has one row per period (``period``, ``value``, ``target``,
    ``intervention``), oldest first, already filtered for disclosure: a
    suppressed or missing value is NaN and leaves a gap rather than a guess.
    A line never joins the figures either side of a gap (that would draw a
    figure nobody published and hint at a withheld one): see ``_plotted``.
    """
    unit, decimals = measure["unit"], int(measure["decimals"])
    order = list(history["period"])
    rows, alone = _plotted(history, unit, decimals)
    present = [s for s in _SERIES if any(row["series"] == s for row in rows)]
    if not rows:
        return _empty_chart(element_id, history, measure, title, finding)
    legend = {"symbolSize": 300, "symbolStrokeWidth": 3, "symbolType": "stroke", "title": None}

    def encoding() -> dict:
        return {
            "color": {
                "field": "series",
                "legend": dict(legend),
                "scale": {"domain": present, "range": [_SERIES[s][0] for s in present]},
                "type": "nominal",
            },
            "strokeDash": {
                "field": "series",
                "legend": dict(legend),
                "scale": {"domain": list(present), "range": [list(_SERIES[s][1]) for s in present]},
                "type": "nominal",
            },
            "tooltip": [
                {"field": "series", "title": "Series", "type": "nominal"},
                {"field": "period", "title": "Period", "type": "ordinal"},
                {"field": "shown", "title": "Figure", "type": "nominal"},
            ],
            "x": {"axis": {"labelAngle": -40}, "field": "period", "sort": list(order), "title": None, "type": "ordinal"},
            "y": {
                "field": "amount",
                "scale": {"zero": unit in (Unit.PERCENT.word, Unit.NUMBER.word, Unit.GBP.word)},
                "title": _UNIT_AXIS.get(unit, ""),
                "type": "quantitative",
            },
        }

    name, datasets = _dataset(rows)
    points = {"type": "point", "filled": True, "opacity": 1, "shape": "circle", "size": 40}
    description = _history_description(history, measure, title, finding)
    layers = [
        {"mark": {"type": "line", "strokeWidth": 2}, "encoding": encoding()},
        {"mark": points, "encoding": encoding(), "transform": [{"filter": "(datum.series === 'Value')"}]},
    ]
    if alone:  # a target or intervention level with gaps both sides is a line of one point, so draw it as a short level tick
        lone = " || ".join(f"(datum.series === {json.dumps(s)} && indexof({json.dumps(p)}, datum.period) >= 0)" for s, p in alone.items())
        ticks = {k: v for k, v in encoding().items() if k != "strokeDash"}
        layers.insert(
            1, {"mark": {"type": "tick", "opacity": 1, "size": 16, "thickness": 2}, "encoding": ticks, "transform": [{"filter": lone}]}
        )
    spec = {
        "config": _config(),
        "layer": layers,
        "data": {"name": name},
        "description": description,
        "height": HEIGHT,
        "title": _title(title, finding),
        "width": WIDTH,
        "$schema": VEGA_LITE_SCHEMA,
        "datasets": datasets,
    }
    return Chart(element_id=element_id, title=title, description=description, spec=spec, figures=history_figures(history, measure))


def history_figures(history: pd.DataFrame, measure: pd.Series) -> ChartFigures:
    """A measure chart's figures by period, as its page's history table shows them: ``[c]`` withheld, ``[x]`` none.

    A measure monitored for context (``polarity: none``) has no target to
    show: ``[z]``, not applicable, as its history table says.

    The value keeps its quality markers (``[p]``, ``[e]``, ``[r]``) where
    ``history`` has the flags, so a figure taken away is never read as final
    when it was not.
    """
    unit, decimals = measure["unit"], int(measure["decimals"])
    flags = {
        k: history[k].to_numpy(bool) if k in history else [False] * len(history)
        for k in ("suppressed", "provisional", "estimated", "revised")
    }
    values = [
        value_text(v, unit, decimals, suppressed=s, provisional=p, estimated=e, revised=r)
        for v, s, p, e, r in zip(history["value"], *flags.values(), strict=True)
    ]
    return figures_table(
        ["Period", "Value", "Target", "Intervention level"],
        [
            [str(p) for p in history["period"]],
            values,
            *([target_text(v, unit, decimals, measure.get("polarity")) for v in history[c]] for c in ("target", "intervention")),
        ],
    )


_COLUMN_SERIES = {"value": "Value", "target": "Target", "intervention": "Intervention level"}


def _plotted(history: pd.DataFrame, unit: str, decimals: int) -> tuple[list[dict], dict[str, list[str]]]:
    """The chart's records (period, series, amount, shown), and by series the periods where a target or intervention line has a lone point.

    Each series keeps, with a null ``amount``, every period without a
    number that lies between two periods with one: Vega-Lite's line mark
    (whose default ``invalid`` mode, "break-paths-show-path-domains", breaks
    a path at a null y and keeps the period on the x axis) then breaks the
    line there instead of joining its neighbours; the static SVG and the
    site's interactive view both draw the spec so. Periods before a series'
    first number or after its last break nothing and are left out. Point
    marks skip the null rows and draw every figure, so one between two gaps
    still shows. The records are as Altair wrote them: a series after
    another, Python scalars, and null for a missing or infinite number.
    Worked out on the few periods of one measure with NumPy, not as a
    pandas table: a table's fixed costs were most of a chart's.
    """
    periods = history["period"].tolist()
    rows: list[dict] = []
    alone: dict[str, list[str]] = {}
    for column, series in _COLUMN_SERIES.items():
        amounts = history[column].to_numpy(dtype=float, na_value=np.nan)
        known = ~np.isnan(amounts)
        if not known.any():
            continue
        first, last = int(known.argmax()), len(known) - int(known[::-1].argmax())
        kept = known[first:last]
        for period, amount in zip(periods[first:last], amounts[first:last].tolist(), strict=True):
            plotted = None if math.isnan(amount) or math.isinf(amount) else amount
            rows.append({"period": period, "series": series, "amount": plotted, "shown": _shown(amount, unit, decimals)})
        if series != "Value" and len(kept) > 1:
            before, after = np.r_[False, kept[:-1]], np.r_[kept[1:], False]
            lone = [periods[first + i] for i in np.flatnonzero(kept & ~before & ~after)]
            if lone:
                alone[series] = lone
    return rows, alone


def _empty_chart(element_id: str, history: pd.DataFrame, measure: pd.Series, title: str, finding: str) -> Chart:
    """A measure with nothing to plot still gets a chart-sized note, so every page keeps its shape and words."""
    name, datasets = _dataset([{"text": "No published figures yet"}])
    description = _history_description(history, measure, title, finding)
    spec = {
        "config": _config(),
        "data": {"name": name},
        "mark": {"type": "text", "color": TEXT_COLOUR, "fontSize": 14},
        "description": description,
        "encoding": {"text": {"field": "text", "type": "nominal"}},
        "height": 60,
        "title": _title(title, finding),
        "width": WIDTH,
        "$schema": VEGA_LITE_SCHEMA,
        "datasets": datasets,
    }
    return Chart(element_id=element_id, title=title, description=description, spec=spec, figures=history_figures(history, measure))


def _withheld(periods: list) -> str:
    return f"{join_words([str(p) for p in periods])} {'is' if len(periods) == 1 else 'are'} withheld or missing"


def _history_description(history: pd.DataFrame, measure: pd.Series, title: str, finding: str) -> str:
    unit, decimals = measure["unit"], int(measure["decimals"])
    values = history["value"].to_numpy("float64", na_value=np.nan)
    known = ~np.isnan(values)
    if not known.any():
        return f"Line chart of {title}: no published figures yet. {finding}"
    periods = history["period"].tolist()
    quarter, same = same_quarter(periods, known) if cumulative(measure) else ("", [])
    shown_at = np.flatnonzero(known)
    at = np.array(same) if quarter else shown_at
    hi, lo = at[values[at].argmax()], at[values[at].argmin()]  # the first of equal figures, as idxmax gives
    lines = "with its target" + (" and intervention level" if history["intervention"].notna().any() else "")
    if history["target"].isna().all():
        lines = "without a target"
    first, last = int(shown_at[0]), int(shown_at[-1])
    gaps = [str(periods[i]) for i in range(first, last + 1) if not known[i]]
    breaks = f" The line breaks at {join_words(gaps)}, where a figure is withheld or missing." if gaps else ""
    if first > 0:
        breaks += f" The line starts at {periods[first]}: {_withheld(periods[:first])}."
    if last < len(periods) - 1:
        breaks += f" The line ends at {periods[last]}: {_withheld(periods[last + 1 :])}."
    span = f"for {periods[0]}" if len(periods) == 1 else f"from {periods[0]} to {periods[-1]}"
    high, low = _shown(values[hi], unit, decimals), _shown(values[lo], unit, decimals)
    if quarter:
        extremes = "The figures are the year to date, so each year starts again in Q1."
        if len(same) > 1:
            extremes += f" Of the {quarter} figures, the highest was {high} in {periods[hi]} and the lowest {low} in {periods[lo]}."
    elif len(shown_at) == 1:
        extremes = f"The only figure shown is {high}, for {periods[hi]}."
    else:
        extremes = f"The highest figure was {high} in {periods[hi]} and the lowest {low} in {periods[lo]}."
    return f"Line chart of {title} {span}, {lines}. {finding} {extremes}{breaks}"
