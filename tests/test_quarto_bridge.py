"""The pieces between pmlib and a real Quarto that need no Quarto to check: the notebook filter, warnings, environment."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
from click.testing import CliRunner

from pmlib.cli import main
from pmlib.rendering.quarto import notebook_for_quarto, quarto_environment, quarto_warnings

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
    front, code, markdown = filtered["cells"]
    table, prose, result, stream = code["outputs"]
    assert table["data"] == {"text/markdown": f"```{{=html}}\n{TABLE}\n```", "text/plain": "Status table"}
    assert prose == json.loads(json.dumps(source.cells[0].outputs[1]))
    assert result["data"] == {"text/markdown": "````{=html}\n<p>a ``` b</p>\n````"}  # a longer fence than any inside
    assert stream == json.loads(json.dumps(source.cells[0].outputs[3]))
    assert front == {"cell_type": "raw", "id": "pmlib-title", "metadata": {}, "source": "---\ntitle: Title\n---"}
    assert markdown["source"] == ""  # the title heading is the page's title, not a second level-one heading
    assert not any("text/html" in json.dumps(o) for o in code["outputs"])


def heading_cells(*texts: str, hidden: str | None = None) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell("# Notes\n", metadata={"tags": [hidden]})] if hidden else []
    for text in texts:
        output = nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": "x"})
        cells.append(nbformat.v4.new_code_cell("plan.heading()", outputs=[output]))
        cells.append(nbformat.v4.new_markdown_cell("## Measures at a glance"))
    return nbformat.v4.new_notebook(cells=cells)


def test_the_first_level_one_heading_that_shows_is_the_title_as_the_built_in_renderer_takes_it():
    filtered = json.loads(notebook_for_quarto(json.dumps(heading_cells("# Fulfilled Lives: 2021/22 Q2\n\nHelping people", "# Later"))))
    front, first, glance, later, _ = filtered["cells"]
    assert front["source"] == "---\ntitle: 'Fulfilled Lives: 2021/22 Q2'\n---"
    assert first["outputs"][0]["data"]["text/markdown"] == "Helping people"
    assert glance["source"] == "## Measures at a glance" and later["outputs"][0]["data"]["text/markdown"] == "# Later"


def test_a_hidden_cell_or_a_level_two_heading_gives_no_title():
    filtered = json.loads(notebook_for_quarto(json.dumps(heading_cells("## Not a title", hidden="remove-cell"))))
    assert [c["cell_type"] for c in filtered["cells"]] == ["code", "code", "markdown"]
    assert filtered["cells"][0]["source"] == "# Notes\n"


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


def test_quarto_finds_this_pythons_pm_first_with_the_venv_not_activated():
    env = quarto_environment()
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert (Path(env["PATH"].split(os.pathsep)[0]) / "pm").is_file()
    assert env["QUARTO_PYTHON"] == sys.executable
