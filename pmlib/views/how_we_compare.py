"""How we compare: a measure's comparisons with other areas in words, a chart and a table, and the dashboard's column.

Councillors ask of every figure how it compares with places like us. The
engine answers (``pmlib.engine.comparisons``) and ``QuarterReport.comparisons``
has already applied disclosure; this module only words the answer. Each group
gets a sentence that names its period, since a comparison's period is often
not the report's. One group is drawn (``charted_group`` says which and why);
the rest are sentences. A council without comparator files gets nothing from
here, not even a heading.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from pmlib.engine.comparisons import COUNCIL
from pmlib.views.comparison_chart import best_first, comparison_chart, council_label
from pmlib.views.comparison_summary import QUARTILE_WORDS, neighbours, rank_words, reference_group
from pmlib.views.disclosure import SUPPRESSED
from pmlib.views.formats import NOT_AVAILABLE, format_value
from pmlib.views.prose import Prose, literal_markdown
from pmlib.views.tables import Table, make_table, table_id
from pmlib.views.wording import count_words, join_words
from pmlib.vocabulary import Polarity

if TYPE_CHECKING:
    from pmlib.views.charts import Chart
    from pmlib.views.report import QuarterReport

HEADING = "How we compare"
COMPARED_COLUMN = "Compared with neighbours"
CHART_AREAS = 25
"""The most areas (the council's included) a comparison chart draws a bar for; a larger group is told in words."""
WITHHELD = f"withheld to protect small numbers {SUPPRESSED}"
QUARTILE_SHORT = {1: "Best quartile", 2: "2nd quartile", 3: "3rd quartile", 4: "Worst quartile"}
"""Where the council's rank puts it among its neighbours (``quartile``), in the dashboard's narrow column."""
AGAINST = {"better": "better than", "worse": "worse than", "same": "the same as", "above": "above", "below": "below"}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _areas(n: int) -> str:
    return f"the {count_words(n)} area{'' if n == 1 else 's'} with a figure"


def _ranked(row: pd.Series, measure: pd.Series) -> bool:
    return not row["reference"] and measure["polarity"] != Polarity.NONE.word


def finding(row: pd.Series, measure: pd.Series) -> tuple[str, str, str]:
    """A neighbour group's comparison in parts, without its period: the sentence's lead and rest, and a chart's headline.

    ``row`` is one row of ``Comparisons.table``, not a reference. Where the
    council's figure is withheld (``suppressed``) so are its rank, quarter
    and comparison word; the group's size and median still show.
    """
    fmt = lambda v: format_value(v, measure["unit"], int(measure["decimals"]))  # noqa: E731
    group, of, median = str(row["group_name"]), int(row["of"]), fmt(row["group_median"])
    among, ranked = f"among {group}", _ranked(row, measure)
    if row["suppressed"]:
        withheld = f"our figure{' and rank are' if ranked else ' is'} {WITHHELD}"
        return among, f"{withheld}; the group's median was {median}, from {_areas(of - 1)}", f"{among}, our figure is {WITHHELD}"
    against = f"{AGAINST[row['comparison']]} the group's median of {median}"
    if not ranked:
        return among, f"{against}, from {_areas(of - 1)}", f"{AGAINST[row['comparison']]} the median of {group}"
    lead = f"{rank_words(int(row['rank']), bool(row['tied']), of)} {among}"
    return lead, f"{QUARTILE_WORDS[int(row['quartile'])]}; {against}", lead


def sentence(row: pd.Series, measure: pd.Series, *, period: bool = True) -> str:
    """One group's comparison as a plain-text sentence, with its period unless ``period`` is False (said just before).

    E.g. ``In 2020/21, 4th best of 11 among Statistical neighbours: second
    quarter; better than the group's median of 12.3%.`` and ``Better than
    England (10.1%).``
    """
    if row["reference"]:
        group, value = row["group_name"], format_value(row["reference_value"], measure["unit"], int(measure["decimals"]))
        body = f"{group}: {value}; ours is {WITHHELD}" if row["suppressed"] else f"{AGAINST[row['comparison']]} {group} ({value})"
    else:
        lead, rest, _ = finding(row, measure)
        body = f"{lead}: {rest}"
    return f"In {row['period']}, {body}." if period else f"{_capital(body)}."


def sentences(rows: pd.DataFrame, measure: pd.Series) -> list[str]:
    """A sentence per group, in the groups' own order; a reference leaves out the period the sentence before it gave."""
    out, before = [], None
    for _, row in rows.iterrows():
        out.append(sentence(row, measure, period=not (row["reference"] and row["period"] == before)))
        before = row["period"]
    return out


def charted_group(rows: pd.DataFrame) -> pd.Series | None:
    """The group a measure's chart shows: the largest neighbour group that still reads as bars, the first of equals.

    The most areas give the fullest picture of places like us, and a
    position among them moves least when one area's figure changes; but a
    bar per area of a national group (150 authorities) cannot be read, least
    of all on a phone, so groups of more than ``CHART_AREAS`` areas with a
    figure are told in words only, unless there is no other.
    """
    groups = rows[~rows["reference"].to_numpy(bool)]
    if groups.empty:
        return None
    sizes = groups["of"].astype("int64")
    readable = sizes[sizes <= CHART_AREAS]
    return groups.loc[readable.idxmax() if len(readable) else sizes.idxmin()]


def dashboard_cells(report: QuarterReport, rows: pd.DataFrame) -> tuple[list[str], list[str]] | None:
    """The dashboard's "Compared with neighbours" column for ``rows`` (judged rows): each cell's text and HTML; None without comparisons.

    A cell says where the measure stands among its neighbours and against
    the reference area, chosen as the executive summary chooses them
    (``comparison_summary``), so the two never disagree: ``2nd quartile;
    better than England``, each part on a line of its own in the HTML of a
    narrow column. ``[c]`` where the council's figure is withheld, ``[x]``
    where the measure has no comparison. None when no row has a comparison,
    so the column is not there at all.
    """
    table = report.comparisons.table
    table = table[table["measure_id"].isin(rows["measure_id"])]
    if table.empty:
        return None
    groups, measures = report.data.comparator_groups, report.data.measures
    near = neighbours(table, groups)
    ref = table[table["group_id"] == reference_group(groups)].set_index("measure_id")
    cells: dict[str, list[str]] = {}
    for measure_id in table["measure_id"].unique():
        found = [frame.loc[measure_id] for frame in (near, ref) if measure_id in frame.index]
        if any(row["suppressed"] for row in found):
            cells[measure_id] = [SUPPRESSED]
            continue
        parts = []
        if measure_id in near.index:
            row = near.loc[measure_id]
            ranked = _ranked(row, measures.loc[measure_id])
            parts.append(QUARTILE_SHORT[int(row["quartile"])] if ranked else f"{AGAINST[row['comparison']]} the median")
        if measure_id in ref.index:
            parts.append(f"{AGAINST[ref.loc[measure_id, 'comparison']]} {ref.loc[measure_id, 'group_name']}")
        cells[measure_id] = [_capital(parts[0]), *parts[1:]] if parts else [NOT_AVAILABLE]
    shown = [cells.get(m, [NOT_AVAILABLE]) for m in rows["measure_id"]]
    return ["; ".join(parts) for parts in shown], [";<br>".join(html.escape(p) for p in parts) for parts in shown]


def _shown_rows(figures: pd.DataFrame, references: pd.DataFrame, polarity: str) -> pd.DataFrame:
    """The table alternative's rows: the group best first, each reference area in its place among them."""
    council = (figures["role"] == COUNCIL).to_numpy(bool)
    areas = pd.DataFrame(
        {
            "area": [council_label(a) if c else a for a, c in zip(figures["area_name"], council, strict=True)],
            "value": figures["value"].to_numpy("float64"),
            "role": figures["role"].to_numpy(object),
            "suppressed": figures["suppressed"].to_numpy(bool),
        }
    )
    refs = pd.DataFrame({"area": [f"{a} (for reference)" for a in references["area"]], "value": references["value"].to_numpy("float64")})
    return best_first(pd.concat([areas, refs.assign(role="reference", suppressed=False)], ignore_index=True), polarity)


def comparison_section(report: QuarterReport, measure_id: str) -> tuple[Prose, Chart, Table] | tuple[Prose] | tuple[()]:
    """A measure's "How we compare": the heading and a sentence per group, then the charted group's chart and table.

    Nothing at all for a measure without comparisons; the words alone where
    the measure is compared with reference areas only.
    """
    comparisons = report.comparisons
    rows = comparisons.table[comparisons.table["measure_id"] == measure_id]
    if rows.empty:
        return ()
    measure = report.data.measures.loc[measure_id]
    said = "\n".join(f"- {literal_markdown(s)}" for s in sentences(rows, measure))
    words = Prose(f"#### {HEADING}\n\n{said}")
    group = charted_group(rows)
    if group is None:
        return (words,)
    figures = comparisons.figures
    figures = figures[(figures["measure_id"] == measure_id) & (figures["group_id"] == group["group_id"])]
    refs = rows[rows["reference"].to_numpy(bool) & (rows["period"] == group["period"]).to_numpy(bool)]
    references = pd.DataFrame({"area": refs["group_name"].to_numpy(object), "value": refs["reference_value"].to_numpy("float64")})
    shown = _shown_rows(figures, references, measure["polarity"])
    bars = shown[shown["role"] != "reference"]
    name, period = str(measure["name"]), group["period"]
    _, rest, headline = finding(group, measure)
    chart = comparison_chart(
        f"chart-{report.quarter.slug}-{measure_id}-compare".lower(),
        bars,
        references,
        measure,
        title=f"{period}: {_capital(headline)}",
        finding=f"{name}: {rest}.",
        description=_description(bars, references, group, measure, sentence(group, measure)),
    )
    compared = join_words([str(group["group_name"]), *references["area"]])
    return words, chart, _table(report, measure_id, shown, f"{name}: {compared}, {period}", measure)


def _description(bars: pd.DataFrame, references: pd.DataFrame, group: pd.Series, measure: pd.Series, said: str) -> str:
    fmt = lambda v: format_value(v, measure["unit"], int(measure["decimals"]))  # noqa: E731
    council = bars.loc[bars["role"] == COUNCIL, "area"].iloc[0]
    n = int((bars["role"] != COUNCIL).sum())
    shown = bars[bars["value"].notna()]
    first = "highest" if measure["polarity"] == Polarity.NONE.word else "best"
    last = "lowest" if first == "highest" else "worst"
    parts = [
        f"Bar chart of {measure['name']} in {group['period']} for {council} and the {n} other "
        f"area{'' if n == 1 else 's'} of {group['group_name']} with a figure, {first} first. {said}",
        f"The {first} figure was {fmt(shown['value'].iloc[0])} ({shown['area'].iloc[0]}) and the {last} "
        f"{fmt(shown['value'].iloc[-1])} ({shown['area'].iloc[-1]}).",
    ]
    parts += [f"A dashed line marks {a}: {fmt(v)}." for a, v in zip(references["area"], references["value"], strict=True)]
    return " ".join(parts)


def _table(report: QuarterReport, measure_id: str, shown: pd.DataFrame, title: str, measure: pd.Series) -> Table:
    """The chart's table alternative: each area and its figure in the chart's order, the council's row in bold."""
    values = [
        SUPPRESSED if s and pd.isna(v) else format_value(v, measure["unit"], int(measure["decimals"]))
        for v, s in zip(shown["value"], shown["suppressed"], strict=True)
    ]
    frame = pd.DataFrame({"Area": shown["area"].to_numpy(object), "Value": values})
    cells = [
        f"<strong>{html.escape(a)}</strong>" if r == COUNCIL else html.escape(a) for a, r in zip(shown["area"], shown["role"], strict=True)
    ]
    return make_table(frame, table_id(report, f"{measure_id}-compare"), title, cell_html={"Area": cells})
