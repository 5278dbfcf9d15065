"""Where the year is heading and what changed since the last report, each view checked on its smallest fragment.

The dashboard's year-end column, the exception report's line, the overview's
two sections, a measure's forecasts and target history, and the open data.
"""

import csv
import json
import re
from pathlib import Path

import pytest
from builders import PARAMS, QUARTERS, REPORTED, make_data, write_csv

import pmlib.views.changes as changes_view
from pmlib import quarter_report
from pmlib.rendering.measure_pages import measure_page
from pmlib.views.open_data import CHANGE_COLUMNS, COLUMNS, write_open_data
from pmlib.views.prose import Prose
from pmlib.views.year_end import year_end_line

SNAPSHOTS = Path(__file__).parent / "snapshots"
YTD_SUM = {"unit": "number", "aggregation": "sum", "ytd": "true"}


def _quarters(measure_id: str, values: list) -> list[dict]:
    return [{"measure_id": measure_id, "period": f"2020/21 Q{n}", "value": v, "reported_on": REPORTED[n]} for n, v in enumerate(values, 1)]


def _params(folder: Path) -> Path:
    folder.mkdir()
    for slug, q, meet, asat in QUARTERS:
        (folder / f"{slug}.yml").write_text(PARAMS.format(q=q, meet=meet, asat=asat), encoding="utf-8")
    return folder


@pytest.fixture
def council(tmp_path):
    """A council whose measures have a year end and changes since the last report.

    RATE has the service's forecasts and a target revised between Q1 and Q2;
    VISITS and SMALL are year-to-date sums, so projected; SMALL's figures and
    forecast are small counts; SECRET is restricted.
    """
    data = make_data(
        tmp_path / "data",
        [
            {"measure_id": "RATE", "name": "Rate <b>measure</b>"},
            {"measure_id": "VISITS", "name": "Visits", **YTD_SUM},
            {"measure_id": "SMALL", "name": "Small count", **YTD_SUM, "disclosure_min": "10"},
            {"measure_id": "SECRET", "name": "Restricted measure", "public": "false"},
        ],
        [
            *_quarters("RATE", [81, 70, 85, 79]),
            *_quarters("VISITS", [90, 60, 100, 110]),
            {
                "measure_id": "VISITS",
                "period": "2020/21 Q1",
                "value": 95,
                "reported_on": "2020-08-15",
                "note": "Late returns from *two* libraries.",
            },
            *_quarters("SMALL", [3, 12, 4, 15]),
            {"measure_id": "SMALL", "period": "2020/21 Q1", "value": 4, "reported_on": "2020-08-15"},
            *_quarters("SECRET", [64, 64, 90, 64]),
        ],
    )
    write_csv(
        data / "targets.csv",
        [
            {"measure_id": "RATE", "year": "2020/21", "target": "80", "intervention": "75"},
            {
                "measure_id": "RATE",
                "year": "2020/21",
                "target": "75",
                "intervention": "70",
                "agreed_on": "2020-10-20",
                "reason": "Cabinet agreed a <b>lower</b> target",
            },
            {"measure_id": "VISITS", "year": "2020/21", "target": "400", "intervention": "300"},
            {"measure_id": "SMALL", "year": "2020/21", "target": "20"},
            {"measure_id": "SECRET", "year": "2020/21", "target": "80", "intervention": "75", "agreed_on": "2020-10-01", "reason": "Hush"},
        ],
        ["measure_id", "year", "period", "target", "intervention", "agreed_on", "reason"],
    )
    write_csv(
        data / "forecasts.csv",
        [
            {"measure_id": "RATE", "period": "2020/21 Q1", "forecast": "82", "reported_on": "2020-07-20", "note": "On course."},
            {
                "measure_id": "RATE",
                "period": "2020/21 Q2",
                "forecast": "72",
                "reported_on": "2020-10-05",
                "note": "Slower <script>x</script>",
            },
            {"measure_id": "RATE", "period": "2020/21 Q2", "forecast": "90", "reported_on": "2020-11-05", "note": "After the Q2 report."},
            {"measure_id": "SMALL", "period": "2020/21 Q2", "forecast": "6", "reported_on": "2020-10-05"},
            {"measure_id": "SECRET", "period": "2020/21 Q2", "forecast": "50", "reported_on": "2020-10-05", "note": "Hush"},
        ],
        ["measure_id", "period", "forecast", "reported_on", "note"],
    )
    return data, _params(tmp_path / "params")


