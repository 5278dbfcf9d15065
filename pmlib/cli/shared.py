"""What ``pm check``, ``pm status``, ``pm run``, ``pm build`` and ``pm preview`` do for a shared service: a project with ``councils.yml``.

Each command takes ``--councils FILE`` and then works on every council and
the joint committee, or on one of them with ``--council ID``. Without it,
nothing here runs and a project is one council, exactly as before; a
``councils.yml`` in the current folder is not picked up by itself, so
``--data DIR`` always means the folder given.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from pmlib.cli.common import data_contents, print_problems, problems_of
from pmlib.errors import DataContractError, Problem
from pmlib.views.wording import counted

COUNCILS_HELP = "A shared service's councils.yml: every council and the joint committee (--data and --params are not read)."


def councils_option(command):
    """``--councils FILE``, for the commands that work on a whole shared service."""
    return click.option("--councils", "councils", default=None, type=click.Path(path_type=Path), help=COUNCILS_HELP)(command)


def council_option(command):
    """``--council ID``: one council (or ``joint``) of a shared service rather than all."""
    return click.option("--council", "only", default=None, help="With councils.yml: only this council's id, or 'joint'.")(command)


def councils_file(given: Path | None) -> Path | None:
    """The shared service's ``councils.yml`` as ``--councils`` gave it; None for a single council."""
    return given


def check_shared_project(path: Path, period=None, html_dir: Path | None = None) -> None:
    """``pm check --councils``: every council's data and params, the harmonisation of shared measures, the joint files.

    With a quarter (``period``), each council's data quality report too, as
    ``pm check --quarter`` makes it for that council alone, its page named by
    the council's id.
    """
    from pmlib.contract.councils import load_councils
    from pmlib.contract.harmonisation import check_shared

    services = load_councils(path)
    shared, problems = check_shared(services)
    if shared is None:
        raise DataContractError(problems)
    _, warnings = print_problems(problems)
    for council in services.councils:
        data = shared.councils[council.id]
        click.echo(f"{council.data}: OK: {data.council.name}: {data_contents(data)}")
    services_named = shared.shared["shared_service"].nunique()
    click.echo(
        f"{path}: OK: {len(shared.shared)} shared measures in {services_named} shared services, harmonised across "
        f"{len(services.councils)} councils; {len(shared.joint_targets)} joint targets; {warnings} warning(s)."
    )
    if period is None:
        return
    from pmlib.intake.data_quality import data_quality, write_quality_page

    for council in services.councils:
        found = data_quality(shared.councils[council.id], period, council.params)
        click.echo(f"{council.id}: {found.text()}")
        page = write_quality_page(found, (html_dir or Path("_internal") / "data-quality") / f"{council.id}-{found.quarter.slug}.html")
        click.echo(f"Data quality page for {council.id} (restricted measures included; not for publication): {page}")


def status_shared_project(path: Path, quarter: str | None, only: str | None, audience: str | None) -> None:
    """``pm status --councils``: each council's summary for the quarter (its latest without one), then the joint report's if it has one."""
    from pmlib.contract.councils import load_councils
    from pmlib.contract.harmonisation import load_shared
    from pmlib.contract.params_folder import params_files, report_params
    from pmlib.contract.periods import parse_quarter
    from pmlib.rendering.shared_site import JOINT, check_only
    from pmlib.views.joint_report import joint_report
    from pmlib.views.report import quarter_report

    services = load_councils(path)
    check_only(services, only)
    shared = load_shared(services)
    summaries = []
    for council in services.councils:
        if only in (None, council.id):
            params = report_params(council.params, quarter)
            params = params.model_copy(update={"audience": audience}) if audience else params
            summaries.append(quarter_report(params, council.data, council.params, data=shared.councils[council.id]).summary_text())
    joint = {} if services.joint_params is None else params_files(services.joint_params)
    if only in (None, JOINT):
        wanted = max(joint, default=None) if quarter is None else parse_quarter(quarter)
        if wanted in joint:
            summaries.append(joint_report(wanted, shared, audience).summary_text())
        else:
            which = "no joint report yet" if wanted is None else f"no joint report for {wanted.code}"
            summaries.append(
                f"{services.name}: {which}; add one to {services.joint_params or 'joint/params'} to report to the joint committee\n"
            )
    click.echo("\n".join(summaries), nl=False)


