"""``python -m benchmarks earlier-code``: the earlier commit's tree is read without touching the repository, and its code is the
code the child runs, not the editable install's. Not timed: the benchmark itself is ``python -m benchmarks earlier-code``."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is beside pmlib/, not installed with it
    sys.path.insert(0, str(ROOT))
earlier_code = importlib.import_module("benchmarks.earlier_code")


def _git(folder, *args) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def test_an_earlier_commits_tree_is_read_as_it_was_and_the_repository_is_left_alone(tmp_path):
    repository = tmp_path / "repository"
    (repository / "pmlib").mkdir(parents=True)
    (repository / "pmlib" / "__init__.py").write_text("WHICH = 'earlier'\n", encoding="utf-8")
    _git(repository, "init", "-q")
    _git(repository, "add", "pmlib")
    _git(repository, "commit", "-qm", "earlier")
    earlier = _git(repository, "rev-parse", "--short", "HEAD")
    (repository / "pmlib" / "__init__.py").write_text("WHICH = 'now'\n", encoding="utf-8")
    _git(repository, "commit", "-qam", "now")

    tree = earlier_code.tree_at(repository, earlier, tmp_path / "earlier")

    assert (tree / "pmlib" / "__init__.py").read_text(encoding="utf-8") == "WHICH = 'earlier'\n"
    assert _git(repository, "status", "--porcelain") == ""
    assert _git(repository, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_the_child_imports_pmlib_from_the_tree_it_is_given_not_the_installed_one(tmp_path):
    tree = tmp_path / "earlier"
    (tree / "pmlib").mkdir(parents=True)
    (tree / "pmlib" / "__init__.py").write_text("", encoding="utf-8")
    workspace = tmp_path / "workspace"
    workspace.mkdir()

    assert earlier_code.imported_from(tree, workspace) == (tree / "pmlib").resolve()


def test_a_tree_is_compiled_before_it_is_timed_so_the_first_pair_does_not_time_compiling(tmp_path):
    tree = tmp_path / "earlier"
    (tree / "pmlib" / "run").mkdir(parents=True)
    modules = [tree / "pmlib" / "__init__.py", tree / "pmlib" / "run" / "__init__.py", tree / "pmlib" / "run" / "workers.py"]
    for module in modules:
        module.write_text("X = 1\n", encoding="utf-8")

    earlier_code.compiled(tree)

    assert all(Path(importlib.util.cache_from_source(str(module))).is_file() for module in modules)