@pytest.fixture
def v1_council(tmp_path):
    """A v1 folder: no forecasts.csv, no agreed_on or reason, and no year-to-date sum to project."""
    data = make_data(
        tmp_path / "v1",
        [{"measure_id": "RATE", "name": "Rate"}, {"measure_id": "VISITS", "name": "Visits", "unit": "number", "aggregation": "sum"}],
        [*_quarters("RATE", [81, 70, 85, 82]), *_quarters("VISITS", [90, 120, 100, 110])],
        [
            {"measure_id": "RATE", "year": "2020/21", "target": "80", "intervention": "75"},
            {"measure_id": "VISITS", "year": "2020/21", "target": "100", "intervention": "80"},
        ],
    )
    return data, _params(tmp_path / "v1-params")


def _lines(text: str) -> list[str]:
    """Lines without trailing spaces, which a table's plain text pads with and editors strip."""
    return [line.rstrip() for line in text.rstrip("\n").split("\n")]


def _snapshot(name: str) -> list[str]:
    return _lines((SNAPSHOTS / name).read_text(encoding="utf-8"))


def _everything(report) -> str:
    """Every display the overview and the plan show, as text, to look for what must never be there."""
    shown = [report.plan().summary_table(), *report.year_end_section(), report.changes_heading(), report.changes_table()]
    shown += [m.exception_report() for m in report.plan().exceptions()]
    return " ".join(str(v) for obj in shown for v in obj._repr_mimebundle_().values())


# --- the plan dashboard and the exception report ----------------------------------


def test_the_dashboard_says_where_each_measure_is_heading_in_a_few_words(council):
    table = quarter_report("2020-21-Q2", *council).plan().summary_table()
    assert list(table.frame.columns[-3:]) == ["Quality", "Year end", "Recent figures"]
    assert list(table.frame["Year end"]) == [
        "72.0% ▲ Below target (forecast)",
        "310 ▲ Below target (projection)",  # (95 + 60) x 12 / 6, the revised Q1 figure
        "[c] ▲ Below target (forecast)",  # a count of 6 against a disclosure_min of 10
    ]
    # one part a line: the column stays narrow
    assert '-Year-end" class="gt_row gt_left">72.0%<br>▲ Below target<br><em>(forecast)</em></td>' in table.html


def test_a_q4_dashboard_has_no_year_end_column_and_a_measure_without_one_shows_a_dash(council, v1_council):
    assert "Year end" not in quarter_report("2020-21-Q4", *council).plan().summary_table().frame
    assert list(quarter_report("2020-21-Q2", *v1_council).plan().summary_table().frame["Year end"]) == ["–", "–"]


def test_the_exception_report_gives_the_year_end_when_there_is_one(council, v1_council):
    report = quarter_report("2020-21-Q2", *council)
    [rate] = report.plan().exceptions()
    lines = rate.exception_report().markdown.split("\n")
    assert (
        lines[lines.index("- Long-term trend (against a year earlier): [x] Not available") + 1]
        == "- Year-end forecast: 72.0% (▲ Below target)"
    )
    visits = report.judged.set_index("measure_id", drop=False).loc["VISITS"]
    line = year_end_line(visits, report.data.measures.loc["VISITS"])
    assert line == "- Year-end projection at the current rate: 310 (▲ Below target)"
    [v1_rate] = quarter_report("2020-21-Q2", *v1_council).plan().exceptions()
    assert "Year-end" not in v1_rate.exception_report().markdown


# --- the overview: heading for the year end -----------------------------------------


def test_heading_for_the_year_end_counts_the_misses_and_lists_them(council):
    sentence, table = quarter_report("2020-21-Q2", *council).year_end_section()
    assert sentence.markdown.startswith(
        "All three measures with a year\\-end forecast or projection are forecast or projected to end the year below target\\. "
        "A projection at the current rate is the year to date scaled up"
    )
    assert _lines(table.text()) == _snapshot("year_end_table.txt")
    assert table.table_id == "table-2020-21-q2-year-end"


