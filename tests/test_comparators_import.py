"""`pm comparators`: other areas' figures read from ONS Explore Local Statistics and DfE LAIT downloads into data/comparators/.

Each folder under ``tests/fixtures/comparators-import/<failure-mode>/`` holds
one downloaded file, ``args.txt`` (the options after the file) and
``expected.txt`` (the exact ``FILE:ROW: COLUMN: message`` lines printed;
lines starting with ``#`` describe the case); a ``held-<name>.csv`` is put in
``data/comparators/<name>.csv`` first. Each is run on a copy of
``tests/fixtures/comparators-import/data`` and must exit 1, print exactly
those lines and leave the folder byte-identical. ``good/`` holds an ELS and
a LAIT file that read cleanly. The end-to-end test runs the installed ``pm``
on a copy of the demo data folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pmlib.cli import main
from pmlib.contract.loading import check_data
from pmlib.intake.comparator_files import area_codes, els_period, la_codes, lait_year, lait_years
from pmlib.intake.comparators import import_comparators
from pmlib.vocabulary import Frequency

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "comparators-import"
DATA = FIXTURES / "data"
GOOD = FIXTURES / "good"
CASES = sorted(p for p in FIXTURES.iterdir() if (p / "expected.txt").is_file())
REALDATA = ROOT.parent / "shared" / "realdata"
PM = Path(sys.executable).with_name("pm")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """A copy of the fixture data folder as ``data/`` in a working folder, with the good downloads beside it."""
    shutil.copytree(DATA, tmp_path / "data")
    for path in GOOD.iterdir():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["comparators", *args])


# --- one failure mode per fixture --------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_failure_is_reported_by_row_and_column_and_nothing_is_written(case: Path, folder: Path):
    (download,) = (p for p in case.iterdir() if p.name not in ("args.txt", "expected.txt") and not p.name.startswith("held-"))
    shutil.copy(download, folder / download.name)
    for held in case.glob("held-*.csv"):
        (folder / "data" / "comparators").mkdir(exist_ok=True)
        shutil.copy(held, folder / "data" / "comparators" / held.name.removeprefix("held-"))
    before = snapshot(folder / "data")
    args = shlex.split((case / "args.txt").read_text(encoding="utf-8"))
    result = run(download.name, *args)
    expected = [line for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == expected
    assert "fix them and run pm comparators again; data is unchanged." in result.stderr
    assert snapshot(folder / "data") == before


# --- reading in --------------------------------------------------------------------------------


def test_els_download_appends_the_groups_figures_once(folder: Path):
    result = run("els.csv", "--measure", "DP01", "--reported-on", "2022-11-24")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "11 figure(s) dated 2022-11-24 added to data/comparators/ons-els.csv for DP01, 2019/20 to 2021/22; "
        "2 area(s) not in any comparator group left out; 1 figure(s) not published (blank or -) left out; "
        "the council's own 2 figure(s) (E06000058) left out: they belong in observations/ (pm ingest)."
    )
    # The replaced code is noted once, at its area's first row, with what to add for later years.
    assert (
        "els.csv:6: notes: E10000023 North Yorkshire: 'Obsolete code since 2023 (replaced by E06000065 North Yorkshire)'" in result.stderr
    )
    assert "add E06000065 to comparator_groups.csv" in result.stderr
    written = rows(folder / "data" / "comparators" / "ons-els.csv")
    assert {(r["period"], r["area_code"], r["value"]) for r in written} >= {("2020/21", "E06000026", "5"), ("2019/20", "E92000001", "10")}
    assert {r["area_code"] for r in written} <= {"E06000026", "E06000027", "E10000023", "E92000001"}
    assert {r["source"] for r in written} == {"ONS Explore Local Statistics: Net additions to the housing stock (England)"}
    assert {r["reported_on"] for r in written} == {"2022-11-24"}
    log = rows(folder / "data" / "intake-log.csv")
    assert [(e["file"], e["figures_added"], e["written_to"]) for e in log] == [("els.csv", "11", "comparators/ons-els.csv")]
    data, problems = check_data(folder / "data")
    assert data is not None, problems
    assert len(data.comparators) == 11

    before = snapshot(folder / "data")
    again = run("els.csv", "--measure", "DP01", "--reported-on", "2022-11-24")
    assert again.exit_code == 0
    assert again.stdout.startswith("Nothing new for DP01, data is unchanged: 11 already held;")
    assert snapshot(folder / "data") == before


def test_dry_run_says_what_it_would_add_and_writes_nothing(folder: Path):
    before = snapshot(folder / "data")
    result = run("els.csv", "--measure", "DP01", "--reported-on", "2022-11-24", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Dry run, nothing written to data: 11 figure(s) dated 2022-11-24 would be added to ")
    assert snapshot(folder / "data") == before


def test_a_changed_figure_on_a_later_date_is_a_new_version(folder: Path):
    assert run("els.csv", "--measure", "DP01", "--reported-on", "2021-11-25").exit_code == 0
    changed = (folder / "els.csv").read_text(encoding="utf-8-sig").replace("2020-04-01/P1Y,5,", "2020-04-01/P1Y,6,")
    (folder / "revised.csv").write_text(changed, encoding="utf-8")
    result = run("revised.csv", "--measure", "DP01", "--reported-on", "2022-11-24")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "1 figure(s) dated 2022-11-24 added to data/comparators/ons-els.csv for DP01, 2020/21 (1 of them revisions); 10 already held"
    )
    plymouth = [
        (r["value"], r["reported_on"]) for r in rows(folder / "data" / "comparators" / "ons-els.csv") if r["area_code"] == "E06000026"
    ]
    assert ("5", "2021-11-25") in plymouth and ("6", "2022-11-24") in plymouth


def test_lait_csv_maps_la_numbers_to_the_code_of_the_year(folder: Path):
    result = run("lait.csv", "--measure", "BF01", "--indicator", "CIN", "--reported-on", "2021-10-28")
    assert result.exit_code == 0, result.output
    assert "7 figure(s) dated 2021-10-28 added to data/comparators/dfe-lait.csv for BF01, 2019/20 to 2020/21" in result.stdout
    assert "1 LAIT area(s) with no ONS code for the year left out" in result.stdout  # London (Inner), 987
    written = {(r["period"], r["area_code"]): r["value"] for r in rows(folder / "data" / "comparators" / "dfe-lait.csv")}
    # Buckinghamshire (825) became a unitary in April 2020: the county's code for 2019/20, the new one after.
    assert written[("2019/20", "E10000002")] == "272.5"
    assert written[("2020/21", "E06000060")] == "281.9"  # published as 281.89999999999998
    assert written[("2020/21", "E92000001")] == "329.6"  # published as 3.296E2
    assert ("2020/21", "E06000027") not in written  # Torbay's "-"
    assert not any(code == "E06000058" for _, code in written)


def test_lait_parquet_reads_as_its_csv_twin(folder: Path):
    frame = pd.read_csv(folder / "lait.csv", dtype=str, keep_default_na=False)
    frame["LA Number"] = frame["LA Number"].astype(float)  # as in DfE's parquet
    frame["Data item"] = frame["Data item"].replace("", None)
    frame.to_parquet(folder / "lait.parquet")
    assert run("lait.parquet", "--measure", "BF01", "--indicator", "CIN", "--reported-on", "2021-10-28").exit_code == 0
    from_parquet = (folder / "data" / "comparators" / "dfe-lait.csv").read_bytes()
    (folder / "data" / "comparators" / "dfe-lait.csv").unlink()
    assert run("lait.csv", "--measure", "BF01", "--indicator", "CIN", "--reported-on", "2021-10-28").exit_code == 0
    assert (folder / "data" / "comparators" / "dfe-lait.csv").read_bytes() == from_parquet


def test_calendar_years_reads_a_bare_year_as_the_financial_year_holding_nine_of_its_months(folder: Path):
    result = import_comparators(
        "lait.csv", "BF02", "data", indicator="CP_conf_15days", calendar_years=True, reported_on=dt.date(2021, 6, 10)
    )
    assert result.periods == ("2020/21",)
    result = import_comparators("lait.csv", "BF02", "data", indicator="CP_conf_15days", reported_on=dt.date(2021, 6, 10), dry_run=True)
    assert result.periods == ("2019/20",)


def test_an_la_number_dfe_does_not_list_is_a_warning_and_left_out(folder: Path):
    text = (folder / "lait.csv").read_text(encoding="utf-8") + "CIN,,2020,Nowhere,400,999,South West\n"
    (folder / "typo.csv").write_text(text, encoding="utf-8")
    result = run("typo.csv", "--measure", "BF01", "--indicator", "CIN", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "typo.csv:16: LA Number: '999' is not a DfE LA number in pmlib's table (pmlib/intake/dfe_la_codes.csv)" in result.stderr


def test_reported_on_defaults_to_today(folder: Path):
    result = import_comparators("els.csv", "DP01", "data", today=dt.date(2023, 1, 5))
    assert result.reported_on == dt.date(2023, 1, 5)
    assert {r["reported_on"] for r in rows(folder / "data" / "comparators" / "ons-els.csv")} == {"2023-01-05"}


def test_comparisons_need_the_councils_area_code(folder: Path):
    council = folder / "data" / "council.yml"
    council.write_text(council.read_text(encoding="utf-8").replace("area_code: E06000058\n", ""), encoding="utf-8")
    result = run("els.csv", "--measure", "DP01")
    assert result.exit_code == 1
    assert "data/council.yml:-: area_code: " in result.stdout


def test_without_comparator_groups_nothing_is_read(folder: Path):
    (folder / "data" / "comparator_groups.csv").unlink()
    result = run("els.csv", "--measure", "DP01")
    assert result.exit_code == 1
    assert result.stdout.startswith("data/comparator_groups.csv:-: -: no comparator groups: list the areas to compare with")


# --- end to end, on the demo council's data ----------------------------------------------------


def test_pm_comparators_end_to_end_on_a_copy_of_the_demo_data(tmp_path: Path, monkeypatch):
    """The installed ``pm`` reads an ELS download into the demo data; the dry run before and the rerun after (in-process) change nothing."""
    assert PM.is_file(), "the pm entry point is installed beside this Python"
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(GOOD / "els.csv", tmp_path / "els.csv")
    monkeypatch.chdir(tmp_path)
    held = rows(tmp_path / "data" / "comparators" / "ons-els.csv")
    options = ["--measure", "DP01", "--reported-on", "2022-11-24"]

    before = snapshot(tmp_path / "data")
    dry = run("els.csv", *options, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert snapshot(tmp_path / "data") == before

    done = subprocess.run([str(PM), "comparators", "els.csv", *options], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    # The demo already holds these areas' 2020/21 figures (the same values), so only 2019/20 and 2021/22 are new.
    assert done.stdout.startswith(
        "7 figure(s) dated 2022-11-24 added to data/comparators/ons-els.csv for DP01, 2019/20 to 2021/22; 4 already held;"
    )
    after = rows(tmp_path / "data" / "comparators" / "ons-els.csv")
    assert after[: len(held)] == held, "rows already there are never edited"
    assert len(after) == len(held) + 7
    data, problems = check_data(tmp_path / "data")
    assert data is not None, problems

    rerun_before = snapshot(tmp_path / "data")
    again = run("els.csv", *options)
    assert again.exit_code == 0
    assert again.stdout.startswith("Nothing new for DP01")
    assert snapshot(tmp_path / "data") == rerun_before


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata (the real public figures) is not beside the repository")
def test_the_demos_lait_figures_are_what_pm_comparators_reads_from_the_same_file(tmp_path: Path):
    """Reading DfE's own file for BF01 into the demo data finds every figure the demo holds already."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    held = [r for r in rows(tmp_path / "data" / "comparators" / "dfe-lait.csv") if r["measure_id"] == "BF01"]
    parquet = REALDATA / "dfe-lait-childrens-services" / "bds_long_0.parquet"
    result = import_comparators(parquet, "BF01", tmp_path / "data", indicator="CIN", reported_on=dt.date(2021, 10, 28), dry_run=True)
    assert result.unchanged == len(held)
    assert "2019/20" not in result.periods and "2020/21" not in result.periods


