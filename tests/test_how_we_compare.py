"""How we compare, in a measure's section and on the plan dashboard: the words worked by hand, and nothing at all without comparators.

One council, one plan, six annual measures, each with its 2020/21 figure and
what other areas published for 2020/21, reported on in 2021/22 Q2 (which
expects the 2020/21 figure). The groups are Statistical neighbours (ten
areas), CIPFA nearest neighbours (the first four of them) and England. Every
sentence and cell below was worked out on paper from the contract's rules:

- RATE (per cent, higher is better), ours 55.0; neighbours 70, 65, 60, 55, 50,
  50, 45, 40, 30, 20: three ahead and one equal, so =4th of 11, quarter
  ceil(4 x 4 / 11) = 2; median (50 + 50) / 2 = 50. CIPFA 70, 65, 60, 55: =4th
  of 5, quarter ceil(16 / 5) = 4, median 62.5. England 48.
- WAIT (days, lower is better), ours 12; neighbours 10, 12, 12, 15, 20: one
  ahead, two equal: =2nd of 6, quarter 2, median 12. CIPFA 10, 12, 12, 15:
  =2nd of 5, quarter 2, median 12. England 14.
- SHARE (per cent, polarity none), ours 30; neighbours 20, 25, 40: no rank,
  median 25, above. England 35, below.
- SMALL (a count shown only from 5), ours 3, withheld [c]; neighbours 10, 2, 8:
  median 8 of three areas. England 100.
- ENGLAND_ONLY (per cent, higher), ours 55; England 60, worse; no neighbours.
- PLAIN: no comparator figures at all.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from builders import make_data, write_csv

from pmlib import quarter_report
from pmlib.rendering.typst_tables import html_table_to_typst
from pmlib.views.charts import VEGA_LITE_SCHEMA, Chart
from pmlib.views.how_we_compare import CHART_AREAS, COMPARED_COLUMN, HEADING, charted_group, comparison_section, dashboard_cells, sentence
from pmlib.views.tables import Table

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).parent / "snapshots"
OURS, ENGLAND = "E06000099", "E92000001"
NEIGHBOURS = [f"E0600{i:04d}" for i in range(1, 11)]
SLUG = "2021-22-Q2"
PARAMS = "quarter: 2021/22 Q2\nmeeting_date: 2021-11-10\ndata_as_at: 2021-10-31\n"

MEASURES = [
    {"measure_id": "RATE", "name": "Rate measure", "frequency": "annual", "decimals": "1"},
    {"measure_id": "WAIT", "name": "Days waited", "frequency": "annual", "unit": "days", "polarity": "lower", "decimals": "0"},
    {"measure_id": "SHARE", "name": "Share of residents", "frequency": "annual", "polarity": "none", "decimals": "1"},
    {
        "measure_id": "SMALL",
        "name": "Small count",
        "frequency": "annual",
        "unit": "number",
        "aggregation": "sum",
        "decimals": "0",
        "disclosure_min": "5",
    },
    {"measure_id": "ENGLAND_ONLY", "name": "Measured against England", "frequency": "annual", "decimals": "1"},
    {"measure_id": "PLAIN", "name": "Not compared", "frequency": "annual", "decimals": "1"},
]
OURS_2020 = {"RATE": 55, "WAIT": 12, "SHARE": 30, "SMALL": 3, "ENGLAND_ONLY": 55, "PLAIN": 70}
THEIRS_2020 = {
    "RATE": [70, 65, 60, 55, 50, 50, 45, 40, 30, 20],
    "WAIT": [10, 12, 12, 15, 20],
    "SHARE": [20, 25, 40],
    "SMALL": [10, 2, 8],
    "ENGLAND_ONLY": [],
}
ENGLAND_2020 = {"RATE": 48, "WAIT": 14, "SHARE": 35, "SMALL": 100, "ENGLAND_ONLY": 60}


def _folder(root: Path, *, compared: bool) -> tuple[Path, Path]:
    """The council's data and params folders; ``compared`` adds its area code, the groups and the comparators."""
    obs = [{"measure_id": m, "period": "2020/21", "value": v, "reported_on": "2021-06-01"} for m, v in OURS_2020.items()]
    data = make_data(root / "data", MEASURES, obs)
    params = root / "params"
    params.mkdir(parents=True)
    (params / f"{SLUG}.yml").write_text(PARAMS, encoding="utf-8")
    if not compared:
        return data, params
    with (data / "council.yml").open("a", encoding="utf-8") as f:
        f.write(f"area_code: {OURS}\n")

    def members(group_id: str, name: str, codes: list[str]) -> list[dict]:
        return [{"group_id": group_id, "name": name, "area_code": a, "area_name": f"Area {a[-2:]}"} for a in codes]

    groups = members("neighbours", "Statistical neighbours", NEIGHBOURS) + members("cipfa", "CIPFA nearest neighbours", NEIGHBOURS[:4])
    groups.append({"group_id": "england", "name": "England", "area_code": ENGLAND, "area_name": "England"})
    write_csv(data / "comparator_groups.csv", groups)
    row = {"period": "2020/21", "source": "Test", "reported_on": "2021-07-01"}
    theirs = [(m, a, v) for m, values in THEIRS_2020.items() for a, v in zip(NEIGHBOURS, values, strict=False)]
    rows = [row | {"measure_id": m, "area_code": a, "value": v} for m, a, v in theirs]
    rows += [row | {"measure_id": m, "area_code": ENGLAND, "value": v} for m, v in ENGLAND_2020.items()]
    columns = ["measure_id", "period", "area_code", "value", "numerator", "denominator", "source", "reported_on"]
    write_csv(data / "comparators" / "published.csv", rows, columns)
    return data, params


