"""The demo built with a real Quarto, as a council with Quarto installed builds it, held to the built-in site's checks.

Skipped, saying so, where ``quarto`` is not on PATH (CI has none). The demo
is built once into a copy of the project with ``pm build --latest
--renderer quarto``; then the site gets the built-in site's browser pass
(every page loaded offline, console errors, requests leaving the machine,
axe-core WCAG 2.2 A and AA, nothing wider than a phone), and the packs the
built-in pack's PDF checks, which are the same test functions run here
against Quarto's PDFs.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading

import pytest
from browser import AXE, AXE_MISSING, DESKTOP, PHONE, describe_violations
from click.testing import CliRunner
from conftest import LATEST, QuietHandler
from quarto import MARKS
from site_build import copy_project

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
from test_site_browser import page, visit_site  # noqa: F401

from pmlib import quarter_report
from pmlib.cli import main

pytestmark = list(MARKS)


@pytest.fixture(scope="module")
def quarto_site(tmp_path_factory):
    """The demo built by Quarto in a copy of the project: (project folder, _site folder, printed lines)."""
    project = copy_project(tmp_path_factory.mktemp("quarto") / "project")
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, ["build", LATEST, "--renderer", "quarto", "--no-progress"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return project, project / "_site", result.output.splitlines()


@pytest.fixture(scope="module")
def quarto_url(quarto_site):
    handler = functools.partial(QuietHandler, directory=str(quarto_site[1]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def quarto_visits(quarto_site, quarto_url, page):  # noqa: F811
    assert AXE.is_file(), AXE_MISSING
    return visit_site(page, quarto_url, quarto_site[1])


@pytest.fixture(scope="module", params=[LATEST, "2020-21-Q1"])
def pack(request, quarto_site):
    project, site, _ = quarto_site
    slug = request.param
    return slug, site / "packs" / f"{slug}.pdf", None, quarter_report(slug, project / "data", project / "params")


def pages(site) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


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


def test_every_page_loads_offline_without_errors(quarto_visits):
    assert {rel: r["problem"] for rel, r in quarto_visits.items() if r["problem"]} == {}
    assert {rel: r["errors"] for rel, r in quarto_visits.items() if r["errors"]} == {}
    assert {rel: sorted(set(r["outside"])) for rel, r in quarto_visits.items() if r["outside"]} == {}


def test_axe_finds_no_wcag_22_aa_violations_on_any_page(quarto_visits):
    results = {rel: r["widths"][DESKTOP] for rel, r in quarto_visits.items()}
    assert [rel for rel, r in results.items() if r["violations"] is None and r["problem"] is None] == []
    report = describe_violations(results, DESKTOP)
    assert report == "", f"axe-core found violations:\n{report}"


def test_no_page_is_wider_than_a_phone(quarto_visits):
    assert {rel: r["widths"][PHONE]["overflow"] for rel, r in quarto_visits.items() if r["widths"][PHONE]["overflow"]} == {}


def test_the_open_data_is_the_same_file_whichever_renderer_made_it(quarto_site, built_site):
    _, quarto, _ = quarto_site
    _, builtin, _ = built_site
    files = sorted(p.relative_to(builtin).as_posix() for p in (builtin / "data").rglob("*") if p.is_file())
    assert files and all((quarto / f).read_bytes() == (builtin / f).read_bytes() for f in files)
