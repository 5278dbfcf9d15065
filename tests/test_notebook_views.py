"""The display objects the notebooks show: prose, tables, charts, plan sections and the year's view."""

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from builders import PARAMS, QUARTERS, REPORTED, make_data, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib import quarter_report
from pmlib.contract.periods import parse_quarter
from pmlib.views.actions import action_progress, year_progress
from pmlib.views.prose import Prose, escape_html
from pmlib.views.tables import TABLE_CLASS, _great_tables_css, _scoped, display_rows, great_table, make_table, table_stylesheet

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture
def council(tmp_path):
    data = make_data(
        tmp_path / "data",
        [
            {"measure_id": "RATE", "name": "Rate <b>measure</b>"},
            {"measure_id": "VISITS", "name": "Visits", "unit": "number", "aggregation": "sum"},
            {"measure_id": "SMALL", "name": "Small count", "unit": "number", "aggregation": "sum", "disclosure_min": "10"},
            {"measure_id": "SECRET", "name": "Restricted measure", "public": "false"},
        ],
        [
            *[
                {"measure_id": "RATE", "period": f"2020/21 Q{n}", "value": v, "reported_on": REPORTED[n]}
                for n, v in enumerate([81, 70, 85, 79], 1)
            ],
            *[
                {"measure_id": "VISITS", "period": f"2020/21 Q{n}", "value": v, "reported_on": REPORTED[n]}
                for n, v in enumerate([90, 120, 100, 110], 1)
            ],
            *[
                {"measure_id": "SMALL", "period": f"2020/21 Q{n}", "value": v, "reported_on": REPORTED[n]}
                for n, v in enumerate([3, 12, 4, 15], 1)
            ],
            *[{"measure_id": "SECRET", "period": f"2020/21 Q{n}", "value": 64, "reported_on": REPORTED[n]} for n in range(1, 5)],
        ],
        [
            {"measure_id": "RATE", "year": "2020/21", "target": "80", "intervention": "75"},
            {"measure_id": "VISITS", "year": "2020/21", "target": "100", "intervention": "80"},
            {"measure_id": "SMALL", "year": "2020/21", "target": "5"},
            {"measure_id": "SECRET", "year": "2020/21", "target": "80", "intervention": "75"},
        ],
    )
    write_csv(
        data / "commentary.csv",
        [
            {
                "measure_id": "RATE",
                "period": "2020/21 Q2",
                "commentary": "Staff *absence*.<script>alert('x')</script>",
                "action": "Recruit two officers",
                "action_owner": "Head of Service",
                "action_due": "2021-03-31",
            }
        ],
    )
    write_csv(
        data / "actions.csv",
        [
            {"action_id": "A1", "plan_id": "p1", "title": "Open the hub", "lead": "Head of Service", "due": "2021-03-31"},
            {"action_id": "A2", "plan_id": "p1", "title": "Quiet action", "lead": "Someone", "due": "2021-06-30"},
        ],
    )
    write_csv(
        data / "action_updates.csv",
        [
            {"action_id": "A1", "period": "2020/21 Q1", "status": "on_track", "update": "Started."},
            {"action_id": "A1", "period": "2020/21 Q2", "status": "at_risk", "update": "Builder delayed."},
            {"action_id": "A2", "period": "2020/21 Q1", "status": "not_started", "update": "Waiting."},
        ],
    )
    params = tmp_path / "params"
    params.mkdir()
    for slug, q, meet, asat in QUARTERS:
        (params / f"{slug}.yml").write_text(PARAMS.format(q=q, meet=meet, asat=asat), encoding="utf-8")
    return data, params


def bundle(obj) -> dict:
    return obj._repr_mimebundle_()


def test_escape_html_keeps_markdown_and_disarms_tags():
    assert escape_html("*a* & <script>x</script>") == "*a* &amp; &lt;script&gt;x&lt;/script&gt;"
    assert bundle(Prose("**b**")) == {"text/markdown": "**b**", "text/plain": "**b**"}


