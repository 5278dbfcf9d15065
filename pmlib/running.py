"""``pm run``: execute every notebook template for each report quarter, in parallel, and publish each quarter whole.

Everything that can be checked before a kernel starts is checked first: the
data, the params files and each notebook's parameters, all problems at once.
Each quarter is then executed into a hidden sibling folder and swapped in only
when every notebook succeeded, so a failed run never leaves a half-updated
report for nbval, Quarto or a reviewer to pick up.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.manager import AsyncKernelManager
from tqdm import tqdm

from pmlib import __version__
from pmlib.config import check_report_params
from pmlib.errors import ConfigError, DataContractError, NotebookError
from pmlib.loading import check_data
from pmlib.notebook_files import (
    Template,
    check_parameters,
    dead_cell,
    describe_failure,
    describe_leak,
    display_path,
    find_templates,
    name_clashes,
    normalise,
    parameter_lines,
    relative_path,
    sha256,
    source_state,
)
from pmlib.periods import Period, parse_quarter
from pmlib.problems import Problem, sort_problems
from pmlib.report import params_files

START_ATTEMPTS = 3
BUILTIN_PARAMETERS = ("quarter", "plan_id", "data_dir", "params_dir", "audience")
_kernel_dirs: list[str] = []


class IpcKernelManager(AsyncKernelManager):
    """A kernel that talks over files in its own folder instead of TCP ports.

    Kernels pick TCP ports by binding port 0 and releasing it, so kernels
    started together can pick the same port and die at start-up; a folder per
    kernel cannot collide.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.ipc_dir = tempfile.mkdtemp(prefix="pm-kernel-")
        _kernel_dirs.append(self.ipc_dir)
        self.transport = "ipc"
        self.ip = os.path.join(self.ipc_dir, "kernel")
        self.connection_file = os.path.join(self.ipc_dir, "kernel.json")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self.ipc_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts before asking a kernel to shut down; an idle kernel then logs a
        # misleading "KeyboardInterrupt caught in kernel" ERROR. Shutdown still kills a kernel that does not stop.
        if not self.shutting_down:
            await super()._async_interrupt_kernel()

    interrupt_kernel = _async_interrupt_kernel


@dataclass(frozen=True)
class NotebookRun:
    """One execution: a template for one quarter (and one delivery plan), with the parameters it is given."""

    quarter: Period
    template: Template
    plan_id: str | None
    name: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class QuarterPlan:
    """Everything to execute for one quarter, and the inputs its reports are made from."""

    quarter: Period
    folder: Path
    runs: tuple[NotebookRun, ...]
    inputs: dict[str, str]


@dataclass(frozen=True)
class RunPlan:
    """A checked run: nothing in it can fail for want of a parameter, a params file or valid data."""

    quarters: tuple[QuarterPlan, ...]
    reports_dir: Path
    source_commit: str | None
    source_modified: bool | None
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class QuarterResult:
    """What happened to one quarter: the notebooks now in its folder, or why it was left as it was."""

    quarter: Period
    folder: Path
    written: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the quarter's folder now holds this run's notebooks."""
        return not self.problems


@dataclass(frozen=True)
class RunResult:
    """Every quarter of a run; the run failed if any quarter did."""

    quarters: tuple[QuarterResult, ...]
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every quarter was published."""
        return all(q.ok for q in self.quarters)

    @property
    def problems(self) -> list[Problem]:
        """Every failure, quarter by quarter."""
        return [p for q in self.quarters for p in q.problems]


