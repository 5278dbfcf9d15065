"""A shared-services project checked whole: each council's folders, one definition per shared measure, the joint files.

``tests/fixtures/shared/valid/`` is a valid project of two councils (chorley,
south-ribble) sharing three measures (ICT01, REV01, REV02) and each with one
of its own. Each ``tests/fixtures/shared/harmonisation-<failure-mode>/`` holds
the files that differ from it, laid out as in the project, and
``expected.txt``: the exact ``FILE:ROW: COLUMN: message`` lines, in order
(lines starting ``#`` describe the case); a ``warning-<mode>/`` case is laid
out the same way, checks clean of errors and lists its warnings. The test copies the valid project,
puts the case's files in, and checks it from the project folder, so every
path reads as a data officer there would type it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pmlib.contract.councils import COUNCILS_FILE, load_councils
from pmlib.contract.harmonisation import HARMONISED, check_shared, joint_quarters, load_shared
from pmlib.contract.loading import load_data
from pmlib.contract.periods import parse_quarter
from pmlib.errors import DataContractError

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = FIXTURES / "shared"
CASES = sorted(SHARED.glob("harmonisation-*"))
WARNING_CASES = sorted(SHARED.glob("warning-*"))
BOTH = ("chorley", "south-ribble")


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Path | None = None) -> Path:
    """A copy of the valid project with the case's files in, as the current directory."""
    root = tmp_path / "project"
    shutil.copytree(SHARED / "valid", root)
    for source in sorted(case.rglob("*")) if case else ():
        if source.is_file() and source.name != "expected.txt":
            (root / source.relative_to(case)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / source.relative_to(case))
    monkeypatch.chdir(root)
    return root


