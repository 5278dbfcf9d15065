"""One end-to-end build of the demo council, shared by the build, browser and pack tests of a session.

The project is copied to a temporary folder first, so building never
touches the checkout's reports/ or _site/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).parents[1]
PROJECT_FILES = ("data", "params", "notebooks", "reports", "_extensions", "_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml")


TEMPLATE_FILES = ("notebooks", "_extensions", "_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml")
"""What a shared service's councils all build from: the templates and the Quarto project, without a council's folders."""


def copy_project(target: Path, names: tuple[str, ...] = PROJECT_FILES) -> Path:
    """A copy of everything a build reads (or only ``names``), in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(".*"))
        elif source.is_file():
            shutil.copy2(source, target / name)
    return target