def test_heading_for_the_year_end_at_q4_and_without_forecasts(council, v1_council):
    [q4] = quarter_report("2020-21-Q4", *council).year_end_section()
    assert q4.markdown.startswith(
        "This is the year\\-end report for 2020\\/21\\: the year\\'s outturn is in the figures\\, so there are no"
    )
    assert quarter_report("2020-21-Q2", *v1_council).year_end_section() == (
        Prose("No measure has a year-end forecast or projection this quarter."),
    )


@pytest.fixture
def phased_council(tmp_path):
    """Year-to-date sums as the demo's SE07 and DP05: targets phased by the council, which a projection at the current rate ignores.

    TREES is on its phased Q1 target (208 against 200) but projected to 832
    against 6,000; PARKING is at intervention level against its phased Q1
    target; PART has a phased Q4 row only, so Q1 is judged against the
    year's row; VISITS has a year's row only, evenly phased by the contract;
    SEEDS is a small count (4, below its ``disclosure_min`` of 10), withheld.
    """
    quarterly = {"frequency": "quarterly", **YTD_SUM}
    data = make_data(
        tmp_path / "phased",
        [
            {"measure_id": "TREES", "name": "Trees planted", **quarterly},
            {"measure_id": "PARKING", "name": "Car parking income", **quarterly, "unit": "gbp"},
            {"measure_id": "PART", "name": "Partly phased", **quarterly},
            {"measure_id": "VISITS", "name": "Visits", **quarterly},
            {"measure_id": "SEEDS", "name": "Seedlings", **quarterly, "disclosure_min": "10"},
        ],
        [*_quarters("TREES", [208]), *_quarters("PARKING", [1684287]), *_quarters("PART", [300]), *_quarters("VISITS", [90])]
        + _quarters("SEEDS", [4]),
        [
            *(
                {"measure_id": "TREES", "year": "2020/21", "period": f"Q{n}", "target": t, "intervention": i}
                for n, t, i in ((1, 200, 150), (2, 400, 300), (3, 2500, 2000), (4, 6000, 5000))
            ),
            {"measure_id": "PARKING", "year": "2020/21", "period": "Q1", "target": "4200000", "intervention": "3800000"},
            {"measure_id": "PARKING", "year": "2020/21", "period": "Q4", "target": "16000000", "intervention": "14400000"},
            {"measure_id": "PART", "year": "2020/21", "target": "1000", "intervention": "800"},
            {"measure_id": "PART", "year": "2020/21", "period": "Q4", "target": "1000", "intervention": "800"},
            {"measure_id": "VISITS", "year": "2020/21", "target": "400", "intervention": "300"},
            {"measure_id": "SEEDS", "year": "2020/21", "period": "Q1", "target": "5", "intervention": "3"},
            {"measure_id": "SEEDS", "year": "2020/21", "period": "Q4", "target": "40", "intervention": "30"},
        ],
    )
    return data, _params(tmp_path / "phased-params")


def _plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def test_a_projection_of_a_measure_with_phased_targets_says_it_ignores_them(phased_council):
    report = quarter_report("2020-21-Q1", *phased_council)
    assert list(report.plan().summary_table().frame["Year end"]) == [
        "832 ✖ Intervention (projection; ignores phased targets)",  # 208 x 12 / 3, as the contract says, against 6,000
        "£6.7m ✖ Intervention (projection; ignores phased targets)",
        "1,200 ✓ On target (projection; ignores phased targets)",
        "360 ▲ Below target (projection)",  # evenly phased by the contract: the straight line is its profile
        "[c] ✖ Intervention (projection; ignores phased targets)",  # 16, which would give the 4 away
    ]
    [parking, part] = report.plan().exceptions()
    lines = parking.exception_report().markdown.split("\n")
    assert [_plain(line) for line in lines if line.startswith("- Year-end")] == [
        "- Year-end projection at the current rate: £6.7m (✖ Intervention), "
        "which takes no account of the targets the council phases through the year"
    ]
    [line] = [line for line in part.exception_report().markdown.split("\n") if line.startswith("- Year-end")]
    assert line.endswith("which takes no account of the targets the council phases through the year")


