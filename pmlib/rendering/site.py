"""The built-in website renderer: the same ``_quarto.yml`` and sources as Quarto, made of pip packages alone.

Every page is published at its source's path in the project, as Quarto
publishes it: ``reports/<slug>/<name>.ipynb`` becomes
``reports/<slug>/<name>.html``, ``pages/<path>.qmd`` ``pages/<path>.html``,
and the home page, ``index.qmd`` at the project root, ``index.html``; the
open data is at ``data/<slug>/``, where the data contract puts it. Every
page has the same frame (skip link, header with the project's navigation, the
quarter's menu, one ``<h1>``, footer) from a Jinja2 template with autoescape
on. Links in sources name source files, as Quarto's do, and are rewritten
into relative links between pages, so the site works from any folder and from
``file://``; a link to anything that is not a page is an error, never a
broken link. Charts work without scripts (inline SVG) and become interactive
with a Vega bundle written into ``assets/``, so nothing is fetched from
elsewhere. Output depends only on the inputs: rendering twice gives identical bytes.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
import platformdirs
import vl_convert
from markupsafe import Markup

from pmlib.cache_folder import kept_path, read_kept, write_kept
from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import Problem, SiteError
from pmlib.project import Project
from pmlib.rendering.data_pages import open_data_files, publish_open_data
from pmlib.rendering.documents import (
    Document,
    inline_text,
    quarter_menus,
    read_page,
    read_quarter,
    render_inline,
    render_markdown,
    wrap_html,
)
from pmlib.rendering.feeds import page_feeds, published_feeds
from pmlib.rendering.pack_links import pack_outputs
from pmlib.rendering.pages import HOME
from pmlib.rendering.project import QuartoProject, read_project
from pmlib.rendering.sources import Block, UnsupportedSyntaxError

ASSETS_DIR = "assets"
STATIC_ASSETS = ("charts.js", "dashboard.js", "search.js", "site.css", "favicon.svg")
VEGA_BUNDLE = "vega.js"
OUTPUTS_CSS = "outputs.css"  # how charts and tables are laid out; Quarto's pages load it too
TABLES_CSS = "tables.css"  # great-tables' stylesheet for every table, served within OUTPUTS_CSS
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
PAGE_SCRIPTS = (
    ('class="pm-chart"', (VEGA_BUNDLE, "charts.js")),
    ('class="pm-dashboard"', ("dashboard.js",)),
    ('class="pm-search"', ("search.js",)),
)
"""The scripts a page loads, from ``assets/``, when its body has the marker: a page without charts loads no Vega."""


@dataclass(frozen=True)
class NavLink:
    """One link in a menu, relative to the page it is on."""

    text: str
    href: str
    current: bool = False


def vega_folder() -> str:
    """Where the Vega bundle is kept: the user's cache folder (``platformdirs``), shared by every project on the machine.

    The bundle depends on vl-convert's version alone, not on a project, so a
    council's second project, or a fresh clone, does not make it again.
    """
    return str(platformdirs.user_cache_path("pmlib", appauthor=False) / "vega")


@functools.cache
def vega_bundle(keep_in: str | None = None) -> str:
    """Vega, Vega-Lite and Vega-Embed as one classic script, from vl-convert: the versions that drew the static SVGs.

    Making it takes vl-convert about 1.5 s, and the same vl-convert always
    makes the same script, so with ``keep_in`` (``vega_folder()``) it is made
    once per vl-convert version there.
    """
    if keep_in is None:
        return vl_convert.javascript_bundle()
    folder = Path(keep_in)
    path = kept_path(folder, hashlib.sha256(f"vl-convert {vl_convert.__version__}".encode()).hexdigest(), ".js")
    script = read_kept(path)
    if script is None:
        script = vl_convert.javascript_bundle()
        write_kept(folder, path, script)
    return script


def kept_vega_bundle() -> str:
    """The Vega bundle kept in ``vega_folder()``: what the website loads."""
    return vega_bundle(vega_folder())


@functools.cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pmlib.rendering", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class _Frame:
    """The links of the page frame as seen from one folder of the site: the navigation's ``(text, href)`` and the footer's HTML.

    They depend on the folder alone, and every page of a folder has the same,
    so they are made once per folder rather than once per page.
    """

    nav: tuple[tuple[str, str], ...]
    footer: tuple[tuple[str, Markup], ...]


@dataclass(frozen=True)
class _Site:
    """What every page shares: the project and its folder, every page's output by source, and each quarter's menu (``quarter_menus``).

    ``frames`` keeps each folder's ``_Frame`` as its first page makes it.
    """

    config: QuartoProject
    project_dir: Path
    outputs: dict[Path, str]
    menus: dict
    frames: dict[str, _Frame] = field(default_factory=dict)
    family: tuple[tuple[str, str], ...] = ()


def relative(target: str, page: str) -> str:
    """The link from the page at site path ``page`` to the site path ``target``."""
    return _relative(target, posixpath.dirname(page) or ".")


@functools.lru_cache(maxsize=16384)
def _relative(target: str, folder: str) -> str:
    """Kept by target and folder: every page of a folder links to the same menus' pages and assets."""
    return posixpath.relpath(target, folder)


