"""Sparklines on the plan dashboards: shape only, so they must say in words what they show, and never invent a point."""

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from pmlib.views.sparklines import BLOCKS, GAP, sparkline

figures = st.lists(st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)), min_size=1, max_size=12)


def line(values):
    periods = [f"2020/21 Q{i % 4 + 1}" for i in range(len(values))]
    shown = ["" if v is None else f"{v:.1f}" for v in values]
    return sparkline(periods, values, shown, "Measure")


@given(figures)
def test_a_gap_stays_a_gap_and_every_figure_has_a_place(values):
    spark = line(values)
    blocks = spark.blocks()
    assert len(blocks) == len(values)
    assert [b == GAP for b in blocks] == [v is None for v in values]
    known = [v for v in values if v is not None]
    if known and max(known) > min(known):
        assert blocks[values.index(max(known))] == BLOCKS[-1] and blocks[values.index(min(known))] == BLOCKS[0]


@given(figures)
def test_the_svg_draws_only_known_figures_inside_its_box(values):
    svg = line(values).svg()
    coords = [float(c) for pair in re.findall(r'points="([^"]+)"', svg) for xy in pair.split() for c in xy.split(",")]
    coords += [float(c) for c in re.findall(r'c[xy]="([-\d.]+)"', svg)]
    assert all(0 <= c <= 96 for c in coords) and all(math.isfinite(c) for c in coords)
    drawn_lines = sum(len(p.split()) for p in re.findall(r'points="([^"]+)"', svg))
    dots = len(re.findall(r'r="1.5"', svg))
    assert drawn_lines + dots == sum(v is not None for v in values)
    assert svg.count('r="2.5"') == (values[-1] is not None)  # the latest period is marked only when it has a figure


def test_the_description_names_the_range_first_latest_highest_and_lowest():
    spark = sparkline(["Q1", "Q2", "Q3", "Q4"], [50.0, None, 70.0, 60.0], ["50%", "[c]", "70%", "60%"], "Recycling")
    assert spark.description == (
        "Recycling, Q1 to Q4: first 50% (Q1), latest 60% (Q4); highest 70% (Q3), lowest 50% (Q1). 1 period has no figure shown."
    )
    svg = spark.svg()
    assert svg.startswith('<svg class="pm-sparkline" role="img" aria-label="Recycling, Q1 to Q4:') and 'viewBox="0 0 96 24"' in svg
    assert sparkline(["Q1"], [None], ["[x]"], "M").description == "M: no figures to show for Q1 to Q1."


def test_a_withheld_latest_figure_is_not_called_latest():
    spark = sparkline(["Q1", "Q2", "Q3"], [0.2, 0.14, None], ["0.2", "0.14", "[c]"], "Rate")
    assert (
        spark.description
        == "Rate, Q1 to Q3: first 0.2 (Q1), last shown 0.14 (Q2); highest 0.2 (Q1), lowest 0.14 (Q2). 1 period has no figure shown."
    )


def test_text_in_a_description_cannot_become_markup():
    svg = sparkline(["Q1"], [1.0], ['<b>"1"</b>'], "A <script> & B").svg()
    assert "<script>" not in svg and "<b>" not in svg and "&lt;script&gt; &amp; B" in svg


@given(figures)
def test_a_line_never_crosses_a_gap(values):
    """Each polyline is one run of figures between gaps, and a figure alone between gaps is a dot, never joined across."""
    svg = line(values).svg()
    runs, run = [], 0
    for v in [*values, None]:
        if v is not None:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    drawn = [len(p.split()) for p in re.findall(r'points="([^"]+)"', svg)]
    assert drawn == [r for r in runs if r > 1] and len(re.findall(r'r="1.5"', svg)) == runs.count(1)


def test_a_withheld_middle_figure_splits_the_line():
    svg = sparkline(["Q1", "Q2", "Q3", "Q4"], [1.0, None, 2.0, 3.0], ["1", "[c]", "2", "3"], "M").svg()
    assert svg.count("<polyline") == 1 and svg.count('r="1.5"') == 1  # Q1 a dot on its own, Q3 to Q4 a line
