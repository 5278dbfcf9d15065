"""The notebook templates and the committed executed reports, as a reviewer and an analyst meet them."""

import json
import re
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pmlib import load_data
from pmlib.contract.params_folder import params_files
from pmlib.project import Project
from pmlib.run import reuse
from pmlib.run.execution import reusable_reports
from pmlib.run.planner import plan_run

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[1]
REPORTS = ROOT / "reports"
# Things that differ from run to run or machine to machine and so must never reach a committed notebook.
UNSTABLE = {
    "timestamp": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d"),
    "memory address": re.compile(r"0x[0-9a-fA-F]{6,}"),
    "path of this machine": re.compile("|".join(re.escape(str(p)) for p in (ROOT, Path(tempfile.gettempdir()), Path.home()))),
    "uuid": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    "remote script": re.compile(r"<script[^>]+src=|<link[^>]+href=\"?https?:|@import url\(\"?https?:"),
}


@pytest.mark.parametrize("template", ["overview.ipynb", "plan.ipynb", "appendices.ipynb"])
def test_each_template_runs_top_to_bottom_with_its_defaults(template):
    nb = nbformat.read(ROOT / "notebooks" / template, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "templates are committed without outputs"
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}, timeout=300).execute()
    latest = max(params_files(ROOT / "params"))
    markdown = [o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
    assert latest.code in markdown[0]
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] in ("error", "stream")]


def test_every_quarter_has_its_overview_a_notebook_per_plan_and_its_appendices():
    plans = list(load_data(ROOT / "data").plans.index)
    for quarter in params_files(ROOT / "params"):
        names = sorted(p.name for p in (REPORTS / quarter.slug).glob("*.ipynb"))
        assert names == sorted(["overview.ipynb", "appendices.ipynb", *(f"plan-{p}.ipynb" for p in plans)]), quarter.slug


def test_committed_reports_hold_nothing_unstable_and_record_their_inputs():
    notebooks = sorted(REPORTS.glob("*/*.ipynb"))
    assert notebooks
    for path in notebooks:
        text = path.read_text(encoding="utf-8")
        for what, pattern in UNSTABLE.items():
            assert not pattern.search(text), f"{path.relative_to(ROOT)} contains a {what}: {pattern.search(text).group(0)!r}"
        nb = json.loads(text)
        meta = nb["metadata"]
        assert "papermill" not in meta and "version" not in meta["language_info"]
        assert not any("execution" in c["metadata"] or "papermill" in c["metadata"] for c in nb["cells"])
        provenance = meta["pmlib"]
        assert provenance["parameters"]["quarter"] == path.parent.name and provenance["parameters"]["data_dir"] == "../../data"
        assert provenance["source_modified"] is False and re.fullmatch(r"[0-9a-f]{40}", provenance["source_commit"])
        plan = path.stem.removeprefix("plan-") if path.stem.startswith("plan-") else None
        assert {
            f"data/measures.csv (plan {plan})" if plan else "data/measures.csv",
            f"params/{path.parent.name}.yml",
            "notebooks/" + ("plan.ipynb" if plan else path.name),
        } <= set(provenance["inputs"])
        assert len(provenance["code_digest"]) == 64 and provenance["content_sha256"] == reuse.content_digest(nb)
        assert not [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] in ("error", "stream")]


