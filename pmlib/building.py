"""``pm build``: check, run and render, and publish the result whole.

The site is built in a hidden sibling of the output folder and swapped in
only when every part succeeded, so a failed build leaves the previous
``_site/`` exactly as it was: the public never sees half a quarter.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pmlib.errors import ConfigError, PmlibError
from pmlib.manifest import write_manifest
from pmlib.open_data import OPEN_DATA_FILES
from pmlib.periods import Period, parse_quarter
from pmlib.rendering.data_pages import OPEN_DATA_DIR
from pmlib.report import params_files
from pmlib.running import run_quarters


class BuildError(PmlibError):
    """A build step failed; the previous output folder is unchanged."""


@dataclass(frozen=True)
class BuildResult:
    """Where a build put things, for the command to print."""

    out_dir: Path
    renderer: str
    pages: tuple[Path, ...]
    packs: tuple[Path, ...]
    open_data: tuple[Path, ...]


def choose_renderer(renderer: str) -> str:
    """``auto`` means Quarto when it is on PATH, otherwise the built-in renderer, which needs only pip packages."""
    if renderer == "auto":
        return "quarto" if shutil.which("quarto") else "builtin"
    if renderer == "quarto" and not shutil.which("quarto"):
        raise ConfigError("--renderer quarto: quarto is not on PATH; install Quarto 1.6 or later, or use --renderer builtin")
    return renderer


def built_quarters(reports_dir: Path, params_dir: Path) -> list[Period]:
    """Quarters with a params file and executed reports: every one appears on the site and in the archive."""
    return [q for q in params_files(params_dir) if (reports_dir / q.slug / "overview.ipynb").is_file()]


def _swap(new: Path, out_dir: Path) -> None:
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    if out_dir.exists():
        out_dir.rename(old)
    new.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def build(
    quarters: Iterable[str | Period],
    *,
    data_dir: str | os.PathLike = "data",
    params_dir: str | os.PathLike = "params",
    notebooks_dir: str | os.PathLike = "notebooks",
    reports_dir: str | os.PathLike = "reports",
    out_dir: str | os.PathLike = "_site",
    project_dir: str | os.PathLike = ".",
    renderer: str = "auto",
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
) -> BuildResult:
    """Run the notebooks of ``quarters``, then render the site, packs and open data of every quarter with reports.

    Everything is rendered again, not only the quarters just run, because the
    archive and the navigation span every quarter; rendering is cheap next to
    executing notebooks.
    """
    say = echo or (lambda _: None)
    quarters = [q if isinstance(q, Period) else parse_quarter(q) for q in quarters]
    data_dir, params_dir, reports_dir = Path(data_dir), Path(params_dir), Path(reports_dir)
    out_dir, project_dir = Path(out_dir), Path(project_dir)
    renderer = choose_renderer(renderer)
    result = run_quarters(
        quarters,
        data_dir=data_dir,
        params_dir=params_dir,
        notebooks_dir=notebooks_dir,
        reports_dir=reports_dir,
        jobs=jobs,
        progress=progress,
        echo=echo,
    )
    if not result.ok:
        lines = "\n".join(p.format() for p in result.problems)
        raise BuildError(f"the notebooks failed, so nothing was rendered and {out_dir} is unchanged:\n{lines}")
    everything = built_quarters(reports_dir, params_dir)
    partial = out_dir.with_name(f".{out_dir.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        pages, packs = _render(renderer, everything, data_dir, params_dir, reports_dir, project_dir, partial, say)
        open_data = _publish_open_data(everything, project_dir / "pages" / OPEN_DATA_DIR, partial / OPEN_DATA_DIR)
        folders = {"data_dir": data_dir, "params_dir": params_dir, "notebooks_dir": Path(notebooks_dir), "reports_dir": reports_dir}
        write_manifest(partial, everything, **folders)
        _swap(partial, out_dir)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    moved = lambda paths: tuple(out_dir / p.relative_to(partial) for p in paths)  # noqa: E731
    return BuildResult(out_dir, renderer, moved(pages), moved(packs), moved(open_data))


INTERNAL_REPORTS = ".internal"


def build_internal_packs(
    quarters: Iterable[str | Period],
    *,
    data_dir: str | os.PathLike = "data",
    params_dir: str | os.PathLike = "params",
    notebooks_dir: str | os.PathLike = "notebooks",
    reports_dir: str | os.PathLike = "reports",
    out_dir: str | os.PathLike = "_internal",
    project_dir: str | os.PathLike = ".",
    jobs: int | None = None,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
) -> BuildResult:
    """The internal Cabinet pack of each quarter, restricted measures and small numbers included, and nothing public.

    The notebooks run for the internal audience into ``REPORTS/.internal/``
    (hidden, never committed, never on the website); the packs go to
    ``OUT/packs/``, which must not be the public site.
    """
    from pmlib.rendering.pack import render_pack
    from pmlib.report import report_params

    say = echo or (lambda _: None)
    quarters = [q if isinstance(q, Period) else parse_quarter(q) for q in quarters]
    out_dir, reports_dir = Path(out_dir), Path(reports_dir) / INTERNAL_REPORTS
    if (Path(out_dir) / "index.html").exists():
        raise BuildError(f"{out_dir} holds a website; internal packs must not be published with it: choose another --out")
    kwargs = {"data_dir": data_dir, "params_dir": params_dir, "notebooks_dir": notebooks_dir, "reports_dir": reports_dir}
    result = run_quarters(quarters, **kwargs, jobs=jobs, progress=progress, echo=echo, audience="internal")
    if not result.ok:
        lines = "\n".join(p.format() for p in result.problems)
        raise BuildError(f"the notebooks failed, so no internal pack was made:\n{lines}")
    packs = []
    for q in quarters:
        say(f"Typesetting the internal Cabinet pack for {q.code}")
        params = report_params(params_dir, q).model_copy(update={"audience": "internal"})
        target = out_dir / "packs" / f"{q.slug}-internal.pdf"
        render_pack(params, reports_dir=reports_dir, data_dir=data_dir, params_dir=params_dir, project_dir=project_dir, out_pdf=target)
        packs.append(target)
    return BuildResult(out_dir, "builtin", (), tuple(packs), ())


def _publish_open_data(quarters: list[Period], source: Path, target: Path) -> list[Path]:
    """Each quarter's open data at ``data/<slug>/`` in the site, where the contract promises it.

    The built-in renderer has already put it there as a project resource;
    Quarto keeps the pages' folder in its paths, so it is copied across.
    """
    files = []
    for q in quarters:
        for name in OPEN_DATA_FILES:
            path = target / q.slug / name
            if not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / q.slug / name, path)
            files.append(path)
    return files


def _render(renderer, everything, data_dir, params_dir, reports_dir, project_dir, partial, say):
    from pmlib.rendering.pages import write_pages

    pages_dir = project_dir / "pages"
    write_pages(everything, data_dir, params_dir, pages_dir, reports_dir=reports_dir, project_dir=project_dir)
    if renderer == "quarto":
        from pmlib.rendering.quarto import render_with_quarto

        return render_with_quarto(project_dir, everything, partial, say, reports_dir=reports_dir, data_dir=data_dir, params_dir=params_dir)
    from pmlib.rendering.pack import render_pack
    from pmlib.rendering.site import render_site

    say(f"Rendering the website ({len(everything)} quarters) with the built-in renderer")
    pages = render_site(project_dir, everything, reports_dir=reports_dir, pages_dir=pages_dir, out_dir=partial)
    packs = []
    for q in everything:
        say(f"Typesetting the Cabinet pack for {q.code}")
        target = partial / "packs" / f"{q.slug}.pdf"
        render_pack(q, reports_dir=reports_dir, data_dir=data_dir, params_dir=params_dir, project_dir=project_dir, out_pdf=target)
        packs.append(target)
    return list(pages), packs
