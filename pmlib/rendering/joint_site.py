"""The joint committee's pages, packs and open data, and the shared service's landing page.

The joint reports are executed notebooks (``pmlib.run.joint_run``) laid out
by the same page template, stylesheet, cell renderer and pack template as a
council's reports; only the frame differs: the site is the joint
committee's, with a page listing its reports. Every joint page, and the
landing page, carries the shared service's links (``shared_site.family``).
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import tempfile
from pathlib import Path

import pypandoc
from markupsafe import Markup

from pmlib.contract.harmonisation import SharedData
from pmlib.contract.params_folder import params_files, report_params
from pmlib.contract.periods import Period
from pmlib.errors import Problem, SiteError
from pmlib.project import Project
from pmlib.publishing import publishing
from pmlib.rendering.documents import read_notebook, render_markdown
from pmlib.rendering.pack import MARKDOWN, TEMPLATE_NAME, PackMetadata, _pack_source, compile_pack, font_dirs, pack_markdown, template_path
from pmlib.rendering.project import read_project
from pmlib.rendering.site import (
    ASSETS_DIR,
    PAGE_SCRIPTS,
    NavLink,
    _block_html,
    _templates,
    family_nav,
    kept_vega_bundle,
    relative,
    write_static_assets,
)
from pmlib.run.joint_run import JOINT_TEMPLATE, joint_project
from pmlib.views.prose import literal_markdown
from pmlib.views.wording import count_words

JOINT = "joint"
PACKS = "packs"
JOINT_TITLE = "Joint reports"


def joint_pack_name(quarter: Period) -> str:
    """The joint report's pack in the shared site: ``packs/joint-<slug>.pdf``, as the data contract names it."""
    return f"{PACKS}/joint-{quarter.slug}.pdf"


def built_joint_quarters(project: Project) -> list[Period]:
    """Joint reports with a params file and an executed notebook: every one is on the joint site."""
    return [q for q in params_files(project.params) if (project.report_folder(q) / JOINT_TEMPLATE).is_file()]


def _page(*, title: str, site_title: str, page: str, body: str, nav: list[NavLink], family, footer, h1: str | None, lang: str) -> str:
    scripts = [script for marker, scripts in PAGE_SCRIPTS if marker in body for script in scripts]
    return (
        _templates()
        .get_template("page.html.j2")
        .render(
            lang=lang,
            title_text=title,
            site_title=site_title,
            kind="page",
            assets=relative(ASSETS_DIR, page) + "/",
            home=relative("index.html", page),
            nav=nav,
            quarter_nav=None,
            h1=Markup(html.escape(h1)) if h1 else None,
            body=Markup(body),
            footer=footer,
            scripts=scripts,
            feeds=[],
            family=family_nav(family, page),
        )
    )


def _footer(template: Project, first_council: str, page: str) -> tuple[tuple[str, Markup], ...]:
    """The template project's footer (the key to the symbols), its links pointing into the first council's site."""
    from pmlib.rendering.documents import render_inline

    def resolve(href: str) -> str:
        path = href.lstrip("/")
        if "://" in href or href.startswith("mailto:"):
            return href
        target = f"../{first_council}/" + (path[: -len(".qmd")] + ".html" if path.endswith(".qmd") else path)
        return relative(target, page)

    parts = read_project(template.root, "website").website.page_footer
    return tuple(
        (place, Markup(render_inline(text, resolve)))
        for place, text in (("left", parts.left), ("center", parts.center), ("right", parts.right))
        if text
    )


def _report_page(path: Path, quarter: Period, page: str, context: dict) -> str:
    problems: list[Problem] = []

    def resolve(href: str) -> str:
        if "://" in href or href.startswith(("mailto:", "#")):
            return href
        problems.append(Problem(path.as_posix(), None, "link", f"{href!r}: a joint report links only to other sites or its own headings"))
        return "#"

    doc = read_notebook(path, page, quarter)
    body = "\n".join(_block_html(block, resolve) for block in doc.blocks)
    if problems:
        raise SiteError(problems)
    h1 = None if doc.has_h1 else doc.title
    return _page(title=doc.title, page=page, body=body, h1=h1, **context)


