"""``councils.yml``: a shared-services project's councils and joint folders, and a problem on the line and key of every fault.

``tests/fixtures/shared/valid/`` is a small valid project of two councils.
Each ``tests/fixtures/shared/councils-<failure-mode>/`` holds a ``councils.yml``
that replaces the valid one, and ``expected.txt``: the exact
``FILE:ROW: KEY: message`` lines, in order (lines starting ``#`` describe the
case). The test copies the valid project, puts the case's file in, and reads
``councils.yml`` from the project folder, so every line starts ``councils.yml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pmlib.contract.councils import COUNCILS_FILE, CouncilFolders, SharedServices, load_councils, read_councils
from pmlib.errors import DataContractError

SHARED = Path(__file__).parent / "fixtures" / "shared"
VALID = SHARED / "valid"
CASES = sorted(SHARED.glob("councils-*"))


def project(tmp_path: Path, case: Path | None = None) -> Path:
    """A copy of the valid project, with the case's ``councils.yml`` when given."""
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    if case is not None:
        shutil.copyfile(case / COUNCILS_FILE, root / COUNCILS_FILE)
    return root


def expected_lines(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_the_valid_project_reads_with_its_paths_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project(tmp_path))
    services, problems = read_councils(COUNCILS_FILE)
    assert problems == []
    assert services == SharedServices(
        file=Path("councils.yml"),
        name="Chorley and South Ribble Shared Services",
        councils=(
            CouncilFolders("chorley", Path("councils/chorley/data"), Path("councils/chorley/params")),
            CouncilFolders("south-ribble", Path("councils/south-ribble/data"), Path("councils/south-ribble/params")),
        ),
        joint_params=Path("joint/params"),
        joint_targets=Path("joint/targets.csv"),
    )
    assert services.root == Path(".")
    assert services.ids == ("chorley", "south-ribble")
    assert services.council("south-ribble").params == Path("councils/south-ribble/params")
    # Each key's line, for a later check's message to point at.
    assert [dict(c.lines) for c in services.councils] == [{"id": 3, "data": 4, "params": 5}, {"id": 6, "data": 7, "params": 8}]


def test_paths_join_onto_the_folder_holding_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    services = load_councils(Path("project") / COUNCILS_FILE)
    assert services.root == Path("project")
    assert [c.data for c in services.councils] == [Path("project/councils/chorley/data"), Path("project/councils/south-ribble/data")]
    assert services.joint_targets == Path("project/joint/targets.csv")


def test_joint_is_optional_and_so_are_its_keys(tmp_path: Path):
    root = project(tmp_path)
    text = (root / COUNCILS_FILE).read_text(encoding="utf-8")
    (root / COUNCILS_FILE).write_text(text.replace("  targets: joint/targets.csv\n", ""), encoding="utf-8")
    services = load_councils(root / COUNCILS_FILE)
    assert services.joint_params == root / "joint" / "params" and services.joint_targets is None
    (root / COUNCILS_FILE).write_text(text.split("joint:")[0], encoding="utf-8")
    services = load_councils(root / COUNCILS_FILE)
    assert services.joint_params is None and services.joint_targets is None


def test_an_unknown_council_id_names_the_ones_there_are(tmp_path: Path):
    services = load_councils(project(tmp_path) / COUNCILS_FILE)
    with pytest.raises(KeyError, match="the councils are chorley, south-ribble"):
        services.council("preston")


def test_there_is_a_case_for_each_failure_mode_and_each_expects_errors():
    names = {c.name.removeprefix("councils-") for c in CASES}
    assert {"unknown-key", "id-twice", "id-not-a-slug", "missing-folder", "missing-key", "not-a-list", "bad-yaml", "not-utf8"} <= names
    for case in CASES:
        assert expected_lines(case), f"{case.name}/expected.txt lists no error lines"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_fault_is_reported_on_its_line_and_key(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project(tmp_path, case))
    services, problems = read_councils(COUNCILS_FILE)
    assert services is None
    assert [p.format() for p in problems] == expected_lines(case)
    assert all(p.severity == "error" for p in problems)
    with pytest.raises(DataContractError) as raised:
        load_councils(COUNCILS_FILE)
    assert raised.value.problems == problems


def test_a_missing_file_is_one_problem(tmp_path: Path):
    services, problems = read_councils(tmp_path / COUNCILS_FILE)
    assert services is None
    assert [(p.row, p.column, p.message) for p in problems] == [(None, None, "file not found; create it as the data contract describes")]


def test_a_file_that_is_not_a_mapping_says_what_to_write(tmp_path: Path):
    path = tmp_path / COUNCILS_FILE
    path.write_text("- chorley\n- south-ribble\n", encoding="utf-8")
    _, problems = read_councils(path)
    assert [p.message for p in problems] == ["no 'key: value' lines found; write name, councils and joint as the data contract shows"]
