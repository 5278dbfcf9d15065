"""Officers' text through every output: hostile and careless inputs show as typed, and nothing in them runs or links.

Each input goes through the one reader (``pmlib.contract.officer_text``) and
the Markdown pmlib writes from it (``user_markdown``), then through each
reader of that Markdown: the built-in site's (markdown-it), Pandoc's Markdown
reader as the built-in pack and Quarto use it (its AST must hold only
paragraphs, lists, emphasis, text and allowed links), and Pandoc's Typst
writer, whose output must compile. Quarto reads the same Markdown with the
same Pandoc reader after scanning the text for shortcodes, so no ``{{<`` may
reach it either; where a real Quarto is on PATH, the whole table is also
rendered by Quarto to a web page and to a Typst PDF, as notebook outputs
like the reports'.
"""

from __future__ import annotations

import json

import pypandoc
import pytest
import typst
from quarto import needs_quarto, quarto

from pmlib.contract import officer_text
from pmlib.rendering.documents import render_markdown
from pmlib.rendering.pack import MARKDOWN
from pmlib.views.prose import literal_markdown, user_markdown

# (what an officer typed, text that must be visible as typed)
HOSTILE = [
    ('`#panic("inline")`{=typst}', '`#panic("inline")`{=typst}'),
    ('```{=typst}\n#panic("block")\n```', '#panic("block")'),
    ("[ref][j]\n\n[j]: javascript:alert(5)", "[j]: javascript:alert(5)"),
    ("[link](data:text/html;base64,PHNjcmlwdD4=)", "[link](data:text/html;base64,PHNjcmlwdD4=)"),
    ('[click](javascript:alert("xss3"))', '[click](javascript:alert("xss3"))'),
    ("[x](JaVaScRiPt:alert(1))", "[x](JaVaScRiPt:alert(1))"),
    ("[x](jav&#x61;script:alert(1))", "[x](jav&#x61;script:alert(1))"),
    ("[x](java\tscript:alert(1))", "[x](java\tscript:alert(1))"),
    ("[x]( javascript:alert(1))", "[x]( javascript:alert(1))"),
    ("<javascript:alert(1)>", "<javascript:alert(1)>"),
    ("![img](data:image/svg+xml;base64,PHN2Zz4=)", "![img](data:image/svg+xml;base64,PHN2Zz4=)"),
    ("*[a](javascript:x)* then **[b](vbscript:y)**", "[a](javascript:x) then [b](vbscript:y)"),
    ('<script>alert("x")</script><img src=x onerror=alert(1)>', '<script>alert("x")</script>'),
    ("{{< include /etc/passwd >}}", "{{< include /etc/passwd >}}"),
    ("$x^2$ and $$y$$ and @smith2020 and ^sup^ and ~sub~", "$x^2$ and $$y$$ and @smith2020"),
    ("# 12 vacancies\n\n    indented code\n\n> quoted\n\n---", "# 12 vacancies"),
    ("[span]{.hidden} ::: {.callout} :::", "[span]{.hidden} ::: {.callout} :::"),
    ("&#106;&lt;b&gt; a & b", "&#106;&lt;b&gt; a & b"),
    ("A. Smith said (a) no\n\n| a | b |\n|---|---|", "A. Smith said (a) no"),
]
ALLOWED = [
    ("Figures are *really* up, **well** done.", ["Emph", "Strong"]),
    ("See [the report](https://example.org/a?b=1&c=(2)) or [email](mailto:pm@example.org).", ["Link", "Link"]),
    ("- one\n- two\n  1. sub\n\n3. three", ["BulletList", "OrderedList"]),
]
SAFE_BLOCKS = {"Para", "Plain", "BulletList", "OrderedList"}
SAFE_INLINES = {"Str", "Space", "SoftBreak", "LineBreak", "Emph", "Strong", "Link"}


