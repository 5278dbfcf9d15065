"""The demo council's comparator groups and other areas' real figures (Open Government Licence v3.0).

Groups: BCP's DfE children's services statistical neighbours
(``sn_may_2025.xlsx``, the row for LA 839), its nearest neighbours as Oflog
uses them (``NN.json``, less BCP itself), England (a reference) and every
English upper-tier authority of 2019/20 and 2020/21. Areas are ONS codes;
DfE LA numbers become codes through pmlib's own ``dfe_la_codes.csv``.

Figures: for each real measure, every year BCP has a figure for, every group
member (and England) with a published figure. ELS and LAIT files are read
with ``pm comparators``'s own readers (``pmlib.intake.comparator_files``),
so the rows here are what the importer reads from the same downloads;
Oflog's prototype file is read here. ``reported_on`` is the date the
national figures were published: the date the demo gives BCP's validated
figure of that year, so a report before it compares the year before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from demo_data.measures import REAL_SCHEDULE, Measure
from demo_data.periods import FIRST_FY, LAST_YEAR, fy_code
from demo_data.real import BCP_DFE, BCP_ONS, REALDATA
from pmlib.intake.comparator_files import ELS, LAIT, Download, choose_indicator, la_codes, lait_download, read_download, read_frame
from pmlib.intake.intake_plan import number_text
from pmlib.vocabulary import NON_NEGATIVE_UNITS

ENGLAND = "E92000001"
PREDECESSORS = ("E06000028", "E06000029", "E10000009")  # Bournemouth, Poole, Dorset County Council: never a comparator
GROUP_COLUMNS = ["group_id", "name", "area_code", "area_name"]
COMPARATOR_COLUMNS = ["measure_id", "period", "area_code", "value", "numerator", "denominator", "source", "reported_on"]
GROUPS = {
    "dfe-statistical-neighbours": "Children's services statistical neighbours (DfE)",
    "cipfa-nearest-neighbours": "Nearest neighbours (CIPFA, as used by Oflog)",
    "england": "England",
    "english-upper-tier": "English upper-tier authorities",
}
FILES = {"ons": ELS.target, "lait": LAIT.target, "oflog": "oflog-adult-social-care.csv"}
_UPPER_TIER = ("E06", "E08", "E09", "E10")


@dataclass
class Comparators:
    """What the demo writes: group rows, comparator rows by file, and the facts data/README.md states about them."""

    groups: list[list[str]]
    files: dict[str, list[list[str]]]
    sn_numbers: list[int]
    refused: list[tuple[str, str, str, str, str]]  # (measure, period, area code, area name, value) the contract does not allow


def _in_demo_years(codes: pd.DataFrame) -> pd.DataFrame:
    """Codes in use at some time in 2019/20 to 2020/21, the years BCP's real figures cover."""
    first, last = codes["first_year"], codes["last_year"]
    return codes[(first.isna() | (first <= LAST_YEAR)) & (last.isna() | (last >= FIRST_FY))]


def statistical_neighbours(root: Path = REALDATA) -> list[int]:
    """BCP's ten DfE statistical neighbours, closest first (SN1..SN10 of LA 839)."""
    table = pd.read_excel(root / "dfe-lait-childrens-services" / "sn_may_2025.xlsx", header=2)
    row = table[table["LA num"] == BCP_DFE]
    if len(row) != 1:
        raise SystemExit(f"sn_may_2025.xlsx has {len(row)} rows for LA {BCP_DFE}")
    return [int(row[f"SN{i}"].iloc[0]) for i in range(1, 11)]


def group_rows(root: Path = REALDATA) -> tuple[list[list[str]], list[int]]:
    """comparator_groups.csv rows, group by group; and the statistical neighbours' LA numbers."""
    codes = _in_demo_years(la_codes())
    names = dict(zip(codes["area_code"], codes["area_name"], strict=True))
    sn = statistical_neighbours(root)
    by_number = codes.groupby("la_number")["area_code"].agg(list)
    sn_codes = []
    for number in sn:
        found = by_number.get(number, [])
        if len(found) != 1:
            raise SystemExit(f"statistical neighbour LA {number} has {len(found)} ONS codes in 2019/20-2020/21: {found}")
        sn_codes += found
    nn = [c for c in json.loads((root / "oflog-adult-social-care" / "NN.json").read_text(encoding="utf-8"))[BCP_ONS] if c != BCP_ONS]
    unknown = [c for c in nn if c not in names]
    if unknown:
        raise SystemExit(f"nearest neighbours with no name in dfe_la_codes.csv for 2019/20-2020/21: {unknown}")
    upper = codes[codes["area_code"].str[:3].isin(_UPPER_TIER) & (codes["area_code"] != BCP_ONS)].sort_values(["area_name", "area_code"])
    members = {
        "dfe-statistical-neighbours": sn_codes,
        "cipfa-nearest-neighbours": nn,
        "england": [ENGLAND],
        "english-upper-tier": list(upper["area_code"]),
    }
    rows = [[gid, GROUPS[gid], code, names[code]] for gid, group in members.items() for code in group]
    wrong = [r for r in rows if r[2] == BCP_ONS or r[2] in PREDECESSORS]
    if wrong:
        raise SystemExit(f"BCP or a predecessor council in a comparator group: {wrong}")
    return rows, sn


