"""The Cabinet pack: one PDF per quarter, made from the executed notebooks with Typst.

Councils with Quarto 1.6+ render the pack with the ``pmlib-pack-typst``
format in ``_extensions/pmlib-pack``. Everyone else gets the same PDF from
pip packages alone: this module reads the quarter's notebooks in pack order
(the overview, then each delivery plan in ``plans.csv`` order, then the appendices), converts the
Markdown with pandoc, writes each SVG chart beside the Typst source, turns the
great-tables HTML into Typst tables, and compiles with the ``typst`` package.
The Typst source imports the extension's own ``typst-template.typ``, so both
paths share one cover, one page layout and one table style.

A pack is reproducible: the same notebooks, data and params give the same
bytes. The PDF's dates are the params file's ``data_as_at``, the fonts are
fixed (Liberation Sans, with DejaVu Sans Mono from the typst package for the
status symbols Liberation Sans lacks), and no path or clock reaches the PDF.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html
import nbformat
import pandas as pd
import pypandoc
import typst
import yaml
from lxml.html import HtmlElement

from pmlib.contract.config import ReportParams
from pmlib.contract.loading import CouncilData, load_data
from pmlib.contract.params_folder import report_params
from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import PackError, Problem
from pmlib.project import Project
from pmlib.rendering.pack_links import METADATA_KEY, label_headings, measure_headings
from pmlib.rendering.sources import HIDDEN_TAGS, REMOVE_OUTPUT_TAGS, Block, read_blocks
from pmlib.rendering.typst_tables import escape_markup, html_table_to_typst
from pmlib.views.chart_fonts import as_installed

if TYPE_CHECKING:  # the pack reads its notebooks, not the report: a worker typesetting one need not import the views
    from pmlib.views.report import QuarterReport

EXTENSION = Path("_extensions") / "pmlib-pack"
TEMPLATE_NAME = "typst-template.typ"
PDF_STANDARD = "ua-1"  # PDF/UA-1, the accessible-PDF standard Typst checks a document against
BODY_FONT = "Liberation Sans"
# Status and trend symbols Liberation Sans lacks (✓ ✖ ↗ ↘), and their neighbours so all look alike: the template
# sets these ranges in SYMBOL_FONT, which ships inside the typst package, and so do the charts here.
SYMBOL_FONT = "DejaVu Sans Mono"
SYMBOLS = re.compile("[\u2190-\u21ff\u2500-\u27bf]+")
MAX_CHART_PX = 10_000
# Compact charts: two fit on a page beside their figures, so a Cabinet member turns fewer pages.
CHART_WIDTH = "72%"
_SVG_TEXT = re.compile(r"(<(?:text|tspan)\b[^>]*>)([^<]+)")
_SVG_START_TAG = re.compile(r"<svg\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
# Pandoc's Markdown, minus what would break or change a pack silently: citations (an "@" in commentary),
# raw HTML (shown as text, as the data contract promises), heading labels (repeated across notebooks)
# and smart quotes and dashes (text is shown as typed, as on the website).
MARKDOWN = "markdown-citations-raw_html-auto_identifiers-smart"


Quarter = str | Period | ReportParams | None  # a code or slug, a quarter, its params, or None for the latest


@dataclass(frozen=True)
class PackSubject:
    """What a pack is made of besides its notebooks: the quarter's params, and the council's data for its name and plans.

    The notebooks already hold every judged figure, so unlike
    ``quarter_report`` nothing is judged again for the pack (that was half
    its cost). The data folder is still loaded, and so checked, and one
    load serves every pack of a build.
    """

    params: ReportParams
    data: CouncilData

    @property
    def quarter(self) -> Period:
        """The report quarter."""
        return self.params.quarter

    @property
    def plans(self) -> pd.DataFrame:
        """Delivery plans in pack order."""
        return self.data.plans


def pack_subject(quarter: Quarter, project: Project, data: CouncilData | None = None) -> PackSubject:
    """The params of ``quarter`` (as ``quarter_report`` finds them) with the data folder, loaded unless ``data`` is given."""
    params = quarter if isinstance(quarter, ReportParams) else report_params(project.params, quarter)
    return PackSubject(params, load_data(project.data) if data is None else data)


@dataclass(frozen=True)
class PackMetadata:
    """What the cover, running header and PDF properties say, as plain text."""

    council: str
    title: str
    meeting: str
    meeting_date: str
    quarter: str
    period: str
    data_as_at: str
    audience: str
    lang: str = "en-GB"

    def typst_arguments(self) -> str:
        """The template's ``pack`` arguments as Typst source: text as escaped markup, the same kind of value Quarto passes."""
        lines = []
        for f in fields(self):
            value = getattr(self, f.name)
            key = f.name.replace("_", "-")
            as_string = key in ("data-as-at", "audience", "lang")
            lines.append(f"  {key}: " + (_typst_string(value) if as_string else f"[{escape_markup(value)}]") + ",")
        return "\n".join(lines)

    def front_matter(self) -> dict[str, str]:
        """The same values as Quarto document metadata, read by the extension's ``typst-show.typ``."""
        return {f.name.replace("_", "-"): getattr(self, f.name) for f in fields(self)}