def test_heading_for_the_year_end_sets_phased_measures_against_their_phased_target_so_far(phased_council):
    sentence, table = quarter_report("2020-21-Q1", *phased_council).year_end_section()
    assert _plain(sentence.markdown) == (
        "Four of the five measures with a year-end forecast or projection are forecast or projected to miss the year-end "
        "target: three at intervention level and one below target. A projection at the current rate is the year to date scaled "
        "up to twelve months (x 12 / months elapsed): arithmetic, not the service's forecast. It takes no account of targets "
        "phased through the year, and the council phases those of Trees planted, Car parking income, Partly phased and "
        "Seedlings: so far, Trees planted is 208 against its phased target of 200 (✓ On target), Car parking income is £1.7m "
        "against its phased target of £4.2m (✖ Intervention) and Seedlings is [c] against its phased target of 5 (▲ Below target)."
    )  # Partly phased has no phased target for Q1, so nothing to set it against
    assert list(table.frame["Kind"]) == [
        *["Projection at the current rate; ignores phased targets"] * 3,
        "Projection at the current rate",
    ]


# --- the overview: what changed since the last report -------------------------------


def test_what_changed_lists_targets_statuses_and_revisions_once(council):
    report = quarter_report("2020-21-Q2", *council)
    assert report.changes_heading().markdown.startswith("## What changed since 2020\\/21 Q1\n\n")
    table = report.changes_table()
    assert _lines(table.text()) == _snapshot("changes_table.txt")
    assert table.table_id == "table-2020-21-q2-changes"
    assert "&lt;b&gt;lower&lt;/b&gt;" in table.html and "<b>lower" not in table.html  # the reason is text, never HTML


def test_what_changed_without_an_earlier_report_or_any_change(council, v1_council):
    q1 = quarter_report("2020-21-Q1", *council)
    assert q1.changes_heading() == Prose("## What changed since the last report")
    assert q1.changes_table() == Prose("There is no 2019\\/20 Q4 report to compare this one with\\.")
    v1 = quarter_report("2020-21-Q4", *v1_council)
    assert v1.changes_table() == Prose("Nothing has changed since 2020\\/21 Q3\\: no measure\\, target\\, status or figure\\.")


def test_restricted_measures_reach_neither_section_for_the_public(council, tmp_path):
    text = _everything(quarter_report("2020-21-Q2", *council))
    assert "Restricted" not in text and "Hush" not in text and "SECRET" not in text
    internal = quarter_report("2020-21-Q3", *council, audience="internal")
    assert "Restricted measure" in internal.changes_table().text()  # 64 to 90: on target at Q3, so it moved


# --- a measure's page ------------------------------------------------------------------


def _section(page: str, heading: str) -> str:
    start = page.index(f"## {heading}")
    return page[start : page.index("\n## ", start + 1)]


def test_a_measure_page_lists_its_forecasts_and_its_target_history(council):
    data, params = council
    here = data.parent / "pages" / "measures" / "RATE.qmd"
    page = measure_page(quarter_report("2020-21-Q2", data, params), "RATE", None, here)
    forecasts = _section(page, "Year-end forecasts")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", forecasts)
    assert cells == [
        *("2020/21 Q2", "72.0%", "▲ Below target", "Slower &lt;script&gt;x&lt;/script&gt;", "5 October 2020"),
        *("2020/21 Q1", "82.0%", "✓ On target", "On course.", "20 July 2020"),
    ]  # the forecast supplied after the Q2 report's date is not in it
    targets = _section(page, "Targets by year")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", targets)
    assert cells == [
        *("2020/21", "Whole year", "80.0%", "75.0%", "Not recorded", "", "Superseded"),
        *("2020/21", "Whole year", "75.0%", "70.0%", "20 October 2020", "Cabinet agreed a &lt;b&gt;lower&lt;/b&gt; target", "In force"),
    ]
    q1_page = measure_page(quarter_report("2020-21-Q1", data, params), "RATE", None, here)
    assert "Agreed on" not in _section(q1_page, "Targets by year") and "20 October" not in q1_page  # agreed after Q1's date
    assert ">72.0%<" not in _section(q1_page, "Year-end forecasts")


