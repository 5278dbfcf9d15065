"""``pm build``: check, run and render, and publish the result whole.

The site is built in a hidden sibling of the output folder and swapped in
only when every part succeeded (see ``pmlib.publishing``), so a failed build
leaves the previous ``_site/`` exactly as it was: the public never sees half
a quarter.

A build repeats no work whose inputs are unchanged: notebooks are kept by
``pm run`` (see ``pmlib.run.reuse``), a site whose manifest lists the same
inputs, code and renderer is left as it is, and a quarter's Cabinet pack is
copied from the previous site when its own inputs are unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pmlib.contract.params_folder import params_files
from pmlib.contract.periods import Period, parse_quarter
from pmlib.cores import usable_cores
from pmlib.errors import BuildError, ConfigError
from pmlib.project import Project
from pmlib.publishing import publishing, sweep
from pmlib.rendering.manifest import read_manifest, site_is_current, write_manifest
from pmlib.run import reuse
from pmlib.run.execution import RunResult, chart_folder, run_quarters, worker_pool
from pmlib.run.notebook_files import display_path
from pmlib.views.wording import counted


@dataclass(frozen=True)
class BuildResult:
    """Where a build put things, for the command to print."""

    out_dir: Path
    renderer: str
    pages: tuple[Path, ...]
    packs: tuple[Path, ...]
    open_data: tuple[Path, ...]
    run: RunResult | None = None
    rendered: bool = True
    reused_packs: tuple[Path, ...] = ()


def choose_renderer(renderer: str) -> str:
    """``auto`` means Quarto when it is on PATH, otherwise the built-in renderer, which needs only pip packages."""
    if renderer == "auto":
        return "quarto" if shutil.which("quarto") else "builtin"
    if renderer == "quarto" and not shutil.which("quarto"):
        raise ConfigError("quarto is not on PATH; install Quarto 1.6 or later, or use --renderer builtin", column="--renderer")
    return renderer


def built_quarters(project: Project) -> list[Period]:
    """Quarters with a params file and executed reports: every one appears on the site and in the archive."""
    return [q for q in params_files(project.params) if (project.report_folder(q) / "overview.ipynb").is_file()]


def judge_ahead(quarters: Iterable[Period], project: Project, *, stop: threading.Event | None = None, pages: bool = True) -> None:
    """Judge each quarter the pages will publish, with what its open data reads, and write the measure pages, while the notebooks execute.

    A core is often idle then (while the warm server judges the quarter, or
    a last notebook runs alone), and the pages judge every quarter again in
    this process. ``quarter_report`` keeps each report keyed on the folders
    as they stand (``pmlib.contract.memo``), so the pages find these only if
    nothing changed since; what fails here fails again there, where it is
    reported. The feeds read every quarter's statuses; what only the open
    data reads is not worked out for a quarter whose open data is kept.

    The latest quarter's measure pages read no notebook (a chart a notebook
    drew is drawn the same here: ``Chart.drawn``), so those not kept are
    written and kept in the page store under what they were made from, where
    the pages find them if that is still what the folders hold. ``stop``,
    once set, ends the work at the next quarter, and ``pages=False`` writes
    no page (``read_ahead``, which must not open the chart store's and
    drawers' blocks beside a build's).
    """
    from pmlib.contract.loading import load_data
    from pmlib.contract.params_folder import report_params
    from pmlib.rendering.feeds import PLAN_PREFIX
    from pmlib.rendering.measure_pages import measure_pages
    from pmlib.rendering.page_store import PAGES, OpenDataStore, PageStore
    from pmlib.views.report import quarter_report

    try:
        data = load_data(project.data)
        quarters = sorted(quarters)
        latest = quarters[-1]
        kept = OpenDataStore.for_data(project.root / PAGES, data, project.params, quarters)
        for q in quarters:
            if stop is not None and stop.is_set():
                return
            report = quarter_report(report_params(project.params, q), project.data, project.params, data=data)
            if q == latest or not kept.has(q):  # the feeds read every quarter's statuses, the open data more
                for part in ("changes", "comparisons", "provenance"):
                    getattr(report, part)
        if pages and report.params.audience == "public" and not (stop is not None and stop.is_set()):
            store = PageStore.for_quarter(project.root / PAGES, data, project.params, latest)
            plans = {plan: project.report_folder(latest) / f"{PLAN_PREFIX}{plan}.ipynb" for plan in data.plans.index}
            with drawing_charts(project):
                measure_pages(report, project.pages, plans, store, {})
    except Exception:  # noqa: BLE001, S110 - the pages make the same calls and report the error
        pass


_building = threading.Event()  # set while this process builds, so that reading ahead between builds gives way


def read_ahead(project: Project) -> None:
    """Between builds, judge every quarter with reports and read their notebooks, keeping both as the next build would.

    For a process that builds again and again (``pm preview``, the build
    server) after a build that found its site current: that build judged
    nothing and read no notebook, so the first edit after it would judge
    every quarter and check every notebook's Markdown before its page
    showed (a quarter of a second of the first figure edit's 3.6 s on the
    demo). What is kept is keyed on the files as they
    stand (``pmlib.contract.memo``, ``pmlib.rendering.documents``), so an
    edit meanwhile only makes some of it unused. It stops when a build
    starts, which does the same work itself. It writes no measure page:
    the build that follows an edit writes those it needs. The warm server
    checks the data folder too, as the next build's kernels will: after an
    edit it then reads the changed file alone before it forks them (0.6 s
    of the first figure edit's 3 s on the demo, before any kernel started).
    """
    from pmlib.rendering.project import read_project
    from pmlib.rendering.site import read_sources
    from pmlib.run.execution import check_ahead

    quarters = built_quarters(project)
    if not quarters or _building.is_set():
        return
    check_ahead(quarters, project, waiting=True)
    judge_ahead(quarters, project, stop=_building, pages=False)
    root, reports, pages = (Path(os.path.abspath(p)) for p in (project.root, project.reports, project.pages))  # as render_site reads them
    with contextlib.suppress(Exception):  # the build reads the same files and reports what is wrong
        config = read_project(root, "website")
        for q in quarters:
            if _building.is_set():
                return
            read_sources(config, [q], root, reports, pages)


@contextlib.contextmanager
def drawing_charts(project: Project) -> Iterator[None]:
    """Charts taken from the project's chart store, and those not there drawn by the warm server's chart drawers, as the kernels' are.

    The measure pages show the charts the plan notebooks draw: sent to the
    same drawers, each is drawn once, whoever asks first, and no engine is
    started in this process (``pmlib.views.chart_drawer``).
    """
    from pmlib.run import warm_kernels
    from pmlib.views import chart_drawer, chart_store

    with chart_store.kept_in(chart_folder(project)), chart_drawer.drawing_at(warm_kernels.chart_drawers()):
        yield


def renderer_identity(renderer: str) -> str:
    """The renderer as the manifest records it: Quarto with its version, since another version can write other pages."""
    if renderer != "quarto":
        return renderer
    try:
        done = subprocess.run(["quarto", "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "quarto"
    return f"quarto {done.stdout.strip()}"


def pack_key(quarter: Period, project: Project) -> str:
    """What the built-in renderer makes a quarter's Cabinet pack from, as one sha256.

    The pack lays out the quarter's executed notebooks (whose own provenance
    pins the data they read) under a cover from the council's name, the
    params files and the plans' order, with the extension's Typst template
    and the fonts it embeds. If ``pmlib.rendering.pack`` comes to read more
    than that, it belongs here too.
    """
    from pmlib.rendering.pack import EXTENSION, font_dirs

    h = hashlib.sha256(f"code {reuse.code_digest()}\nrenderer builtin\n".encode())
    data = project.data
    files = [(f"reports/{p.name}", p) for p in sorted(project.report_folder(quarter).glob("*.ipynb"))]
    files += [(f"data/{name}", data / name) for name in ("council.yml", "plans.csv") if (data / name).is_file()]
    files += [(f"params/{p.name}", p) for q, p in params_files(project.params).items() if q <= quarter]
    extension = project.root / EXTENSION
    files += [(p.relative_to(project.root).as_posix(), p) for p in sorted(extension.rglob("*")) if p.is_file()]
    files += [(f"fonts/{p.name}", p) for d in font_dirs() for p in sorted(d.iterdir()) if p.is_file()]
    for label, path in files:
        h.update(f"{label} {hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()


def build(
    quarters: Iterable[str | Period],
    project: Project,
    *,
    renderer: str = "auto",
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
    force: bool = False,
) -> BuildResult:
    """Run the notebooks of ``quarters``, then render the site, packs and open data of every quarter with reports.

    The whole site is rendered again when anything changed, not only the
    quarters just run, because the archive and the navigation span every
    quarter. When nothing changed, nothing is written. ``force`` executes and
    renders everything. What a build killed half way left beside the output
    folder is removed first.
    """
    _building.set()
    try:
        return _build(quarters, project, renderer=renderer, jobs=jobs, progress=progress, echo=echo, force=force)
    finally:
        _building.clear()


def _build(quarters, project: Project, *, renderer: str, jobs: int | None, progress: bool, echo, force: bool) -> BuildResult:
    say = echo or (lambda _: None)
    quarters = [q if isinstance(q, Period) else parse_quarter(q) for q in quarters]
    out_dir = project.out
    renderer = choose_renderer(renderer)
    sweep(out_dir.parent)
    ahead = threading.Thread(target=judge_ahead, args=({*built_quarters(project), *quarters}, project), daemon=True, name="pmlib-judge")
    result = run_quarters(quarters, project, jobs=jobs, progress=progress, echo=echo, force=force, meanwhile=ahead.start)
    if ahead.is_alive():
        ahead.join()
    if not result.ok:
        lines = "\n".join(p.format() for p in result.problems)
        raise BuildError(f"the notebooks failed, so nothing was rendered and {out_dir} is unchanged:\n{lines}", problems=result.problems)
    everything = built_quarters(project)
    identity = renderer_identity(renderer)
    if not force and site_is_current(project, everything, renderer=identity):
        say(f"{display_path(out_dir)} is up to date: its manifest lists the same inputs, code and renderer; nothing rendered")
        return _unchanged(out_dir, renderer, result)
    from pmlib.rendering.data_pages import open_data_files

    previous = {} if force else read_manifest(out_dir)
    with publishing(out_dir) as partial:
        rendered = _render(renderer, everything, project, partial, say, previous, jobs)
        open_data = [partial / path for path in open_data_files(project.pages, everything).values()]  # the renderer published them
        write_manifest(partial, everything, project, renderer=identity, pack_keys=rendered.keys)
    moved = lambda paths: tuple(out_dir / p.relative_to(partial) for p in paths)  # noqa: E731
    pages = tuple(p for p in moved(rendered.pages) if p.suffix == ".html")  # the site's pages, as an unchanged build counts them
    return BuildResult(out_dir, renderer, pages, moved(rendered.packs), moved(open_data), result, reused_packs=moved(rendered.reused))


def _unchanged(out_dir: Path, renderer: str, result: RunResult) -> BuildResult:
    """The result of a build that found its site current, from the files its manifest lists."""
    from pmlib.views.open_data import OPEN_DATA_FILES

    outputs = [f["path"] for f in read_manifest(out_dir).get("outputs", [])]
    pages = tuple(out_dir / p for p in outputs if p.endswith(".html"))
    packs = tuple(out_dir / p for p in outputs if p.startswith("packs/") and p.endswith(".pdf"))
    open_data = tuple(out_dir / p for p in outputs if p.startswith("data/") and p.rsplit("/", 1)[-1] in OPEN_DATA_FILES)
    return BuildResult(out_dir, renderer, pages, packs, open_data, result, rendered=False)


def build_internal_packs(
    quarters: Iterable[str | Period],
    project: Project,
    *,
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
    force: bool = False,
) -> BuildResult:
    """The internal Cabinet pack of each quarter, restricted measures and small numbers included, and nothing public.

    The notebooks run for the internal audience into ``REPORTS/.internal/``
    (hidden, never committed, never on the website); the packs go to
    ``OUT/packs/`` (``project.out``: ``_internal`` from the command), which
    must not be the public site.
    """
    from pmlib.contract.params_folder import report_params
    from pmlib.rendering.pack import render_packs

    say = echo or (lambda _: None)
    quarters = [q if isinstance(q, Period) else parse_quarter(q) for q in quarters]
    out_dir, internal = project.out, project.internal()
    if (out_dir / "index.html").exists():
        message = "the folder holds a website; internal packs must not be published with it: choose another --out"
        raise BuildError(message, file=out_dir, column="--out")
    result = run_quarters(quarters, internal, jobs=jobs, progress=progress, echo=echo, audience="internal", force=force)
    if not result.ok:
        lines = "\n".join(p.format() for p in result.problems)
        raise BuildError(f"the notebooks failed, so no internal pack was made:\n{lines}", problems=result.problems)
    targets = []
    for q in quarters:
        say(f"Typesetting the internal Cabinet pack for {q.code}")
        params = report_params(project.params, q).model_copy(update={"audience": "internal"})
        targets.append((params, out_dir / "packs" / f"{q.slug}-internal.pdf"))
    packs = render_packs(targets, internal)
    return BuildResult(out_dir, "builtin", (), tuple(packs), (), result)


@dataclass(frozen=True)
class _Rendered:
    pages: list[Path]
    packs: list[Path]
    keys: dict[str, str]
    reused: list[Path]


def _render(renderer: str, everything: list[Period], project: Project, partial: Path, say, previous: dict, jobs: int | None) -> _Rendered:
    from pmlib.rendering.page_store import PAGES
    from pmlib.rendering.pages import write_pages

    out_dir = project.out
    if renderer == "quarto":
        from pmlib.rendering.quarto import render_with_quarto

        pages, packs = render_with_quarto(project, everything, partial, say)
        return _Rendered(pages, packs, {}, [])
    from pmlib.contract.loading import load_data
    from pmlib.rendering.background import Background, spare_cores
    from pmlib.rendering.pack import render_packs
    from pmlib.rendering.site import kept_vega_bundle, render_site
    from pmlib.rendering.site_files import publish_site_files

    old_keys = {q.get("quarter"): q.get("pack_key") for q in previous.get("quarters", []) if isinstance(q, dict)}
    old_hashes = {f.get("path"): f.get("sha256") for f in previous.get("outputs", []) if isinstance(f, dict)}
    packs, keys, reused, typeset = [], {}, [], []
    for q in everything:
        keys[q.slug] = key = pack_key(q, project)
        name = f"packs/{q.slug}.pdf"
        target, old = partial / name, out_dir / name
        if old_keys.get(q.code) == key and old.is_file() and hashlib.sha256(old.read_bytes()).hexdigest() == old_hashes.get(name):
            say(f"Cabinet pack for {q.code}: unchanged, kept from {display_path(out_dir)}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(old, target)
            reused.append(target)
        else:
            say(f"Typesetting the Cabinet pack for {q.code}")
            typeset.append((q, target))
        packs.append(target)
    # The packs and the Vega bundle need nothing the pages make, so worker processes make them meanwhile: the packs
    # shared among one per core of pm run's workers, which would otherwise sit idle once the website is written.
    pool = worker_pool(project, jobs) if spare_cores() else None
    shares = max(1, min(len(typeset), (jobs or usable_cores()) if pool else 1))
    with Background(pool=pool) as background:
        data = load_data(project.data)
        typesetting = [background.submit(render_packs, typeset[i::shares], project, data) for i in range(shares) if typeset[i::shares]]
        bundle = background.offer(kept_vega_bundle)  # by the worker after the packs, or here if wanted first
        with drawing_charts(project):
            write_pages(everything, project, page_store=project.root / PAGES)
        say(f"Rendering the website ({counted(len(everything), 'quarter')}) with the built-in renderer")
        pages = render_site(project, everything, out_dir=partial, vega_js=bundle.result)
        pages += publish_site_files(project, everything, partial)
        if not all(t.done() for t in typesetting):
            say("Waiting for the Cabinet packs")
        for part in typesetting:
            part.result()
    return _Rendered(list(pages), packs, keys, reused)