def pack_metadata(report: QuarterReport | PackSubject) -> PackMetadata:
    """The pack's metadata from the quarter's params and the council's name, so cover and website agree."""
    p = report.params
    return PackMetadata(
        council=report.data.council.name,
        title=p.title,
        meeting=p.meeting,
        meeting_date=f"{p.meeting_date:%-d %B %Y}",
        quarter=report.quarter.code,
        period=report.quarter.label,
        data_as_at=p.data_as_at.isoformat(),
        audience=p.audience,
    )


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def pack_notebooks(report: QuarterReport | PackSubject, reports_dir: str | os.PathLike) -> list[Path]:
    """The quarter's executed notebooks in pack order; every one must exist and be for this quarter."""
    return list(_read_notebooks(report, reports_dir))


def _read_notebooks(report: QuarterReport | PackSubject, reports_dir: str | os.PathLike) -> dict[Path, str]:
    """``pack_notebooks`` with each file's text, so the pack reads and parses every notebook once.

    Only the parameters in the notebook's metadata are checked here, so the
    JSON is read without nbformat's validation; ``read_blocks`` validates it
    when it reads the cells from the same text.
    """
    folder = Path(reports_dir) / report.quarter.slug
    wanted = [(folder / "overview.ipynb", None)] + [(folder / f"plan-{plan_id}.ipynb", plan_id) for plan_id in report.plans.index]
    wanted.append((folder / "appendices.ipynb", None))
    missing = [str(path) for path, _ in wanted if not path.is_file()]
    if missing:
        first = f"run `pm run {report.quarter.slug}` first"
        problems = [Problem(path, None, None, f"no executed notebook here; {first}") for path in missing]
        raise PackError(f"no executed notebook {', '.join(missing)}: {first}", problems=problems)
    texts = {}
    for path, plan_id in wanted:
        texts[path] = text = path.read_text(encoding="utf-8")
        given = json.loads(text).get("metadata", {}).get("pmlib", {}).get("parameters", {})
        quarter = given.get("quarter")
        if quarter is not None and parse_quarter(str(quarter)) != report.quarter or given.get("plan_id", plan_id) != plan_id:
            run_for = f"{quarter} {given.get('plan_id') or ''}"
            raise PackError(f"was run for {run_for}, not this pack: run `pm run {report.quarter.slug}`", file=path)
        if given.get("audience", report.params.audience) != report.params.audience:
            raise PackError(
                f"was run for the {given['audience']} audience, not the {report.params.audience} pack: "
                f"use pm build{' --audience internal' if report.params.audience == 'internal' else ''} {report.quarter.slug}",
                file=path,
            )
    return texts


def _fence(code: str, info: str = "") -> str:
    """A fenced block longer than any run of backticks inside it, so nothing in ``code`` can close it."""
    ticks = "`" * max(3, max((len(run) for run in re.findall(r"`+", code)), default=0) + 1)
    return f"{ticks}{info}\n{code}\n{ticks}"


