"""`pm check` against the data contract: one valid data folder and many broken copies of it.

Each folder under ``tests/fixtures/invalid/<failure-mode>/`` holds only the files
that differ from ``tests/fixtures/valid/``, plus:

- ``expected.txt``: the exact ``FILE:ROW: COLUMN: message`` error lines ``pm check``
  prints, in order (lines starting with ``#`` describe the case);
- optionally ``DELETE``: files (relative to the data folder) to remove.

The test copies the valid folder to ``<tmp>/data``, overlays the case, and runs
``pm check --data data`` from ``<tmp>``, so every expected line starts ``data/``.

ROW is the row number a spreadsheet shows for the record (header = row 1, first
data row = row 2). A blank line is a row, so rows after it keep the number the
spreadsheet and a text editor both show; a cell with a line break inside it is
one spreadsheet row, so after one a text editor's line number runs ahead of ROW.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pmlib.cli import main
from pmlib.contract import officer_text
from pmlib.contract.loading import check_data, load_data, owners_written_differently
from pmlib.contract.params_folder import published_dates, report_params
from pmlib.contract.periods import Period
from pmlib.contract.tables import TABLES, read_table
from pmlib.errors import ConfigError, DataContractError, Problem

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
CASES = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())
SPECIAL = {"expected.txt", "DELETE"}


def build_case(case: Path | None, tmp_path: Path) -> Path:
    """Copy the valid folder to ``tmp_path/data`` and apply one case's changes."""
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    if case is None:
        return data
    for source in sorted(case.rglob("*")):
        rel = source.relative_to(case)
        if source.is_file() and str(rel) not in SPECIAL:
            (data / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, data / rel)
    if (case / "DELETE").is_file():
        for name in (case / "DELETE").read_text(encoding="utf-8").split():
            (data / name).unlink()
    return data


def expected_lines(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def run_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["check", "--data", "data", *args])


def test_there_are_enough_cases_and_each_expects_errors():
    assert len(CASES) >= 20
    for case in CASES:
        assert expected_lines(case), f"{case.name}/expected.txt lists no error lines"
        assert any(p.name not in SPECIAL for p in case.iterdir()) or (case / "DELETE").is_file(), case.name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_pm_check_reports_exactly_the_expected_errors(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    build_case(case, tmp_path)
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == expected_lines(case)
    assert f"{len(expected_lines(case))} error(s)" in result.stderr


def test_valid_fixture_passes_with_the_ok_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    build_case(None, tmp_path)
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stdout == "data: OK: 2 plans, 6 measures, 6 targets, 20 figures from 2 files; 0 warning(s).\n"
    assert result.stderr == ""


def test_valid_fixture_passes_in_place():
    result = CliRunner().invoke(main, ["check", "--data", str(VALID)])
    assert result.exit_code == 0, result.output
    assert ": OK: " in result.stdout


def test_several_errors_in_several_files_are_all_reported_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    case = FIXTURES / "invalid" / "several-errors"
    build_case(case, tmp_path)
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code != 0
    files = {line.split(":", 1)[0] for line in result.stdout.splitlines()}
    assert len(files) >= 6, files
    assert result.stdout.splitlines() == expected_lines(case)


def test_unknown_column_is_a_warning_on_stderr_and_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data = build_case(None, tmp_path)
    lines = (data / "measures.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",rag_rating"] + [line + ",green" for line in lines[1:]]
    (data / "measures.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "data/measures.csv:1: rag_rating: unknown column, ignored" in result.stderr.splitlines()[1]
    assert "1 warning(s):" in result.stderr
    assert "rag_rating" not in result.stdout
    assert result.stdout.endswith("; 1 warning(s).\n")


def test_links_that_will_show_as_text_are_warnings_naming_the_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """However a script link is written (inline, reference, autolink, image, entity-encoded), ``pm check`` names its cell."""
    data = build_case(None, tmp_path)
    path = data / "commentary.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Agency staff to clear the backlog", '"See [ref][j] and <JavaScript:b()>\n\n[j]: javascript:alert(5)"')
    text = text.replace("Completions are back to pre-lockdown levels.", '"Back up: ![x](data:image/png,x) [y](jav&#x61;script:c)"')
    path.write_text(text, encoding="utf-8")
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    links = "links may only go to https:, http:, mailto: addresses; correct the address or remove the link"
    assert [line.strip() for line in result.stderr.splitlines()[1:3]] == [
        f"data/commentary.csv:2: action: links to 'javascript:alert(5)', 'JavaScript:b()' will be shown as text: {links}",
        f"data/commentary.csv:3: commentary: links to 'data:image/png,x', 'javascript:c' will be shown as text: {links}",
    ]
    assert result.stdout.endswith("; 2 warning(s).\n")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("See https://www.example.gov.uk/libraries.", ["https://www.example.gov.uk/libraries"]),
        ("Opening times at www.example.gov.uk/opening, or ask.", ["www.example.gov.uk/opening"]),
        ("See [our libraries page](https://www.example.gov.uk/libraries)", []),  # a link already
        ("<https://www.example.gov.uk>", []),  # an autolink: shown as text too, and warned of as a link, not here
        ("Email performance@example.gov.uk", []),
        ("HTTP://EXAMPLE.GOV.UK and https://a.example/b?c=1&d=2", ["HTTP://EXAMPLE.GOV.UK", "https://a.example/b?c=1&d=2"]),
    ],
)
def test_a_web_address_typed_bare_is_found(text: str, found: list[str]):
    assert officer_text.bare_addresses(text) == found