def joint_index_markdown(shared: SharedData, quarters: list[Period], params_dir: Path) -> str:
    """The joint site's home page as Markdown, for both renderers: every joint report, newest first, with its pack and figures.

    Links name source files (``reports/<slug>/joint.ipynb``), as the site's
    other pages do; names from the councils' files are shown as typed.
    """
    items = []
    for q in sorted(quarters, reverse=True):
        p = report_params(params_dir, q)
        when = f"{literal_markdown(p.meeting)}, {p.meeting_date:%-d %B %Y}; figures as at {p.data_as_at:%-d %B %Y}"
        items.append(
            f"- [{literal_markdown(p.title)}, {q.label}](reports/{q.slug}/{JOINT_TEMPLATE}) ({when}): "
            f"[the pack (PDF)](../{joint_pack_name(q)}), [the figures (CSV)](data/{q.slug}/measures.csv)"
        )
    councils = " and ".join(literal_markdown(shared.councils[c.id].council.name) for c in shared.services.councils)
    listed = "\n".join(items) if items else "No joint report has been published yet."
    return (
        f"The reports to the joint committee on the services {councils} share: each shared measure with each council's "
        "figure and status side by side, and the combined figure where the figures add up.\n\n"
        f"## Joint reports\n\n{listed}\n"
    )


def _index_page(shared: SharedData, quarters: list[Period], project: Project, context: dict) -> str:
    def resolve(href: str) -> str:
        return href[: -len(".ipynb")] + ".html" if href.endswith(".ipynb") else href

    body = render_markdown(joint_index_markdown(shared, quarters, project.params), resolve)
    return _page(title=JOINT_TITLE, page="index.html", body=body, h1=JOINT_TITLE, **context)


def joint_pack_metadata(shared: SharedData, quarter: Period) -> PackMetadata:
    """The joint pack's cover: the shared service's name where a council's pack has the council's."""
    params = report_params(shared.services.joint_params, quarter)
    return PackMetadata(
        council=shared.services.name,
        title=params.title,
        meeting=params.meeting,
        meeting_date=f"{params.meeting_date:%-d %B %Y}",
        quarter=quarter.code,
        period=quarter.label,
        data_as_at=params.data_as_at.isoformat(),
        audience=params.audience,
    )


