"""Tables as output bundles: great-tables' HTML for the page, plain text for reviewers' diffs.

Every table has a fixed id made from the quarter and what it shows, so its
header ids are the same on every run. great-tables puts ~8 KB of CSS in each
table, scoped to its id; every table here has the same options, so the
tables carry one class instead (``TABLE_CLASS``) and the renderers serve the
one stylesheet (``table_stylesheet``) with the rest of the site's: a
``<style>`` in the page's body is not valid HTML, and would weigh on every page. Statuses are a symbol
and a word, with a light tint as a third cue that still reads in greyscale.

A table of text and whole numbers, which is every table pmlib makes, is
written by ``pmlib.views.table_markup`` exactly as great-tables writes it
(a tenth to a thirtieth of the time: great-tables sets one cell at a time).
great-tables makes any other table, given the display strings as a pyarrow
table where it can be (``_arrow_table``): given a pandas frame it spends
most of a table's time in pandas, reading and writing one cell at a time.
"""

from __future__ import annotations

import functools
import html
import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from pmlib.contract.officer_text import given
from pmlib.views.actions import action_progress, year_progress
from pmlib.views.disclosure import value_texts
from pmlib.views.formats import format_value, target_text
from pmlib.views.labels import STATUS_LABELS, action_label, status_label, trend_label
from pmlib.views.narrative import status_counts
from pmlib.views.prose import Prose
from pmlib.views.sparklines import Sparkline, cumulative, sparkline
from pmlib.views.table_markup import TABLE_CLASS, Column, covered, table_markup

if TYPE_CHECKING:
    import lxml.html
    from great_tables import GT


@dataclass(frozen=True)
class Table:
    """A rendered table: its id, title, the display strings, and the great-tables HTML."""

    table_id: str
    title: str
    frame: pd.DataFrame = field(compare=False, repr=False)
    html: str = field(compare=False, repr=False)

    def text(self) -> str:
        """The table as aligned plain text, so a notebook diff shows what changed."""
        return f"{self.title}\n{self.frame.to_string(index=False)}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html, "text/plain": self.text()}


# great-tables right-aligns a pandas text column when every text in it looks like a number or a date
# (great_tables._tbl_data_align.NUMBER_LIKE_PATTERN, quirk included: " -/" is the range from space to "/").
_NUMBER_LIKE = re.compile(r"^[0-9 -/:\\.]*$")


def _columns(frame: pd.DataFrame) -> list[Column] | None:
    """The frame's columns as shown, with the alignment great-tables gives each as pandas; None if it has other kinds.

    Only the kinds ``make_table`` is given are read this way: text, and
    whole numbers with none missing (shown as ``str`` shows them); a frame
    with any other column (fractions, dates, flags) is left to great-tables
    as pandas.
    """
    if not all(isinstance(name, str) for name in frame.columns) or frame.columns.has_duplicates:
        return None
    columns = []
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind in "iu":
            columns.append(Column(name, "right", [str(v) for v in column.tolist()]))
        elif pd.api.types.is_string_dtype(column):
            texts = column.to_numpy(dtype=object, na_value=None)
            if not all(t is None or isinstance(t, str) for t in texts):
                return None
            align = "right" if all(_NUMBER_LIKE.match(t) for t in texts if t is not None) else "left"
            columns.append(Column(name, align, list(texts)))
        else:
            return None
    return columns


def _arrow_table(frame: pd.DataFrame) -> tuple[pa.Table, dict[str, str]] | None:
    """The frame as a pyarrow table and the alignment great-tables gives each of its columns as pandas; None if it has other kinds.

    great-tables makes the same HTML from either (``test_tables_from_arrow_match_pandas``),
    about three times as fast from pyarrow, but aligns by its own types: so
    the alignment it would give the pandas frame is set explicitly.
    """
    columns = _columns(frame)
    if columns is None:
        return None
    arrays = {}
    for c in columns:
        column = frame[c.name]
        arrays[c.name] = pa.array(column.to_numpy()) if column.dtype.kind in "iu" else pa.array(c.texts, type=pa.string())
    return pa.table(arrays), {c.name: c.align for c in columns}


