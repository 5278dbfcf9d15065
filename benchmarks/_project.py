"""A copy of the demo project for the build benchmarks, so timing a build never touches the checkout's own reports or site."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT_FILES = ("data", "params", "notebooks", "reports", "_extensions", "_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml")


def copy_project(source: Path, target: Path) -> Path:
    """Copy everything a build reads from ``source`` into ``target`` (hidden files left out); return ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=shutil.ignore_patterns(".*"))
        elif path.is_file():
            shutil.copy2(path, target / name)
    return target
