"""Sparklines: a measure's recent figures as a word-sized line, for dashboards that show many measures at once.

A sparkline shows shape only, so it never stands alone: its SVG carries a
text description (``role="img"`` with an ``aria-label``) naming the first,
last, highest and lowest figures, and plain-text outputs get the same line
drawn in Unicode block characters. A withheld or missing figure is a gap,
never a guessed point. A year-to-date figure grows through the year and
starts again each April, so for such a measure the highest and lowest are of
the same quarter of each year as the latest figure: the highest of all would
always be a year end and the lowest a Q1, which says nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, PAD = 96, 24, 3
LINE_COLOUR = "#12436D"
BLOCKS = "▁▂▃▄▅▆▇█"
GAP = "·"
_QUARTER = re.compile(r"Q[1-4]$")


@dataclass(frozen=True)
class Sparkline:
    """One measure's recent figures, drawn three ways: SVG for pages, blocks for text, and words for screen readers."""

    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    shown: tuple[str, ...]
    description: str

    def svg(self) -> str:
        """An inline SVG that scales with the text and is named by its description."""
        points = _points(self.values)
        parts = []
        run: list[str] = []
        for point in [*points, None]:
            if point is None:
                if len(run) > 1:
                    parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="1.5"/>')
                elif run:
                    x, y = run[0].split(",")
                    parts.append(f'<circle cx="{x}" cy="{y}" r="1.5" fill="{LINE_COLOUR}"/>')
                run = []
            else:
                run.append(f"{point[0]:.1f},{point[1]:.1f}")
        last = points[-1] if points else None
        if last is not None:  # the latest period, marked only when it has a figure
            parts.append(f'<circle cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="2.5" fill="{LINE_COLOUR}"/>')
        label = escape(self.description, quote=True)
        return (
            f'<svg class="pm-sparkline" role="img" aria-label="{label}" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
        )

    def blocks(self) -> str:
        """The same line in Unicode blocks, lowest ▁ to highest █, ``·`` for a gap."""
        known = [v for v in self.values if v is not None]
        if not known:
            return GAP * len(self.values)
        low, high = min(known), max(known)
        steps = len(BLOCKS) - 1
        scale = (lambda v: steps // 2) if high == low else (lambda v: round((v - low) / (high - low) * steps))  # noqa: E731
        return "".join(GAP if v is None else BLOCKS[scale(v)] for v in self.values)


def _points(values: Sequence[float | None]) -> list[tuple[float, float] | None]:
    known = [v for v in values if v is not None]
    if not known:
        return [None] * len(values)
    low, high = min(known), max(known)
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    height = HEIGHT - 2 * PAD

    def y(v: float) -> float:
        return HEIGHT / 2 if high == low else PAD + height * (1 - (v - low) / (high - low))

    return [None if v is None else (PAD + i * step, y(v)) for i, v in enumerate(values)]


def cumulative(measure) -> bool:
    """Whether a measure's figures are each the year to date, growing through a year: ``ytd`` and not annual (a year is its own total)."""
    return bool(measure.get("ytd", False)) and measure.get("frequency") != "annual"


def same_quarter(periods: Sequence[str], known: Sequence[bool]) -> tuple[str, list[int]]:
    """The quarter (``Q1``) of the latest known figure and the positions of every known figure of that quarter, oldest first.

    Nothing (``""``, no positions) when no figure is known or the periods are
    not quarters. Year-to-date figures are like with like only within a quarter.
    """
    at = [i for i, k in enumerate(known) if k]
    found = _QUARTER.search(periods[at[-1]]) if at else None
    if found is None:
        return "", []
    return found.group(0), [i for i in at if periods[i].endswith(found.group(0))]


def sparkline(
    periods: Sequence[str], values: Sequence[float | None], shown: Sequence[str], subject: str, *, year_to_date: bool = False
) -> Sparkline:
    """A sparkline of ``values`` (None for a gap) with ``shown`` as each figure is published, described for ``subject``.

    With ``year_to_date`` the description says the figures are the year to
    date and compares the latest only with the same quarter of other years.
    """
    clean = tuple(None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values)
    known = [(p, v, s) for p, v, s in zip(periods, clean, shown, strict=True) if v is not None]
    quarter, same = same_quarter(periods, [v is not None for v in clean]) if year_to_date else ("", [])
    if not known:
        description = f"{subject}: no figures to show for {periods[0]} to {periods[-1]}." if periods else f"{subject}: no figures."
    else:
        span = f"{subject}, {periods[0]} to {periods[-1]}" + (", each figure the year to date" if quarter else "")
        last = "latest" if clean[-1] is not None else "last shown"
        ends = f"first {known[0][2]} ({known[0][0]}), {last} {known[-1][2]} ({known[-1][0]})"
        compared = [(periods[i], clean[i], shown[i]) for i in same] if quarter else known
        high = max(compared, key=lambda k: k[1])
        low = min(compared, key=lambda k: k[1])
        extremes = f"highest {high[2]} ({high[0]}), lowest {low[2]} ({low[0]})"
        if quarter:
            extremes = f"of the {quarter} figures, {extremes}" if len(same) > 1 else f"no earlier {quarter} figure is shown"
        description = f"{span}: {ends}; {extremes}."
        gaps = len(clean) - len(known)
        if gaps:
            description += f" {gaps} {'period has' if gaps == 1 else 'periods have'} no figure shown."
    return Sparkline(tuple(periods), clean, tuple(shown), description)