def _resolver(base: Path, site: _Site, page: str, where: str, problems: list[Problem]) -> Callable[[str], str]:
    """Rewrite a link to a source file (relative to ``base``; ``/x`` from the project) into a link between pages."""

    def resolve(href: str) -> str:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            if parts.scheme.lower() in EXTERNAL_SCHEMES:
                return href
            problems.append(Problem(where, None, "link", f"{href!r}: only http, https and mailto links may leave the site"))
            return "#"
        if not parts.path:
            return href
        path = unquote(parts.path)
        target = (site.project_dir / path.lstrip("/")) if path.startswith("/") else base / path
        output = site.outputs.get(Path(os.path.abspath(target)))
        if output is None:
            message = f"{href!r} is not a page of the site; link to a .qmd page or an executed notebook that is rendered"
            problems.append(Problem(where, None, "link", message))
            return "#"
        return relative(output, page) + (f"#{parts.fragment}" if parts.fragment else "")

    return resolve


def _block_html(block: Block, resolve: Callable[[str], str]) -> str:
    if block.kind == "markdown":
        body = render_markdown(block.content, resolve, block.tokens)
    elif block.kind == "html":
        body = wrap_html(block.content)
    elif block.kind == "svg":
        body = f'<div class="pm-svg">{block.content}</div>'
    else:
        body = f'<pre class="pm-output">{html.escape(block.content)}</pre>'
    cell = html.escape(block.cell_id, quote=True)
    return f'<div class="pm-cell pm-cell-{block.kind}" data-cell-id="{cell}">\n{body.strip()}\n</div>'


def page_sources(config: QuartoProject, project_dir: Path, pages_dir: Path) -> list[Path]:
    """The ``.qmd`` files in ``pages_dir``, and the root's ``index.qmd``, that the project's ``render`` patterns list, as Quarto picks them.

    A ``!pattern`` excludes.
    """
    chosen: set[Path] = set()
    for pattern in config.project.render:
        found = {Path(os.path.abspath(p)) for p in project_dir.glob(pattern.removeprefix("!")) if p.is_file()}
        chosen = chosen - found if pattern.startswith("!") else chosen | found
    return sorted(p for p in chosen if p.suffix == ".qmd" and (p.is_relative_to(pages_dir) or p == project_dir / HOME))


def page_output(path: Path, project_dir: Path) -> str:
    """Where a page is published: at its path in the project, as Quarto publishes it (``pages/x.qmd`` as ``pages/x.html``)."""
    return path.relative_to(project_dir).with_suffix(".html").as_posix()


def resource_files(config: QuartoProject, project_dir: Path) -> dict[Path, str]:
    """Files the project publishes as they are (``project.resources``): source path to site path, at their paths in the project."""
    found: dict[Path, str] = {}
    for pattern in config.project.resources:
        for path in sorted(project_dir.glob(pattern)):
            if path.is_file():
                path = Path(os.path.abspath(path))
                found[path] = path.relative_to(project_dir).as_posix()
    return found


