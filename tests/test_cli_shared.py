"""``pm check``, ``pm run`` and ``pm build`` given ``--councils``: what a shared service's performance team types and reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_harmonisation import SHARED, expected_lines, project

from pmlib.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_pm_check_names_each_council_and_the_shared_measures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project(tmp_path, monkeypatch)
    result = invoke("check", "--councils", "councils.yml")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("councils/chorley/data: OK: ")
    assert lines[1].startswith("councils/south-ribble/data: OK: ")
    assert lines[2].startswith("councils.yml: OK: 3 shared measures in ")


def test_pm_check_prints_a_harmonisation_error_naming_both_councils_files_and_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    case = SHARED / "harmonisation-unit-differs"
    project(tmp_path, monkeypatch, case)
    result = invoke("check", "--councils", "councils.yml")
    assert result.exit_code == 1
    printed = [line for line in result.output.splitlines() if line.startswith("councils/")]
    assert printed == expected_lines(case)
    assert any("councils/chorley/data/measures.csv" in line and "councils/south-ribble/data/measures.csv" in line for line in printed)


def test_pm_check_warns_of_a_joint_target_that_can_never_need_intervention_and_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    case = SHARED / "warning-joint-target-without-intervention"
    project(tmp_path, monkeypatch, case)
    result = invoke("check", "--councils", "councils.yml")
    assert result.exit_code == 0, result.output
    assert "1 warning(s)" in result.output
    assert [line.strip() for line in result.output.splitlines() if line.strip().startswith("joint/")] == expected_lines(case)


def test_a_mistake_in_councils_yml_is_printed_with_its_line_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    case = SHARED / "councils-id-not-a-slug"
    root = tmp_path / "project"
    shutil.copytree(case, root)
    monkeypatch.chdir(root)
    result = invoke("build", "--latest", "--councils", "councils.yml")
    assert result.exit_code == 1
    assert "councils.yml:" in result.output and ".id" in result.output


@pytest.mark.parametrize("command", ["run", "build"])
def test_an_unknown_council_is_refused_before_anything_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str):
    root = project(tmp_path, monkeypatch)
    result = invoke(command, "--latest", "--councils", "councils.yml", "--council", "preston")
    assert result.exit_code != 0
    assert "preston" in result.output
    assert not (root / "_site").exists() and not any(root.rglob("reports"))


def test_a_selection_is_still_required(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project(tmp_path, monkeypatch)
    result = invoke("build", "--councils", "councils.yml")
    assert result.exit_code == 2
    assert "give one of QUARTER, --latest or --all" in result.output


def test_pm_check_with_a_quarter_writes_each_councils_data_quality_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = project(tmp_path, monkeypatch)
    quarter = sorted((root / "councils" / "chorley" / "params").glob("*.yml"))[-1].stem
    result = invoke("check", "--councils", "councils.yml", "--quarter", quarter)
    assert result.exit_code == 0, result.output
    for council in ("chorley", "south-ribble"):
        page = root / "_internal" / "data-quality" / f"{council}-{quarter}.html"
        assert page.is_file() and f"Data quality page for {council}" in result.output


def test_pm_status_prints_each_councils_summary_then_the_joint_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project(tmp_path, monkeypatch)
    result = invoke("status", "--councils", "councils.yml")
    assert result.exit_code == 0, result.output
    firsts = [block.splitlines()[0] for block in result.output.split("\n\n") if block.startswith(("Chorley", "South Ribble"))]
    assert firsts == [
        "Chorley Council: Corporate Performance Report",
        "South Ribble Borough Council: Corporate Performance Report",
        "Chorley and South Ribble Shared Services: Shared Services Performance Report",
    ]
    assert "2020/21 Q2 (July to September 2020); Shared Services Joint Committee 25 November 2020" in result.output
    assert "Chorley ✓ On target 84.4%; South Ribble ✓ On target 87.5%; Combined ✓ On target 85.9%" in result.output


def test_pm_status_of_one_council_or_the_joint_committee(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project(tmp_path, monkeypatch)
    chorley = invoke("status", "2020/21", "Q1", "--councils", "councils.yml", "--council", "chorley")
    assert chorley.exit_code == 0, chorley.output
    assert chorley.output.startswith("Chorley Council: ") and "2020/21 Q1 (April to June 2020)" in chorley.output
    assert "South Ribble" not in chorley.output
    joint = invoke("status", "2020/21", "Q1", "--councils", "councils.yml", "--council", "joint")
    assert joint.exit_code == 0, joint.output
    assert joint.output == (
        "Chorley and South Ribble Shared Services: no joint report for 2020/21 Q1; add one to joint/params to report to the "
        "joint committee\n"
    )
    missing = invoke("status", "2020/21", "Q1", "--councils", "councils.yml")
    assert missing.exit_code == 1
    assert "councils/south-ribble/params/2020-21-Q1.yml" in missing.output
    unknown = invoke("status", "--councils", "councils.yml", "--council", "preston")
    assert unknown.exit_code != 0 and "preston" in unknown.output
