"""Commentary read from a return's Commentary sheet: versions, warnings and refusals, each naming the cell.

Uses the positive-control returns of ``tests/fixtures/intake/good`` (Fixture
Borough Council, 2020/21 Q3) and changes one thing per test.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pmlib import load_data
from pmlib.engine.commentary import commentary_as_at
from pmlib.errors import IntakeError
from pmlib.intake.ingest import ingest
from pmlib.intake.returns import COMMENTARY_LETTERS, COMMENTARY_SHEET, FIRST_ROW, write_returns

FIXTURES = Path(__file__).parent / "fixtures"
REVENUES = FIXTURES / "intake" / "good" / "revenues-and-benefits.xlsx"
READ_ON = dt.date(2021, 1, 20)


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    return tmp_path


def returned(folder: Path, name: str = "return.xlsx", supplied: dt.date | None = None, **cells) -> Path:
    """The good revenues return with ``cells`` changed ({"Commentary!I6": text, ...}); None clears a cell."""
    wb = load_workbook(REVENUES)
    for ref, value in cells.items():
        sheet, cell = ref.split("!")
        wb[sheet][cell] = value
    if supplied is not None:
        wb["Return"]["B3"] = supplied
    path = folder / name
    wb.save(path)
    return path


def commentary_rows(folder: Path) -> list[dict]:
    with (folder / "data" / "commentary.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_a_measure_falling_short_without_an_action_is_a_warning_naming_its_cell(folder):
    path = returned(folder, **{"Commentary!J7": None, "Commentary!K7": None, "Commentary!L7": None})
    result = ingest([path], folder / "data", READ_ON, dry_run=True)
    assert [(p.row, p.column, p.severity) for p in result.warnings] == [(6, "Commentary!J6", "warning"), (7, "Commentary!J7", "warning")]
    assert result.warnings[1].message == (
        "HLT02 is below target on the figures now held (22.4 days for 2020/21 Q3, against target 20.0 days) and no corrective "
        "action is given; give the action, its owner and due date here, or the exception report will show none"
    )


def test_reading_the_same_commentary_again_adds_nothing(folder):
    first = ingest([REVENUES], folder / "data", READ_ON)
    again = ingest([REVENUES], folder / "data", dt.date(2021, 1, 25))
    assert first.files[0].commentary == 2 and again.files[0].commentary == 0 and not again.written
    assert len(commentary_rows(folder)) == 2 + 2  # the fixture's two rows, then the return's two


def test_a_changed_text_supplied_later_is_a_new_version_and_each_report_sees_its_own(folder):
    ingest([REVENUES], folder / "data", READ_ON)
    later = returned(folder, supplied=dt.date(2021, 1, 27), **{"Commentary!I6": "Collection recovered in December."})
    assert ingest([later], folder / "data").files[0].commentary == 1
    rows = [r for r in commentary_rows(folder) if r["measure_id"] == "ECO01"]
    assert [(r["commentary"], r["reported_on"]) for r in rows] == [
        ("Collection is *ahead* of last year after the reminder campaign.", "2021-01-20"),
        ("Collection recovered in December.", "2021-01-27"),
    ]
    said = load_data(folder / "data").commentary
    pick = lambda as_at: commentary_as_at(said, as_at).set_index(["measure_id", "period"]).at[("ECO01", "2020/21 Q3"), "commentary"]  # noqa: E731
    assert pick(dt.date(2021, 1, 25)) == "Collection is *ahead* of last year after the reminder campaign."
    assert pick(dt.date(2021, 1, 31)) == "Collection recovered in December."


def test_a_changed_text_on_the_same_day_is_refused_and_nothing_is_written(folder):
    ingest([REVENUES], folder / "data", READ_ON)
    before = (folder / "data" / "commentary.csv").read_bytes()
    changed = returned(folder, **{"Commentary!I6": "Collection recovered in December."})
    with pytest.raises(IntakeError) as caught:
        ingest([changed], folder / "data", READ_ON)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, "Return!B3")
    assert problem.message.startswith("commentary for ECO01 2020/21 Q3 was already supplied on 2021-01-20 and differs from this")
    assert (folder / "data" / "commentary.csv").read_bytes() == before


def test_another_owners_measure_on_the_commentary_sheet_is_refused(folder):
    path = returned(folder, **{"Commentary!A7": "ECO02"})
    before = (folder / "data" / "commentary.csv").read_bytes()
    with pytest.raises(IntakeError) as caught:
        ingest([path], folder / "data", READ_ON)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (7, "Commentary!A7")
    assert problem.message.startswith("ECO02 belongs to Housing Delivery, not to Revenues and Benefits")
    assert (folder / "data" / "commentary.csv").read_bytes() == before


def test_an_owner_or_date_without_an_action_is_refused(folder):
    path = returned(folder, **{"Commentary!J7": None})
    with pytest.raises(IntakeError) as caught:
        ingest([path], folder / "data", READ_ON)
    assert [(p.column, p.message) for p in caught.value.problems] == [
        (f"Commentary!{col}7", f"{what} is given without a corrective action; describe the action in Corrective action, or clear this cell")
        for col, what in (("K", "Action owner"), ("L", "Action due"))
    ]


def test_a_link_that_will_not_be_followed_is_a_warning_on_its_cell(folder):
    path = returned(folder, **{"Commentary!I6": "See [the plan](javascript:alert(1))."})
    result = ingest([path], folder / "data", READ_ON, dry_run=True)
    [link] = [p for p in result.warnings if "will be shown as text" in p.message]
    assert (link.file, link.row, link.column) == (str(path), 6, "Commentary!I6")


def test_a_version_1_commentary_file_gains_the_date_column_and_keeps_its_rows(folder):
    old = load_data(folder / "data").commentary
    assert "reported_on" not in (folder / "data" / "commentary.csv").read_text(encoding="utf-8").splitlines()[0]
    ingest([REVENUES], folder / "data", READ_ON)
    new = load_data(folder / "data").commentary
    columns = ["measure_id", "period", "commentary", "action", "action_owner", "action_due"]
    assert new[columns].head(len(old)).equals(old[columns])
    assert new["reported_on"].head(len(old)).isna().all()


def test_a_version_1_return_is_still_read_for_its_figures(folder):
    wb = load_workbook(REVENUES)
    wb["About"]["B1"] = "pmlib-return-1"
    del wb["Commentary"]
    path = folder / "v1.xlsx"
    wb.save(path)
    result = ingest([path], folder / "data", READ_ON)
    assert (result.files[0].added, result.files[0].commentary) == (2, 0)


def test_a_year_end_forecast_is_added_to_forecasts_csv_once(folder):
    first = ingest([REVENUES], folder / "data", READ_ON)
    again = ingest([REVENUES], folder / "data", dt.date(2021, 1, 25))
    assert (first.files[0].forecasts, again.files[0].forecasts) == (1, 0)
    assert "forecasts.csv" in first.files[0].written_to.split()
    lines = (folder / "data" / "forecasts.csv").read_text(encoding="utf-8").splitlines()
    assert lines == ["measure_id,period,forecast,reported_on,note", "ECO01,2020/21 Q3,96.5,2021-01-20,From the December collection run."]
    [held] = load_data(folder / "data").forecasts.itertuples(index=False)
    assert (held.measure_id, held.forecast) == ("ECO01", 96.5)


def test_a_changed_forecast_is_a_new_version(folder):
    ingest([REVENUES], folder / "data", READ_ON)
    later = returned(folder, supplied=dt.date(2021, 1, 27), **{"Commentary!G6": 97.0})
    assert ingest([later], folder / "data").files[0].forecasts == 1
    lines = (folder / "data" / "forecasts.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [line.split(",")[2:4] for line in lines] == [["96.5", "2021-01-20"], ["97", "2021-01-27"]]


def test_a_forecast_note_without_a_forecast_is_refused(folder):
    path = returned(folder, **{"Commentary!G6": None})
    with pytest.raises(IntakeError) as caught:
        ingest([path], folder / "data", READ_ON)
    assert [(p.column, p.message) for p in caught.value.problems] == [
        ("Commentary!H6", "a forecast note is given without a forecast; give the forecast, or clear this cell")
    ]
    assert not (folder / "data" / "forecasts.csv").exists()


def test_a_fourth_quarter_return_asks_for_no_forecast(folder, tmp_path):
    [path, *_] = write_returns("2020/21 Q4", folder / "data", tmp_path / "returns", made_on=READ_ON)
    ws = load_workbook(path)[COMMENTARY_SHEET]
    assert ws[f"{COMMENTARY_LETTERS['forecast']}{FIRST_ROW}"].protection.locked
    assert not ws[f"{COMMENTARY_LETTERS['commentary']}{FIRST_ROW}"].protection.locked
    assert "no forecast at the fourth quarter" in ws["A3"].value


def test_a_figure_left_blank_is_explained_in_the_measures_commentary_as_the_return_says(folder):
    """``observations/`` keeps no row without a figure, so a blank figure's Note has nowhere to go: the sheet and warning say Commentary."""
    blank = next(p for p in write_returns("2020/21 Q3", folder / "data", folder / "out", made_on=READ_ON) if p.name == REVENUES.name)
    instruction = load_workbook(blank)["Return"]["A2"].value
    assert "Leave a figure blank if there is none yet, and say why in the measure's Commentary on the Commentary sheet" in instruction
    why = "No figure yet: the new system's first run is in February."
    path = returned(folder, **{"Return!K7": None, "Commentary!I7": why})
    result = ingest([path], folder / "data", READ_ON)
    [warning] = [p for p in result.warnings if p.column == "Return!K7"]
    assert warning.message == (
        "no figure given, so this row's Quality and Note are not read in (they are kept only with a figure); "
        "give the figure, or say why there is none in the Commentary column of the Commentary sheet, row 7"
    )
    assert (COMMENTARY_LETTERS["commentary"], FIRST_ROW + 1) == ("I", 7)
    assert [(r["measure_id"], r["commentary"]) for r in commentary_rows(folder)][-1] == ("HLT02", why)