def read_sources(config: QuartoProject, periods: list[Period], project_dir: Path, reports_dir: Path, pages_dir: Path) -> list[Document]:
    """Every page: each quarter's notebooks, then the pages the project renders, by path; every syntax problem at once."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for quarter in periods:
        try:
            documents += read_quarter(reports_dir, quarter, echo=config.execute.echo)
        except UnsupportedSyntaxError as exc:
            problems += exc.problems
    for path in page_sources(config, project_dir, pages_dir):
        try:
            documents.append(read_page(path, page_output(path, project_dir)))
        except UnsupportedSyntaxError as exc:
            problems += exc.problems
    if problems:
        raise UnsupportedSyntaxError(problems)
    return documents


def _check_outputs(documents: list[Document]) -> None:
    problems, seen = [], {}
    for doc in documents:
        if doc.output in seen:
            message = f"both this and {seen[doc.output].as_posix()} would be {doc.output}; rename one"
            problems.append(Problem(doc.source.as_posix(), None, None, message))
        if doc.output.split("/")[0] == ASSETS_DIR:
            problems.append(Problem(doc.source.as_posix(), None, None, f"{ASSETS_DIR}/ holds the site's styles and scripts; move the page"))
        seen[doc.output] = doc.source
    if problems:
        raise SiteError(problems)


def outputs_stylesheet() -> bytes:
    """How the notebooks' outputs are laid out (``outputs.css``) and every table's CSS: served by both renderers' pages.

    The tables' CSS is great-tables' own (``pmlib.views.tables.table_stylesheet``),
    kept as ``tables.css`` so that no build imports great-tables to make it;
    ``test_table_markup`` holds the file to what great-tables makes.
    """
    assets = resources.files("pmlib.rendering") / "assets"
    heading = b"\n/* Every table: great-tables' stylesheet, scoped to the class each table carries. */\n"
    return assets.joinpath(OUTPUTS_CSS).read_bytes() + heading + assets.joinpath(TABLES_CSS).read_bytes()


def _frame(site: _Site, page: str, problems: list[Problem]) -> _Frame:
    """The frame's links for the pages in ``page``'s folder: made by the folder's first page, then kept in ``site.frames``."""
    folder = posixpath.dirname(page)
    frame = site.frames.get(folder)
    if frame is None:
        config = site.config
        from_project = _resolver(site.project_dir, site, page, f"{site.project_dir.as_posix()}/_quarto*.yml", problems)
        nav = tuple((item.text, from_project(item.href)) for item in config.website.navbar.left)
        footer_parts = config.website.page_footer
        footer = tuple(
            (place, Markup(render_inline(text, from_project)))
            for place, text in (("left", footer_parts.left), ("center", footer_parts.center), ("right", footer_parts.right))
            if text
        )
        frame = site.frames[folder] = _Frame(nav, footer)
    return frame


def _page_html(site: _Site, doc: Document, problems: list[Problem]) -> str:
    where = doc.source.as_posix()
    config = site.config
    frame = _frame(site, doc.output, problems)
    from_source = _resolver(doc.source.parent, site, doc.output, where, problems)
    itself = relative(doc.output, doc.output)
    nav = [NavLink(text, href, href == itself) for text, href in frame.nav]
    menu = site.menus["quarters"].get(doc.quarter.slug if doc.quarter else site.menus["latest"])
    quarter_nav = None
    if menu is not None:
        links = [NavLink(link["text"], relative(link["page"], doc.output), link["page"] == doc.output) for link in menu["links"]]
        quarter_nav = {"label": menu["title"], "links": links}
    home = nav[0].href if nav else itself
    body = "\n".join(_block_html(block, from_source) for block in doc.blocks)
    template = _templates().get_template("page.html.j2")
    return template.render(
        lang=config.lang,
        title_text=inline_text(doc.title),
        site_title=config.website.title,
        kind="notebook" if doc.quarter else "page",
        assets=relative(ASSETS_DIR, doc.output) + "/",
        home=home,
        nav=nav,
        quarter_nav=quarter_nav,
        h1=None if doc.has_h1 else Markup(render_inline(doc.title)),
        body=Markup(body),
        footer=frame.footer,
        scripts=[script for marker, scripts in PAGE_SCRIPTS if marker in body for script in scripts],
        feeds=[(f.title, relative(f.path, doc.output)) for f in page_feeds(doc.output, doc.label)],
        family=family_nav(site.family, doc.output),
    )


