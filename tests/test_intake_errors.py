"""`pm ingest` against bad input: one returned file per failure mode, each refused with its own message and ``data/`` untouched.

Each folder under ``tests/fixtures/intake/<failure-mode>/`` holds one bad file
(a return workbook, a CSV or something else a service unit might send) and:

- ``expected.txt``: the exact ``FILE:ROW: SHEET!CELL: message`` (CSV:
  ``FILE:ROW: COLUMN: message``) lines ``pm ingest`` prints, in order; lines
  starting with ``#`` describe the case.

``tests/fixtures/intake/good/`` holds the same 2020/21 Q3 returns filled in
correctly, the positive control. All are written by
``tests/fixtures/intake/make_fixtures.py`` (run it again after changing a case).

The test copies ``tests/fixtures/valid`` to ``<tmp>/data`` and the bad file to
``<tmp>``, runs ``pm ingest FILE --data data --reported-on 2021-01-20`` from
``<tmp>``, and checks exit code 1, the lines printed, and that every byte of
``data/`` is as it was, with no file added.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pmlib.cli import main
from pmlib.intake.ingest import ingest as read_in

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
INTAKE = FIXTURES / "intake"
GOOD = INTAKE / "good"
CASES = sorted(p for p in INTAKE.iterdir() if (p / "expected.txt").is_file())
REPORTED_ON = "2021-01-20"

# Problems with the whole file, where there is no cell or column to name: it cannot be opened or decoded, is not a return,
# or is not a type pm ingest reads. Every other line names SHEET!CELL (workbooks) or a column (CSV).
WHOLE_FILE = {
    "wb-corrupt",
    "wb-empty",
    "wb-password-protected",
    "wb-old-xls",
    "wb-damaged-xml",
    "wb-not-a-return",
    "wb-return-sheet-deleted",
    "csv-latin1",
    "csv-empty",
    "csv-wrong-file-type",
    "csv-return-saved-as-csv",
    "ods-spreadsheet",
}

# Cases whose fix lies outside pmlib/intake/workbooks.py; empty now, kept so a newly found one can be marked while it is fixed.
KNOWN_BUGS: dict[str, str] = {}
NO_FIX_GIVEN: dict[str, str] = {}

LINE = re.compile(r"^(?P<file>[^:]+):(?P<row>\d+|-): (?P<where>.+?): (?P<message>.+)$")
CELL = re.compile(r"^(?P<sheet>[^!]+)!(?P<col>[A-Z]+)(?P<row>\d+)(:[A-Z]+\d+)?$")


def expected_lines(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def bad_file(case: Path) -> Path:
    (path,) = (p for p in case.iterdir() if p.name != "expected.txt")
    return path


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (as None), by path relative to ``folder``."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def ingest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *sources: Path, args: tuple[str, ...] = ()):
    """Copy the valid data folder and ``sources`` into ``tmp_path``; run pm ingest on the copies from there."""
    shutil.copytree(VALID, tmp_path / "data")
    for source in sources:
        shutil.copyfile(source, tmp_path / source.name)
    monkeypatch.chdir(tmp_path)
    files = [source.name for source in sources]
    return CliRunner().invoke(main, ["ingest", *files, "--data", "data", "--reported-on", REPORTED_ON, *args])


def marked(known: dict[str, str]) -> list:
    return [
        pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=known[c.name])] if c.name in known else []) for c in CASES
    ]


def test_the_corpus_has_one_bad_file_per_failure_mode():
    assert len(CASES) >= 20
    for case in CASES:
        assert len([p for p in case.iterdir() if p.name != "expected.txt"]) == 1, f"{case.name}: one bad file per case"
        text = (case / "expected.txt").read_text(encoding="utf-8")
        assert text.startswith("# "), f"{case.name}/expected.txt should start with a # line describing the case"
        assert expected_lines(case), f"{case.name}/expected.txt lists no error lines"
    assert set(KNOWN_BUGS) | set(NO_FIX_GIVEN) | WHOLE_FILE <= {c.name for c in CASES}


@pytest.mark.parametrize("case", marked(NO_FIX_GIVEN))
def test_every_expected_line_names_the_file_the_place_and_a_fix(case: Path):
    for line in expected_lines(case):
        m = LINE.match(line)
        assert m, f"{case.name}: not FILE:ROW: WHERE: message: {line}"
        assert m["file"] == bad_file(case).name, line
        if m["where"] == "-":
            assert case.name in WHOLE_FILE, f"{case.name}: names no cell or column: {line}"
        elif bad_file(case).suffix == ".xlsx":
            cell = CELL.match(m["where"])
            if cell:
                assert m["row"] == cell["row"], f"ROW should be the cell's row: {line}"
            else:  # a whole sheet
                assert m["row"] == "-" and "!" not in m["where"], line
        else:
            assert re.fullmatch(r"[a-z_]+", m["where"]), f"{case.name}: not a CSV column: {line}"
        assert "; " in m["message"], f"{case.name}: the message should say how to fix it, after '; ': {line}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_file_is_refused_and_leaves_data_byte_identical(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    before = snapshot(VALID)
    result = ingest(tmp_path, monkeypatch, bad_file(case))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert snapshot(tmp_path / "data") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["data", bad_file(case).name])
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", marked(KNOWN_BUGS))
def test_a_bad_file_gets_exactly_its_messages(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    result = ingest(tmp_path, monkeypatch, bad_file(case))
    assert result.stdout.splitlines() == expected_lines(case)
    assert result.stderr.splitlines()[-1] == f"{len(expected_lines(case))} error(s): fix them and run pm ingest again; data is unchanged."


def test_correct_returns_and_csv_are_read_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The positive control: the same returns filled in correctly are read in, so the refusals above are the bad cells' doing."""
    files = [GOOD / name for name in ("revenues-and-benefits.xlsx", "housing-delivery.xlsx", "public-health.xlsx", "figures.csv")]
    result = ingest(tmp_path, monkeypatch, *files)
    assert result.exit_code == 0, result.output
    obs = Path("data/observations")
    assert result.stdout.splitlines() == [
        f"{file}: {n} new figure(s), {revisions} of them revisions; 0 already held{said} -> {obs / target}{to}"
        for file, n, revisions, target, said, to in (
            (
                "revenues-and-benefits.xlsx",
                2,
                0,
                "returns-2020-21-q3-revenues-and-benefits.csv",
                "; 2 commentary row(s) added; 1 forecast(s) added",
                f", {Path('data/commentary.csv')}, {Path('data/forecasts.csv')}",
            ),
            ("housing-delivery.xlsx", 3, 0, "returns-2020-21-q3-housing-delivery.csv", "", ""),
            ("public-health.xlsx", 3, 0, "returns-2020-21-q3-public-health.csv", "", ""),
            ("figures.csv", 1, 1, "intake-figures.csv", "", ""),
        )
    ]
    commentary = (tmp_path / "data" / "commentary.csv").read_text(encoding="utf-8").splitlines()
    assert commentary[0] == "measure_id,period,commentary,action,action_owner,action_due,reported_on"
    assert commentary[-2:] == [
        "ECO01,2020/21 Q3,Collection is *ahead* of last year after the reminder campaign.,,,,2021-01-20",
        "HLT02,2020/21 Q3,Claims took longer while two posts were vacant.,Recruit to both posts and clear the backlog with overtime.,"
        "Benefits Manager,2021-03-31,2021-01-20",
    ]
    header = "measure_id,period,value,numerator,denominator,quality,note,reported_on"
    assert (tmp_path / obs / "returns-2020-21-q3-revenues-and-benefits.csv").read_text(encoding="utf-8").splitlines() == [
        header,
        "ECO01,2020/21 Q3,80.1,,,provisional,,2021-01-20",
        "HLT02,2020/21 Q3,22.4,,,,two staff vacancies,2021-01-20",
    ]
    assert (tmp_path / obs / "returns-2020-21-q3-public-health.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        f"HLT01,{month},,{n},{d},,,2021-01-20" for month, n, d in (("2020-10", 40, 86), ("2020-11", 37, 80), ("2020-12", 42, 88))
    ]
    for name in ("economy.csv", "health.csv"):
        assert (tmp_path / obs / name).read_bytes() == (VALID / "observations" / name).read_bytes()
    log = (tmp_path / "data" / "intake-log.csv").read_text(encoding="utf-8").splitlines()
    assert len(log) == 1 + len(files)
    assert CliRunner().invoke(main, ["check", "--data", "data"]).exit_code == 0


