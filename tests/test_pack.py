"""The Cabinet pack: the PDF built from the committed notebooks, checked with poppler, and its Typst tables."""

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import typst
import yaml
from great_tables import GT, loc, style

from pmlib import load_data, quarter_report
from pmlib.project import Project
from pmlib.rendering.pack import (
    PackError,
    chart_description,
    font_dirs,
    pack_metadata,
    render_pack,
    symbols_in_svg,
    template_path,
    write_quarto_source,
)
from pmlib.rendering.pack_links import METADATA_KEY
from pmlib.rendering.sources import read_blocks
from pmlib.rendering.typst_tables import TableConversionError, escape_markup, html_table_to_typst
from pmlib.views.tables import make_table

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).parent / "snapshots"
EXTENSION = ROOT / "_extensions" / "pmlib-pack"
SYMBOLS = "✓ ▲ ✖ ○ – ↑ ↓ → ↗ ↘ ●".split()
PROJECT = Project(root=ROOT, data=ROOT / "data", params=ROOT / "params", reports=ROOT / "reports")


def poppler(tool: str, *args) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: run bash scripts/install-system-packages test (Debian package poppler-utils)")
    return subprocess.run([tool, *map(str, args)], check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: Path, mode: str = "-layout") -> list[str]:
    return poppler("pdftotext", mode, pdf, "-").split("\f")[:-1]


def build(slug: str, folder: Path) -> tuple[Path, Path]:
    source = folder / "source"
    pdf = render_pack(slug, PROJECT, out_pdf=folder / "packs" / f"{slug}.pdf", source_dir=source)
    return pdf, source / f"{slug}.typ"


@pytest.fixture(scope="module", params=["2021-22-Q2", "2020-21-Q1"])
def pack(request, tmp_path_factory):
    slug = request.param
    pdf, source = build(slug, tmp_path_factory.mktemp(slug))
    return slug, pdf, source, quarter_report(slug, PROJECT.data, PROJECT.params)


