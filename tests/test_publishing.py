"""Publishing a folder whole: the swap, its undo when a step fails, and the sweep of what dead processes left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmlib.cli import main
from pmlib.publishing import _alive, aside_folder, partial_folder, publishing, swap_in, sweep


def dead_pid() -> int:
    """The id of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def folder(path: Path, **files: str) -> Path:
    path.mkdir(parents=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def contents(path: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(path.iterdir())}


def test_a_publish_replaces_the_folder_and_leaves_nothing_beside_it(tmp_path):
    target = folder(tmp_path / "_site", **{"index.html": "old", "gone.html": "old"})
    with publishing(target) as partial:
        assert partial == partial_folder(target) and partial.is_dir() and not any(partial.iterdir())
        (partial / "index.html").write_text("new", encoding="utf-8")
    assert contents(target) == {"index.html": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["_site"]


def test_a_first_publish_needs_no_old_folder(tmp_path):
    with publishing(tmp_path / "reports" / "2021-22-Q2") as partial:
        (partial / "overview.ipynb").write_text("{}", encoding="utf-8")
    assert contents(tmp_path / "reports" / "2021-22-Q2") == {"overview.ipynb": "{}"}
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["2021-22-Q2"]


def test_a_failure_while_building_leaves_the_old_folder_and_removes_the_partial(tmp_path):
    target = folder(tmp_path / "_site", **{"index.html": "old"})
    with pytest.raises(RuntimeError, match="render failed"), publishing(target) as partial:
        (partial / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("render failed")
    assert contents(target) == {"index.html": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["_site"]


def test_the_swap_puts_the_old_folder_back_when_renaming_the_new_one_in_fails(tmp_path, monkeypatch):
    target = folder(tmp_path / "_site", **{"index.html": "old"})
    partial = folder(partial_folder(target), **{"index.html": "new"})
    rename = Path.rename

    def failing(self, destination):
        if self == partial:
            raise OSError("disk full")
        return rename(self, destination)

    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(OSError, match="disk full"):
        swap_in(partial, target)
    assert contents(target) == {"index.html": "old"}
    assert not aside_folder(target).exists()


def test_a_swap_that_cannot_move_the_old_folder_aside_changes_nothing(tmp_path, monkeypatch):
    target = folder(tmp_path / "_site", **{"index.html": "old"})
    partial = folder(partial_folder(target), **{"index.html": "new"})
    rename = Path.rename

    def failing(self, destination):
        if self == target:
            raise PermissionError("read-only")
        return rename(self, destination)

    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(PermissionError):
        swap_in(partial, target)
    assert contents(target) == {"index.html": "old"}
    assert contents(partial) == {"index.html": "new"}


def test_the_sweep_removes_what_dead_processes_left_and_keeps_what_live_ones_are_making(tmp_path):
    dead, live = dead_pid(), os.getpid()
    folder(tmp_path / "2021-22-Q2", **{"overview.ipynb": "published"})
    stale = [
        folder(tmp_path / f".2021-22-Q2.partial-{dead}", **{"overview.ipynb": "half"}),
        folder(tmp_path / f".2021-22-Q2.old-{dead}", **{"overview.ipynb": "superseded"}),
        folder(tmp_path / f".x.partial-{dead}"),
    ]
    working = [folder(tmp_path / f".2021-22-Q3.partial-{live}"), folder(tmp_path / f".2021-22-Q3.old-{os.getppid()}")]
    others = [folder(tmp_path / ".failed"), folder(tmp_path / ".internal"), folder(tmp_path / ".x.partial-notapid")]
    (tmp_path / f".y.partial-{dead}").write_text("a file, not a folder this module makes", encoding="utf-8")

    assert sweep(tmp_path) == sorted(stale)

    assert not any(p.exists() for p in stale)
    assert all(p.is_dir() for p in working + others)
    assert (tmp_path / f".y.partial-{dead}").is_file()
    assert contents(tmp_path / "2021-22-Q2") == {"overview.ipynb": "published"}


def test_the_sweep_puts_back_a_folder_whose_process_died_between_the_two_renames(tmp_path):
    dead = dead_pid()
    folder(tmp_path / f"._site.old-{dead}", **{"index.html": "old"})
    folder(tmp_path / f"._site.partial-{dead}", **{"index.html": "new, perhaps incomplete"})
    sweep(tmp_path)
    assert contents(tmp_path / "_site") == {"index.html": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["_site"]


def test_the_sweep_of_a_missing_folder_is_nothing(tmp_path):
    assert sweep(tmp_path / "nowhere") == []


def test_only_positive_process_ids_are_signalled(monkeypatch):
    monkeypatch.setattr(os, "kill", lambda pid, sig: pytest.fail("os.kill called"))
    assert _alive(0)


@pytest.mark.parametrize("command", ["run", "build"])
def test_pm_run_and_pm_build_sweep_before_anything_else(tmp_path, monkeypatch, command):
    """The quick path: an empty data folder stops the command at its first check, after the sweep."""
    dead, live = dead_pid(), os.getpid()
    monkeypatch.chdir(tmp_path)
    folder(tmp_path / "data")
    folder(tmp_path / "params")
    folder(tmp_path / "reports" / "2021-22-Q2", **{"overview.ipynb": "published"})
    (tmp_path / "params" / "2021-22-Q2.yml").write_text("quarter: 2021/22 Q2\n", encoding="utf-8")
    stale = [folder(tmp_path / "reports" / f".x.partial-{dead}"), folder(tmp_path / "reports" / f".2021-22-Q2.old-{dead}")]
    if command == "build":
        stale += [folder(tmp_path / f"._site.partial-{dead}"), folder(tmp_path / f"._site.old-{dead}")]
        folder(tmp_path / "_site", **{"index.html": "published"})
    kept = folder(tmp_path / "reports" / f".x.partial-{live}")

    args = [command, "2021-22-Q2", "--no-progress"] + (["--renderer", "builtin"] if command == "build" else [])
    result = CliRunner().invoke(main, args)

    assert result.exit_code == 1, result.output
    assert "data/council.yml:-: -: file not found" in result.output
    assert not any(p.exists() for p in stale)
    assert kept.is_dir()
    assert contents(tmp_path / "reports" / "2021-22-Q2") == {"overview.ipynb": "published"}
    if command == "build":
        assert contents(tmp_path / "_site") == {"index.html": "published"}
