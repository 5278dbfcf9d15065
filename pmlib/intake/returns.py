"""The quarterly return: one Excel workbook per service unit, with the figures and commentary the performance team needs.

Service units already work in Excel, so the return is a workbook rather than
a form: what they may not change (definitions, the figures already held,
targets) is locked and written as the report writes it, the cells they fill
are open and checked by Excel's own data validation, a ``Commentary`` sheet
asks for each measure's commentary and corrective action (so the exception
report does not wait on a separate e-mail), the deadline is on each sheet's
first line, and an ``About`` sheet says which council, owner and quarter it
is for so ``pmlib.intake.ingest`` can read it back without guessing. The
layout here is the one ``pmlib.intake.ingest`` expects; both read
``RETURN_COLUMNS`` and ``COMMENTARY_COLUMNS``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pmlib.contract.loading import CouncilData, load_data, owner_slug, owners_written_differently
from pmlib.contract.periods import Period, parse_quarter
from pmlib.contract.tables import ROW_COLUMN
from pmlib.errors import DataContractError, Problem
from pmlib.intake.return_rows import AS_AT, return_rows
from pmlib.views.formats import UNIT_WORDS
from pmlib.vocabulary import QUALITIES, Unit

FORMAT = "pmlib-return-2"
READABLE_FORMATS = (FORMAT, "pmlib-return-1")
"""Version 1 returns (figures only, no Commentary sheet) may still come back from a quarter sent out before the upgrade."""
RETURN_SHEET, COMMENTARY_SHEET, ABOUT_SHEET, DEFINITIONS_SHEET = "Return", "Commentary", "About", "Definitions"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
SUPPLIED_ON_CELL = "B3"
COUNCIL_ID = "Council id"


@dataclass(frozen=True)
class ReturnColumn:
    """One column of the Return sheet: its heading, the observations column it fills (if any) and its width."""

    heading: str
    key: str
    width: int
    fill_in: bool = False


RETURN_COLUMNS = (
    ReturnColumn("Measure ID", "measure_id", 12),
    ReturnColumn("Measure", "name", 44),
    ReturnColumn("Period", "period", 12),
    ReturnColumn("Unit", "unit", 14),
    ReturnColumn("Give", "give", 22),
    ReturnColumn("Figure held", "held", 14),
    ReturnColumn("Previous period", "previous_period", 14),
    ReturnColumn("Previous figure", "previous", 14),
    ReturnColumn("Target", "target", 10),
    ReturnColumn("Intervention level", "intervention", 12),
    ReturnColumn("Value (fill in)", "value", 14, True),
    ReturnColumn("Numerator (fill in)", "numerator", 14, True),
    ReturnColumn("Denominator (fill in)", "denominator", 14, True),
    ReturnColumn("Quality (fill in)", "quality", 14, True),
    ReturnColumn("Note (fill in)", "note", 48, True),
)
LETTERS = {c.key: get_column_letter(i + 1) for i, c in enumerate(RETURN_COLUMNS)}

COMMENTARY_COLUMNS = (
    ReturnColumn("Measure ID", "measure_id", 12),
    ReturnColumn("Measure", "name", 40),
    ReturnColumn("Quarter", "period", 12),
    ReturnColumn("Target", "target", 10),
    ReturnColumn("Intervention level", "intervention", 12),
    ReturnColumn("Year-end target", "year_target", 10),
    ReturnColumn("Year-end forecast (fill in)", "forecast", 12, True),
    ReturnColumn("Forecast note (fill in)", "forecast_note", 30, True),
    ReturnColumn("Commentary (fill in)", "commentary", 60, True),
    ReturnColumn("Corrective action (fill in)", "action", 44, True),
    ReturnColumn("Action owner (fill in)", "action_owner", 22, True),
    ReturnColumn("Action due (fill in)", "action_due", 14, True),
)
"""The Commentary sheet: one row per measure; its fill-in columns are those of ``forecasts.csv`` and ``commentary.csv``."""
COMMENTARY_LETTERS = {c.key: get_column_letter(i + 1) for i, c in enumerate(COMMENTARY_COLUMNS)}
NO_FIGURE_WHERE = "the measure's Commentary on the Commentary sheet"
"""Where a unit says why a figure is blank: ``observations/`` holds no row without a figure, and a report's commentary is per quarter."""
TEXT_LIMIT = 1500
"""The most characters a commentary or corrective action may hold: about 250 words, half a page of an A4 exception report."""

