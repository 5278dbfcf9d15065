"""Where each measure is in the quarter's Cabinet pack, and the link from the measure's page to that place.

The pack gives each measure's section (its heading under "Measures" in its
delivery plan) the Typst label ``measure-<id>``; Typst exports a labelled
heading as a PDF named destination, so a browser's PDF viewer opens
``packs/<slug>.pdf#nameddest=measure-<id>`` at that heading. The plan
notebook writes the heading as ``### <name>`` (``MeasureReport.summary``),
so the pack finds it by that text, in pack order, each measure once: the
built-in pack adds the label to the Markdown before pandoc reads it, and
Quarto's pack (``_extensions/pmlib-pack/pack-outputs.lua``) from the same
list, which ``write_quarto_source`` puts in the document's metadata.

The packs are not pages: both renderers write them to ``packs/<slug>.pdf``
in the site, so a page links to that path, and the built-in renderer's link
check accepts it through ``pack_outputs``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pmlib.rendering.qmd import link
from pmlib.views.prose import literal_markdown

if TYPE_CHECKING:
    from pmlib.contract.periods import Period
    from pmlib.rendering.pack import PackSubject
    from pmlib.views.report import QuarterReport

PACKS_DIR = "packs"  # in the site, where both renderers put each quarter's pack
METADATA_KEY = "pmlib-measure-destinations"
_HEADING = re.compile(r"^### (.+?)[ \t]*$", re.MULTILINE)


def destination(measure_id: str) -> str:
    """The measure's label in the pack, and so its PDF named destination (ids are letters, digits, _ and -: a valid Typst label)."""
    return f"measure-{measure_id}"


def measure_headings(subject: PackSubject) -> list[tuple[str, str]]:
    """``(heading Markdown, destination)`` for each measure the pack may show, in pack order: plans in order, measures in file order.

    A public pack shows no restricted measure, so none is listed: its name
    cannot take the place of a later measure's with the same name.
    """
    measures = subject.data.measures
    if subject.params.audience != "internal":
        measures = measures[measures["public"].to_numpy(bool)]
    by_plan: dict[object, list[tuple[str, str]]] = {}  # one pass over the columns: iterrows made a Series per measure
    for measure_id, plan_id, name in zip(measures.index, measures["plan_id"], measures["name"], strict=True):
        by_plan.setdefault(plan_id, []).append((literal_markdown(name), destination(str(measure_id))))
    return [heading for plan_id in subject.plans.index for heading in by_plan.get(plan_id, [])]


def label_headings(markdown_blocks: Iterable[str], headings: Sequence[tuple[str, str]]) -> list[str]:
    """The blocks with each measure's first ``### <name>`` heading labelled ``{#measure-<id>}``, in order, each label once."""
    waiting = list(headings)

    def label(match: re.Match) -> str:
        for i, (text, name) in enumerate(waiting):
            if text == match.group(1):
                del waiting[i]
                return f"{match.group(0)} {{#{name}}}"
        return match.group(0)

    return [_HEADING.sub(label, block) for block in markdown_blocks]


def pack_href(quarter: Period, measure_id: str, page: Path, project_dir: Path) -> str:
    """The link from a page's source to the measure's place in the quarter's pack, as both renderers publish it."""
    return f"{link(project_dir / PACKS_DIR / f'{quarter.slug}.pdf', page)}#nameddest={destination(measure_id)}"


def whole_pack_link(quarter: Period, page: Path, project_dir: Path) -> str:
    """A list item linking a page's source to the quarter's whole Cabinet pack: the home page's and the archive's way to each pack."""
    return f"- [The Cabinet pack for {quarter.code} (PDF)]({link(project_dir / PACKS_DIR / f'{quarter.slug}.pdf', page)})"


def pack_link(report: QuarterReport, measure_id: str, page: Path, project_dir: Path | None = None) -> str:
    """A Markdown line linking a measure's page to the measure in its quarter's Cabinet pack (a PDF).

    ``page`` is the page's source (``pages/measures/<id>.qmd``); the project
    is the folder above ``pages/`` unless ``project_dir`` is given.
    """
    q = report.quarter
    root = Path(os.path.abspath(project_dir if project_dir is not None else page.parent.parent.parent))
    href = pack_href(q, measure_id, page, root)
    return f"In the Cabinet pack: [this measure in the {q.code} report to Cabinet (PDF)]({href})."


def pack_outputs(project_dir: Path, quarters: Iterable[Period]) -> dict[Path, str]:
    """Each quarter's pack as the built-in renderer's link check knows it: its path in the project to its path in the site."""
    return {Path(os.path.abspath(project_dir / PACKS_DIR / f"{q.slug}.pdf")): f"{PACKS_DIR}/{q.slug}.pdf" for q in quarters}
