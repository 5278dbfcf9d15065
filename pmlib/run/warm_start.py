"""Whether a command will probably execute notebooks, told from file dates alone, so the warm kernel server can start first thing.

The warm server takes two seconds or more to import IPython, pandas and
pmlib and to judge the quarter, and nothing can execute before it is ready.
``pm build`` and ``pm run`` meanwhile import the same for themselves (half a
second before they could even pick the quarters, whose codes pandas reads),
while the other core has nothing to do. So these commands call
``start_ahead`` before anything imports pandas: only the standard library
and the dates of files, the quarters named by their params files' names.
Which reports are kept is decided later and exactly, from their provenance
(``pmlib.run.reuse``); a guess wrong the other way only starts the server
when ``pm run`` would have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pmlib.project import Project

_SLUG = re.compile(r"\d{4}-\d{2}-Q[1-4]")  # a guess at a params file's quarter, by its name; the contract's own rules read it after


def likely_to_execute(project: Project, slugs: Iterable[str]) -> bool:
    """Whether a quarter of ``slugs`` has no reports, or a file they are made from is newer than they are.

    Started for nothing, the warm server costs an unchanged build about half
    a second, so this is asked before starting it.
    """
    try:
        newest = max(
            (p.stat().st_mtime for d in (project.data, project.params, project.notebooks) for p in d.rglob("*") if p.is_file()), default=0
        )
        for slug in slugs:
            reports = list((project.reports / slug).glob("*.ipynb"))
            if not reports or min(p.stat().st_mtime for p in reports) < newest:
                return True
    except OSError:  # the command reports what is wrong; here it only means "start the server"
        return True
    return False


def asked_for(params: Path, quarter: str | None, every: bool) -> list[str]:
    """The slugs of the quarters a command names, by its params files' names: every one, the latest, or none for one named by code.

    A quarter named by its code (``2020/21 Q2``) is left to ``pm run``'s own
    check, which reads codes with the contract's own rules.
    """
    if quarter is not None:
        return [quarter] if (params / f"{quarter}.yml").is_file() else []
    # Slugs sort by year, then quarter: 2020-21-Q4 before 2021-22-Q1.
    slugs = sorted(p.stem for p in params.glob("*.yml") if _SLUG.fullmatch(p.stem))
    return slugs if every else slugs[-1:]


def start_ahead(project: Project, quarter: str | None, every: bool) -> None:
    """Start the warm kernel server now, without waiting, if the quarters asked for will probably be executed."""
    slugs = asked_for(project.params, quarter, every)
    if slugs and likely_to_execute(project, slugs):
        from pmlib.run import warm_kernels

        warm_kernels.start(wait=False)
