"""Measure pages kept between builds: after any edit, a kept page is byte for byte the page a fresh writing gives.

Each case edits one cell of the demo's data or params, writes the pages with
the store and again without it, and compares every page; it also checks
which measure pages were made again rather than taken from the store: only
the edited measure's after an edit to its commentary, the edited plan's after
an edit to that plan's other rows, every one after an edit to a shared file
or a params file, none after no edit.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmlib.contract.loading import load_data
from pmlib.contract.memo import forget
from pmlib.contract.params_folder import select_quarters
from pmlib.project import Project
from pmlib.rendering import measure_pages as measure_pages_module
from pmlib.rendering import pages as pages_module
from pmlib.rendering.page_store import PAGES
from pmlib.run import reuse

ROOT = Path(__file__).parents[1]
LATEST = select_quarters(ROOT / "params")[0]
PLAN = "sustainable-environment"


def _copy(target: Path, quarters=(LATEST,)) -> Project:
    """The demo's data, params, Quarto files and the reports of ``quarters``: what ``write_pages`` reads."""
    shutil.copytree(ROOT / "data", target / "data")
    shutil.copytree(ROOT / "params", target / "params")
    for q in quarters:
        shutil.copytree(ROOT / "reports" / q.slug, target / "reports" / q.slug)
    for name in ("_quarto.yml", "_quarto-website.yml"):
        shutil.copy(ROOT / name, target / name)
    return Project(root=target, data=target / "data", params=target / "params", reports=target / "reports")


def _write(project: Project, monkeypatch, *, kept: bool, quarters=(LATEST,)) -> tuple[dict[str, bytes], set[str]]:
    """Every page written, by its path under ``pages/``, and the measures whose pages were made rather than kept."""
    made: set[str] = set()
    original, open_data = measure_pages_module.measure_page, pages_module.write_open_data

    def counted(report, measure_id, *args, **kwargs):
        made.add(measure_id)
        return original(report, measure_id, *args, **kwargs)

    def counted_open_data(report, *args, **kwargs):
        made.add(f"open data {report.quarter.code}")
        return open_data(report, *args, **kwargs)

    monkeypatch.setattr(measure_pages_module, "measure_page", counted)
    monkeypatch.setattr(pages_module, "write_open_data", counted_open_data)
    store = project.root / PAGES if kept else None
    if not kept:
        forget()  # as a new process writes them: nothing judged before the edit
    pages_module.write_pages(quarters, project, page_store=store)
    monkeypatch.setattr(measure_pages_module, "measure_page", original)
    monkeypatch.setattr(pages_module, "write_open_data", open_data)
    folder = project.root / "pages"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}, made


