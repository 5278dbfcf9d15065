"""How we compare: the executive summary's paragraph and table on where the council stands among other areas.

The engine compares each measure with every group it has figures for
(``pmlib.engine.comparisons``); a summary needs one line per measure. So each
measure is placed among its *neighbours*, the smallest group of two or more
areas it is compared with (the closest comparators; on equal sizes, the
group listed first in ``comparator_groups.csv``), and set against one
*reference* area: England (``E92000001``) where the quarter compares with it,
else the first one-area group listed that it compares with. Everything is
read from ``QuarterReport.comparisons``, already cut to the report's
audience: a restricted measure is absent from a public report, and a
withheld figure's place and comparison are ``[c]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pmlib.engine.comparisons import Comparisons
from pmlib.views.disclosure import SUPPRESSED
from pmlib.views.formats import NOT_AVAILABLE, format_value
from pmlib.views.prose import Prose, literal_markdown
from pmlib.views.tables import Table, make_table, table_id
from pmlib.views.wording import count_words

if TYPE_CHECKING:
    from pmlib.views.report import QuarterReport

ENGLAND = "E92000001"
QUARTILE_WORDS = {1: "best quartile", 2: "second quartile", 3: "third quartile", 4: "worst quartile"}
NOT_RANKED = "Not ranked"
"""The place of a measure with no better or worse direction (polarity ``none``)."""


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``21st``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_words(rank: int, tied: bool, of: int) -> str:
    """A place among ``of`` areas in words: ``4th best of 11``, ``=3rd best of 11`` (a tie), ``best of 11``, ``worst of 11``.

    Equal values share the best place (the contract's ``=3rd``), so a tie
    for first is ``joint best``; the last place is never tied.
    """
    if rank == 1:
        return f"{'joint best' if tied else 'best'} of {of}"
    if rank == of and not tied:
        return f"worst of {of}"
    return f"{'=' if tied else ''}{ordinal(rank)} best of {of}"


def _group_order(groups: pd.DataFrame) -> pd.DataFrame:
    """Each group's number of areas and its place in ``comparator_groups.csv``, by ``group_id``."""
    sizes = groups.groupby("group_id", sort=False).size()
    return pd.DataFrame({"size": sizes.to_numpy(), "order": np.arange(len(sizes))}, index=sizes.index)


def reference_group(groups: pd.DataFrame, table: pd.DataFrame | None = None) -> str | None:
    """The one-area group a summary sets every measure against: England where it is a group, else the first listed.

    Given the comparison ``table``, only groups it compares with are
    candidates, so a quarter without England's figures is set against the
    reference it has (a region, say) rather than none.
    """
    if table is not None:
        groups = groups[groups["group_id"].isin(table["group_id"])]
    order = _group_order(groups)
    references = order.index[order["size"].to_numpy() == 1]
    if len(references) == 0:
        return None
    england = groups.loc[groups["group_id"].isin(references) & (groups["area_code"] == ENGLAND), "group_id"]
    return str(england.iloc[0]) if len(england) else str(references[0])


def neighbours(table: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Each measure's row for its neighbours: the smallest group of two or more areas it is compared with (first listed on a tie)."""
    order = _group_order(groups).reindex(table["group_id"])
    ranked = table.assign(_size=order["size"].to_numpy(), _order=order["order"].to_numpy())[~table["reference"].to_numpy(bool)]
    closest = ranked.sort_values(["_size", "_order"], kind="stable").drop_duplicates("measure_id")
    return closest.drop(columns=["_size", "_order"]).set_index("measure_id")


def summary_rows(comparisons: Comparisons, groups: pd.DataFrame, measure_order: pd.Index) -> pd.DataFrame:
    """One row per measure compared with its neighbours or the reference area, in ``measure_order``.

    Columns ``n_*`` are the neighbours' row of the comparison table and
    ``r_*`` the reference's; either is blank where the measure has none.
    """
    table = comparisons.table
    near = neighbours(table, groups).add_prefix("n_")
    ref = table[table["group_id"] == reference_group(groups, table)].set_index("measure_id").add_prefix("r_")
    ids = [m for m in measure_order if m in near.index or m in ref.index]
    return near.reindex(ids).join(ref.reindex(ids)).rename_axis("measure_id").reset_index()


def place(row: pd.Series) -> str:
    """The neighbours' column of a measure: ``4th best of 11 (second quartile)``, ``[c]``, ``Not ranked`` or ``[x]``."""
    if pd.isna(row["n_group_id"]):
        return NOT_AVAILABLE
    if row["n_suppressed"]:
        return SUPPRESSED
    if pd.isna(row["n_rank"]):
        return NOT_RANKED
    words = rank_words(int(row["n_rank"]), bool(row["n_tied"]), int(row["n_of"]))
    return f"{words} ({QUARTILE_WORDS[int(row['n_quartile'])]})"


def _word(group: str, row: pd.Series) -> str:
    """``Better``, ``Worse``, ``Same``, ``Above`` or ``Below``; ``[c]`` when withheld, ``[x]`` without that comparison."""
    if pd.isna(row[f"{group}_group_id"]):
        return NOT_AVAILABLE
    if row[f"{group}_suppressed"]:
        return SUPPRESSED
    return str(row[f"{group}_comparison"]).capitalize()


def summary_sentence(rows: pd.DataFrame, reference_name: str | None) -> str:
    """The paragraph's first sentence: how many measures are in the best and worst quartile, and how many beat the reference."""
    n = len(rows)
    ranked = rows["n_quartile"].notna()
    best, worst = int((ranked & (rows["n_quartile"] == 1)).sum()), int((ranked & (rows["n_quartile"] == 4)).sum())
    better = int((rows["r_comparison"] == "better").sum())
    has_near, has_ref = rows["n_group_id"].notna().any(), rows["r_group_id"].notna().any()

    def some(k: int) -> str:
        return "none is" if k == 0 else f"{count_words(k)} {'is' if k == 1 else 'are'}"

    if n == 1:
        row = rows.iloc[0]
        parts = []
        if pd.notna(row["n_quartile"]):
            parts.append(f"it is in the {QUARTILE_WORDS[int(row['n_quartile'])]} of its neighbours")
        if pd.notna(row["r_comparison"]) and not row["r_suppressed"]:
            against = {"better": "better than", "worse": "worse than", "same": "the same as", "above": "above", "below": "below"}
            parts.append(f"it is {against[row['r_comparison']]} {reference_name}")
        return "One measure has published comparisons" + (f": {'; '.join(parts)}." if parts else ".")
    parts = []
    if has_near:
        parts.append(
            f"{some(best)} in the best quartile of their neighbours and {'none' if worst == 0 else count_words(worst)} in the worst"
        )
    if has_ref:
        parts.append(f"{some(better)} better than {reference_name}")
    return f"Of the {count_words(n)} measures with published comparisons, {'; '.join(parts)}."


def _neighbours_sentence(names: list[str], short_name: str) -> str:
    who = f"Neighbours are {names[0]}" if len(names) == 1 else "A measure's neighbours are the smallest group of areas it is compared with"
    return f"{who}; a place ranks {short_name} among the neighbours with a figure, best first, and equal figures share a place (=3rd)."


def how_we_compare_table(report: QuarterReport, rows: pd.DataFrame, reference_name: str | None) -> Table:
    """Per measure: its period and value, its place among its neighbours and their median, and the reference area's figure."""
    measures = report.data.measures.loc[rows["measure_id"]]
    units, decimals = measures["unit"].to_numpy(object), measures["decimals"].to_numpy("int64")
    fmt = lambda values: [format_value(v, u, d) for v, u, d in zip(values, units, decimals, strict=True)]  # noqa: E731
    near = rows["n_group_id"].notna().to_numpy(bool)
    period = np.where(near, rows["n_period"], rows["r_period"])
    value = np.where(near, rows["n_value"].to_numpy("float64"), rows["r_value"].to_numpy("float64"))
    withheld = np.where(near, rows["n_suppressed"].fillna(False), rows["r_suppressed"].fillna(False)).astype(bool)
    frame = pd.DataFrame(
        {
            "Measure": measures["name"].to_numpy(),
            "Period": period,
            "Value": [SUPPRESSED if w else v for w, v in zip(withheld, fmt(value), strict=True)],
        }
    )
    names = list(dict.fromkeys(rows.loc[near, "n_group_name"]))
    if near.any():
        if len(names) > 1:
            frame["Neighbours"] = rows["n_group_name"].fillna(NOT_AVAILABLE).to_numpy()
        frame["Place among neighbours"] = [place(r) for _, r in rows.iterrows()]
        frame["Neighbours' median"] = fmt(rows["n_group_median"].to_numpy("float64"))
    if rows["r_group_id"].notna().any():
        other = rows["r_period"].notna().to_numpy(bool) & (rows["r_period"].to_numpy(object) != period)
        shown = fmt(rows["r_reference_value"].to_numpy("float64"))
        frame[reference_name] = [f"{s} ({p})" if o else s for s, p, o in zip(shown, rows["r_period"], other, strict=True)]
        frame[f"Compared with {reference_name}"] = [_word("r", r) for _, r in rows.iterrows()]
    among = names[0] if len(names) == 1 else "neighbouring areas"
    against = " and ".join(n for n in (among if near.any() else None, reference_name) if n)
    return make_table(frame, table_id(report, "how-we-compare"), f"Compared with {against}, {report.quarter.code}")


def how_we_compare_section(report: QuarterReport) -> tuple[Prose, Prose, Table] | tuple[()]:
    """The overview's "How we compare": heading, paragraph and table; nothing for a council without comparisons."""
    comparisons = report.comparisons
    if comparisons.empty:
        return ()
    groups = report.data.comparator_groups
    rows = summary_rows(comparisons, groups, report.data.measures.index)
    if rows.empty:
        return ()
    ref_id = reference_group(groups, comparisons.table)
    reference_name = str(groups.loc[groups["group_id"] == ref_id, "name"].iloc[0]) if ref_id is not None else None
    text = summary_sentence(rows, reference_name)
    names = list(dict.fromkeys(rows["n_group_name"].dropna()))
    if names:
        text += " " + _neighbours_sentence(names, report.data.council.short_name)
    return (
        Prose("## How we compare"),
        Prose(literal_markdown(text)),
        how_we_compare_table(report, rows, reference_name),
    )
