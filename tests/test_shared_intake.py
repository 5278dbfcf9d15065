"""Returns out and back in for a shared-services project: each council's own returns, one per shared service, split on the way in.

``tests/fixtures/shared-intake`` is two councils, A and B. Each has one measure
of its own (A: PARK1, owned by Parks; B: BIN1, owned by Waste) and the two
measures of the shared service Revenues (REV1 days to decide a claim, lower is
better; REV2 claims decided). A's returns are due on 23 October 2020 and B's on
20 October, so the Revenues return is due on the 20th.

Each test copies the fixture to a scratch folder and runs ``pm`` from there,
so the paths in messages are the relative ones a user would type.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pmlib.cli import main
from pmlib.contract.councils import load_councils
from pmlib.intake.returns import ABOUT_SHEET, COMMENTARY_SHEET, FIRST_ROW, RETURN_SHEET, SUPPLIED_ON_CELL, write_returns
from pmlib.intake.shared_ingest import ingest_shared

FIXTURE = Path(__file__).parent / "fixtures" / "shared-intake"
SHARED = "out/shared/revenues-2020-21-Q2.xlsx"
HEADER = "measure_id,period,value,numerator,denominator,quality,note,reported_on"


@pytest.fixture
def project(tmp_path, monkeypatch):
    shutil.copytree(FIXTURE, tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    return tmp_path / "p"


def pm(*args: str, code: int = 0) -> list[str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.stdout.splitlines()


def returns_out() -> list[str]:
    return pm("returns", "2020-21-Q2", "--councils", "councils.yml", "--out", "out")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def table(ws, first_column: str, last_column: str) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws[f"{first_column}{FIRST_ROW}:{last_column}{ws.max_row}"]]


def test_each_council_gets_its_own_returns_and_the_shared_service_one_with_every_councils_rows(project):
    assert returns_out() == [
        "Return: out/a/2020-21-Q2/parks.xlsx",
        "Return: out/b/2020-21-Q2/waste.xlsx",
        f"Return: {SHARED}",
        "3 return(s) written; send each to its service unit or shared service.",
        "a: Due back by Friday 23 October 2020.",
        "b: Due back by Tuesday 20 October 2020.",
        "Shared services' returns: due by the earliest, 2020-10-20.",
    ]
    parks = load_workbook("out/a/2020-21-Q2/parks.xlsx")
    assert table(parks[RETURN_SHEET], "A", "C") == [("PARK1", "Parks inspected clean", "2020/21 Q2")]
    assert parks[RETURN_SHEET]["A1"].value.endswith("Due back by Friday 23 October 2020.")
    assert list(parks[ABOUT_SHEET].values) == [
        ("Format", "pmlib-return-2"),
        ("Council", "Council A"),
        ("Owner", "Parks"),
        ("Quarter", "2020/21 Q2"),
        ("Council id", "a"),
    ]
    assert table(load_workbook("out/b/2020-21-Q2/waste.xlsx")[RETURN_SHEET], "A", "A") == [("BIN1",)]

    wb = load_workbook(SHARED)
    ws = wb[RETURN_SHEET]
    # Council, Measure ID, Measure, Period; Previous period, Previous figure: each council's name for the measure, its own figures.
    assert [r[:4] + r[7:9] for r in table(ws, "A", "I")] == [
        ("Council A", "REV1", "Days to decide benefit claims", "2020/21 Q2", "2020/21 Q1", 19.5),
        ("Council A", "REV2", "Benefit claims decided", "2020/21 Q2", "2020/21 Q1", 310),
        ("Council B", "REV1", "Benefit claims: days to decide", "2020/21 Q2", "2020/21 Q1", 17),
        ("Council B", "REV2", "Benefit claims decided", "2020/21 Q2", "2020/21 Q1", 280),
    ]
    assert [ws.cell(5, i).value for i in (1, 2, 12)] == ["Council", "Measure ID", "Value (fill in)"]
    assert ws["L6"].protection.locked is False and ws["A6"].protection.locked is not False
    assert ws["A1"].value == (
        "A and B Shared Services performance return: Revenues, 2020/21 Q2 (July to September 2020). Due back by Tuesday 20 October 2020."
    )
    assert ws["A4"].value.endswith("The deadline is the earliest of the councils' returns_due (a 2020-10-23, b 2020-10-20).")
    assert table(wb[COMMENTARY_SHEET], "A", "B") == [
        ("Council A", "REV1"),
        ("Council A", "REV2"),
        ("Council B", "REV1"),
        ("Council B", "REV2"),
    ]
    assert list(wb[ABOUT_SHEET].values) == [
        ("Format", "pmlib-shared-return-1"),
        ("Shared services", "A and B Shared Services"),
        ("Service", "Revenues"),
        ("Quarter", "2020/21 Q2"),
        ("Council 1", "a: Council A"),
        ("Council 2", "b: Council B"),
        ("Due", "2020-10-20. The deadline is the earliest of the councils' returns_due (a 2020-10-23, b 2020-10-20)."),
    ]


def fill_shared(values: dict[int, object], council: dict[int, str] | None = None) -> None:
    """Fill the Revenues return: Value (column L) by sheet row, A's REV1 commentary and action; ``council`` edits column A."""
    wb = load_workbook(SHARED)
    ws = wb[RETURN_SHEET]
    ws[SUPPLIED_ON_CELL] = dt.date(2020, 10, 19)
    for row, value in values.items():
        ws[f"L{row}"] = value
    for row, name in (council or {}).items():
        ws[f"A{row}"] = name
    said = wb[COMMENTARY_SHEET]
    assert (said["A6"].value, said["B6"].value) == ("Council A", "REV1")
    given = ("A: two assessors left.", "Recruit two assessors.", "Benefits Manager", dt.date(2021, 3, 31))
    for column, value in zip("JKLM", given, strict=True):
        said[f"{column}6"] = value
    wb.save(SHARED)


