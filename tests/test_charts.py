"""The chart specs: valid Vega-Lite, the shapes and data the pages and the pack rely on, and an SVG drawn once per spec."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmlib.views import charts
from pmlib.views import status_chart as status_charts
from pmlib.views.charts import VEGA_LITE_SCHEMA, measure_chart
from pmlib.views.labels import STATUS_LABELS
from pmlib.views.status_chart import status_chart

MEASURE = pd.Series({"unit": "percent", "decimals": 1})
SNAPSHOTS = Path(__file__).parent / "snapshots"


def _history(values, targets=None, interventions=None) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "period": [f"2020/21 Q{i + 1}" for i in range(n)],
            "value": values,
            "target": targets if targets is not None else [np.nan] * n,
            "intervention": interventions if interventions is not None else [np.nan] * n,
            "status": ["no_data"] * n,
        }
    )


def _specs() -> dict[str, dict]:
    counts = pd.DataFrame({"plan": ["A plan", "B plan"], "on_target": [2, 0], "below_target": [1, 0], "intervention": [0, 3]})
    return {
        "line": measure_chart("c-line", _history([1.5, np.nan, 3.25], [2.0] * 3, [1.0] * 3), MEASURE, "Title", "Finding.").spec,
        "empty": measure_chart("c-empty", _history([np.nan, np.nan]), MEASURE, "Title", "Finding.").spec,
        "lone target": measure_chart("c-lone", _history([1.0, np.nan, 2.0], [2.0, np.nan, 2.0]), MEASURE, "Title", "Finding.").spec,
        "status": status_chart("c-status", counts, "Title", "Finding.").spec,
    }


@pytest.mark.parametrize("kind", ["line", "empty", "lone target", "status"])
def test_specs_are_valid_vega_lite(kind):
    """The specs are written as plain dicts, so the schema Altair would have checked them against is checked here."""
    altair = pytest.importorskip("altair")
    jsonschema = pytest.importorskip("jsonschema")
    spec = _specs()[kind]
    assert spec["$schema"] == VEGA_LITE_SCHEMA
    jsonschema.validate(spec, altair.vegalite.v6.schema.core.load_schema())


def test_data_is_json_ready_with_a_gap_kept_as_a_null_row():
    spec = _specs()["line"]
    ((name, rows),) = spec["datasets"].items()
    assert spec["data"] == {"name": name} and name.startswith("data-")
    assert json.loads(json.dumps(rows, allow_nan=False)) == rows  # no NaN, no numpy scalars
    values = [(r["period"], r["amount"], r["shown"]) for r in rows if r["series"] == "Value"]
    # the missing figure is a gap, not a point: a row with no amount, where Vega-Lite breaks the line
    assert values == [("2020/21 Q1", 1.5, "1.5%"), ("2020/21 Q2", None, "not available"), ("2020/21 Q3", 3.25, "3.3%")]
    assert [layer["encoding"]["color"]["scale"]["domain"] for layer in spec["layer"]] == [["Value", "Target", "Intervention level"]] * 2


def _value_rows(spec: dict) -> list[tuple[str, float | None]]:
    return [(r["period"], r["amount"]) for r in next(iter(spec["datasets"].values())) if r["series"] == "Value"]


def test_only_a_gap_between_two_figures_adds_a_row_so_a_chart_without_one_is_unchanged():
    spec = measure_chart("c", _history([np.nan, 1.0, 2.0, np.nan], [3.0] * 4), MEASURE, "T", "F.").spec
    assert _value_rows(spec) == [("2020/21 Q2", 1.0), ("2020/21 Q3", 2.0)]
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "point"]
    assert all(r["amount"] is not None for r in next(iter(spec["datasets"].values())))


def _drawn(values, targets=None) -> str:
    """vl-convert's SVG of a chart (the real one: the pinned Vega-Lite decides how a null breaks a line)."""
    return measure_chart("c-gap", _history(values, targets), MEASURE, "Title", "Finding.").svg()


def _line_paths(svg: str) -> list[str]:
    return re.findall(r'<g class="mark-line role-mark[^"]*"[^>]*><path[^>]* d="([^"]*)"', svg)


