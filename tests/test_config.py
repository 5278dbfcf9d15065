"""``data/council.yml`` and ``params/<slug>.yml``: good files load, bad ones give problems on the line to fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmlib.contract.config import Council, ReportParams, check_report_params, read_council, read_report_params
from pmlib.contract.periods import Period
from pmlib.errors import DataContractError

GOOD_PARAMS = """\
quarter: 2020/21 Q2
title: Corporate Performance Report
meeting: Cabinet
meeting_date: 2020-11-11
data_as_at: 2020-10-31
audience: public
"""

GOOD_COUNCIL = """\
name: Fixture Borough Council
short_name: Fixture BC
status_method: tolerance
tolerance_pct: 7.5
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors(problems):
    return [(p.row, p.column) for p in problems if p.severity == "error"]


# --- council.yml ---------------------------------------------------------


def test_good_council_file():
    council, problems = read_council(Path(__file__).parent / "fixtures" / "valid" / "council.yml")
    assert problems == []
    assert council == Council(name="Fixture Borough Council", short_name="Fixture BC", status_method="intervention", tolerance_pct=5)


def test_council_tolerance_method(tmp_path: Path):
    council, problems = read_council(write(tmp_path, "council.yml", GOOD_COUNCIL))
    assert problems == []
    assert council is not None and council.status_method == "tolerance" and council.tolerance_pct == 7.5


def test_council_defaults(tmp_path: Path):
    council, problems = read_council(write(tmp_path, "council.yml", "name: A Council\nshort_name: A\n"))
    assert problems == []
    assert council is not None and council.status_method == "intervention" and council.tolerance_pct == 5


def test_council_unknown_key_is_a_warning_with_its_line(tmp_path: Path):
    council, problems = read_council(write(tmp_path, "council.yml", GOOD_COUNCIL + "colour_scheme: blue\n"))
    assert council is not None
    assert [(p.row, p.column, p.severity, p.message) for p in problems] == [(5, "colour_scheme", "warning", "unknown key, ignored")]


def test_council_bad_status_method(tmp_path: Path):
    council, problems = read_council(write(tmp_path, "council.yml", GOOD_COUNCIL.replace("tolerance\n", "sometimes\n")))
    assert council is None
    assert errors(problems) == [(3, "status_method")]
    assert "'sometimes'" in problems[0].message and "'intervention' or 'tolerance'" in problems[0].message


def test_council_missing_key(tmp_path: Path):
    council, problems = read_council(write(tmp_path, "council.yml", "name: A Council\n"))
    assert council is None
    assert errors(problems) == [(None, "short_name")]
    assert problems[0].message == "required key is missing; add a line 'short_name: ...'"


@pytest.mark.parametrize("value", ["100", "-1", "five"])
def test_council_bad_tolerance(tmp_path: Path, value: str):
    council, problems = read_council(write(tmp_path, "council.yml", GOOD_COUNCIL.replace("7.5", value)))
    assert council is None
    assert errors(problems) == [(4, "tolerance_pct")]


def test_council_not_utf8(tmp_path: Path):
    path = tmp_path / "council.yml"
    path.write_bytes("name: Caf\u00e9 Council\nshort_name: Caf\u00e9\n".encode("latin-1"))
    council, problems = read_council(path)
    assert council is None
    assert errors(problems) == [(1, None)]
    assert "UTF-8" in problems[0].message


def test_council_not_yaml(tmp_path: Path):
    council, problems = read_council(write(tmp_path, "council.yml", "name: [Broken\nshort_name: B\n"))
    assert council is None
    assert len(problems) == 1 and "not valid YAML" in problems[0].message
    assert "\n" not in problems[0].format()


def test_council_empty(tmp_path: Path):
    council, problems = read_council(write(tmp_path, "council.yml", ""))
    assert council is None
    assert errors(problems) == [(None, None)]


def test_council_missing_file(tmp_path: Path):
    council, problems = read_council(tmp_path / "council.yml", "data/council.yml")
    assert council is None
    assert [p.format() for p in problems] == ["data/council.yml:-: -: file not found; create it as the data contract describes"]


# --- params/<slug>.yml ----------------------------------------------------


def test_good_params_file(tmp_path: Path):
    params = read_report_params(write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS))
    assert params == ReportParams(
        quarter=Period.quarter(2020, 2),
        meeting_date=dt.date(2020, 11, 11),
        data_as_at=dt.date(2020, 10, 31),
    )
    assert params.audience == "public" and params.title == "Corporate Performance Report"


def test_params_returns_due_is_an_optional_date_read_without_warnings(tmp_path: Path):
    assert read_report_params(write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS)).returns_due is None
    path = write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS + "returns_due: 2020-10-15\n")
    params, problems = check_report_params(path)
    assert problems == []
    assert params is not None and params.returns_due == dt.date(2020, 10, 15)


@pytest.mark.parametrize("bad", ["2020-10-32", "15/10/2020", "mid October"])
def test_params_bad_returns_due_is_a_problem_on_its_line(tmp_path: Path, bad: str):
    params, problems = check_report_params(write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS + f"returns_due: {bad}\n"))
    assert params is None
    assert errors(problems) == [(7, "returns_due")]
    assert problems[0].message == f"'{bad}' is not a date; write it as YYYY-MM-DD, e.g. 2020-10-31"


def test_params_quarter_as_slug(tmp_path: Path):
    params = read_report_params(write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS.replace("2020/21 Q2", "2020-21-Q2")))
    assert params.quarter == Period.quarter(2020, 2)


