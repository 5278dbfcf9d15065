"""The shared-service example (examples/chorley-south-ribble) built end to end, as the README's command builds it.

Both councils' sites, the joint committee's pages, packs and open data, and
the landing page, from one ``pm build --councils``; then each council's
folder copied out on its own into a single-council project, which must build
the very same site.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser import AXE_TAGS, DESKTOP, PHONE, RUN_AXE, audited_context, chromium, describe_violations
from click.testing import CliRunner
from site_build import ROOT, TEMPLATE_FILES, copy_project

from pmlib.cli import main

pytestmark = pytest.mark.e2e

EXAMPLE = Path("examples") / "chorley-south-ribble"
COUNCILS = ("chorley", "south-ribble")
FAMILY = re.compile(r'<nav class="pm-family" aria-label="Shared services">.*?</nav>\n', re.S)


def _invoke(project: Path, *args: str) -> str:
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return result.output


def build_example(folder: Path, renderer: str):
    """The example built as the README says, in a copy in ``folder``: (project folder, the example's _site, what pm printed)."""
    project = copy_project(folder / "project", TEMPLATE_FILES)
    shutil.copytree(ROOT / EXAMPLE, project / EXAMPLE, ignore=shutil.ignore_patterns("_site", ".*"))
    output = _invoke(project, "build", "--latest", "--councils", str(EXAMPLE / "councils.yml"), "--renderer", renderer, "--no-progress")
    return project, project / EXAMPLE / "_site", output


@pytest.fixture(scope="module")
def shared_build(tmp_path_factory):
    """The example built with the built-in renderer."""
    return build_example(tmp_path_factory.mktemp("shared"), "builtin")


def test_one_command_builds_both_councils_the_joint_reports_and_the_landing_page(shared_build):
    _, site, output = shared_build
    for council in COUNCILS:
        assert (site / council / "index.html").is_file(), output
        assert list((site / council / "packs").glob("*.pdf")), output
        assert list((site / council / "data").glob("*/measures.csv")), output
    assert (site / "joint" / "index.html").is_file()
    joint_pages = sorted((site / "joint" / "reports").glob("*/joint.html"))
    assert joint_pages
    slugs = [p.parent.name for p in joint_pages]
    for slug in slugs:
        assert (site / "packs" / f"joint-{slug}.pdf").is_file()
        with open(site / "joint" / "data" / slug / "measures.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert rows and {"measure_id", "council", "status"} <= set(rows[0])
    landing = (site / "index.html").read_text(encoding="utf-8")
    for council in COUNCILS:
        assert f'href="{council}/index.html"' in landing
    assert 'href="joint/index.html"' in landing


def test_every_page_of_a_council_links_to_the_other_sites_and_each_link_resolves(shared_build):
    check_family_links(shared_build[1])


def check_family_links(site: Path) -> None:
    """Every page of a council's site carries the shared service's links, and each reaches a page of the built site."""
    pages = sorted((site / "chorley").rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        nav = FAMILY.search(text)
        assert nav, page
        for href in re.findall(r'href="([^"]+)"', nav.group(0)):
            assert (page.parent / href).resolve().is_file(), (page, href)


def test_the_joint_pack_is_a_pdf_with_every_shared_service(shared_build):
    check_joint_pack(shared_build[1])


def check_joint_pack(site: Path) -> None:
    """The latest joint pack's text names the shared service and every shared service in its open data."""
    pack = sorted((site / "packs").glob("joint-*.pdf"))[-1]
    text = subprocess.run(["pdftotext", "-layout", str(pack), "-"], capture_output=True, text=True, check=True).stdout
    assert "Shared Services" in text
    slug = pack.stem.removeprefix("joint-")
    with open(site / "joint" / "data" / slug / "measures.csv", encoding="utf-8") as f:
        services = {row["shared_service"] for row in csv.DictReader(f)}
    for service in services:
        assert service in text, service


@pytest.mark.parametrize("council", COUNCILS)
def test_a_councils_folder_copied_out_alone_builds_the_same_site(shared_build, tmp_path, council):
    project, site, _ = shared_build
    alone = copy_project(tmp_path / "alone")
    for name in ("data", "params", "reports"):
        shutil.rmtree(alone / name, ignore_errors=True)
        source = ROOT / EXAMPLE / "councils" / council / name
        if source.is_dir():
            shutil.copytree(source, alone / name, ignore=shutil.ignore_patterns(".*"))
    _invoke(alone, "build", "--latest", "--renderer", "builtin", "--no-progress")
    inside, outside = site / council, alone / "_site"
    files = lambda root: sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != "manifest.json")  # noqa: E731
    assert files(inside) == files(outside)
    differ = []
    for name in files(inside):
        a, b = (inside / name).read_bytes(), (outside / name).read_bytes()
        if name.endswith(".html"):
            a = FAMILY.sub("", a.decode("utf-8"), count=1).encode("utf-8")
        if a != b:
            differ.append(name)
    assert not differ, differ[:10]


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_joint_pages_and_landing_page_meet_wcag_22_aa_and_fit_a_phone(shared_build, width):
    audit_joint_pages(shared_build[1], width)


def audit_joint_pages(site: Path, width: int) -> None:
    """axe-core (WCAG 2.2 AA and best practice) on the landing page and every joint page from file://, at ``width``; nothing fetched."""
    joint = sorted(p.relative_to(site).as_posix() for p in (site / "joint" / "reports").glob("*/*.html"))
    pages = ["index.html", "joint/index.html", *joint]
    results, outside = {}, []
    with chromium() as browser:
        tab = audited_context(browser, width).new_page()
        tab.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        for rel in pages:
            tab.goto((site / rel).as_uri(), wait_until="load")
            results[rel] = {"violations": tab.evaluate(RUN_AXE, AXE_TAGS)}
            wide = tab.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= width, f"{rel} is {wide}px wide at {width}px"
    assert not any(r["violations"] for r in results.values()), describe_violations(results, width)
    assert not outside, f"requests leaving the machine: {outside[:5]}"


def test_the_joint_pages_are_within_the_page_weight_budget_and_load_nothing_missing(shared_build):
    from test_site_weight import PAGE_WEIGHT_BUDGET, page_weights

    _, site, _ = shared_build
    weights, missing = page_weights(site / "joint")
    assert len(weights) >= 2 and not missing, missing
    assert max(weights.values()) <= PAGE_WEIGHT_BUDGET, weights