def expected_lines(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_the_valid_project_checks_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project(tmp_path, monkeypatch)
    services = load_councils(COUNCILS_FILE)
    shared, problems = check_shared(services)
    assert problems == []
    assert shared is not None and shared.services == services
    assert list(shared.councils) == list(BOTH)
    # Each council is judged by its own status method: the two may differ.
    assert [d.council.status_method for d in shared.councils.values()] == ["intervention", "tolerance"]
    table = shared.shared
    assert list(table.index) == ["ICT01", "REV01", "REV02"]
    assert table[["shared_service", "councils", "name", "unit", "aggregation"]].to_dict("index") == {
        "ICT01": {
            "shared_service": "ICT",
            "councils": BOTH,
            "name": "IT calls resolved first time",
            "unit": "percent",
            "aggregation": "ratio",
        },
        "REV01": {
            "shared_service": "Revenues and Benefits",
            "councils": BOTH,
            "name": "Days to process benefit claims",
            "unit": "days",
            "aggregation": "mean",
        },
        "REV02": {
            "shared_service": "Revenues and Benefits",
            "councils": BOTH,
            "name": "Benefit claims processed",
            "unit": "number",
            "aggregation": "sum",
        },
    }
    assert list(table.columns) == ["measure_id", "shared_service", "councils", "name", *HARMONISED, "public", "disclosure_min"]
    assert table["decimals"].tolist() == [1, 1, 0] and not table["ytd"].any() and table["lag"].eq(0).all()
    assert shared.joint_targets[["measure_id", "target", "intervention"]].values.tolist() == [
        ["ICT01", 82.0, 72.0],
        ["REV02", 600.0, 500.0],
    ]
    assert joint_quarters(services) == {parse_quarter("2020/21 Q2"): Path("joint/params/2020-21-Q2.yml")}
    assert load_shared(services).shared.equals(table)


def test_blank_shared_service_is_a_councils_own_measure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project(tmp_path, monkeypatch)
    measures = load_shared(load_councils(COUNCILS_FILE)).councils["chorley"].measures
    assert measures["shared_service"].isna().tolist() == [False, False, True, False]
    # A council's measures.csv without the column (every v1 file) reads as all own measures, as before.
    assert load_data(FIXTURES / "valid").measures["shared_service"].isna().all()


def test_shared_measures_group_by_service_in_order_of_first_appearance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = project(tmp_path, monkeypatch)
    measures = root / "councils" / "south-ribble" / "data" / "measures.csv"
    lines = measures.read_text(encoding="utf-8").splitlines()
    ict02 = "ICT02,council,Laptops replaced on time,Laptops replaced within 5 days,percent,higher,quarterly,last,1,ICT"
    wst01 = "WST01,council,Bins emptied,Bins emptied on the scheduled day,number,higher,quarterly,sum,0,Waste"
    measures.write_text("\n".join([lines[0], wst01, ict02, *lines[1:]]) + "\n", encoding="utf-8")
    table = load_shared(load_councils(COUNCILS_FILE)).shared
    assert list(table.index) == ["ICT01", "ICT02", "REV01", "REV02", "WST01"]
    assert table.loc["ICT02", "councils"] == ("south-ribble",) and table.loc["WST01", "shared_service"] == "Waste"


def test_one_id_for_two_councils_own_measures_is_no_clash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = project(tmp_path, monkeypatch)
    append(
        root / "councils" / "south-ribble" / "data" / "measures.csv",
        "CH01,council,Grass cut,Verges cut on time,percent,higher,quarterly,last,1,",
    )
    data = load_shared(load_councils(COUNCILS_FILE))
    assert "CH01" not in data.shared.index and "CH01" in data.councils["south-ribble"].measures.index


def test_restriction_and_disclosure_take_the_strictest_council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = project(tmp_path, monkeypatch)
    measures = root / "councils" / "south-ribble" / "data" / "measures.csv"
    text = measures.read_text(encoding="utf-8").replace("decimals,shared_service", "decimals,shared_service,public,disclosure_min")
    text = text.replace("sum,0,Revenues and Benefits", "sum,0,Revenues and Benefits,true,10").replace(",ratio,1,ICT", ",ratio,1,ICT,false,")
    measures.write_text(text, encoding="utf-8")
    table = load_shared(load_councils(COUNCILS_FILE)).shared
    assert table["public"].tolist() == [False, True, True]
    assert table["disclosure_min"].tolist() == [0, 0, 10]


def test_without_joint_files_there_are_no_joint_targets_or_quarters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = project(tmp_path, monkeypatch)
    with_joint = load_shared(load_councils(COUNCILS_FILE)).joint_targets
    text = (root / COUNCILS_FILE).read_text(encoding="utf-8")
    (root / COUNCILS_FILE).write_text(text.split("joint:")[0], encoding="utf-8")
    services = load_councils(COUNCILS_FILE)
    targets = load_shared(services).joint_targets
    assert targets.empty and targets.dtypes.to_dict() == with_joint.dtypes.to_dict()
    assert list(targets.columns) == list(with_joint.columns)
    assert joint_quarters(services) == {}


def test_there_is_a_case_for_each_failure_mode_and_each_expects_errors():
    names = {c.name.removeprefix("harmonisation-") for c in CASES}
    assert {
        "definition-differs",
        "unit-differs",
        "polarity-differs",
        "several-columns-differ",
        "shared-service-mismatch",
        "joint-target-for-a-mean-measure",
        "joint-params-without-council-params",
    } <= names
    for case in CASES:
        assert expected_lines(case), f"{case.name}/expected.txt lists no error lines"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_fault_is_reported_on_each_councils_file_and_row(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project(tmp_path, monkeypatch, case)
    services = load_councils(COUNCILS_FILE)
    shared, problems = check_shared(services)
    assert shared is None
    assert [p.format() for p in problems if p.severity == "error"] == expected_lines(case)
    with pytest.raises(DataContractError) as raised:
        load_shared(services)
    assert raised.value.problems == problems


def test_a_harmonised_column_that_differs_is_found_whichever_council_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = project(tmp_path, monkeypatch, SHARED / "harmonisation-unit-differs")
    text = (root / COUNCILS_FILE).read_text(encoding="utf-8")
    first, second = text.index("  - id: chorley"), text.index("  - id: south-ribble")
    end = text.index("joint:")
    (root / COUNCILS_FILE).write_text(text[:first] + text[second:end] + text[first:second] + text[end:], encoding="utf-8")
    _, problems = check_shared(load_councils(COUNCILS_FILE))
    assert [(p.file, p.row, p.column) for p in problems] == [("councils/chorley/data/measures.csv", 2, "unit")]
    assert "'percent' here but 'number' in south-ribble's councils/south-ribble/data/measures.csv row 5" in problems[0].message


@pytest.mark.parametrize("case", WARNING_CASES, ids=[c.name for c in WARNING_CASES])
def test_each_warning_is_reported_and_the_project_still_loads(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project(tmp_path, monkeypatch, case)
    shared, problems = check_shared(load_councils(COUNCILS_FILE))
    assert shared is not None
    assert all(p.severity == "warning" for p in problems)
    assert [p.format() for p in problems] == expected_lines(case)


@pytest.mark.parametrize(
    ("chorley", "south_ribble"),
    [
        ("status_method: tolerance\ntolerance_pct: 10\n", "status_method: tolerance\ntolerance_pct: 10\n"),
        ("status_method: intervention\ntolerance_pct: 3\n", "status_method: intervention\n"),
    ],
    ids=["same-tolerance", "both-intervention"],
)
def test_a_joint_target_without_intervention_is_no_warning_when_the_councils_judge_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chorley: str, south_ribble: str
):
    """The combined figure is then judged as the councils judge theirs, so a blank level means what it means for them."""
    root = project(tmp_path, monkeypatch, SHARED / "warning-joint-target-without-intervention")
    for council, method in (("chorley", chorley), ("south-ribble", south_ribble)):
        path = root / "councils" / council / "data" / "council.yml"
        names = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(("name:", "short_name:"))]
        path.write_text("\n".join(names) + "\n" + method, encoding="utf-8")
    shared, problems = check_shared(load_councils(COUNCILS_FILE))
    assert shared is not None and problems == []


def test_a_default_status_method_is_named_as_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = project(tmp_path, monkeypatch, SHARED / "warning-joint-target-without-intervention")
    path = root / "councils" / "chorley" / "data" / "council.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("status_method: intervention\n", ""), encoding="utf-8")
    _, problems = check_shared(load_councils(COUNCILS_FILE))
    assert [(p.file, p.row, p.column) for p in problems] == [("joint/targets.csv", 3, "intervention")]
    assert "chorley: the intervention method by default, councils/chorley/data/council.yml has no status_method;" in problems[0].message


def test_ids_unlike_the_councils_names_give_no_signal_and_no_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Only a folder naming another council of the file is a signal: ids spelt unlike any name say nothing either way."""
    root = project(tmp_path, monkeypatch, SHARED / "warning-data-folders-swapped")
    text = (root / COUNCILS_FILE).read_text(encoding="utf-8")
    (root / COUNCILS_FILE).write_text(text.replace("id: chorley", "id: cbc").replace("id: south-ribble", "id: src"), encoding="utf-8")
    shared, problems = check_shared(load_councils(COUNCILS_FILE))
    assert shared is not None and problems == []


def test_a_council_whose_id_is_inside_anothers_is_told_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Ribble beside South Ribble: 'South Ribble Borough Council' names south-ribble, not ribble as well."""
    root = project(tmp_path, monkeypatch)
    chorley = root / "councils" / "chorley" / "data" / "council.yml"
    chorley.write_text(
        chorley.read_text(encoding="utf-8").replace("Chorley Council", "Ribble Valley Borough Council").replace("Chorley", "Ribble Valley"),
        encoding="utf-8",
    )
    text = (root / COUNCILS_FILE).read_text(encoding="utf-8").replace("id: chorley", "id: ribble")
    (root / COUNCILS_FILE).write_text(text, encoding="utf-8")
    assert check_shared(load_councils(COUNCILS_FILE))[1] == []
    swapped = text.replace("data: councils/chorley/data", "data: X").replace(
        "data: councils/south-ribble/data", "data: councils/chorley/data"
    )
    (root / COUNCILS_FILE).write_text(swapped.replace("data: X", "data: councils/south-ribble/data"), encoding="utf-8")
    problems = check_shared(load_councils(COUNCILS_FILE))[1]
    assert [(p.row, p.column, p.severity) for p in problems] == [(4, "councils[1].data", "warning"), (7, "councils[2].data", "warning")]
    assert "names 'South Ribble Borough Council', council south-ribble in this file, not ribble:" in problems[0].message