def chart_description(svg: str, where: str) -> tuple[str, bool]:
    """The chart's text description, and whether it can be drawn (Vega gives an empty chart an infinite size).

    Only the root element is read when it carries the ``aria-label``, as
    pmlib's charts do: parsing its start tag alone gives the same attributes
    as parsing the whole drawing, at a fraction of the cost.
    """
    start = _SVG_START_TAG.match(svg.lstrip())
    root = _first_svg(start.group(0)) if start else None
    if root is None or not (root.get("aria-label") or "").strip():
        root = _first_svg(svg)
    title = None if root is None else next(root.iter("title"), None)
    label = None if root is None else root.get("aria-label") or (title.text_content() if title is not None else None)
    if not label or not label.strip():
        raise PackError("the chart has no aria-label or <title>; every chart in the pack needs a text description", file=where)
    try:
        drawable = all(0 < float(root.get(side, "nan")) < MAX_CHART_PX for side in ("width", "height"))
    except ValueError:
        drawable = False
    return " ".join(label.split()), drawable


def _first_svg(markup: str) -> HtmlElement | None:
    return next(lxml.html.fragment_fromstring(markup, create_parent="div").iter("svg"), None)


def pack_markdown(
    notebooks: Sequence[Path], source_dir: Path, headings: Sequence[tuple[str, str]] = (), texts: Mapping[Path, str] | None = None
) -> str:
    """The pack's body as one Markdown document, charts and tables already Typst, SVGs written to ``source_dir``.

    Non-Markdown blocks go in as raw Typst blocks, so one pandoc run
    converts the whole pack and nothing is parsed twice. Each measure's
    heading in ``headings`` (``pack_links.measure_headings``) gets its label,
    which the PDF keeps as a named destination for the measure's page to link to.
    ``texts`` holds notebooks' file text already read, so they are not read again.
    """
    texts = texts or {}
    blocks = [(path, block) for path in notebooks for block in read_blocks(path, "pack", text=texts.get(path))]
    labelled = iter(label_headings([b.content for _, b in blocks if b.kind == "markdown"], headings))
    parts, charts = [], 0
    for path, block in blocks:
        shown = replace(block, content=next(labelled)) if block.kind == "markdown" else block
        parts.append(_block_markdown(shown, f"{path.as_posix()} cell {block.cell_id}", source_dir, charts + 1))
        charts += block.kind == "svg"
    return "\n\n".join(parts) + "\n"


def symbols_in_svg(svg: str) -> str:
    """The chart with its status symbols set in the symbol font, since SVG text has no per-glyph font fallback in Typst."""

    def spans(match: re.Match) -> str:
        wrapped = SYMBOLS.sub(lambda s: f'<tspan font-family="{SYMBOL_FONT}">{s.group(0)}</tspan>', match.group(2))
        return match.group(1) + wrapped

    return _SVG_TEXT.sub(spans, svg)


def _block_markdown(block: Block, where: str, source_dir: Path, chart_number: int) -> str:
    if block.kind == "markdown":
        return block.content.strip()
    if block.kind == "text":
        return _fence(block.content.rstrip("\n"))
    if block.kind == "html":
        return _fence(html_table_to_typst(block.content, where), "{=typst}")
    description, drawable = chart_description(block.content, where)
    if not drawable:  # a measure with no figures yet: say so in words rather than draw an empty frame
        return _fence(
            f"#block(width: 100%)[#emph[Chart not drawn, as there are no figures to plot.] {escape_markup(description)}]", "{=typst}"
        )
    name = f"chart-{chart_number:03d}.svg"
    (source_dir / name).write_text(symbols_in_svg(block.content), encoding="utf-8")
    image = f'image("{name}", width: {CHART_WIDTH}, alt: {_typst_string(description)})'
    return _fence(f"#block(breakable: false, width: 100%, align(center, {image}))", "{=typst}")