def test_a_web_address_typed_bare_is_a_warning_with_the_link_to_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Commentary shows an address as typed, so a reader cannot follow it; pm check says how to make it a link."""
    data = build_case(None, tmp_path)
    path = data / "commentary.csv"
    text = path.read_text(encoding="utf-8").replace("Agency staff to clear the backlog", "Details at www.example.gov.uk/plan")
    path.write_text(text, encoding="utf-8")
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert [line.strip() for line in result.stderr.splitlines()[1:]] == [
        "data/commentary.csv:2: action: 'www.example.gov.uk/plan' will be shown as text, not a link; "
        "to link it, write [the page's name](https://www.example.gov.uk/plan)"
    ]


def test_warnings_and_errors_are_kept_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data = build_case(FIXTURES / "invalid" / "zero-denominator", tmp_path)
    text = (data / "targets.csv").read_text(encoding="utf-8")
    (data / "targets.csv").write_text(text.replace("intervention\n", "intervention,comment\n", 1), encoding="utf-8")
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == expected_lines(FIXTURES / "invalid" / "zero-denominator")
    assert "data/targets.csv:1: comment: unknown column, ignored" in result.stderr


def test_check_data_returns_problems_with_file_row_and_column(tmp_path: Path):
    data = build_case(FIXTURES / "invalid" / "zero-denominator", tmp_path)
    council_data, problems = check_data(data)
    assert council_data is None
    assert [p for p in problems if p.severity == "error"] == [
        Problem(
            str(data / "observations" / "health.csv"),
            5,
            "denominator",
            "the denominator is zero, so no rate can be worked out; check the figure or leave the row out",
        )
    ]


def test_load_data_raises_with_every_error(tmp_path: Path):
    data = build_case(FIXTURES / "invalid" / "several-errors", tmp_path)
    with pytest.raises(DataContractError) as info:
        load_data(data)
    assert len([p for p in info.value.problems if p.severity == "error"]) == len(expected_lines(FIXTURES / "invalid" / "several-errors"))


def test_row_is_the_spreadsheet_row_and_a_blank_line_counts(tmp_path: Path):
    data = build_case(None, tmp_path)
    path = data / "observations" / "health.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # header (1), HLT01 x6 (2-7), blank line (8), HLT02 Q1 (9) with a bad value
    lines.insert(7, "")
    lines[8] = lines[8].replace("18.2", "lots")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = check_data(data)
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.row, p.column) for p in errors] == [(9, "value")]
    assert lines[errors[0].row - 1].startswith("HLT02,2020/21 Q1,lots")


def test_a_cell_with_line_breaks_is_one_row(tmp_path: Path):
    # In the valid fixture the first commentary cell spans four text lines (2-5);
    # the ECO02 record is on text line 6 but is spreadsheet row 3.
    data = build_case(FIXTURES / "invalid" / "commentary-unknown-measure", tmp_path)
    text = (data / "commentary.csv").read_text(encoding="utf-8")
    assert text.splitlines()[5].startswith("ECO22,")
    _, problems = check_data(data)
    assert [(p.row, p.column) for p in problems] == [(3, "measure_id")]


def test_a_ragged_first_row_is_reported_not_shifted(tmp_path: Path):
    # pandas' default would take the extra cell as an index and shift every value left.
    data = build_case(FIXTURES / "invalid" / "unquoted-comma", tmp_path)
    _, problems = check_data(data)
    assert [(p.row, p.column) for p in problems] == [(2, None)]
    assert "9 cells but the header row has 8" in problems[0].message


def _read_plans(tmp_path: Path, text: str | bytes):
    """``text``, or bytes as saved, read as ``plans.csv`` by the check's own reader: the frame (None if unreadable) and the problems."""
    path = tmp_path / "plans.csv"
    path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text, encoding="utf-8")
    return read_table(path, "plans.csv", TABLES["plans.csv"])


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ('a,b,c\n1,2,3\n4,"open,6\n7,8,9\n', 3, "b"),
        ('a,b,c\n1,"two\nlines",3\n4,"more\nlines","open\n', 3, "c"),  # rows, not text lines; the cell left open, not the first
        ('a,b,c\n\n1,2,3\n\n4,"open\n', 5, "b"),  # blank lines are rows
        ('a,b,c\r\n"open,2,3\r\n', 2, "a"),
        ('a, b, c\n1,2,"open\n', 2, "c"),  # the header's names as the other problems give them, trimmed
        ('"a,b,c\n1,2,3\n', 1, None),  # the header itself: no column to name
    ],
)
def test_a_quote_never_closed_names_the_row_and_column_it_opens_in(tmp_path: Path, text: str, row: int, column: str | None):
    frame, problems = _read_plans(tmp_path, text)
    assert frame is None
    assert [(p.row, p.column) for p in problems] == [(row, column)]
    assert "never closed" in problems[0].message


