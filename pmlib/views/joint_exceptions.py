"""A joint report's exception reports: each shared measure needing intervention, with each council's explanation.

A joint committee oversees services it runs for several councils, so for a
shared measure needing intervention (in any council, or combined) it needs
what each council's own exception report (the contract's status rule 7) gives
that council's cabinet: the figures, the officer's commentary and the
corrective action. The exceptions table only says whether each explanation
has arrived; these reports give the words.

Each council's part is its own report's: the figure as it judged it and the
commentary and action as supplied by its own ``data_as_at``
(``JointReport.exceptions``). The officers' words go through
``user_markdown``, the one reader of officers' text, with the wording of the
councils' own exception reports (``pmlib.views.plan_report``), so a council's
explanation reads the same to the joint committee as to its own cabinet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from pmlib.contract.officer_text import given
from pmlib.engine.combined import COMBINED
from pmlib.views.joint_tables import figure_cells
from pmlib.views.plan_report import COMMENTARY_MISSING
from pmlib.views.prose import Prose, literal_markdown, user_markdown

if TYPE_CHECKING:
    from pmlib.views.joint_report import JointReport


def exception_reports(report: JointReport) -> tuple[Prose, ...]:
    """One exception report per shared measure needing intervention, in report order: the combined figure, then each council's."""
    rows = report.exceptions
    if rows.empty:
        return ()
    shown = report.rows[report.rows["measure_id"].isin(rows["measure_id"])]
    cells = figure_cells(report, shown)
    parts: dict[str, list[str]] = {}
    for r in rows.itertuples(index=False):
        if r.measure_id not in parts:
            parts[r.measure_id] = [f"### Exception report: {literal_markdown(r.name)}"]
            if (r.measure_id, COMBINED) in cells.index:
                parts[r.measure_id] += ["#### Combined", _figures(cells.loc[(r.measure_id, COMBINED)], r.period, "Joint target")]
        needed = r.status == "intervention" or r.combined_status == "intervention"
        figures = _figures(cells.loc[(r.measure_id, r.council)], r.period, "Target", trend=True)
        parts[r.measure_id] += [f"#### {literal_markdown(report.short_name(r.council))}", figures, *_explanation(r, needed)]
    return tuple(Prose("\n\n".join(p)) for p in parts.values())


def _figures(cell: pd.Series, period: str, target: str, trend: bool = False) -> str:
    """A figure's lines, as a council's exception report lists them; the combined figure has no trend of its own to explain."""
    lines = [
        f"- Value ({period}): {cell['value']}",
        f"- {target}: {cell['target']}",
        f"- Intervention level: {cell['intervention']}",
        f"- Status: {cell['status']}",
    ]
    return "\n".join([*lines, f"- Short-term trend: {cell['trend']}"] if trend else lines)


def _explanation(row, needed: bool) -> list[str]:
    """The council's commentary and corrective action; missing ones are named only where its figure or the combined one needs them."""
    out = [
        f"**Commentary:** {user_markdown(row.commentary)}"
        if given(row.commentary)
        else COMMENTARY_MISSING
        if needed
        else "No commentary this quarter."
    ]
    if given(row.action):
        due = f"{row.action_due:%-d %B %Y}" if pd.notna(row.action_due) else "no date given"
        owner = literal_markdown(row.action_owner.strip()) if given(row.action_owner) else "no owner given"
        out.append(f"**Corrective action:** {user_markdown(row.action)}\n\n**Owner:** {owner}. **Due:** {due}.")
    elif needed:
        out.append("**Corrective action:** none recorded.")
    return out