def test_a_shared_return_is_split_by_council_and_each_part_read_into_its_own_folder(project):
    returns_out()
    fill_shared({6: 21.5, 7: 300, 8: 16, 9: 290})
    parks = load_workbook("out/a/2020-21-Q2/parks.xlsx")
    parks[RETURN_SHEET]["K6"] = 93.5
    parks.save("out/a/2020-21-Q2/parks.xlsx")

    a, b = "councils/a/data", "councils/b/data"
    out = pm("ingest", SHARED, "out/a/2020-21-Q2/parks.xlsx", "--councils", "councils.yml", "--reported-on", "2020-10-21")
    assert out == [
        f"a: revenues-2020-21-Q2.xlsx: 2 new figure(s), 0 of them revisions; 0 already held; 1 commentary row(s) added -> "
        f"{a}/observations/returns-2020-21-q2-revenues.csv, {a}/commentary.csv",
        f"a: parks.xlsx: 1 new figure(s), 0 of them revisions; 0 already held -> {a}/observations/returns-2020-21-q2-parks.csv",
        "b: revenues-2020-21-Q2.xlsx: 2 new figure(s), 0 of them revisions; 0 already held -> "
        f"{b}/observations/returns-2020-21-q2-revenues.csv",
    ]
    read = lambda path: Path(path).read_text(encoding="utf-8").splitlines()  # noqa: E731
    assert read(f"{a}/observations/returns-2020-21-q2-revenues.csv") == [
        HEADER,
        "REV1,2020/21 Q2,21.5,,,,,2020-10-19",
        "REV2,2020/21 Q2,300,,,,,2020-10-19",
    ]
    assert read(f"{a}/observations/returns-2020-21-q2-parks.csv") == [HEADER, "PARK1,2020/21 Q2,93.5,,,,,2020-10-21"]
    assert read(f"{b}/observations/returns-2020-21-q2-revenues.csv") == [
        HEADER,
        "REV1,2020/21 Q2,16,,,,,2020-10-19",
        "REV2,2020/21 Q2,290,,,,,2020-10-19",
    ]
    assert read(f"{a}/commentary.csv")[1:] == [
        "REV1,2020/21 Q2,A: two assessors left.,Recruit two assessors.,Benefits Manager,2021-03-31,2020-10-19"
    ]
    assert not Path(f"{b}/commentary.csv").exists()

    again = pm("ingest", SHARED, "--councils", "councils.yml")
    assert again[-1] == "Nothing new: every council's data folder is unchanged."


