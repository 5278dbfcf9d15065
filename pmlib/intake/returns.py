"""The quarterly return: one Excel workbook per service unit, listing the figures the performance team needs.

Service units already work in Excel, so the return is a workbook rather than
a form: what they may not change (definitions, the figures already held,
targets) is locked, the cells they fill are open and checked by Excel's own
data validation, and an ``About`` sheet says which council, owner and quarter
it is for so ``pmlib.intake.ingest`` can read it back without guessing. The layout
here is the one ``pmlib.intake.ingest`` expects; both read ``RETURN_COLUMNS``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pmlib.contract.loading import CouncilData, load_data
from pmlib.contract.periods import Period, parse_period, parse_quarter
from pmlib.engine.figures import figures_as_at
from pmlib.engine.status import judge
from pmlib.views.formats import UNIT_WORDS
from pmlib.vocabulary import QUALITIES, Unit

FORMAT = "pmlib-return-1"
RETURN_SHEET, ABOUT_SHEET, DEFINITIONS_SHEET = "Return", "About", "Definitions"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
SUPPLIED_ON_CELL = "B3"


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

_FILL = PatternFill("solid", fgColor="FFF2CC")
_CLOSED = PatternFill("solid", fgColor="E7E6E6")
_OPEN = Protection(locked=False)


def owner_slug(owner: str) -> str:
    """File-name form of a service unit's name (``Adult Social Care`` -> ``adult-social-care``)."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’]", "", owner.lower())).strip("-") or "no-owner"


def _figure(row) -> float | str | None:
    if row is None:
        return None
    if not np.isnan(row["numerator"]) or not np.isnan(row["denominator"]):
        return f"{row['numerator']:g} / {row['denominator']:g}"
    return None if np.isnan(row["value"]) else float(row["value"])


def return_rows(data: CouncilData, quarter: Period) -> pd.DataFrame:
    """One row per measure and period the quarter's report needs, with what is already held for it.

    The periods are those of each measure's expected period (rule 1 of the
    status rules): a monthly measure's three months, a quarterly measure's
    quarter, an annual measure's year.
    """
    judged = judge(data, [quarter]).set_index("measure_id")
    latest = figures_as_at(data.observations)
    held = {(r["measure_id"], r["period"]): r for _, r in latest.iterrows()}
    by_measure = {m: g.sort_values("period_index") for m, g in latest.groupby("measure_id")}
    rows = []
    for measure_id, m in data.measures.iterrows():
        j = judged.loc[measure_id]
        expected = parse_period(j["period"])
        periods = expected.months() if m["frequency"] == "monthly" else (expected,)
        for period in periods:
            history = by_measure.get(measure_id)
            earlier = history[history["period_index"] < period.index] if history is not None else None
            last = earlier.iloc[-1] if earlier is not None and len(earlier) else None
            rows.append(
                {
                    "measure_id": measure_id,
                    "name": m["name"],
                    "period": period.code,
                    "unit": UNIT_WORDS.get(m["unit"], m["unit"]),
                    "give": "numerator and denominator" if m["aggregation"] == "ratio" else "value",
                    "held": _figure(held.get((measure_id, period.code))),
                    "previous_period": None if last is None else last["period"],
                    "previous": _figure(last),
                    "target": None if np.isnan(j["target"]) else float(j["target"]),
                    "intervention": None if np.isnan(j["intervention"]) else float(j["intervention"]),
                    "owner": m["owner"] if isinstance(m["owner"], str) and m["owner"] else "",
                    "ratio": m["aggregation"] == "ratio",
                    "unit_key": m["unit"],
                }
            )
    return pd.DataFrame(rows)


