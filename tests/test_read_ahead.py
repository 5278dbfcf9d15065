"""Between builds, ``read_ahead`` judges and reads every quarter as the next build would, and gives way to a build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pmlib.contract.loading import load_data
from pmlib.contract.memo import forget
from pmlib.contract.params_folder import report_params, select_quarters
from pmlib.project import Project
from pmlib.rendering import building, documents
from pmlib.rendering.page_store import PAGES
from pmlib.rendering.project import read_project
from pmlib.rendering.site import read_sources
from pmlib.views import report as report_module

ROOT = Path(__file__).parents[1]
QUARTERS = select_quarters(ROOT / "params", every=True)[-2:]


def _copy(target: Path) -> Project:
    """The demo's data, params, Quarto files and the reports of the two latest quarters, as in a fresh clone: no pages yet."""
    for name in ("data", "params"):
        shutil.copytree(ROOT / name, target / name)
    for q in QUARTERS:
        shutil.copytree(ROOT / "reports" / q.slug, target / "reports" / q.slug)
    for name in ("_quarto.yml", "_quarto-website.yml"):
        shutil.copy(ROOT / name, target / name)
    return Project(root=target, data=target / "data", params=target / "params", reports=target / "reports")


def test_after_reading_ahead_a_build_finds_every_quarter_judged_and_read(tmp_path, monkeypatch):
    project = _copy(tmp_path)
    forget()
    documents._read.clear()
    building.read_ahead(project)
    assert list((tmp_path / PAGES).rglob("*.qmd")) == [], "no measure page written: a build beside it may be writing them"

    def again(*args, **kwargs):
        raise AssertionError("worked out again")

    monkeypatch.setattr(report_module, "_quarter_report", again)
    monkeypatch.setattr(documents, "_parse_notebook", again)
    data = load_data(project.data)
    root, reports, pages = (path.resolve() for path in (project.root, project.reports, project.pages))
    for q in QUARTERS:
        found = report_module.quarter_report(report_params(project.params, q), project.data, project.params, data=data)
        assert found.quarter == q
        read = read_sources(read_project(root, "website"), [q], root, reports, pages)
        assert {d.source.name for d in read if d.source.suffix == ".ipynb"} == {p.name for p in (reports / q.slug).glob("*.ipynb")}


def test_reading_ahead_has_the_warm_server_check_the_data_as_the_latest_quarters_kernels_will_name_it(tmp_path, monkeypatch):
    """So that after an edit the server reads the changed file alone before it forks them (``Collector.read`` keeps the rest)."""
    from pmlib.run import warm_kernels

    project = _copy(tmp_path)
    asked = []
    monkeypatch.setattr(warm_kernels, "prepare", lambda *call: asked.append(call))
    monkeypatch.setattr(warm_kernels, "prepare_if_running", lambda *call: pytest.fail("asked only if a server listened already"))
    building.read_ahead(project)
    folder = (tmp_path / "reports" / QUARTERS[-1].slug).resolve()
    assert asked == [(str(folder), "pmlib.contract.loading", "check_data", ["../../data"])]


def test_reading_ahead_gives_way_to_a_build(tmp_path, monkeypatch):
    project = _copy(tmp_path)
    judged = []
    monkeypatch.setattr(report_module, "quarter_report", lambda *args, **kwargs: judged.append(args) or pytest.fail("judged"))
    monkeypatch.setattr(building, "_building", building.threading.Event())
    building._building.set()
    building.read_ahead(project)  # a build has started: nothing is judged or read
    stop = building.threading.Event()
    stop.set()
    building.judge_ahead(QUARTERS, project, stop=stop)
    assert judged == []


def test_a_build_is_known_to_be_running_until_it_ends(tmp_path, monkeypatch):
    seen = []

    def fake(*args, **kwargs):
        seen.append(building._building.is_set())
        raise RuntimeError("the build failed")

    monkeypatch.setattr(building, "_build", fake)
    with pytest.raises(RuntimeError):
        building.build([], Project.from_options(root=tmp_path))
    assert seen == [True] and not building._building.is_set()