@pytest.mark.parametrize(
    ("supplied_on", "fix"),
    [
        (dt.date(2020, 10, 19), "set Supplied on (Return!B3) to 2020-10-20 or later"),
        (None, "give a date of 2020-10-20 or later in Supplied on (Return!B3, blank now) or with --reported-on"),
    ],
)
def test_a_figure_changed_on_the_same_day_is_refused_on_its_cell_with_the_rows_other_problems(project, supplied_on, fix):
    returns_out()
    fill_shared({6: 21.5, 7: 300, 8: 16, 9: 290})
    wb = load_workbook(SHARED)
    wb[RETURN_SHEET][SUPPLIED_ON_CELL] = supplied_on
    wb.save(SHARED)
    pm("ingest", SHARED, "--councils", "councils.yml", "--reported-on", "2020-10-19")
    fill_shared({9: -5})  # B's REV2, a count, changed and below zero, given the same date
    wb = load_workbook(SHARED)
    wb[RETURN_SHEET][SUPPLIED_ON_CELL] = supplied_on
    wb.save(SHARED)
    assert pm("ingest", SHARED, "--councils", "councils.yml", "--reported-on", "2020-10-19", code=1) == [
        f"{SHARED}:9: Return!L9: -5 is below zero, but a count cannot be negative; check the figure",
        f"{SHARED}:9: Return!L9: REV2 2020/21 Q2 already has a figure reported on 2020-10-19 that differs from this one "
        "(councils/b/data/observations/returns-2020-21-q2-revenues.csv row 3); one figure per day is kept, "
        f"so date the correction later: {fix}",
    ]


def test_a_return_written_without_councils_yml_goes_to_the_council_it_names(project):
    [waste] = [p for p in write_returns("2020/21 Q2", "councils/b/data", "single", made_on=dt.date(2020, 10, 1)) if p.name == "waste.xlsx"]
    wb = load_workbook(waste)
    wb[RETURN_SHEET]["K6"] = 38
    wb.save(waste)
    before = snapshot(Path("councils/a"))
    pm("ingest", str(waste), "--councils", "councils.yml", "--reported-on", "2020-10-21")
    assert Path("councils/b/data/observations/returns-2020-21-q2-waste.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "BIN1,2020/21 Q2,38,,,,,2020-10-21"
    ]
    assert snapshot(Path("councils/a")) == before


def test_a_figure_for_an_unknown_council_or_a_bad_cell_writes_nothing_to_any_council(project):
    returns_out()
    # A's rows (6, 7) are good; B's REV1 (row 8) is text; row 9 names a council that is not in the project.
    fill_shared({6: 21.5, 7: 300, 8: "lots", 9: 290}, council={9: "Council C"})
    before = snapshot(project / "councils")
    out = pm("ingest", SHARED, "--councils", "councils.yml", "--reported-on", "2020-10-21", code=1)
    assert out == [
        f"{SHARED}:8: Return!L8: Value holds the text 'lots', not a number; "
        "type the figure in digits, or leave it blank and say why in the measure's Commentary on the Commentary sheet",
        f"{SHARED}:9: Return!A9: 'Council C' is not one of this return's councils (Council A, Council B); "
        "put back the council the row came with, and don't add rows",
    ]
    assert snapshot(project / "councils") == before


def test_a_shared_return_read_without_councils_says_to_read_it_with_councils(project):
    returns_out()
    fill_shared({6: 21.5, 7: 300, 8: 16, 9: 290})
    before = snapshot(project / "councils")
    assert pm("ingest", SHARED, "--data", "councils/a/data", code=1) == [
        f"{SHARED}:1: About!B1: this is a shared service's return (Format pmlib-shared-return-1), with rows for each council it "
        "works for; read it in with pm ingest FILE --councils councils.yml, which puts each council's rows in its own data folder"
    ]
    assert snapshot(project / "councils") == before


