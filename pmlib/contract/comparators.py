"""Comparisons with other areas (contract v2, optional): the groups of areas, and the figures published for them.

Both files are optional, and a folder without them reads exactly as under v1:
the tables are then empty frames of the same types, so code that compares
never asks whether the files exist. Only the files' own rules live here;
ranking, medians and the comparison period belong to the engine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.contract.collecting import Collector, flag_duplicates
from pmlib.contract.config import Council
from pmlib.contract.figure_checks import _UNIT_NOUNS, check_measures_and_periods
from pmlib.contract.periods import first_months
from pmlib.contract.tables import ROW_COLUMN
from pmlib.errors import Problem
from pmlib.vocabulary import NON_NEGATIVE_UNITS, Unit

GROUPS = "comparator_groups.csv"
FOLDER = "comparators"

GROUP_TYPES = {"group_id": "str", "name": "str", "area_code": "str", "area_name": "str", ROW_COLUMN: "int64"}
COMPARATOR_TYPES = {
    "measure_id": "str",
    "period": "str",
    "area_code": "str",
    "value": "float64",
    "numerator": "float64",
    "denominator": "float64",
    "source": "str",
    "reported_on": "datetime64[us]",
    ROW_COLUMN: "int64",
    "file": "str",
    "period_index": "Int64",
    "first_month": "Int64",
}


def empty_comparator_groups() -> pd.DataFrame:
    """The groups table of a folder without comparisons: no rows, the columns and types of a read one."""
    return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in GROUP_TYPES.items()})


def empty_comparators() -> pd.DataFrame:
    """The comparator figures of a folder without comparisons: no rows, the columns and types of read ones."""
    return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in COMPARATOR_TYPES.items()})


def check_comparisons(c: Collector, council: Council | None, measures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and check ``comparator_groups.csv`` and every file in ``comparators/``: the groups, then the figures.

    ``council`` is None when council.yml has errors of its own; the checks
    that need its area code then wait until it is fixed.
    """
    files = _folder_files(c.data_dir / FOLDER)
    has_groups = (c.data_dir / GROUPS).is_file()
    if not files and not has_groups:
        return empty_comparator_groups(), empty_comparators()
    if council is not None and council.area_code is None:
        c.problems.append(
            Problem(
                c.display("council.yml"),
                None,
                "area_code",
                f"comparisons with other areas ({GROUPS}, {FOLDER}/) need the council's own ONS area code; "
                "add a line 'area_code: ...' with its GSS code, e.g. area_code: E06000058",
            )
        )
    groups = _check_groups(c, needed=bool(files))
    comparators = _check_figures(c, files, groups, council, measures)
    return groups, comparators


def _folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []


def _check_groups(c: Collector, needed: bool) -> pd.DataFrame:
    groups = c.read(GROUPS, required=False)
    if groups is None:
        if not (c.data_dir / GROUPS).is_file():
            if needed:
                c.problems.append(
                    Problem(
                        c.display(GROUPS),
                        None,
                        None,
                        f"file not found; the figures in {FOLDER}/ need it: create it with one row for each area of each group "
                        "(columns group_id, name, area_code, area_name)",
                    )
                )
            c.broken.add(GROUPS)
        return empty_comparator_groups()
    groups.attrs["display"] = c.display(GROUPS)
    flag_duplicates(c, groups, ["group_id", "area_code"], "area_code", "this area in this group")

    # A group's name is the one its first row gives; a row naming it otherwise is the one to correct.
    named = groups[groups["group_id"].notna() & groups["name"].notna()]
    first = named.index.to_series().groupby(named["group_id"], sort=False).transform("first").to_numpy()
    first_name = pd.Series(groups.loc[first, "name"].to_numpy(), index=named.index)
    first_row = pd.Series(groups.loc[first, ROW_COLUMN].to_numpy(), index=named.index)
    differs = named.index[named["name"] != first_name]
    c.flag(
        groups,
        groups.index.isin(differs),
        "name",
        lambda r: (
            f"group {r.group_id} is named '{first_name[r.name]}' in row {first_row[r.name]}; "
            "give every row of a group the same name, or use another group_id"
        ),
    )
    return groups.astype(GROUP_TYPES)[list(GROUP_TYPES)]


def _check_figures(c: Collector, files: list[Path], groups: pd.DataFrame, council: Council | None, measures: pd.DataFrame) -> pd.DataFrame:
    """Check each comparator figure against its measure, its area and the others; add period positions."""
    frames = []
    for path in files:
        name = f"{FOLDER}/{path.name}"
        if path.suffix.lower() != ".csv":
            c.problems.append(Problem(c.display(name), None, None, f"not a CSV file; save it as 'CSV UTF-8' or move it out of {FOLDER}/"))
            continue
        table = c.read(name, FOLDER)
        if table is not None:
            frames.append(table.assign(file=c.display(name)))
    if not frames:
        return empty_comparators()
    comp = pd.concat(frames, ignore_index=True)
    flag = lambda mask, col, msg, sev="error": c.flag(comp, mask, col, msg, sev, file_column="file")  # noqa: E731

    known, m, index = check_measures_and_periods(c, comp, measures, flag)
    _check_values(c, comp, m, known, flag)
    _check_areas(c, comp, groups, council, flag)
    flag_duplicates(
        c,
        comp,
        ["measure_id", "period", "area_code", "reported_on"],
        "reported_on",
        "a figure for this measure, period, area and reported_on date",
        file_column="file",
        hint="keep one, or give a revised figure a later reported_on date",
    )

    freq = m["frequency"].fillna("monthly")
    ok = index.notna()
    first = pd.Series(np.nan, index=comp.index)
    first[ok] = first_months(index[ok].astype("int64"), freq[ok])
    typed = comp.assign(period_index=index.astype("Int64"), first_month=first.astype("Int64"))
    return typed.astype(COMPARATOR_TYPES)[list(COMPARATOR_TYPES)]