# --- the pieces --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "calendar", "year"),
    [
        ("2019/20", False, 2019),
        ("2019-20", False, 2019),
        ("2019-20 (OT)", False, 2019),
        ("2020", False, 2019),
        ("2020", True, 2020),
        ("2023 (Rev)", False, 2022),
        ("2021 (Final)", True, 2021),
        ("2025 (prov)", False, 2024),
        ("2018-20", False, None),
        ("2013/14-15/16", False, None),
        ("2019/21", False, None),
        ("0", False, None),
    ],
)
def test_lait_year_labels(label: str, calendar: bool, year: int | None):
    assert lait_year(label, calendar) == year
    got = lait_years(pd.Series([label]), calendar).iloc[0]
    assert pd.isna(got) if year is None else got == year


@pytest.mark.parametrize(
    ("interval", "frequency", "code", "what"),
    [
        ("2015-04-01/P1Y", Frequency.ANNUAL, "2015/16", ""),
        ("2015-04-01/P12M", Frequency.ANNUAL, "2015/16", ""),
        ("2016-01-01/P3M", Frequency.QUARTERLY, "2015/16 Q4", ""),
        ("2015-07-01/P3M", Frequency.QUARTERLY, "2015/16 Q2", ""),
        ("2015-09-01/P1M", Frequency.MONTHLY, "2015-09", ""),
        ("2015-01-01/P1Y", Frequency.ANNUAL, None, "the calendar year 2015"),
        ("2015-04-01/P1Y", Frequency.QUARTERLY, None, "the financial year 2015/16"),
        ("2015-05-01/P3M", Frequency.QUARTERLY, None, "3 month(s) from 2015-05-01"),
        ("2015/16", Frequency.ANNUAL, None, "not an ISO 8601 interval of a start date and a duration (2015-04-01/P1Y)"),
    ],
)
def test_els_intervals(interval: str, frequency: Frequency, code: str | None, what: str):
    assert els_period(interval, frequency) == (code, what)


