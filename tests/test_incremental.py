"""Incremental rebuilds: what ``pm run`` and ``pm build`` keep when their inputs are unchanged, and what they redo when not.

One small council (the two-plan fixture, with the real notebook templates)
is built once per module for one quarter; each test works on its own copy.
Assertions are on what ran and what was written, never on time. Decisions
that need no kernel (a params, template or code change) are checked
without executing anything.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from click.testing import CliRunner
from site_build import ROOT

from pmlib.cli import main
from pmlib.contract.loading import load_data
from pmlib.project import Project
from pmlib.rendering.building import build, built_quarters
from pmlib.rendering.manifest import site_is_current
from pmlib.run import reuse
from pmlib.run.execution import reusable_reports, run_quarters
from pmlib.run.notebook_files import as_saved
from pmlib.run.planner import plan_run

pytestmark = pytest.mark.e2e

QUARTER = "2020-21-Q2"
TWO_PLANS = Path(__file__).parent / "fixtures" / "valid"
PROJECT_FILES = ("notebooks", "_extensions", "_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml")
NOTEBOOKS = ("appendices.ipynb", "overview.ipynb", "plan-thriving-economy.ipynb", "plan-healthy-people.ipynb")


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The two-plan council with its notebooks executed and its site built once, for QUARTER."""
    root = tmp_path_factory.mktemp("incremental") / "project"
    root.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    shutil.copytree(TWO_PLANS, root / "data")
    (root / "params").mkdir()
    shutil.copy2(ROOT / "params" / f"{QUARTER}.yml", root / "params")
    patch = pytest.MonkeyPatch()
    patch.chdir(root)
    try:
        result = build([QUARTER], Project(), renderer="builtin", jobs=2)
    finally:
        patch.undo()
    assert result.run.quarters[0].executed == NOTEBOOKS
    return root


@pytest.fixture
def project(built, tmp_path, monkeypatch):
    """A copy of the built project, as the current directory."""
    root = tmp_path / "project"
    shutil.copytree(built, root)
    monkeypatch.chdir(root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def kept(quarter: str = QUARTER) -> tuple[str, ...]:
    plan = plan_run([quarter], Project())
    return reusable_reports(plan, plan.quarters[0])


def current(root: Path) -> bool:
    quarters = built_quarters(Project())
    return site_is_current(Project(out=root / "_site"), quarters, renderer="builtin")


def test_an_unchanged_rebuild_executes_no_notebook_and_renders_nothing(project):
    site_before, times_before = files(project / "_site"), stamps(project / "_site")
    reports_before = stamps(project / "reports")

    out = CliRunner().invoke(main, ["build", QUARTER, "--renderer", "builtin", "--no-progress"])

    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0] == "2020/21 Q2: 0 notebook(s) executed, 4 reused; reports/2020-21-Q2 is up to date"
    assert lines[1] == "_site is up to date: its manifest lists the same inputs, code and renderer; nothing rendered"
    assert "Typesetting" not in out.output and "Rendering" not in out.output
    assert f"Cabinet pack: _site/packs/{QUARTER}.pdf" in lines
    assert files(project / "_site") == site_before and stamps(project / "_site") == times_before
    assert stamps(project / "reports") == reports_before

    result = build([QUARTER], Project(), renderer="builtin")
    assert (result.run.executed, result.rendered) == ((), False)
    assert result.run.quarters[0].reused == NOTEBOOKS


def test_a_rebuild_removes_what_a_killed_run_and_build_left_and_keeps_the_site(project):
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    stale = [project / "reports" / f".{QUARTER}.partial-{child.pid}", project / f"._site.partial-{child.pid}"]
    for folder in stale:
        folder.mkdir()
        (folder / "index.html").write_text("half", encoding="utf-8")
    site_before = files(project / "_site")

    out = CliRunner().invoke(main, ["build", QUARTER, "--renderer", "builtin", "--no-progress"])

    assert out.exit_code == 0, out.output
    assert "_site is up to date" in out.output
    assert not any(folder.exists() for folder in stale)
    assert files(project / "_site") == site_before


def test_a_site_edited_by_hand_or_missing_a_file_is_built_again(project):
    assert current(project)
    page = project / "_site" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    assert not current(project)
    page.unlink()
    assert not current(project)
    (project / "_site" / "manifest.json").unlink()
    assert not current(project)