_FORMATTED = ("held", "previous", "target", "intervention", "year_target")
_FILL = PatternFill("solid", fgColor="FFF2CC")
_CLOSED = PatternFill("solid", fgColor="E7E6E6")
_OPEN = Protection(locked=False)


def _number_rules(ws) -> dict[str, DataValidation]:
    """Excel's checks for a figure, by kind: a percent from 0 to 100, money and scores of either sign, other counts not negative."""
    number = {
        "percent": DataValidation("decimal", operator="between", formula1="0", formula2="100"),
        "signed": DataValidation("decimal", operator="between", formula1="-1000000000000", formula2="1000000000000"),
        "count": DataValidation("decimal", operator="greaterThanOrEqual", formula1="0"),
    }
    for key, dv in number.items():
        dv.error = "Type the figure as a number" + (" from 0 to 100, without a % sign." if key == "percent" else ".")
        dv.errorTitle = "Not a figure"
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
    return number


def _number_kind(unit_key: str) -> str:
    """Which of ``_number_rules`` a measure's value (or forecast of it) takes, by its unit."""
    if unit_key == Unit.PERCENT.word:
        return "percent"
    return "signed" if unit_key in (Unit.GBP.word, Unit.SCORE.word) else "count"


def _validations(ws, rows: pd.DataFrame) -> None:
    """Excel's own checks on the cells to fill, so most mistakes are caught as they are typed."""
    number = _number_rules(ws)
    quality = DataValidation("list", formula1='"' + ",".join(QUALITIES) + '"', allow_blank=True)
    quality.error, quality.errorTitle, quality.showErrorMessage = "Choose validated, provisional or estimated.", "Quality", True
    supplied = DataValidation("date", operator="between", formula1="36526", formula2="73051", allow_blank=True)
    supplied.error, supplied.errorTitle, supplied.showErrorMessage = "Type a date, e.g. 23/11/2026.", "Date", True
    for dv in (quality, supplied):
        ws.add_data_validation(dv)
    supplied.add(SUPPLIED_ON_CELL)
    for i, row in enumerate(rows.itertuples(index=False)):
        r = FIRST_ROW + i
        quality.add(f"{LETTERS['quality']}{r}")
        if row.ratio:
            number["count"].add(f"{LETTERS['numerator']}{r}")
            number["count"].add(f"{LETTERS['denominator']}{r}")
        else:
            number[_number_kind(row.unit_key)].add(f"{LETTERS['value']}{r}")


def due_words(due: dt.date | None) -> str:
    """The deadline as the workbook's first line says it."""
    return f"Due back by {due:%A} {due.day} {due:%B %Y}." if due else "No deadline has been set."


