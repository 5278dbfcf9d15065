"""The status chart: each delivery plan's measures by status, as stacked bars that say their status in symbols and counts.

A status is never told by colour alone (WCAG 1.4.1): each segment carries
its status's symbol and count, in whichever of white or near-black contrasts
more with its fill, with white between segments, and the legend names each
colour with its symbol and word. The spec follows ``charts.measure_chart``:
plain Vega-Lite dicts, a dataset named by its content, the same fonts.
"""

from __future__ import annotations

import pandas as pd

from pmlib.views.chart_csv import figures_table
from pmlib.views.charts import TEXT_COLOUR, VEGA_LITE_SCHEMA, WIDTH, Chart, _config, _dataset, _records, _title
from pmlib.views.labels import STATUS_LABELS


def _luminance(colour: str) -> float:
    """WCAG's relative luminance of a ``#RRGGBB`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink(fill: str) -> str:
    """The text colour, white or the charts' near-black, with the higher contrast on ``fill``."""
    on = _luminance(fill) + 0.05
    return "#FFFFFF" if 1.05 / on >= on / (_luminance(TEXT_COLOUR) + 0.05) else TEXT_COLOUR


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
    lines = []
    for row in counts.itertuples(index=False):
        parts = [f"{getattr(row, k)} {STATUS_LABELS[k].word.lower()}" for k in keys if getattr(row, k)]
        lines.append(f"{row.plan}: {', '.join(parts) or 'no measures'}.")
    description = f"Bar chart of measures by status for each delivery plan. {finding} " + " ".join(lines)
    long["label"] = long["key"].map(lambda k: STATUS_LABELS[k].symbol) + " " + long["measures"].astype(str)
    long["middle"] = long.groupby("plan")["measures"].cumsum() - long["measures"] / 2  # rows run in stacking (rank) order
    long["ink"] = long["key"].map(lambda k: _ink(STATUS_LABELS[k].colour))
    name, datasets = _dataset(_records(long))
    x = {"axis": {"format": "d", "tickMinStep": 1}, "field": "measures", "stack": "zero", "title": "Measures", "type": "quantitative"}
    spec = {
        "config": _config(),
        "data": {"name": name},
        "encoding": {"y": {"axis": {"labelLimit": 260}, "field": "plan", "sort": list(counts["plan"]), "title": None, "type": "nominal"}},
        "layer": [
            {
                "mark": {"type": "bar", "stroke": "#FFFFFF", "strokeWidth": 2},
                "encoding": {
                    "color": {
                        "field": "status",
                        "legend": {"title": None},
                        "scale": {"domain": domain, "range": [STATUS_LABELS[k].colour for k in keys]},
                        "type": "nominal",
                    },
                    "order": {"field": "rank", "type": "quantitative"},
                    "tooltip": [
                        {"field": "plan", "title": "Delivery plan", "type": "nominal"},
                        {"field": "status", "title": "Status", "type": "nominal"},
                        {"field": "measures", "type": "quantitative"},
                    ],
                    "x": x,
                },
            },
            {  # each segment's symbol and count on it, so no status is told by colour alone (WCAG 1.4.1)
                "mark": {"type": "text", "fontWeight": "bold"},
                "encoding": {
                    "color": {"field": "ink", "legend": None, "scale": None, "type": "nominal"},
                    "text": {"field": "label", "type": "nominal"},
                    "x": {"field": "middle", "type": "quantitative"},
                },
            },
        ],
        "resolve": {"scale": {"color": "independent"}},
        "height": {"step": 26},
        "title": _title(title, finding),
        "width": WIDTH - 200,
        "$schema": VEGA_LITE_SCHEMA,
        "datasets": datasets,
        "description": description,
    }
    figures = figures_table(
        ["Delivery plan", *(STATUS_LABELS[k].word for k in keys)], [list(counts["plan"]), *([str(int(n)) for n in counts[k]] for k in keys)]
    )
    return Chart(element_id=element_id, title=title, description=description, spec=spec, figures=figures)
