"""The words, symbols and colours for statuses and directions of travel.

Every status has a word and a symbol that survive greyscale printing and
screen readers; colour is only ever a third cue. Colours come from the
Government Analysis Function palette.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """How one status or trend is shown: word, symbol, and (for statuses) a colour."""

    key: str
    word: str
    symbol: str
    colour: str = "#3D3D3D"

    @property
    def text(self) -> str:
        """Symbol and word together, as tables show them."""
        return f"{self.symbol} {self.word}"


STATUS_LABELS: dict[str, Label] = {
    "on_target": Label("on_target", "On target", "✓", "#28A197"),
    "below_target": Label("below_target", "Below target", "▲", "#F46A25"),
    "intervention": Label("intervention", "Intervention", "✖", "#801650"),
    "monitoring": Label("monitoring", "Monitoring", "○", "#12436D"),
    "no_data": Label("no_data", "No data", "–", "#3D3D3D"),
}

TREND_LABELS: dict[str, Label] = {
    "improving": Label("improving", "Improving", "↑"),
    "worsening": Label("worsening", "Worsening", "↓"),
    "no_change": Label("no_change", "No change", "→"),
    "increasing": Label("increasing", "Increasing", "↗"),
    "decreasing": Label("decreasing", "Decreasing", "↘"),
}

ACTION_LABELS: dict[str, Label] = {
    "complete": Label("complete", "Complete", "✓", "#28A197"),
    "on_track": Label("on_track", "On track", "●", "#12436D"),
    "at_risk": Label("at_risk", "At risk", "▲", "#F46A25"),
    "delayed": Label("delayed", "Delayed", "✖", "#801650"),
    "not_started": Label("not_started", "Not started", "○", "#3D3D3D"),
    "cancelled": Label("cancelled", "Cancelled", "–", "#3D3D3D"),
}

NO_TREND = Label("none", "Not available", "[x]")


def status_label(status: str) -> Label:
    """Word, symbol and colour for a status key."""
    return STATUS_LABELS[status]


def trend_label(trend: str | None) -> Label:
    """Word and symbol for a direction of travel; blank trends read 'Not available'."""
    return TREND_LABELS.get(trend or "", NO_TREND)