def return_sheet(ws, council: str, owner: str, quarter: Period, rows: pd.DataFrame, due: dt.date | None) -> None:
    """The figures' sheet: the deadline first, then one locked row per measure and period with its cells to fill open."""
    ws["A1"] = f"{council} performance return: {owner or 'measures with no owner'}, {quarter.code} ({quarter.label}). {due_words(due)}"
    ws["A1"].font = Font(bold=True, size=14)
    by = f" by {due.day} {due:%B %Y}" if due else ""
    ws["A2"] = (
        f"Fill in the yellow cells here and on the Commentary sheet, then send this workbook back to the performance team{by}. "
        f"Leave a figure blank if there is none yet, and say why in {NO_FIGURE_WHERE}: "
        "Quality and Note go with a figure, so they are not read in without one. Definitions are on the Definitions sheet."
    )
    if rows["ytd"].any():
        so_far = rows["give"].str.contains(AS_AT, regex=False)
        asks = {
            "A year-to-date measure's rows ask for each period's own figure (Give says 'alone'), "
            "not the total so far: pmlib works out the year to date itself.": (rows["ytd"] & ~so_far).any(),
            f"Where Give says '{AS_AT}', give the figure so far this year, as the measure is counted: "
            "pmlib takes the latest.": so_far.any(),
            "A year-to-date measure is judged against the rows' Target and Intervention level, "
            "which are for the year to date at the end of the quarter judged.": True,
        }
        ws["A2"] = " ".join([ws["A2"].value, *(words for words, shown in asks.items() if shown)])
    ws["A3"] = "Supplied on"
    ws["A3"].font = Font(bold=True)
    ws[SUPPLIED_ON_CELL].fill, ws[SUPPLIED_ON_CELL].protection = _FILL, _OPEN
    ws[SUPPLIED_ON_CELL].number_format = "yyyy-mm-dd"
    ws["C3"] = "(the date these figures and the commentary were supplied; blank: the date they are read in)"
    for i, column in enumerate(RETURN_COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, i, column.heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = column.width
    for r, row in enumerate(rows.to_dict("records"), start=FIRST_ROW):
        for i, column in enumerate(RETURN_COLUMNS, start=1):
            cell = ws.cell(r, i, None if column.fill_in else row[column.key])
            if column.key in _FORMATTED and isinstance(cell.value, float):
                cell.number_format = row["format"]
            if column.key == "give" and row["ytd"]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            closed = (column.key == "value" and row["ratio"]) or (column.key in ("numerator", "denominator") and not row["ratio"])
            if column.fill_in and not closed:
                cell.fill, cell.protection = _FILL, _OPEN
            elif closed:
                cell.fill = _CLOSED
    _validations(ws, rows)
    ws.freeze_panes = f"C{FIRST_ROW}"
    ws.protection.sheet = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def commentary_sheet(ws, owner: str, quarter: Period, rows: pd.DataFrame, due: dt.date | None, one_per=("measure_id",)) -> None:
    """One row per measure (per ``one_per``: a shared return has one per council and measure) for the quarter's commentary."""
    ws["A1"] = f"Commentary for {quarter.code}: {owner or 'measures with no owner'}. {due_words(due)}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (
        "For each measure, give your forecast of the year-end figure if you have one, and say what the figures show and why "
        "(and, for a figure left blank on the Return sheet, why there is none yet). "
        "Where a measure is below target or at its intervention level on the figures you give, also give the corrective action, "
        "who owns it and when it is due."
    )
    ws["A3"] = f"Commentary and actions may each be up to {TEXT_LIMIT:,} characters (about 250 words). " + (
        "There is no forecast at the fourth quarter: the year's figures are the outturn."
        if quarter.number == 4
        else "The forecast is of the figure the fourth quarter's report will judge, in the measure's unit."
    )
    for i, column in enumerate(COMMENTARY_COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, i, column.heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = column.width
    text = DataValidation("textLength", operator="lessThanOrEqual", formula1=str(TEXT_LIMIT), allow_blank=True)
    text.error, text.errorTitle, text.showErrorMessage = f"Keep it to {TEXT_LIMIT:,} characters.", "Too long", True
    due_date = DataValidation("date", operator="between", formula1="36526", formula2="73051", allow_blank=True)
    due_date.error, due_date.errorTitle, due_date.showErrorMessage = "Type a date, e.g. 31/03/2026.", "Date", True
    ws.add_data_validation(text)
    ws.add_data_validation(due_date)
    number = _number_rules(ws)
    measures = rows.drop_duplicates(list(one_per)).assign(period=quarter.code)
    for r, row in enumerate(measures.to_dict("records"), start=FIRST_ROW):
        for i, column in enumerate(COMMENTARY_COLUMNS, start=1):
            cell = ws.cell(r, i, None if column.fill_in else row[column.key])
            if column.key in _FORMATTED and isinstance(cell.value, float):
                cell.number_format = row["format"]
            if column.fill_in and not (column.key.startswith("forecast") and quarter.number == 4):
                cell.fill, cell.protection = _FILL, _OPEN
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif column.fill_in:
                cell.fill = _CLOSED
        if quarter.number != 4:
            number[_number_kind(row["unit_key"])].add(f"{COMMENTARY_LETTERS['forecast']}{r}")
        due_date.add(f"{COMMENTARY_LETTERS['action_due']}{r}")
        ws[f"{COMMENTARY_LETTERS['action_due']}{r}"].number_format = "yyyy-mm-dd"
        for key in ("commentary", "action"):
            text.add(f"{COMMENTARY_LETTERS[key]}{r}")
    ws.freeze_panes = f"C{FIRST_ROW}"
    ws.protection.sheet = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def definitions_sheet(ws, data: CouncilData, measure_ids: list[str]) -> None:
    """Each measure's definition as measures.csv gives it, so the figure supplied is the one the report means."""
    headings = (
        "Measure ID",
        "Measure",
        "Definition",
        "Unit",
        "Better when",
        "Frequency",
        "How periods add up",
        "Decimals",
        "Source system",
    )
    ws.append(headings)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    better = {"higher": "higher", "lower": "lower", "none": "context only"}
    for measure_id in measure_ids:
        m = data.measures.loc[measure_id]
        ws.append(
            [
                measure_id,
                m["name"],
                m["definition"] if isinstance(m["definition"], str) else "",
                UNIT_WORDS.get(m["unit"], m["unit"]),
                better.get(m["polarity"], ""),
                m["frequency"],
                f"{m['aggregation']}, judged on the year to date" if m["ytd"] else m["aggregation"],
                int(m["decimals"]),
                m["source_system"] if isinstance(m["source_system"], str) else "",
            ]
        )
    for i, width in enumerate((12, 44, 70, 14, 12, 11, 14, 9, 24), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    ws.protection.sheet = True


def about_sheet(ws, council: str, owner: str, quarter: Period, council_id: str | None = None) -> None:
    """What ``pmlib.intake.ingest`` reads back; ``council_id`` (shared services only) names the council's folder."""
    for key, value in (("Format", FORMAT), ("Council", council), ("Owner", owner), ("Quarter", quarter.code)):
        ws.append([key, value])
    if council_id is not None:
        ws.append([COUNCIL_ID, council_id])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 12, 60
    ws.protection.sheet = True


def save_workbook(wb: Workbook, path: Path, made_on: dt.date) -> None:
    """Save with every date in the package set to ``made_on``, so the same data gives the same bytes.

    openpyxl stamps the time of saving into ``docProps/core.xml`` and each zip
    entry whatever the properties say, so both are set on the way out.
    """
    stamp = dt.datetime.combine(made_on, dt.time())
    wb.properties.created = stamp
    raw, out = io.BytesIO(), io.BytesIO()
    wb.save(raw)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + iso, part)
            entry = zipfile.ZipInfo(info.filename, stamp.timetuple()[:6])
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            dst.writestr(entry, part)
    path.write_bytes(out.getvalue())


def write_returns(
    quarter: str | Period,
    data_dir: str | os.PathLike = "data",
    out_dir: str | os.PathLike = "_returns",
    made_on: dt.date | None = None,
    due: dt.date | None = None,
) -> list[Path]:
    """Write one return workbook per owner for ``quarter`` into ``out_dir/<slug>/``; return their paths.

    ``due`` is the quarter's ``returns_due``, stated on each sheet's first line.
    """
    data = load_data(data_dir)
    q = quarter if isinstance(quarter, Period) else parse_quarter(quarter)
    return write_owner_returns(data, q, return_rows(data, q), Path(out_dir) / q.slug, made_on, due)


def write_owner_returns(
    data: CouncilData,
    q: Period,
    rows: pd.DataFrame,
    folder: Path,
    made_on: dt.date | None,
    due: dt.date | None,
    council_id: str | None = None,
) -> list[Path]:
    """Write one workbook per owner of ``rows`` (``return_rows``, perhaps some of them) into ``folder``; return their paths.

    Owners written two ways (``owners_written_differently``) are refused
    before anything is written: their workbooks would share a file name, and
    the second would replace the first without a word.
    """
    measures = data.measures
    usual = owners_written_differently(measures["owner"])
    clash = measures.assign(usual=usual)[usual.notna() & measures["measure_id"].isin(rows["measure_id"])]
    if len(clash):
        raise DataContractError(
            Problem(
                os.path.join(str(data.data_dir), "measures.csv"),
                int(r[ROW_COLUMN]),
                "owner",
                f"'{r.owner}' is written '{r.usual}' on other rows, and both would have the return {owner_slug(r.owner)}.xlsx; "
                "write the service unit's name one way",
            )
            for _, r in clash.iterrows()
        )
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for owner, owned in rows.groupby("owner", sort=True):
        wb = Workbook()
        return_sheet(wb.active, data.council.short_name, owner, q, owned.reset_index(drop=True), due)
        wb.active.title = RETURN_SHEET
        commentary_sheet(wb.create_sheet(COMMENTARY_SHEET), owner, q, owned, due)
        definitions_sheet(wb.create_sheet(DEFINITIONS_SHEET), data, list(dict.fromkeys(owned["measure_id"])))
        about_sheet(wb.create_sheet(ABOUT_SHEET), data.council.name, owner, q, council_id)
        wb.properties.creator, wb.properties.title = "pmlib", f"Performance return {q.code}: {owner or 'no owner'}"
        path = folder / f"{owner_slug(owner)}.xlsx"
        save_workbook(wb, path, made_on or dt.date.today())
        written.append(path)
    return written
