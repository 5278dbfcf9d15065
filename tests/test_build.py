"""``pm build`` end to end on the demo council: what it writes, that a failure changes nothing, and that it repeats exactly."""

import csv
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import LATEST
from site_build import copy_project

from pmlib import quarter_report
from pmlib.contract.params_folder import params_files
from pmlib.cores import LIMIT
from pmlib.project import Project
from pmlib.rendering.building import BuildError, build

pytestmark = pytest.mark.e2e


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_site_packs_and_open_data_for_every_quarter(built_site):
    project, site, output = built_site
    quarters = list(params_files(project / "params"))
    assert (site / "index.html").is_file() and (site / "pages" / "archive.html").is_file()
    for q in quarters:
        assert (site / "packs" / f"{q.slug}.pdf").read_bytes().startswith(b"%PDF")
        assert (site / "data" / q.slug / "datapackage.json").is_file()
        assert (site / "reports" / q.slug / "overview.html").is_file()
    assert "Website (builtin renderer): _site/index.html" in output
    assert f"Cabinet pack: _site/packs/{LATEST}.pdf" in output
    assert not [p for p in project.iterdir() if p.name.startswith("._site")]


def test_open_data_statuses_equal_what_pmlib_computes(built_site):
    project, site, _ = built_site
    for q in params_files(project / "params"):
        report = quarter_report(q, project / "data", project / "params")
        with (site / "data" / q.slug / "measures.csv").open(encoding="utf-8", newline="") as f:
            published = {r["measure_id"]: r["status"] for r in csv.DictReader(f)}
        assert published == dict(zip(report.judged["measure_id"], report.judged["status"], strict=True))


def test_a_failed_build_leaves_the_previous_site_untouched(built_site, tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    out = project / "_site"
    out.mkdir()
    (out / "index.html").write_text("the previous site", encoding="utf-8")
    before = files(out)
    plan = nbformat.read(project / "notebooks" / "plan.ipynb", as_version=4)
    first = next(i for i, cell in enumerate(plan.cells) if "parameters" in cell.metadata.get("tags", ())) + 1
    plan.cells.insert(first, nbformat.v4.new_code_cell("raise RuntimeError('broken on purpose')", id="broken"))
    nbformat.write(plan, project / "notebooks" / "plan.ipynb")
    with pytest.raises(BuildError, match="broken on purpose"):
        build([LATEST], Project(), renderer="builtin")
    assert files(out) == before
    assert not [p for p in project.iterdir() if p.name.startswith("._site")]


def test_building_twice_gives_identical_files(built_site, tmp_path, monkeypatch):
    """The second build on two cores (packs typeset in a worker process), the first as the test run gave it (one, under xdist)."""
    project, site, _ = built_site
    again = tmp_path / "again"
    shutil.copytree(project, again, ignore=shutil.ignore_patterns("_site", "pages"))
    monkeypatch.chdir(again)
    monkeypatch.setenv(LIMIT, "2")
    build([LATEST], Project(), renderer="builtin")
    for made in ("_site", "pages"):
        first, second = files(project / made), files(again / made)
        assert sorted(first) == sorted(second)
        assert [name for name in first if first[name] != second[name]] == []