def default_jobs() -> int:
    """The cores this process may use, which a container or ``taskset`` can limit below the machine's count."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def select_quarters(params_dir: str | os.PathLike, quarter: str | None = None, *, every: bool = False) -> list[Period]:
    """The quarters a command asks for: one by code or slug, every quarter with a params file, or the latest."""
    if quarter is not None:
        return [parse_quarter(quarter)]
    files = params_files(params_dir)
    if not files:
        raise ConfigError(f"no params files in {params_dir}; add one per quarter, e.g. {Path(params_dir) / '2020-21-Q2.yml'}")
    return list(files) if every else [max(files)]


def plan_run(
    quarters: Iterable[str | Period],
    *,
    data_dir: str | os.PathLike = "data",
    params_dir: str | os.PathLike = "params",
    notebooks_dir: str | os.PathLike = "notebooks",
    reports_dir: str | os.PathLike = "reports",
    audience: str | None = None,
) -> RunPlan:
    """Check everything a run needs and list its notebook executions, running nothing.

    A template that declares ``audience`` gets the params file's (or
    ``audience`` when given); running for the internal audience needs every
    template to declare it, or a restricted measure could be left out unseen.

    Raises ``DataContractError`` for bad data or params files and
    ``NotebookError`` for notebooks that cannot be given their parameters,
    each with every problem found.
    """
    data_dir, params_dir, notebooks_dir, reports_dir = map(Path, (data_dir, params_dir, notebooks_dir, reports_dir))
    periods = sorted({q if isinstance(q, Period) else parse_quarter(q) for q in quarters})
    if not periods:
        raise ConfigError("no quarter to run; give a quarter, --latest or --all")
    data, problems = check_data(data_dir)
    files = params_files(params_dir)
    for q in periods:
        if q not in files:
            problems.append(
                Problem(display_path(params_dir / f"{q.slug}.yml"), None, None, f"file not found; create it to report {q.code}")
            )
    params = {}
    for q, path in files.items():
        if q <= periods[-1]:
            params[q], found = check_report_params(path, display_path(path))
            problems += found
    if data is None or any(p.severity == "error" for p in problems):
        raise DataContractError(problems)

    templates, problems = find_templates(notebooks_dir)
    plans = list(data.plans.index)
    # Relative even outside the current directory: provenance must read the same on every machine.
    data_inputs = {relative_path(data_dir / name, os.curdir): digest for name, digest in data.files.items()}
    quarter_plans = []
    for q in periods:
        folder = reports_dir / q.slug
        path = files[q]
        extra = dict(params[q].parameters)
        lines = parameter_lines(path)
        for name in extra:
            if name in BUILTIN_PARAMETERS:
                problems.append(
                    Problem(display_path(path), lines.get(name), f"parameters.{name}", f"pm run sets '{name}' itself; remove it")
                )
        extra = {name: value for name, value in extra.items() if name not in BUILTIN_PARAMETERS}
        dirs = {"data_dir": relative_path(data_dir, folder), "params_dir": relative_path(params_dir, folder)}
        runs = []
        for template in templates:
            shown_to = {"audience": audience or params[q].audience} if "audience" in template.parameters else {}
            if audience == "internal" and not shown_to:
                message = (
                    "does not declare 'audience', so it cannot be run for the internal audience; add audience = None to its parameters cell"
                )
                problems.append(Problem(template.display, None, "audience", message))
            supplied = {"quarter": q.slug} | ({"plan_id": ""} if template.per_plan else {}) | shown_to | dirs | extra
            problems += check_parameters(template, supplied, {name: lines.get(name) for name in extra}, display_path(path), q.code)
            for plan_id in plans if template.per_plan else [None]:
                parameters = supplied | {"plan_id": plan_id} if plan_id else supplied
                runs.append(NotebookRun(q, template, plan_id, template.output_name(plan_id), parameters))
        inputs = data_inputs | {relative_path(p, os.curdir): sha256(p) for earlier, p in files.items() if earlier <= q}
        quarter_plans.append(QuarterPlan(q, folder, tuple(runs), inputs))
        problems += name_clashes([(run.name, run.template) for run in runs], display_path(folder))
    if any(p.severity == "error" for p in problems):
        raise NotebookError(sort_problems(list(dict.fromkeys(problems))))
    commit, modified = source_state(notebooks_dir)
    return RunPlan(tuple(quarter_plans), reports_dir, commit, modified, tuple(data.warnings))


@dataclass(frozen=True)
class _Outcome:
    error: str | None = None
    cell: int | None = None
    died: bool = False


def _execute(template: str, output: str, cwd: str, parameters: dict[str, Any]) -> _Outcome:
    """Run one notebook in a worker process; failures come back as plain data, since papermill's exceptions may not pickle."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    # Failures are reported by pm run itself; papermill's log lines would only break the progress bar.
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            papermill.execute_notebook(
                template,
                output,
                parameters=parameters,
                kernel_name="python3",
                cwd=cwd,
                progress_bar=False,
                request_save_on_cell_execute=True,
                kernel_manager_class=IpcKernelManager,
                coalesce_streams=True,
            )
            return _Outcome()
        except PapermillExecutionError as exc:
            return _Outcome(f"{exc.ename}: {exc.evalue}", exc.cell_index)
        except Exception as exc:  # the saved notebook tells a start-up failure (no cell started) from a crash in a cell
            cell = dead_cell(output)
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
            if cell is not None:
                return _Outcome(error, cell, died=type(exc).__name__ == "DeadKernelError")
            if not isinstance(exc, (RuntimeError, TimeoutError, zmq.ZMQError)):
                return _Outcome(error)
            if attempt < START_ATTEMPTS:
                time.sleep(0.5 * attempt)
                continue
            hint = "check that the python3 kernel is installed (python -m ipykernel install --sys-prefix)"
            return _Outcome(f"the kernel did not start after {attempt} attempts ({error}); {hint}")
        finally:
            while _kernel_dirs:
                shutil.rmtree(_kernel_dirs.pop(), ignore_errors=True)
    raise AssertionError("unreachable")  # pragma: no cover