def test_commentary_html_is_shown_as_text(council):
    report = quarter_report("2020-21-Q2", *council)
    rate = report.plan().measures()[0]
    md = rate.commentary().markdown
    assert "<script>" not in md and "&lt;script&gt;alert\\(\\'x\\'\\)&lt;\\/script&gt;" in md and "*absence*" in md
    assert "Rate &lt;b&gt;measure&lt;\\/b&gt;" in rate.summary().markdown


def test_exception_report_with_commentary_and_missing(council):
    q2 = quarter_report("2020-21-Q2", *council)
    [exception] = q2.plan().exceptions()
    text = exception.exception_report().markdown
    assert "### Exception report: Rate" in text and "- Value (2020/21 Q2): 70.0%" in text and "- Intervention level: 75.0%" in text
    assert "**Corrective action:** Recruit two officers" in text and "**Owner:** Head of Service. **Due:** 31 March 2021." in text
    q4 = quarter_report("2020-21-Q4", *council)
    assert [m.measure_id for m in q4.plan().exceptions()] == []
    q3 = quarter_report("2020-21-Q3", *council)
    assert q3.plan().exceptions() == []
    assert "no exception reports" in q3.plan().exceptions_intro().markdown


def test_restricted_and_small_numbers_never_reach_tables_or_charts(council):
    report = quarter_report("2020-21-Q2", *council)
    everything = [report.status_table(), report.comparison_table(), report.exceptions_table(), report.plan().summary_table()]
    everything += [report.chart(m) for m in report.judged["measure_id"]]
    text = " ".join(str(v) for obj in everything for v in bundle(obj).values())
    assert "Restricted" not in text and "SECRET" not in text
    small = report.chart("SMALL")
    values = {round(float(r["amount"])) for r in small.spec["datasets"][next(iter(small.spec["datasets"]))] if r["series"] == "Value"}
    assert values == {12}  # the small counts 3 (Q1) and 4 (Q3 is after this report) never enter the chart data
    assert "[c]" not in small.description or "withheld" in small.description


def test_chart_bundle_is_offline_stable_and_described(council):
    report = quarter_report("2020-21-Q2", *council)
    chart = report.chart("RATE")
    b1, b2 = bundle(chart), bundle(report.chart("RATE"))
    assert b1 == b2
    assert set(b1) == {"text/html", "image/svg+xml", "text/plain"}
    assert chart.element_id == "chart-2020-21-q2-rate-history"
    html = b1["text/html"]
    assert html.startswith('<figure id="chart-2020-21-q2-rate-history" class="pm-chart">')
    assert "<script src" not in html and "cdn" not in html.lower()
    assert '<script type="application/json" class="pm-chart-spec">' in html
    assert 'role="img"' in b1["image/svg+xml"] and "aria-label=" in b1["image/svg+xml"]
    assert b1["text/plain"].startswith("Line chart of Rate <b>measure</b> from 2020/21 Q1 to 2020/21 Q2")
    assert "70.0% in 2020/21 Q2: needs intervention (target 80.0%, intervention level 75.0%)." in b1["text/plain"]
    assert not re.search(r"0x[0-9a-f]{6,}", html)
    ids = re.findall(r'id="([^"]+)"', b1["image/svg+xml"])
    assert all(i.startswith("chart-2020-21-q2-rate-history-") for i in ids)
    assert "xlink" not in b1["image/svg+xml"]  # declared by Vega, never used; Quarto's pages would keep it as an invalid "xlink"


def test_table_snapshot():
    frame = pd.DataFrame({"Measure": ["A & <b>"], "Status": ["✓ On target"]})
    html = make_table(frame, "table-x", "Title", {"Status": ["#DFF1EF"]}).html
    body = html[html.index("<tbody") : html.index("</tbody>") + len("</tbody>")]
    assert body == (SNAPSHOTS / "table_body.html").read_text(encoding="utf-8").rstrip("\n")


