"""``pm build`` for a shared service (``councils.yml``): each council's site as it would be alone, the joint committee's, a landing page.

Each council's folder (the one holding its ``data/``) is made a project of
its own: the Quarto project files and the extension are copied beside its
data, and its reports and generated pages are written there, exactly where
a council publishing alone has them. So a council's folder copied out on
its own builds the same site, and every stage (run, pages, both renderers,
packs, open data, reuse) is the single council's, unchanged. Its site goes
to ``_site/<council id>/``, with one line of links to the other sites.

The joint committee's reports (``pmlib.run.joint_run``) and pages
(``pmlib.rendering.joint_site``) go to ``_site/joint/`` and
``_site/packs/joint-<slug>.pdf``, and the landing page to ``_site/index.html``.
Each part is published whole as it is built, so a failure leaves the parts
not yet built as they were.
"""

from __future__ import annotations

import filecmp
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pmlib.contract.councils import CouncilFolders, SharedServices
from pmlib.contract.harmonisation import SharedData, load_shared
from pmlib.contract.params_folder import params_files, select_quarters
from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import BuildError, ConfigError
from pmlib.project import SITE, Project
from pmlib.rendering.building import BuildResult, build, choose_renderer
from pmlib.run.joint_run import run_joint

PROJECT_FILES = ("_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml")
EXTENSIONS = "_extensions"
JOINT = "joint"


@dataclass(frozen=True)
class Selection:
    """Which quarters a command asks for, as each part of a shared project reads it: one quarter, each part's latest, or all."""

    quarter: str | None = None
    every: bool = False

    def of(self, params_dir: Path) -> list[Period]:
        """This selection in one params folder; a quarter it lacks is asked for anyway, so the run says which file is missing."""
        return select_quarters(params_dir, self.quarter, every=self.every)

    def of_joint(self, params_dir: Path) -> list[Period]:
        """This selection among the joint reports: a quarter with no joint report is none, not an error."""
        files = params_files(params_dir)
        if self.quarter is not None:
            wanted = parse_quarter(self.quarter)
            return [wanted] if wanted in files else []
        return list(files) if self.every else ([max(files)] if files else [])


@dataclass(frozen=True)
class SharedBuild:
    """Where a shared service's build put things."""

    out_dir: Path
    councils: dict[str, BuildResult]
    joint_pages: tuple[Path, ...] = ()
    joint_packs: tuple[Path, ...] = ()
    joint_open_data: tuple[Path, ...] = ()
    landing: Path | None = None


def family(shared: SharedData, here: str) -> tuple[tuple[str, str], ...]:
    """The links on every page of the site ``here`` (a council id, or ``joint``): the landing page, each council's site, the joint reports.

    Paths are from that site's root (``_site/<here>/``); its own is ``index.html``.
    """
    own = lambda site: "index.html" if site == here else f"../{site}/index.html"  # noqa: E731
    links = [(shared.services.name, "../index.html")]
    links += [(shared.councils[c.id].council.short_name, own(c.id)) for c in shared.services.councils]
    if shared.services.joint_params is not None:
        links.append(("Joint committee", own(JOINT)))
    return tuple(links)


def council_root(council: CouncilFolders) -> Path:
    """The council's own project folder: the folder holding its data folder."""
    return council.data.parent


def site_folder(services: SharedServices) -> Path:
    """Where a shared service's site goes: ``_site/`` beside ``councils.yml``."""
    return services.root / SITE


def council_project(shared: SharedData, council: CouncilFolders, template: Project) -> Project:
    """The council as a single-council project rooted at its own folder, publishing to ``_site/<council id>/`` (``site_folder``)."""
    root = council_root(council)
    return Project(
        root=root,
        data=council.data,
        params=council.params,
        notebooks=template.notebooks,
        reports=root / "reports",
        out=site_folder(shared.services) / council.id,
        family=family(shared, council.id),
    )


def check_only(services: SharedServices, only: str | None) -> None:
    """``--council ID`` must name a council of ``councils.yml``, or ``joint``."""
    ids = [c.id for c in services.councils]
    if only is not None and only not in (*ids, JOINT):
        raise ConfigError(f"'{only}' is not a council of {services.file}; use one of {', '.join(ids)} or {JOINT}", column="--council")


def check_roots(services: SharedServices) -> None:
    """Each council needs a folder of its own to be a project in: two councils' data folders in one folder cannot be."""
    seen: dict[Path, str] = {}
    for council in services.councils:
        root = council_root(council).resolve()
        if root in seen or root == services.root.resolve():
            other = seen.get(root, "the shared project")
            message = (
                f"council '{council.id}' keeps its data in the same folder as {other}; give each council a folder of its own "
                f"(councils/{council.id}/data and councils/{council.id}/params)"
            )
            raise ConfigError(message, file=services.file, column="councils")
        seen[root] = council.id


def sync_project_files(template_root: Path, root: Path, names: tuple[str, ...] = PROJECT_FILES) -> None:
    """Copy the Quarto project's files (``names``) and extension into a council's folder, so it is a project like the template's.

    Only files that differ are written, and files the template no longer has
    are removed, so an unchanged council's site stays current.
    """
    for name in names:
        source, target = template_root / name, root / name
        if source.is_file() and not (target.is_file() and filecmp.cmp(source, target, shallow=False)):
            shutil.copyfile(source, target)
    source, target = template_root / EXTENSIONS, root / EXTENSIONS
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    for path in sorted(target.rglob("*"), reverse=True) if target.is_dir() else []:
        if path.is_file() and path.relative_to(target) not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for relative in sorted(wanted):
        src, dst = source / relative, target / relative
        if not (dst.is_file() and filecmp.cmp(src, dst, shallow=False)):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


def build_shared(
    selection: Selection,
    services: SharedServices,
    template: Project,
    *,
    only: str | None = None,
    renderer: str = "auto",
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
    force: bool = False,
) -> SharedBuild:
    """Build every council's site and the joint committee's (or ``only`` one of them: a council id or ``joint``), then the landing page.

    ``template`` is the project whose Quarto files, extension and notebook
    templates every council uses (the pmlib checkout); ``template.out`` is
    ignored: the site goes to ``_site/`` beside ``councils.yml``.
    """
    from pmlib.rendering.joint_site import build_joint, write_landing

    say = echo or (lambda _: None)
    check_only(services, only)
    check_roots(services)
    shared = load_shared(services)
    out_dir = site_folder(services)
    results: dict[str, BuildResult] = {}
    for council in services.councils:
        if only not in (None, council.id):
            continue
        project = council_project(shared, council, template)
        sync_project_files(template.root, project.root)
        say(f"{shared.councils[council.id].council.name}: building {out_dir / council.id}")
        results[council.id] = build(
            selection.of(council.params), project, renderer=renderer, jobs=jobs, progress=progress, echo=echo, force=force
        )
    built = SharedBuild(out_dir, results)
    if only in (None, JOINT) and services.joint_params is not None:
        quarters = selection.of_joint(services.joint_params)
        run = run_joint(quarters, shared, template.notebooks, jobs=jobs, progress=progress, echo=echo, force=force)
        if not run.ok:
            lines = "\n".join(p.format() for p in run.problems)
            raise BuildError(f"the joint report failed, so it was not published:\n{lines}", problems=run.problems)
        say(f"{shared.services.name}: building {out_dir / JOINT}")
        built = replace(built, **build_joint(shared, template, out_dir, family(shared, JOINT), renderer=choose_renderer(renderer), say=say))
    return replace(built, landing=write_landing(shared, out_dir))