def test_every_chart_output_carries_html_svg_and_a_description():
    nb = nbformat.read(REPORTS / "2021-22-Q2" / "plan-modern-accessible-and-accountable-council.ipynb", as_version=4)
    charts = [o for c in nb.cells for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert len(charts) == 10  # nine measures and one exception report
    ids = [re.match(r'<figure id="([^"]+)"', o["data"]["text/html"]).group(1) for o in charts]
    assert len(set(ids)) == len(ids)
    assert all(o["data"]["text/plain"].startswith("Line chart of ") for o in charts)


def test_every_committed_report_is_what_this_checkout_would_make(monkeypatch):
    """``pm run --all`` on this checkout would keep every committed report and write nothing.

    Each report records its parameters, the digests of its inputs and of the
    code, and of its own content; a report is kept only when all of them are
    what this checkout would record. nbval (in ``make test``) re-executes
    every report and compares every output, so together they prove that
    ``reports/`` is what the committed code and data make, executing each
    report once.
    """
    monkeypatch.chdir(ROOT)
    quarters = list(params_files(ROOT / "params"))
    stale = _stale(plan_run(quarters, Project()))
    assert stale == {}, "commit code changes first, then run `make reports` and commit reports/"
    folders = {p.name for p in REPORTS.iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert folders == {q.slug for q in quarters}


def _stale(plan) -> dict[str, dict]:
    """Each report folder of ``plan`` that ``pm run`` would not keep as it is: what it would execute again, and what it holds unmade."""
    stale = {}
    for qp in plan.quarters:
        names = sorted(run.name for run in qp.runs)
        kept = sorted(reusable_reports(plan, qp))
        present = sorted(p.name for p in qp.folder.iterdir()) if qp.folder.is_dir() else []
        if kept != names or present != names:
            stale[qp.folder.as_posix()] = {"executed again": sorted(set(names) - set(kept)), "not made": sorted(set(present) - set(names))}
    return stale


def _heading_ids(markdown: str) -> set[str]:
    """The ids Pandoc (and so Quarto) gives the Markdown headings of a text: lower case, punctuation dropped, spaces as hyphens."""
    ids = set()
    for line in markdown.splitlines():
        match = re.match(r"#{1,6} (.+)", line)
        if match:
            text = re.sub(r"\\(.)", r"\1", match.group(1)).lower()
            ids.add(re.sub(r"\s+", "-", re.sub(r"[^\w\s-]", "", text)).strip("-"))
    return ids


def test_no_cell_id_is_also_the_id_of_a_heading_on_its_page():
    """Quarto gives each cell's div the cell's id and each section its heading's: the two must differ, or the page has a duplicate id."""
    clashes = []
    for path in sorted(REPORTS.glob("*/*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        texts = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
        texts += [
            "".join(o["data"]["text/markdown"]) for c in nb["cells"] for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})
        ]
        headings = set().union(*map(_heading_ids, texts))
        clashes += [f"{path.relative_to(ROOT)}: {c['id']}" for c in nb["cells"] if c.get("id") in headings]
    assert clashes == []


EXAMPLE = ROOT / "examples" / "chorley-south-ribble"


def test_every_committed_report_of_the_shared_example_is_what_this_checkout_would_make(monkeypatch):
    """``pm run --all --councils`` on the example would keep every committed report: each council's and the joint committee's."""
    from pmlib.contract.councils import load_councils
    from pmlib.contract.harmonisation import load_shared
    from pmlib.rendering.shared_site import council_project
    from pmlib.run.joint_run import joint_project, plan_joint_run

    monkeypatch.chdir(ROOT)
    services = load_councils(EXAMPLE.relative_to(ROOT) / "councils.yml")
    shared = load_shared(services)
    template = Project()
    plans = [plan_run(list(params_files(c.params)), council_project(shared, c, template)) for c in services.councils]
    plans.append(plan_joint_run(list(params_files(services.joint_params)), shared, joint_project(shared, template.notebooks)))
    stale = {folder: found for plan in plans for folder, found in _stale(plan).items()}
    assert stale == {}, "commit code changes first, then run `make reports` and commit the example's reports"
    joint = sorted(EXAMPLE.glob("joint/reports/*/joint.ipynb"))
    assert [p.parent.name for p in joint] == [q.slug for q in params_files(services.joint_params)]
    for path in [*EXAMPLE.glob("councils/*/reports/*/*.ipynb"), *joint]:
        text = path.read_text(encoding="utf-8")
        for what, pattern in UNSTABLE.items():
            assert not pattern.search(text), f"{path.relative_to(ROOT)} contains a {what}: {pattern.search(text).group(0)!r}"