@pytest.fixture
def compared(tmp_path):
    return quarter_report(SLUG, *_folder(tmp_path, compared=True))


def _section(report, measure_id: str):
    return comparison_section(report, measure_id)


def test_the_plan_page_gives_the_sentences_and_the_measure_page_the_chart_too(compared):
    [measure] = [m for m in compared.plan().measures() if m.measure_id == "RATE"]
    assert measure.how_we_compare() == _section(compared, "RATE")[:1]
    assert isinstance(_section(compared, "RATE")[1], Chart)


def _sentences(report, measure_id: str) -> list[str]:
    words = _section(report, measure_id)[0].markdown
    assert words.startswith(f"#### {HEADING}\n\n")
    return [line.removeprefix("- ").replace("\\", "") for line in words.split("\n\n", 1)[1].split("\n")]


def test_a_rank_with_a_tie_its_quarter_and_the_median_in_each_group(compared):
    assert _sentences(compared, "RATE") == [
        "In 2020/21, =4th best of 11 among Statistical neighbours: second quartile; better than the group's median of 50.0%.",
        "In 2020/21, =4th best of 5 among CIPFA nearest neighbours: worst quartile; worse than the group's median of 62.5%.",
        "Better than England (48.0%).",
    ]


def test_lower_is_better_ranks_the_fewest_days_first(compared):
    assert _sentences(compared, "WAIT") == [
        "In 2020/21, =2nd best of 6 among Statistical neighbours: second quartile; the same as the group's median of 12 days.",
        "In 2020/21, =2nd best of 5 among CIPFA nearest neighbours: second quartile; the same as the group's median of 12 days.",
        "Better than England (14 days).",
    ]


def test_polarity_none_is_above_or_below_without_a_rank(compared):
    assert _sentences(compared, "SHARE") == [
        "In 2020/21, among Statistical neighbours: above the group's median of 25.0%, from the three areas with a figure.",
        "In 2020/21, among CIPFA nearest neighbours: above the group's median of 25.0%, from the three areas with a figure.",
        "Below England (35.0%).",
    ]


