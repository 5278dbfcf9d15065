"""``pm run``: execute every notebook template for each report quarter, in parallel, and publish each quarter whole.

Everything that can be checked before a kernel starts is checked first
(``pmlib.run.planner``). Each quarter is then executed into a hidden sibling
folder and swapped in only when every notebook succeeded (see
``pmlib.publishing``), so a failed run never leaves a half-updated report
for nbval, Quarto or a reviewer to pick up.
A published report made from exactly the inputs and code a new run would use
is kept rather than executed again (see ``pmlib.run.reuse``).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from pmlib import __version__
from pmlib.contract.periods import Period, parse_quarter
from pmlib.cores import usable_cores
from pmlib.errors import PmlibError, Problem
from pmlib.project import Project
from pmlib.publishing import fresh_partial, partial_folder, swap_in, sweep
from pmlib.run import reuse, warm_kernels, workers
from pmlib.run.kernels import Outcome, execute
from pmlib.run.notebook_files import describe_failure, describe_leak, display_path, relative_path
from pmlib.run.planner import NotebookRun, QuarterPlan, RunPlan, plan_run
from pmlib.run.warm_start import likely_to_execute

CHART_CACHE = ".pmlib-cache/charts"  # under the project's root; PMLIB_CHART_STORE names another folder, or "off"


@dataclass(frozen=True)
class QuarterResult:
    """What happened to one quarter: the notebooks now in its folder (each executed or reused), or why it was left as it was."""

    quarter: Period
    folder: Path
    written: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    executed: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()

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

    @property
    def executed(self) -> tuple[str, ...]:
        """``<slug>/<notebook>`` of every notebook executed, so a caller can tell whether anything changed."""
        return tuple(f"{q.quarter.slug}/{name}" for q in self.quarters for name in q.executed)


def run_quarters(
    quarters: Iterable[str | Period],
    project: Project,
    *,
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
    audience: str | None = None,
    force: bool = False,
    meanwhile: Callable[[], None] | None = None,
) -> RunResult:
    """Check, execute and publish the notebooks of each quarter; see ``plan_run`` for what is raised before anything runs.

    ``echo`` gets one line per quarter as it finishes. A failed quarter does
    not stop the others; the result says which failed and why. A published
    report made from the same inputs and code is kept unless ``force``. What
    a run killed half way left in the reports folder is removed first.
    """
    sweep(project.reports)
    if force or _likely_to_execute(quarters, project):
        warm_kernels.start(wait=False)
        check_ahead(quarters, project)
        workers.start_ahead()
    plan = plan_run(quarters, project, audience=audience)
    return execute_plan(plan, jobs=jobs, progress=progress, echo=echo, force=force, meanwhile=meanwhile)


def _likely_to_execute(quarters: Iterable[str | Period], project: Project) -> bool:
    """``warm_start.likely_to_execute`` for the quarters asked for; a quarter that cannot be read is left for ``plan_run`` to report."""
    try:
        slugs = [(q if isinstance(q, Period) else parse_quarter(q)).slug for q in quarters]
    except (ValueError, PmlibError):
        return True
    return likely_to_execute(project, slugs)


def check_ahead(quarters: Iterable[str | Period], project: Project, *, waiting: bool = False) -> None:
    """Have a warm server already running check the data folder now, as the kernels will name it, while ``plan_run`` checks it here.

    The kernels' ``quarter_report`` then finds it checked (``pmlib.contract.memo``
    keys it on the folder as named and as it stands, so a folder changed
    in between is checked again, each file read again only if it changed).
    Each quarter's reports folder is where its kernels run, beside it; a
    quarter without one yet is left to the kernels. A server still starting
    is not asked, unless ``waiting``: a process between builds waits for its
    new server to listen (``warm_kernels.prepare``), so that the next edit's
    check reads the changed file alone.
    """
    try:
        folder = project.report_folder(max(q if isinstance(q, Period) else parse_quarter(q) for q in quarters))
    except (ValueError, PmlibError):
        return
    if folder.is_dir():
        data_dir = relative_path(project.data, folder)
        ask = warm_kernels.prepare if waiting else warm_kernels.prepare_if_running
        ask(str(folder.resolve()), "pmlib.contract.loading", "check_data", [data_dir])


def _provenance(plan: RunPlan, run: NotebookRun) -> dict[str, Any]:
    return {
        "parameters": run.parameters,
        "pmlib_version": __version__,
        reuse.CODE_DIGEST: plan.code_digest,
        "source_commit": plan.source_commit,
        "source_modified": plan.source_modified,
        "inputs": run.inputs,
    }


def reusable_reports(plan: RunPlan, qp: QuarterPlan) -> tuple[str, ...]:
    """The quarter's published notebooks that record exactly this run's provenance: the ones ``execute_plan`` keeps."""
    return tuple(run.name for run in qp.runs if reuse.reusable(qp.folder / run.name, _provenance(plan, run)))


def execute_plan(
    plan: RunPlan,
    *,
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
    force: bool = False,
    meanwhile: Callable[[], None] | None = None,
) -> RunResult:
    """Execute a checked plan in a pool of worker processes and publish each quarter whose notebooks all succeed.

    Reports that can be kept are copied into the new folder, so a quarter is
    still swapped in whole; a quarter whose folder already holds exactly its
    kept reports is left untouched. ``force`` executes everything.
    ``meanwhile`` is called as the first notebook starts, and only if one
    does, for the caller's own work to overlap the notebooks (``pm build``
    starts judging the quarters its pages need).
    """
    reused = {qp.quarter: () if force else reusable_reports(plan, qp) for qp in plan.quarters}
    results: dict[Period, QuarterResult] = {}
    pending = []
    for qp in plan.quarters:
        names = tuple(run.name for run in qp.runs)
        if reused[qp.quarter] == names and qp.folder.is_dir() and sorted(p.name for p in qp.folder.iterdir()) == sorted(names):
            _clear_failed(plan.project.failed_folder(qp.quarter))
            results[qp.quarter] = QuarterResult(qp.quarter, qp.folder, written=names, reused=names)
            if echo:
                echo(_summary(qp, results[qp.quarter], untouched=True))
        else:
            pending.append(qp)
    # Same depth as reports/<slug>/, so the relative data_dir and params_dir work from both.
    partials = {qp.quarter: partial_folder(qp.folder) for qp in pending}
    try:
        for qp in pending:
            partial = fresh_partial(qp.folder)
            for name in reused[qp.quarter]:
                shutil.copyfile(qp.folder / name, partial / name)
        tasks = [(qp, run) for qp in pending for run in qp.runs if run.name not in reused[qp.quarter]]
        for qp in pending:  # every notebook kept: nothing to wait for
            if len(reused[qp.quarter]) == len(qp.runs):
                results[qp.quarter] = _published(plan, qp, partials[qp.quarter], {}, reused[qp.quarter], echo)
        if tasks:
            if meanwhile is not None:
                meanwhile()
            _run_tasks(plan, tasks, partials, reused, results, jobs=jobs, progress=progress, echo=echo)
    finally:
        for partial in partials.values():
            shutil.rmtree(partial, ignore_errors=True)
    return RunResult(tuple(results[qp.quarter] for qp in plan.quarters if qp.quarter in results), plan.warnings)


def _run_tasks(plan, tasks, partials, reused, results, *, jobs, progress, echo) -> None:
    """Execute ``tasks`` several at a time in the kept pool of workers, finishing each quarter as its last notebook comes back."""
    outcomes: dict[Period, dict[str, Outcome]] = {qp.quarter: {} for qp, _ in tasks}
    # The workers fork their kernels from one warm server, started here so they share it.
    warm_kernels.start()
    for qp, call in _report_calls(tasks, partials):
        warm_kernels.prepare(str(partials[qp.quarter].resolve()), "pmlib.views.preparing", "prepared_report", call)
    bar = tqdm(total=len(tasks), unit="notebook", file=sys.stderr, disable=None if progress else True, desc="pm run")
    # The charts drawn are kept for the project, so a notebook executed again redraws only the charts that changed.
    pool = worker_pool(plan.project, jobs)
    waiting, running = deque(tasks), {}

    def start_next() -> None:
        qp, run = waiting.popleft()
        cwd = partials[qp.quarter].resolve()
        args = (str(run.template.path.resolve()), str(cwd / run.name), str(cwd), run.parameters)
        running[workers.submit(pool, execute, *args, run.template.cell_ids, _provenance(plan, run))] = (qp, run)

    try:
        for _ in range(notebooks_at_once(len(tasks), jobs)):
            start_next()
        while running:
            for future in wait(running, return_when=FIRST_COMPLETED).done:
                qp, run = running.pop(future)
                if waiting:
                    start_next()
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker process that crashed takes its notebook with it
                    outcome = Outcome(f"the worker process running it stopped ({type(exc).__name__}: {exc})")
                outcomes[qp.quarter][run.name] = outcome
                bar.update(1)
                if len(outcomes[qp.quarter]) + len(reused[qp.quarter]) == len(qp.runs):
                    with tqdm.external_write_mode(file=sys.stderr):
                        results[qp.quarter] = _published(plan, qp, partials[qp.quarter], outcomes[qp.quarter], reused[qp.quarter], echo)
    except BaseException:
        for future in running:  # on Ctrl-C, start no more notebooks
            future.cancel()
        workers.discard(pool)
        raise
    finally:
        bar.close()


def notebooks_at_once(notebooks: int, jobs: int | None) -> int:
    """How many of ``notebooks`` run side by side: ``jobs``; else one per core, or all when that is one more than the cores.

    The kernels do the work and the workers mostly wait for them, so a
    notebook more than the cores costs no more CPU time. An edit executes
    three notebooks (its plan's and the two quarter-wide ones); two cores
    running two at a time left the third to run alone at the end while a
    core idled (a third of a second of a figure edit). A cold build's eight
    at once took longer than two at a time, and three at a time too, so more
    notebooks than that run one per core.
    """
    if jobs:
        return min(notebooks, jobs)
    cores = usable_cores()
    return notebooks if notebooks <= cores + 1 else cores


def worker_count(jobs: int | None) -> int:
    """How many worker processes ``worker_pool`` has: ``jobs``, or one more than the cores (``notebooks_at_once``)."""
    return max(1, jobs or usable_cores() + 1)


def worker_pool(project: Project, jobs: int | None) -> ProcessPoolExecutor:
    """The kept pool of ``worker_count(jobs)`` worker processes that executes the project's notebooks."""
    return workers.pool(worker_count(jobs), chart_folder(project))


def chart_folder(project: Project) -> str:
    """Where the project's drawn charts are kept (``pmlib.views.chart_store``)."""
    return str((project.root / CHART_CACHE).resolve())


def _report_calls(tasks, partials) -> list[tuple[QuarterPlan, list]]:
    """Each quarter's ``quarter_report(quarter, data_dir, params_dir, audience)`` as its notebooks' parameters make it, once each.

    The warm server makes these calls before forking the quarter's kernels,
    so the data is checked and the quarter judged once, not in every kernel.
    A notebook that calls it otherwise simply does the work itself; a joint
    report (``pmlib.run.joint_run``), which names no data folder, is not prepared.
    """
    calls = {}
    for qp, run in tasks:
        p = run.parameters
        if "data_dir" not in p:
            continue
        call = [p.get("quarter"), p.get("data_dir"), p.get("params_dir"), p.get("audience")]
        calls.setdefault((qp.quarter, json.dumps(call)), (qp, call))
    return list(calls.values())


def _published(plan, qp, partial, outcomes, reused, echo) -> QuarterResult:
    result = _finish(plan, qp, partial, outcomes, reused)
    if echo:
        echo(_summary(qp, result))
    return result


def _clear_failed(failed_dir: Path) -> None:
    shutil.rmtree(failed_dir, ignore_errors=True)
    if failed_dir.parent.is_dir() and not any(failed_dir.parent.iterdir()):
        failed_dir.parent.rmdir()


def _finish(plan: RunPlan, qp: QuarterPlan, partial: Path, outcomes: dict[str, Outcome], reused: tuple[str, ...]) -> QuarterResult:
    """Publish the quarter if every notebook succeeded; otherwise keep the failures aside and leave the old folder alone."""
    failed_dir = plan.project.failed_folder(qp.quarter)
    shutil.rmtree(failed_dir, ignore_errors=True)
    executed = [run for run in qp.runs if run.name in outcomes]
    problems = []
    for run in executed:
        outcome = outcomes[run.name]
        if outcome.error is not None:
            kept = _keep(partial / run.name, failed_dir)
            problems.append(describe_failure(run.template, _where(run), outcome.error, outcome.cell, died=outcome.died, kept=kept))
    if not problems:
        for run in executed:
            if leaks := outcomes[run.name].leaks:
                kept = _keep(partial / run.name, failed_dir)
                problems += [describe_leak(run.template, _where(run), cell, word, kept) for cell, word in leaks]
    if problems:
        shutil.rmtree(partial, ignore_errors=True)
        for folder in (failed_dir, failed_dir.parent):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return QuarterResult(qp.quarter, qp.folder, problems=tuple(problems))
    swap_in(partial, qp.folder)
    if failed_dir.parent.is_dir() and not any(failed_dir.parent.iterdir()):
        failed_dir.parent.rmdir()
    names = tuple(run.name for run in qp.runs)
    return QuarterResult(qp.quarter, qp.folder, written=names, executed=tuple(run.name for run in executed), reused=reused)


def _keep(path: Path, failed_dir: Path) -> str | None:
    if not path.is_file():
        return None
    failed_dir.mkdir(parents=True, exist_ok=True)
    return display_path(path.replace(failed_dir / path.name))


def _where(run: NotebookRun) -> str:
    return run.quarter.code + (f", plan {run.plan_id}" if run.plan_id else "")


def _summary(qp: QuarterPlan, result: QuarterResult, *, untouched: bool = False) -> str:
    folder = display_path(qp.folder)
    if not result.ok:
        return f"{qp.quarter.code}: FAILED ({len(result.problems)} problem(s)); {folder} left as it was"
    counts = f"{len(result.executed)} notebook(s) executed, {len(result.reused)} reused"
    return f"{qp.quarter.code}: {counts}; {folder} is up to date" if untouched else f"{qp.quarter.code}: {counts}, written to {folder}"