def _edit(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV file (``row`` counts data rows from 0), leaving every other cell as it was."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    rows[row][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _rows_of_plan(path: Path, plan_measures: set[str]) -> list[int]:
    with path.open(encoding="utf-8", newline="") as f:
        return [i for i, r in enumerate(csv.DictReader(f)) if r["measure_id"] in plan_measures]


def _plan_measures(project: Project, plan: str) -> set[str]:
    measures = load_data(project.data).measures
    return set(measures.index[measures["plan_id"] == plan])


def _check(project: Project, monkeypatch, expected_made, *, open_data: bool = True) -> None:
    """Kept pages and open data equal fresh ones; ``expected_made`` measure pages were made again, and the open data if ``open_data``."""
    kept, made = _write(project, monkeypatch, kept=True)
    fresh, _ = _write(project, monkeypatch, kept=False)
    assert kept.keys() == fresh.keys()
    assert [name for name in kept if kept[name] != fresh[name]] == []
    public = {name.removeprefix("measures/").removesuffix(".qmd") for name in kept if name.startswith("measures/")}
    expected = public if expected_made == "all" else public & expected_made
    assert made == expected | ({f"open data {LATEST.code}"} if open_data else set())


def test_one_commentary_row_remakes_its_plans_pages_only_and_they_are_what_a_fresh_writing_gives(tmp_path, monkeypatch):
    project = _copy(tmp_path)
    _write(project, monkeypatch, kept=True)
    _check(project, monkeypatch, set(), open_data=False)  # nothing changed: every page kept
    plan_measures = _plan_measures(project, PLAN)
    row = _rows_of_plan(project.data / "commentary.csv", plan_measures)[-1]
    with (project.data / "commentary.csv").open(encoding="utf-8", newline="") as f:
        measure = list(csv.DictReader(f))[row]["measure_id"]
    _edit(project.data / "commentary.csv", row, "commentary", "Edited: the service reports no change.")
    _check(project, monkeypatch, {measure}, open_data=False)  # a page shows its own measure's commentary; the open data none
    _edit(project.data / "commentary.csv", row, "commentary", "")
    _check(project, monkeypatch, {measure})  # the open data is kept as the overview is, on whether commentary was given


def test_a_project_moved_whole_keeps_its_pages(tmp_path, monkeypatch):
    """Kept pages are found by where the page and its plan's notebook are from the store, which a move or copy of the project keeps."""
    before = _copy(tmp_path / "before")
    _write(before, monkeypatch, kept=True)
    (tmp_path / "before").rename(tmp_path / "after")
    after = Project(root=tmp_path / "after", **{name: tmp_path / "after" / name for name in ("data", "params", "reports")})
    _check(after, monkeypatch, set(), open_data=False)


def test_each_measures_commentary_has_a_digest_of_its_own_and_none_is_given_for_no_commentary(tmp_path):
    project = _copy(tmp_path)
    before = reuse.measure_commentary(load_data(project.data))
    with (project.data / "commentary.csv").open(encoding="utf-8", newline="") as f:
        measure = next(csv.DictReader(f))["measure_id"]
    _edit(project.data / "commentary.csv", 0, "commentary", "Edited words.")
    after = reuse.measure_commentary(load_data(project.data))
    assert after.keys() == before.keys() and [m for m in after if after[m] != before[m]] == [measure]
    empty = load_data(project.data)
    assert reuse.measure_commentary(dataclasses.replace(empty, commentary=empty.commentary.iloc[:0])) == {}


EDITS = {
    # file, column, a row of the plan's measures (True) or the first row (False), new value, whose pages are made again
    "a figure": ("observations/environment.csv", "value", True, "12345", "plan"),
    "a target's reason": ("targets.csv", "reason", True, "Agreed by Cabinet.", "plan"),
    "a definition": ("measures.csv", "definition", True, "A new definition.", "plan"),
    "a forecast (a shared file)": ("forecasts.csv", "note", False, "A new note.", "all"),
    "a comparator's figure (a shared file)": ("comparators/ons-els.csv", "value", False, "999", "all"),
}


@pytest.mark.e2e
@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_after_each_kind_of_edit_kept_pages_are_what_a_fresh_writing_gives(tmp_path, monkeypatch, edit):
    name, column, of_plan, value, remade = EDITS[edit]
    project = _copy(tmp_path)
    _write(project, monkeypatch, kept=True)
    plan_measures = _plan_measures(project, PLAN)
    path = project.data / name
    row = _rows_of_plan(path, plan_measures)[-1] if of_plan else 0
    _edit(path, row, column, value)
    _check(project, monkeypatch, "all" if remade == "all" else plan_measures)


@pytest.mark.e2e
def test_a_params_or_council_change_remakes_every_page(tmp_path, monkeypatch):
    project = _copy(tmp_path)
    _write(project, monkeypatch, kept=True)
    params = project.params / f"{LATEST.slug}.yml"
    params.write_text(params.read_text(encoding="utf-8").replace("Cabinet", "Full Council"), encoding="utf-8")
    _check(project, monkeypatch, "all")
    council = project.data / "council.yml"
    text = council.read_text(encoding="utf-8")
    council.write_text(text.replace("name: ", "name: The ", 1), encoding="utf-8")
    _check(project, monkeypatch, "all")


@pytest.mark.e2e
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.sampled_from([("commentary.csv", "commentary"), ("observations/environment.csv", "note"), ("measures.csv", "name")]),
    pick=st.integers(min_value=0, max_value=10_000),
    words=st.text(st.characters(whitelist_categories=("L", "N", "Zs")), min_size=1, max_size=30).map(str.strip).filter(bool),
)
def test_any_text_edit_leaves_no_stale_kept_page(tmp_path_factory, monkeypatch, table, pick, words):
    project = _copy(tmp_path_factory.mktemp("project"))
    _write(project, monkeypatch, kept=True)
    name, column = table
    path = project.data / name
    with path.open(encoding="utf-8", newline="") as f:
        rows = sum(1 for _ in csv.DictReader(f))
    _edit(path, pick % rows, column, words)
    kept, _ = _write(project, monkeypatch, kept=True)
    fresh, _ = _write(project, monkeypatch, kept=False)
    assert [name for name in kept if kept[name] != fresh[name]] == []