def test_la_numbers_map_by_year_and_every_code_is_an_ons_code():
    codes = la_codes()
    given = codes[codes["area_code"] != ""]
    assert given["area_code"].str.fullmatch(r"E(06|08|09|10|12|92)\d{6}").all()
    assert not given.duplicated(["la_number", "area_code"]).any()
    numbers = pd.Series([825, 825, 839, 839, 837, 970, 987, 5555])
    years = pd.Series([2019, 2020, 2018, 2020, 2018, 2020, 2020, 2020])
    assert area_codes(numbers, years).tolist() == [
        "E10000002",
        "E06000060",
        pd.NA,
        "E06000058",
        "E06000028",
        "E92000001",
        pd.NA,
        pd.NA,
    ]


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata (the real public figures) is not beside the repository")
def test_every_authority_in_lait_has_an_ons_code():
    frame = pd.read_parquet(REALDATA / "dfe-lait-childrens-services" / "bds_long_0.parquet", columns=["LA Number", "LA and Regions"])
    numbers = frame["LA Number"].astype(int).drop_duplicates()
    known = set(la_codes()["la_number"])
    assert set(numbers) <= known
    current = area_codes(numbers.reset_index(drop=True), pd.Series([2020] * len(numbers)))
    missing = sorted(n for n, c in zip(numbers, current, strict=True) if pd.isna(c))
    # London (Inner), London (Outer), the pre-2019 Dorset councils, and the councils created since 2020.
    assert missing == [835, 836, 837, 940, 941, 942, 943, 987, 988]