def _published(m: Measure) -> dict[str, str]:
    """Each year's date of national publication: the date the demo gives BCP's validated figure of that year."""
    out = {}
    for fy, steps in REAL_SCHEDULE[m.real].items():
        dates = [day for day, quality, _note in steps if quality == "validated"]
        out[fy_code(fy)] = dates[-1]
    return out


def _rows(m: Measure, figures: pd.DataFrame, years: dict[str, str], areas: set[str], source: str) -> tuple[list[list[str]], list]:
    """One comparator row per area with a published figure for a year BCP has, in period then area order.

    A negative figure for a unit the contract holds non-negative (a rate) is
    left out and returned apart, for data/README.md to name: net additions to
    the housing stock can be negative, which the contract does not yet allow.
    """
    keep = figures[figures["period"].isin(years) & figures["area_code"].isin(areas) & figures["published"]]
    keep = keep.sort_values(["period", "area_code"])
    refused = keep["value"].lt(0) & (m.unit in NON_NEGATIVE_UNITS)
    rows = [
        [m.id, period, code, number_text(value), "", "", source, years[period]]
        for period, code, value in zip(keep["period"], keep["area_code"], keep["value"], strict=True)
    ]
    return [r for r, no in zip(rows, refused, strict=True) if not no], [r for r, no in zip(rows, refused, strict=True) if no]


def _oflog(code: str, root: Path) -> Download:
    """Oflog's prototype file, shaped as a download: figures by ONS code and financial year (``2019-20``)."""
    frame = pd.read_csv(root / "oflog-adult-social-care" / "ASC_data.csv", dtype=str, keep_default_na=False)
    frame = frame[frame["Code"] == code]
    name = frame["Measure"].iloc[0].removeprefix("Outcome, ")
    figures = pd.DataFrame(
        {
            "period": frame["Financial year"].str[:4].astype(int).map(fy_code),
            "area_code": frame["Local authority code"],
            "value": pd.to_numeric(frame["Value"], errors="coerce"),
            "published": frame["Value"] != "",
        }
    )
    return Download(None, code, f"Oflog Local Authority Data Explorer: {name} ({code})", figures)


def comparator_files(measures: list[Measure], council_years: dict[str, list[int]], root: Path = REALDATA) -> Comparators:
    """Groups and every comparator row, by file; ``council_years``: the years BCP has a figure for, by measure id."""
    groups, sn = group_rows(root)
    areas = {r[2] for r in groups}
    names = {r[2]: r[3] for r in groups}
    refused: list[tuple[str, str, str, str, str]] = []
    files: dict[str, list[list[str]]] = {name: [] for name in sorted(FILES.values())}
    lait = dictionary = None
    for m in (m for m in measures if m.real):
        years = {code: day for code, day in _published(m).items() if int(code[:4]) in council_years[m.id]}
        kind, key = m.real
        if kind == "ons":
            path = root / "ons-els-net-additional-dwellings" / "net-additions-to-the-housing-stock.csv"
            download, problems = read_download(path, path.name, m.id, m.frequency)
        elif kind == "lait":
            folder = root / "dfe-lait-childrens-services"
            if lait is None:
                lait, _, problems = read_frame(folder / "bds_long_0.parquet", "bds_long_0.parquet")
                dictionary = pd.read_csv(folder / "lait_data_dictionary.csv", dtype=str, keep_default_na=False).set_index("Measure_short")
            frame, indicator, problems = choose_indicator(lait, LAIT, "bds_long_0.parquet", key)
            download = lait_download(frame, indicator, dictionary.at[key, "Year_Type"] == "Calendar Year", "bds_long_0.parquet")
        else:
            download, problems = _oflog(key, root), []
        problems += download.problems
        if problems:
            raise SystemExit(f"{m.id}: {[p.format() for p in problems]}")
        figures, source = download.rows, download.source
        rows, no = _rows(m, figures, years, areas - {BCP_ONS}, source)
        files[FILES[kind]] += rows
        refused += [(r[0], r[1], r[2], names[r[2]], r[3]) for r in no]
    return Comparators(groups, files, sn, refused)