def _row_supplied(path: Path, after: str, by: str) -> int:
    """The first data row of a figures file supplied after one date and by another (ISO dates)."""
    with path.open(encoding="utf-8", newline="") as f:
        return next(i for i, r in enumerate(csv.DictReader(f)) if after < r["reported_on"] <= by and r["value"])


@pytest.mark.e2e
def test_a_figure_only_the_latest_quarter_sees_rewrites_only_its_open_data(tmp_path, monkeypatch):
    every = select_quarters(ROOT / "params", every=True)
    project = _copy(tmp_path, every)
    _write(project, monkeypatch, kept=True, quarters=every)
    figures = project.data / "observations" / "environment.csv"
    # Supplied after the quarter before the latest was reported (31 July 2021): no earlier quarter sees it.
    _edit(figures, _row_supplied(figures, "2021-07-31", "2021-10-31"), "value", "12345")
    kept, made = _write(project, monkeypatch, kept=True, quarters=every)
    fresh, _ = _write(project, monkeypatch, kept=False, quarters=every)
    assert [name for name in kept if kept[name] != fresh[name]] == [] and kept.keys() == fresh.keys()
    assert {m for m in made if m.startswith("open data")} == {f"open data {LATEST.code}"}
    # Supplied before the first quarter's date: every quarter sees it.
    _edit(figures, _row_supplied(figures, "2000-01-01", "2020-07-31"), "value", "54321")
    kept, made = _write(project, monkeypatch, kept=True, quarters=every)
    fresh, _ = _write(project, monkeypatch, kept=False, quarters=every)
    assert [name for name in kept if kept[name] != fresh[name]] == [] and kept.keys() == fresh.keys()
    assert {m for m in made if m.startswith("open data")} == {f"open data {q.code}" for q in every}


@pytest.mark.e2e
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(min_value=0, max_value=10_000), column=st.sampled_from(["value", "reported_on", "quality"]))
def test_any_figure_edit_leaves_no_quarter_with_stale_open_data(tmp_path_factory, monkeypatch, pick, column):
    every = select_quarters(ROOT / "params", every=True)
    project = _copy(tmp_path_factory.mktemp("project"), every)
    _write(project, monkeypatch, kept=True, quarters=every)
    figures = project.data / "observations" / "environment.csv"
    with figures.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    row = pick % len(rows)
    new = {"value": "77", "reported_on": "2021-01-15", "quality": "estimated"}[column]
    if rows[row][column] == new or (column == "value" and not rows[row]["value"]):
        return  # no change, or a ratio measure's row (its value is worked out)
    _edit(figures, row, column, new)
    kept, _ = _write(project, monkeypatch, kept=True, quarters=every)
    fresh, _ = _write(project, monkeypatch, kept=False, quarters=every)
    assert kept.keys() == fresh.keys()
    assert [name for name in kept if kept[name] != fresh[name]] == []


def test_pages_written_while_the_notebooks_run_are_taken_and_are_what_a_fresh_writing_gives(tmp_path, monkeypatch):
    from pmlib.rendering.building import judge_ahead

    project = _copy(tmp_path)
    _write(project, monkeypatch, kept=True)
    plan_measures = _plan_measures(project, PLAN)
    path = project.data / "observations" / "environment.csv"
    _edit(path, _rows_of_plan(path, plan_measures)[-1], "value", "12345")
    judge_ahead([LATEST], project)  # as pm build does while the quarter's notebooks execute
    kept, made = _write(project, monkeypatch, kept=True)
    assert made == {f"open data {LATEST.code}"}, "every measure page was written ahead"
    fresh, _ = _write(project, monkeypatch, kept=False)
    assert [name for name in kept if kept[name] != fresh[name]] == []