def _validations(ws, rows: pd.DataFrame) -> None:
    """Excel's own checks on the cells to fill, so most mistakes are caught as they are typed."""
    number = {
        "percent": DataValidation("decimal", operator="between", formula1="0", formula2="100"),
        "signed": DataValidation("decimal", operator="between", formula1="-1000000000000", formula2="1000000000000"),
        "count": DataValidation("decimal", operator="greaterThanOrEqual", formula1="0"),
    }
    for key, dv in number.items():
        dv.error = "Type the figure as a number" + (" from 0 to 100, without a % sign." if key == "percent" else ".")
        dv.errorTitle = "Not a figure"
        dv.showErrorMessage = True
    quality = DataValidation("list", formula1='"' + ",".join(QUALITIES) + '"', allow_blank=True)
    quality.error, quality.errorTitle, quality.showErrorMessage = "Choose validated, provisional or estimated.", "Quality", True
    supplied = DataValidation("date", operator="between", formula1="36526", formula2="73051", allow_blank=True)
    supplied.error, supplied.errorTitle, supplied.showErrorMessage = "Type a date, e.g. 23/11/2026.", "Date", True
    for dv in (*number.values(), quality, supplied):
        ws.add_data_validation(dv)
    supplied.add(SUPPLIED_ON_CELL)
    for i, row in enumerate(rows.itertuples(index=False)):
        r = FIRST_ROW + i
        quality.add(f"{LETTERS['quality']}{r}")
        if row.ratio:
            number["count"].add(f"{LETTERS['numerator']}{r}")
            number["count"].add(f"{LETTERS['denominator']}{r}")
        else:
            signed = row.unit_key in (Unit.GBP.word, Unit.SCORE.word)
            key = "percent" if row.unit_key == Unit.PERCENT.word else "signed" if signed else "count"
            number[key].add(f"{LETTERS['value']}{r}")


def _return_sheet(ws, council: str, owner: str, quarter: Period, rows: pd.DataFrame) -> None:
    ws["A1"] = f"{council} performance return: {owner or 'measures with no owner'}, {quarter.code} ({quarter.label})"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (
        "Fill in the yellow cells only, then send this workbook back to the performance team. "
        "Leave a figure blank if there is none yet and say why in Note. Definitions are on the next sheet."
    )
    ws["A3"] = "Supplied on"
    ws["A3"].font = Font(bold=True)
    ws[SUPPLIED_ON_CELL].fill, ws[SUPPLIED_ON_CELL].protection = _FILL, _OPEN
    ws[SUPPLIED_ON_CELL].number_format = "yyyy-mm-dd"
    ws["C3"] = "(the date these figures were supplied; blank: the date they are read in)"
    for i, column in enumerate(RETURN_COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, i, column.heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = column.width
    for r, row in enumerate(rows.to_dict("records"), start=FIRST_ROW):
        for i, column in enumerate(RETURN_COLUMNS, start=1):
            cell = ws.cell(r, i, None if column.fill_in else row[column.key])
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


def _definitions_sheet(ws, data: CouncilData, measure_ids: list[str]) -> None:
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
                m["aggregation"],
                int(m["decimals"]),
                m["source_system"] if isinstance(m["source_system"], str) else "",
            ]
        )
    for i, width in enumerate((12, 44, 70, 14, 12, 11, 14, 9, 24), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    ws.protection.sheet = True


def _about_sheet(ws, council: str, owner: str, quarter: Period) -> None:
    for key, value in (("Format", FORMAT), ("Council", council), ("Owner", owner), ("Quarter", quarter.code)):
        ws.append([key, value])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 12, 60
    ws.protection.sheet = True


def _save(wb: Workbook, path: Path, made_on: dt.date) -> None:
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
    quarter: str | Period, data_dir: str | os.PathLike = "data", out_dir: str | os.PathLike = "_returns", made_on: dt.date | None = None
) -> list[Path]:
    """Write one return workbook per owner for ``quarter`` into ``out_dir/<slug>/``; return their paths."""
    data = load_data(data_dir)
    q = quarter if isinstance(quarter, Period) else parse_quarter(quarter)
    rows = return_rows(data, q)
    folder = Path(out_dir) / q.slug
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for owner, owned in rows.groupby("owner", sort=True):
        wb = Workbook()
        _return_sheet(wb.active, data.council.short_name, owner, q, owned.reset_index(drop=True))
        wb.active.title = RETURN_SHEET
        _definitions_sheet(wb.create_sheet(DEFINITIONS_SHEET), data, list(dict.fromkeys(owned["measure_id"])))
        _about_sheet(wb.create_sheet(ABOUT_SHEET), data.council.name, owner, q)
        wb.properties.creator, wb.properties.title = "pmlib", f"Performance return {q.code}: {owner or 'no owner'}"
        path = folder / f"{owner_slug(owner)}.xlsx"
        _save(wb, path, made_on or dt.date.today())
        written.append(path)
    return written
