"""Comparisons with other areas (contract v2): reading ``comparator_groups.csv`` and ``comparators/``.

``tests/fixtures/comparisons/`` holds valid comparison files to lay over
``tests/fixtures/valid/`` (which stays a v1 folder); each failure mode has its
own folder under ``tests/fixtures/invalid/comparators-*``, checked line by line
by ``test_validation.py``. Here: the typed tables other code reads, that a v1
folder reads exactly as before, and the rules with no fixture of their own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from test_validation import FIXTURES, VALID, build_case, expected_lines

from pmlib.contract.collecting import empty_table
from pmlib.contract.config import read_council
from pmlib.contract.loading import CouncilData, check_data, load_data
from pmlib.contract.periods import first_months, period_indexes
from pmlib.run import reuse

COMPARISONS = FIXTURES / "comparisons"
GROUP_TYPES = {"group_id": "str", "name": "str", "area_code": "str", "area_name": "str", "_row": "int64"}
COMPARATOR_TYPES = {
    "measure_id": "str",
    "period": "str",
    "area_code": "str",
    "value": "float64",
    "numerator": "float64",
    "denominator": "float64",
    "source": "str",
    "reported_on": "datetime64[us]",
    "_row": "int64",
    "file": "str",
    "period_index": "Int64",
    "first_month": "Int64",
}
AREA_CODE_LINE = "area_code: E06000058\n"


def types(frame: pd.DataFrame) -> dict[str, str]:
    return {column: str(dtype) for column, dtype in frame.dtypes.items()}


def with_comparisons(tmp_path: Path) -> Path:
    return build_case(COMPARISONS, tmp_path)


def errors(problems) -> list[str]:
    return [p.format() for p in problems if p.severity == "error"]


def test_comparisons_load_as_typed_tables_in_file_order(tmp_path: Path):
    data_dir = with_comparisons(tmp_path)
    data, problems = check_data(data_dir)
    assert problems == []
    assert data is not None
    assert data.council.area_code == "E06000058"

    groups = data.comparator_groups
    assert types(groups) == GROUP_TYPES
    assert groups["group_id"].tolist() == ["cipfa-neighbours"] * 3 + ["south-west", "england"]
    assert groups["_row"].tolist() == [2, 3, 4, 5, 6]
    assert groups.loc[3, "area_code"] == "E12000009" and pd.isna(groups.loc[3, "area_name"])

    comp = data.comparators
    assert types(comp) == COMPARATOR_TYPES
    assert comp["file"].tolist() == [str(data_dir / "comparators" / "lg-inform.csv")] * 6 + [str(data_dir / "comparators" / "ons.csv")] * 3
    assert comp["_row"].tolist() == [2, 3, 4, 5, 6, 7, 2, 3, 4]
    hlt01 = comp[comp["measure_id"].eq("HLT01") & comp["area_code"].eq("E06000045")].iloc[0]
    assert pd.isna(hlt01["value"]) and (hlt01["numerator"], hlt01["denominator"]) == (40.0, 100.0)
    assert comp["reported_on"].iloc[0] == pd.Timestamp("2020-11-02")
    assert pd.isna(comp.iloc[-1]["source"])
    # a measure with public: false may have comparators (internal reports)
    assert not data.measures.loc["HLT03", "public"] and "HLT03" in set(comp["measure_id"])
    # a later reported_on for the same measure, period and area is a revision, not a repeat
    assert comp["measure_id"].eq("ECO03").sum() == 2

    frequency = data.measures.loc[comp["measure_id"], "frequency"].reset_index(drop=True)
    index = period_indexes(comp["period"], frequency)
    assert comp["period_index"].tolist() == index.astype("Int64").tolist()
    assert comp["first_month"].tolist() == first_months(index.astype("int64"), frequency).tolist()


def test_comparison_files_are_recorded_with_their_hashes_and_rerun_every_report(tmp_path: Path):
    data = load_data(with_comparisons(tmp_path))
    assert {"comparator_groups.csv", "comparators/lg-inform.csv", "comparators/ons.csv"} <= set(data.files)
    # plan_inputs treats any file it cannot split by plan as read whole by every notebook
    for inputs in reuse.plan_inputs(data, "data").values():
        assert {"data/comparator_groups.csv", "data/comparators/lg-inform.csv", "data/comparators/ons.csv"} <= set(inputs)


def test_a_v1_folder_has_empty_typed_comparisons():
    data = load_data(VALID)
    assert data.council.area_code is None
    assert data.comparator_groups.empty and types(data.comparator_groups) == GROUP_TYPES
    assert data.comparators.empty and types(data.comparators) == COMPARATOR_TYPES
    assert not any(name.startswith("compar") for name in data.files)


def test_comparisons_change_nothing_else(tmp_path: Path):
    before = load_data(build_case(None, tmp_path))
    for source in COMPARISONS.rglob("*"):
        if source.is_file():
            target = tmp_path / "data" / source.relative_to(COMPARISONS)
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(source, target)
    after = load_data(tmp_path / "data")
    for name in ("plans", "measures", "targets", "observations", "commentary", "actions", "action_updates", "forecasts"):
        assert_frame_equal(getattr(after, name), getattr(before, name))
    assert after.council.model_copy(update={"area_code": None}) == before.council
    unchanged = {name: digest for name, digest in after.files.items() if not name.startswith("compar")}
    assert unchanged.keys() == before.files.keys()
    assert {k: v for k, v in unchanged.items() if k != "council.yml"} == {k: v for k, v in before.files.items() if k != "council.yml"}


def test_council_data_built_by_hand_gets_empty_comparisons():
    v1 = load_data(VALID)
    data = CouncilData(
        data_dir=v1.data_dir,
        council=v1.council,
        plans=v1.plans,
        measures=v1.measures,
        targets=v1.targets,
        observations=v1.observations,
        commentary=empty_table("commentary.csv"),
        actions=empty_table("actions.csv"),
        action_updates=empty_table("action_updates.csv"),
        forecasts=v1.forecasts,
    )
    assert types(data.comparator_groups) == GROUP_TYPES and types(data.comparators) == COMPARATOR_TYPES
    assert data.comparators.empty and data.comparator_groups.empty


@pytest.mark.parametrize("code", ["E06000058", "W06000015", "S12000036", "N09000003", " E06000058 "])
def test_council_area_code_is_a_gss_code(tmp_path: Path, code: str):
    path = tmp_path / "council.yml"
    path.write_text(f"name: A Council\nshort_name: AC\narea_code: '{code}'\n", encoding="utf-8")
    council, problems = read_council(path)
    assert problems == [] and council is not None and council.area_code == code.strip()


@pytest.mark.parametrize("code", ["E0600058", "e06000058", "X06000058", "12345678", "E06000058X", "E０6000058"])
def test_council_area_code_of_another_form_is_a_problem_on_its_line(tmp_path: Path, code: str):
    path = tmp_path / "council.yml"
    path.write_text(f"name: A Council\nshort_name: AC\narea_code: {code}\n", encoding="utf-8")
    council, problems = read_council(path, "data/council.yml")
    assert council is None
    assert [p.format() for p in problems] == [
        f"data/council.yml:3: area_code: '{code}' is not an ONS area code; write the council's GSS code, "
        "a capital E, W, S or N and eight digits, e.g. E06000058"
    ]


def test_a_blank_area_code_is_no_area_code(tmp_path: Path):
    path = tmp_path / "council.yml"
    path.write_text("name: A Council\nshort_name: AC\narea_code:\n", encoding="utf-8")
    council, problems = read_council(path)
    assert problems == [] and council is not None and council.area_code is None


def test_an_empty_comparators_folder_is_no_comparisons(tmp_path: Path):
    data_dir = build_case(None, tmp_path)
    (data_dir / "comparators").mkdir()
    (data_dir / "comparators" / ".gitkeep").write_text("", encoding="utf-8")
    data, problems = check_data(data_dir)
    assert problems == [] and data is not None and data.comparators.empty


def test_groups_without_figures_are_valid_but_still_need_the_area_code(tmp_path: Path):
    data_dir = with_comparisons(tmp_path)
    shutil.rmtree(data_dir / "comparators")
    data, problems = check_data(data_dir)
    assert problems == [] and data is not None
    assert len(data.comparator_groups) == 5 and data.comparators.empty

    council = data_dir / "council.yml"
    council.write_text(council.read_text(encoding="utf-8").replace(AREA_CODE_LINE, ""), encoding="utf-8")
    data, problems = check_data(data_dir)
    assert data is None
    assert [(p.file, p.row, p.column) for p in problems] == [(str(council), None, "area_code")]


def test_the_council_may_be_a_member_of_its_own_groups(tmp_path: Path):
    # LG Inform's downloads of a comparison group list the council too; it is ranked once, from its observations.
    data_dir = with_comparisons(tmp_path)
    with (data_dir / "comparator_groups.csv").open("a", encoding="utf-8") as f:
        f.write("cipfa-neighbours,CIPFA nearest neighbours,E06000058,Fixture Borough\n")
    data, problems = check_data(data_dir)
    assert problems == [] and data is not None


def test_ratio_figures_given_twice_or_in_part_are_warnings(tmp_path: Path):
    data_dir = with_comparisons(tmp_path)
    path = data_dir / "comparators" / "lg-inform.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write("HLT01,2020-09,E06000043,0.42,42,100,PHOF,2020-11-02\n")  # a fraction beside the parts: a slip of scale
        f.write("HLT01,2020-09,E06000044,42.0,42,100,PHOF,2020-11-02\n")  # the same figure three ways: fine
        f.write("HLT01,2020-09,E06000044,44.5,44,,PHOF,2020-11-03\n")  # a value, and a numerator alone
        f.write("ECO01,2020/21 Q1,E06000043,27.9,279,1000,LG Inform,2020-11-02\n")  # parts for a measure that is no ratio
    data, problems = check_data(data_dir)
    assert data is not None
    assert [p.format() for p in problems] == [
        f"{path}:8: value: 0.42 is not the numerator / denominator (42.0 for percent); "
        "the numerator and denominator are used, so check the figures or leave the value blank",
        f"{path}:10: numerator: a numerator without a denominator is not used, the value is; give both or neither",
        f"{path}:11: numerator: numerator and denominator are read only for ratio measures; ignored",
    ]
    assert all(p.severity == "warning" for p in problems)


def test_a_broken_groups_file_does_not_flood_the_figures(tmp_path: Path):
    data_dir = with_comparisons(tmp_path)
    groups = data_dir / "comparator_groups.csv"
    groups.write_text(groups.read_text(encoding="utf-8").replace("area_code,", "code,", 1), encoding="utf-8")
    _, problems = check_data(data_dir)
    assert errors(problems) == [f"{groups}:1: area_code: required column is missing; add it to the header row"]


def test_a_broken_measures_file_does_not_flood_the_figures(tmp_path: Path):
    data_dir = with_comparisons(tmp_path)
    (data_dir / "measures.csv").write_text("measure_id,name\nECO01,x\n", encoding="utf-8")
    _, problems = check_data(data_dir)
    assert not [p for p in problems if "compar" in p.file]


def test_errors_in_comparisons_and_elsewhere_are_reported_together(tmp_path: Path):
    data_dir = build_case(FIXTURES / "invalid" / "comparators-own-area-code", tmp_path)
    other = FIXTURES / "invalid" / "comparators-group-names-differ" / "comparator_groups.csv"
    shutil.copyfile(other, data_dir / "comparator_groups.csv")
    shutil.copyfile(FIXTURES / "invalid" / "zero-denominator" / "observations" / "health.csv", data_dir / "observations" / "health.csv")
    _, problems = check_data(data_dir)
    assert [(Path(p.file).name, p.row, p.column) for p in problems] == [
        ("comparator_groups.csv", 3, "name"),
        ("lg-inform.csv", 5, "area_code"),
        ("health.csv", 5, "denominator"),
    ]


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("comparators-without-area-code", "need the council's own ONS area code"),
        ("comparators-council-bad-area-code", "is not an ONS area code"),
        ("comparators-missing-groups-file", "file not found; the figures in comparators/ need it"),
        ("comparators-group-id-not-a-slug", "may only use lower-case letters, digits and hyphens"),
        ("comparators-group-blank-area-code", "area_code: must not be blank"),
        ("comparators-group-area-twice", "this area in this group repeats row 2"),
        ("comparators-group-names-differ", "give every row of a group the same name"),
        ("comparators-non-csv-file", "not a CSV file"),
        ("comparators-unknown-measure", "is not a measure_id in measures.csv"),
        ("comparators-wrong-frequency-period", "is not a quarterly period code, which ECO01 needs"),
        ("comparators-non-numeric", "is not a number"),
        ("comparators-zero-or-negative-denominator", "the denominator is zero"),
        ("comparators-zero-or-negative-denominator", "-90 is negative"),
        ("comparators-area-in-no-group", "is in no group in comparator_groups.csv"),
        ("comparators-own-area-code", "its figures belong in observations/"),
        ("comparators-same-day-twice", "repeats data/comparators/lg-inform.csv row 4"),
        ("comparators-ratio-without-a-figure", "there is no figure"),
        ("comparators-percent-out-of-range", "outside 0-100 for a percent measure"),
        ("comparators-bad-reported-on", "is not a date"),
    ],
)
def test_every_rule_has_a_fixture_expecting_its_message(case: str, says: str):
    assert any(says in line for line in expected_lines(FIXTURES / "invalid" / case))