@pytest.mark.parametrize(
    "frame, tints",
    [
        (pd.DataFrame({"Measure": ["A & <b>"], "Status": ["✓ On target"]}), {"Status": ["#DFF1EF"]}),
        (pd.DataFrame({"Year": ["2021/22"] * 3, "Target": [1.5, 2, 3], "Value": ["[c]", "4", "5"]}), None),
        (pd.DataFrame({"Plan": ["P"], "On target": [3], "Total": [7]}), {"Plan": [""], "Total": ["#FCE4D6"]}),
    ],
)
def test_one_stylesheet_fits_every_table_and_no_table_carries_its_own(frame, tints):
    """Tables carry the shared class, not a <style> (invalid in a page's body); the CSS great-tables would have given is the shared one."""
    html = make_table(frame, "table-q-x", "Title", tints).html
    assert "<style" not in html and f'<div class="{TABLE_CLASS}" id="table-q-x"' in html
    own = great_table(frame.reset_index(drop=True), "table-q-x", "Title", tints).as_raw_html()
    assert _scoped(_great_tables_css(own, "table-q-x"), f".{TABLE_CLASS}") == table_stylesheet()
    assert all(rule.strip().startswith(f".{TABLE_CLASS}") for rule in table_stylesheet().split("}") if rule.strip())


@pytest.mark.parametrize(
    "frame, tints",
    [
        (pd.DataFrame({"Measure": ["A & <b>", 'it\'s "q"'], "Status": ["✓ On target", "✗ Off"]}), {"Status": ["#DFF1EF", ""]}),
        (pd.DataFrame({"Period": ["2021/22 Q1", "2021/22 Q2"], "Value": ["72.0%", "[c]"], "Count": ["1,024", "12 - 3/4"]}), None),
        (pd.DataFrame({"Plan": ["P", "Q"], "On target": [3, 0], "Total": [7, -2]}), {"Total": ["#FCE4D6", "#FCE4D6"]}),
        (pd.DataFrame({"Note": ["a", None, ""], "Due": [None, "1 Apr 2022", float("nan")]}, dtype=object), None),
        (pd.DataFrame({"Note": pd.Series(["a", None], dtype="str"), "Empty": ["", ""]}), None),
        (pd.DataFrame({"Measure": pd.Series([], dtype="str"), "Total": pd.Series([], dtype="int64")}), None),
        (pd.DataFrame({"Year": ["2021/22"] * 2, "Target": [1.5, 2.0], "Met": [True, False]}), None),
    ],
)
def test_tables_from_arrow_match_pandas(frame, tints, monkeypatch):
    """great-tables is given pyarrow for speed; every table is byte for byte the one it makes from the pandas frame."""
    fast = make_table(frame, "table-q-x", "Title", tints).html
    monkeypatch.setattr("pmlib.views.tables._arrow_table", lambda frame: None)
    assert fast == make_table(frame, "table-q-x", "Title", tints).html


def test_a_table_is_named_by_its_caption_and_trusted_cells_keep_their_svg():
    frame = pd.DataFrame({"Measure": ["A"], "Trend": ["▁█"]})
    html = make_table(frame, "table-x", "Title & more", cell_html={"Trend": ['<svg viewBox="0 0 2 2"></svg>']}).html
    assert re.search(r'<table [^>]*\baria-labelledby="table-x-title"', html)
    assert '<caption class="gt_caption" id="table-x-title">Title &amp; more</caption>' in html and '<tr class="gt_heading">' not in html
    assert '<td headers="table-x-Trend" class="gt_row gt_left"><svg viewBox="0 0 2 2"></svg></td>' in html


_CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=60, deadline=None)
@given(title=_CELL_TEXT.filter(str.strip), cells=st.lists(st.tuples(_CELL_TEXT, _CELL_TEXT), min_size=1, max_size=3))
def test_a_finished_table_shows_every_text_as_given(title, cells):
    """Whatever a council's text holds (markup, entities, quotes), the table shows it as text in its cell, and the title as the caption."""
    frame = pd.DataFrame(cells, columns=["Measure", "Status"])
    soup = BeautifulSoup(make_table(frame, "table-x", title).html, "html.parser")
    assert soup.find("caption").get_text() == title and soup.find("table")["aria-labelledby"] == soup.find("caption")["id"]
    shown = [[td.get_text() for td in tr.find_all("td")] for tr in soup.select("tbody.gt_table_body > tr")]
    assert shown == [list(row) for row in cells]
    assert not soup.select("thead tr.gt_heading, style") and soup.select_one("div#table-x")["class"] == [TABLE_CLASS]


