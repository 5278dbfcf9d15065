"""``pm run``: real papermill and real kernels on fixture notebooks in a temporary project.

Each test builds a project folder (data, params, notebooks) in tmp_path and
runs from there, so paths in messages and provenance read as they would in a
council's repository. Kernel runs cost seconds each, so each test runs as few
notebooks as its behaviour needs; per-plan tests use the two-plan fixture
data rather than the demo council's six plans.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import pmlib
from pmlib.cli import main
from pmlib.errors import DataContractError, NotebookError
from pmlib.project import Project
from pmlib.run import execution, reuse
from pmlib.run.execution import run_quarters
from pmlib.run.notebook_files import source_state
from pmlib.run.planner import plan_run

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[1]
NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
TWO_PLANS = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A function that lays out data/, params/ and notebooks/ in tmp_path and makes it the current directory.

    Kernels get a temporary folder of their own (short, for the socket path
    limit), so leftover kernel folders are counted for this test alone even
    when another pm run is going on the same machine.
    """
    own_tmp = tempfile.mkdtemp(prefix="pmt-")
    monkeypatch.setenv("TMPDIR", own_tmp)
    monkeypatch.setattr(tempfile, "tempdir", None)

    def make(*notebooks: str, data: Path = ROOT / "data", quarters=("2021-22-Q1", "2021-22-Q2")) -> Path:
        shutil.copytree(data, tmp_path / "data")
        (tmp_path / "params").mkdir()
        (tmp_path / "notebooks").mkdir()
        for slug in quarters:
            shutil.copy(ROOT / "params" / f"{slug}.yml", tmp_path / "params")
        for name in notebooks:
            shutil.copy(NOTEBOOKS / name, tmp_path / "notebooks")
        monkeypatch.chdir(tmp_path)
        return tmp_path

    yield make
    shutil.rmtree(own_tmp, ignore_errors=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def kernel_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("pm-kernel-*")}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_quarter_runs_each_notebook_once_per_plan_and_twice_gives_identical_bytes(project):
    root = project("good.ipynb", "plan.ipynb", data=TWO_PLANS, quarters=("2020-21-Q4", "2021-22-Q1", "2021-22-Q2"))
    before = kernel_dirs()
    result = run_quarters(["2021/22 Q1"], Project(), jobs=2)

    assert result.ok, result.problems
    folder = root / "reports" / "2021-22-Q1"
    assert result.quarters[0].written == ("good.ipynb", "plan-thriving-economy.ipynb", "plan-healthy-people.ipynb")
    assert sorted(p.name for p in folder.iterdir()) == sorted(result.quarters[0].written)
    assert [p.name for p in (root / "reports").iterdir()] == ["2021-22-Q1"]  # no partial, old or failed folders left
    assert kernel_dirs() <= before

    nb = json.loads((folder / "plan-healthy-people.ipynb").read_text(encoding="utf-8"))
    assert [c["id"] for c in nb["cells"]] == ["title", "parameters", "injected-parameters", "plan"]
    assert nb["cells"][3]["outputs"][0]["text"] == ["2021/22 Q1: Healthy people\n"]
    assert "papermill" not in nb["metadata"]
    assert all("papermill" not in c["metadata"] and "execution" not in c["metadata"] for c in nb["cells"])
    provenance = nb["metadata"]["pmlib"]
    assert provenance["parameters"] == {
        "quarter": "2021-22-Q1",
        "plan_id": "healthy-people",
        "data_dir": "../../data",
        "params_dir": "../../params",
    }
    assert provenance["pmlib_version"] == pmlib.__version__
    assert provenance["code_digest"] == reuse.code_digest() and provenance["content_sha256"] == reuse.content_digest(nb)
    assert (provenance["source_commit"], provenance["source_modified"]) == (None, None)  # tmp_path is not a git checkout
    params = {
        "params/2020-21-Q4.yml": sha(root / "params" / "2020-21-Q4.yml"),
        "params/2021-22-Q1.yml": sha(root / "params" / "2021-22-Q1.yml"),  # not Q2: a later report is no input
    }
    # A plan's notebook reads the shared files whole and its own plan's rows of the others.
    plan_rows = reuse.plan_inputs(pmlib.load_data("data"), "data")["healthy-people"]
    assert provenance["inputs"] == plan_rows | params | {"notebooks/plan.ipynb": sha(NOTEBOOKS / "plan.ipynb")}
    assert plan_rows["data/plans.csv"] == sha(root / "data" / "plans.csv") and "data/observations (plan healthy-people)" in plan_rows
    data_files = {f"data/{p.relative_to(root / 'data').as_posix()}": sha(p) for p in (root / "data").rglob("*.*")}
    overview = json.loads((folder / "good.ipynb").read_text(encoding="utf-8"))["metadata"]["pmlib"]
    assert overview["inputs"] == data_files | params | {"notebooks/good.ipynb": sha(NOTEBOOKS / "good.ipynb")}
    for text in map(bytes.decode, snapshot(folder).values()):
        assert str(root) not in text and "partial" not in text and "pm-kernel" not in text
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)  # no timestamps

    first = snapshot(folder)
    assert run_quarters(["2021-22-Q1"], Project(), jobs=2, force=True).quarters[0].executed == result.quarters[0].written
    assert snapshot(folder) == first