def _check_values(c: Collector, comp: pd.DataFrame, m: pd.DataFrame, known: pd.Series, flag) -> None:
    """A figure in every row, as the measure's aggregation reads it, and within what its unit allows."""
    # A cell with an error of its own counts as given, so it is not reported twice.
    given = {col: comp[col].notna() | c.invalid(comp, col, "file") for col in ("value", "numerator", "denominator")}
    ratio = known & (m["aggregation"] == "ratio")
    plain = known & m["aggregation"].notna() & ~ratio
    flag(
        ratio & ~given["value"] & ~given["numerator"] & ~given["denominator"],
        "value",
        lambda r: f"there is no figure; {r.measure_id} is a ratio measure: give its value, or both numerator and denominator",
    )
    for col, other in (("numerator", "denominator"), ("denominator", "numerator")):
        lone = ratio & given[other] & ~given[col]
        flag(
            lone & ~given["value"],
            col,
            lambda r, col=col: f"{r.measure_id} is a ratio measure: give its {col} too, or the value alone",
        )
        flag(
            lone & given["value"],
            other,
            lambda r, col=col, other=other: f"a {other} without a {col} is not used, the value is; give both or neither",
            "warning",
        )
    flag(
        plain & ~given["value"],
        "value",
        lambda r: "the value is missing; give the figure, or leave the row out if there is none",
    )
    flag(
        plain & (comp["numerator"].notna() | comp["denominator"].notna()),
        "numerator",
        lambda r: "numerator and denominator are read only for ratio measures; ignored",
        "warning",
    )

    for col in ("numerator", "denominator"):
        flag(comp[col] < 0, col, lambda r, col=col: f"{r[col]:g} is negative, but a {col} is a count of zero or more; check the figure")
    flag(
        comp["denominator"] == 0,
        "denominator",
        lambda r: "the denominator is zero, so no rate can be worked out; check the figure or leave the row out",
    )
    flag(
        known & m["unit"].isin(NON_NEGATIVE_UNITS) & (comp["value"] < 0),
        "value",
        lambda r: f"{r.value:g} is below zero, but a {_UNIT_NOUNS[m.at[r.name, 'unit']]} cannot be negative; check the figure",
    )
    pct = known & (m["unit"] == "percent")
    flag(
        pct & comp["value"].notna() & ~comp["value"].between(0, 100),
        "value",
        lambda r: f"{r.value:g} is outside 0-100 for a percent measure; a fraction like 0.76 is written 76",
    )
    flag(
        pct & ratio & (comp["numerator"] > comp["denominator"]) & (comp["denominator"] > 0),
        "numerator",
        lambda r: (
            f"the numerator {r.numerator:g} is above the denominator {r.denominator:g}, giving a percent over 100; "
            "check the figures (are they the wrong way round?)"
        ),
    )
    # Both parts win over a value beside them, as in observations; a value that disagrees is likely a slip of scale.
    worked = comp["numerator"] / comp["denominator"] * Unit.scales(m["unit"].to_numpy())
    step = 10.0 ** -m["decimals"].astype("float64")
    flag(
        ratio & comp["value"].notna() & (comp["denominator"] > 0) & ((comp["value"] - worked).abs() > step),
        "value",
        lambda r: (
            f"{r.value:g} is not the numerator / denominator ({worked[r.name]:.{int(m.at[r.name, 'decimals'])}f} for "
            f"{m.at[r.name, 'unit']}); the numerator and denominator are used, so check the figures or leave the value blank"
        ),
        "warning",
    )


def _check_areas(c: Collector, comp: pd.DataFrame, groups: pd.DataFrame, council: Council | None, flag) -> None:
    """Every figure is for an area of some group, and never for the council itself."""
    own = council.area_code if council is not None else None
    is_own = comp["area_code"].eq(own) if own else pd.Series(False, index=comp.index)
    flag(
        is_own,
        "area_code",
        lambda r: (
            f"'{r.area_code}' is the council's own area_code (council.yml): its figures belong in observations/; "
            "move the row there, or correct the code"
        ),
    )
    if GROUPS not in c.broken:
        flag(
            comp["area_code"].notna() & ~is_own & ~comp["area_code"].isin(groups["area_code"].dropna()),
            "area_code",
            lambda r: f"'{r.area_code}' is in no group in {GROUPS}; add the area to a group there, or correct the code",
        )