def family_nav(family: tuple[tuple[str, str], ...], page: str) -> dict | None:
    """The links to the other sites of a shared service (``Project.family``) as seen from ``page``; None for a council alone.

    The first link is the shared service's home; a link to this site's own
    root is marked as the current site.
    """
    if not family:
        return None
    links = [NavLink(text, relative(path, page), posixpath.normpath(path) == "index.html") for text, path in family]
    return {"label": "Shared services", "links": links}


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def render_site(
    project: Project, quarters: Iterable[str | Period], *, out_dir: str | os.PathLike, vega_js: Callable[[], str] = kept_vega_bundle
) -> list[Path]:
    """Write the website for ``quarters`` into ``out_dir`` (a fresh folder the caller swaps into ``_site/``); the files written, sorted.

    Reads ``_quarto.yml`` and ``_quarto-website.yml`` from the project root,
    the generated pages from ``project.pages`` and the executed notebooks.
    ``vega_js`` gives the Vega bundle, asked for last: making it takes
    vl-convert over a second, so a build makes it in a worker process meanwhile
    (``Pending.result`` of ``vega_bundle``).
    Raises ``ProjectConfigError`` for the project files,
    ``UnsupportedSyntaxError`` for Quarto syntax the built-in renderer does
    not implement, ``ConfigError`` for a quarter with no executed notebooks,
    and ``SiteError`` for links to no page; each lists every problem found.
    """
    project_dir, reports_dir, pages_dir = (Path(os.path.abspath(p)) for p in (project.root, project.reports, project.pages))
    out_dir = Path(out_dir)
    config = read_project(project_dir, "website")
    periods = sorted({q if isinstance(q, Period) else parse_quarter(q) for q in quarters})
    documents = read_sources(config, periods, project_dir, reports_dir, pages_dir)
    _check_outputs(documents)
    published = resource_files(config, project_dir)
    open_data = {project_dir / path: path for path in open_data_files(pages_dir, periods).values()}  # linked where published
    feeds = {project_dir / path: path for path in published_feeds(d.output for d in documents)}  # written after the pages
    site = _Site(
        config,
        project_dir,
        {Path(os.path.abspath(d.source)): d.output for d in documents} | published | open_data | feeds | pack_outputs(project_dir, periods),
        quarter_menus({q: [d for d in documents if d.quarter == q] for q in periods}),
        family=project.family,
    )
    problems: list[Problem] = []
    pages = {doc.output: _page_html(site, doc, problems) for doc in documents}
    if problems:
        raise SiteError(sorted(set(problems)))
    written = [_write(out_dir / output, text.encode("utf-8")) for output, text in sorted(pages.items())]
    written += [_write(out_dir / output, source.read_bytes()) for source, output in sorted(published.items())]
    written += publish_open_data(pages_dir, periods, out_dir)
    written += write_static_assets(out_dir, vega_js)
    return sorted(written)


def write_static_assets(out_dir: Path, vega_js: Callable[[], str] | None = kept_vega_bundle) -> list[Path]:
    """The site's styles and scripts in ``OUT/assets/``: the stylesheet with the outputs', and Vega unless ``vega_js`` is None."""
    assets = resources.files("pmlib.rendering") / "assets"
    written = []
    for name in STATIC_ASSETS:
        data = assets.joinpath(name).read_bytes()
        if name == "site.css":
            data += b"\n" + outputs_stylesheet()
        written.append(_write(out_dir / ASSETS_DIR / name, data))
    if vega_js is not None:
        written.append(_write(out_dir / ASSETS_DIR / VEGA_BUNDLE, vega_js().encode("utf-8")))
    return written