def test_a_v1_measure_page_keeps_its_targets_table_and_says_it_has_no_forecast(v1_council):
    data, params = v1_council
    page = measure_page(quarter_report("2020-21-Q2", data, params), "RATE", None, data.parent / "pages" / "RATE.qmd")
    assert "Agreed on" not in page and "Reason" not in page
    assert _section(page, "Year-end forecasts").strip().endswith("No year-end forecast has been supplied for this measure.")


# --- open data ---------------------------------------------------------------------------


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_open_data_gives_the_year_end_and_what_changed(council, tmp_path):
    data, params = council
    measures, changes, package = write_open_data(quarter_report("2020-21-Q2", data, params), tmp_path / "q2")
    year_end = {r["measure_id"]: (r["forecast"], r["forecast_status"], r["forecast_kind"]) for r in _rows(measures)}
    assert year_end == {
        "RATE": ("72.0", "below_target", "forecast"),
        "VISITS": ("310", "below_target", "projection"),
        "SMALL": ("[c]", "below_target", "forecast"),
    }
    assert changes.read_text(encoding="utf-8") == (
        "measure_id,kind,period,was,now,reason\n"
        "RATE,target_changed,2020/21 Q2,80.0,75.0,Cabinet agreed a <b>lower</b> target\n"
        "RATE,intervention_changed,2020/21 Q2,75.0,70.0,Cabinet agreed a <b>lower</b> target\n"
        "RATE,status_moved,2020/21 Q2,on_target,intervention,\n"
        "SMALL,status_moved,2020/21 Q2,below_target,on_target,\n"
        "VISITS,figure_revised,2020/21 Q1,90,95,Late returns from *two* libraries.\n"
        "SMALL,figure_revised,2020/21 Q1,[c],[c],\n"
    )
    resources = json.loads(package.read_text(encoding="utf-8"))["resources"]
    assert [(r["name"], r["path"]) for r in resources] == [("measures", "measures.csv"), ("changes", "changes.csv")]
    assert [f["name"] for f in resources[1]["schema"]["fields"]] == [c for c, _, _ in CHANGE_COLUMNS] == list(_rows(changes)[0])
    assert [f["name"] for f in resources[0]["schema"]["fields"]][-3:] == ["forecast", "forecast_status", "forecast_kind"]
    assert [c for c, _, _ in COLUMNS] == list(_rows(measures)[0])


def test_open_data_is_blank_where_there_is_no_year_end_or_earlier_report(council, tmp_path):
    data, params = council
    q4 = _rows(write_open_data(quarter_report("2020-21-Q4", data, params), tmp_path / "q4")[0])
    assert {(r["forecast"], r["forecast_status"], r["forecast_kind"]) for r in q4} == {("", "", "")}
    changes = write_open_data(quarter_report("2020-21-Q1", data, params), tmp_path / "q1")[1]
    assert changes.read_text(encoding="utf-8") == "measure_id,kind,period,was,now,reason\n"


@pytest.mark.parametrize(
    ("kind", "was", "now", "words"),
    [
        ("target_changed", 80.0, 85.0, "Target for 2021/22 Q4 changed"),
        ("target_changed", float("nan"), 85.0, "Target for 2021/22 Q4 set"),
        ("intervention_changed", None, 75.0, "Intervention level for 2021/22 Q4 set"),
        ("intervention_changed", 70.0, float("nan"), "Intervention level for 2021/22 Q4 withdrawn"),
        ("figure_revised", 1.0, 2.0, "Figure for 2021/22 Q4 revised"),
    ],
)
def test_a_target_where_there_was_none_is_set_not_changed(kind, was, now, words):
    """A new measure's first target read "Target ... changed, was –": as if one had been lost."""
    assert changes_view._what(kind, "2021/22 Q4", was, now) == words