def test_a_row_given_another_councils_name_is_refused_on_its_council_cell(project):
    returns_out()
    fill_shared({6: 21.5, 7: 300, 8: 16, 9: 290}, council={9: "Council A"})  # B's REV2 (row 9) now says Council A, as row 7 does
    wb = load_workbook(SHARED)
    said = wb[COMMENTARY_SHEET]
    said["A8"], said["J8"] = "Council A", "B: steady."  # B's REV1 commentary, now also Council A's like row 6
    wb.save(SHARED)
    changed = "so one of the two rows' Council was changed; put back the council the row came with"
    assert pm("ingest", SHARED, "--councils", "councils.yml", "--reported-on", "2020-10-21", code=1) == [
        f"{SHARED}:8: Commentary!A8: REV1 is also on row 6 for Council A, {changed}",
        f"{SHARED}:9: Return!A9: REV2 2020/21 Q2 is also on row 7 for Council A, {changed}",
    ]


def test_a_council_return_for_a_council_not_in_the_project_and_a_csv_are_refused(project):
    returns_out()
    wb = load_workbook("out/b/2020-21-Q2/waste.xlsx")
    wb[RETURN_SHEET]["K6"] = 38
    wb[ABOUT_SHEET]["B5"] = "c"
    wb.save("out/b/2020-21-Q2/waste.xlsx")
    Path("figures.csv").write_text(f"{HEADER}\nBIN1,2020/21 Q2,38,,,,,2020-10-21\n", encoding="utf-8")
    before = snapshot(project / "councils")
    out = pm("ingest", "figures.csv", "out/b/2020-21-Q2/waste.xlsx", "--councils", "councils.yml", code=1)
    assert out == [
        "figures.csv:-: -: a CSV of figures does not say which council it is for; "
        "read it in with pm ingest FILE --data FOLDER (councils/a/data, councils/b/data)",
        "out/b/2020-21-Q2/waste.xlsx:5: About!B5: this return is for council id 'c', which is not a council in councils.yml (a, b); "
        "ask the performance team for a fresh return (pm returns --councils) and copy the figures into it",
    ]
    assert snapshot(project / "councils") == before


def test_without_councils_pm_returns_is_as_before(project):
    out = pm("returns", "2020-21-Q2", "--data", "councils/a/data", "--params", "councils/a/params", "--out", "single")
    assert out == [
        "Return: single/2020-21-Q2/benefits.xlsx",
        "Return: single/2020-21-Q2/parks.xlsx",
        "2 return(s) written; send each to its service unit. Due back by Friday 23 October 2020.",
    ]
    assert [r[0] for r in load_workbook("single/2020-21-Q2/benefits.xlsx")[ABOUT_SHEET].values] == ["Format", "Council", "Owner", "Quarter"]


def test_a_return_saved_as_csv_is_named_as_such_with_councils_too(project):
    saved = Path(__file__).parent / "fixtures" / "intake" / "csv-return-saved-as-csv" / "revenues-and-benefits.csv"
    shutil.copyfile(saved, "revenues.csv")
    [line] = pm("ingest", "revenues.csv", "--councils", "councils.yml", code=1)
    assert line.startswith("revenues.csv:1: -: this is a return workbook's Return sheet saved as CSV (row 1 is its title); ")


def test_a_shared_return_without_supplied_on_read_in_after_the_councils_report_date_is_warned_of_for_each(project):
    returns_out()
    fill_shared({6: 21.5, 7: 300, 8: 16, 9: 290})
    wb = load_workbook(SHARED)
    wb[RETURN_SHEET][SUPPLIED_ON_CELL] = None
    wb.save(SHARED)
    result = CliRunner().invoke(main, ["ingest", SHARED, "--councils", "councils.yml", "--reported-on", "2020-11-02", "--dry-run"])
    assert result.exit_code == 0, result.output
    late = [line.strip() for line in result.stderr.splitlines() if "report is as at" in line]
    assert late == [
        f"{SHARED}:3: Return!B3: Supplied on is blank, so this return's {what} are dated 2020-11-02 (the --reported-on date), "
        "after 2020-10-31, the date 2020/21 Q2's report is as at, so that report will not show them; "
        "give the date they were supplied in Supplied on (B3), or read the file in with --reported-on DATE"
        for what in ("figures and commentary", "figures")
    ]


