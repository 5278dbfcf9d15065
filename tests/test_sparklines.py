"""Sparklines on the plan dashboards: shape only, so they must say in words what they show, and never invent a point."""

import math
import re

from builders import PARAMS, QUARTERS, make_data
from hypothesis import given
from hypothesis import strategies as st

from pmlib import quarter_report
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


# --- year-to-date measures: like with like ------------------------------------------------------

EIGHT = [
    f"{y}/{(y + 1) % 100:02d} Q{q}" for y, q in [(2019, 2), (2019, 3), (2019, 4), (2020, 1), (2020, 2), (2020, 3), (2020, 4), (2021, 1)]
]


def ytd_line(periods, values):
    shown = ["[c]" if v is None else f"{v:.1f}" for v in values]
    return sparkline(periods, values, shown, "Waste", year_to_date=True)


def test_a_year_to_date_line_compares_the_latest_only_with_the_same_quarter_of_other_years():
    # SE02's shape: the year to date climbs to each year end and starts again in Q1.
    values = [235.2, 360.0, 503.9, 134.8, 262.4, 383.8, 480.1, 123.5]
    assert ytd_line(EIGHT, values).description == (
        "Waste, 2019/20 Q2 to 2021/22 Q1, each figure the year to date: first 235.2 (2019/20 Q2), latest 123.5 (2021/22 Q1); "
        "of the Q1 figures, highest 134.8 (2020/21 Q1), lowest 123.5 (2021/22 Q1)."
    )  # not "highest 503.9 (2019/20 Q4), lowest 123.5 (2021/22 Q1)": a year end against a first quarter
    assert ytd_line(EIGHT[:-1] + ["2021/22 Q1"], values[:-1] + [None]).description == (
        "Waste, 2019/20 Q2 to 2021/22 Q1, each figure the year to date: first 235.2 (2019/20 Q2), last shown 480.1 (2020/21 Q4); "
        "of the Q4 figures, highest 503.9 (2019/20 Q4), lowest 480.1 (2020/21 Q4). 1 period has no figure shown."
    )  # the latest figure shown is a Q4, so the Q4s are compared
    assert ytd_line(EIGHT[:3], values[:3]).description == (
        "Waste, 2019/20 Q2 to 2019/20 Q4, each figure the year to date: first 235.2 (2019/20 Q2), latest 503.9 (2019/20 Q4); "
        "no earlier Q4 figure is shown."
    )


@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1e4, allow_nan=False)), min_size=1, max_size=12))
def test_a_year_to_date_lines_highest_and_lowest_are_of_the_latest_figures_quarter(values):
    periods = [f"{2019 + (i + 1) // 4}/{(2020 + (i + 1) // 4) % 100:02d} Q{(i + 1) % 4 + 1}" for i in range(len(values))]
    description = ytd_line(periods, values).description
    known = [(p, v) for p, v in zip(periods, values, strict=True) if v is not None]
    if not known:
        return
    quarter = known[-1][0][-2:]
    same = [v for p, v in known if p.endswith(quarter)]
    named = re.findall(r"(highest|lowest) ([\d.]+) \(([^)]+)\)", description)
    if len(same) == 1:
        assert named == [] and f"; no earlier {quarter} figure is shown." in description
        return
    assert [(w, p[-2:]) for w, _, p in named] == [("highest", quarter), ("lowest", quarter)]
    assert [float(x) for _, x, _ in named] == [round(max(same), 1), round(min(same), 1)]


def test_the_plan_dashboard_describes_a_year_to_date_measures_line_like_with_like(tmp_path):
    ytd = {"unit": "number", "aggregation": "sum", "ytd": "true"}
    codes = [f"{y}/{(y + 1) % 100:02d} Q{n}" for y in (2019, 2020) for n in range(1, 5)]
    data = make_data(
        tmp_path / "data",
        [{"measure_id": "Y", "name": "Homes", **ytd}, {"measure_id": "Q", "name": "Visits", **ytd, "ytd": "false"}],
        [
            {"measure_id": m, "period": c, "value": v, "reported_on": "2021-04-10"}
            for m in "YQ"
            for c, v in zip(codes, [10, 20, 30, 45, 9, 20, 30, 42], strict=True)
        ],
    )
    params = tmp_path / "params"
    params.mkdir()
    slug, code, meeting, as_at = QUARTERS[3]
    (params / f"{slug}.yml").write_text(PARAMS.format(q=code, meet=meeting, asat=as_at), encoding="utf-8")
    html = quarter_report(slug, data, params).plan().summary_table().html
    assert "Homes, recent figures, 2019/20 Q1 to 2020/21 Q4, each figure the year to date: first 10 (2019/20 Q1), " in html
    assert "latest 101 (2020/21 Q4); of the Q4 figures, highest 105 (2019/20 Q4), lowest 101 (2020/21 Q4)." in html  # 10+20+30+45
    assert "Visits, recent figures, 2019/20 Q1 to 2020/21 Q4: first 10 (2019/20 Q1), latest 42 (2020/21 Q4); " in html
    assert "highest 45 (2019/20 Q4), lowest 9 (2020/21 Q1)." in html  # a quarter's own figures: every quarter is like with like
