"""The return as a service unit sees it: figures written as the report writes them, each row's own previous period,
the Commentary sheet and the deadline; and the data quality report's deadline checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from builders import make_data, write_csv
from click.testing import CliRunner
from openpyxl import load_workbook

from pmlib import load_data
from pmlib.cli import main
from pmlib.errors import DataContractError
from pmlib.intake.data_quality import data_quality
from pmlib.intake.return_rows import number_format
from pmlib.intake.returns import (
    COMMENTARY_LETTERS,
    COMMENTARY_SHEET,
    FIRST_ROW,
    LETTERS,
    RETURN_SHEET,
    TEXT_LIMIT,
    write_returns,
)

MONTHLY_RATIO = {"frequency": "monthly", "aggregation": "ratio", "unit": "rate_per_100k", "decimals": "2"}


@pytest.mark.parametrize(
    ("unit", "decimals", "expected"),
    [
        ("number", 0, "#,##0"),
        ("number", 2, "#,##0.00"),
        ("percent", 1, '#,##0.0"%"'),
        ("days", 1, '#,##0.0" days"'),
        ("gbp", 0, '"£"#,##0;-"£"#,##0'),
        ("rate_per_1000", 1, '#,##0.0" per 1,000"'),
        ("rate_per_100k", 2, '#,##0.00" per 100,000"'),
        ("score", 1, "#,##0.0"),
    ],
)
def test_each_unit_has_its_excel_format(unit, decimals, expected):
    assert number_format(unit, decimals) == expected


@pytest.fixture
def council(tmp_path):
    measures = [
        {"measure_id": "CALLS", "name": "Calls per 100,000", "owner": "Contact Centre"} | MONTHLY_RATIO,
        {"measure_id": "SPEND", "name": "Spend", "owner": "Contact Centre", "unit": "gbp", "decimals": "0"},
        {"measure_id": "FIX", "name": "Repairs on time", "owner": "Repairs", "polarity": "higher"},
    ]
    figures = [
        {"measure_id": "CALLS", "period": "2021-06", "numerator": "1479", "denominator": "1710120", "reported_on": "2021-07-10"},
        {"measure_id": "CALLS", "period": "2021-07", "numerator": "1500", "denominator": "1710500", "reported_on": "2021-08-10"},
        {"measure_id": "SPEND", "period": "2021/22 Q1", "value": "1234567", "reported_on": "2021-07-10"},
        {"measure_id": "FIX", "period": "2021/22 Q1", "value": "91.5", "reported_on": "2021-07-10"},
        {"measure_id": "FIX", "period": "2021/22 Q2", "value": "70", "reported_on": "2021-10-25"},
    ]
    targets = [{"measure_id": "FIX", "year": "2021/22", "target": "90", "intervention": "80"}]
    data_dir = make_data(tmp_path / "data", measures, figures, targets)
    params = tmp_path / "params"
    params.mkdir()
    (params / "2021-22-Q2.yml").write_text(
        "quarter: 2021/22 Q2\nmeeting_date: 2021-11-10\ndata_as_at: 2021-10-31\nreturns_due: 2021-10-22\n", encoding="utf-8"
    )
    return data_dir, params


def _workbook(data_dir, tmp_path, owner_file: str, due: dt.date | None = dt.date(2021, 10, 22)):
    written = write_returns("2021/22 Q2", data_dir, tmp_path / "returns", made_on=dt.date(2021, 10, 1), due=due)
    return load_workbook(next(p for p in written if p.name == owner_file))


def test_figures_read_as_the_report_writes_them_and_each_row_has_its_own_previous_period(council, tmp_path):
    ws = _workbook(council[0], tmp_path, "contact-centre.xlsx")[RETURN_SHEET]
    rows = {(ws[f"A{r}"].value, ws[f"C{r}"].value): r for r in range(FIRST_ROW, ws.max_row + 1)}
    previous = [
        (ws[f"{LETTERS['previous_period']}{rows['CALLS', m]}"].value, ws[f"{LETTERS['previous']}{rows['CALLS', m]}"].value)
        for m in ("2021-07", "2021-08", "2021-09")
    ]
    assert previous == [("2021-06", "1,479 / 1,710,120"), ("2021-07", "1,500 / 1,710,500"), ("2021-08", None)]
    assert ws[f"{LETTERS['held']}{rows['CALLS', '2021-07']}"].value == "1,500 / 1,710,500"
    spend = ws[f"{LETTERS['previous']}{rows['SPEND', '2021/22 Q2']}"]
    assert (spend.value, spend.number_format) == (1234567, '"£"#,##0;-"£"#,##0')


def test_a_year_to_date_measures_rows_ask_for_each_periods_own_figure(tmp_path):
    """The contract's rows are each period's own figure; the Target on the row is the year to date's, so the row says which is wanted."""
    monthly = {"frequency": "monthly", "aggregation": "sum", "unit": "number", "owner": "Leisure"}
    data_dir = make_data(
        tmp_path / "data",
        [
            {"measure_id": "VISITS", "name": "Visits, year to date", "ytd": "true"} | monthly,
            {"measure_id": "CLASSES", "name": "Classes run"} | monthly,
        ],
        [{"measure_id": "VISITS", "period": "2021-06", "value": "100", "reported_on": "2021-07-10"}],
        [{"measure_id": m, "year": "2021/22", "target": "1200"} for m in ("VISITS", "CLASSES")],
    )
    [path] = write_returns("2021/22 Q2", data_dir, tmp_path / "returns", made_on=dt.date(2021, 10, 1))
    wb = load_workbook(path)
    ws = wb[RETURN_SHEET]
    rows = [[ws[f"{LETTERS[k]}{r}"].value for k in ("measure_id", "period", "give", "target")] for r in range(FIRST_ROW, ws.max_row + 1)]
    assert rows == [
        *(["VISITS", m, f"value for {m} alone; pmlib adds up the year to date", 600] for m in ("2021-07", "2021-08", "2021-09")),
        *(["CLASSES", m, "value", 1200] for m in ("2021-07", "2021-08", "2021-09")),
    ]
    assert ws["A2"].value.endswith(
        "A year-to-date measure's rows ask for each period's own figure (Give says 'alone'), not the total so far: "
        "pmlib works out the year to date itself. A year-to-date measure is judged against the rows' Target and Intervention level, "
        "which are for the year to date at the end of the quarter judged."
    )
    assert [r[6] for r in wb["Definitions"].iter_rows(min_row=2, values_only=True)] == ["sum, judged on the year to date", "sum"]