def _pack_source(metadata: PackMetadata, body: str) -> str:
    return (
        f"// The Cabinet pack for {metadata.quarter}, written by pmlib from the executed notebooks. Rebuilt on every run.\n"
        f'#import "{TEMPLATE_NAME}": pack, horizontalrule\n'
        "#show: doc => pack(\n"
        f"{metadata.typst_arguments()}\n"
        "  doc,\n"
        ")\n\n"
        f"{body}"
    )


def template_path(project_dir: str | os.PathLike) -> Path:
    """The one Typst template both renderers use, in the project's Quarto extension."""
    path = Path(project_dir) / EXTENSION / TEMPLATE_NAME
    if not path.is_file():
        raise PackError(f"no pack template here: restore {EXTENSION / TEMPLATE_NAME} from the pmlib repository", file=path)
    return path


def write_pack_source(quarter: Quarter, project: Project, *, source_dir: str | os.PathLike, data: CouncilData | None = None) -> Path:
    """Write the quarter's Typst source, the template and the charts into ``source_dir``; returns the ``.typ`` file.

    Kept separate from compiling so the source can be read, diffed or
    compiled by the ``typst`` command line when a pack looks wrong.
    ``data`` is the project's data folder already loaded, as in ``quarter_report``.
    """
    report = pack_subject(quarter, project, data)
    notebooks = _read_notebooks(report, project.reports)
    source_dir = Path(source_dir)
    source_dir.mkdir(parents=True, exist_ok=True)
    for old in source_dir.glob("chart-*.svg"):  # charts of an earlier build, which this one may not have
        old.unlink()
    shutil.copyfile(template_path(project.root), source_dir / TEMPLATE_NAME)
    markdown = pack_markdown(list(notebooks), source_dir, measure_headings(report), notebooks)
    # The formats are constants pandoc itself would refuse if wrong; pypandoc's check of them ran pandoc twice more per pack.
    body = pypandoc.convert_text(markdown, "typst", format=MARKDOWN, extra_args=["--wrap=none"], verify_format=False)
    main = source_dir / f"{report.quarter.slug}.typ"
    main.write_text(_pack_source(pack_metadata(report), body), encoding="utf-8")
    return main


@functools.cache
def font_dirs() -> tuple[Path, ...]:
    """Folders holding Liberation Sans, found as Typst finds system fonts; the pack uses no other system font.

    Looked for once per process (a tenth of a second): a kept worker typesets every build's packs.
    """
    with as_installed():  # not while this process's first chart is drawn, shown fewer fonts
        found = typst.Fonts(include_system_fonts=True, include_embedded_fonts=False).fonts()
    dirs = sorted({Path(f.path).parent for f in found if f.family == BODY_FONT and f.path})
    if not dirs:
        raise PackError(
            f"the Cabinet pack is set in {BODY_FONT} (Arial's metrics, as the charts use), which is not installed: "
            "run bash scripts/install-system-packages build, or install the Debian package fonts-liberation"
        )
    return tuple(dirs)


def compile_pack(source: str | os.PathLike, out_pdf: str | os.PathLike, data_as_at: dt.date, fonts: Sequence[Path] | None = None) -> Path:
    """Compile a pack's Typst source to PDF with fixed fonts and a fixed clock, so equal sources give equal bytes.

    The PDF is made to PDF/UA-1 (``PDF_STANDARD``): Typst then refuses a pack
    missing what the standard asks (a title, a language, text alternatives),
    and tells a reader's PDF viewer to show the title rather than the file
    name (WCAG 2.4.2, technique PDF18).

    ``fonts`` is ``font_dirs()`` when the caller has found them already (``render_packs`` does, once for every pack).
    """
    source, out_pdf = Path(source), Path(out_pdf)
    stamp = dt.datetime.combine(data_as_at, dt.time(), tzinfo=dt.UTC)
    font_paths = [str(d) for d in (font_dirs() if fonts is None else fonts)]
    try:
        pdf, warnings = typst.compile_with_warnings(
            str(source),
            root=str(source.parent),
            font_paths=font_paths,
            ignore_system_fonts=True,
            timestamp=stamp,
            pdf_standards=PDF_STANDARD,
        )
    except typst.TypstError as exc:
        detail = f"{exc.message}\n{exc.diagnostic[:2000]}"
        message = f"Typst could not compile this: {detail}\nKeep the source (render_pack's source_dir) and report this"
        raise PackError(message, file=source) from exc
    fonts = [w for w in warnings if "font" in w.message]
    if fonts:
        named = "; ".join(w.message for w in fonts)
        raise PackError(f"{named}; install the fonts named (see scripts/install-system-packages)", file=source)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    out_pdf.write_bytes(pdf)
    return out_pdf