def test_a_shared_return_supplied_before_its_periods_end_is_one_warning_on_supplied_on(project):
    returns_out()
    fill_shared({6: 21.5, 7: 300, 8: 16, 9: 290})
    wb = load_workbook(SHARED)
    wb[RETURN_SHEET][SUPPLIED_ON_CELL] = dt.date(2020, 9, 15)
    wb.save(SHARED)
    result = CliRunner().invoke(main, ["ingest", SHARED, "--councils", "councils.yml", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert [line.strip() for line in result.stderr.splitlines() if "2020-09-15" in line] == [
        f"{SHARED}:3: Return!B3: Supplied on 2020-09-15 is before the end of 2020/21 Q2, which this return gives figures for; "
        "check the date"
    ]


@pytest.mark.parametrize(
    ("supplied_on", "reported_on", "subject"),
    [
        (dt.date(2021, 10, 19), None, "Supplied on 2021-10-19 is"),
        (None, dt.date(2021, 10, 19), "Supplied on is blank, so this return is dated 2021-10-19 (the --reported-on date), which is"),
    ],
)
def test_a_shared_return_dated_after_today_is_one_warning_on_supplied_on(project, supplied_on, reported_on, subject):
    returns_out()
    fill_shared({6: 21.5, 7: 300, 8: 16, 9: 290})
    wb = load_workbook(SHARED)
    wb[RETURN_SHEET][SUPPLIED_ON_CELL] = supplied_on
    wb.save(SHARED)
    services = load_councils(Path("councils.yml"))
    result = ingest_shared([SHARED], services, reported_on, dry_run=True, today=dt.date(2020, 10, 21))
    future = [p.format() for r in result.councils.values() for p in r.warnings if "after today" in p.message]
    assert future == [
        f"{SHARED}:3: Return!B3: {subject} after today (2020-10-21), so a report as at any earlier date leaves out what this "
        "return gives; check the date"
    ]
    on_the_day = ingest_shared([SHARED], services, reported_on, dry_run=True, today=reported_on or supplied_on)
    assert not [p for r in on_the_day.councils.values() for p in r.warnings if "after today" in p.message]


def test_a_column_added_to_a_shared_return_is_a_warning_and_every_councils_figures_are_still_read(project):
    returns_out()
    fill_shared({6: 21.5, 7: 300, 8: 16, 9: 290})
    wb = load_workbook(SHARED)
    ws = wb[RETURN_SHEET]
    added = ws.cell(8, ws.max_column + 1, "checked")
    wb.save(SHARED)
    result = CliRunner().invoke(main, ["ingest", SHARED, "--councils", "councils.yml", "--reported-on", "2020-10-21"])
    assert result.exit_code == 0, result.output
    assert [line.strip() for line in result.stderr.splitlines() if "not one of the return's" in line] == [
        f"{SHARED}:8: Return!{added.coordinate}: column {added.column_letter} is not one of the return's, so what it holds ('checked') "
        "is not read in; put a figure's note in Note and the measure's commentary on the Commentary sheet"
    ]
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["a", "b"]


def test_latest_with_councils_is_the_latest_quarter_of_any_councils_params(project):
    expected = returns_out()
    shutil.rmtree("out")
    assert pm("returns", "--latest", "--councils", "councils.yml", "--out", "out") == expected
    shutil.rmtree("out")
    Path("councils/b/params/2020-21-Q2.yml").unlink()  # b has no params file: a's latest quarter is taken
    out = pm("returns", "--latest", "--councils", "councils.yml", "--out", "out")
    assert f"Return: {SHARED}" in out
    assert "b: No deadline has been set. (give --due, or returns_due in councils/b/params/2020-21-Q2.yml)" in out


def test_each_councils_returns_going_out_without_the_years_target_are_warned_of(project):
    """As for one council: each council's measure whose targets end before the year, on its own targets.csv."""
    result = CliRunner().invoke(main, ["returns", "2021-22-Q1", "--councils", "councils.yml", "--out", "out"])
    assert result.exit_code == 0, result.output
    assert [line.split(": year: ")[0] for line in result.stderr.splitlines()] == [
        "2 warning(s):",
        "  councils/a/data/targets.csv:2",
        "  councils/b/data/targets.csv:2",
    ]
    assert "REV1 has no target for 2021/22 (its targets end with 2020/21)" in result.stderr
    assert CliRunner().invoke(main, ["returns", "2020-21-Q2", "--councils", "councils.yml", "--out", "out2"]).stderr == ""