def run_shared_project(path: Path, quarter: str | None, every: bool, only: str | None, notebooks: Path, **options) -> bool:
    """``pm run --councils``: each council's notebooks as it would run them alone, then the joint reports; True if all succeeded."""
    from pmlib.contract.councils import load_councils
    from pmlib.contract.harmonisation import load_shared
    from pmlib.project import Project
    from pmlib.rendering.shared_site import JOINT, Selection, check_only, check_roots, council_project
    from pmlib.run.execution import run_quarters
    from pmlib.run.joint_run import run_joint

    services = load_councils(path)
    check_only(services, only)
    check_roots(services)
    shared = load_shared(services)
    selection = Selection(quarter, every)
    template = Project(notebooks=notebooks)
    ok = True
    for council in services.councils:
        if only not in (None, council.id):
            continue
        project = council_project(shared, council, template)
        result = run_quarters(selection.of(council.params), project, **options)
        print_problems(list(result.warnings) + result.problems)
        ok &= result.ok
    if only in (None, JOINT) and services.joint_params is not None:
        result = run_joint(selection.of_joint(services.joint_params), shared, notebooks, **options)
        print_problems(result.problems)
        ok &= result.ok
    return ok


def build_shared_project(path: Path, quarter: str | None, every: bool, only: str | None, notebooks: Path, **options) -> None:
    """``pm build --councils``: every council's site, the joint committee's pages and packs, and the landing page."""
    from pmlib.contract.councils import load_councils
    from pmlib.project import Project
    from pmlib.rendering.shared_site import Selection, build_shared

    services = load_councils(path)
    result = build_shared(Selection(quarter, every), services, Project(notebooks=notebooks), only=only, echo=click.echo, **options)
    for council_id, built in result.councils.items():
        click.echo(f"Website ({built.renderer} renderer): {built.out_dir / 'index.html'} ({len(built.pages)} pages)")
        for pack in built.packs:
            click.echo(f"Cabinet pack ({council_id}): {pack}")
    if result.joint_pages:
        click.echo(f"Joint committee: {result.out_dir / 'joint' / 'index.html'} ({counted(len(result.joint_pages), 'page')})")
    for pack in result.joint_packs:
        click.echo(f"Joint pack: {pack}")
    if result.joint_open_data:
        quarters = counted(len(result.joint_open_data), "quarter")
        click.echo(f"Joint open data: {result.out_dir / 'joint' / 'data'}/<quarter>/measures.csv ({quarters})")
    click.echo(f"Shared service's home page: {result.landing}")


def preview_shared_project(path: Path, notebooks: Path, renderer: str) -> tuple[Path, list[Path], Callable[[], list[Problem]]]:
    """``pm preview --councils``: the folder served, what is watched, and a build of every part's latest quarter returning its problems.

    councils.yml is read again at each build, so a council added or a folder
    renamed is built as ``pm build --councils`` would; what is watched is
    what it named when the preview started. The warm kernels and workers a
    build starts are kept for the next, as for one council.
    """
    from pmlib.contract.councils import load_councils
    from pmlib.project import Project
    from pmlib.rendering.shared_site import Selection, build_shared, site_folder

    services = load_councils(path)
    watched = [path, *(folder for c in services.councils for folder in (c.data, c.params))]
    watched += [f for f in (services.joint_params, services.joint_targets) if f is not None]
    template = Project(notebooks=notebooks)

    def rebuild() -> list[Problem]:
        return problems_of(lambda: build_shared(Selection(), load_councils(path), template, renderer=renderer, echo=click.echo))

    return site_folder(services), watched, rebuild