def run_quarters(
    quarters: Iterable[str | Period],
    *,
    data_dir: str | os.PathLike = "data",
    params_dir: str | os.PathLike = "params",
    notebooks_dir: str | os.PathLike = "notebooks",
    reports_dir: str | os.PathLike = "reports",
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
    audience: str | None = None,
) -> RunResult:
    """Check, execute and publish the notebooks of each quarter; see ``plan_run`` for what is raised before anything runs.

    ``echo`` gets one line per quarter as it finishes. A failed quarter does
    not stop the others; the result says which failed and why.
    """
    plan = plan_run(
        quarters, data_dir=data_dir, params_dir=params_dir, notebooks_dir=notebooks_dir, reports_dir=reports_dir, audience=audience
    )
    return execute_plan(plan, jobs=jobs, progress=progress, echo=echo)


def execute_plan(plan: RunPlan, *, jobs: int | None = None, progress: bool = False, echo: Callable[[str], None] | None = None) -> RunResult:
    """Execute a checked plan in a pool of worker processes and publish each quarter whose notebooks all succeed."""
    # Same depth as reports/<slug>/, so the relative data_dir and params_dir work from both.
    partials = {qp.quarter: qp.folder.parent / f".{qp.quarter.slug}.partial-{os.getpid()}" for qp in plan.quarters}
    for partial in partials.values():
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
    tasks = [(qp, run) for qp in plan.quarters for run in qp.runs]
    outcomes: dict[Period, dict[str, _Outcome]] = {qp.quarter: {} for qp in plan.quarters}
    results: dict[Period, QuarterResult] = {}
    # spawn, not fork or forkserver: each worker starts from this process's current environment and imports.
    context = multiprocessing.get_context("spawn")
    bar = tqdm(total=len(tasks), unit="notebook", file=sys.stderr, disable=None if progress else True, desc="pm run")
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs or default_jobs(), len(tasks))), mp_context=context)
    try:
        futures = {}
        for qp, run in tasks:
            cwd = partials[qp.quarter].resolve()
            futures[pool.submit(_execute, str(run.template.path.resolve()), str(cwd / run.name), str(cwd), run.parameters)] = (qp, run)
        for future in as_completed(futures):
            qp, run = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # a worker process that crashed takes its notebook with it
                outcome = _Outcome(f"the worker process running it stopped ({type(exc).__name__}: {exc})")
            outcomes[qp.quarter][run.name] = outcome
            bar.update(1)
            if len(outcomes[qp.quarter]) == len(qp.runs):
                results[qp.quarter] = result = _finish(plan, qp, partials[qp.quarter], outcomes[qp.quarter])
                if echo:
                    with tqdm.external_write_mode(file=sys.stderr):
                        echo(_summary(qp, result))
    finally:
        pool.shutdown(cancel_futures=True)  # on Ctrl-C, start no more notebooks
        bar.close()
        for partial in partials.values():
            shutil.rmtree(partial, ignore_errors=True)
    return RunResult(tuple(results[qp.quarter] for qp in plan.quarters if qp.quarter in results), plan.warnings)