def write_joint_pack(shared: SharedData, template: Project, quarter: Period, notebook: Path, out_pdf: Path) -> Path:
    """The joint report's pack: its notebook under the same cover and Typst template as a council's Cabinet pack."""
    params = report_params(shared.services.joint_params, quarter)
    metadata = joint_pack_metadata(shared, quarter)
    with tempfile.TemporaryDirectory(prefix="pmlib-joint-pack-") as scratch:
        source_dir = Path(scratch)
        shutil.copyfile(template_path(template.root), source_dir / TEMPLATE_NAME)
        markdown = pack_markdown([notebook], source_dir)
        body = pypandoc.convert_text(markdown, "typst", format=MARKDOWN, extra_args=["--wrap=none"], verify_format=False)
        main = source_dir / f"joint-{quarter.slug}.typ"
        main.write_text(_pack_source(metadata, body), encoding="utf-8")
        return compile_pack(main, out_pdf, params.data_as_at, font_dirs())


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def build_joint(
    shared: SharedData, template: Project, out_dir: Path, family: tuple[tuple[str, str], ...], *, renderer: str = "builtin", say=None
) -> dict:
    """Write ``OUT/joint/`` (pages, open data, assets) whole, and each joint report's pack into ``OUT/packs/``.

    ``renderer`` is ``builtin`` or ``quarto`` (``pmlib.rendering.joint_quarto``,
    which lays out the same notebooks and Markdown). The open data is written
    from the joint report itself, whichever renderer made the pages.
    Returns ``joint_pages``, ``joint_packs`` and ``joint_open_data`` for ``SharedBuild``.
    """
    from pmlib.views.joint_report import joint_report

    say = say or (lambda _: None)
    project = joint_project(shared, template.notebooks)
    quarters = built_joint_quarters(project)
    data_files = []
    with publishing(out_dir / JOINT) as partial:
        if renderer == "quarto":
            from pmlib.rendering.joint_quarto import render_joint_site

            written = render_joint_site(shared, template, project, quarters, partial, family, say)
        else:
            written = _builtin_pages(shared, template, project, quarters, partial, family)
        for q in quarters:
            target = partial / "data" / q.slug / "measures.csv"
            target.parent.mkdir(parents=True, exist_ok=True)
            joint_report(report_params(project.params, q), shared).open_data().to_csv(
                target, index=False, lineterminator="\n", encoding="utf-8"
            )
            data_files.append(out_dir / JOINT / target.relative_to(partial))
    packs = []
    for q in quarters:
        target = out_dir / joint_pack_name(q)
        notebook = project.report_folder(q) / JOINT_TEMPLATE
        with tempfile.TemporaryDirectory(prefix=".joint-pack-", dir=out_dir) as scratch:
            if renderer == "quarto":
                from pmlib.rendering.joint_quarto import render_joint_pack

                made = render_joint_pack(shared, template, project, q, say)
            else:
                made = write_joint_pack(shared, template, q, notebook, Path(scratch) / target.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(made, target)
        packs.append(target)
    pages_out = tuple(out_dir / JOINT / p.relative_to(partial) for p in written)
    return {"joint_pages": pages_out, "joint_packs": tuple(packs), "joint_open_data": tuple(data_files)}


def _builtin_pages(shared: SharedData, template: Project, project: Project, quarters: list[Period], partial: Path, family) -> list[Path]:
    """The joint site's pages and assets by the built-in renderer, into ``partial``; the pages written."""
    lang = read_project(template.root, "website").lang
    first = shared.services.councils[0].id
    pages = {}
    for q in quarters:
        page = f"reports/{q.slug}/joint.html"
        pages[page] = _report_page(
            project.report_folder(q) / JOINT_TEMPLATE, q, page, _context(shared, lang, family, template, first, page)
        )
    pages["index.html"] = _index_page(shared, quarters, project, _context(shared, lang, family, template, first, "index.html"))
    written = [_write(partial / page, text.encode("utf-8")) for page, text in sorted(pages.items())]
    write_static_assets(partial, kept_vega_bundle if any('class="pm-chart"' in text for text in pages.values()) else None)
    return written


def _context(shared: SharedData, lang: str, family, template: Project, first: str, page: str) -> dict:
    nav = [NavLink("Joint reports", relative("index.html", page), page == "index.html")]
    return {
        "site_title": f"{shared.services.name}: Joint Committee",
        "nav": nav,
        "family": family,
        "footer": _footer(template, first, page),
        "lang": lang,
    }


def write_landing(shared: SharedData, out_dir: Path) -> Path:
    """``OUT/index.html``: the shared service's name, its councils' sites and the joint reports, in one small page.

    Written aside and renamed, so a reader never sees half of it. Its
    stylesheet is written beside it, in ``OUT/assets/``, whichever renderer made the sites.
    """
    from pmlib.rendering.shared_site import family as family_of

    services = shared.services
    write_static_assets(out_dir, None)  # its own: a site Quarto rendered has no assets/ to borrow
    items = []
    for c in services.councils:
        council = shared.councils[c.id].council
        items.append(f'<li><a href="{c.id}/index.html">{html.escape(council.name)}</a></li>')
    joint = ""
    if (out_dir / JOINT / "index.html").is_file():
        joint = (
            '<h2 id="joint">The joint committee</h2>\n'
            f'<p><a href="{JOINT}/index.html">Joint reports</a>: the shared services\' measures, each council side by side, '
            "with the combined figure.</p>\n"
        )
    body = (
        f"<p>{count_words(len(services.councils)).capitalize()} councils share services and one performance framework. "
        "Each council's site reports on its own measures of success; the joint committee's reports show the shared services.</p>\n"
        '<h2 id="councils">The councils</h2>\n'
        f"<ul>\n{chr(10).join(items)}\n</ul>\n{joint}"
    )
    family = tuple((name, "index.html" if path == "../index.html" else path.removeprefix("../")) for name, path in family_of(shared, ""))
    text = (
        _templates()
        .get_template("page.html.j2")
        .render(
            lang="en-GB",
            title_text=services.name,
            site_title=services.name,
            kind="page",
            assets=f"{ASSETS_DIR}/",
            home="index.html",
            nav=[],
            quarter_nav=None,
            h1=Markup(html.escape(services.name)),
            body=Markup(body),
            footer=(),
            scripts=[],
            feeds=[],
            family=family_nav(family, "index.html"),
        )
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    aside = out_dir / f".index.html.{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    aside.write_text(text, encoding="utf-8")
    os.replace(aside, target)
    return target
