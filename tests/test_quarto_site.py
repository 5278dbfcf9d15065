"""The demo built with a real Quarto, as a council with Quarto installed builds it, held to the built-in site's checks.

Skipped, saying so, where ``quarto`` is not on PATH (CI has none). The demo
is built once into a copy of the project with ``pm build --latest
--renderer quarto``; then the site gets the built-in site's browser pass
(every page loaded offline, console errors, requests leaving the machine,
every chart drawn interactively, axe-core WCAG 2.2 A and AA, nothing wider
than a phone), and the packs the built-in pack's PDF checks: the same test
functions, imported here, run against Quarto's pages and PDFs.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import pytest
from browser import AXE, AXE_MISSING
from bs4 import BeautifulSoup
from conftest import LATEST, QuietHandler
from quarto import MARKS

# The built-in pack's checks, run again with this module's ``pack`` fixture: Quarto's PDFs.
from test_pack import (  # noqa: F401
    test_a4_pages_and_document_properties,
    test_cover_names_council_report_meeting_and_classification,
    test_each_delivery_plan_is_a_numbered_section_in_plan_order,
    test_every_exception_report_has_its_commentary_or_says_it_is_missing,
    test_every_font_is_embedded_and_the_text_is_liberation_sans,
    test_every_page_says_page_n_of_m_and_later_pages_carry_the_running_header,
    test_every_section_has_a_bookmark,
    test_status_symbols_reach_the_pdf_text,
    test_the_pack_ends_with_the_appendices,
    test_the_public_pack_has_no_restricted_measure_and_no_small_number,
)

# The built-in site's browser checks, run again with this module's ``visits`` fixture: Quarto's pages.
from test_site_browser import (  # noqa: F401
    page,
    test_axe_finds_no_wcag_22_aa_violations_on_any_page,
    test_every_page_loads_cleanly_offline_and_charts_draw,
    test_links_from_the_home_page_reach_every_quarter_plan_and_measure,
    test_no_page_is_wider_than_a_phone,
    visit_site,
)
from test_validators import nu_html_checker

from pmlib import quarter_report
from pmlib.contract.periods import parse_quarter
from pmlib.rendering.quarto import quarto_environment

pytestmark = list(MARKS)


@pytest.fixture(scope="module")
def quarto_site(quarto_built_site):
    """The demo built by Quarto in a copy of the project: (project folder, _site folder, printed lines)."""
    project, site, output = quarto_built_site
    return project, site, output.splitlines()


@pytest.fixture(scope="module")
def quarto_url(quarto_site):
    handler = functools.partial(QuietHandler, directory=str(quarto_site[1]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def visits(quarto_site, quarto_url, page):  # noqa: F811
    """The built-in site's one pass over every page, over Quarto's; the browser tests imported above read it."""
    assert AXE.is_file(), AXE_MISSING
    return visit_site(page, quarto_url, quarto_site[1])


@pytest.fixture(scope="module", params=[LATEST, "2020-21-Q1"])
def pack(request, quarto_site):
    project, site, _ = quarto_site
    slug = request.param
    return slug, site / "packs" / f"{slug}.pdf", None, quarter_report(slug, project / "data", project / "params")


def pages(site) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def visible_text(html: str) -> str:
    """What a reader reads in a page's main content: its words in order, without menus, scripts or styles."""
    main = BeautifulSoup(html, "html.parser").find("main")
    for tag in main.find_all(["nav", "script", "style", "template"]):
        tag.decompose()
    return " ".join(main.get_text(" ").split())


def first_difference(one: str, other: str) -> str:
    """Where two texts part, with a little of each from there."""
    at = next((i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), min(len(one), len(other)))
    return f"at {at}: {one[max(0, at - 40) : at + 80]!r} / {other[max(0, at - 40) : at + 80]!r}"


def test_every_page_is_at_the_same_address_and_says_the_same_as_the_built_in_sites(quarto_site, built_site):
    """Page by page, the main content's words are the same whichever renderer made the site; menus and frames may differ."""
    builtin, quarto = pages(built_site[1]), pages(quarto_site[1])
    assert len(builtin) > 100 and sorted(quarto) == sorted(builtin)
    texts = {rel: (visible_text(builtin[rel]), visible_text(quarto[rel])) for rel in builtin}
    assert all(len(one) > 100 for one, _ in texts.values())
    assert {rel: first_difference(one, other) for rel, (one, other) in texts.items() if one != other} == {}