def test_a4_pages_and_document_properties(pack):
    slug, pdf, _, report = pack
    info = poppler("pdfinfo", "-f", 1, "-l", 9999, pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    sizes = re.findall(r"^Page\s+\d+ size:\s+(.+)$", info, re.M)
    assert len(sizes) == pages > 10
    assert set(sizes) == {"595.276 x 841.89 pts (A4)"}
    council, params = report.data.council.name, report.params
    assert re.search(r"^Title:\s+(.+)$", info, re.M).group(1) == f"{council}: {params.title}, {report.quarter.code}"
    created = re.search(r"^CreationDate:\s+(.+)$", info, re.M).group(1)
    assert created == f"{params.data_as_at:%a %b %d} 00:00:00 {params.data_as_at:%Y} UTC"
    assert "Tagged:          yes" in info
    data = pdf.read_bytes()
    assert b"/Lang(en-GB)" in data
    assert b"/DisplayDocTitle true" in data  # a viewer shows the title, not the file name (WCAG 2.4.2, PDF18)
    assert b"<pdfuaid:part>1</pdfuaid:part>" in data  # made to PDF/UA-1, which Typst checks as it compiles


def test_every_font_is_embedded_and_the_text_is_liberation_sans(pack):
    _, pdf, _, _ = pack
    rows = poppler("pdffonts", pdf).splitlines()[2:]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert emb == "yes", f"font {name} is not embedded"
    names = {row.split()[0].split("+")[-1] for row in rows}
    assert {"LiberationSans", "LiberationSans-Bold", "DejaVuSansMono"} <= names


def test_cover_names_council_report_meeting_and_classification(pack):
    _, pdf, _, report = pack
    cover = " ".join(pdf_pages(pdf)[0].split())
    p = report.params
    for text in (report.data.council.name, p.title, f"Report to {p.meeting}, {p.meeting_date:%-d %B %Y}", "Public report"):
        assert text in cover
    assert f"{report.quarter.code}: {report.quarter.label}" in cover
    assert f"Figures as at {p.data_as_at:%-d %B %Y}" in cover


def test_each_delivery_plan_is_a_numbered_section_in_plan_order(pack):
    _, pdf, _, report = pack
    pages = pdf_pages(pdf)
    contents = " ".join(pages[1].split())
    assert contents.startswith(f"{report.data.council.name} {report.quarter.code} Contents")
    starts = []
    for number, name in enumerate(report.plans["name"], 2):
        heading = f"{number} {name}: {report.quarter.code}"
        assert heading in contents
        found = [i for i, page in enumerate(pages) if " ".join(page.split()[:60]).find(heading) >= 0 and i > 1]
        assert found, f"no page starts section {heading!r}"
        starts.append(found[0])
    assert starts == sorted(starts)


def test_every_page_says_page_n_of_m_and_later_pages_carry_the_running_header(pack):
    _, pdf, _, report = pack
    pages = pdf_pages(pdf)
    for n, page in enumerate(pages, 1):
        assert re.search(rf"Page {n} of {len(pages)}\s*$", page.rstrip()), f"page {n}"
        assert "Public report" in page
        if n > 1:
            first = page.strip().splitlines()[0].split()
            assert " ".join(first) == f"{report.data.council.name} {report.quarter.code}"


def test_status_symbols_reach_the_pdf_text(pack):
    slug, pdf, _, _ = pack
    body = "".join(pdf_pages(pdf)[2:])
    expected = SYMBOLS if slug == "2021-22-Q2" else ["✓", "▲", "✖", "○", "↑", "↓"]
    assert [s for s in expected if s not in body] == []


def test_typst_source_keeps_cell_colours_repeated_headers_and_alt_text(pack):
    _, pdf, source, report = pack
    text = source.read_text(encoding="utf-8")
    assert text.count("table.header(\n      repeat: true,") == text.count("#figure(\n  kind: table,") > 5
    assert 'table.cell(fill: rgb("#DFF1EF"))[✓ On target]' in text
    assert '#import "typst-template.typ": pack, horizontalrule' in text
    assert (source.parent / "typst-template.typ").read_bytes() == template_path(ROOT).read_bytes()
    charts = sorted(source.parent.glob("chart-*.svg"))
    assert len(charts) == text.count('image("chart-') > len(report.plans)
    assert 'alt: "Bar chart of measures by status for each delivery plan.' in text
    assert str(source.parent) not in text


def test_a_second_build_in_a_temporary_folder_is_byte_identical_and_holds_no_path(pack, tmp_path):
    slug, pdf, source, _ = pack
    again = render_pack(slug, PROJECT, out_pdf=tmp_path / "again.pdf")
    assert again.read_bytes() == pdf.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.pdf"]
    data = pdf.read_bytes()
    for path in (str(tmp_path), str(source.parent), str(pdf.parent), str(ROOT)):
        assert path.encode() not in data


def test_packs_typeset_from_the_data_a_build_checked_are_the_packs_typeset_from_the_folder(pack, tmp_path, monkeypatch):
    from pmlib.rendering import pack as pack_module

    slug, pdf, _, report = pack
    monkeypatch.setattr(pack_module, "load_data", lambda folder: pytest.fail("the data given is not loaded again"))
    [given] = pack_module.render_packs([(slug, tmp_path / "given.pdf")], PROJECT, report.data)
    assert given.read_bytes() == pdf.read_bytes()


def test_missing_notebook_is_named_with_the_command_to_run(tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(ROOT / "reports" / "2021-22-Q2", reports / "2021-22-Q2")
    (reports / "2021-22-Q2" / "plan-dynamic-places.ipynb").unlink()
    with pytest.raises(PackError, match=r"plan-dynamic-places\.ipynb: run `pm run 2021-22-Q2` first"):
        render_pack("2021-22-Q2", dataclasses.replace(PROJECT, reports=reports), out_pdf=tmp_path / "x.pdf")


# --- the template on its own -------------------------------------------------------------------------


def compile_with_template(tmp_path: Path, body: str, **pack_args) -> Path:
    shutil.copyfile(template_path(ROOT), tmp_path / "typst-template.typ")
    args = "".join(f"  {k}: {v},\n" for k, v in pack_args.items())
    (tmp_path / "main.typ").write_text(
        f'#import "typst-template.typ": pack, horizontalrule\n#show: doc => pack(\n{args}  doc,\n)\n{body}\n', encoding="utf-8"
    )
    pdf = tmp_path / "main.pdf"
    pdf.write_bytes(
        typst.compile(str(tmp_path / "main.typ"), root=str(tmp_path), font_paths=[str(d) for d in font_dirs()], ignore_system_fonts=True)
    )
    return pdf


def test_internal_audience_is_classified_on_cover_and_every_page(tmp_path):
    council = "[King's Lynn and _West_ Norfolk]"
    pdf = compile_with_template(tmp_path, "= Plan\n\nText.", council=council, title="[T]", quarter="[2021/22 Q2]", audience='"internal"')
    pages = pdf_pages(pdf)
    assert all("Internal report" in page and "Public report" not in page for page in pages)
    info = poppler("pdfinfo", pdf)
    assert re.search(r"^Title:\s+(.+)$", info, re.M).group(1) == "King's Lynn and West Norfolk: T, 2021/22 Q2"


def test_a_long_table_breaks_across_pages_repeating_its_header_row(tmp_path):
    frame = pd.DataFrame({"Measure": [f"Measure number {i}" for i in range(120)], "Status": ["✓ On target"] * 120})
    code = html_table_to_typst(make_table(frame, "table-long", "Long", {}).html, "test")
    pages = pdf_pages(compile_with_template(tmp_path, code, council="[C]", title="[T]", quarter="[Q]"))[2:]
    assert len(pages) >= 2
    for page in pages:
        rows = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        first_row = next(i for i, row in enumerate(rows) if row.startswith("Measure number"))
        assert rows[first_row - 1] == "Measure Status"
    assert "Measure number 119" in pages[-1]


def test_a_row_of_short_cells_is_kept_on_one_page_and_a_row_with_a_long_cell_may_break(tmp_path):
    """A member should never read a measure's name on one page and its figures on the next; a page-tall row must still break."""
    frame = pd.DataFrame(
        {
            "Measure": [f"Row{i}start" for i in range(41)],
            "Update": [f"LINES Row{i}end" for i in range(40)] + [" ".join(["commentary"] * 600) + " Row40end"],
            "Status": ["✓ On target"] * 41,
        }
    )
    eight_lines = make_table(frame, "table-rows", "Rows", {}).html.replace("LINES", "line<br>" * 7)  # split 4 and 4 if allowed
    code = html_table_to_typst(eight_lines, "test")
    pages = pdf_pages(compile_with_template(tmp_path, code, council="[C]", title="[T]", quarter="[Q]"), "-raw")[2:]
    on = lambda word: [n for n, page in enumerate(pages) if word in page]  # noqa: E731
    assert len(pages) >= 3
    assert all(on(f"Row{i}start") == on(f"Row{i}end") for i in range(40))
    assert on("Row40start")[0] < on("Row40end")[0]


def test_template_is_safe_as_a_quarto_partial_and_show_passes_only_what_pack_takes():
    template = (EXTENSION / "typst-template.typ").read_text(encoding="utf-8")
    show = (EXTENSION / "typst-show.typ").read_text(encoding="utf-8")
    assert "$" not in template, "Quarto reads partials as Pandoc templates: a dollar sign would be taken as a variable"
    start = template.index("#let pack(")
    signature = template[start : template.index(") = {", start)]
    accepted = set(re.findall(r"^\s+([a-z-]+):", signature, re.M))
    passed = set(re.findall(r"^\s+([a-z-]+):", show, re.M))
    assert passed <= accepted
    extension = yaml.safe_load((EXTENSION / "_extension.yml").read_text(encoding="utf-8"))
    typst_format = extension["contributes"]["formats"]["typst"]
    assert typst_format["papersize"] == "a4" and typst_format["lang"] == "en-GB"
    assert typst_format["template-partials"] == ["typst-template.typ", "typst-show.typ"]
    profile = yaml.safe_load((ROOT / "_quarto-pack.yml").read_text(encoding="utf-8"))
    assert "pmlib-pack-typst" in profile["format"]


def test_quarto_source_carries_the_same_metadata_and_embeds_every_shown_cell_in_order(tmp_path):
    out = write_quarto_source("2021-22-Q2", PROJECT, out_qmd=tmp_path / "q" / "pack.qmd")
    text = out.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    show = (EXTENSION / "typst-show.typ").read_text(encoding="utf-8")
    report = quarter_report("2021-22-Q2", PROJECT.data, PROJECT.params)
    assert front.pop(METADATA_KEY)  # the measures' headings, for pack-outputs.lua to label (tests/test_take_away.py)
    assert front == pack_metadata(report).front_matter()
    assert {k for k in front if k != "title"} <= set(re.findall(r"\$if\(([a-z-]+)\)\$", show))
    embeds = re.findall(r"\{\{< embed (\S+)#(\S+) >\}\}", text)
    expected = []
    folder = ROOT / "reports" / "2021-22-Q2"
    for nb in [folder / "overview.ipynb", *(folder / f"plan-{p}.ipynb" for p in report.plans.index), folder / "appendices.ipynb"]:
        markdown_cells = {c["id"] for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "markdown"}
        shown = dict.fromkeys(b.cell_id for b in read_blocks(nb, "pack"))
        expected += [(nb.resolve(), cell) for cell in shown if cell not in markdown_cells]
    assert [((out.parent / path).resolve(), cell) for path, cell in embeds] == expected
    assert "## Measures at a glance" in text


@pytest.mark.parametrize(
    ("svg", "expected"),
    [
        ('<svg role="img" aria-label="A &amp; B\n 1" width="20" height="10"><title>t</title></svg>', ("A & B 1", True)),
        ('\n<svg width="20" height="10"><g><title>From  the title</title></g></svg>', ("From the title", True)),
        ('<svg aria-label=" " width="20" height="10"><title>Blank label, so the title</title></svg>', None),
        ('<svg aria-label="a > b" width="Infinity" height="10"></svg>', ("a > b", False)),
        ('<!-- <svg aria-label="not this one"> --><svg aria-label="after a comment" height="1" width="1"/>', ("after a comment", True)),
    ],
)
def test_chart_description_reads_the_root_label_or_title(svg, expected):
    if expected is None:
        with pytest.raises(PackError, match="no aria-label"):
            chart_description(svg, "here")
    else:
        assert chart_description(svg, "here") == expected


def test_chart_symbols_get_the_symbol_font_in_svg_text_only():
    svg = '<svg aria-label="✓ kept"><text x="1">✖ Intervention</text><title>✓ title</title></svg>'
    wrapped = '<text x="1"><tspan font-family="DejaVu Sans Mono">✖</tspan> Intervention</text>'
    assert symbols_in_svg(svg) == f'<svg aria-label="✓ kept">{wrapped}<title>✓ title</title></svg>'


# --- tables -----------------------------------------------------------------------------------------


def test_one_row_table_snapshot():
    frame = pd.DataFrame({"Measure": ["A & <b> 1.5 *x*"], "Status": ["✓ On target"]})
    code = html_table_to_typst(make_table(frame, "table-x", "Title [1]", {"Status": ["#DFF1EF"]}).html, "test")
    assert code == (SNAPSHOTS / "typst_table_one_row.typ").read_text(encoding="utf-8").rstrip("\n")


def test_fill_weight_colour_and_spans_survive_and_compile(tmp_path):
    frame = pd.DataFrame({"Measure": ["Bold one", "Plain"], "Value": [1.5, 2.0]})
    gt = (
        GT(frame, id="t")
        .tab_header(title="Styled", subtitle="Sub")
        .tab_spanner("Figures", columns=["Value"])
        .tab_style([style.text(weight="bold", color="#801650"), style.fill(color="#F2DCE6")], loc.body(columns="Measure", rows=[0]))
        .tab_style(style.text(weight="600", style="italic"), loc.body(columns="Value", rows=[1]))
        .tab_source_note("Source: test")
    )
    code = html_table_to_typst(gt.as_raw_html(), "test")
    assert 'table.cell(fill: rgb("#F2DCE6"), breakable: false)[#text(fill: rgb("#801650"), weight: "bold")[Bold one]]' in code
    assert '#text(weight: 600, style: "italic")[2\\.0]' in code
    assert "table.cell(rowspan: 2)[#strong[Measure]]" in code
    assert "caption: [Styled #linebreak() Sub]" in code
    assert "align: (left, right)," in code
    assert "table.cell(colspan: 2)[Source: test]" in code
    pdf = compile_with_template(tmp_path, code, council="[C]", title="[T]", quarter="[Q]")
    assert "LiberationSans-Bold" in poppler("pdffonts", pdf)
    text = " ".join(" ".join(pdf_pages(pdf)[2:]).split())
    assert "Bold one" in text and "Source: test" in text


def test_markup_escaping_shows_text_exactly(tmp_path):
    tricky = r"A & <b> *x* _y_ #z $1 @me [c] // no comment -- 1. = h ~ \ back `code` 10/20 a+b (p)"
    assert escape_markup("1. Item") == "1\\. Item"
    frame = pd.DataFrame({"Text": [tricky], "N": ["- 2"]})
    code = html_table_to_typst(make_table(frame, "table-esc", "Esc", {}).html, "test")
    pdf = compile_with_template(tmp_path, code, council="[C]", title="[T]", quarter="[Q]")
    text = pdf_pages(pdf, "-raw")[2]
    assert tricky in text and "- 2" in text


def test_a_bracket_after_a_line_break_or_emphasis_is_text(tmp_path):
    """ "72.0%<br>(forecast)": Typst would read "(" right after #linebreak() as calling it."""
    frame = pd.DataFrame({"Year end": ["72.0%"], "Kind": ["x"]})
    html = make_table(frame, "table-br", "Br", {}).html.replace("72.0%", "72.0%<br>(forecast) <em>a</em>(b)")
    code = html_table_to_typst(html, "test")
    assert "#linebreak()\\(forecast)" in code and "#emph[a]\\(b)" in code
    text = " ".join(pdf_pages(compile_with_template(tmp_path, code, council="[C]", title="[T]", quarter="[Q]"), "-raw")[2].split())
    assert "72.0% (forecast) a(b)" in text


def test_a_table_whose_words_are_wider_than_the_page_is_set_smaller_and_hyphenated(tmp_path):
    """Eleven columns of long words (a plan dashboard) would run into each other: this table alone is smaller, words may break."""
    frame = pd.DataFrame({f"Intervention {i}": ["unacceptable collections"] for i in range(11)})
    code = html_table_to_typst(make_table(frame, "table-wide", "Wide", {}).html, "test")
    assert code.startswith("#[\n#show table: set text(size: 0.90em, hyphenate: true)\n#figure(") and code.endswith("\n]")
    assert re.search(r"columns: \(([\d.]+fr, ){10}[\d.]+fr\)", code)
    narrow = html_table_to_typst(make_table(frame.iloc[:, :3], "table-narrow", "Narrow", {}).html, "test")
    assert narrow.startswith("#figure(") and "hyphenate" not in narrow
    text = " ".join(pdf_pages(compile_with_template(tmp_path, code, council="[C]", title="[T]", quarter="[Q]"), "-raw")[2].split())
    assert "Wide" in text and "\u00ad" in text  # a soft hyphen: a long word broken inside its own cell


def test_html_that_is_not_a_drawable_table_is_refused_with_its_place():
    with pytest.raises(TableConversionError, match="overview.ipynb cell x: HTML output without a <table>"):
        html_table_to_typst("<div>hello</div>", "overview.ipynb cell x")
    with pytest.raises(TableConversionError, match="<img>"):
        html_table_to_typst('<table><tr><td><img src="a.png"></td></tr></table>', "here")
    with pytest.raises(TableConversionError, match="hex code"):
        html_table_to_typst('<table><tr><td style="background-color: papayawhip">x</td></tr></table>', "here")


# --- structure a Cabinet member relies on, and what the public may see ----------


def pmlib_data():
    return load_data(PROJECT.data)


def outline(pdf: Path) -> list[str]:
    """The PDF's bookmarks, in order, as poppler's pdftohtml reads them."""
    xml = poppler("pdftohtml", "-xml", "-i", "-stdout", "-q", pdf)
    outline = xml[xml.index("<outline") :] if "<outline" in xml else ""
    items = [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<item[^>]*>(.*?)</item>", outline, re.DOTALL)]
    return [re.sub(r"^\d+(\.\d+)*\s+", "", item) for item in items]  # without the section numbers


def test_every_section_has_a_bookmark(pack):
    _, pdf, _, report = pack
    marks = outline(pdf)
    assert marks, "the pack has no bookmarks"
    for plan in report.plans["name"]:
        assert any(m.startswith(f"{plan}:") for m in marks), plan
    for name in report.exceptions["measure_id"].map(report.measures["name"]):
        assert f"Exception report: {name}" in marks, name


def test_every_exception_report_has_its_commentary_or_says_it_is_missing(pack):
    _, pdf, _, report = pack
    text = " ".join(" ".join(pdf_pages(pdf, "-raw")).split())
    assert len(report.exceptions)
    for row in report.exceptions.itertuples():
        name = report.measures.loc[row.measure_id, "name"]
        start = text.index(f"Exception report: {name}")
        section = text[start : start + 1500]
        commentary = row.commentary if isinstance(row.commentary, str) and row.commentary.strip() else None
        if commentary:
            first_words = " ".join(re.sub(r"[*_]", "", commentary).split()[:5])
            assert f"Commentary: {first_words}" in section, name
        else:
            assert "Commentary missing." in section, name
        assert "Corrective action:" in section and "Intervention level:" in section, name


def test_the_public_pack_has_no_restricted_measure_and_no_small_number(pack):
    slug, pdf, _, report = pack
    data = pmlib_data()
    restricted = data.measures[~data.measures["public"]]
    text = " ".join(pdf_pages(pdf, "-raw"))
    for name in restricted["name"]:
        assert name not in text
    assert report.judged["suppressed"].any() or slug != "2021-22-Q2"  # the demo withholds BF07 in 2021/22 Q2
    for row in report.judged[report.judged["suppressed"]].itertuples():
        name = data.measures.loc[row.measure_id, "name"]
        figures = text[text.index(name) :]
        assert "[c]" in figures[: len(name) + 400], name


def test_the_readme_pictures_of_the_pack_are_what_the_build_makes(built_site, tmp_path):
    _, site, _ = built_site
    script = ROOT / "scripts" / "pack_images.py"
    args = [sys.executable, script, "--pdf", site / "packs" / "2021-22-Q2.pdf", "--out", tmp_path]
    run = subprocess.run(args, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    committed = ROOT / "docs" / "images"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for made in sorted(tmp_path.glob("*.png")):
        assert f"docs/images/{made.name}" in readme, made.name
        assert (committed / made.name).is_file(), f"{made.name} is not committed: run scripts/pack_images.py (see its docstring)"
        stale = (committed / made.name).read_bytes() != made.read_bytes()
        assert not stale, f"docs/images/{made.name} is stale: run `pm build --latest` then `python scripts/pack_images.py`"


def test_the_pack_ends_with_the_appendices(pack):
    _, pdf, _, report = pack
    marks = outline(pdf)
    appendices = [m for m in marks if m.startswith("Appendix ")]
    expected = ["Appendix A", "Appendix B", "Appendix C"] + ([] if report.comparisons.empty else ["Appendix D"])
    assert [a.split(":")[0] for a in appendices] == expected
    assert marks.index(appendices[0]) > max(i for i, m in enumerate(marks) if m.split(":")[-1].strip() == report.quarter.code)
    text = " ".join(" ".join(pdf_pages(pdf, "-raw")).split())
    definitions = text[text.index("Appendix A: measure definitions, ") :].replace("\u2019", "'")  # Typst sets typographic apostrophes
    for name in report.measures["name"]:
        assert " ".join(name.split()) in definitions, name


def test_the_internal_pack_has_the_restricted_measure_and_is_never_on_the_website(tmp_path):
    """On the two-plan council, whose HLT03 is restricted: four notebooks to execute rather than the demo's eight."""
    from click.testing import CliRunner

    from pmlib.cli import main

    project, quarter = tmp_path / "project", "2020-21-Q2"
    for name in ("notebooks", "_extensions"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copytree(ROOT / "tests" / "fixtures" / "valid", project / "data")
    (project / "params").mkdir()
    shutil.copy2(ROOT / "params" / f"{quarter}.yml", project / "params")
    restricted = load_data(project / "data").measures.query("not public")["name"]
    assert len(restricted) > 0
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        result = CliRunner().invoke(main, ["build", quarter, "--audience", "internal", "--no-progress"])
    assert result.exit_code == 0, result.output
    pdf = project / "_internal" / "packs" / f"{quarter}-internal.pdf"
    text = " ".join(" ".join(pdf_pages(pdf, "-raw")).split())
    assert all(name in text for name in restricted) and "Internal report" in text
    assert not (project / "_site").exists() and (project / "reports" / ".internal" / quarter / "overview.ipynb").is_file()
    assert not (project / "reports" / quarter).exists()  # no public report is written from internal figures