def test_the_drawn_line_breaks_at_a_withheld_quarter_and_a_figure_alone_between_gaps_keeps_its_point():
    """1.5 in Q1, Q2 withheld, then 3.25 and 2.0: Q1 is a point alone, never joined to Q3; Q3 and Q4 are joined."""
    svg = _drawn([1.5, np.nan, 3.25, 2.0])
    line = re.search(r'<g class="mark-line role-mark[^"]*"[^>]*>.*?</g>', svg).group(0)
    assert line == (SNAPSHOTS / "chart_line_with_gap.svg").read_text(encoding="utf-8").rstrip("\n")
    (path,) = _line_paths(svg)
    subpaths = re.findall(r"M[^M]*", path)
    assert len(subpaths) == 2 and "L" not in subpaths[0] and subpaths[1].count("L") == 1  # Q1 alone, then Q3 to Q4
    points = re.search(r'<g class="mark-symbol role-mark layer_1_marks"[^>]*>(.*?)</g>', svg).group(1)
    assert points.count("<path") == 3  # every figure a visible point, Q1 included


def test_a_line_with_no_gap_is_one_path_and_figures_either_side_of_every_gap_are_never_joined():
    assert [p.count("M") for p in _line_paths(_drawn([1.0, 2.0, 3.0]))] == [1]
    (path,) = _line_paths(_drawn([1.0, 2.0, np.nan, np.nan, 3.0, np.nan, 4.0]))
    assert path.count("M") == 3 and path.count("L") == 1  # Q1-Q2 joined; Q5 and Q7 stand alone


def test_a_target_alone_between_gaps_is_drawn_as_a_level_tick():
    spec = _specs()["lone target"]
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "tick", "point"]
    svg = measure_chart("c-lone", _history([1.0, np.nan, 2.0], [2.0, np.nan, 2.0]), MEASURE, "Title", "Finding.").svg()
    ticks = re.search(r'<g class="mark-rect role-mark layer_1_marks"[^>]*>(.*?)</g>', svg).group(1)
    assert ticks.count("<path") == 2 and 'fill="#28A197"' in ticks


def test_the_description_names_the_periods_where_the_line_breaks():
    description = measure_chart("c", _history([np.nan, 1.0, np.nan, 2.0, np.nan, 3.0, np.nan]), MEASURE, "T", "F.").description
    assert description.endswith(
        "The line breaks at 2020/21 Q3 and 2020/21 Q5, where a figure is withheld or missing. "
        "The line starts at 2020/21 Q2: 2020/21 Q1 is withheld or missing. "
        "The line ends at 2020/21 Q6: 2020/21 Q7 is withheld or missing."
    )
    ends = measure_chart("c", _history([1.0, 2.0, np.nan, np.nan]), MEASURE, "T", "F.").description
    assert "breaks" not in ends and "starts" not in ends
    assert ends.endswith("The line ends at 2020/21 Q2: 2020/21 Q3 and 2020/21 Q4 are withheld or missing.")
    assert "The line" not in measure_chart("c", _history([1.0, 2.0]), MEASURE, "T", "F.").description


def test_the_description_of_a_single_figure_names_it_once():
    one = measure_chart("c", _history([4.0]), MEASURE, "T", "F.").description
    assert "for 2020/21 Q1," in one and " to 2020/21 Q1" not in one and "highest" not in one
    assert one.endswith("F. The only figure shown is 4.0%, for 2020/21 Q1.")
    with_gap = measure_chart("c", _history([4.0, np.nan]), MEASURE, "T", "F.").description
    assert "The only figure shown is 4.0%, for 2020/21 Q1. The line ends at 2020/21 Q1: 2020/21 Q2 is withheld or missing." in with_gap


def test_equal_data_gives_an_equal_dataset_name_and_different_data_a_different_one():
    one = measure_chart("a", _history([1.0, 2.0]), MEASURE, "T", "F").spec
    same = measure_chart("b", _history([1.0, 2.0]), MEASURE, "T", "F").spec
    other = measure_chart("a", _history([1.0, 2.5]), MEASURE, "T", "F").spec
    assert one == same and one["data"] != other["data"]


def test_status_chart_keeps_plan_order_and_only_nonzero_counts():
    spec = _specs()["status"]
    assert spec["encoding"]["y"]["sort"] == ["A plan", "B plan"]
    rows = next(iter(spec["datasets"].values()))
    assert [(r["plan"], r["key"], r["measures"], r["rank"]) for r in rows] == [
        ("A plan", "on_target", 2, 0),
        ("A plan", "below_target", 1, 1),
        ("B plan", "intervention", 3, 2),
    ]
    assert all(type(r["measures"]) is int for r in rows)
    labels = [(r["label"], r["middle"], r["ink"]) for r in rows]
    assert labels == [("✓ 2", 1.0, "#0B0C0C"), ("▲ 1", 2.5, "#0B0C0C"), ("✖ 3", 1.5, "#FFFFFF")]


