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
    tint: str = "#FFFFFF"

    @property
    def text(self) -> str:
        """Symbol and word together, as tables show them."""
        return f"{self.symbol} {self.word}"


STATUS_LABELS: dict[str, Label] = {
    "on_target": Label("on_target", "On target", "✓", "#28A197", "#DFF1EF"),
    "below_target": Label("below_target", "Below target", "▲", "#F46A25", "#FDE6DA"),
    "intervention": Label("intervention", "Intervention", "✖", "#801650", "#F2DCE6"),
    "monitoring": Label("monitoring", "Monitoring", "○", "#12436D", "#DDE4EB"),
    "no_data": Label("no_data", "No data", "–", "#3D3D3D", "#ECECEC"),
}

TREND_LABELS: dict[str, Label] = {
    "improving": Label("improving", "Improving", "↑"),
    "worsening": Label("worsening", "Worsening", "↓"),
    "no_change": Label("no_change", "No change", "→"),
    "increasing": Label("increasing", "Increasing", "↗"),
    "decreasing": Label("decreasing", "Decreasing", "↘"),
}

ACTION_LABELS: dict[str, Label] = {
    "complete": Label("complete", "Complete", "✓", "#28A197", "#DFF1EF"),
    "on_track": Label("on_track", "On track", "●", "#12436D", "#DDE4EB"),
    "at_risk": Label("at_risk", "At risk", "▲", "#F46A25", "#FDE6DA"),
    "delayed": Label("delayed", "Delayed", "✖", "#801650", "#F2DCE6"),
    "not_started": Label("not_started", "Not started", "○", "#3D3D3D", "#ECECEC"),
    "cancelled": Label("cancelled", "Cancelled", "–", "#3D3D3D", "#ECECEC"),
}

NO_TREND = Label("none", "Not available", "[x]")
NO_UPDATE = Label("none", "No update", "[x]", "#3D3D3D", "#ECECEC")


def action_label(status: str | None) -> Label:
    """Word, symbol and colour for an action's progress; an action never updated reads 'No update'."""
    return ACTION_LABELS.get(status or "", NO_UPDATE)


def status_label(status: str) -> Label:
    """Word, symbol and colour for a status key."""
    return STATUS_LABELS[status]


def trend_label(trend: str | None) -> Label:
    """Word and symbol for a direction of travel; blank trends read 'Not available'."""
    return TREND_LABELS.get(trend or "", NO_TREND)
