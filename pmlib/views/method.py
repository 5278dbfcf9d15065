"""How a status is decided, in words, and what every symbol means: one text for the website, the notebooks and the pack.

The words follow the council's own status method and tolerance, and the
symbols come from the labels every table and chart uses, so the explanation
cannot drift from what the reports show.
"""

from __future__ import annotations

import pandas as pd

from pmlib.contract.config import Council
from pmlib.views.disclosure import GSS_SYMBOLS
from pmlib.views.labels import ACTION_LABELS, STATUS_LABELS, Label
from pmlib.views.prose import literal_markdown
from pmlib.views.tables import Table, make_table

MEANINGS = {
    "on_target": "The figure meets or beats the target.",
    "below_target": "The figure misses the target but has not reached the intervention level.",
    "intervention": "The figure has reached the intervention level: an exception report says what is being done.",
    "monitoring": "The measure is reported for context, without a target.",
    "no_data": "No figure has arrived for the period the report expects; the latest earlier figure is shown as context.",
    "improving": "Better than before, in the direction the measure aims for.",
    "worsening": "Worse than before.",
    "no_change": "The same at the precision published.",
    "increasing": "Higher than before, for a measure reported for context.",
    "decreasing": "Lower than before, for a measure reported for context.",
} | {key: f"The action is {label.word.lower()}." for key, label in ACTION_LABELS.items()}


def labels_table(labels: dict[str, Label], table_id: str, title: str) -> Table:
    """Symbol, word and meaning of each label; statuses and actions keep their tint, as in every other table."""
    frame = pd.DataFrame(
        {
            "Symbol": [label.symbol for label in labels.values()],
            "Word": [label.word for label in labels.values()],
            "Meaning": [MEANINGS[key] for key in labels],
        }
    )
    tinted = labels is STATUS_LABELS or labels is ACTION_LABELS
    return make_table(frame, table_id, title, {"Word": [label.tint for label in labels.values()]} if tinted else None)


def gss_table(table_id: str, title: str) -> Table:
    """The Government Statistical Service shorthand used beside or in place of figures."""
    frame = pd.DataFrame({"Symbol": list(GSS_SYMBOLS), "Meaning": [m.capitalize() for m in GSS_SYMBOLS.values()]})
    return make_table(frame, table_id, title)


def intervention_rule(council: Council) -> str:
    """The council's rule for 'intervention', in Markdown."""
    name = literal_markdown(council.short_name)
    if council.status_method == "tolerance":
        pct = f"{council.tolerance_pct:g}%"
        return (
            f"{name} uses a **tolerance** of {pct}: where no intervention level is set, a measure needs intervention when it is "
            f"more than {pct} of the target worse than the target. Within that tolerance it is below target."
        )
    return (
        f"{name} sets an **intervention level** for each measure beside its target: a figure at or beyond the intervention level "
        "needs intervention; a figure that misses the target but not the intervention level is below target."
    )


def status_rules(council: Council) -> str:
    """The status rules and directions of travel as Markdown: a numbered list, then a paragraph."""
    return (
        "1. **The expected period.** Monthly and quarterly measures are judged on the report's quarter; annual measures on the "
        "latest financial year ended by then. A measure whose data arrives late is judged on the latest period it can have.\n"
        "2. **The figure.** Monthly figures are rolled up into the quarter (summed, averaged, the last month taken, or numerators "
        "and denominators summed, as the measure's definition says). Year-to-date measures are judged on the year so far. A "
        "roll-up with a month missing has no figure. Figures are rounded as published before they are judged: what you see is "
        "what was judged.\n"
        "3. **The target and intervention level** for the period: a quarter's or month's own target where one is set, otherwise "
        "the year's, as agreed by the report's date (a revised target applies to reports after the date it was agreed).\n"
        f"4. **The status.** {intervention_rule(council)}\n\n"
        "Each measure has two directions of travel. The **short-term trend** compares the period's figure with the period before "
        "it (the previous quarter, or the previous year for annual measures). The **long-term trend** compares it with the same "
        "period a year earlier. Figures that agree at the published precision are no change. A trend is not available when either "
        "figure is missing or withheld. Every status is shown by a word and a symbol, never by colour alone.\n\n"
        "**Where the year is heading.** In the first three quarters a measure may show a year-end figure: the service's own "
        "**forecast**, or, for a measure counted over the year so far, a **projection at the current rate** (the year to date "
        "scaled up to twelve months), which is arithmetic rather than a forecast. Either is judged by the same rules against the "
        "year-end target. A projection takes no account of targets the council phases through the year (for a seasonal "
        "measure), so for such a measure the report says so and sets the year to date against its phased target so far. "
        "The year-end report judges the year's outturn itself."
    )