def test_status_tables_use_words_and_symbols(council):
    report = quarter_report("2020-21-Q2", *council)
    table = report.plan().summary_table()
    assert table.table_id == "table-2020-21-q2-p1-measures"
    assert list(table.frame["Status"]) == ["✖ Intervention", "✓ On target", "✓ On target"]
    assert 'id="table-2020-21-q2-p1-measures"' in table.html and "background-color: #F2DCE6" in table.html
    comparison = report.comparison_table().frame
    assert list(comparison.columns) == ["Status", "2020/21 Q2", "2020/21 Q1"]


def test_year_view_only_at_half_year_and_year_end(council):
    assert quarter_report("2020-21-Q1", *council).year_view_section() == ()
    assert quarter_report("2020-21-Q3", *council).plan().year_section() == ()
    q2 = quarter_report("2020-21-Q2", *council)
    heading, table, actions = q2.plan().year_section()
    assert heading.markdown == "## The year so far\\: 2020\\/21 to the end of September 2020"
    visits = table.frame.set_index("Measure").loc["Visits"]
    # a per-quarter sum target of 100 is 200 for the half year; 90 + 120 = 210 beats it
    assert (visits["Period"], visits["Value"], visits["Target"], visits["Status"]) == ("2020/21 Q1 to Q2", "210", "200", "✓ On target")
    q4 = quarter_report("2020-21-Q4", *council)
    _, table, _ = q4.plan().year_section()
    visits = table.frame.set_index("Measure").loc["Visits"]
    assert (visits["Period"], visits["Value"], visits["Target"]) == ("2020/21 full year", "420", "400")
    rate = table.frame.set_index("Measure").loc["Rate <b>measure</b>"]
    assert (rate["Value"], rate["Target"], rate["Status"]) == ("78.8%", "80.0%", "▲ Below target")
    assert list(actions.frame.columns) == ["Action", "2020/21 Q1", "2020/21 Q2"]


def test_action_progress_marks_stale_updates(council):
    report = quarter_report("2020-21-Q2", *council)
    progress = action_progress(report.data.actions, report.data.action_updates, "p1", parse_quarter("2020/21 Q2"))
    assert list(progress["status"]) == ["at_risk", "not_started"]
    assert list(progress["current"]) == [True, False]
    table = report.plan().actions_table().frame
    assert table.loc[1, "Update"] == "No update this quarter; last update (2020/21 Q1): Waiting."
    assert list(table["Status"]) == ["▲ At risk", "○ Not started"]
    wide = year_progress(report.data.actions, report.data.action_updates, "p1", parse_quarter("2020/21 Q2"))
    assert wide.loc[1, "2020/21 Q2"] is None


def test_findings_name_the_status_in_words(council):
    report = quarter_report("2020-21-Q2", *council)
    assert report.finding("VISITS") == "120 in 2020/21 Q2, meeting the target of 100."
    assert report.finding("SMALL") == "12 in 2020/21 Q2, meeting the target of 5."
    q1 = quarter_report("2020-21-Q1", *council)
    assert q1.finding("SMALL").startswith("The figure for 2020/21 Q1 is withheld to protect small numbers [c]; it ")


def test_commentary_cannot_make_headings_or_code_blocks(council, tmp_path):
    data, params = council
    row = {"measure_id": "RATE", "period": "2020/21 Q2", "commentary": "# 12 vacancies\n```\nStaff *absence*.", "action": "# Hire"}
    write_csv(data / "commentary.csv", [row])
    rate = quarter_report("2020-21-Q2", data, params).plan().measures()[0]
    md = rate.commentary().markdown
    assert "\\# 12 vacancies" in md and "\\`\\`\\`" in md and "*absence*" in md
    assert "\n# " not in rate.exception_report().markdown


def test_appendix_definitions_withhold_a_small_baseline_only_for_the_public():
    from pmlib import quarter_report

    root = Path(__file__).resolve().parents[1]
    for audience, shown in (("public", "[c] (2019/20 Q4)"), ("internal", "(2019/20 Q4)")):
        report = quarter_report("2021-22-Q2", root / "data", root / "params", audience)
        frame = report.appendices().definitions_table().frame.set_index("Measure")
        baseline = frame.loc[report.data.measures.loc["BF07", "name"], "Baseline"]
        assert baseline.endswith(shown) and (baseline.startswith("[c]") == (audience == "public")), audience
    assert "MC09" not in set(quarter_report("2021-22-Q2", root / "data", root / "params").appendices().report.judged["measure_id"])