def test_params_unknown_key_is_a_warning_with_its_line(tmp_path: Path):
    path = write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS.replace("meeting: Cabinet\n", "meeting: Cabinet\nchair: Cllr Smith\n"))
    params, problems = check_report_params(path)
    assert params is not None
    assert [(p.row, p.column, p.severity) for p in problems] == [(4, "chair", "warning")]
    assert read_report_params(path) == params


@pytest.mark.parametrize("bad", ["2020-11-31", "11/11/2020", "next week", "45336", "1706659200", "0", "2020-11-11T00:00"])
def test_params_bad_date(tmp_path: Path, bad: str):
    """An Excel serial or a count of seconds is no date, though pydantic alone would read seconds as one."""
    path = write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS.replace("meeting_date: 2020-11-11", f"meeting_date: {bad}"))
    with pytest.raises(DataContractError) as info:
        read_report_params(path)
    assert errors(info.value.problems) == [(4, "meeting_date")]
    assert info.value.problems[0].message == f"'{bad}' is not a date; write it as YYYY-MM-DD, e.g. 2020-10-31"


def test_params_dates_are_read_as_in_the_csv_files(tmp_path: Path):
    params = read_report_params(
        write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS.replace("meeting_date: 2020-11-11", "meeting_date: 2020-11-1"))
    )
    assert params.meeting_date == dt.date(2020, 11, 1)


def test_words_are_read_whatever_their_case(tmp_path: Path):
    params = read_report_params(write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS.replace("audience: public", "audience: Internal")))
    assert params.audience == "internal"
    council, problems = read_council(write(tmp_path, "council.yml", "name: A\nshort_name: A\nstatus_method: Tolerance\n"))
    assert problems == [] and council is not None and council.status_method == "tolerance"


def test_a_key_written_twice_is_an_error_on_its_second_line(tmp_path: Path):
    council, problems = read_council(write(tmp_path, "council.yml", "name: A\nshort_name: A\nname: B\n"))
    assert council is None
    assert [(p.row, p.column, p.severity, p.message) for p in problems] == [
        (3, "name", "error", "key appears twice (first on line 1); keep one")
    ]


@pytest.mark.parametrize(
    ("key", "meant"), [("staus_method", "status_method"), ("tolerence_pct", "tolerance_pct"), ("meetingdate", "meeting_date")]
)
def test_a_misspelt_key_is_an_error_naming_the_key_meant(tmp_path: Path, key: str, meant: str):
    """A misspelt key would silently leave its default in force (the intervention method, for one), so it is not merely ignored."""
    if meant == "meeting_date":
        found, problems = check_report_params(write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS + f"{key}: 2020-11-12\n"))
    else:
        found, problems = read_council(write(tmp_path, "council.yml", f"name: A\nshort_name: A\n{key}: 5\n"))
    assert found is None
    assert [(p.column, p.severity) for p in problems] == [(key, "error")]
    assert f"did you mean '{meant}'?" in problems[0].message


@pytest.mark.parametrize("bad", ["2020/21 Q5", "2020/22 Q2", "Q2 2020", "2020-09"])
def test_params_bad_quarter(tmp_path: Path, bad: str):
    path = write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS.replace("2020/21 Q2", bad))
    params, problems = check_report_params(path)
    assert params is None
    assert errors(problems) == [(1, "quarter")]
    assert "write it as 2020/21 Q2 or 2020-21-Q2" in problems[0].message


def test_params_file_name_must_match_the_quarter(tmp_path: Path):
    path = write(tmp_path, "2020-21-Q3.yml", GOOD_PARAMS)
    with pytest.raises(DataContractError) as info:
        read_report_params(path)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (1, "quarter")
    assert problem.message == "the file is for 2020/21 Q2; rename it 2020-21-Q2.yml or correct the quarter"


def test_params_bad_audience_and_missing_key_together(tmp_path: Path):
    text = GOOD_PARAMS.replace("audience: public", "audience: everyone").replace("data_as_at: 2020-10-31\n", "")
    params, problems = check_report_params(write(tmp_path, "2020-21-Q2.yml", text))
    assert params is None
    assert errors(problems) == [(None, "data_as_at"), (5, "audience")]


def test_params_error_lines_are_single_line(tmp_path: Path):
    params, problems = check_report_params(write(tmp_path, "2020-21-Q2.yml", "quarter: [2020\n"))
    assert params is None
    assert len(problems) == 1
    assert "\n" not in problems[0].format()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("data_as_at: 2020-10-31", "data_as_at: 2020-09-15"), [(5, "data_as_at")]),  # before the quarter ends
        (("meeting_date: 2020-11-11", "meeting_date: 2020-10-14"), [(4, "meeting_date")]),  # Cabinet before the figures' date
        (("audience: public", "audience: public\nreturns_due: 2020-01-10"), [(7, "returns_due")]),  # the year mistyped
        (("audience: public", "audience: public\nreturns_due: 2020-11-20"), [(7, "returns_due")]),  # after the meeting
        (("audience: public", "audience: public\nreturns_due: 2020-10-15"), []),
        (("meeting_date: 2020-11-11", "meeting_date: 2020-10-31"), []),  # on the day is possible
    ],
)
def test_dates_that_cannot_all_be_right_are_warnings_on_their_lines(tmp_path: Path, change: tuple[str, str], expected: list):
    """A mistyped year or month builds a report Cabinet would meet before its figures exist: said, though it does not stop the build."""
    params, problems = check_report_params(write(tmp_path, "2020-21-Q2.yml", GOOD_PARAMS.replace(*change)))
    assert params is not None
    assert [(p.row, p.column) for p in problems if p.severity == "warning"] == expected
    assert all(p.message.endswith("; check the date") for p in problems)