@pytest.mark.parametrize(
    ("spoil", "figures_error"),
    [
        (lambda wb: wb["Return"].delete_cols(4), "Return!D5: should hold the heading 'Unit' but holds 'Give'"),
        (lambda wb: wb["Return"].merge_cells("N6:N7"), "Return!N6:N7: cells N6:N7 are merged"),
        (lambda wb: setattr(wb["Return"], "title", "Return Q3"), "Return Q3: the figures' sheet is named 'Return Q3'"),
    ],
    ids=["column-deleted", "cells-merged", "sheet-renamed"],
)
def test_a_return_sheet_that_cannot_be_read_still_has_its_commentary_checked(folder, spoil, figures_error):
    """Every error in a workbook comes out in one run: the Commentary sheet's are not held back until the Return sheet is mended."""
    wb = load_workbook(REVENUES)
    spoil(wb)
    wb["Commentary"]["L7"] = "next month"
    path = folder / "spoilt.xlsx"
    wb.save(path)
    with pytest.raises(IntakeError) as caught:
        ingest([path], folder / "data", READ_ON)
    found = [f"{p.column}: {p.message}" for p in caught.value.problems]
    assert len(found) == 2 and found[0].startswith(figures_error), found
    assert found[1] == (
        "Commentary!L7: Action due holds 'next month', which is not a date; "
        "type the date the action is due, e.g. 31/03/2026 (or 2026-03-31)"
    )