def test_a_withheld_figure_withholds_its_rank_but_not_the_group(compared):
    assert _sentences(compared, "SMALL") == [
        "In 2020/21, among Statistical neighbours: our figure and rank are withheld to protect small numbers [c]; "
        "the group's median was 8, from the three areas with a figure.",
        "In 2020/21, among CIPFA nearest neighbours: our figure and rank are withheld to protect small numbers [c]; "
        "the group's median was 8, from the three areas with a figure.",
        "England: 100; ours is withheld to protect small numbers [c].",
    ]
    _, chart, table = _section(compared, "SMALL")
    assert list(table.frame["Value"]) == ["[c]", "100", "10", "8", "2"]  # the withheld figure first: its place would tell
    bars = next(iter(chart.spec["datasets"].values()))
    assert bars[0] == {"area": "Test (this council)", "value": None, "shown": "[c]", "council": True, "at": 0.0}


def test_a_withheld_figure_without_polarity_keeps_the_median():
    row = pd.Series(
        {"group_name": "Statistical neighbours", "reference": False, "period": "2020/21", "suppressed": True}
        | {"of": 4, "group_median": 25.0, "comparison": None, "rank": pd.NA, "tied": False, "quartile": pd.NA}
    )
    measure = pd.Series({"unit": "percent", "decimals": 1, "polarity": "none"})
    assert sentence(row, measure) == (
        "In 2020/21, among Statistical neighbours: our figure is withheld to protect small numbers [c]; "
        "the group's median was 25.0%, from the three areas with a figure."
    )


def test_a_measure_compared_only_with_england_gets_words_and_no_chart(compared):
    section = _section(compared, "ENGLAND_ONLY")
    assert len(section) == 1 and _sentences(compared, "ENGLAND_ONLY") == ["In 2020/21, worse than England (60.0%)."]
    assert _section(compared, "PLAIN") == ()


def test_the_chart_draws_the_largest_group_best_first_with_england_as_a_line(compared):
    words, chart, table = _section(compared, "RATE")
    assert isinstance(chart, Chart) and isinstance(table, Table)
    assert chart.element_id == "chart-2021-22-q2-rate-compare" and table.table_id == "table-2021-22-q2-rate-compare"
    assert chart.spec["title"]["text"] == "2020/21: =4th best of 11 among Statistical neighbours"
    assert chart.description.startswith("Bar chart of Rate measure in 2020/21 for Test (this council) and the 10 other areas")
    assert "The best figure was 70.0% (Area 01) and the worst 20.0% (Area 10). A dashed line marks England: 48.0%." in chart.description
    bars, lines = (rows for rows in chart.spec["datasets"].values())
    assert [r["area"] for r in bars][:5] == ["Area 01", "Area 02", "Area 03", "Test (this council)", "Area 04"]  # ours first of equals
    assert lines == [{"area": "England", "value": 48.0, "label": "England: 48.0%"}]
    svg = chart.svg()
    assert 'role="img"' in svg and "England: 48.0%" in svg and 'font-weight="bold"' in svg
    assert list(table.frame["Area"])[3:5] == ["Test (this council)", "Area 04"] and "England (for reference)" in list(table.frame["Area"])
    assert "<strong>Test (this council)</strong>" in table.html and 'scope="col"' in table.html
    assert "#strong[Test \\(this council)]" in html_table_to_typst(table.html, "test")


def test_each_chart_title_states_its_finding(compared):
    titles = {m: _section(compared, m)[1].spec["title"] for m in ("WAIT", "SHARE", "SMALL")}
    assert titles["WAIT"]["text"] == "2020/21: =2nd best of 6 among Statistical neighbours"
    assert titles["SHARE"]["text"] == "2020/21: Above the median of Statistical neighbours"
    assert titles["SHARE"]["subtitle"] == ["Share of residents: above the group's median of 25.0%, from the three areas with", "a figure."]
    assert titles["SMALL"]["text"] == ["2020/21: Among Statistical neighbours, our figure is withheld to", "protect small numbers [c]"]


