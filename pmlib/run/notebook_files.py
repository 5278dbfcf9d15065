"""Notebook templates as files: what each declares, and its executed copy made byte-for-byte reproducible.

``pm run`` checks every template and every parameter before starting a
kernel, because a typo found after twenty minutes of execution wastes them.
After execution, ``normalise`` removes everything that differs between two
runs of the same inputs (timings, papermill's random cell id), so committed
reports change only when their inputs do.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill
import yaml
from nbformat import NotebookNode
from nbformat.v4.rwbase import split_lines, strip_transient

from pmlib.errors import Problem

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
ERROR_MARKER_TAG = "papermill-error-cell-tag"
PER_PLAN_PARAMETER = "plan_id"
CONTENT_DIGEST = "content_sha256"
# A template's metadata entry saying it shows of each commentary row only whether it was given (the overview's exceptions table).
COMMENTARY_ENTRY = "pmlib_commentary"
WHETHER_GIVEN = "whether given"
# The code that makes the outputs: a change here means committed reports may be stale.
SOURCE_PATHS = ("pmlib", "notebooks", "pyproject.toml", "constraints.txt")


def display_path(path: str | os.PathLike) -> str:
    """A path for messages: relative to the current directory when inside it, as the user typed it, otherwise absolute."""
    relative = relative_path(path, os.curdir)
    return Path(os.path.abspath(path)).as_posix() if relative == ".." or relative.startswith("../") else relative


def relative_path(target: str | os.PathLike, start: str | os.PathLike) -> str:
    """``target`` as seen from ``start``, posix style: what a notebook running in ``start`` opens, on any machine."""
    return Path(os.path.relpath(os.path.abspath(target), os.path.abspath(start))).as_posix()


def sha256(path: Path) -> str:
    """Content hash, so provenance says which exact input a report was made from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Template:
    """A notebook template as ``pm run`` needs it: its declared parameters and how to name its cells in messages.

    Cells are numbered as the author sees them, from 1, without any
    injected-parameters cell; ``cell_ids`` and ``first_lines`` follow that numbering.
    """

    path: Path
    display: str
    parameters: tuple[str, ...]
    cell_ids: tuple[str, ...]
    first_lines: tuple[str, ...]
    parameters_index: int
    injected_index: int | None
    digest: str
    commentary_whether_given: bool = False

    @property
    def per_plan(self) -> bool:
        """A notebook that asks for ``plan_id`` is about one delivery plan, so it runs once per plan."""
        return PER_PLAN_PARAMETER in self.parameters

    def output_name(self, plan_id: str | None = None) -> str:
        """File name of one executed copy."""
        return f"{self.path.stem}-{plan_id}.ipynb" if plan_id else f"{self.path.stem}.ipynb"

    def cell_number(self, output_index: int) -> int | None:
        """1-based number of the template cell at ``output_index`` of an executed copy; None for the injected cell.

        papermill inserts its injected-parameters cell after the parameters cell
        (or replaces one the template already has), so executed indexes are one
        off from what the author sees after that point.
        """
        injected = self.parameters_index + 1 if self.injected_index is None else self.injected_index
        if output_index == injected:
            return None
        return output_index if output_index > injected else output_index + 1