def render_pack(
    quarter: Quarter,
    project: Project,
    *,
    out_pdf: str | os.PathLike,
    source_dir: str | os.PathLike | None = None,
    data: CouncilData | None = None,
    fonts: Sequence[Path] | None = None,
) -> Path:
    """Build the quarter's Cabinet pack as ``out_pdf`` without Quarto; ``source_dir`` keeps the Typst source.

    ``data`` and ``fonts`` are the loaded data folder and ``font_dirs()``, when already found.
    """
    params = quarter if isinstance(quarter, ReportParams) else report_params(project.params, quarter)
    with tempfile.TemporaryDirectory(prefix="pmlib-pack-") as scratch:
        folder = Path(source_dir) if source_dir is not None else Path(scratch)
        main = write_pack_source(params, project, source_dir=folder, data=data)
        return compile_pack(main, out_pdf, params.data_as_at, fonts)


def render_packs(targets: Iterable[tuple[Quarter, str | os.PathLike]], project: Project, data: CouncilData | None = None) -> list[Path]:
    """Build each ``(quarter, out_pdf)`` pack in turn, loading the data folder once for all of them; the PDFs, in order.

    A build runs this in a worker process (``pmlib.rendering.background``)
    while it renders the website, since the packs need only the executed
    notebooks, and hands it the data it has checked (``data``), which the
    worker would otherwise check again after every edit.
    """
    targets = list(targets)
    if not targets:
        return []
    data, fonts = load_data(project.data) if data is None else data, font_dirs()
    return [render_pack(quarter, project, out_pdf=out_pdf, data=data, fonts=fonts) for quarter, out_pdf in targets]


def write_quarto_source(quarter: Quarter, project: Project, *, out_qmd: str | os.PathLike) -> Path:
    """The pack as a Quarto document for the ``pack`` profile: the same metadata, and every shown cell embedded in order.

    The metadata also lists the measures' headings (``pack_links``), which
    the extension's ``pack-outputs.lua`` labels as the built-in pack does.

    Render it with ``quarto render OUT_QMD --profile pack`` from inside the
    project; Markdown cells are copied, code cells are embedded by id, so
    Quarto picks each output's Typst representation itself.
    """
    report = pack_subject(quarter, project)
    front = pack_metadata(report).front_matter() | {METADATA_KEY: [{"heading": h, "label": d} for h, d in measure_headings(report)]}
    return write_embedding_document(front, pack_notebooks(report, project.reports), out_qmd)


def write_embedding_document(front: dict, notebooks: Sequence[Path], out_qmd: str | os.PathLike) -> Path:
    """A Quarto document of ``front`` matter, then every shown cell of ``notebooks`` in order: Markdown copied, outputs embedded by id."""
    out_qmd = Path(out_qmd)
    lines = ["---", yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip(), "---", ""]
    for path in notebooks:
        target = Path(os.path.relpath(path, out_qmd.parent)).as_posix()
        for cell in nbformat.read(path, as_version=4).cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & HIDDEN_TAGS:
                continue
            if cell.cell_type == "markdown":
                lines += [cell.source.strip(), ""]
            elif cell.cell_type == "code" and cell.get("outputs") and not tags & REMOVE_OUTPUT_TAGS:
                lines += [f"{{{{< embed {target}#{cell['id']} >}}}}", ""]
    out_qmd.parent.mkdir(parents=True, exist_ok=True)
    out_qmd.write_text("\n".join(lines), encoding="utf-8")
    return out_qmd