def test_the_chart_draws_the_largest_group_that_still_reads_as_bars():
    def rows(sizes: dict[str, int | None]) -> pd.DataFrame:
        of = pd.array(list(sizes.values()), dtype="Int64")
        return pd.DataFrame({"group_id": list(sizes), "reference": [n is None for n in sizes.values()], "of": of})

    assert charted_group(rows({"dfe": 11, "cipfa": 16, "england": None, "all-england": 151}))["group_id"] == "cipfa"
    assert charted_group(rows({"a": 11, "b": 11}))["group_id"] == "a"
    assert charted_group(rows({"all-england": 151, "all-regions": CHART_AREAS + 1}))["group_id"] == "all-regions"
    assert charted_group(rows({"england": None})) is None


def test_the_chart_spec_is_valid_vega_lite(compared):
    altair = pytest.importorskip("altair")
    jsonschema = pytest.importorskip("jsonschema")
    for measure_id in ("RATE", "WAIT", "SHARE", "SMALL"):
        spec = _section(compared, measure_id)[1].spec
        assert spec["$schema"] == VEGA_LITE_SCHEMA
        jsonschema.validate(spec, altair.vegalite.v6.schema.core.load_schema())


def test_the_dashboard_says_how_each_measure_compares_with_its_neighbours_and_england(compared):
    table = compared.plan().summary_table()
    cells = dict(zip(table.frame["Measure"], table.frame[COMPARED_COLUMN], strict=True))
    assert cells == {
        "Rate measure": "Worst quartile; better than England",  # CIPFA: the smallest group, as the executive summary places it
        "Days waited": "2nd quartile; better than England",
        "Share of residents": "Above the median; below England",
        "Small count": "[c]",
        "Measured against England": "Worse than England",
        "Not compared": "[x]",
    }
    assert list(table.frame.columns)[-2:] == [COMPARED_COLUMN, "Recent figures"]
    assert "Above the median;<br>below England</td>" in table.html and "#linebreak()below England" in html_table_to_typst(table.html, "t")
    rows = compared.plan_rows("p1")
    assert dashboard_cells(compared, rows[rows["measure_id"] == "PLAIN"]) is None


def test_restricted_measures_are_compared_only_internally(tmp_path):
    data, params = _folder(tmp_path, compared=True)
    measures = pd.read_csv(data / "measures.csv", dtype=str, keep_default_na=False)
    measures.loc[measures["measure_id"] == "RATE", "public"] = "false"
    measures.to_csv(data / "measures.csv", index=False)
    public = quarter_report(SLUG, data, params)
    assert "RATE" not in set(public.comparisons.table["measure_id"])
    assert "Rate measure" not in set(public.plan().summary_table().frame["Measure"])
    internal = quarter_report(SLUG, data, params, "internal")
    assert _sentences(internal, "RATE")[0].startswith("In 2020/21, =4th best of 11")


def test_snapshot_of_a_measure_section(compared):
    words, _, table = _section(compared, "RATE")
    assert f"{words.markdown}\n\n{table.text()}\n" == (SNAPSHOTS / "how_we_compare_rate.md").read_text(encoding="utf-8")


# --- the plan notebook, cell by cell, as a kernel would show it -------------------------------------------------------