def test_a_change_to_one_plans_figures_executes_that_plan_and_the_quarter_wide_notebooks_only(project):
    folder = project / "reports" / QUARTER
    before = files(folder)
    pack = (project / "_site" / "packs" / f"{QUARTER}.pdf").read_bytes()
    edit(project / "data" / "observations" / "health.csv", "HLT02,2020/21 Q2,26.7", "HLT02,2020/21 Q2,27.9")
    lines = []

    result = build([QUARTER], Project(), renderer="builtin", jobs=2, echo=lines.append)

    [quarter] = result.run.quarters
    # The appendices list every plan's quality notes and revisions, so they read every plan's figures.
    assert quarter.executed == ("appendices.ipynb", "overview.ipynb", "plan-healthy-people.ipynb")
    assert quarter.reused == ("plan-thriving-economy.ipynb",)
    assert lines[0] == "2020/21 Q2: 3 notebook(s) executed, 1 reused, written to reports/2020-21-Q2"
    after = files(folder)
    assert after["plan-thriving-economy.ipynb"] == before["plan-thriving-economy.ipynb"]
    assert all(after[name] != before[name] for name in quarter.executed)
    assert result.rendered and result.reused_packs == ()
    assert (project / "_site" / "packs" / f"{QUARTER}.pdf").read_bytes() != pack
    assert current(project)

    # Forced, everything is executed and rendered again, and gives exactly what the incremental build kept and made.
    site = files(project / "_site")
    out = CliRunner().invoke(main, ["build", QUARTER, "--force", "--renderer", "builtin", "--jobs", "2", "--no-progress"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[:3] == [
        "2020/21 Q2: 4 notebook(s) executed, 0 reused, written to reports/2020-21-Q2",
        "Typesetting the Cabinet pack for 2020/21 Q2",
        "Rendering the website (1 quarter) with the built-in renderer",
    ]
    assert files(folder) == after
    assert files(project / "_site") == site


def test_a_change_outside_the_notebooks_inputs_renders_the_site_again_but_keeps_the_pack(project):
    pack = project / "_site" / "packs" / f"{QUARTER}.pdf"
    before = pack.read_bytes()
    (project / "data" / "README.md").write_text("Where our figures come from.\n", encoding="utf-8")
    lines = []

    result = build([QUARTER], Project(), renderer="builtin", echo=lines.append)

    assert result.run.executed == () and result.rendered
    assert result.reused_packs == (Path("_site/packs") / pack.name,) and pack.read_bytes() == before
    assert "Cabinet pack for 2020/21 Q2: unchanged, kept from _site" in lines
    manifest = json.loads((project / "_site" / "manifest.json").read_text(encoding="utf-8"))
    assert "data/README.md" in {f["path"] for f in manifest["inputs"]}
    assert [q["quarter"] for q in manifest["quarters"] if q["pack_key"]] == ["2020/21 Q2"]


def test_only_what_reads_a_changed_input_is_executed_again(project, monkeypatch):
    assert kept() == NOTEBOOKS

    # Commentary belongs to its measure's plan. The overview and appendices show only whether it was given (their
    # templates say so), so an officer's words or action edited re-execute the plan's notebook alone.
    edit(project / "data" / "commentary.csv", "after furlough ended", "after the furlough scheme ended")
    assert kept() == ("appendices.ipynb", "overview.ipynb", "plan-thriving-economy.ipynb")
    edit(project / "data" / "commentary.csv", "Agency staff to clear the backlog", "Agency staff to clear it")
    assert kept() == ("appendices.ipynb", "overview.ipynb", "plan-thriving-economy.ipynb")
    # Commentary given no longer is seen by every notebook that says whether it was.
    shutil.copy2(TWO_PLANS / "commentary.csv", project / "data" / "commentary.csv")
    edit(project / "data" / "commentary.csv", "Completions are back to pre-lockdown levels.", "")
    assert kept() == ("plan-healthy-people.ipynb",)
    shutil.copy2(TWO_PLANS / "commentary.csv", project / "data" / "commentary.csv")
    assert kept() == NOTEBOOKS
    # Without the template's word for it, a notebook run once per quarter reads every officer's words.
    overview = project / "notebooks" / "overview.ipynb"
    original = overview.read_bytes()
    notebook = json.loads(original)
    del notebook["metadata"]["pmlib_commentary"]
    overview.write_text(json.dumps(notebook), encoding="utf-8")
    edit(project / "data" / "commentary.csv", "after furlough ended", "after the furlough scheme ended")
    assert kept() == ("appendices.ipynb", "plan-thriving-economy.ipynb")
    overview.write_bytes(original)
    shutil.copy2(TWO_PLANS / "commentary.csv", project / "data" / "commentary.csv")

    # A template change re-executes the notebooks made from it.
    template = project / "notebooks" / "plan.ipynb"
    original = template.read_bytes()
    notebook = json.loads(original)
    notebook["cells"].append({"cell_type": "markdown", "id": "note", "metadata": {}, "source": ["A note."]})
    template.write_text(json.dumps(notebook), encoding="utf-8")
    assert kept() == ("appendices.ipynb", "overview.ipynb")
    template.write_bytes(original)

    # The earliest figure held starts every measure's chart, so an earlier figure for one plan changes every plan's notebook.
    observations = project / "data" / "observations" / "economy.csv"
    original = observations.read_bytes()
    observations.write_text(observations.read_text(encoding="utf-8") + "ECO03,2017/18,530,,,validated,,2018-11-01\n", encoding="utf-8")
    assert kept() == ()
    observations.write_bytes(original)

    # The council file, the plans and any params file up to the quarter are read by every notebook.
    for path, old, new in (
        ("data/plans.csv", "Helping residents live well", "Helping residents to live well"),
        (f"params/{QUARTER}.yml", "meeting: Cabinet", "meeting: Full Council"),
    ):
        original = (project / path).read_bytes()
        edit(project / path, old, new)
        assert kept() == (), path
        (project / path).write_bytes(original)
    (project / "params" / "2020-21-Q1.yml").write_text(
        "quarter: 2020/21 Q1\nmeeting_date: 2020-09-09\ndata_as_at: 2020-07-31\n", encoding="utf-8"
    )
    assert kept() == ()
    (project / "params" / "2020-21-Q1.yml").unlink()

    # New code or a new pmlib version re-executes everything, and the site is rendered again.
    assert kept() == NOTEBOOKS and current(project)
    monkeypatch.setattr(reuse, "code_digest", lambda: "0" * 64)
    assert kept() == () and not current(project)
    monkeypatch.undo()
    monkeypatch.chdir(project)
    monkeypatch.setattr("pmlib.run.execution.__version__", "99.0")
    assert kept() == ()


def test_a_report_edited_by_hand_or_damaged_is_executed_again(project):
    folder = project / "reports" / QUARTER
    before = files(folder)
    edit(folder / "plan-thriving-economy.ipynb", "A thriving economy", "A booming economy")  # an output, provenance untouched
    notebook = json.loads((folder / "overview.ipynb").read_text(encoding="utf-8"))
    notebook["metadata"]["pmlib"]["inputs"]["data/plans.csv"] = "0" * 64
    (folder / "overview.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (folder / "appendices.ipynb").write_text(before["appendices.ipynb"].decode()[:1000], encoding="utf-8")

    assert kept() == ("plan-healthy-people.ipynb",)
    result = run_quarters([QUARTER], Project(), jobs=2)

    assert result.quarters[0].executed == ("appendices.ipynb", "overview.ipynb", "plan-thriving-economy.ipynb")
    assert files(folder) == before


def test_an_extra_file_in_the_report_folder_is_removed_as_before(project):
    (project / "reports" / QUARTER / "notes.txt").write_text("scratch\n", encoding="utf-8")
    result = run_quarters([QUARTER], Project())
    assert result.quarters[0].reused == NOTEBOOKS
    assert sorted(p.name for p in (project / "reports" / QUARTER).iterdir()) == sorted(NOTEBOOKS)


def test_plan_inputs_split_each_table_by_plan_and_name_no_machine_path(tmp_path):
    shutil.copytree(TWO_PLANS, tmp_path / "data")
    before = reuse.plan_inputs(load_data(tmp_path / "data"), "data")
    assert sorted(before) == ["healthy-people", "thriving-economy"]
    assert sorted(before["healthy-people"]) == [
        "data/action_updates.csv (plan healthy-people)",
        "data/actions.csv (plan healthy-people)",
        "data/commentary.csv (plan healthy-people)",
        "data/council.yml",
        "data/measures.csv (plan healthy-people)",
        "data/observations (earliest period)",
        "data/observations (plan healthy-people)",
        "data/plans.csv",
        "data/targets.csv (plan healthy-people)",
    ]
    # The same data read through another spelling of its folder records the same digests.
    assert reuse.plan_inputs(load_data(str(tmp_path / "data") + "/"), "data") == before
    assert str(tmp_path) not in json.dumps(before)


def test_a_row_moved_between_observation_files_changes_its_plan_only(tmp_path):
    shutil.copytree(TWO_PLANS, tmp_path / "data")
    before = reuse.plan_inputs(load_data(tmp_path / "data"), "data")
    health = tmp_path / "data" / "observations" / "health.csv"
    lines = health.read_text(encoding="utf-8").splitlines(keepends=True)
    health.write_text("".join(lines[:-1]), encoding="utf-8")
    (tmp_path / "data" / "observations" / "more.csv").write_text(lines[0] + lines[-1], encoding="utf-8")

    after = reuse.plan_inputs(load_data(tmp_path / "data"), "data")

    changed = {plan: sorted(k for k in after[plan] if after[plan][k] != before[plan].get(k)) for plan in after}
    assert changed == {"healthy-people": ["data/observations (plan healthy-people)"], "thriving-economy": []}


def test_commentary_dates_are_inputs_of_their_own_plan(tmp_path):
    """A v1 file and the same file with a blank reported_on column record the same inputs; each date is an input of its plan."""
    shutil.copytree(TWO_PLANS, tmp_path / "data")
    path = tmp_path / "data" / "commentary.csv"
    v1 = reuse.plan_inputs(load_data(tmp_path / "data"), "data")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",reported_on"] + [line + "," if line.endswith(("2020-12-31", ",,,")) else line for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    blank = reuse.plan_inputs(load_data(tmp_path / "data"), "data")
    assert blank == v1

    def changed(after):
        return {plan: sorted(k for k in after[plan] if after[plan][k] != blank[plan][k]) for plan in after}

    # Supplied after the report's data_as_at (2020-10-31): the report would show the same, but its plan is run again (never stale).
    path.write_text(path.read_text(encoding="utf-8") + "ECO02,2020/21 Q2,Completions ahead of plan.,,,,2020-11-05\n", encoding="utf-8")
    late = reuse.plan_inputs(load_data(tmp_path / "data"), "data")
    assert changed(late) == {"healthy-people": [], "thriving-economy": ["data/commentary.csv (plan thriving-economy)"]}
    # The same row moved to before data_as_at changes what the report shows: it must not match the late row's inputs either.
    edit(path, "2020-11-05", "2020-10-20")
    early = reuse.plan_inputs(load_data(tmp_path / "data"), "data")
    assert changed(early) == changed(late) and early != late


def test_the_code_digest_covers_every_runtime_package_but_not_the_test_tools():
    packages = {line.split("==")[0] for line in reuse.runtime_packages()}
    assert {"pandas", "pyarrow", "papermill", "typst", "packaging"} <= packages
    assert not {"pytest", "ruff", "hypothesis", "pmlib"} & packages
    assert len(reuse.code_digest()) == 64 and reuse.code_digest() == reuse.code_digest()


def test_a_notebook_is_saved_exactly_as_nbformat_writes_it_and_sealed_as_published():
    for path in sorted((ROOT / "reports").glob("*/overview.ipynb"))[:2]:
        text = path.read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        assert as_saved(copy.deepcopy(nb), sealed=False) == nbformat.writes(nb) + "\n"
        assert as_saved(nb, sealed=True) == text


HOSTILE_COMMENTARY = {  # issue 21's three inputs, as a hostile or careless officer typed them
    "commentary": 'Backlog down. `#panic("inline")`{=typst} and [click](javascript:alert("xss3"))',
    "action": "See [ref][j] and [link](data:text/html;base64,PHNjcmlwdD4=)\n\n[j]: javascript:alert(5)",
}


def test_hostile_commentary_builds_and_shows_as_typed_with_no_script_link_or_typst(project):
    """Site and pack built again from commentary that tries to run Typst and to link to scripts: the text is shown as typed."""
    import csv
    import re

    from test_pack import pdf_pages, poppler

    path = project / "data" / "commentary.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    hlt02 = next(r for r in rows if r["measure_id"] == "HLT02")
    hlt02.update(HOSTILE_COMMENTARY)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    result = build([QUARTER], Project(), renderer="builtin", jobs=2)
    assert result.rendered

    pages = {p: p.read_text(encoding="utf-8") for p in (project / "_site").rglob("*.html")}
    hrefs = {h.lower() for page in pages.values() for h in re.findall(r'(?:href|src)="\s*([^"]*)"', page)}
    chart_csv = "data:text/csv;charset=utf-8,"  # each chart's figures, which pmlib writes (tests/test_take_away.py)
    assert not {h for h in hrefs if h.startswith(("javascript", "data:", "vbscript")) and not h.startswith(chart_csv)}
    assert not [h for h in hrefs if h.startswith(chart_csv) and re.search("javascript|base64|typst", unquote(h))]
    shown = [" ".join(re.sub(r"<[^>]+>", " ", page).replace("&quot;", '"').split()) for page in pages.values()]
    assert any('`#panic("inline")`{=typst} and [click](javascript:alert("xss3"))' in text for text in shown)
    assert any("[link](data:text/html;base64,PHNjcmlwdD4=) [j]: javascript:alert(5)" in text for text in shown)

    pdf = project / "_site" / "packs" / f"{QUARTER}.pdf"
    links = re.findall(r'<a href="([^"]*)"', poppler("pdftohtml", "-xml", "-i", "-stdout", "-q", pdf))
    assert links and not [h for h in links if not h.startswith(("https:", "http:", "mailto:", "#", f"{QUARTER}"))], links
    text = " ".join(" ".join(pdf_pages(pdf, "-raw")).split()).replace("\u201c", '"').replace("\u201d", '"')
    assert '#panic("inline")' in text and 'javascript:alert("xss3")' in text and "javascript:alert(5)" in text