def great_table(frame: pd.DataFrame, table_id: str, title: str, tints: dict[str, list[str]] | None = None) -> GT:
    """The great-tables table ``make_table`` finishes: its title, and each tinted cell's colour as an inline style.

    ``frame`` has a default index (``make_table`` resets it). great-tables
    is imported here, for the few tables ``table_markup`` does not write.
    """
    from great_tables import GT, loc, style

    arrow = _arrow_table(frame)
    if arrow is None:
        gt = GT(frame, id=table_id)
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PyArrow Table support is currently experimental")
            gt = GT(arrow[0], id=table_id, auto_align=False)
        for alignment in ("left", "right"):
            if named := [name for name, a in arrow[1].items() if a == alignment]:
                gt = gt.cols_align(alignment, columns=named)
    gt = gt.tab_header(title=title)
    for column, colours in (tints or {}).items():
        for colour in sorted({c for c in colours if c}):
            rows = [i for i, c in enumerate(colours) if c == colour]
            gt = gt.tab_style(style.fill(color=colour), loc.body(columns=column, rows=rows))
    return gt


def make_table(
    frame: pd.DataFrame,
    table_id: str,
    title: str,
    tints: dict[str, list[str]] | None = None,
    cell_html: dict[str, list[str]] | None = None,
) -> Table:
    """Build a table; ``tints`` maps a column to one background colour per row (blank for none).

    ``cell_html`` maps a column to trusted HTML per row (a sparkline) that
    replaces the frame's text in the HTML table only; the frame keeps the
    text, which is what ``text()`` and readers of plain text see.
    """
    frame = frame.reset_index(drop=True)
    columns = _columns(frame)
    if columns is not None and covered(table_id, title, columns, tints or {}, cell_html or {}):
        markup = table_markup(table_id, title, columns, tints or {}, cell_html or {})
    else:
        gt = great_table(frame, table_id, title, tints)
        at = {name: list(frame.columns).index(name) for name in cell_html or {}}
        markup = _finish(gt.as_raw_html(), table_id, at, cell_html or {})
    return Table(table_id, title, frame, table_region(markup, title))


def table_region(table_html: str, title: str) -> str:
    """The table in a region named by its title that a keyboard can reach and scroll sideways, whichever renderer shows it.

    A wide table scrolls inside it rather than widening the page on a phone
    (WCAG 1.4.10), and the region takes focus so the scrolling works without
    a mouse (WCAG 2.1.1); outputs.css lays it out on both renderers' pages.
    """
    label = html.escape(title, quote=True)
    return f'<div class="pm-table-wrap" role="region" tabindex="0" aria-label="{label}">\n{table_html}\n</div>'


_PLACEHOLDER = "pm-cell-html"  # an element no table holds; its markup cannot occur in escaped text
_REFERENCE_ID = "pm-gt-reference"


def _great_tables_css(table_html: str, table_id: str) -> str:
    """The stylesheet great-tables wrote into a table, with the table's id made the shared class."""
    css = re.search(r"<style>(.*?)</style>", table_html, re.DOTALL).group(1)
    return re.sub(rf"#{re.escape(table_id)}(?![\w-])", f".{TABLE_CLASS}", css).strip()


def _scoped(css: str, scope: str) -> str:
    """Every selector of every rule made to start with ``scope``: great-tables leaves a few (``tr``, ``td``) global."""

    def rule(match: re.Match) -> str:
        selectors = [sel.strip() for sel in match.group(1).split(",")]
        scoped = [sel if sel.startswith(scope) else f"{scope} {sel}" for sel in selectors if sel]
        return f"{', '.join(scoped)} {{{match.group(2)}}}\n"

    return re.sub(r"([^{}]+)\{([^{}]*)\}", rule, css)


@functools.cache
def table_stylesheet() -> str:
    """The CSS of every table ``make_table`` makes, which the renderers serve once with the site's own.

    It is great-tables' own, from a table made with the same options, scoped
    to ``TABLE_CLASS``; the tints are inline styles on the cells, so one
    stylesheet fits every table (a test holds ``make_table`` to that). The
    renderers serve it from ``pmlib/rendering/assets/tables.css``, which
    ``test_table_markup`` holds to this, so a build need not import
    great-tables to make it.
    """
    reference = great_table(pd.DataFrame({"a": [1]}), _REFERENCE_ID, "t").as_raw_html()
    return _scoped(_great_tables_css(reference, _REFERENCE_ID), f".{TABLE_CLASS}")


