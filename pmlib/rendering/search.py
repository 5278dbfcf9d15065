"""Site search: a Pagefind index of the published pages, and the search page that queries it in the reader's browser.

Pagefind (on PyPI as ``pagefind[bin]``, pinned) reads the finished HTML and
writes a static bundle into the site: an index split into small chunks and a
WebAssembly searcher, fetched from the site itself, so search needs no server
and no CDN, and a search fetches only the chunks for its words. Because it
reads what either renderer published, the built-in site and Quarto's get the
same index from the same call (``pmlib.rendering.site_files``).

Only what a resident should land on is indexed: every page of the site but
the latest quarter's reports alone (each quarter's pages repeat the same
measures, and older figures would crowd out the current ones), never the
search page itself, and within a page only its ``<main>`` (no menus, header
or footer). A browser cannot run the index from ``file://`` or without
JavaScript; the search page then says so and links to the list of measures.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pmlib.contract.periods import parse_quarter
from pmlib.errors import BuildError, PeriodError
from pmlib.rendering.documents import REPORTS_PATH
from pmlib.rendering.qmd import link, page, raw_html

INDEX_DIR = "pagefind"  # at the site's root, where pagefind.js finds its chunks
SEARCH_MARKER = 'class="pm-search"'  # the search page's form; site.py's PAGE_SCRIPTS loads search.js on the page that has it
ROOT_SELECTOR = "main"  # both renderers put a page's title and content in <main>, and its menus outside or in <nav>
# The bundle's ready-made interfaces, unused: the search page's own script (assets/search.js) calls pagefind.js.
UNUSED = (
    *(f"pagefind-{kind}ui.{ext}" for kind in ("", "modular-", "component-") for ext in ("js", "css")),
    "pagefind-highlight.js",
)


def _quarter(folder: str):
    try:
        return parse_quarter(folder)
    except PeriodError:
        return None


def pages_to_index(site_dir: Path) -> list[str]:
    """The site paths of the pages search finds, sorted: every page but older quarters' reports and the search page.

    The latest quarter is the newest ``reports/<slug>/`` folder in the site,
    so both renderers' sites give the same list.
    """
    found = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html") if p.is_file())
    quarters = {parts[1]: _quarter(parts[1]) for parts in (rel.split("/") for rel in found) if len(parts) == 3 and parts[0] == REPORTS_PATH}
    latest = max((q for q in quarters.values() if q is not None), default=None)
    chosen = []
    for rel in found:
        parts = rel.split("/")
        if len(parts) == 3 and parts[0] == REPORTS_PATH and quarters[parts[1]] not in (None, latest):
            continue
        if SEARCH_MARKER in (site_dir / rel).read_text(encoding="utf-8"):
            continue
        chosen.append(rel)
    return chosen


def _prune(bundle: Path) -> None:
    """Delete what the bundle holds that no page loads: Pagefind's own interfaces, and any searcher for no indexed language."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    wanted = {f"wasm.{language.get('wasm') or 'unknown'}.pagefind" for language in entry["languages"].values()}
    for path in bundle.iterdir():
        if path.name in UNUSED or (path.name.startswith("wasm.") and path.name not in wanted):
            path.unlink()


def _pagefind() -> list[str]:
    """The command that runs Pagefind: its binary from ``pagefind_bin`` (what ``pagefind[bin]`` installs) when that is what it would run.

    ``python -m pagefind`` only finds that binary and replaces itself with it,
    so running the binary directly gives the same index without starting a
    Python interpreter for it. When Pagefind would look elsewhere (its
    ``PAGEFIND_BINARY_PATH``, the extended binary) or ``pagefind_bin`` is
    missing, ``python -m pagefind`` looks as it always does.
    """
    if os.environ.get("PAGEFIND_BINARY_PATH") is None and importlib.util.find_spec("pagefind_bin_extended") is None:
        try:
            from pagefind_bin import get_executable

            return [str(get_executable().resolve())]
        except (ImportError, FileNotFoundError):
            pass
    return [sys.executable, "-m", "pagefind"]


