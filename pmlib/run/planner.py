"""``pm run``'s planner: everything a run needs checked, and every notebook execution listed, before a kernel starts.

A typo found after twenty minutes of execution wastes them, so the data, the
params files and each notebook's parameters are all checked first, every
problem raised at once. The plan lists each execution with the parameters it
is given and the inputs it reads, which its report records as provenance, so
``pmlib.run.execution`` can tell which published reports to keep
(``pmlib.run.reuse``); a joint report's plan (``pmlib.run.joint_run``) is the same.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmlib.contract.loading import check_data
from pmlib.contract.params_folder import check_params_folder, missing_params, params_files
from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import ConfigError, DataContractError, NotebookError, Problem, sort_problems
from pmlib.project import Project
from pmlib.run import reuse
from pmlib.run.notebook_files import (
    Template,
    check_parameters,
    display_path,
    find_templates,
    name_clashes,
    parameter_lines,
    relative_path,
    sha256,
    source_state,
)

BUILTIN_PARAMETERS = ("quarter", "plan_id", "data_dir", "params_dir", "audience")


@dataclass(frozen=True)
class NotebookRun:
    """One execution: a template for one quarter (and one delivery plan), with the parameters it is given."""

    quarter: Period
    template: Template
    plan_id: str | None
    name: str
    parameters: dict[str, Any]
    inputs: dict[str, str]


@dataclass(frozen=True)
class QuarterPlan:
    """Everything to execute for one quarter, and every input of the quarter (each run records the ones it reads)."""

    quarter: Period
    folder: Path
    runs: tuple[NotebookRun, ...]
    inputs: dict[str, str]


@dataclass(frozen=True)
class RunPlan:
    """A checked run: nothing in it can fail for want of a parameter, a params file or valid data."""

    quarters: tuple[QuarterPlan, ...]
    project: Project
    source_commit: str | None
    source_modified: bool | None
    code_digest: str = ""
    warnings: tuple[Problem, ...] = ()


def plan_run(quarters: Iterable[str | Period], project: Project, *, audience: str | None = None) -> RunPlan:
    """Check everything a run needs and list its notebook executions, running nothing.

    A template that declares ``audience`` gets the params file's (or
    ``audience`` when given); running for the internal audience needs every
    template to declare it, or a restricted measure could be left out unseen.

    Raises ``DataContractError`` for bad data or params files and
    ``NotebookError`` for notebooks that cannot be given their parameters,
    each with every problem found.
    """
    data_dir, params_dir = project.data, project.params
    periods = sorted({q if isinstance(q, Period) else parse_quarter(q) for q in quarters})
    if not periods:
        raise ConfigError("no quarter to run; give a quarter, --latest or --all", column="quarter")
    data, problems = check_data(data_dir)
    files = params_files(params_dir)
    for q in periods:
        if q not in files:
            problems.append(Problem(display_path(params_dir / f"{q.slug}.yml"), None, None, missing_params(params_dir, q)))
    params, found = check_params_folder(params_dir, display_path, before=periods[-1] + 1)
    problems += found
    if data is None or any(p.severity == "error" for p in problems):
        raise DataContractError(problems)

    templates, problems = find_templates(project.notebooks)
    plans = list(data.plans.index)
    # Relative even outside the current directory: provenance must read the same on every machine.
    prefix = relative_path(data_dir, os.curdir)
    data_inputs = reuse.quarter_inputs(data, prefix)
    given_inputs = reuse.quarter_inputs(data, prefix, commentary_text=False)
    plan_inputs = reuse.plan_inputs(data, prefix)
    quarter_plans = []
    for q in periods:
        folder = project.report_folder(q)
        path = files[q]
        extra = dict(params[q].parameters)
        lines = parameter_lines(path)
        for name in extra:
            if name in BUILTIN_PARAMETERS:
                problems.append(
                    Problem(display_path(path), lines.get(name), f"parameters.{name}", f"pm run sets '{name}' itself; remove it")
                )
        extra = {name: value for name, value in extra.items() if name not in BUILTIN_PARAMETERS}
        locations = {"data_dir": relative_path(data_dir, folder), "params_dir": relative_path(params_dir, folder)}
        params_inputs = {relative_path(p, os.curdir): sha256(p) for earlier, p in files.items() if earlier <= q}
        runs = []
        for template in templates:
            shown_to = {"audience": audience or params[q].audience} if "audience" in template.parameters else {}
            if audience == "internal" and not shown_to:
                message = (
                    "does not declare 'audience', so it cannot be run for the internal audience; add audience = None to its parameters cell"
                )
                problems.append(Problem(template.display, None, "audience", message))
            supplied = {"quarter": q.slug} | ({"plan_id": ""} if template.per_plan else {}) | shown_to | locations | extra
            problems += check_parameters(template, supplied, {name: lines.get(name) for name in extra}, display_path(path), q.code)
            for plan_id in plans if template.per_plan else [None]:
                parameters = supplied | {"plan_id": plan_id} if plan_id else supplied
                if plan_id:
                    reads = plan_inputs[plan_id]
                else:
                    reads = given_inputs if template.commentary_whether_given else data_inputs
                reads = reads | params_inputs
                inputs = dict(sorted((reads | {relative_path(template.path, os.curdir): template.digest}).items()))
                runs.append(NotebookRun(q, template, plan_id, template.output_name(plan_id), parameters, inputs))
        quarter_plans.append(QuarterPlan(q, folder, tuple(runs), data_inputs | params_inputs))
        problems += name_clashes([(run.name, run.template) for run in runs], display_path(folder))
    if any(p.severity == "error" for p in problems):
        raise NotebookError(sort_problems(list(dict.fromkeys(problems))))
    commit, modified = source_state(project.notebooks)
    return RunPlan(tuple(quarter_plans), project, commit, modified, reuse.code_digest(), tuple(data.warnings))