def _has_class(element: lxml.html.HtmlElement, name: str) -> bool:
    return name in element.get("class", "").split()


def _finish(html: str, table_id: str, columns: dict[str, int], cell_html: dict[str, list[str]]) -> str:
    """great-tables' title row made a ``<caption>`` (announced as the table's name, not read as a row); trusted cell HTML put in.

    The table's own ``<style>`` goes (``table_stylesheet`` is its CSS) and
    its ``<div>`` takes ``TABLE_CLASS``. lxml reads and writes the table
    (a tenth of BeautifulSoup's time, and there are a few hundred tables a
    build); it writes great-tables' markup back as it was, apart from these changes.
    """
    import lxml.html

    root = lxml.html.fragment_fromstring(html.strip())
    for sheet in root.findall(".//style"):
        sheet.drop_tree()
    div = next(div for div in root.iter("div") if div.get("id") == table_id)
    kept = [(name, value) for name, value in div.items() if name != "class"]
    div.attrib.clear()
    div.attrib.update([("class", TABLE_CLASS), *kept])  # the class first, where a reader of the page looks
    table = next(root.iter("table"))
    heading = next((tr for tr in table.iterfind("thead/tr") if _has_class(tr, "gt_heading")), None)
    if heading is not None:
        title = next(cell for cell in heading if _has_class(cell, "gt_title"))
        caption = lxml.html.Element("caption", {"class": "gt_caption", "id": title.get("id")})
        caption.text = title.text
        caption.extend(title)
        heading.drop_tree()
        caption.tail, table.text = table.text, None
        table.insert(0, caption)
    rows = [tr for body in table.iterfind("tbody") if _has_class(body, "gt_table_body") for tr in body.iterfind("tr")]
    fragments = []
    for name, index in columns.items():
        for tr, fragment in zip(rows, cell_html[name], strict=True):
            cell = tr.findall("td")[index]
            for child in list(cell):
                cell.remove(child)
            cell.text = None
            cell.append(lxml.html.Element(_PLACEHOLDER, n=str(len(fragments))))
            fragments.append(fragment)
    html = lxml.html.tostring(root, encoding="unicode")
    for n, fragment in enumerate(fragments):  # spliced as text: an HTML parser would lower-case SVG's viewBox
        html = html.replace(f'<{_PLACEHOLDER} n="{n}"></{_PLACEHOLDER}>', fragment)
    return html


def table_id(report, what: str) -> str:
    """A table's fixed id from its quarter and what it shows, the same on every run."""
    return f"table-{report.quarter.slug}-{what}".lower()


def _fmt(value, measure: pd.Series) -> str:
    return format_value(value, measure["unit"], int(measure["decimals"]))