def index_site(site_dir: Path) -> list[Path]:
    """Index the finished site's pages (``pages_to_index``) with Pagefind into ``site_dir/pagefind/``; the files written, sorted.

    Pagefind indexes a folder, so the chosen pages are copied into a
    scratch folder at their site paths first; result links are site paths,
    which pagefind.js turns into addresses under wherever the site is served.
    Same pages, same bytes: Pagefind's output depends only on the HTML.
    A site with no pages yet has nothing to index and gets no index.
    Raises ``BuildError`` with Pagefind's own message if it fails.
    """
    site_dir = Path(site_dir)
    bundle = site_dir / INDEX_DIR
    shutil.rmtree(bundle, ignore_errors=True)
    pages = pages_to_index(site_dir)
    if not pages:
        return []
    with tempfile.TemporaryDirectory(prefix="pmlib-search-") as scratch:
        for rel in pages:
            target = Path(scratch) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site_dir / rel, target)
        command = [*_pagefind(), "--site", scratch, "--output-path", str(bundle.resolve())]
        command += ["--root-selector", ROOT_SELECTOR, "--keep-index-url", "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (bundle / "pagefind.js").is_file():
        output = (done.stdout + done.stderr).strip()[-4000:]
        raise BuildError(f"Pagefind could not index the site (exit {done.returncode}):\n{output}", file=site_dir)
    _prune(bundle)
    return sorted(p for p in bundle.rglob("*") if p.is_file())


def search_page(page_path: Path, site_root: Path) -> str:
    """The search page (``pages/search.qmd``): a search form, its results, and what to do where search cannot run.

    Without the script the page shows no form (it could find nothing) but a
    note that search cannot run here, with links to the list of every measure
    and to every report; the script (``assets/search.js``) swaps them when
    the page is served, and shows the note again if the index cannot load. A
    search is kept in the address (``?q=``), and the form sends it there too,
    so a search can be linked to.
    """
    here = page_path.parent
    bundle = link(site_root / INDEX_DIR / "pagefind.js", page_path)
    form = "\n".join(
        [
            f'<div {SEARCH_MARKER} data-pm-search-bundle="{bundle}">',
            '<form class="pm-search-form" role="search" aria-label="Site" hidden>',
            '<label class="pm-search-label" for="pm-search-input">Search for</label>',
            '<div class="pm-search-bar">',
            '<input class="pm-search-input" type="search" id="pm-search-input" name="q" autocomplete="off" spellcheck="false"'
            ' aria-describedby="pm-search-hint">',
            '<button class="pm-search-button" type="submit">Search</button>',
            "</div>",
            '<p class="pm-search-hint" id="pm-search-hint">'
            "A measure's name, words from its definition, the service that owns it or its delivery plan.</p>",
            "</form>",
            '<div class="pm-search-status" id="pm-search-status" role="status" aria-live="polite"></div>',
            '<ol class="pm-search-results" id="pm-search-results" aria-label="Search results" hidden></ol>',
            '<p class="pm-search-more" hidden><button class="pm-search-more-button" type="button">Show more results</button></p>',
            "</div>",
        ]
    )
    note = (
        "**Search cannot run here.** It runs in your web browser, so it needs JavaScript and the site opened from a web server: "
        "it cannot search pages opened as files on a computer. "
        f"The [list of every measure]({link(here / 'measures.qmd', page_path)}) leads to each measure's page, "
        f"and [all reports]({link(here / 'archive.qmd', page_path)}) to every quarter's report."
    )
    return page(
        "Search",
        "Search the measures, delivery plans and pages of the latest report.",
        raw_html(form),
        raw_html('<div class="pm-search-unavailable" id="pm-search-unavailable">'),
        note,
        raw_html("</div>"),
    )
