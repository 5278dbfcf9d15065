"""pmlib writes its tables' HTML itself (``pmlib.views.table_markup``), byte for byte as great-tables did and ``make_table`` finished it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmlib import quarter_report
from pmlib.views import tables
from pmlib.views.table_markup import covered
from pmlib.views.tables import _columns, _finish, great_table, make_table, table_region, table_stylesheet

REPO = Path(__file__).resolve().parents[1]
SPARK = '<svg viewBox="0 0 20 4" role="img" aria-label="a &amp; b"><path d="M0 1L20 3"/></svg>'


def by_great_tables(frame, table_id, title, tints=None, cell_html=None) -> str:
    """The table as great-tables writes it and ``make_table`` finished it before the writer."""
    frame = frame.reset_index(drop=True)
    at = {name: list(frame.columns).index(name) for name in cell_html or {}}
    return table_region(_finish(great_table(frame, table_id, title, tints).as_raw_html(), table_id, at, cell_html or {}), title)


def written(frame, table_id, title, tints=None, cell_html=None) -> bool:
    columns = _columns(frame.reset_index(drop=True))
    return columns is not None and covered(table_id, title, columns, tints or {}, cell_html or {})


# Any text a council's data or pmlib's words could put in a cell, a label or a title: markup, entities,
# quotes, spaces at either end, line breaks, tabs, other scripts, symbols; control characters too.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=10)
_SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n"), max_size=10)
_COLOURS = st.sampled_from(["", "#DFF1EF", "#FDE6DA", "#fce", "#12436Dcc"])


@st.composite
def tables_to_write(draw, text=_SAFE_TEXT, colours=_COLOURS):
    clashing = st.sampled_from(["title", "Title", "column", "A B", "A-B", "table-x-A"])  # names whose ids clash with another's
    names = draw(st.lists(st.one_of(text, clashing), min_size=1, max_size=4, unique=True))
    rows = draw(st.integers(0, 4))
    data = {}
    for name in names:
        if draw(st.booleans()):
            data[name] = pd.Series(draw(st.lists(st.integers(-(10**12), 10**12), min_size=rows, max_size=rows)), dtype="int64")
        else:
            words = st.one_of(text, st.sampled_from(["12", "1,024", "72.0%", "2021/22", "[c]", "&amp;", "<b>x</b>", "✓ On target"]))
            dtype = draw(st.sampled_from(["object", "str"]))  # None in pandas' text type only: an object column of None alone is not text
            values = draw(st.lists(st.one_of(words, st.none()) if dtype == "str" else words, min_size=rows, max_size=rows))
            data[name] = pd.Series(values, dtype=dtype)
    frame = pd.DataFrame(data)
    tinted = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    tints = {name: draw(st.lists(colours, min_size=rows, max_size=rows)) for name in tinted}
    sparks = draw(st.lists(st.sampled_from(names), max_size=1))
    cell_html = {name: [SPARK] * rows for name in sparks}
    title = draw(st.one_of(text.filter(bool), st.sampled_from(["Visits: figures by period", 'A & <b> "q"'])))
    table_id = draw(st.sampled_from(["table-x", "table-2021-22-q2-measure-m1-history", "t"]))
    return frame, table_id, title, tints, cell_html


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables_to_write())
def test_pmlibs_markup_is_great_tables_byte_for_byte(table):
    frame, table_id, title, tints, cell_html = table
    assert written(frame, table_id, title, tints, cell_html), "the writer should cover every table of text and whole numbers"
    assert make_table(frame, table_id, title, tints, cell_html).html == by_great_tables(frame, table_id, title, tints, cell_html)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables_to_write(text=_TEXT, colours=st.sampled_from(["", "#DFF1EF", "red", "rgb(1, 2, 3)"])))
def test_what_the_writer_does_not_cover_great_tables_writes(table):
    """A control character (an HTML parser changes it, lxml refuses it in a title) or a colour not in hex: great-tables' table or error."""
    frame, table_id, title, tints, cell_html = table
    assert outcome(lambda: make_table(frame, table_id, title, tints, cell_html).html) == outcome(
        lambda: by_great_tables(frame, table_id, title, tints, cell_html)
    )


def outcome(make):
    try:
        return make()
    except (ValueError, KeyError) as exc:  # lxml's, for a title with a control character; pyarrow's, for some such column names
        return type(exc), str(exc)


def test_the_tables_stylesheet_the_site_serves_is_great_tables_own():
    """``tables.css`` is kept so that no build imports great-tables for it; after a great-tables upgrade, write it again from this."""
    kept = (REPO / "pmlib" / "rendering" / "assets" / "tables.css").read_text(encoding="utf-8")
    assert kept == table_stylesheet(), "write pmlib/rendering/assets/tables.css again from pmlib.views.tables.table_stylesheet()"


@pytest.mark.filterwarnings("ignore:pandas DataFrame contains non-string column names")
@pytest.mark.parametrize(
    "frame, title, tints",
    [
        (pd.DataFrame({"Note": ["a\rb"]}), "T", None),
        (pd.DataFrame({"Note": ["a"]}), "T\x00", None),
        (pd.DataFrame({"Note\r": ["a"]}), "T", None),
        (pd.DataFrame({"Note": ["a"]}), "", None),
        (pd.DataFrame({"Note": ["a"]}), "T", {"Note": ["red"]}),
        (pd.DataFrame({"Share": [0.5]}), "T", None),
        (pd.DataFrame({"Met": [True]}), "T", None),
        (pd.DataFrame({"Due": [pd.Timestamp("2022-04-01")]}), "T", None),
        (pd.DataFrame({1: ["a"]}), "T", None),
        (pd.DataFrame({"Note": ["a", "b"]}), "T", {"Note": ["#DFF1EF"]}),  # one tint for two rows: great-tables tints the first
    ],
)
def test_great_tables_writes_what_the_writer_does_not_cover(frame, title, tints, monkeypatch):
    assert not written(frame, "table-x", title, tints)
    asked = []
    monkeypatch.setattr(tables, "great_table", lambda *a: asked.append(a) or great_table(*a))
    assert make_table(frame, "table-x", title, tints).html == by_great_tables(frame, "table-x", title, tints)
    assert asked


@pytest.mark.parametrize("cell_html", [{"Other": ["<b>x</b>"]}, {"Note": ["<b>x</b>", "<b>y</b>"]}])
def test_trusted_cells_for_no_column_or_another_number_of_rows_are_refused_as_great_tables_refused_them(cell_html):
    frame = pd.DataFrame({"Note": ["a"]})
    assert not written(frame, "table-x", "T", None, cell_html)
    with pytest.raises(ValueError):
        make_table(frame, "table-x", "T", cell_html=cell_html)


def test_the_demos_tables_are_written_without_great_tables(monkeypatch):
    """Every table of the demo's latest quarter, in its notebooks and on one plan's measure pages, is of the kinds the writer covers."""
    from pmlib.rendering.measure_pages import measure_page

    def refuse(*_):
        raise AssertionError("great-tables was asked for a table the writer covers")

    report = quarter_report("latest", REPO / "data", REPO / "params")
    monkeypatch.setattr(tables, "great_table", refuse)
    plan = report.plan()
    shown = [report.status_table(), report.exceptions_table(), report.comparison_table(), plan.summary_table(), plan.actions_table()]
    shown += [*plan.year_section()[1:]]
    assert sum(isinstance(t, tables.Table) for t in shown) >= 4
    pages = [measure_page(report, m.measure_id, None, REPO / "pages" / "measures" / "m.qmd") for m in plan.measures()]
    assert pages and all('class="pm-gt"' in page for page in pages)