def display_rows(judged: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Display strings for judged rows: value with GSS markers, target, status and trends in words.

    Targets and intervention levels read as ``target_text`` gives them
    (``[z]`` where a measure has no target by design).
    """
    j, m = judged, measures.loc[judged["measure_id"]]
    fmt = lambda col: [target_text(*cell) for cell in zip(j[col], m["unit"], m["decimals"], m["polarity"], strict=True)]  # noqa: E731
    return pd.DataFrame(
        {
            "measure_id": j["measure_id"].to_numpy(),
            "plan_id": j["plan_id"].to_numpy(),
            "measure": m["name"].to_numpy(),
            "period": j["period"].to_numpy(),
            "value": value_texts(j, measures).to_numpy(),
            "target": fmt("target"),
            "intervention": fmt("intervention"),
            "status": [status_label(s).text for s in j["status"]],
            "short_trend": [trend_label(t).text for t in j["short_trend"]],
            "long_trend": [trend_label(t).text for t in j["long_trend"]],
        }
    )


def counts_table(report, counts: pd.DataFrame, what: str, title: str) -> Table:
    """Measures by status for each delivery plan (``plan`` and a column per status), with a total column."""
    keys = list(STATUS_LABELS)
    frame = pd.DataFrame({"Delivery plan": counts["plan"]})
    for k in keys:
        frame[STATUS_LABELS[k].text] = counts[k].astype(int)
    frame["Total"] = counts[keys].sum(axis=1).astype(int)
    return make_table(frame, table_id(report, what), title)


def status_counts_table(report) -> Table:
    """Measures by status for each delivery plan this quarter."""
    return counts_table(report, report.status_counts(), "status-by-plan", f"Measures by status and delivery plan, {report.quarter.code}")


def quality_words(rows: pd.DataFrame) -> list[str]:
    """Each figure's quality flags in words, for readers who do not know the GSS shorthand."""
    words = []
    for r in rows[["value", "suppressed", "provisional", "estimated", "revised"]].itertuples(index=False):
        if r.suppressed:
            words.append("Withheld (small numbers)")
            continue
        if pd.isna(r.value):
            words.append("No figure")
            continue
        flags = [w for w, on in (("Provisional", r.provisional), ("Estimated", r.estimated), ("Revised", r.revised)) if on]
        words.append(", ".join([flags[0], *(f.lower() for f in flags[1:])]) if flags else "Validated")
    return words


def sparklines(report, rows: pd.DataFrame, quarters: int = 8) -> list[Sparkline]:
    """Each measure's figures over its last ``quarters`` published periods, as the history chart shows them."""
    lines = []
    measures = report.data.measures
    for measure_id in rows["measure_id"]:
        history = report.history[report.history["measure_id"] == measure_id].drop_duplicates("period", keep="last").tail(quarters)
        m = measures.loc[measure_id]
        shown = [_fmt(v, m) for v in history["value"]]
        subject = f"{m['name']}, recent figures"
        lines.append(sparkline(list(history["period"]), list(history["value"]), shown, subject, year_to_date=cumulative(m)))
    return lines


def dashboard_table(report, rows: pd.DataFrame, what: str, title: str) -> Table:
    """The plan dashboard: the core measures table with each figure's quality, its year end and a sparkline of recent figures.

    The year end (Q1 to Q3) is a figure, a status and a kind in a narrow
    column, so each part starts a line of its own; a Q4 report judges the
    outturn itself and has no such column. Where any of ``rows`` is
    compared with other areas, a column says how each compares.
    """
    from pmlib.views.how_we_compare import COMPARED_COLUMN, dashboard_cells
    from pmlib.views.year_end import YEAR_END_COLUMN, year_end_cells

    lines = sparklines(report, rows)
    extra = {"Quality": quality_words(rows)}
    cell_html = {"Recent figures": [line.svg() for line in lines]}
    if report.quarter.number != 4:
        extra[YEAR_END_COLUMN], cell_html[YEAR_END_COLUMN] = year_end_cells(rows, report.data.measures)
    compared = dashboard_cells(report, rows)
    if compared is not None:
        extra[COMPARED_COLUMN], cell_html[COMPARED_COLUMN] = compared
    extra["Recent figures"] = [line.blocks() for line in lines]
    return measures_table(report, rows, what, title, extra, cell_html)


def measures_table(report, rows: pd.DataFrame, what: str, title: str, extra=None, cell_html=None) -> Table:
    """The core measures table: value, target, intervention level, status and both trends (and ``extra`` columns)."""
    shown = display_rows(rows, report.data.measures)
    frame = pd.DataFrame(
        {
            "Measure": shown["measure"],
            "Period": shown["period"],
            "Value": shown["value"],
            "Target": shown["target"],
            "Intervention level": shown["intervention"],
            "Status": shown["status"],
            "Short-term trend": shown["short_trend"],
            "Long-term trend": shown["long_trend"],
            **(extra or {}),
        }
    )
    return make_table(frame, table_id(report, what), title, {"Status": [status_label(s).tint for s in rows["status"]]}, cell_html)


def exceptions_table(report) -> Table | Prose:
    """Every measure needing intervention, with whether its commentary has arrived."""
    rows = report.exceptions
    if rows.empty:
        return Prose("No measure needs intervention this quarter.")
    measures, plans = report.data.measures, report.plans
    frame = pd.DataFrame(
        {
            "Measure": [measures.loc[m, "name"] for m in rows["measure_id"]],
            "Delivery plan": [plans.loc[p, "name"] for p in rows["plan_id"]],
            "Value": value_texts(rows, measures).to_numpy(),  # with its [p], [e], [r] or [c], as every other table shows it
            "Target": [_fmt(v, measures.loc[m]) for v, m in zip(rows["target"], rows["measure_id"], strict=True)],
            "Intervention level": [_fmt(v, measures.loc[m]) for v, m in zip(rows["intervention"], rows["measure_id"], strict=True)],
            "Short-term trend": [trend_label(t).text for t in rows["short_trend"]],
            "Commentary": ["Given" if given(c) else "Commentary missing" for c in rows["commentary"]],
        }
    )
    return make_table(frame, table_id(report, "exceptions"), f"Measures needing intervention, {report.quarter.code}")


def comparison_table(report) -> Table:
    """Status counts now, last quarter and in the same quarter last year, as each was published."""
    q = report.quarter
    columns = {q.code: report.judged}
    if report.previous is not None:
        columns[q.previous().code] = report.previous
    if report.year_ago is not None:
        columns[q.same_period_last_year().code] = report.year_ago
    frame = pd.DataFrame({"Status": [label.text for label in STATUS_LABELS.values()]})
    for code, judged in columns.items():
        counts = status_counts(judged)
        frame[code] = [counts[k] for k in STATUS_LABELS]
    tints = {"Status": [label.tint for label in STATUS_LABELS.values()]}
    return make_table(frame, table_id(report, "comparison"), "Measures by status: this quarter, last quarter and a year ago", tints)


def year_view_table(report, view: pd.DataFrame, what: str, title: str) -> Table:
    """The year's view: each measure's year-to-date or year-end figure against its annual target."""
    codes = []
    for period in view["period"]:
        if " Q" not in period:
            codes.append(period)
            continue
        year, n = period.split(" Q")
        codes.append(f"{year} Q1" if n == "1" else f"{year} full year" if n == "4" else f"{year} Q1 to Q{n}")
    return measures_table(report, view.assign(period=codes), what, title)


def actions_table(report, plan_id: str) -> Table | Prose:
    """The plan's actions: lead, due date, latest status and update, marking leads who sent no update."""
    progress = action_progress(report.data.actions, report.data.action_updates, plan_id, report.quarter)
    if progress.empty:
        return Prose("This delivery plan has no actions recorded.")
    updates = []
    for r in progress.itertuples():
        if r.status is None:
            updates.append("No update received.")
        elif r.current:
            updates.append(str(r.update) if isinstance(r.update, str) else "")
        else:
            updates.append(f"No update this quarter; last update ({r.update_period}): {r.update}")
    frame = pd.DataFrame(
        {
            "Action": progress["title"],
            "Lead": progress["lead"],
            "Due": [f"{d:%-d %b %Y}" if pd.notna(d) else "[x]" for d in progress["due"]],
            "Status": [action_label(s).text for s in progress["status"]],
            "Update": updates,
        }
    )
    tints = {"Status": [action_label(s).tint for s in progress["status"]]}
    return make_table(frame, table_id(report, f"{plan_id}-actions"), f"Action progress, {report.quarter.code}", tints)


def year_actions_table(report, plan_id: str) -> Table | Prose:
    """Each action's status in every quarter of the year so far: the year's action progress."""
    progress = year_progress(report.data.actions, report.data.action_updates, plan_id, report.quarter)
    if progress.empty:
        return Prose("This delivery plan has no actions recorded.")
    quarters = [c for c in progress.columns if c not in ("action_id", "title")]
    frame = pd.DataFrame({"Action": progress["title"]})
    for q in quarters:
        frame[q] = [action_label(s).text for s in progress[q]]
    tints = {q: [action_label(s).tint for s in progress[q]] for q in quarters}
    title = f"Action progress through {report.quarter.financial_year.code}"
    return make_table(frame, table_id(report, f"{plan_id}-year-actions"), title, tints)