def test_a_year_to_date_measure_of_its_latest_figure_asks_for_the_figure_so_far(tmp_path):
    """Council tax collected to date: the report takes the latest month's figure as the year's, so a month's own rate would be judged so."""
    monthly = {"frequency": "monthly", "unit": "percent", "owner": "Revenues", "ytd": "true"}
    data_dir = make_data(
        tmp_path / "data",
        [
            monthly | {"measure_id": "COLLECTED", "name": "Council tax collected", "aggregation": "last"},
            monthly | {"measure_id": "VISITS", "name": "Visits, year to date", "aggregation": "sum", "unit": "number"},
        ],
        [{"measure_id": "COLLECTED", "period": "2021-06", "value": "28.9", "reported_on": "2021-07-10"}],
        [{"measure_id": "COLLECTED", "year": "2021/22", "target": "97"}, {"measure_id": "VISITS", "year": "2021/22", "target": "1200"}],
    )
    [path] = write_returns("2021/22 Q2", data_dir, tmp_path / "returns", made_on=dt.date(2021, 10, 1))
    ws = load_workbook(path)[RETURN_SHEET]
    give = {
        ws[f"{LETTERS['measure_id']}{r}"].value + " " + ws[f"{LETTERS['period']}{r}"].value: ws[f"{LETTERS['give']}{r}"].value
        for r in range(FIRST_ROW, ws.max_row + 1)
    }
    assert give["COLLECTED 2021-08"] == "value as at the end of 2021-08, the year so far; pmlib takes the latest"
    assert give["VISITS 2021-08"] == "value for 2021-08 alone; pmlib adds up the year to date"
    assert "Give says 'alone'" in ws["A2"].value
    assert (
        "Where Give says 'as at the end of', give the figure so far this year, as the measure is counted: pmlib takes the latest."
        in ws["A2"].value
    )


def test_the_deadline_is_on_the_first_line_of_each_sheet(council, tmp_path):
    wb = _workbook(council[0], tmp_path, "repairs.xlsx")
    assert wb[RETURN_SHEET]["A1"].value.endswith("Due back by Friday 22 October 2021.")
    assert "back to the performance team by 22 October 2021" in wb[RETURN_SHEET]["A2"].value
    assert wb[COMMENTARY_SHEET]["A1"].value == "Commentary for 2021/22 Q2: Repairs. Due back by Friday 22 October 2021."
    undated = _workbook(council[0], tmp_path, "repairs.xlsx", due=None)
    assert undated[RETURN_SHEET]["A1"].value.endswith("No deadline has been set.")