def test_each_status_segment_carries_its_symbol_and_count_in_the_ink_that_contrasts_more():
    bar, text = _specs()["status"]["layer"]
    assert bar["mark"]["stroke"] == "#FFFFFF" and text["mark"]["type"] == "text"
    assert text["encoding"]["text"]["field"] == "label" and text["encoding"]["x"]["field"] == "middle"
    svg = status_chart("c-status", pd.DataFrame({"plan": ["A plan"], "on_target": [2], "intervention": [1]}), "T", "F.").svg()
    assert "✓ 2" in svg and "✖ 1" in svg
    for fill in (label.colour for label in STATUS_LABELS.values()):
        ink = status_charts._ink(fill)
        ratio = lambda a, b: (max(a, b) + 0.05) / (min(a, b) + 0.05)  # noqa: E731
        assert ratio(status_charts._luminance(ink), status_charts._luminance(fill)) >= 4.5, fill


def test_a_spec_is_drawn_once_and_each_chart_keeps_its_own_ids(monkeypatch):
    calls = []
    monkeypatch.setattr(
        charts.vl_convert, "vegalite_to_svg", lambda spec: calls.append(spec) or '<svg id="a"><g clip-path="url(#a)"/></svg>'
    )
    charts._vegalite_svg.cache_clear()
    history = _history([1.0, 2.0])
    first = measure_chart("chart-history", history, MEASURE, "T", "F").svg()
    again = measure_chart("chart-exception", history, MEASURE, "T", "F").svg()
    charts._vegalite_svg.cache_clear()
    assert len(calls) == 1
    assert 'id="chart-history-a"' in first and "url(#chart-exception-a)" in again


def test_a_figure_an_executed_notebook_drew_is_reused_only_when_it_is_this_very_chart(monkeypatch):
    chart = measure_chart("chart-q-m-history", _history([1.0, 2.0]), MEASURE, "T", "F")
    figure = chart.html('<svg role="img"><g/></svg>')
    drawn = charts.chart_figures(["<p>not a chart</p>", figure])
    assert drawn == {"chart-q-m-history": figure}
    monkeypatch.setattr(charts.vl_convert, "vegalite_to_svg", lambda spec: pytest.fail("drawn again"))
    assert chart.drawn(drawn) == figure
    monkeypatch.setattr(charts.vl_convert, "vegalite_to_svg", lambda spec: "<svg><g/></svg>")
    charts._vegalite_svg.cache_clear()
    newer = measure_chart("chart-q-m-history", _history([1.0, 2.5]), MEASURE, "T", "F")  # other figures, same id
    assert newer.drawn(drawn) == newer.html() != figure
    assert measure_chart("chart-q-m-exception", _history([1.0, 2.0]), MEASURE, "T", "F").drawn(drawn) != figure
    charts._vegalite_svg.cache_clear()


def test_a_year_to_date_chart_compares_the_latest_figure_with_the_same_quarter_of_other_years():
    periods = [f"{2019 + i // 4}/{(2020 + i // 4) % 100:02d} Q{i % 4 + 1}" for i in range(9)]
    values = [119.1, 235.2, 360.0, 503.9, 134.8, 262.4, 383.8, 480.1, 123.5]  # SE02's shape: each year climbs from Q1 again
    history = _history(values).assign(period=periods)
    ytd = pd.Series({"unit": "number", "decimals": 1, "ytd": True, "frequency": "monthly"})
    assert measure_chart("c", history, ytd, "T", "F.").description.endswith(
        "F. The figures are the year to date, so each year starts again in Q1. "
        "Of the Q1 figures, the highest was 134.8 in 2020/21 Q1 and the lowest 119.1 in 2019/20 Q1."
    )
    assert measure_chart("c", history.iloc[:4], ytd, "T", "F.").description.endswith(
        "F. The figures are the year to date, so each year starts again in Q1."
    )  # one Q4 only: nothing to compare it with
    not_ytd = ytd.copy()
    not_ytd["ytd"] = False
    assert measure_chart("c", history, not_ytd, "T", "F.").description.endswith(
        "F. The highest figure was 503.9 in 2019/20 Q4 and the lowest 119.1 in 2019/20 Q1."
    )
