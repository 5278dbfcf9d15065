"""A comparison as a chart: one horizontal bar per area of a group, best first, with any reference area as a line.

The council's bar is told apart four ways, so no one depends on colour: its
name carries "(this council)" and is bold, its figure is bold, and its bar is
dark blue where the others are grey. A reference area (England) is a dashed
line named in text beside it. The spec follows ``charts.measure_chart``: plain
Vega-Lite dicts, a dataset named by its content, the same fonts and colours,
and a text description that stands in for the picture.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd

from pmlib.engine.comparisons import COUNCIL
from pmlib.views.chart_csv import ChartFigures, figures_table
from pmlib.views.charts import (
    _UNIT_AXIS,
    TEXT_COLOUR,
    VEGA_LITE_SCHEMA,
    Chart,
    _config,
    _dataset,
    _records,
)
from pmlib.views.disclosure import SUPPRESSED
from pmlib.views.formats import format_value
from pmlib.vocabulary import Polarity

OTHER_AREAS = "#6F777B"  # GOV.UK dark grey: 4.6:1 on white, so a member's bar is a visible shape too
OUR_AREA = "#003078"  # GOV.UK dark blue: far darker than the grey in print, and no status's colour, so it cannot read as one
PLOT_WIDTH = 300  # the area names take the rest: the whole chart stays near the history chart's 520 px
BAR_STEP = 22
_TITLE_WRAP, _SUBTITLE_WRAP = 66, 80  # characters: about the chart's width at 14 px bold and 12 px
_ROLE_ORDER = {COUNCIL: 0, "member": 1, "reference": 2}


def council_label(name: str) -> str:
    """How the council's own row is named in a comparison's chart and table: its name, and that it is this council."""
    return f"{name} (this council)"


def best_first(figures: pd.DataFrame, polarity: str) -> pd.DataFrame:
    """Figures (with ``value`` and ``role``) in the order a chart and its table show them: best first.

    Among equal figures the council comes first (it takes the best rank of
    those it ties with), then the members, then a reference area. Polarity
    ``none`` has no best, so the highest comes first. A withheld council
    figure is shown first: placing it would tell where it lies.
    """
    values = figures["value"].to_numpy("float64")
    key = values if polarity == Polarity.LOWER.word else -values
    withheld = np.isnan(values)
    roles = figures["role"].map(_ROLE_ORDER).to_numpy("int64")
    order = np.lexsort((roles, np.where(withheld, 0, key), ~withheld))
    return figures.iloc[order].reset_index(drop=True)


def _lines(text: str, width: int) -> list[str] | str:
    lines = textwrap.wrap(text, width, break_on_hyphens=False)
    return lines if len(lines) > 1 else text


def comparison_chart(
    element_id: str,
    figures: pd.DataFrame,
    references: pd.DataFrame,
    measure: pd.Series,
    title: str,
    finding: str,
    description: str,
) -> Chart:
    """A group's figures as bars, best first, and each reference area as a labelled line.

    ``figures`` are the group's areas in display order (``best_first``),
    each with ``area`` (its name as shown), ``value``, ``role`` and
    ``suppressed``, as the audience may see them: a withheld council figure
    is NaN and shows as ``[c]``. ``references`` have ``area`` and ``value``,
    one line each.
    ``title`` states the finding and ``finding`` says the rest, as the
    chart's title and subtitle.
    """
    unit, decimals = measure["unit"], int(measure["decimals"])
    council = (figures["role"] == COUNCIL).to_numpy(bool)
    withheld = figures["suppressed"].to_numpy(bool) & figures["value"].isna().to_numpy(bool)
    shown = [SUPPRESSED if w else format_value(v, unit, decimals) for v, w in zip(figures["value"], withheld, strict=True)]
    bars = pd.DataFrame(
        {
            "area": figures["area"].to_numpy(object),
            "value": figures["value"].to_numpy("float64"),
            "shown": shown,
            "council": council,
            "at": figures["value"].fillna(0).to_numpy("float64"),
        }
    )
    order, ours = list(bars["area"]), str(bars.loc[council, "area"].iloc[0])
    name, datasets = _dataset(_records(bars))
    y = {"field": "area", "sort": order, "title": None, "type": "nominal"}
    layers = [
        {
            "mark": {"type": "bar"},
            "encoding": {
                "color": {"condition": {"test": "datum.council", "value": OUR_AREA}, "value": OTHER_AREAS},
                "tooltip": [
                    {"field": "area", "title": "Area", "type": "nominal"},
                    {"field": "shown", "title": "Figure", "type": "nominal"},
                ],
                "x": {"field": "value", "title": _UNIT_AXIS.get(unit, ""), "type": "quantitative"},
                "y": y
                | {
                    "axis": {
                        "labelLimit": 240,
                        "labelFontWeight": {
                            "condition": {"test": f"datum.value === {json.dumps(ours)}", "value": "bold"},
                            "value": "normal",
                        },
                    }
                },
            },
        },
    ]
    lines = references.assign(shown=[format_value(v, unit, decimals) for v in references["value"]])
    if not lines.empty:
        lines = lines.assign(label=[f"{a}: {s}" for a, s in zip(lines["area"], lines["shown"], strict=True)])
        line_name, line_data = _dataset(_records(lines[["area", "value", "label"]]))
        datasets |= line_data
        rule = {"type": "rule", "color": TEXT_COLOUR, "strokeDash": [6, 3], "strokeWidth": 2}
        layers += [
            {"data": {"name": line_name}, "mark": rule, "encoding": {"x": {"field": "value", "type": "quantitative"}}},
            {
                "data": {"name": line_name},
                "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 3, "dy": -4, "color": TEXT_COLOUR, "fontSize": 11},
                "encoding": {
                    "text": {"field": "label", "type": "nominal"},
                    "x": {"field": "value", "type": "quantitative"},
                    "y": {"value": 0},
                },
            },
        ]
    for weight, keep in (("normal", "!datum.council"), ("bold", "datum.council")):  # Vega-Lite has no font-weight channel
        text = {"type": "text", "align": "left", "baseline": "middle", "dx": 4, "color": TEXT_COLOUR, "fontSize": 11, "fontWeight": weight}
        encoding = {"text": {"field": "shown", "type": "nominal"}, "x": {"field": "at", "type": "quantitative"}, "y": y}
        halo = text | {"color": "#FFFFFF", "stroke": "#FFFFFF", "strokeWidth": 3, "strokeJoin": "round"}  # keeps a line from crossing it
        layers += [{"mark": mark, "encoding": encoding, "transform": [{"filter": keep}]} for mark in (halo, text)]
    spec = {
        "config": _config(),
        "layer": layers,
        "data": {"name": name},
        "description": description,
        "height": {"step": BAR_STEP},
        "title": {"text": _lines(title, _TITLE_WRAP), "subtitle": _lines(finding, _SUBTITLE_WRAP), "offset": 14 if not lines.empty else 6},
        "width": PLOT_WIDTH,
        "$schema": VEGA_LITE_SCHEMA,
        "datasets": datasets,
    }
    figures_shown = comparison_figures(figures, references, measure)
    return Chart(element_id=element_id, title=title, description=description, spec=spec, figures=figures_shown)


def comparison_figures(figures: pd.DataFrame, references: pd.DataFrame, measure: pd.Series) -> ChartFigures:
    """The chart's figures as its table alternative lists them: every area best first, each reference area in its place."""
    refs = pd.DataFrame(
        {
            "area": [f"{a} (for reference)" for a in references["area"]],
            "value": references["value"].to_numpy("float64"),
            "role": "reference",
            "suppressed": False,
        }
    )
    areas = figures[["area", "value", "role", "suppressed"]].reset_index(drop=True)
    rows = best_first(pd.concat([areas, refs], ignore_index=True) if len(refs) else areas, measure["polarity"])
    unit, decimals = measure["unit"], int(measure["decimals"])
    shown = [
        SUPPRESSED if s and pd.isna(v) else format_value(v, unit, decimals) for v, s in zip(rows["value"], rows["suppressed"], strict=True)
    ]
    return figures_table(["Area", "Value"], [[str(a) for a in rows["area"]], shown])