def _first_line(source: str) -> str:
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _tagged(cell: Mapping, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def read_template(path: Path) -> tuple[Template | None, list[Problem]]:
    """Inspect one template without running it; None and a problem if it cannot be run as a report."""
    display = display_path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for unreadable files
        return None, [Problem(display, None, None, f"not a readable notebook ({exc}); save it again from Jupyter")]
    index = next((i for i, c in enumerate(nb.cells) if _tagged(c, PARAMETERS_TAG)), None)
    if index is None:
        message = (
            "no cell is tagged 'parameters'; add the tag 'parameters' to the cell that sets quarter, data_dir and params_dir "
            "(in Jupyter: the cell's Property Inspector > Cell Tags)"
        )
        return None, [Problem(display, None, None, message)]
    try:
        declared = papermill.inspect_notebook(str(path))
    except Exception as exc:  # papermill raises ValueError for a missing kernelspec, others for odd cells
        return None, [Problem(display, None, None, f"cannot read its parameters ({exc}); save it from Jupyter with the Python 3 kernel")]
    injected = next((i for i, c in enumerate(nb.cells) if _tagged(c, INJECTED_TAG)), None)
    declared_commentary = nb.metadata.get(COMMENTARY_ENTRY)
    if declared_commentary not in (None, WHETHER_GIVEN):
        message = (
            f"notebook metadata '{COMMENTARY_ENTRY}' is {json.dumps(declared_commentary)}; set it to \"{WHETHER_GIVEN}\" "
            "if the notebook shows only whether each commentary row was given, or remove it"
        )
        return None, [Problem(display, None, COMMENTARY_ENTRY, message)]
    template = Template(
        path=path,
        display=display,
        parameters=tuple(declared),
        # A notebook saved before nbformat 4.5 has no cell ids; these stand in, the same on every run.
        cell_ids=tuple(c.get("id") or f"cell-{i + 1}" for i, c in enumerate(nb.cells) if not _tagged(c, INJECTED_TAG)),
        first_lines=tuple(_first_line(c.source) for c in nb.cells if not _tagged(c, INJECTED_TAG)),
        parameters_index=index,
        injected_index=injected,
        digest=sha256(path),
        commentary_whether_given=declared_commentary == WHETHER_GIVEN,
    )
    return template, []


def find_templates(notebooks_dir: Path) -> tuple[list[Template], list[Problem]]:
    """Every ``*.ipynb`` directly in the folder, by name, and every problem that stops one being run."""
    paths = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if p.is_file() and not p.name.startswith("."))
    if not paths:
        return [], [
            Problem(display_path(notebooks_dir), None, None, "no notebook templates (*.ipynb) here; add one or pass --notebooks DIR")
        ]
    templates, problems = [], []
    for path in paths:
        template, found = read_template(path)
        problems += found
        if template is not None:
            templates.append(template)
    return templates, problems


def name_clashes(outputs: list[tuple[str, Template]], folder: str) -> list[Problem]:
    """Two templates whose executed copies would have the same file name, e.g. ``plan.ipynb`` and ``plan-x.ipynb``."""
    seen: dict[str, Template] = {}
    problems = []
    for name, template in outputs:
        other = seen.setdefault(name, template)
        if other is not template:
            message = f"both {other.display} and this notebook would write {folder}/{name}; rename one of them"
            problems.append(Problem(template.display, None, None, message))
    return problems