def test_every_page_shows_its_quarters_menu(quarto_site):
    for rel, text in pages(quarto_site[1]).items():
        slug = rel.split("/")[1] if rel.startswith("reports/") else LATEST
        assert f'<p class="pm-quarter-nav-title" id="quarter-nav-title">{parse_quarter(slug).code} report</p>' in text, rel
        if rel.startswith("reports/"):
            assert f'<a href="{rel.rsplit("/", 1)[1]}" aria-current="page">' in text, rel


def test_the_home_page_is_the_sites_index(quarto_site):
    _, site, _ = quarto_site
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' not in index
    assert re.search(r"<h1[^>]*>[^<]*: corporate performance</h1>", index), index[:2000]


def test_quarto_prints_no_warning(quarto_site):
    _, _, lines = quarto_site
    assert [line for line in lines if line.startswith("Quarto: ")] == []


def test_no_template_note_reaches_a_reader(quarto_site):
    _, site, _ = quarto_site
    assert [rel for rel, text in pages(site).items() if "This is a template" in text] == []


def test_the_open_data_is_the_same_file_whichever_renderer_made_it(quarto_site, built_site):
    _, quarto, _ = quarto_site
    _, builtin, _ = built_site
    files = sorted(p.relative_to(builtin).as_posix() for p in (builtin / "data").rglob("*") if p.is_file())
    assert files and all((quarto / f).read_bytes() == (builtin / f).read_bytes() for f in files)


# What Quarto's own page template writes on every page, which no project setting changes: the
# "append-hash" attribute on the theme's <link> (src/command/render/pandoc-html.ts). Its navbar
# toggle button's role="menu" (navtoggle.ejs) is not on the pages: the project's navbar has
# collapse: false, so Quarto writes no such button.
QUARTO_TEMPLATE_ERRORS = ("Attribute “append-hash” not allowed on element “link” at this point.",)


def test_every_page_passes_the_nu_html_checker_but_for_quartos_own_template(quarto_site):
    """Everything pmlib puts on Quarto's pages (outputs, tables, charts, menus, generated pages) is valid HTML."""
    messages = [m for m in nu_html_checker(quarto_site[1]) if m["type"] == "error"]
    found = [f"{m['url'].split('/_site/')[-1]}: {m['message']}" for m in messages if m["message"] not in QUARTO_TEMPLATE_ERRORS]
    assert found[:20] == []


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, seconds: float, holds=lambda text: True) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = _fetch(url)
        if text is not None and holds(text):
            return text
        time.sleep(2)
    return None


def test_quarto_preview_serves_the_site_and_shows_a_changed_notebooks_page_again(quarto_site, tmp_path):
    """As an analyst previews: ``quarto preview`` over the built site, then a notebook changes and its page follows."""
    project = tmp_path / "project"
    shutil.copytree(quarto_site[0], project, symlinks=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["quarto", "preview", "--no-browser", "--no-render", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=project, env=quarto_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/reports/{LATEST}/plan-brighter-futures.html"
    try:
        before = _wait_for(url, 600)
        assert before is not None and "Measures at a glance" in before
        notebook_path = project / "reports" / LATEST / "plan-brighter-futures.ipynb"
        notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
        cell = next(c for c in notebook["cells"] if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## Measures at a"))
        cell["source"] = "## Measures at a glance\n\nChanged while the preview runs."
        notebook_path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")
        assert _wait_for(url, 180, lambda text: "Changed while the preview runs." in text) is not None
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode("utf-8", "replace")
    assert "Watching files for changes" in output and "ERROR" not in output, output[-3000:]


def test_quarto_render_with_the_pack_profile_typesets_every_built_quarters_pack(quarto_site, tmp_path):
    """``quarto render --profile pack`` from a shell with the venv activated, as the README says: every built quarter's pack.

    One quarter is kept, so Quarto typesets one pack.
    """
    project = tmp_path / "project"
    shutil.copytree(quarto_site[0], project, symlinks=True, ignore=shutil.ignore_patterns("_site", "packs"))
    for folder in (project / "reports").iterdir():
        if folder.is_dir() and folder.name != LATEST:
            shutil.rmtree(folder)
    done = subprocess.run(["quarto", "render", "--profile", "pack"], cwd=project, env=quarto_environment(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert sorted(p.name for p in (project / "pages" / "packs").glob("*.pdf")) == [f"{LATEST}.pdf"]
    assert (project / "pages" / "packs" / f"{LATEST}.pdf").read_bytes().startswith(b"%PDF")