def test_the_callers_work_meanwhile_starts_with_the_first_notebook_and_not_when_every_report_is_kept(project):
    project("good.ipynb")
    started = []
    meanwhile = lambda: started.append(not Path("reports/2021-22-Q2").exists())  # noqa: E731 - called before the quarter is published
    assert run_quarters(["2021/22 Q2"], Project(), jobs=1, meanwhile=meanwhile).ok
    assert started == [True]
    assert run_quarters(["2021/22 Q2"], Project(), jobs=1, meanwhile=meanwhile).quarters[0].reused == ("good.ipynb",)
    assert started == [True]


def test_a_running_warm_server_is_asked_to_check_the_data_as_the_kernels_will_name_it(project, monkeypatch):
    from pmlib.contract import memo
    from pmlib.contract.loading import check_data, load_data
    from pmlib.run import execution, warm_kernels

    root = project("good.ipynb")
    assert run_quarters(["2021/22 Q2"], Project(), jobs=1).ok
    asked = []
    monkeypatch.setattr(warm_kernels, "prepare_if_running", lambda *call: asked.append(call))
    (root / "data" / "commentary.csv").write_text((root / "data" / "commentary.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    execution.check_ahead(["2021/22 Q2"], Project())
    folder = (root / "reports" / "2021-22-Q2").resolve()
    assert asked == [(str(folder), "pmlib.contract.loading", "check_data", ["../../data"])]
    # What the server keeps is what a kernel in the quarter's partial folder, beside it, then finds.
    memo.forget()
    monkeypatch.chdir(folder)
    checked, _ = check_data("../../data")
    partial = folder.parent / ".2021-22-Q2.partial-1"
    partial.mkdir()
    monkeypatch.chdir(partial)
    assert load_data("../../data") is checked
    # A quarter with no reports folder yet is left to its kernels.
    asked.clear()
    monkeypatch.chdir(root)
    execution.check_ahead(["2021/22 Q1"], Project())
    assert asked == []


def test_a_warm_server_started_here_says_it_listens_without_waiting(monkeypatch):
    """``prepare_if_running`` asks a server this process started but has not talked to yet, once it listens, and never waits for it."""
    import socket

    from pmlib.run import warm_kernels

    server = object.__new__(warm_kernels._Server)
    server.address, server._listening = "/nowhere/socket", False
    server._lifeline, theirs = socket.socketpair()
    asked = []
    monkeypatch.setattr(warm_kernels, "_server", server)
    monkeypatch.setattr(warm_kernels, "_client", None)
    monkeypatch.setattr(warm_kernels, "prepare", lambda *call: asked.append(call))
    monkeypatch.setenv(warm_kernels.ADDRESS, server.address)
    try:
        warm_kernels.prepare_if_running("here", "os", "getcwd", [])
        assert asked == [] and not server.listening(wait=False), "not listening yet: nothing sent, nothing waited for"
        theirs.send(b"+")
        warm_kernels.prepare_if_running("here", "os", "getcwd", [])
        assert asked == [("here", "os", "getcwd", [])] and server.listening()
        monkeypatch.setenv(warm_kernels.ADDRESS, "/another/socket")
        warm_kernels.prepare_if_running("there", "os", "getcwd", [])
        assert len(asked) == 1, "a server of another process tree is not ours to ask"
    finally:
        server._lifeline.close()
        theirs.close()


def test_a_failed_notebook_leaves_the_previous_report_alone_and_other_quarters_complete(project):
    root = project("good.ipynb", "raising.ipynb")
    previous = root / "reports" / "2021-22-Q2"
    previous.mkdir(parents=True)
    (previous / "good.ipynb").write_bytes(b'{"published": "last month"}\n')
    (previous / "notes.txt").write_bytes(b"kept\r\n")
    before = snapshot(previous)
    lines = []

    result = run_quarters(["2021-22-Q2", "2021/22 Q1"], Project(), jobs=2, echo=lines.append)

    assert not result.ok
    q1, q2 = result.quarters
    assert q1.ok and q1.written == ("good.ipynb", "raising.ipynb")
    assert (root / "reports" / "2021-22-Q1" / "raising.ipynb").is_file()
    assert snapshot(previous) == before
    [problem] = q2.problems
    assert (problem.file, problem.row, problem.column) == ("notebooks/raising.ipynb", None, "cell 4")
    assert problem.message.startswith(
        '2021/22 Q2: ZeroDivisionError: division by zero in cell 4 (`ratio = 1 / 0 if quarter == "2021-22-Q2"'
    )
    assert "plan" not in problem.message
    assert problem.message.endswith("the executed notebook is kept at reports/.failed/2021-22-Q2/raising.ipynb")
    kept = json.loads((root / "reports" / ".failed" / "2021-22-Q2" / "raising.ipynb").read_text(encoding="utf-8"))
    assert any(o.get("ename") == "ZeroDivisionError" for c in kept["cells"] for o in c.get("outputs", []))
    assert sorted(p.name for p in (root / "reports").iterdir()) == [".failed", "2021-22-Q1", "2021-22-Q2"]
    assert sorted(lines) == [
        "2021/22 Q1: 2 notebook(s) executed, 0 reused, written to reports/2021-22-Q1",
        "2021/22 Q2: FAILED (1 problem(s)); reports/2021-22-Q2 left as it was",
    ]


def test_a_failure_in_one_plan_names_the_plan_and_publishes_nothing_for_the_quarter(project):
    root = project("plan_raising.ipynb", data=TWO_PLANS)
    result = run_quarters(["2021-22-Q2"], Project(), jobs=2)

    [problem] = result.problems
    assert (problem.file, problem.column) == ("notebooks/plan_raising.ipynb", "cell 4")
    assert problem.message.startswith(
        "2021/22 Q2, plan healthy-people: AttributeError: 'NoneType' object has no attribute 'upper' "
        'in cell 4 (`missing = {"healthy-people": None}.get(plan_id, "ok")`)'
    )
    assert "reports/.failed/2021-22-Q2/plan_raising-healthy-people.ipynb" in problem.message
    assert not (root / "reports" / "2021-22-Q2").exists()


def test_a_kernel_that_dies_is_reported_at_its_cell_by_the_command(project):
    root = project("dies.ipynb")
    out = CliRunner().invoke(main, ["run", "2021-22-Q2", "--no-progress"])

    assert out.exit_code == 1
    assert out.stdout.splitlines() == [
        "2021/22 Q2: FAILED (1 problem(s)); reports/2021-22-Q2 left as it was",
        "notebooks/dies.ipynb:-: cell 4: 2021/22 Q2: the kernel died (exit, crash or out of memory) while running cell 4 (`import os`); "
        "fix it and run pm run again; the executed notebook is kept at reports/.failed/2021-22-Q2/dies.ipynb",
    ]
    assert "1 of 1 quarter(s) failed" in out.stderr
    assert (root / "reports" / ".failed" / "2021-22-Q2" / "dies.ipynb").is_file()
    assert [p.name for p in (root / "reports").iterdir()] == [".failed"]


def test_a_worker_killed_under_its_notebook_fails_that_notebook_and_the_next_run_gets_a_working_pool(project):
    nb = json.loads((NOTEBOOKS / "good.ipynb").read_text(encoding="utf-8"))
    # A kernel's JPY_PARENT_PID is the worker that started it.
    nb["cells"][2]["source"] = [
        "import os, signal\n",
        'if quarter == "2021-22-Q2":\n',
        '    os.kill(int(os.environ["JPY_PARENT_PID"]), signal.SIGKILL)',
    ]
    root = project()
    (root / "notebooks" / "kills.ipynb").write_text(json.dumps(nb), encoding="utf-8")

    [problem] = run_quarters(["2021-22-Q2"], Project(), jobs=1).problems
    assert problem.file == "notebooks/kills.ipynb"
    assert "the worker process running it stopped (BrokenProcessPool: " in problem.message
    assert not (root / "reports" / "2021-22-Q2").exists()

    result = run_quarters(["2021-22-Q1"], Project(), jobs=1)
    assert result.ok, result.problems
    assert result.quarters[0].executed == ("kills.ipynb",)


def test_output_that_shows_the_temporary_folder_fails_the_quarter(project, tmp_path):
    nb = json.loads((NOTEBOOKS / "good.ipynb").read_text(encoding="utf-8"))
    nb["cells"][2]["source"] = ["import os\n", "print(os.getcwd())"]
    root = project()
    (root / "notebooks" / "cwd.ipynb").write_text(json.dumps(nb), encoding="utf-8")

    [problem] = run_quarters(["2021-22-Q2"], Project(), jobs=1).problems
    assert (problem.file, problem.column) == ("notebooks/cwd.ipynb", "cell 3")
    assert "the output shows the temporary folder name '.2021-22-Q2.partial-" in problem.message
    assert not (root / "reports" / "2021-22-Q2").exists()


def test_a_kernel_that_fails_to_start_is_started_again(project, tmp_path_factory, monkeypatch):
    # A python3 kernelspec that exits at its first start, found first through JUPYTER_PATH.
    spec = tmp_path_factory.mktemp("jupyter")
    (spec / "kernels" / "python3").mkdir(parents=True)
    (spec / "flaky.py").write_text(
        "import runpy, sys\nfrom pathlib import Path\n"
        "count = Path(__file__).with_name('starts')\n"
        "n = int(count.read_text()) if count.exists() else 0\n"
        "count.write_text(str(n + 1))\n"
        "if n == 0:\n    sys.exit(1)\n"
        "sys.argv[0] = 'ipykernel_launcher'\n"
        "runpy.run_module('ipykernel_launcher', run_name='__main__')\n",
        encoding="utf-8",
    )
    argv = [sys.executable, str(spec / "flaky.py"), "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Flaky", "language": "python"}
    (spec / "kernels" / "python3" / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(spec))
    project("good.ipynb")

    result = run_quarters(["2021-22-Q2"], Project(), jobs=1)
    assert result.ok, result.problems
    assert (spec / "starts").read_text() == "2"


def test_an_unknown_parameter_in_a_params_file_stops_the_run_before_any_kernel(project):
    root = project("good.ipynb")
    params = root / "params" / "2021-22-Q2.yml"
    line = len(params.read_text(encoding="utf-8").splitlines()) + 2
    params.write_text(params.read_text(encoding="utf-8") + "parameters:\n  colour: red\n", encoding="utf-8")

    with pytest.raises(NotebookError) as caught:
        run_quarters(["2021-22-Q2"], Project())
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("params/2021-22-Q2.yml", line, "parameters.colour")
    assert problem.message == (
        "unknown parameter: notebooks/good.ipynb does not declare 'colour'; add 'colour = ...' to its cell tagged 'parameters', "
        "or remove 'colour' from parameters: here"
    )
    assert not (root / "reports").exists()


def test_parameters_pm_run_sets_itself_cannot_come_from_a_params_file_or_be_left_undeclared(project):
    root = project("good.ipynb")
    nb = json.loads((root / "notebooks" / "good.ipynb").read_text(encoding="utf-8"))
    nb["cells"][1]["source"] = ['quarter = "latest"\n', 'data_dir = "../data"']
    (root / "notebooks" / "good.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    params = root / "params" / "2021-22-Q2.yml"
    line = len(params.read_text(encoding="utf-8").splitlines()) + 2
    params.write_text(params.read_text(encoding="utf-8") + "parameters:\n  plan_id: corporate\n", encoding="utf-8")

    with pytest.raises(NotebookError) as caught:
        plan_run(["2021-22-Q2"], Project())
    assert [p.format() for p in caught.value.problems] == [
        "notebooks/good.ipynb:-: params_dir: unknown parameter: pm run supplies 'params_dir' ('../../params' for 2021/22 Q2) "
        "but this notebook does not declare it; add 'params_dir = ...' to its cell tagged 'parameters'",
        f"params/2021-22-Q2.yml:{line}: parameters.plan_id: pm run sets 'plan_id' itself; remove it",
    ]


def test_a_missing_parameter_is_an_error_for_every_quarter_until_the_params_file_gives_it(project):
    root = project("good.ipynb", "extra_parameter.ipynb")
    with pytest.raises(NotebookError) as caught:
        run_quarters(["2021-22-Q1", "2021-22-Q2"], Project())
    problems = caught.value.problems
    assert [(p.file, p.column) for p in problems] == [("notebooks/extra_parameter.ipynb", "show_charts")] * 2
    assert problems[1].message == (
        "missing parameter: declared in the cell tagged 'parameters' but not supplied for 2021/22 Q2; "
        "add 'show_charts: ...' under parameters: in params/2021-22-Q2.yml, or remove it from the notebook's parameters cell"
    )
    assert not (root / "reports").exists()

    # Given in the params file, it reaches the notebook; the notebook that does not declare it is then the error.
    params = root / "params" / "2021-22-Q2.yml"
    params.write_text(params.read_text(encoding="utf-8") + "parameters:\n  show_charts: false\n", encoding="utf-8")
    (root / "notebooks" / "good.ipynb").unlink()
    [quarter] = plan_run(["2021-22-Q2"], Project()).quarters
    assert quarter.runs[0].parameters == {
        "quarter": "2021-22-Q2",
        "data_dir": "../../data",
        "params_dir": "../../params",
        "show_charts": False,
    }


def test_a_notebook_without_a_parameters_cell_is_an_error_printed_by_the_command(project):
    root = project("good.ipynb", "no_parameters.ipynb")
    out = CliRunner().invoke(main, ["run", "--latest", "--no-progress"])

    assert out.exit_code == 1
    assert out.stdout.splitlines() == [
        "notebooks/no_parameters.ipynb:-: -: no cell is tagged 'parameters'; add the tag 'parameters' to the cell that sets quarter, "
        "data_dir and params_dir (in Jupyter: the cell's Property Inspector > Cell Tags)"
    ]
    assert "no notebook was run" in out.stderr
    assert not (root / "reports").exists()


def test_a_notebook_declaring_what_it_shows_of_commentary_wrongly_is_an_error_printed_by_the_command(project):
    root = project("good.ipynb", "commentary_declared_wrongly.ipynb")
    out = CliRunner().invoke(main, ["run", "--latest", "--no-progress"])

    assert out.exit_code == 1
    assert out.stdout.splitlines() == [
        "notebooks/commentary_declared_wrongly.ipynb:-: pmlib_commentary: notebook metadata 'pmlib_commentary' is \"words\"; "
        'set it to "whether given" if the notebook shows only whether each commentary row was given, or remove it'
    ]
    assert not (root / "reports").exists()


def test_bad_data_stops_the_run_before_the_notebooks_are_read(project):
    root = project("good.ipynb")
    (root / "data" / "plans.csv").unlink()
    with pytest.raises(DataContractError) as caught:
        run_quarters(["2021-22-Q2"], Project())
    assert [(p.file, p.message) for p in caught.value.problems if p.severity == "error"][0] == (
        "data/plans.csv",
        "file not found; create it as the data contract describes",
    )
    assert not (root / "reports").exists()


def test_the_command_needs_exactly_one_choice_of_quarters(project):
    project("good.ipynb")
    for args in ([], ["--all", "--latest"], ["2021-22-Q2", "--all"]):
        out = CliRunner().invoke(main, ["run", *args])
        assert out.exit_code == 2 and "give one of QUARTER, --latest or --all" in out.stderr


def test_source_state_is_the_last_commit_of_the_code_not_head(tmp_path):
    assert source_state(tmp_path) == (None, None)

    def git(*args):
        done = subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
        return done.stdout.decode().strip()

    git("init", "-q")
    for name in ("pmlib/x.py", "notebooks/a.ipynb", "reports/2021-22-Q2/a.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("1\n", encoding="utf-8")
    git("add", "pmlib", "notebooks")
    git("commit", "-q", "-m", "code")
    code = git("rev-parse", "HEAD")
    git("add", "reports")
    git("commit", "-q", "-m", "reports")

    assert source_state(tmp_path / "notebooks") == (code, False)
    (tmp_path / "pmlib" / "x.py").write_text("2\n", encoding="utf-8")
    assert source_state(tmp_path / "notebooks") == (code, True)


@pytest.mark.parametrize(
    ("notebooks", "jobs", "cores", "at_once"),
    [
        (3, None, 2, 3),  # an edit: its plan's notebook and the two quarter-wide ones, all at once
        (8, None, 2, 2),  # a cold quarter: one per core
        (4, None, 2, 2),
        (1, None, 2, 1),
        (2, None, 1, 2),
        (3, None, 1, 1),
        (5, None, 4, 5),
        (6, None, 4, 4),
        (3, 2, 2, 2),  # --jobs is what runs at once
        (8, 3, 2, 3),
        (1, 4, 2, 1),
    ],
)
def test_how_many_notebooks_run_at_once(monkeypatch, notebooks, jobs, cores, at_once):
    monkeypatch.setattr(execution, "usable_cores", lambda: cores)
    assert execution.notebooks_at_once(notebooks, jobs) == at_once
    assert execution.worker_count(jobs) >= at_once  # the pool has a worker for each


@pytest.mark.parametrize(("jobs", "cores", "most"), [(1, 2, 1), (None, 2, 3)])
def test_notebooks_beyond_those_run_at_once_wait_for_one_to_end(project, monkeypatch, jobs, cores, most):
    """Three notebooks: one at a time with ``--jobs 1``; on two cores, all three at once."""
    project("good.ipynb", "plan.ipynb", data=TWO_PLANS, quarters=("2020-21-Q4", "2021-22-Q1"))
    monkeypatch.setattr(execution, "usable_cores", lambda: cores)
    running, seen = [0], [0]
    submit = execution.workers.submit

    def counted(pool, fn, *args):
        running[0] += 1
        seen[0] = max(seen[0], running[0])
        future = submit(pool, fn, *args)
        future.add_done_callback(lambda _: running.__setitem__(0, running[0] - 1))
        return future

    monkeypatch.setattr(execution.workers, "submit", counted)
    result = run_quarters(["2021/22 Q1"], Project(), jobs=jobs)
    assert result.ok, result.problems
    assert result.quarters[0].executed == ("good.ipynb", "plan-thriving-economy.ipynb", "plan-healthy-people.ipynb")
    assert seen[0] == most