def test_a_repeat_across_two_files_names_the_other_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    header = "measure_id,period,value\n"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.csv").write_text(header + "ECO01,2020/21 Q3,80.1\n", encoding="utf-8")
    (tmp_path / "src" / "b.csv").write_text(header + "ECO01,2020/21 Q3,80.2\n", encoding="utf-8")
    result = ingest(tmp_path, monkeypatch, tmp_path / "src" / "a.csv", tmp_path / "src" / "b.csv")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "b.csv:2: reported_on: a figure for this measure, period and reported_on date repeats a.csv row 2; "
        "keep one, or give a revised figure a later reported_on date"
    ]


def test_csv_rows_dated_after_today_are_one_warning_for_the_file(tmp_path: Path):
    """A year typed wrong, and --reported-on a year on for a row without a date; ``today`` is the day pm ingest runs."""
    shutil.copytree(VALID, tmp_path / "data")
    figures = tmp_path / "figures.csv"
    figures.write_text(
        "measure_id,period,value,reported_on\nECO01,2020/21 Q3,80.1,2021-01-15\nHLT02,2020/21 Q3,22.4,2022-01-15\nECO02,2020-10,41,\n",
        encoding="utf-8",
    )
    result = read_in([figures], tmp_path / "data", reported_on=dt.date(2022, 1, 20), dry_run=True, today=dt.date(2021, 1, 20))
    assert [(p.row, p.column, p.message) for p in result.warnings if "after today" in p.message] == [
        (
            3,
            "reported_on",
            "rows 3 and 4 are dated after today (2021-01-20) (--reported-on, for rows without a date), "
            "so a report as at any earlier date leaves them out; check reported_on",
        )
    ]


