"""``warm_start``: `pm build` and `pm run` start the warm kernel server before importing pandas, when notebooks will probably run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmlib.project import Project
from pmlib.run import warm_kernels
from pmlib.run.warm_start import asked_for, likely_to_execute, start_ahead

QUARTERS = ["2020-21-Q4", "2021-22-Q1", "2021-22-Q2"]


def _project(tmp_path: Path, reports: list[str], others: tuple[str, ...] = ()) -> Project:
    for folder in ("data", "params", "notebooks", "reports"):
        (tmp_path / folder).mkdir()
    for name in (*QUARTERS, *others):
        (tmp_path / "params" / f"{name}.yml").write_text("quarter: x\n")
    (tmp_path / "data" / "measures.csv").write_text("measure_id\n")
    (tmp_path / "notebooks" / "overview.ipynb").write_text("{}")
    for slug in reports:
        (tmp_path / "reports" / slug).mkdir()
        (tmp_path / "reports" / slug / "overview.ipynb").write_text("{}")
    return Project(
        root=tmp_path, data=tmp_path / "data", params=tmp_path / "params", notebooks=tmp_path / "notebooks", reports=tmp_path / "reports"
    )


def _age_inputs(project: Project, seconds: float) -> None:
    """Make every input ``seconds`` older than now, so the reports written after them are newer."""
    for folder in (project.data, project.params, project.notebooks):
        for path in folder.rglob("*"):
            then = path.stat().st_mtime - seconds
            os.utime(path, (then, then))


@pytest.mark.parametrize(
    ("quarter", "every", "expected"),
    [
        (None, False, ["2021-22-Q2"]),
        (None, True, QUARTERS),
        ("2021-22-Q1", False, ["2021-22-Q1"]),
        ("2019-20-Q1", False, []),  # no params file of that name
        ("2021/22 Q1", False, []),  # a code: left to pm run's own check
    ],
)
def test_the_quarters_asked_for_are_read_from_the_params_files_names(tmp_path, quarter, every, expected):
    project = _project(tmp_path, [], others=("zz-notes",))  # a file that names no quarter is no quarter, nor the latest
    assert asked_for(project.params, quarter, every) == expected


def test_a_quarter_without_reports_will_probably_execute(tmp_path):
    project = _project(tmp_path, ["2020-21-Q4", "2021-22-Q1"])
    _age_inputs(project, 60)
    assert likely_to_execute(project, ["2021-22-Q2"])
    assert not likely_to_execute(project, ["2020-21-Q4", "2021-22-Q1"])


def test_reports_older_than_an_input_will_probably_execute(tmp_path):
    project = _project(tmp_path, QUARTERS)
    _age_inputs(project, 60)
    assert not likely_to_execute(project, QUARTERS)
    (project.data / "measures.csv").write_text("measure_id,name\n")  # edited after the reports were written
    assert likely_to_execute(project, ["2021-22-Q1"])


@pytest.mark.parametrize(("reports", "started"), [([], True), (QUARTERS, False)])
def test_start_ahead_starts_the_warm_server_only_when_notebooks_will_probably_execute(tmp_path, monkeypatch, reports, started):
    project = _project(tmp_path, reports)
    _age_inputs(project, 60)
    calls = []
    monkeypatch.setattr(warm_kernels, "start", lambda **kwargs: calls.append(kwargs))
    start_ahead(project, None, False)
    assert calls == ([{"wait": False}] if started else [])


def test_the_build_and_run_commands_are_reached_without_importing_pandas():
    """What ``start_ahead`` gains: the commands' module, and the rule, import no pandas, so the server starts before pm imports it."""
    code = "import sys, pmlib.run.warm_start; from pmlib.cli import main; print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