def test_the_commentary_sheet_has_one_open_row_per_measure_with_excel_checks(council, tmp_path):
    ws = _workbook(council[0], tmp_path, "contact-centre.xlsx")[COMMENTARY_SHEET]
    assert ws.protection.sheet
    assert [ws[f"A{r}"].value for r in range(FIRST_ROW, ws.max_row + 1)] == ["CALLS", "SPEND"]
    assert {ws[f"C{r}"].value for r in range(FIRST_ROW, ws.max_row + 1)} == {"2021/22 Q2"}
    for key, letter in COMMENTARY_LETTERS.items():
        locked = ws[f"{letter}{FIRST_ROW}"].protection.locked
        assert locked is (key not in ("forecast", "forecast_note", "commentary", "action", "action_owner", "action_due")), key
    rules = {(dv.type, dv.formula1): str(dv.sqref).split() for dv in ws.data_validations.dataValidation}
    c, a, d = (COMMENTARY_LETTERS[k] for k in ("commentary", "action", "action_due"))
    assert sorted(rules[("textLength", str(TEXT_LIMIT))]) == sorted(f"{col}{r}" for col in (c, a) for r in (FIRST_ROW, FIRST_ROW + 1))
    assert rules[("date", "36526")] == [f"{d}{FIRST_ROW}", f"{d}{FIRST_ROW + 1}"]


def _commentary(data_dir, rows: list[dict]) -> None:
    columns = ["measure_id", "period", "commentary", "action", "action_owner", "action_due", "reported_on"]
    write_csv(data_dir / "commentary.csv", rows, columns)


@pytest.mark.parametrize(
    ("commentary", "listed"),
    [
        ([], [("FIX Repairs on time", "Repairs", "none yet")]),
        (
            [{"measure_id": "FIX", "period": "2021/22 Q2", "commentary": "Two fitters left.", "reported_on": "2021-10-26"}],
            [("FIX Repairs on time", "Repairs", "in late, on 2021-10-26")],
        ),
        ([{"measure_id": "FIX", "period": "2021/22 Q2", "commentary": "Two fitters left.", "reported_on": "2021-10-22"}], []),
        ([{"measure_id": "FIX", "period": "2021/22 Q2", "commentary": "Two fitters left."}], []),
        ([{"measure_id": "FIX", "period": "2021/22 Q1", "commentary": "Last quarter's.", "reported_on": "2021-07-20"}], None),
    ],
    ids=["none", "late", "on-the-day", "undated", "another-quarter"],
)
def test_an_intervention_without_commentary_by_the_deadline_is_listed(council, commentary, listed):
    data_dir, params = council
    _commentary(data_dir, commentary)
    found = data_quality(load_data(data_dir), "2021-22-Q2", params)
    rows = [tuple(r.values()) for r in found.section("no-commentary").table.to_dict("records")]
    assert rows == (listed if listed is not None else [("FIX Repairs on time", "Repairs", "none yet")])
    assert found.section("no-commentary").title == "Intervention without commentary by 22 October 2021"


def test_returns_late_or_not_received_by_the_deadline_are_listed(council):
    data_dir, params = council
    found = data_quality(load_data(data_dir), "2021-22-Q2", params)
    table = found.section("deadline").table.to_dict("records")
    assert table == [
        {
            "owner": "Contact Centre",
            "figures needed": 4,
            "in by the deadline": 1,
            "in late": 0,
            "last figure in": "2021-08-10",
            "state": "partly received",
        },
        {"owner": "Repairs", "figures needed": 1, "in by the deadline": 0, "in late": 1, "last figure in": "2021-10-25", "state": "late"},
    ]
    assert found.section("deadline").title == "Returns not complete by 22 October 2021"


def test_the_demo_councils_next_quarter_returns_read_as_a_person_writes_them(tmp_path):
    """The demo's 2021/22 Q3 returns, as ``pm returns 2021-22-Q3 --due 2022-01-21`` writes them."""
    root, out = Path(__file__).resolve().parents[1], tmp_path / "returns"
    folders = ["--data", str(root / "data"), "--params", str(root / "params"), "--out", str(out)]
    result = CliRunner().invoke(main, ["returns", "2021-22-Q3", "--due", "2022-01-21", *folders])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "22 return(s) written; send each to its service unit. Due back by Friday 21 January 2022."
    wb = load_workbook(out / "2021-22-Q3" / "waste-and-cleansing.xlsx")
    ws = wb[RETURN_SHEET]
    missed = {ws[f"C{r}"].value: r for r in range(FIRST_ROW, ws.max_row + 1) if ws[f"A{r}"].value == "SE05"}
    previous = [ws[f"{LETTERS['previous_period']}{missed[m]}"].value for m in ("2021-10", "2021-11", "2021-12")]
    assert previous == ["2021-09", "2021-10", "2021-11"]
    assert ws[f"{LETTERS['previous']}{missed['2021-10']}"].value == "1,479 / 1,710,121"
    assert wb[COMMENTARY_SHEET]["A1"].value.endswith("Due back by Friday 21 January 2022.")