# A measure's baseline: (unit, aggregation, disclosure_min, baseline period, baseline value) -> shown as [c] to the public.
BASELINES = {
    "PUBLISHED_SMALL": ("number", "sum", "10", "2020/21 Q1", "3", True),  # its period was published, withheld
    "PUBLISHED_BIG": ("number", "sum", "10", "2020/21 Q2", "12", False),  # its period was published, shown
    "EARLIER_SMALL": ("number", "sum", "10", "2019/20 Q4", "4", True),  # never judged: a count of 1 to 9
    "EARLIER_BIG": ("number", "sum", "10", "2019/20 Q4", "40", False),
    "EARLIER_NO_RULE": ("number", "sum", "0", "2019/20 Q4", "4", False),  # no threshold
    "RATIO_RULE": ("percent", "ratio", "5", "2019/20 Q4", "40", True),  # a rate with no counts behind it
    "RATIO_NO_RULE": ("percent", "ratio", "0", "2019/20 Q4", "40", False),
    "NO_BASELINE": ("number", "sum", "10", "", "", False),
}


def test_a_baseline_is_withheld_as_its_period_was_published_or_by_the_small_number_rule(tmp_path):
    from pmlib.views.appendices import baseline_withheld

    measures = [
        {"measure_id": m, "name": m, "unit": u, "aggregation": a, "disclosure_min": k, "baseline_period": p, "baseline_value": v}
        for m, (u, a, k, p, v, _) in BASELINES.items()
    ]
    figures = [
        {"measure_id": m, "period": f"2020/21 Q{n}", "value": v, "reported_on": REPORTED[n]}
        for m in BASELINES
        for n, v in ((1, 3), (2, 12))
    ]
    figures = [
        f | {"numerator": f["value"], "denominator": 100, "value": ""} if BASELINES[f["measure_id"]][1] == "ratio" else f for f in figures
    ]
    data = make_data(tmp_path / "data", measures, figures)
    params = tmp_path / "params"
    params.mkdir()
    for slug, q, meet, asat in QUARTERS:
        (params / f"{slug}.yml").write_text(PARAMS.format(q=q, meet=meet, asat=asat), encoding="utf-8")
    public, internal = (quarter_report("2020-21-Q2", data, params, audience) for audience in ("public", "internal"))
    assert {m: baseline_withheld(public, m) for m in BASELINES} == {m: row[-1] for m, row in BASELINES.items()}
    assert not any(baseline_withheld(internal, m) for m in BASELINES)
    assert public.baselines_withheld.index.tolist() == list(BASELINES)


def test_the_exceptions_table_marks_a_figure_as_every_other_table_does():
    """The demo's BF03 and BF04 need intervention in 2020/21 Q4 on provisional figures: the summary's table says [p] too."""
    root = Path(__file__).resolve().parents[1]
    report = quarter_report("2020/21 Q4", root / "data", root / "params")
    frame = report.exceptions_table().frame.set_index("Measure")
    flagged = report.exceptions[report.exceptions["provisional"]]
    assert len(flagged) == 2
    for measure_id in flagged["measure_id"]:
        assert frame.loc[report.data.measures.loc[measure_id, "name"], "Value"].endswith(" [p]")


def test_a_target_is_not_applicable_to_a_measure_monitored_for_context_and_not_available_where_none_is_set():
    """DP06 has polarity none, so no target by design: [z]. CC01 is judged against targets, none set for 2021/22: [x]."""
    root = Path(__file__).resolve().parents[1]
    report = quarter_report("2021/22 Q2", root / "data", root / "params")
    shown = display_rows(report.judged, report.data.measures).set_index("measure_id")
    assert report.data.measures.loc["DP06", "polarity"] == "none" and report.data.measures.loc["CC01", "polarity"] == "lower"
    assert shown.loc["DP06", ["target", "intervention"]].tolist() == ["[z]", "[z]"]
    assert shown.loc["CC01", ["target", "intervention"]].tolist() == ["[x]", "[x]"]