@pytest.mark.parametrize(
    ("header", "found"),
    [
        ("plan_id;name;description", "semicolons (;)"),
        ('"plan_id";"name"', "semicolons (;)"),
        ("plan_id\tname\r", "tabs"),
        ("plan_id;name,description", None),  # a comma: read as CSV, its problems reported as usual
        ("what;ever", None),  # no column of the contract's: an unknown file, not a misread one
    ],
)
def test_a_file_separated_by_semicolons_or_tabs_is_one_problem_on_its_header(tmp_path: Path, header: str, found: str | None):
    frame, problems = _read_plans(tmp_path, f"{header}\nlocal;Local plan;What we do\n")
    if found:
        assert frame is None and [(p.row, p.column) for p in problems] == [(1, None)]
        assert found in problems[0].message and "CSV UTF-8 (Comma delimited)" in problems[0].message
    else:
        assert not any("separated by" in p.message for p in problems)


def test_empty_trailing_columns_from_a_spreadsheet_are_ignored(tmp_path: Path):
    data = build_case(None, tmp_path)
    path = data / "plans.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line + ",," for line in lines) + "\n", encoding="utf-8")
    council_data, problems = check_data(data)
    assert council_data is not None
    assert problems == []


def test_a_column_without_a_name_but_with_values_is_a_warning(tmp_path: Path):
    data = build_case(None, tmp_path)
    path = data / "plans.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ","] + [line + ",x" for line in lines[1:]]) + "\n", encoding="utf-8")
    council_data, problems = check_data(data)
    assert council_data is not None
    assert [(p.row, p.column, p.severity) for p in problems] == [(1, "column H", "warning")]