def _run_plan_notebook(data: Path, params: Path, each_measure: str | None = None) -> list[dict]:
    """Every output the plan notebook displays, as mime bundles, with ``each_measure`` standing in for that cell's source."""
    nb = nbformat.read(ROOT / "notebooks" / "plan.ipynb", as_version=4)
    shown: list[dict] = []

    def display(*objs):
        shown.extend(o._repr_mimebundle_() for o in objs)

    namespace = {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type != "code" or "remove-cell" in cell.metadata.get("tags", []):
            continue
        source = each_measure if cell.get("id") == "each-measure" and each_measure else cell.source
        if "parameters" in cell.metadata.get("tags", []):
            source += f"\nquarter, data_dir, params_dir = {SLUG!r}, {str(data)!r}, {str(params)!r}"
        tree = ast.parse(source.replace("from IPython.display import display", ""))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        namespace["display"] = display
        exec(compile(tree, cell.get("id", "cell"), "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), cell.get("id", "cell"), "eval"), namespace)
            if value is not None:
                display(value)
    return shown


BEFORE = "for measure in plan.measures():\n    display(measure.summary(), measure.chart(), measure.commentary())"


def test_the_plan_notebook_is_a_template_with_one_display_per_measure():
    nb = nbformat.read(ROOT / "notebooks" / "plan.ipynb", as_version=4)
    nbformat.validate(nb)
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in nb.cells if cell.cell_type == "code")
    [cell] = [c for c in nb.cells if c.get("id") == "each-measure"]
    assert cell.source.count("display(") == 1 and "measure.how_we_compare()" in cell.source


def test_without_comparators_the_plan_notebook_shows_exactly_what_it_did(tmp_path):
    data, params = _folder(tmp_path, compared=False)
    now, before = _run_plan_notebook(data, params), _run_plan_notebook(data, params, BEFORE)
    assert now == before
    text = " ".join(str(v) for bundle in now for v in bundle.values())
    assert HEADING not in text and COMPARED_COLUMN not in text and "-compare" not in text


def test_with_comparators_the_section_sits_between_the_chart_and_the_commentary(tmp_path):
    data, params = _folder(tmp_path, compared=True)
    now, before = _run_plan_notebook(data, params), _run_plan_notebook(data, params, BEFORE)
    added = [b for b in now if b not in before]
    assert sum(HEADING in b.get("text/markdown", "") for b in added) == 5  # every compared measure, not PLAIN
    summary = next(i for i, b in enumerate(now) if COMPARED_COLUMN in b.get("text/plain", ""))
    unchanged = [b for b in before if "Recent figures" not in b["text/plain"]]
    assert [b for i, b in enumerate(now) if i != summary and b not in added] == unchanged
    rate = next(i for i, b in enumerate(now) if "=4th best of 11" in b.get("text/markdown", ""))
    assert "chart-2021-22-q2-rate-history" in now[rate - 1]["text/html"] and now[rate + 1]["text/markdown"].startswith("No commentary")
    assert not any("-compare" in b.get("text/html", "") for b in now)


def test_no_comparator_folder_is_the_same_as_no_comparisons(tmp_path):
    """A council with the files but nothing comparable for the quarter shows nothing either."""
    data, params = _folder(tmp_path / "a", compared=True)
    shutil.rmtree(data / "comparators")
    (data / "comparators").mkdir()
    write_csv(data / "comparators" / "published.csv", [], ["measure_id", "period", "area_code", "value", "source", "reported_on"])
    report = quarter_report(SLUG, data, params)
    assert report.comparisons.empty
    assert COMPARED_COLUMN not in report.plan().summary_table().frame.columns
    assert all(m.how_we_compare() == () for m in report.plan().measures())


def test_a_measure_page_says_how_the_measure_compares_with_the_groups_chart_and_table(compared):
    from pmlib.rendering.measure_pages import measure_page

    chart = _section(compared, "RATE")[1]
    page = measure_page(compared, "RATE", None, Path("pages/measures/RATE.qmd"))
    section = page.split(f"## {HEADING}", 1)[1].split("## Commentary by quarter", 1)[0]
    assert "=4th best of 11" in section
    assert f'<figure id="{chart.element_id}"' in section and "<svg" in section and 'id="table-2021-22-q2-rate-compare"' in section
    assert page.index("## Year-end forecasts") < page.index(f"## {HEADING}") < page.index("## Commentary by quarter")
    assert f"## {HEADING}" not in measure_page(compared, "PLAIN", None, Path("pages/measures/PLAIN.qmd"), {})


def test_the_methodology_page_explains_ranks_and_quarters_only_where_the_site_compares():
    from pmlib.rendering.guide_pages import methodology_page

    council = quarter_report("latest", ROOT / "data", ROOT / "params").data.council
    assert "## How we compare with other areas" in methodology_page(council, comparisons=True)
    assert "How we compare" not in methodology_page(council)
