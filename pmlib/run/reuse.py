"""Incremental runs: keep an executed report whose inputs and code are exactly those a new run would use.

Executing a quarter's notebooks is the slow part of a build, and most builds
change little: a figure for one delivery plan, or nothing at all. Each
executed report records in ``metadata.pmlib`` what it was made from: its
parameters, the pmlib version, a digest of the code (pmlib's own files and
the versions of every package it runs on) and a sha256 of every input. When
the report already published records exactly what a new run would record, a
new run could only write the same bytes (``pm run`` makes its outputs
deterministic), so it is kept instead of executed.

A delivery plan's notebook depends on the shared files, its own plan's rows
of each table and the earliest figure held (every measure's chart starts
there), so a change to one plan's figures re-executes that plan's notebook
and the quarter-wide ones (overview, appendices) only. Rows are hashed
whole, ``reported_on`` included, and not cut at a quarter's ``data_as_at``:
a figure or commentary supplied after a report's date re-executes that
report to the same output (a wrong "no"), while a date moved across it,
which changes what the report shows, is always seen. Everything recorded
is machine-independent, so a fresh clone reuses the committed reports.

A quarter-wide notebook reads every file whole, but one whose template
declares that it shows of each commentary row only whether it was given (the
overview's "Commentary missing") reads ``commentary.csv`` as exactly that
(``quarter_inputs``): an officer's words edited re-execute the plan's
notebook, not the overview and appendices. The quarter's open data, which
shows no commentary, is kept on the same inputs
(``pmlib.rendering.page_store``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import posixpath
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from packaging.requirements import Requirement

from pmlib.contract.loading import COMMENTARY_FILE, CouncilData, portable_observations
from pmlib.contract.memo import row_hashes
from pmlib.contract.officer_text import given
from pmlib.run.notebook_files import CONTENT_DIGEST, content_digest

CODE_DIGEST = "code_digest"
# What a report must share with a new run to be kept; source_commit and source_modified only describe it.
COMPARED = ("parameters", "pmlib_version", CODE_DIGEST, "inputs")
# Tables whose rows belong to one delivery plan; every other data file is read whole by every notebook.
PLAN_TABLES = ("measures.csv", "targets.csv", "observations", "commentary.csv", "actions.csv", "action_updates.csv")
EARLIEST = "observations (earliest period)"
COMMENTARY = COMMENTARY_FILE
COMMENTARY_GIVEN = f"{COMMENTARY} (whether given)"
# The commentary file's officer text: what a notebook showing only whether commentary was given does not read.
COMMENTARY_TEXT = ("commentary", "action", "action_owner", "action_due")


def _sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_packages(root: str = "pmlib") -> list[str]:
    """Every installed package ``root`` needs at run time, directly or not, as sorted ``name==version``.

    Transitive, because a new version of a package that pandas or
    vl-convert uses can change a report as surely as a new pandas. Test and demo extras are left out: they never reach
    a report.
    """
    seen: dict[str, set[str]] = {}
    versions: dict[str, str] = {}
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while todo:
        name, extras = todo.pop()
        key = _normal(name)
        first = key not in seen
        wanted = set(extras) - seen.setdefault(key, set())
        if not first and not wanted:
            continue
        seen[key] |= wanted
        try:
            metadata = importlib.metadata.distribution(name).metadata  # parsed once: it is most of the cost
        except importlib.metadata.PackageNotFoundError:
            versions[key] = "not-installed"
            continue
        versions[key] = metadata["Version"]
        environments = ([{"extra": ""}] if first else []) + [{"extra": e} for e in sorted(wanted)]
        for line in metadata.get_all("Requires-Dist") or []:
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate(env) for env in environments):
                todo.append((req.name, frozenset(req.extras)))
    return sorted(f"{key}=={version}" for key, version in versions.items() if key != _normal(root))


def _package_files(package_dir: Path) -> list[Path]:
    """Every file of the package but compiled bytecode and hidden files (an editor's swap file is no code)."""
    found = []
    for path in package_dir.rglob("*"):
        parts = path.relative_to(package_dir).parts
        if path.is_file() and path.suffix != ".pyc" and not any(part == "__pycache__" or part.startswith(".") for part in parts):
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(package_dir).as_posix())


@functools.cache
def code_digest() -> str:
    """One sha256 for the code that makes a report: pmlib's files, the Python minor version and every runtime package.

    Content and names only, never paths or dates, so two clones of the same
    commit in the same pinned environment agree and keep each other's reports.
    """
    import pmlib

    package_dir = Path(pmlib.__file__).parent
    h = hashlib.sha256()
    for path in _package_files(package_dir):
        h.update(f"{path.relative_to(package_dir).as_posix()}\0{_sha256(path.read_bytes())}\n".encode())
    h.update(f"python=={sys.version_info.major}.{sys.version_info.minor}\n".encode())
    for line in runtime_packages():
        h.update(f"{line}\n".encode())
    return h.hexdigest()