def test_blank_lines_and_blank_rows_are_skipped(tmp_path: Path):
    data = build_case(None, tmp_path)
    path = data / "action_updates.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\n\n,,,\n", 1), encoding="utf-8")
    council_data, problems = check_data(data)
    assert problems == []
    assert council_data is not None
    assert council_data.action_updates["_row"].tolist() == [4, 5, 6]


def test_valid_fixture_loads_typed(tmp_path: Path):
    data = load_data(VALID)
    assert list(data.plans.index) == ["thriving-economy", "healthy-people"]
    assert set(data.measures["frequency"]) == {"monthly", "quarterly", "annual"}
    assert "ratio" in set(data.measures["aggregation"])
    assert data.measures.loc["ECO02", "ytd"]
    assert not data.measures.loc["HLT03", "public"]
    assert data.plans.loc["thriving-economy", "sdgs"] == (8, 11)
    assert data.observations["source"].nunique() == 2
    assert data.observations["reported_on"].dtype.kind == "M"
    # the revision of ECO02 2020-09 is two rows, not a duplicate
    assert (data.observations["measure_id"].eq("ECO02") & data.observations["period"].eq("2020-09")).sum() == 2
    assert data.warnings == ()


def test_commentary_keeps_reported_on_and_two_undated_rows_for_a_quarter_still_clash(tmp_path: Path):
    data = load_data(VALID)
    assert data.commentary["reported_on"].dtype.kind == "M" and data.commentary["reported_on"].isna().all()

    folder = build_case(None, tmp_path)
    path = folder / "commentary.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write("ECO02,2020/21 Q2,Dated text may stand beside undated text.,,,\n")
    council_data, problems = check_data(folder)
    assert [p.format() for p in problems] == [
        f"{path}:4: period: commentary for this measure and quarter repeats row 3; keep one",
    ]

    text = path.read_text(encoding="utf-8").replace("action_due\n", "action_due,reported_on\n", 1)
    path.write_text(text.removesuffix("\n") + ",2020-10-20\n", encoding="utf-8")
    council_data, problems = check_data(folder)
    assert problems == []
    assert council_data is not None
    assert council_data.commentary["reported_on"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["", "", "2020-10-20"]


def test_an_invalid_frequency_skips_checks_that_need_it(tmp_path: Path):
    # ECO02's figures are monthly codes; with its frequency unreadable they are not judged against it.
    data = build_case(FIXTURES / "invalid" / "unknown-frequency", tmp_path)
    _, problems = check_data(data)
    assert [p.column for p in problems] == ["frequency"]


def test_excel_csv_utf8_with_bom_and_windows_line_endings_passes(tmp_path: Path):
    data = build_case(None, tmp_path)
    for name in ("measures.csv", "observations/health.csv"):
        text = (data / name).read_text(encoding="utf-8")
        (data / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    council_data, problems = check_data(data)
    assert problems == []
    assert council_data is not None and len(council_data.measures) == 6


def test_optional_files_may_be_left_out(tmp_path: Path):
    data = build_case(None, tmp_path)
    for name in ("commentary.csv", "actions.csv", "action_updates.csv"):
        (data / name).unlink()
    council_data, problems = check_data(data)
    assert problems == []
    assert council_data is not None and council_data.actions.empty


def test_an_observations_folder_is_required(tmp_path: Path):
    data = build_case(None, tmp_path)
    shutil.rmtree(data / "observations")
    _, problems = check_data(data)
    assert [(p.file, p.row, p.column) for p in problems] == [(str(data / "observations"), None, None)]
    assert "no observation files found" in problems[0].message


def _params(quarter: str, meeting_date: str = "2020-11-11") -> str:
    return f"quarter: {quarter}\nmeeting_date: {meeting_date}\ndata_as_at: 2020-10-31\n"


def test_every_params_file_is_checked_with_the_data_and_all_problems_reported_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``make build`` runs ``pm check`` first: a params file the build would refuse is reported there, with every other one's."""
    build_case(None, tmp_path)
    params = tmp_path / "params"
    params.mkdir()
    (params / "2020-21-Q1.yml").write_text(_params("2020/21 Q1", "15/11/2020"), encoding="utf-8")
    (params / "2020-21-Q2.yml").write_text(_params("2020/21 Q1"), encoding="utf-8")
    (params / "2020-21-Q3.yaml").write_text(_params("2020/21 Q3"), encoding="utf-8")
    (params / "Q4 draft.yml").write_text(_params("2020/21 Q4"), encoding="utf-8")
    (params / ".gitkeep").write_text("", encoding="utf-8")
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "params/2020-21-Q1.yml:2: meeting_date: '15/11/2020' is not a date; write it as YYYY-MM-DD, e.g. 2020-10-31",
        "params/2020-21-Q2.yml:1: quarter: the file is for 2020/21 Q1; rename it 2020-21-Q1.yml or correct the quarter",
    ]
    assert result.stderr.splitlines()[1:3] == [
        "  params/2020-21-Q3.yaml:-: -: not read: a report's params file is named 2020-21-Q3.yml; rename it, or move it out of the folder",
        "  params/Q4 draft.yml:-: -: not read: a report's params file is named after its quarter, such as 2020-21-Q2.yml; "
        "rename it, or move it out of the folder",
    ]

    (params / "2020-21-Q1.yml").write_text(_params("2020/21 Q1"), encoding="utf-8")
    (params / "2020-21-Q2.yml").write_text(_params("2020/21 Q2"), encoding="utf-8")
    (params / "2020-21-Q3.yaml").rename(params / "2020-21-Q3.yml")
    (params / "Q4 draft.yml").unlink()
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "params: OK: 3 reports, 2020/21 Q1 to 2020/21 Q3."


def test_a_quarter_with_its_params_file_misnamed_says_so(tmp_path: Path):
    (tmp_path / "2020-21-q2.yml").write_text(_params("2020/21 Q2"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        report_params(tmp_path, "2020/21 Q2")
    assert info.value.problems[0].message == "no params file is read here: 2020-21-q2.yml not named as a quarter, e.g. 2020-21-Q2.yml"
    (tmp_path / "2020-21-Q1.yml").write_text(_params("2020/21 Q1"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        report_params(tmp_path, "2020/21 Q2")
    assert info.value.problems[0].message == "file not found; 2020-21-q2.yml is not read: rename it 2020-21-Q2.yml"


def test_published_dates_reports_every_earlier_files_problems(tmp_path: Path):
    for n in (1, 2):
        (tmp_path / f"2020-21-Q{n}.yml").write_text(_params(f"2020/21 Q{n}", "soon"), encoding="utf-8")
    with pytest.raises(DataContractError) as info:
        published_dates(tmp_path, Period.quarter(2020, 3))
    assert [p.file for p in info.value.problems] == [str(tmp_path / "2020-21-Q1.yml"), str(tmp_path / "2020-21-Q2.yml")]


@pytest.mark.parametrize(
    ("data", "row", "column"),
    [
        (b"plan_id,name\nfutures,Caf\xe9\n", 2, "name"),
        (b"\xef\xbb\xbfplan_id,name\nfutures,Caf\xe9\n", 2, "name"),  # Excel's byte-order mark is not counted into the byte named
        (b"\xef\xbb\xbfplan_id,name\n\xa3,x\n", 2, "plan_id"),  # the bad byte among a line's first three
        (b'plan_id,name\nfutures,"two\nlines"\nplaces,\xa3\n', 3, "name"),  # a row, as everywhere, not a text line
        (b"plan_id,na\xa3me\nfutures,x\n", 1, None),  # in the header itself: no column to name
        (b"plan_id , name \nfutures, caf\xe9\n", 2, "name"),
    ],
)
def test_a_byte_that_is_not_utf8_is_named_with_its_row_and_column(tmp_path: Path, data: bytes, row: int, column: str | None):
    """The byte named is the one that is not UTF-8 (0xe9 or 0xa3, from Windows-1252), whether or not a byte-order mark comes first."""
    frame, problems = _read_plans(tmp_path, data)
    assert frame is None
    bad = "e9" if b"\xe9" in data else "a3"
    assert [(p.row, p.column, p.message) for p in problems] == [
        (row, column, f"not UTF-8 text (byte 0x{bad} on this line); save the file as 'CSV UTF-8'")
    ]


def test_figures_in_a_year_after_a_measures_targets_end_are_a_warning_on_its_last_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A new year's target not yet added turns the measure into monitoring, and a measure needing intervention leaves the exceptions."""
    data = build_case(None, tmp_path)
    with (data / "observations" / "economy.csv").open("a", encoding="utf-8") as f:
        f.write("ECO01,2021/22 Q1,27.9,,,validated,,2021-07-10\n")  # targets end with 2020/21 (rows 2 and 3)
        f.write("ECO03,2020/21,575,,,validated,,2021-05-10\n")  # targets end with 2019/20 (row 5)
        f.write("ECO02,2020-10,55,,,validated,,2020-11-10\n")  # the same year as its target: no warning
    with (data / "observations" / "health.csv").open("a", encoding="utf-8") as f:
        f.write("HLT03,2021/22,4.1,,,validated,,2022-05-10\n")  # polarity none: monitored by design
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[1:] == [
        "  data/targets.csv:3: year: ECO01's targets end with 2020/21, but it has figures for 2021/22, which are judged as monitoring "
        "without a target; add that year's target (or set the polarity to none)",
        "  data/targets.csv:5: year: ECO03's targets end with 2019/20, but it has figures for 2020/21, which are judged as monitoring "
        "without a target; add that year's target (or set the polarity to none)",
    ]


def test_a_plan_with_no_measures_is_a_warning_on_its_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data = build_case(None, tmp_path)
    with (data / "plans.csv").open("a", encoding="utf-8") as f:
        f.write("resources,Resources,,,,,3\n")
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[1:] == [
        "  data/plans.csv:4: plan_id: resources has no measures in measures.csv, so its report and its part of the pack are empty; "
        "add its measures"
    ]


@pytest.mark.parametrize(
    ("owners", "expected"),
    [
        (["Parks", "Libraries"], [None, None]),
        (["Parks", "PARKS", "Parks"], [None, "Parks", None]),
        (["PARKS", "Parks", "Parks"], ["Parks", None, None]),  # the name most rows give
        (["parks", "Parks"], [None, "parks"]),  # a tie: the first row's
        (["Children's Services", "Childrens  services"], [None, "Children's Services"]),
        (["Parks", None, "parks"], [None, None, "Parks"]),
    ],
)
def test_an_owner_written_another_way_is_given_its_units_usual_name(owners, expected):
    got = owners_written_differently(pd.Series(owners, dtype=object, index=range(10, 10 + len(owners))))
    assert list(got.index) == list(range(10, 10 + len(owners)))
    assert [None if pd.isna(v) else v for v in got] == expected


def test_an_owner_written_two_ways_is_a_warning_on_the_rows_that_differ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data = build_case(None, tmp_path)
    measures = (data / "measures.csv").read_text(encoding="utf-8").splitlines()
    assert measures[5].startswith("HLT02,") and measures[5].count(",Revenues and Benefits,") == 1
    measures[5] = measures[5].replace(",Revenues and Benefits,", ",REVENUES AND BENEFITS,")
    (data / "measures.csv").write_text("\n".join(measures) + "\n", encoding="utf-8")
    result = run_check(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[1:] == [
        "  data/measures.csv:6: owner: 'REVENUES AND BENEFITS' is written 'Revenues and Benefits' on other rows; "
        "write a service unit's name one way, or it gets two returns"
    ]