def test_a_file_named_twice_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``pm ingest inbox/*.xlsx inbox/a.xlsx`` reads a.xlsx once, not as a copy of itself repeating every row."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.csv").write_text("measure_id,period,value\nECO01,2020/21 Q3,80.1\n", encoding="utf-8")
    twice = tmp_path / "src" / ".." / "src" / "a.csv"
    result = ingest(tmp_path, monkeypatch, tmp_path / "src" / "a.csv", twice)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1 and result.stdout.startswith("a.csv: 1 new figure(s)")


SAVED = INTAKE / "csv-return-saved-as-csv" / "revenues-and-benefits.csv"


def _saved_variant(name: str) -> bytes:
    """The Return sheet saved as CSV (the fixture), changed as another Excel, or another sheet, would have saved it."""
    lines = SAVED.read_bytes().decode("utf-8-sig").splitlines()
    if name == "headings-on-row-1":
        return "\r\n".join(lines[4:]).encode("utf-8")
    if name == "windows-1252-semicolons":
        return "\r\n".join(line.replace(",", ";") for line in lines).replace("Fixture BC", "Fixture £ BC").encode("cp1252")
    assert name == "commentary-sheet"
    header = "Measure ID,Measure,Quarter,Target,Intervention level,Year-end target,Year-end forecast (fill in),Forecast note (fill in),"
    header += "Commentary (fill in),Corrective action (fill in),Action owner (fill in),Action due (fill in)"
    title = "Commentary for 2020/21 Q3: Revenues and Benefits. No deadline has been set."
    return "\r\n".join([title, "For each measure...", "", "", header, "ECO01,Business rates collected,2020/21 Q3,98,96"]).encode("utf-8")


@pytest.mark.parametrize(
    ("variant", "sheet", "row", "how"),
    [
        ("headings-on-row-1", "Return", 1, "row 1 holds its headings"),
        ("windows-1252-semicolons", "Return", 1, "row 1 is its title"),
        ("commentary-sheet", "Commentary", 1, "row 1 is its title"),
    ],
)
def test_a_return_sheet_saved_as_csv_is_one_error_however_it_was_saved(variant, sheet, row, how, tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    path = tmp_path / "src" / "return.csv"
    path.write_bytes(_saved_variant(variant))
    result = ingest(tmp_path, monkeypatch, path)
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"return.csv:{row}: -: this is a return workbook's {sheet} sheet saved as CSV ({how}); ")
    assert "warning" not in result.stderr


def test_a_folder_named_as_a_file_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copytree(VALID, tmp_path / "data")
    (tmp_path / "inbox").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["ingest", "inbox", "missing.xlsx", "--data", "data"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"inbox:-: -: this is a folder, not a file; name the files in it, e.g. {Path('inbox') / '*.xlsx'}",
        "missing.xlsx:-: -: file not found; check the path",
    ]


def test_a_figure_refused_for_its_text_is_not_also_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """'TBC' as a numerator is one error, not that and "give its numerator"; 'n/a' beside a Note is no "no figure given" warning too."""
    (tmp_path / "src").mkdir()
    for name, cell, text in (("public-health.xlsx", "L7", "TBC"), ("revenues-and-benefits.xlsx", "K7", "n/a")):
        wb = load_workbook(GOOD / name)
        wb["Return"][cell] = text
        wb.save(tmp_path / "src" / name)
    result = ingest(tmp_path, monkeypatch, tmp_path / "src" / "public-health.xlsx", tmp_path / "src" / "revenues-and-benefits.xlsx")
    assert result.exit_code == 1
    assert [line.split(": ", 2)[:2] for line in result.stdout.splitlines()] == [
        ["public-health.xlsx:7", "Return!L7"],
        ["revenues-and-benefits.xlsx:7", "Return!K7"],
    ]
    assert "no figure given" not in result.stderr


@pytest.mark.parametrize("sheet", ["Return", "Commentary"])
def test_a_column_added_after_a_sheets_own_is_a_warning_and_the_rest_is_read(sheet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "src").mkdir()
    wb = load_workbook(GOOD / "revenues-and-benefits.xlsx")
    ws = wb[sheet]
    added = ws.cell(7, ws.max_column + 2, "figure checked by J. Smith")
    wb.save(tmp_path / "src" / "revenues-and-benefits.xlsx")
    result = ingest(tmp_path, monkeypatch, tmp_path / "src" / "revenues-and-benefits.xlsx")
    assert result.exit_code == 0, result.output
    assert "revenues-and-benefits.xlsx: 2 new figure(s)" in result.stdout
    assert [line for line in result.output.splitlines() if "not one of the return's" in line] == [
        f"  revenues-and-benefits.xlsx:7: {sheet}!{added.coordinate}: column {added.column_letter} is not one of the return's, so what it "
        "holds ('figure checked by J. Smith') is not read in; put a figure's note in Note and the measure's commentary on the "
        "Commentary sheet"
    ]