def _row_plans(data: CouncilData) -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    """Each plan table with the plan of each of its rows (NaN for rows of no plan)."""
    measure_plan = data.measures["plan_id"]
    action_plan = data.actions.drop_duplicates("action_id").set_index("action_id")["plan_id"]
    observations = portable_observations(data)
    tables = {
        "measures.csv": (data.measures, data.measures["plan_id"]),
        "targets.csv": (data.targets, data.targets["measure_id"].map(measure_plan)),
        "observations": (observations, observations["measure_id"].map(measure_plan)),
        "commentary.csv": (data.commentary, data.commentary["measure_id"].map(measure_plan)),
        "actions.csv": (data.actions, data.actions["plan_id"]),
        "action_updates.csv": (data.action_updates, data.action_updates["action_id"].map(action_plan)),
    }
    return {
        name: (frame.reset_index(drop=True), pd.Series(plans.to_numpy(object), dtype=object)) for name, (frame, plans) in tables.items()
    }


def _plan_file(name: str) -> bool:
    return name in PLAN_TABLES or name.startswith("observations/")


def plan_inputs(data: CouncilData, prefix: str) -> dict[str, dict[str, str]]:
    """What each delivery plan's notebook reads, by plan: the shared files whole, and its own rows of every plan table.

    ``prefix`` is the data folder as provenance names it (``data``). A file
    this does not know how to split by plan is shared, so a council's extra
    file can only cause a re-execution, never a stale report. The earliest
    figure held starts every measure's chart, so it is an input of every plan.
    """
    shared = {f"{prefix}/{name}": digest for name, digest in data.files.items() if not _plan_file(name)}
    months = data.observations["first_month"].dropna() if "first_month" in data.observations else pd.Series(dtype="Int64")
    shared[f"{prefix}/{EARLIEST}"] = _sha256("" if months.empty else str(int(months.min())))
    tables = {name: (row_hashes(frame), plans.to_numpy()) for name, (frame, plans) in _row_plans(data).items()}
    out = {}
    for plan_id in data.plans.index:
        own = {
            f"{prefix}/{name} (plan {plan_id})": _sha256(types + b"\n" + hashes[plans == plan_id].tobytes())
            for name, ((types, hashes), plans) in tables.items()
        }
        out[str(plan_id)] = dict(sorted((shared | own).items()))
    return out


def quarter_inputs(data: CouncilData, prefix: str, *, commentary_text: bool = True) -> dict[str, str]:
    """What a quarter-wide notebook reads: every file of the data folder whole.

    Without ``commentary_text`` (a template declaring it shows only whether
    commentary was given), ``commentary.csv`` is read as its rows with each
    officer's text reduced to ``given`` and the actions left out, so editing
    the words of a given commentary changes nothing here, while a row added,
    emptied, moved, redated or given for another measure or quarter does.
    """
    files = {posixpath.normpath(f"{prefix}/{name}"): digest for name, digest in data.files.items()}
    if commentary_text or COMMENTARY not in data.files:
        return files
    del files[posixpath.normpath(f"{prefix}/{COMMENTARY}")]
    notes = data.commentary
    narrowed = notes.drop(columns=[c for c in COMMENTARY_TEXT if c in notes]).assign(given=notes["commentary"].map(given).astype(bool))
    types, hashes = row_hashes(narrowed.reset_index(drop=True))
    files[posixpath.normpath(f"{prefix}/{COMMENTARY_GIVEN}")] = _sha256(types + b"\n" + hashes.tobytes())
    return dict(sorted(files.items()))


def measure_commentary(data: CouncilData) -> dict[str, str]:
    """Each measure's own rows of ``commentary.csv`` as one digest, by measure id (a measure without any is not listed)."""
    notes = data.commentary.reset_index(drop=True)
    types, hashes = row_hashes(notes)
    ids = notes["measure_id"].astype(str).to_numpy(object)
    order = np.argsort(ids, kind="stable")
    ids, hashes = ids[order], hashes[order]
    if not len(ids):
        return {}
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    return {ids[a]: _sha256(types + b"\n" + hashes[a:b].tobytes()) for a, b in zip(starts, ends, strict=True)}


def comparable(provenance: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a provenance that decides reuse, as JSON would give it back."""
    return json.loads(json.dumps({key: provenance.get(key) for key in COMPARED}, default=str))


def reusable(path: Path, provenance: Mapping[str, Any]) -> bool:
    """Whether the report at ``path`` was made from exactly ``provenance`` and has not been edited since.

    Anything unreadable, unsealed or different is executed again: a wrong
    "no" costs seconds, a wrong "yes" publishes a stale report.
    """
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        recorded = notebook["metadata"]["pmlib"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if not isinstance(recorded, dict) or comparable(recorded) != comparable(provenance):
        return False
    return recorded.get(CONTENT_DIGEST) == content_digest(notebook)
