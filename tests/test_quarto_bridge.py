"""The pieces between pmlib and a real Quarto that need no Quarto to check: the notebook filter, warnings, environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
from click.testing import CliRunner

from pmlib.cli import main
from pmlib.project import Project
from pmlib.rendering.quarto import notebook_for_quarto, quarto_environment, quarto_warnings
from pmlib.views.open_data import OPEN_DATA_FILES

DEMO = Path(__file__).resolve().parents[1]
TABLE = '<div id="t"><style>#t td {color: red}</style><table><caption>Status</caption><tr><td>✓ On target</td></tr></table></div>'


def notebook() -> nbformat.NotebookNode:
    outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": TABLE, "text/plain": "Status table"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "**Commentary:** rose", "text/plain": "x"}),
        nbformat.v4.new_output("execute_result", data={"text/html": ["<p>a ``` b</p>"]}, execution_count=1),
        nbformat.v4.new_output("stream", name="stdout", text="printed"),
    ]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("show()", outputs=outputs), nbformat.v4.new_markdown_cell("# Title")])


def test_html_outputs_become_raw_html_blocks_and_everything_else_is_kept():
    source = notebook()
    filtered = json.loads(notebook_for_quarto(json.dumps(source)))
    first, code, markdown = filtered["cells"]
    table, prose, result, stream = code["outputs"]
    assert table["data"] == {"text/markdown": f"```{{=html}}\n{TABLE}\n```", "text/plain": "Status table"}
    assert prose == json.loads(json.dumps(source.cells[0].outputs[1]))
    assert result["data"] == {"text/markdown": "````{=html}\n<p>a ``` b</p>\n````"}  # a longer fence than any inside
    assert stream == json.loads(json.dumps(source.cells[0].outputs[3]))
    # First an empty Markdown cell, so Quarto takes no section heading for the title (see page-title.lua).
    assert first == {"cell_type": "markdown", "id": "pmlib-no-title", "metadata": {}, "source": ""}
    assert markdown == json.loads(json.dumps(source.cells[1]))
    assert not any("text/html" in json.dumps(o) for o in code["outputs"])


def test_pm_quarto_notebook_filters_stdin_to_stdout_as_quarto_runs_it():
    text = json.dumps(notebook())
    result = CliRunner().invoke(main, ["quarto-notebook"], input=text)
    assert result.exit_code == 0, result.output
    assert result.output == notebook_for_quarto(text)


def test_quarto_warnings_are_picked_once_without_colour():
    printed = (
        "\x1b[33mWARN: Unable to resolve link target: x.qmd\x1b[39m\nOutput created: a.html\n"
        "warning: unknown font family: sans-serif\nWARN: Unable to resolve link target: x.qmd\n"
    )
    assert quarto_warnings(printed) == ["WARN: Unable to resolve link target: x.qmd", "warning: unknown font family: sans-serif"]
    assert quarto_warnings("Output created: a.html\n") == []


def test_quarto_is_handed_the_builds_folders_and_its_steps_read_them(tmp_path, monkeypatch):
    """A build given other folders hands them to the steps Quarto runs; here, the post-render step finds the quarter there."""
    project = Project(data=Path("council-data"), params=Path("council-params"), reports=Path("council-reports"))
    monkeypatch.chdir(tmp_path)
    env = quarto_environment(project)
    assert env["PMLIB_DATA"] == str(tmp_path / "council-data") and env["PMLIB_REPORTS"] == str(tmp_path / "council-reports")
    shutil.copytree(DEMO / "data", tmp_path / "council-data")
    for config in DEMO.glob("_quarto*.yml"):
        shutil.copy(config, tmp_path)
    (tmp_path / "council-params").mkdir()
    shutil.copy(DEMO / "params" / "2021-22-Q2.yml", tmp_path / "council-params")
    (tmp_path / "council-reports" / "2021-22-Q2").mkdir(parents=True)
    (tmp_path / "council-reports" / "2021-22-Q2" / "overview.ipynb").write_text("{}", encoding="utf-8")
    for name in OPEN_DATA_FILES:
        (tmp_path / "pages" / "data" / "2021-22-Q2").mkdir(parents=True, exist_ok=True)
        (tmp_path / "pages" / "data" / "2021-22-Q2" / name).write_text(name, encoding="utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html lang=en><body><main><h1>Performance</h1></main></body></html>", encoding="utf-8")
    variables = {name: env[name] for name in ("PMLIB_DATA", "PMLIB_PARAMS", "PMLIB_REPORTS")}
    result = CliRunner().invoke(main, ["quarto-post-render"], env={**variables, "QUARTO_PROJECT_OUTPUT_DIR": str(tmp_path / "site")})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "data" / "2021-22-Q2" / "measures.csv").read_text(encoding="utf-8") == "measures.csv"
    assert "Half-Year Corporate Performance Report" in (tmp_path / "site" / "feeds" / "reports.xml").read_text(encoding="utf-8")
    assert CliRunner().invoke(main, ["quarto-post-render"], env={"QUARTO_PROJECT_OUTPUT_DIR": str(tmp_path / "other")}).exit_code == 0
    assert not (tmp_path / "other" / "data").exists()  # without them, the default folders, which hold no quarter here


def test_quarto_finds_this_pythons_pm_first_with_the_venv_not_activated():
    env = quarto_environment()
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert (Path(env["PATH"].split(os.pathsep)[0]) / "pm").is_file()
    assert env["QUARTO_PYTHON"] == sys.executable


def test_no_template_cell_is_named_like_a_heading():
    """Quarto gives each cell's element the cell's id, and each heading an id from its words: the two must never be the same."""
    root = Path(__file__).parents[1] / "notebooks"
    clashes = {}
    for path in sorted(root.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        headings = {
            re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
            for cell in notebook.cells
            if cell.cell_type == "markdown"
            for text in re.findall(r"^#+ (.+)$", cell.source, re.MULTILINE)
        }
        clashes[path.name] = sorted(headings & {cell.get("id") for cell in notebook.cells})
    assert len(clashes) >= 3 and all(found == [] for found in clashes.values()), clashes
