"""The joint committee's pages and packs rendered by Quarto, for a shared service built with ``--renderer quarto``.

The joint folder (beside ``joint/params/``) is made a small Quarto project:
the template's extension, a website profile listing the joint site's home
page and the executed joint reports, and a pack profile with the same
``pmlib-pack`` Typst format as a council's pack. The pages' outputs pass
through ``pm quarto-notebook`` and the site's filters exactly as a council's
do, and carry the shared service's links (``family.lua``). The home page is
the Markdown the built-in renderer reads (``joint_index_markdown``).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import yaml

from pmlib.contract.harmonisation import SharedData
from pmlib.contract.periods import Period
from pmlib.project import Project
from pmlib.rendering.joint_site import JOINT_TITLE, joint_index_markdown, joint_pack_metadata
from pmlib.rendering.pack import write_embedding_document
from pmlib.rendering.quarto import _quarto, write_quarto_assets
from pmlib.rendering.shared_site import PROJECT_FILES, sync_project_files
from pmlib.run.joint_run import JOINT_TEMPLATE
from pmlib.views.wording import counted

PACK_SOURCES = "packs"
_PAGE_LINK = re.compile(r"\]\(/?([^)#]+)\.qmd\)")


def _project_files(shared: SharedData, template: Project) -> dict[str, dict]:
    """The joint folder's ``_quarto.yml`` and its two profiles, as data: the template's, with the joint site's pages and menu.

    Everything else (language, input format, execution, the website's
    filters and HTML format, the pack's format) is taken from the template's
    own files, so the joint site cannot drift from the councils'.
    """
    raw = {name: yaml.safe_load((template.root / name).read_text(encoding="utf-8")) for name in PROJECT_FILES}
    base, website, pack = raw["_quarto.yml"], raw["_quarto-website.yml"], raw["_quarto-pack.yml"]
    first = shared.services.councils[0].id
    # Its links name the template's pages, which are each council's: they point into the first council's site, as the built-in footer's do.
    into_council = lambda text: _PAGE_LINK.sub(lambda m: f"](../{first}/{m.group(1)}.html)", text)  # noqa: E731
    footer = {place: into_council(text) for place, text in website["website"].get("page-footer", {}).items()}
    site = {
        "project": {"type": "website", "output-dir": "_site", "render": ["index.qmd", "reports/*/*.ipynb"]},
        "website": {
            "title": f"{shared.services.name}: Joint Committee",
            "search": False,
            "favicon": "pages/assets/favicon.svg",
            "navbar": {"collapse": False, "left": [{"text": JOINT_TITLE, "href": "index.qmd"}]},
            "page-footer": footer,
        },
        "filters": website["filters"],
        "format": website["format"],
    }
    packs = {"project": {"type": "default", "render": [f"{PACK_SOURCES}/*.qmd"], "output-dir": "."}, "format": pack["format"]}
    shared_base = {key: value for key, value in base.items() if key != "project"}
    return {"_quarto.yml": shared_base, "_quarto-website.yml": site, "_quarto-pack.yml": packs}


def prepare_joint_project(shared: SharedData, template: Project, project: Project, quarters: list[Period]) -> None:
    """Write the joint folder's Quarto project: its files, the extension, the shared assets and the home page."""
    root = project.root
    sync_project_files(template.root, root, names=())
    header = "# Written by pmlib for the joint committee's Quarto site (pmlib/rendering/joint_quarto.py); rebuilt on every build.\n"
    for name, content in _project_files(shared, template).items():
        text = header + yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
        if not (root / name).is_file() or (root / name).read_text(encoding="utf-8") != text:
            (root / name).write_text(text, encoding="utf-8")
    write_quarto_assets(root / "pages")
    front = yaml.safe_dump({"title": JOINT_TITLE}, sort_keys=False, allow_unicode=True)
    (root / "index.qmd").write_text(f"---\n{front}---\n\n{joint_index_markdown(shared, quarters, project.params)}", encoding="utf-8")


def render_joint_site(
    shared: SharedData,
    template: Project,
    project: Project,
    quarters: list[Period],
    partial: Path,
    family: tuple[tuple[str, str], ...],
    say: Callable[[str], None],
) -> list[Path]:
    """The joint site's pages, rendered by Quarto into ``partial``; the pages written."""
    prepare_joint_project(shared, template, project, quarters)
    say(f"Rendering the joint committee's site ({counted(len(quarters), 'report')}) with Quarto")
    _quarto(["render", "--profile", "website", "--output-dir", str(partial.resolve())], replace(project, family=family), say)
    for leftover in ("search.json",):
        (partial / leftover).unlink(missing_ok=True)
    return sorted(partial.rglob("*.html"))


def render_joint_pack(shared: SharedData, template: Project, project: Project, quarter: Period, say: Callable[[str], None]) -> Path:
    """One joint report's pack, typeset by Quarto with the pack profile; the PDF, beside its source in the joint folder."""
    source = project.root / PACK_SOURCES / f"joint-{quarter.slug}.qmd"
    notebook = project.report_folder(quarter) / JOINT_TEMPLATE
    write_embedding_document(joint_pack_metadata(shared, quarter).front_matter(), [notebook], source)
    say(f"Typesetting the joint pack for {quarter.code} with Quarto")
    _quarto(["render", str(source.relative_to(project.root)), "--profile", "pack"], project, say)
    pdf = source.with_suffix(".pdf")
    if not pdf.is_file():
        shutil.rmtree(source.parent / f"{source.stem}_files", ignore_errors=True)
    return pdf
