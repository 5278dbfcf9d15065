"""``pm run`` for a joint committee: the joint template executed once per joint report, as a council's notebooks are.

A shared service's joint report (``councils.yml``, ``joint/params/``) is a
notebook like any other report: the template ``notebooks/joint/joint.ipynb``
is given the quarter, the path to ``councils.yml`` and the audience, and
``pmlib.joint_report`` does the rest. The plan made here is a ``RunPlan``, so
the joint report is executed, checked for leaks, kept when its inputs are
unchanged and published whole exactly as a council's are (``execute_plan``).

The joint template lives in a folder of its own under the templates, so a
council's ``pm run`` (which runs every template directly in ``notebooks/``)
never runs it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from pmlib.contract.config import check_report_params
from pmlib.contract.harmonisation import SharedData
from pmlib.contract.params_folder import params_files
from pmlib.contract.periods import Period
from pmlib.errors import ConfigError, DataContractError, NotebookError, Problem, sort_problems
from pmlib.project import Project
from pmlib.publishing import sweep
from pmlib.run import reuse
from pmlib.run.execution import RunResult, execute_plan
from pmlib.run.notebook_files import check_parameters, display_path, read_template, relative_path, sha256, source_state
from pmlib.run.planner import NotebookRun, QuarterPlan, RunPlan

JOINT_TEMPLATES = "joint"
"""The folder of the joint template, inside the notebook templates' folder."""
JOINT_TEMPLATE = "joint.ipynb"


def joint_project(shared: SharedData, notebooks: Path) -> Project:
    """Where the joint reports are run and kept: ``reports/`` beside ``joint/params/``, from the joint templates' folder."""
    params = shared.services.joint_params
    if params is None:
        raise ConfigError("councils.yml names no joint params folder; add 'joint: params: joint/params'", file=shared.services.file)
    root = params.parent
    return Project(root=root, data=root, params=params, notebooks=Path(notebooks) / JOINT_TEMPLATES, reports=root / "reports")


def plan_joint_run(quarters: Iterable[Period], shared: SharedData, project: Project, *, audience: str | None = None) -> RunPlan:
    """The joint template's executions for ``quarters``, checked: every problem raised together, nothing run.

    Its inputs are every council's data and params files, the joint params
    and targets, and the template, so a joint report is executed again when
    any council's figures change.
    """
    periods = sorted(set(quarters))
    files = params_files(project.params)
    problems: list[Problem] = []
    params = {}
    for q in periods:
        if q not in files:
            missing = display_path(project.params / f"{q.slug}.yml")
            problems.append(Problem(missing, None, None, f"file not found; create it to publish a joint report for {q.code}"))
            continue
        params[q], found = check_report_params(files[q], display_path(files[q]))
        problems += found
    if any(p.severity == "error" for p in problems):
        raise DataContractError(problems)
    path = project.notebooks / JOINT_TEMPLATE
    template, found = read_template(path) if path.is_file() else (None, [])
    if template is None:
        found = found or [Problem(display_path(path), None, None, "the joint report's template is missing; restore it from pmlib")]
        raise NotebookError(found)
    inputs = _inputs(shared, files, project)
    quarter_plans = []
    for q in periods:
        folder = project.report_folder(q)
        shown_to = {"audience": audience or params[q].audience} if "audience" in template.parameters else {}
        supplied = {"quarter": q.slug, "councils_file": relative_path(shared.services.file, folder)} | shown_to
        problems += check_parameters(template, supplied, {}, display_path(files[q]), q.code)
        run_inputs = dict(sorted((inputs | {relative_path(template.path, os.curdir): template.digest}).items()))
        run = NotebookRun(q, template, None, template.output_name(), supplied, run_inputs)
        quarter_plans.append(QuarterPlan(q, folder, (run,), inputs))
    if any(p.severity == "error" for p in problems):
        raise NotebookError(sort_problems(problems))
    commit, modified = source_state(project.notebooks)
    warnings = tuple(w for data in shared.councils.values() for w in data.warnings)
    return RunPlan(tuple(quarter_plans), project, commit, modified, reuse.code_digest(), warnings)


def _inputs(shared: SharedData, joint_params: dict[Period, Path], project: Project) -> dict[str, str]:
    found = {relative_path(shared.services.file, os.curdir): sha256(shared.services.file)}
    for council in shared.services.councils:
        data = shared.councils[council.id]
        found |= {relative_path(council.data / name, os.curdir): digest for name, digest in data.files.items()}
        found |= {relative_path(p, os.curdir): sha256(p) for p in params_files(council.params).values()}
    found |= {relative_path(p, os.curdir): sha256(p) for p in joint_params.values()}
    targets = shared.services.joint_targets
    if targets is not None and Path(targets).is_file():
        found[relative_path(targets, os.curdir)] = sha256(Path(targets))
    return dict(sorted(found.items()))


def run_joint(
    quarters: Iterable[Period],
    shared: SharedData,
    notebooks: Path,
    *,
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
    audience: str | None = None,
    force: bool = False,
) -> RunResult:
    """Check, execute and publish the joint report of each quarter into ``joint/reports/<slug>/``; see ``execute_plan``."""
    project = joint_project(shared, notebooks)
    sweep(project.reports)
    plan = plan_joint_run(quarters, shared, project, audience=audience)
    return execute_plan(plan, jobs=jobs, progress=progress, echo=echo, force=force)
