"""Files of other areas' figures that councils download: ONS Explore Local Statistics (ELS) and DfE LAIT extracts.

Each publisher has its own shape, so each is read into one table of figures
(area, period, value) in the contract's words before ``pm comparators``
decides which to keep. Nothing here knows the data folder: the readers take
the measure's id and frequency, and say for each row what is wrong with it,
so the command can name only the rows it would keep.

- ELS: every indicator's CSV has ``areacd``, ``areanm``, an ISO 8601
  interval ``period`` (``2015-04-01/P1Y`` is the financial year 2015/16,
  ``/P3M`` a quarter, ``/P1M`` a month), ``observation`` and ``notes`` (which
  flags replaced area codes). It starts with a byte-order mark.
- LAIT: the long format (``Short Desc``, ``Data item``, ``Years``, ``LA and
  Regions``, ``Values``, ``LA Number``, ``Region``) as CSV or parquet. ``-``
  is missing; ``Data item`` is given on an indicator's first row only; areas
  are DfE LA numbers, turned into ONS codes by ``dfe_la_codes.csv`` (shipped
  beside this module; its header says how it was made), by financial year,
  since some LA numbers have had two codes.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.contract.periods import Period
from pmlib.contract.tables import ROW_COLUMN, Column, missing_file, read_table
from pmlib.errors import Problem
from pmlib.vocabulary import Frequency

LA_CODES_FILE = "dfe_la_codes.csv"
NOT_PUBLISHED = frozenset({"", "-", "..", ":", "x", "c", "z", "[c]", "[x]", "[z]", "[u]", "[low]"})
"""Cells that say a figure is missing or suppressed (LAIT's ``-``, GSS shorthand): the row is left out, not an error."""


@dataclass(frozen=True)
class Format:
    """A publisher's file shape: the columns that hold each thing, and the comparators file its figures go to."""

    name: str
    target: str
    area: str
    area_name: str
    period: str
    value: str
    indicator: str
    columns: tuple[str, ...]
    required: tuple[str, ...]


ELS = Format(
    name="ONS Explore Local Statistics",
    target="ons-els.csv",
    area="areacd",
    area_name="areanm",
    period="period",
    value="observation",
    indicator="indicator",
    columns=(
        *("areacd", "areanm", "geography", "indicator", "period", "observation"),
        *("measure", "unit", "lci_95", "uci_95", "status", "notes"),
    ),
    required=("areacd", "period", "observation"),
)
LAIT = Format(
    name="DfE Local Authority Interactive Tool (LAIT)",
    target="dfe-lait.csv",
    area="LA Number",
    area_name="LA and Regions",
    period="Years",
    value="Values",
    indicator="Short Desc",
    columns=("Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"),
    required=("Short Desc", "Years", "LA Number", "Values"),
)
FORMATS = (ELS, LAIT)


@dataclass(frozen=True)
class Download:
    """One downloaded file's figures for one measure, each row with what (if anything) is wrong with it.

    ``rows``: ``_row`` (the file's row, header = 1), ``area_code`` (None
    where no ONS code is known), ``area`` (as the file names it),
    ``period`` (the contract's code, None if the file's period is not one of
    the measure's), ``period_text``, ``period_problem``, ``value``,
    ``published`` (False for ``-`` and the like), ``value_problem`` and
    ``note`` (ELS notes).
    """

    format: Format
    indicator: str
    source: str
    rows: pd.DataFrame
    problems: tuple[Problem, ...] = ()


# --- DfE LA numbers and LAIT years --------------------------------------------------------------


@functools.cache
def la_codes() -> pd.DataFrame:
    """The shipped DfE LA number -> ONS code table; ``first_year``/``last_year`` as financial-year starts (<NA>: no limit)."""
    text = (resources.files("pmlib.intake") / LA_CODES_FILE).read_text(encoding="utf-8")
    body = "".join(line for line in io.StringIO(text) if not line.startswith("#"))
    frame = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
    years = {c: pd.to_numeric(frame[c].str[:4], errors="coerce").astype("Int64") for c in ("first_year", "last_year")}
    return frame.assign(la_number=frame["la_number"].astype("int64"), **years)


_SUFFIX = r"\s*\([^)]*\)$"


def lait_years(labels: pd.Series, calendar_years: bool = False) -> pd.Series:
    """The financial year (its start) each LAIT period label names; <NA> for a label that is not one year.

    ``2019/20``, ``2019-20`` and ``2019-20 (OT)`` are the financial (or
    academic) year 2019/20. A bare ``2020`` is the year ending 31 March 2020
    (2019/20), as for census and financial-year measures; with
    ``calendar_years`` it is the calendar year 2020, read as the financial
    year holding nine of its months (2020/21). Suffixes such as ``(Rev)``,
    ``(Final)`` and ``(prov)`` are dropped; spans (``2018-20``) are not one year.
    """
    text = labels.astype("string").str.strip().str.replace(_SUFFIX, "", regex=True)
    pair = text.str.extract(r"^(\d{4})[/-](\d{2})$")
    start = pd.to_numeric(pair[0], errors="coerce")
    follows = (start + 1) % 100 == pd.to_numeric(pair[1], errors="coerce")
    bare = pd.to_numeric(text.where(text.str.fullmatch(r"\d{4}").fillna(False)), errors="coerce")
    out = start.where(follows).fillna(bare if calendar_years else bare - 1)
    return out.astype("Int64")


def lait_year(label: str, calendar_years: bool = False) -> int | None:
    """``lait_years`` for one label."""
    year = lait_years(pd.Series([label]), calendar_years).iloc[0]
    return None if pd.isna(year) else int(year)


def area_codes(la_numbers: pd.Series, years: pd.Series) -> pd.Series:
    """The ONS code of each DfE LA number in each financial year (<NA> where none); with no year, its current code."""
    codes = la_codes()
    rows = pd.DataFrame({"la_number": pd.array(la_numbers, dtype="Int64"), "year": pd.array(years, dtype="Int64")})
    rows["_i"] = np.arange(len(rows))
    both = rows.dropna(subset=["la_number"]).merge(codes[["la_number", "area_code", "first_year", "last_year"]], on="la_number")
    year, first, last = both["year"], both["first_year"], both["last_year"]
    within = (year.isna() | ((first.isna() | (first <= year)) & (last.isna() | (year <= last)))).fillna(False).astype(bool)
    within &= both["area_code"] != ""
    chosen = both[within].sort_values(["_i", "last_year"], na_position="last").drop_duplicates("_i", keep="last")
    out = pd.Series(pd.NA, index=rows.index, dtype="string")
    out.iloc[chosen["_i"].to_numpy()] = chosen["area_code"].to_numpy()
    return out.set_axis(la_numbers.index)


# --- reading a file -------------------------------------------------------------------------------


def detect(header: list[str]) -> Format | None:
    """The format whose required columns are all in the header, if any."""
    names = {h.strip() for h in header}
    return next((f for f in FORMATS if set(f.required) <= names), None)


def _not_recognised(display: str, header: list[str]) -> Problem:
    shown = ", ".join(h for h in header[:12] if h) or "nothing"
    return Problem(
        display,
        1,
        None,
        f"not a file pm comparators reads: the header has {shown}; download the indicator's CSV from ONS Explore Local Statistics "
        "(columns areacd, period, observation) or a DfE LAIT extract (Short Desc, Years, LA Number, Values), and read that",
    )


def read_frame(path: Path, display: str) -> tuple[pd.DataFrame | None, Format | None, list[Problem]]:
    """The file's cells as text (blank: ``""``) with ``_row``, and its format; None and the problems if it cannot be read as one."""
    suffix = path.suffix.lower()
    if not path.is_file():
        return None, None, [missing_file(path, display)]
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds for a damaged file
            return None, None, [Problem(display, None, None, f"not a readable parquet file ({type(exc).__name__}); download it again")]
        header = [str(c) for c in frame.columns]
        form = detect(header)
        if form is None:
            return None, None, [_not_recognised(display, header)]
        text = pd.DataFrame({c: _as_text(frame[c]) for c in form.columns if c in frame.columns})
        return text.assign(**{ROW_COLUMN: np.arange(len(text)) + 2}), form, []
    if suffix != ".csv":
        hint = "save the sheet as CSV UTF-8 and read that" if suffix in (".xlsx", ".xls", ".ods") else "read a .csv or .parquet file"
        return None, None, [Problem(display, None, None, f"'{path.suffix or path.name}' files cannot be read; {hint}")]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, None, read_table(path, display, ())[1]  # names the line and the fix
    if not text.strip():
        return None, None, [Problem(display, None, None, "the file is empty; download the figures again")]
    header = next(csv.reader(io.StringIO(text)), [])
    form = detect(header)
    if form is None:
        return None, None, [_not_recognised(display, header)]
    table, problems = read_table(path, display, tuple(Column(c, required=c in form.required) for c in form.columns))
    if table is None:
        return None, None, problems
    return table.fillna({c: "" for c in form.columns}), form, problems


def _as_text(column: pd.Series) -> pd.Series:
    """Cells as the CSV twin would hold them: whole-number floats without ``.0`` (LA numbers), blanks for nulls."""
    if not pd.api.types.is_float_dtype(column):
        return column.astype("string").fillna("").str.strip().astype(object)
    out = pd.Series("", index=column.index, dtype=object)
    whole = column.notna() & (column == column.round())
    out[whole] = column[whole].astype("int64").astype(str)
    other = column.notna() & ~whole
    out[other] = column[other].map(lambda x: np.format_float_positional(x, trim="-"))
    return out


def read_download(
    path: Path,
    display: str,
    measure_id: str,
    frequency: str,
    indicator: str | None = None,
    calendar_years: bool = False,
) -> tuple[Download | None, list[Problem]]:
    """Read one downloaded file for one measure; None and the problems when it cannot be read at all."""
    frame, form, problems = read_frame(path, display)
    if frame is None or form is None:
        return None, problems
    frame, chosen, choice = choose_indicator(frame, form, display, indicator)
    problems += choice
    if chosen is None:
        return None, problems
    if form is ELS:
        return els_download(frame, measure_id, frequency, chosen), problems
    if Frequency(frequency) is not Frequency.ANNUAL:
        problems.append(
            Problem(
                display,
                None,
                LAIT.period,
                f"LAIT gives one figure a year and {measure_id} is {frequency}; compare an annual measure with LAIT figures",
            )
        )
        return None, problems
    return lait_download(frame, chosen, calendar_years, display), problems


def choose_indicator(
    frame: pd.DataFrame, form: Format, display: str, indicator: str | None
) -> tuple[pd.DataFrame, str | None, list[Problem]]:
    """The rows of the one indicator to read: the file's only one, or the one ``--indicator`` names."""
    if form is LAIT and "Data item" in frame:
        # Data item is written on an indicator's first row only.
        frame = frame.assign(**{"Data item": frame["Data item"].replace("", np.nan).ffill().fillna("")})
    found = list(dict.fromkeys(frame[form.indicator])) if form.indicator in frame else [""]
    listed = ", ".join(found[:8]) + (f" and {len(found) - 8} more" if len(found) > 8 else "")
    if indicator is not None:
        if indicator not in found:
            message = f"no rows for the indicator '{indicator}' (column {form.indicator}); it holds {listed}: give one of those"
            return frame, None, [Problem(display, None, form.indicator, message)]
        return frame[frame[form.indicator] == indicator], indicator, []
    if len(found) > 1:
        message = f"holds {len(found)} indicators ({listed}); give the one to read with --indicator"
        return frame, None, [Problem(display, None, form.indicator, message)]
    return frame, found[0], []


def _values(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each cell's number, whether it is a published figure, and a problem for text that is neither."""
    blankish = text.str.strip().str.lower().isin(NOT_PUBLISHED)
    value = pd.to_numeric(text.where(~blankish), errors="coerce")
    bad = ~blankish & value.isna()
    problem = ("'" + text + "' is not a number; download the file again, or tell the publisher").where(bad, None)
    return value.astype("float64"), ~blankish & ~bad, problem


_FREQUENCY_WORDS = {
    Frequency.ANNUAL: ("annual (financial years, April to March)", "2015-04-01/P1Y"),
    Frequency.QUARTERLY: ("quarterly (financial quarters, Q1 April to June)", "2015-04-01/P3M"),
    Frequency.MONTHLY: ("monthly", "2015-04-01/P1M"),
}
_KIND_WORDS = {Frequency.ANNUAL: "the financial year", Frequency.QUARTERLY: "the quarter", Frequency.MONTHLY: "the month"}
_INTERVAL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/P(\d+)([YM])$")


def els_period(text: str, frequency: Frequency) -> tuple[str | None, str]:
    """The contract's code for an ISO 8601 interval of ``frequency``, or None and what the interval is instead."""
    m = _INTERVAL.match(text.strip())
    if not m:
        return None, "not an ISO 8601 interval of a start date and a duration (2015-04-01/P1Y)"
    year, month, day, n = int(m[1]), int(m[2]), int(m[3]), int(m[4])
    months = n * 12 if m[5] == "Y" else n
    kind, period = None, None
    if day == 1 and 1 <= month <= 12:
        if months == 12 and month == 4:
            kind, period = Frequency.ANNUAL, Period.year(year)
        elif months == 3 and month in (1, 4, 7, 10):
            kind, period = Frequency.QUARTERLY, Period.quarter(year if month >= 4 else year - 1, (month - 4) % 12 // 3 + 1)
        elif months == 1:
            kind, period = Frequency.MONTHLY, Period.month(year, month)
    if kind is frequency:
        return period.code, ""
    if kind is not None:
        return None, f"{_KIND_WORDS[kind]} {period.code}"
    if months == 12 and (month, day) == (1, 1):
        return None, f"the calendar year {year}"
    return None, f"{months} month(s) from {m[1]}-{m[2]}-{m[3]}"


def els_download(frame: pd.DataFrame, measure_id: str, frequency: str, indicator: str) -> Download:
    """An ELS indicator's rows as figures for the measure."""
    freq = Frequency(frequency)
    words, example = _FREQUENCY_WORDS[freq]
    periods = {}
    for text in frame["period"].unique():
        code, what = els_period(text, freq)
        problem = None
        if code is None:
            problem = (
                f"'{text}' is {what}, not a period of {measure_id}, which is {words}; download the figures by the "
                f"measure's periods (intervals like {example}), or read them for a measure with periods like these"
            )
        periods[text] = (code, problem)
    value, published, value_problem = _values(frame["observation"])
    names = frame.get("areanm", pd.Series("", index=frame.index))
    rows = pd.DataFrame(
        {
            ROW_COLUMN: frame[ROW_COLUMN].to_numpy(),
            "area_code": frame["areacd"].to_numpy(),
            "area": (frame["areacd"] + " " + names).str.strip().to_numpy(),
            "period": frame["period"].map({t: code for t, (code, _) in periods.items()}).to_numpy(),
            "period_text": frame["period"].to_numpy(),
            "period_problem": frame["period"].map({t: problem for t, (_, problem) in periods.items()}).to_numpy(),
            "value": value.to_numpy(),
            "published": published.to_numpy(),
            "value_problem": value_problem.to_numpy(),
            "note": frame.get("notes", pd.Series("", index=frame.index)).to_numpy(),
        }
    )
    return Download(ELS, indicator, f"{ELS.name}: {indicator}" if indicator else ELS.name, rows)


def lait_download(frame: pd.DataFrame, indicator: str, calendar_years: bool, display: str = "") -> Download:
    """A LAIT indicator's rows as figures, areas by ONS code and periods as financial years."""
    year = lait_years(frame["Years"], calendar_years)
    number = pd.to_numeric(frame["LA Number"], errors="coerce")
    number = number.where(number == number.round()).astype("Int64")
    value, published, value_problem = _values(frame["Values"])
    names = frame.get("LA and Regions", pd.Series("", index=frame.index))
    period_problem = (
        "'" + frame["Years"] + "' is not one year (a span of years, or no year); compare a measure whose LAIT figures are single years"
    ).where(year.isna(), None)
    rows = pd.DataFrame(
        {
            ROW_COLUMN: frame[ROW_COLUMN].to_numpy(),
            "area_code": area_codes(number, year).to_numpy(dtype=object, na_value=None),
            "area": (frame["LA Number"] + " " + names).str.strip().to_numpy(),
            "period": year.map({y: Period.year(int(y)).code for y in year.dropna().unique()}).to_numpy(dtype=object, na_value=None),
            "period_text": frame["Years"].to_numpy(),
            "period_problem": period_problem.to_numpy(),
            "value": value.to_numpy(),
            "published": published.to_numpy(),
            "value_problem": value_problem.to_numpy(),
            "note": "",
        }
    )
    item = frame["Data item"].iloc[0] if "Data item" in frame and len(frame) else ""
    described = " ".join(str(item).split()) or indicator
    return Download(LAIT, indicator, f"{LAIT.name}: {described}", rows, tuple(_unknown_numbers(frame, number, display)))


def _unknown_numbers(frame: pd.DataFrame, number: pd.Series, display: str) -> list[Problem]:
    """A warning for each LA number DfE does not list (a typing slip, or a newer authority than the table), at its first row."""
    unknown = frame[~number.isin(la_codes()["la_number"]).fillna(False).astype(bool)]
    out = []
    for text, rows in unknown.groupby("LA Number", sort=False)[ROW_COLUMN]:
        more = f" ({len(rows) - 1} more row(s))" if len(rows) > 1 else ""
        message = (
            f"'{text}' is not a DfE LA number in pmlib's table (pmlib/intake/dfe_la_codes.csv){more}; "
            "its figures are left out: check the number"
        )
        out.append(Problem(display, int(rows.iloc[0]), LAIT.area, message, "warning"))
    return out