def _finish(plan: RunPlan, qp: QuarterPlan, partial: Path, outcomes: dict[str, _Outcome]) -> QuarterResult:
    """Publish the quarter if every notebook succeeded; otherwise keep the failures aside and leave the old folder alone."""
    failed_dir = plan.reports_dir / ".failed" / qp.quarter.slug
    shutil.rmtree(failed_dir, ignore_errors=True)
    problems = []
    for run in qp.runs:
        outcome = outcomes[run.name]
        if outcome.error is not None:
            kept = _keep(partial / run.name, failed_dir)
            problems.append(describe_failure(run.template, _where(run), outcome.error, outcome.cell, died=outcome.died, kept=kept))
    if not problems:
        problems = [p for run in qp.runs for p in _normalise(plan, qp, run, partial / run.name, failed_dir)]
    if problems:
        shutil.rmtree(partial, ignore_errors=True)
        for folder in (failed_dir, failed_dir.parent):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return QuarterResult(qp.quarter, qp.folder, problems=tuple(problems))
    old = qp.folder.parent / f".{qp.quarter.slug}.old-{os.getpid()}"
    if qp.folder.exists():
        qp.folder.rename(old)
    try:
        partial.rename(qp.folder)
    except OSError:
        if old.exists():
            old.rename(qp.folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
    if failed_dir.parent.is_dir() and not any(failed_dir.parent.iterdir()):
        failed_dir.parent.rmdir()
    return QuarterResult(qp.quarter, qp.folder, written=tuple(run.name for run in qp.runs))


def _keep(path: Path, failed_dir: Path) -> str | None:
    if not path.is_file():
        return None
    failed_dir.mkdir(parents=True, exist_ok=True)
    return display_path(path.replace(failed_dir / path.name))


def _normalise(plan: RunPlan, qp: QuarterPlan, run: NotebookRun, path: Path, failed_dir: Path) -> list[Problem]:
    provenance = {
        "parameters": run.parameters,
        "pmlib_version": __version__,
        "source_commit": plan.source_commit,
        "source_modified": plan.source_modified,
        "inputs": dict(sorted((qp.inputs | {relative_path(run.template.path, os.curdir): run.template.digest}).items())),
    }
    found = normalise(path, run.template, provenance)
    kept = _keep(path, failed_dir) if found else None
    return [describe_leak(run.template, _where(run), cell, word, kept) for cell, word in found]


def _where(run: NotebookRun) -> str:
    return run.quarter.code + (f", plan {run.plan_id}" if run.plan_id else "")


def _summary(qp: QuarterPlan, result: QuarterResult) -> str:
    folder = display_path(qp.folder)
    if result.ok:
        return f"{qp.quarter.code}: {len(result.written)} notebook(s) written to {folder}"
    return f"{qp.quarter.code}: FAILED ({len(result.problems)} problem(s)); {folder} left as it was"
