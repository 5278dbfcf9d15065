"""``pm build`` handed to the project's build server: the same site and the same messages as a build in its own process, one
server kept across builds, a new one for another environment, and the server gone once its build is interrupted or its
project folder is."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from site_build import copy_project

from pmlib.cli.build_server import BUSY, SERVER, identity, wanted
from pmlib.cli.build_server import _alive as alive

PM = Path(sys.executable).with_name("pm")  # the console script, as a user runs it: only it hands builds over
BUILD = ("build", "--latest", "--renderer", "builtin", "--no-progress")
OLD, NEW = "Admissions to care homes are above profile at", "Care home admissions are above profile at"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, True),
        ({SERVER: "off"}, False),
        ({SERVER: "OFF "}, False),
        ({SERVER: "0"}, False),
        ({"CI": "true"}, False),
        ({"CI": "true", SERVER: "on"}, True),
        ({"CI": "true", SERVER: "off"}, False),
        ({SERVER: "on"}, True),
    ],
)
def test_builds_go_to_a_server_unless_turned_off_or_in_ci(environ, expected):
    assert wanted(environ) is expected


def test_a_server_is_kept_for_one_folder_environment_and_path(tmp_path):
    base = identity(str(tmp_path), {"HOME": "/home/a", "PWD": "/x", "SHLVL": "1"}, sys.path)
    assert identity(str(tmp_path), {"HOME": "/home/a", "PWD": "/y", "SHLVL": "3", "_": "pm", "OLDPWD": "/z"}, sys.path) == base
    assert identity(str(tmp_path), {"HOME": "/home/b"}, sys.path) != identity(str(tmp_path), {"HOME": "/home/a"}, sys.path)
    assert identity(str(tmp_path / "other"), {"HOME": "/home/a", "PWD": "/x", "SHLVL": "1"}, sys.path) != base
    assert identity(str(tmp_path), {"HOME": "/home/a", "PWD": "/x", "SHLVL": "1"}, [*sys.path, str(tmp_path)]) != base


@pytest.fixture
def runtime():
    """A short temporary folder (a Unix socket's address is at most about 100 bytes), and every server in it stopped after."""
    folder = Path(tempfile.mkdtemp(prefix="pmbs"))
    yield folder
    for pid in _servers(folder):
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


def _servers(folder: Path) -> list[int]:
    """The process id of every server that has run with ``folder`` as its temporary folder, from their logs."""
    logs = folder.glob("pmlib-*/*.log")
    return [int(m.group(1)) for log in logs for m in [re.match(r"pmlib build server (\d+) ", log.read_text())] if m]


def _until(predicate, what: str, seconds: float = 120):
    """A guard against hanging, not a timing test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"never: {what}")


def _pm(project: Path, runtime: Path, *args: str, server: str = "on", extra: dict | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {SERVER: server, "TMPDIR": str(runtime)} | (extra or {})
    return subprocess.run([str(PM), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def _forced_build(project: Path, runtime: Path) -> subprocess.Popen:
    """``pm build --force`` (every notebook executed again) handed to a new server, once the server has started it."""
    env = os.environ | {SERVER: "on", "TMPDIR": str(runtime)}
    client = subprocess.Popen([str(PM), *BUILD, "--force"], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _until(lambda: (runtime / f"pmlib-{os.getuid()}").is_dir() and _servers(runtime), "the server started")
        _until(lambda: "build 1" in next(runtime.glob("pmlib-*/*.log")).read_text(), "the build started")
    except BaseException:
        client.kill()
        raise
    return client


def _said(done: subprocess.CompletedProcess) -> tuple[list[str], str]:
    """What a build printed, but the line that says it waited for the packs: that depends on which finished first."""
    return [line for line in done.stdout.splitlines() if not line.startswith("Waiting for the Cabinet packs")], done.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _edit(project: Path) -> None:
    commentary = project / "data" / "commentary.csv"
    commentary.write_text(commentary.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")


@pytest.mark.e2e
def test_a_build_handed_to_the_server_makes_what_its_own_process_makes(tmp_path, runtime):
    served, alone = copy_project(tmp_path / "served"), copy_project(tmp_path / "alone")
    first, own = _pm(served, runtime, *BUILD), _pm(alone, runtime, *BUILD, server="off")
    assert first.returncode == own.returncode == 0, first.stdout + first.stderr
    assert _said(first) == _said(own)
    [pid] = _servers(runtime)
    assert alive(pid)

    _edit(served)
    _edit(alone)
    again, own = _pm(served, runtime, *BUILD), _pm(alone, runtime, *BUILD, server="off")
    assert again.returncode == own.returncode == 0, again.stdout + again.stderr
    assert _servers(runtime) == [pid], "the second build went to the same server"
    assert _said(again) == _said(own)
    assert NEW in (served / "_site" / "reports" / "2021-22-Q2" / "plan-fulfilled-lives.html").read_text(encoding="utf-8")
    assert _files(served / "_site") == _files(alone / "_site")

    for project in (served, alone):  # a data error: the same FILE:ROW: COLUMN: lines, the same exit status, the site kept
        measures = project / "data" / "measures.csv"
        lines = measures.read_text(encoding="utf-8").splitlines(keepends=True)
        measures.write_text(lines[0] + re.sub(r",[^,]*$", ",bogus\n", lines[1]) + "".join(lines[2:]), encoding="utf-8")
    broken, own = _pm(served, runtime, *BUILD), _pm(alone, runtime, *BUILD, server="off")
    assert broken.returncode == own.returncode == 1
    assert broken.stdout == own.stdout and "data/measures.csv:2: " in broken.stdout
    assert broken.stderr == own.stderr and "_site is unchanged" in broken.stderr

    other = _pm(served, runtime, *BUILD, extra={"PMLIB_TEST_MARK": "another environment"})
    assert (other.returncode, other.stdout) == (1, broken.stdout)
    assert len(_servers(runtime)) == 2, "another environment, another server"

    shutil.rmtree(served)
    _until(lambda: not any(alive(p) for p in _servers(runtime)), "the servers stop once their project folder is gone")


@pytest.mark.e2e
def test_ctrl_c_stops_the_build_and_its_server(tmp_path, runtime):
    project = copy_project(tmp_path / "project")
    client = _forced_build(project, runtime)
    try:
        [pid] = _servers(runtime)
        time.sleep(3)  # most often into the notebooks (every one is executed again); any moment of a build must do
        client.send_signal(signal.SIGINT)
        out, err = client.communicate(timeout=300)
    finally:
        client.kill()
    assert client.returncode == 1, out + err
    assert "Aborted!" in err
    assert not (project / "_site").exists(), "an interrupted build leaves the site as it was: none"
    _until(lambda: not alive(pid), "the server stops after an interrupted build")


@pytest.mark.e2e
def test_a_second_build_says_it_waits_for_the_one_the_server_is_running(tmp_path, runtime):
    project = copy_project(tmp_path / "project")
    first = _forced_build(project, runtime)
    try:
        second = _pm(project, runtime, *BUILD)  # every notebook of the first is executed again: it is still running
        out, err = first.communicate(timeout=300)
    finally:
        first.kill()
    assert first.returncode == second.returncode == 0, err + second.stderr
    assert BUSY not in err
    assert second.stderr.splitlines()[0] == BUSY
    assert "is up to date" in second.stdout, "the second build ran after the first, on the site it made"


@pytest.mark.e2e
def test_a_build_whose_output_is_no_longer_read_stops_without_blaming_the_server(tmp_path, runtime):
    project = copy_project(tmp_path / "project")
    env = os.environ | {SERVER: "on", "TMPDIR": str(runtime)}
    piped = subprocess.run(
        f"'{PM}' {' '.join(BUILD)} | head -n 1", shell=True, cwd=project, env=env, capture_output=True, text=True, timeout=600
    )
    assert piped.stdout.count("\n") == 1
    assert piped.stderr == "", "no message about the server, nor a BrokenPipeError"
    [pid] = _servers(runtime)
    _until(lambda: not alive(pid), "the server stops, as after an interrupted build")


@pytest.mark.e2e
def test_pm_stop_stops_every_server_kept_for_this_folder_and_no_other(tmp_path, runtime, monkeypatch):
    from click.testing import CliRunner

    from pmlib.cli import main
    from pmlib.cli.build_server import _start, running_servers, runtime_folder

    monkeypatch.setenv("TMPDIR", str(runtime))
    monkeypatch.setattr(tempfile, "tempdir", None)
    here, there = tmp_path / "here", tmp_path / "there"
    folder = runtime_folder()
    for cwd, key in ((here, "one"), (here, "another-environment"), (there, "three")):
        cwd.mkdir(exist_ok=True)
        monkeypatch.chdir(cwd)
        _start(folder / f"{key}.sock", folder / f"{key}.log")  # as pm build starts one, from its project folder
    _until(lambda: len(_servers(runtime)) == 3, "the three servers started")
    monkeypatch.chdir(here)
    mine = running_servers(here)
    assert len(mine) == 2

    done = CliRunner().invoke(main, ["stop"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [f"Stopped the build server {pid} kept for this folder." for pid in mine]
    assert not any(alive(pid) for pid in mine), "pm stop waits for them"
    [theirs] = [pid for pid in _servers(runtime) if pid not in mine]
    assert alive(theirs) and running_servers(there) == [theirs]
    assert running_servers(here) == [], "the logs they left name no server"
    assert CliRunner().invoke(main, ["stop"]).output == "No build server runs for this folder.\n"
