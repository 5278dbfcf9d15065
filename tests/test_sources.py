"""What the renderers read from an executed notebook, and the Quarto syntax the built-in renderer refuses."""

import os
from pathlib import Path

import nbformat
import pytest

from pmlib.rendering.sources import UnsupportedSyntaxError, page_title, pick, read_blocks, unsupported_syntax

ROOT = Path(__file__).parents[1]


def _notebook(tmp_path, *cells) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    return path


def test_outputs_are_picked_as_quarto_picks_them_per_format():
    both = {"output_type": "display_data", "data": {"text/html": "<b>x</b>", "image/svg+xml": "<svg/>", "text/plain": "x"}}
    assert pick(both, "html") == ("text/html", "<b>x</b>")
    assert pick(both, "pack") == ("image/svg+xml", "<svg/>")
    md = {"output_type": "execute_result", "data": {"text/markdown": "**m**", "text/plain": "m"}}
    assert pick(md, "html") == ("text/markdown", "**m**") == pick(md, "pack")


def test_code_is_hidden_and_tagged_cells_removed(tmp_path):
    note = nbformat.v4.new_markdown_cell("a note", id="n")
    note.metadata["tags"] = ["remove-cell"]
    code = nbformat.v4.new_code_cell("report.heading()", id="c")
    code.outputs = [nbformat.v4.new_output("execute_result", data={"text/markdown": "# Title", "text/plain": "Title"}, execution_count=1)]
    blocks = read_blocks(_notebook(tmp_path, note, nbformat.v4.new_markdown_cell("## Part", id="m"), code), "html")
    assert [(b.kind, b.content) for b in blocks] == [("markdown", "## Part"), ("markdown", "# Title")]
    assert page_title(blocks, "fallback") == "Title"


@pytest.mark.parametrize(
    "text, what",
    [
        ("{{< embed a.ipynb#x >}}", "shortcode"),
        ("::: {.callout-note}\nx\n:::", "div or callout"),
        ("See @fig-trend.", "cross-reference"),
        ("#| echo: true\nx = 1", "cell option"),
        ("[word]{.smallcaps}", "attribute block"),
    ],
)
def test_quarto_syntax_the_builtin_renderer_does_not_handle_is_an_error(tmp_path, text, what):
    assert {p.column for p in unsupported_syntax(text, "page")} == {what}
    with pytest.raises(UnsupportedSyntaxError, match=what):
        read_blocks(_notebook(tmp_path, nbformat.v4.new_markdown_cell(text, id="q")), "html")


def test_plain_markdown_and_emails_are_not_mistaken_for_quarto():
    assert unsupported_syntax("Write to perf@council.gov.uk; *emphasis*, lists:\n\n- one\n- [link](x.html)", "page") == []


def test_the_committed_reports_use_only_what_the_builtin_renderer_handles():
    for path in sorted((ROOT / "reports").glob("*/*.ipynb")):
        read_blocks(path, "html")
        read_blocks(path, "pack")


def test_a_notebook_read_again_is_not_parsed_again_unless_its_bytes_changed(tmp_path, monkeypatch):
    from pmlib.rendering import documents

    path = _notebook(tmp_path, nbformat.v4.new_markdown_cell("# A title\n\nText.", id="t"))
    parsed = []
    parse = documents._parse_notebook
    monkeypatch.setattr(documents, "_parse_notebook", lambda *args: parsed.append(args[0]) or parse(*args))
    first = documents.read_notebook(path, "q/n.html", None)
    again = documents.read_notebook(tmp_path / "." / "n.ipynb", "q/n.html", None)
    assert again == first and again.title == "A title" and len(parsed) == 1
    path.write_text(path.read_text(encoding="utf-8").replace("A title", "B title"), encoding="utf-8")
    assert documents.read_notebook(path, "q/n.html", None).title == "B title" and len(parsed) == 2


def test_an_edited_notebook_or_page_keeps_only_its_new_reading_unless_another_file_shows_the_old_bytes(tmp_path, monkeypatch):
    from pmlib.rendering import documents

    monkeypatch.setattr(documents, "_read", {})
    monkeypatch.setattr(documents, "_shown", {})
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _notebook(tmp_path / "a", nbformat.v4.new_markdown_cell("# A title", id="t"))
    twin = _notebook(tmp_path / "b", nbformat.v4.new_markdown_cell("# A title", id="t"))
    page = tmp_path / "p.qmd"
    page.write_text("---\ntitle: A page\n---\n\nText.\n", encoding="utf-8")
    for path in (first, twin):
        documents.read_notebook(path, "q/n.html", None)
    documents.read_page(page, "p.html")
    assert len(documents._read) == 2  # the two notebooks' bytes are the same
    for n in range(1, 4):  # an analyst's edits, each read by a build
        _notebook(tmp_path / "a", nbformat.v4.new_markdown_cell(f"# Title {n}", id="t"))
        page.write_text(f"---\ntitle: Page {n}\n---\n\nText.\n", encoding="utf-8")
        assert documents.read_notebook(first, "q/n.html", None).title == f"Title {n}"
        assert documents.read_page(page, "p.html").title == f"Page {n}"
    titles = sorted(title for title, _, _ in documents._read.values())
    assert titles == ["A title", "Page 3", "Title 3"]  # the twin still shows A title; no superseded reading is kept
    twin.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    documents.read_notebook(twin, "q/n.html", None)
    assert sorted(title for title, _, _ in documents._read.values()) == ["Page 3", "Title 3"]