def test_a_deadline_given_twice_must_agree(council, tmp_path):
    data_dir, params = council
    args = ["returns", "2021-22-Q2", "--data", str(data_dir), "--params", str(params), "--out", str(tmp_path / "r")]
    result = CliRunner().invoke(main, [*args, "--due", "2021-10-29"])
    assert result.exit_code == 1
    assert "--due 2021-10-29 differs from returns_due 2021-10-22; give one deadline" in result.output
    assert not (tmp_path / "r").exists()
    assert CliRunner().invoke(main, [*args, "--due", "2021-10-22"]).exit_code == 0


def test_an_owner_written_two_ways_is_refused_before_any_return_is_written(tmp_path):
    measures = [
        {"measure_id": "CALLS", "name": "Calls", "owner": "Contact Centre"},
        {"measure_id": "SPEND", "name": "Spend", "owner": "Contact Centre"},
        {"measure_id": "WAIT", "name": "Wait", "owner": "CONTACT CENTRE"},
        {"measure_id": "FIX", "name": "Repairs on time", "owner": "Repairs"},
    ]
    data_dir = make_data(tmp_path / "data", measures, [], [])
    with pytest.raises(DataContractError) as raised:
        write_returns("2021/22 Q2", data_dir, tmp_path / "returns", made_on=dt.date(2021, 10, 1))
    assert [p.format() for p in raised.value.problems] == [
        f"{data_dir / 'measures.csv'}:4: owner: 'CONTACT CENTRE' is written 'Contact Centre' on other rows, "
        "and both would have the return contact-centre.xlsx; write the service unit's name one way"
    ]
    assert not (tmp_path / "returns").exists()


def test_latest_writes_the_returns_for_the_params_folders_latest_quarter(council, tmp_path):
    data_dir, params = council
    (params / "2021-22-Q1.yml").write_text("quarter: 2021/22 Q1\ndata_as_at: 2021-07-31\n", encoding="utf-8")
    folders = ["--data", str(data_dir), "--params", str(params), "--out", str(tmp_path / "r")]
    result = CliRunner().invoke(main, ["returns", "--latest", *folders])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(tmp_path / "r").as_posix() for p in (tmp_path / "r").rglob("*.xlsx")) == [
        "2021-22-Q2/contact-centre.xlsx",
        "2021-22-Q2/repairs.xlsx",
    ]
    assert result.output.splitlines()[-1] == "2 return(s) written; send each to its service unit. Due back by Friday 22 October 2021."
    for both in (["2021-22-Q2", "--latest"], []):
        refused = CliRunner().invoke(main, ["returns", *both, *folders])
        assert refused.exit_code == 2 and "give one of QUARTER or --latest" in refused.output


def test_returns_going_out_without_a_new_years_target_are_warned_of(tmp_path):
    """The returns are made before any figure of the year arrives: the one point where a target not rolled forward is seen in time."""
    measures = [
        {"measure_id": "CALLS", "name": "Calls answered", "owner": "Contact Centre"},
        {"measure_id": "WAIT", "name": "Wait", "owner": "Contact Centre"},
        {"measure_id": "VISITS", "name": "Visits", "owner": "Libraries"},
        {"measure_id": "CONTEXT", "name": "Population", "owner": "Libraries", "polarity": "none"},
    ]
    targets = [
        {"measure_id": "CALLS", "year": "2020/21", "target": "80"},
        {"measure_id": "CALLS", "year": "2021/22", "target": "85"},
        {"measure_id": "WAIT", "year": "2020/21", "target": "10"},
        {"measure_id": "WAIT", "year": "2021/22", "target": "9"},
        {"measure_id": "WAIT", "year": "2022/23", "target": "8"},
    ]
    data_dir = make_data(tmp_path / "data", measures, [], targets)
    folders = ["--data", str(data_dir), "--params", str(tmp_path / "params"), "--out", str(tmp_path / "r")]
    result = CliRunner().invoke(main, ["returns", "2022/23 Q1", *folders])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "1 warning(s):",
        f"  {data_dir / 'targets.csv'}:3: year: CALLS has no target for 2022/23 (its targets end with 2021/22): its return goes out "
        "with the Target blank, and the report will judge it as monitoring; add the year's target, then run pm returns again",
    ]
    assert CliRunner().invoke(main, ["returns", "2021/22 Q4", *folders]).stderr == ""