def pandoc_nodes(markdown: str) -> list[dict]:
    """Every node of Pandoc's AST for ``markdown``, read as the built-in pack reads notebook Markdown."""
    ast = json.loads(pypandoc.convert_text(markdown, "json", format=MARKDOWN))
    nodes: list[dict] = []

    def walk(value):
        if isinstance(value, dict):
            if "t" in value:
                nodes.append(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(ast["blocks"])
    return nodes


def plain_text(markdown: str) -> str:
    return " ".join(pypandoc.convert_text(markdown, "plain", format=MARKDOWN, extra_args=["--wrap=none"]).split())


@pytest.mark.parametrize(("typed", "shown"), HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_text_is_shown_as_typed_and_nothing_runs_or_links(typed, shown, tmp_path):
    markdown = user_markdown(typed)
    assert "{{<" not in markdown and "<" not in markdown.replace("&lt;", "")  # Quarto's shortcodes, raw HTML

    nodes = pandoc_nodes(markdown)
    assert {n["t"] for n in nodes} <= SAFE_BLOCKS | SAFE_INLINES, markdown
    links = [n["c"][2][0] for n in nodes if n["t"] == "Link"]
    assert all(officer_text.allowed_link(href) for href in links), links
    assert " ".join(shown.split()) in plain_text(markdown)

    html = render_markdown(markdown)
    assert "<script" not in html and "<img" not in html and "href" not in html
    assert "javascript:" not in html.lower() or "javascript:" in shown.lower()

    source = pypandoc.convert_text(markdown, "typst", format=MARKDOWN, extra_args=["--wrap=none"])
    assert "#link" not in source and "#panic" not in source.replace("\\#panic", "")
    (tmp_path / "main.typ").write_text(source, encoding="utf-8")
    typst.compile(str(tmp_path / "main.typ"))


@pytest.mark.parametrize(("typed", "kinds"), ALLOWED, ids=["emphasis", "links", "lists"])
def test_the_markup_the_contract_allows_survives_every_reader(typed, kinds):
    markdown = user_markdown(typed)
    found = [n["t"] for n in pandoc_nodes(markdown)]
    assert {k for k in found if k in ("Emph", "Strong", "Link", "BulletList", "OrderedList")} == set(kinds)
    html = render_markdown(markdown)
    for kind, tag in (("Emph", "<em>"), ("Strong", "<strong>"), ("Link", "<a href="), ("BulletList", "<ul>"), ("OrderedList", "<ol")):
        assert (tag in html) == (kind in kinds), (kind, html)
    if "Link" in kinds:
        assert 'href="https://example.org/a?b=1&amp;c=%282%29"' in html and 'href="mailto:pm@example.org"' in html


def test_refused_links_name_every_target_that_will_show_as_text():
    typed = "[a](https://ok.example) [b](javascript:x) [c](DATA:text/html,x) [d](ftp://x) [e](/relative)"
    assert officer_text.refused_links(typed) == ["javascript:x", "DATA:text/html,x", "ftp://x", "/relative"]
    hidden = "[ref][j] <javascript:auto()> ![i](data:image/png,x) [k](jav&#x61;script:y)\n\n[j]: vbscript:z\n[ok]: https://ok.example"
    assert officer_text.refused_links(hidden) == ["vbscript:z", "javascript:auto()", "data:image/png,x", "javascript:y"]
    assert officer_text.refused_links(None) == [] and officer_text.refused_links("no links") == []


@pytest.mark.parametrize(("typed", "shown"), HOSTILE, ids=[f"data-text-{i}" for i in range(len(HOSTILE))])
def test_text_from_the_data_tables_is_literal_in_every_reader(typed, shown):
    """Measure names, definitions and plan descriptions take no markup at all: the same inputs show exactly as typed."""
    markdown = literal_markdown(typed)
    assert {n["t"] for n in pandoc_nodes(markdown)} <= {"Para", "Plain", "Str", "Space", "SoftBreak"}, markdown
    assert plain_text(markdown) == " ".join(typed.split())
    assert "<" not in render_markdown(markdown).replace("<p>", "").replace("</p>", "")


def test_spaces_between_emphasis_and_text_are_kept():
    assert user_markdown("Reopen with *Select and Collect* and keep going.") == "Reopen with *Select and Collect* and keep going\\."


@needs_quarto
@pytest.mark.parametrize("to", ["html", "typst"])
def test_hostile_text_through_a_real_quarto_shows_as_typed_and_nothing_runs_or_links(to, tmp_path):
    """Every hostile input as a Markdown output of a notebook, the way the reports carry commentary, rendered by Quarto."""
    import re

    import nbformat

    cells = []
    for typed, _ in HOSTILE:
        output = nbformat.v4.new_output("display_data", data={"text/markdown": user_markdown(typed), "text/plain": typed})
        cells.append(nbformat.v4.new_code_cell("commentary", outputs=[output]))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"title": "Hostile commentary"})
    nbformat.write(notebook, tmp_path / "hostile.ipynb")

    quarto("render", "hostile.ipynb", "--to", to, "-M", "echo:false", cwd=tmp_path)

    if to == "html":
        page = (tmp_path / "hostile.html").read_text(encoding="utf-8")
        body = page[page.index('<main class="content"') : page.index("</main>")]
        assert not re.search(r"<(script|img|iframe|a)\b", body), body
        text = " ".join(
            re.sub(r"<[^>]+>", " ", body).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split()
        )
    else:
        from test_pack import pdf_pages, poppler

        pdf = tmp_path / "hostile.pdf"
        assert "<a href" not in poppler("pdftohtml", "-xml", "-i", "-stdout", "-q", pdf)
        text = " ".join(" ".join(pdf_pages(pdf, "-raw")).split()).replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    for _, shown in HOSTILE:
        assert " ".join(shown.split()) in text, shown
