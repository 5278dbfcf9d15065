"""Figures ``pm ingest`` dates itself (Supplied on blank, no ``reported_on``) after the report they are for is as at: a warning.

Uses the positive-control returns of ``tests/fixtures/intake/good`` (Fixture
Borough Council, 2020/21 Q3, Supplied on left blank) with a params file for
2020/21 Q3 as at 31 January 2021 beside the data folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pmlib.cli import main
from pmlib.contract.periods import Period, parse_period, parse_quarter
from pmlib.intake.ingest import ingest
from pmlib.intake.late import first_reports

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "intake" / "good"
LATE = "after 2021-01-31, the date 2020/21 Q3's report is as at, so that report will not show them"


@pytest.fixture
def project(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "2020-21-Q3.yml").write_text("quarter: 2020/21 Q3\nmeeting_date: 2021-02-10\ndata_as_at: 2021-01-31\n")
    shutil.copyfile(GOOD / "revenues-and-benefits.xlsx", tmp_path / "revenues.xlsx")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pm(*args: str) -> tuple[list[str], list[str]]:
    """What pm prints on stdout, and its warnings that a report will not show figures (others, such as a missing action, left out)."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines(), [line.strip() for line in result.stderr.splitlines()[1:] if "report is as at" in line]


def test_a_return_without_supplied_on_read_in_after_its_reports_date_is_a_warning_on_b3(project):
    """Only a date pm ingest gave (today or --reported-on) and after data_as_at is warned of; the day itself is still in the report."""
    _, warnings = pm("ingest", "revenues.xlsx", "--reported-on", "2021-02-05", "--dry-run")
    assert warnings == [
        "revenues.xlsx:3: Return!B3: Supplied on is blank, so this return's figures and commentary are dated 2021-02-05 "
        f"(the --reported-on date), {LATE}; give the date they were supplied in Supplied on (B3), "
        "or read the file in with --reported-on DATE"
    ]
    result = ingest([project / "revenues.xlsx"], project / "data", dt.date(2021, 2, 5), dry_run=True)
    assert [w.format() for w in result.warnings if "report is as at" in w.message] == [
        warnings[0].replace("revenues.xlsx", str(project / "revenues.xlsx"), 1)
    ]
    assert pm("ingest", "revenues.xlsx", "--reported-on", "2021-01-31", "--dry-run")[1] == []
    wb = load_workbook("revenues.xlsx")
    wb["Return"]["B3"] = dt.datetime(2021, 2, 5)
    wb.save("revenues.xlsx")
    assert pm("ingest", "revenues.xlsx", "--dry-run")[1] == [], "a date the unit gave is theirs to give: pm check --quarter lists it"


def test_once_read_in_the_warning_says_what_redating_takes_and_reading_again_changes_nothing(project):
    """Re-reading a return with an earlier date finds its figures held: the date cannot be put right by pm ingest."""
    out, warnings = pm("ingest", "revenues.xlsx")
    [late] = warnings
    assert late.startswith("revenues.xlsx:3: Return!B3: Supplied on is blank, so this return's figures and commentary are dated ")
    assert "(the day they were read in)" in late and LATE in late
    assert late.endswith(
        "already held: to redate them, take out the rows this run added to the data folder (intake-log.csv names the files), "
        "then read the file in again with the date they were supplied in Supplied on (B3) or --reported-on"
    )
    again, warnings = pm("ingest", "revenues.xlsx", "--reported-on", "2021-01-20")
    assert again[-1] == "Nothing new: data is unchanged." and not warnings


def test_csv_rows_without_reported_on_are_warned_of_by_the_report_that_expects_them(project):
    Path("figures.csv").write_text(
        "measure_id,period,value,reported_on\n"
        "ECO02,2020-10,41,\n"
        "ECO02,2020-11,47,2021-01-15\n"
        "ECO02,2020-12,39,\n"
        "HLT02,2020/21 Q3,22.4,\n"
        "ECO02,2020-07,50,\n",
        encoding="utf-8",
    )
    _, warnings = pm("ingest", "figures.csv", "--params", "params", "--reported-on", "2021-02-01", "--dry-run")
    assert warnings == [
        "figures.csv:2: reported_on: 3 figure(s) with no reported_on (rows 2, 4 and 5) are dated 2021-02-01 "
        f"(the --reported-on date), {LATE}; give the date they were supplied in reported_on, or read the file in with --reported-on DATE"
    ]


@pytest.mark.parametrize(
    ("frequency", "lag", "period", "report"),
    [
        ("monthly", 0, "2021-10", "2021/22 Q3"),
        ("monthly", 2, "2021-10", "2021/22 Q4"),
        ("quarterly", 1, "2021/22 Q2", "2021/22 Q3"),
        ("annual", 0, "2020/21", "2020/21 Q4"),
        ("annual", 1, "2019/20", "2020/21 Q4"),
        ("monthly", 0, "2020-10", None),
    ],
)
def test_a_figure_is_for_the_first_report_whose_expected_period_holds_it(frequency, lag, period, report):
    measures = pd.DataFrame({"frequency": [frequency], "lag": [lag]}, index=pd.Index(["M1"], name="measure_id"))
    rows = pd.DataFrame({"measure_id": ["M1"], "period": [parse_period(period).code]})
    quarters = [Period.quarter(2020, 4), *(Period.quarter(2021, n) for n in (1, 2, 3, 4))]
    [found] = first_reports(rows, measures, quarters)
    assert found == (parse_quarter(report).index if report else -1)
