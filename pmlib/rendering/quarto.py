"""The Quarto path: the same sources rendered by Quarto 1.6+ for councils that have it.

Quarto renders the website profile from ``_quarto.yml`` and, per quarter, a
pack document that embeds the executed notebooks' cells by id with the
``pmlib-pack`` Typst format in ``_extensions/``: the same template the
built-in renderer compiles. Nothing is executed: Quarto only reads outputs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pmlib.contract.periods import Period
from pmlib.errors import QuartoError
from pmlib.project import Project
from pmlib.rendering.documents import RAW_HTML
from pmlib.rendering.pack import write_quarto_source
from pmlib.views.wording import counted

FAMILY_VARIABLE = "PMLIB_FAMILY"


def quarto_environment(project: Project | None = None) -> dict[str, str]:
    """The environment Quarto runs in: this Python's scripts first on PATH, this Python as Quarto's, and the project's folders.

    Quarto runs the project's pre-render command ``pm pages`` from PATH, so a
    ``pm build`` started as ``.venv/bin/pm`` (as ``make build`` does), with
    the venv not activated, must hand its own ``pm`` on; and a build given
    other folders (``--data DIR``) hands them on too, so the pages Quarto's
    steps write come from the same data.
    """
    scripts = str(Path(sys.executable).parent)
    folders = project.folder_variables() if project is not None else {}
    path = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    env = {**os.environ, **folders, "PATH": path, "QUARTO_PYTHON": sys.executable}
    env.pop(FAMILY_VARIABLE, None)
    if project is not None and project.family:  # a council of a shared service: the filter family.lua shows the links
        env[FAMILY_VARIABLE] = json.dumps([list(link) for link in project.family])
    return env


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def quarto_warnings(output: str) -> list[str]:
    """Quarto's and Typst's warnings in what Quarto printed, each once, in order, without colour codes."""
    lines = (_ANSI.sub("", line).strip() for line in output.splitlines())
    return list(dict.fromkeys(line for line in lines if line.startswith(("WARN", "WARNING", "warning:"))))


def _quarto(args: list[str], project: Project, say: Callable[[str], None]) -> None:
    env = quarto_environment(project)
    done = subprocess.run(["quarto", *args], cwd=project.root, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise QuartoError(f"quarto {' '.join(args)} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    for warning in quarto_warnings(done.stdout + done.stderr):
        say(f"Quarto: {warning}")


def notebook_for_quarto(notebook_json: str) -> str:
    """An executed notebook as Quarto's website reads it (the project's ``ipynb-filters`` step, ``pm quarto-notebook``).

    Each HTML output (a table, a chart) becomes a Markdown output holding the
    same HTML as a raw block, which is how the built-in renderer reads it too.
    Quarto adds RequireJS and jQuery from a CDN to every page whose notebook
    has an HTML output, for widgets; the site has none, and must load nothing
    from elsewhere. An empty Markdown cell goes first: Quarto takes a heading
    that opens the first Markdown cell as the page's title and removes it from
    the page, and the notebooks' first one is a section heading; the title is
    the first level-one heading, which the project's filter
    (``_extensions/pmlib-site/page-title.lua``) makes the title, as the
    built-in renderer does. Everything else is left as it is.
    """
    notebook = json.loads(notebook_json)
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
            html = data.get("text/html")
            if html is None:
                continue
            html = "".join(html) if isinstance(html, list) else html
            fence = "````" if "```" in html else "```"
            plain = {k: v for k, v in data.items() if k == "text/plain"}
            output["data"] = {"text/markdown": f"{fence}{RAW_HTML}\n{html.strip()}\n{fence}", **plain}
    notebook["cells"].insert(0, {"cell_type": "markdown", "id": "pmlib-no-title", "metadata": {}, "source": ""})
    return json.dumps(notebook, ensure_ascii=False)


QUARTO_ASSETS = "assets"  # in the pages folder, where _extensions/pmlib-site/charts.lua finds them


def write_quarto_assets(pages_dir: Path) -> list[Path]:
    """What Quarto's pages share with the built-in site's, in ``pages_dir/assets/``: Vega, the scripts, outputs.css and the favicon.

    A file already holding the same bytes is left alone, so ``quarto
    preview`` sees no change when nothing changed.
    """
    from importlib import resources

    from pmlib.rendering.site import OUTPUTS_CSS, VEGA_BUNDLE, kept_vega_bundle, outputs_stylesheet

    folder = pages_dir / QUARTO_ASSETS
    folder.mkdir(parents=True, exist_ok=True)
    assets = resources.files("pmlib.rendering") / "assets"
    files = {
        "charts.js": (assets / "charts.js").read_bytes(),
        "dashboard.js": (assets / "dashboard.js").read_bytes(),
        "search.js": (assets / "search.js").read_bytes(),
        OUTPUTS_CSS: outputs_stylesheet(),
        "favicon.svg": (assets / "favicon.svg").read_bytes(),
        VEGA_BUNDLE: kept_vega_bundle().encode("utf-8"),
    }
    for name, data in files.items():
        path = folder / name
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    return [folder / name for name in files]


PACK_SOURCES = "packs"  # in the pages folder: one Quarto document per quarter's pack, for the pack profile


def pack_source(quarter: Period, project: Project) -> Path:
    """Where a quarter's pack is written as a Quarto document: ``pages/packs/<slug>.qmd``."""
    return project.pages / PACK_SOURCES / f"{quarter.slug}.qmd"


def write_pack_sources(quarters: list[Period], project: Project) -> list[Path]:
    """Each quarter's pack as a Quarto document (``pack_source``), which the pack profile renders."""
    return [write_quarto_source(q, project, out_qmd=pack_source(q, project)) for q in quarters]


def render_with_quarto(
    project: Project, everything: list[Period], partial: Path, say: Callable[[str], None]
) -> tuple[list[Path], list[Path]]:
    """Render the website and every quarter's pack with Quarto into ``partial``, the folder the site is built in.

    The website profile's pre-render step, ``pm pages`` with this project's
    folders, writes the pages, the assets and the packs' documents first.
    """
    say(f"Rendering the website ({counted(len(everything), 'quarter')}) with Quarto")
    _quarto(["render", "--profile", "website", "--output-dir", str(partial.resolve())], project, say)
    packs = []
    for q in everything:
        say(f"Typesetting the Cabinet pack for {q.code} with Quarto")
        source = pack_source(q, project)
        _quarto(["render", str(source.relative_to(project.root)), "--profile", "pack"], project, say)
        target = partial / "packs" / f"{q.slug}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        source.with_suffix(".pdf").replace(target)
        packs.append(target)
    pages = sorted(p for p in partial.rglob("*.html"))
    return pages, packs