def parameter_lines(path: Path) -> dict[str, int]:
    """Line (1-based) of each name under ``parameters:`` in a params file, so a problem points at the line to edit."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError):
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    for key, value in node.value:
        if key.value == "parameters" and isinstance(value, yaml.MappingNode):
            return {str(k.value): k.start_mark.line + 1 for k, _ in value.value}
    return {}


def check_parameters(
    template: Template, supplied: Mapping[str, Any], from_params: Mapping[str, int | None], params_display: str, quarter_code: str
) -> list[Problem]:
    """Every mismatch between what ``pm run`` supplies and what the notebook declares.

    papermill itself only logs a warning for an unknown name and silently
    keeps the notebook's default for a missing one, which would publish a
    report about the wrong quarter or plan without any error.
    """
    problems = []
    for name, value in supplied.items():
        if name in template.parameters:
            continue
        if name in from_params:
            message = (
                f"unknown parameter: {template.display} does not declare '{name}'; add '{name} = ...' to its cell tagged 'parameters', "
                f"or remove '{name}' from parameters: here"
            )
            problems.append(Problem(params_display, from_params[name], f"parameters.{name}", message))
        else:
            message = (
                f"unknown parameter: pm run supplies '{name}' ({value!r} for {quarter_code}) but this notebook does not declare it; "
                f"add '{name} = ...' to its cell tagged 'parameters'"
            )
            problems.append(Problem(template.display, None, name, message))
    for name in template.parameters:
        if name not in supplied:
            message = (
                f"missing parameter: declared in the cell tagged 'parameters' but not supplied for {quarter_code}; "
                f"add '{name}: ...' under parameters: in {params_display}, or remove it from the notebook's parameters cell"
            )
            problems.append(Problem(template.display, None, name, message))
    return problems


def _git(cwd: Path, *args: str) -> str | None:
    try:
        # --no-optional-locks: read only, never touch the index another process may be using.
        done = subprocess.run(["git", "--no-optional-locks", *args], cwd=cwd, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def source_state(notebooks_dir: Path) -> tuple[str | None, bool | None]:
    """The last commit that touched the code making the reports, and whether that code has uncommitted changes.

    Not HEAD: a later commit that only adds reports must still find the
    committed reports reproducible. None for both outside a git checkout.
    """
    root = _git(notebooks_dir, "rev-parse", "--show-toplevel")
    if not root:
        return None, None
    commit = _git(Path(root), "log", "-1", "--format=%H", "--", *SOURCE_PATHS) or None
    status = _git(Path(root), "status", "--porcelain", "--", *SOURCE_PATHS)
    return commit, None if status is None else bool(status)


def dead_cell(cells: Iterable[Mapping[str, Any]]) -> int | None:
    """Index of the cell that was running when the kernel died, or None if no cell had started.

    ``cells`` are the notebook's as papermill left them: it marks the dying
    cell "completed" in its ``finally`` block, so the last cell it started is
    the one that was running.
    """
    started = None
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("status") == "running":
            return i
        if meta.get("start_time"):
            started = i
    return started


def normalise(nb: NotebookNode, cell_ids: tuple[str, ...], provenance: dict[str, Any], folder: str) -> list[tuple[int, str]]:
    """Rewrite an executed notebook, in place, so it depends only on its inputs, recorded in ``metadata.pmlib``.

    ``cell_ids`` are the template's own. Returns the cells whose output shows
    a name that differs on every run (``folder``, the temporary folder it was
    executed in, or a kernel's), which no normalising can make reproducible.
    """
    nb.metadata.pop("papermill", None)
    nb.metadata.get("language_info", {}).pop("version", None)  # the Python patch release: machine, not input
    ids = iter(cell_ids)
    cells = []
    for cell in nb.cells:
        if _tagged(cell, ERROR_MARKER_TAG):
            continue
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:  # added by papermill to every cell
            del cell.metadata["tags"]
        cell["id"] = INJECTED_TAG if _tagged(cell, INJECTED_TAG) else next(ids)
        cells.append(cell)
    nb.cells = cells
    nb.metadata["pmlib"] = provenance
    words = [folder, "pm-kernel-"]
    return [(i, w) for i, cell in enumerate(nb.cells) for w in words if w in json.dumps(cell.get("outputs", []))]


def as_saved(nb: NotebookNode, *, sealed: bool) -> str:
    """The notebook's file, byte for byte as ``nbformat.write`` makes it; ``sealed``, with its content digest in its provenance.

    Made from the notebook in memory, in the worker that executed it, so
    nothing is read back, parsed or validated again; its text is split into
    lines in place, as the file holds it. The digest is recorded after every
    other change, so an output edited by hand no longer matches.
    """
    strip_transient(split_lines(nb))
    if sealed:
        nb["metadata"]["pmlib"][CONTENT_DIGEST] = content_digest(nb)
    return json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False) + "\n"


def content_digest(notebook: Mapping[str, Any]) -> str:
    """sha256 of a notebook as saved, without its ``metadata.pmlib``."""
    copy = dict(notebook)
    copy["metadata"] = {k: v for k, v in notebook.get("metadata", {}).items() if k != "pmlib"}
    text = json.dumps(copy, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def describe_failure(
    template: Template, where: str, error: str, cell: int | None, *, died: bool = False, kept: str | None = None
) -> Problem:
    """One failed execution in the author's terms: the template's own cell number and first line, not papermill's index."""
    keep = f"; the executed notebook is kept at {kept}" if kept else ""
    if cell is None:
        return Problem(template.display, None, None, f"{where}: {error}; run pm run again{keep}")
    number = template.cell_number(cell)
    if number is None:
        column, what = "parameters", "the injected parameters cell"
    else:
        column, what = f"cell {number}", f"cell {number} (`{template.first_lines[number - 1]}`)"
    if died:
        message = f"{where}: the kernel died (exit, crash or out of memory) while running {what}"
    else:
        message = f"{where}: {error} in {what}"
    return Problem(template.display, None, column, f"{message}; fix it and run pm run again{keep}")


def describe_leak(template: Template, where: str, cell: int, word: str, kept: str | None) -> Problem:
    """A notebook whose output would differ on every run, so its report could never be reproduced."""
    number = template.cell_number(cell)
    message = (
        f"{where}: the output shows the temporary folder name {word!r}, which differs on every run; "
        f"print paths relative to the report folder instead; the executed notebook is kept at {kept}"
    )
    return Problem(template.display, None, f"cell {number}" if number else "parameters", message)