def test_which_bytes_each_file_showed_is_remembered_for_as_many_files_as_readings_are_kept(tmp_path, monkeypatch):
    from pmlib.rendering import documents

    monkeypatch.setattr(documents, "_read", {})
    monkeypatch.setattr(documents, "_shown", {})
    monkeypatch.setattr(documents, "NOTEBOOKS_KEPT", 4)
    copies = []
    for n in range(10):  # copies of one project, as a test run or a benchmark makes them
        (tmp_path / str(n)).mkdir()
        copies.append(_notebook(tmp_path / str(n), nbformat.v4.new_markdown_cell("# A title", id="t")))
        documents.read_notebook(copies[-1], "q/n.html", None)
    assert len(documents._read) == 1 and len(documents._shown) == 4
    assert set(documents._shown) == {(os.path.realpath(path), False) for path in copies[-4:]}
    documents.read_notebook(copies[5], "q/n.html", None)  # read again: now the newest
    assert next(reversed(documents._shown)) == (os.path.realpath(copies[5]), False) and len(documents._shown) == 4


def test_a_page_read_again_is_not_parsed_again_unless_its_text_changed_and_its_problems_always_come(tmp_path, monkeypatch):
    from pmlib.rendering import documents

    path = tmp_path / "p.qmd"
    path.write_text("---\ntitle: A title\n---\n\nText.\n", encoding="utf-8")
    parsed = []
    parse = documents._parse_page
    monkeypatch.setattr(documents, "_parse_page", lambda *args: parsed.append(args[0]) or parse(*args))
    first = documents.read_page(path, "p.html")
    assert documents.read_page(path, "p.html") == first and first.title == "A title" and len(parsed) == 1
    path.write_text("---\ntitle: B title\n---\n\nText.\n", encoding="utf-8")
    assert documents.read_page(path, "p.html").title == "B title" and len(parsed) == 2
    path.write_text("---\ntitle: B title\n---\n\n# Two titles\n", encoding="utf-8")
    for _ in range(2):  # a page with problems is not kept: each reading reports them
        with pytest.raises(UnsupportedSyntaxError, match="use ## for sections"):
            documents.read_page(path, "p.html")
    assert len(parsed) == 4


def test_checked_markdown_is_rendered_from_the_parse_that_checked_it(tmp_path):
    from pmlib.rendering import documents
    from pmlib.rendering.search import search_page

    page = tmp_path / "pages" / "search.qmd"
    page.parent.mkdir()
    page.write_text(search_page(page, tmp_path), encoding="utf-8")
    read = [documents.read_notebook(path, "q/n.html", None) for path in sorted((ROOT / "reports").glob("*/*.ipynb"))]
    read.append(documents.read_page(page, "pages/search.html"))

    def resolve(href: str) -> str:
        return f"to/{href}"

    blocks = [b for doc in read for b in doc.blocks if b.kind == "markdown"]
    assert blocks and all(b.tokens is not None for b in blocks)
    for block in blocks:
        assert list(block.tokens) == documents.MD.parse(block.content)
        expected = documents.render_markdown(block.content, resolve)
        # Twice: rendering resolves each link without changing the tokens kept for the next build.
        assert documents.render_markdown(block.content, resolve, block.tokens) == expected
        assert documents.render_markdown(block.content, resolve, block.tokens) == expected


@pytest.mark.parametrize(
    "text",
    ["a < b and c > d", "x <3 y", "<https://example.org> and <me@example.org>", "[a <b](x.qmd)", "a\n<-- b\n\n1 <2> 3", "`<b>` code"],
)
def test_text_with_no_raw_html_parses_the_same_with_raw_html_on_or_off(text):
    from pmlib.rendering import documents

    problems, _, tokens = documents.markdown_problems(text, "t")
    assert problems == [] and list(tokens) == documents.MD.parse(text)


@pytest.mark.parametrize("text", ["para\n<div>\nx\n</div>", "a <b>bold</b>", "[a <b title=']'> c](x)", "<!-- note -->"])
def test_raw_html_leaves_no_tokens_to_render(text):
    from pmlib.rendering import documents

    problems, _, tokens = documents.markdown_problems(text, "t")
    assert {p.column for p in problems} == {"raw HTML"} and tokens is None
