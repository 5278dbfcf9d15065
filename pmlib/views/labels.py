"""The words, symbols and colours for statuses and directions of travel.

Every status has a word and a symbol that survive greyscale printing and
screen readers; colour is only ever a third cue. Colours come from the
Government Analysis Function palette.
"""

from __future__ import annotations

from dataclasses import dataclass

from pmlib.vocabulary import ActionStatus, Direction, Status


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


def _by_key(*labels: Label) -> dict[str, Label]:
    """Keyed by each label's own key, so the key a label is found by cannot differ from the word it shows for."""
    return {label.key: label for label in labels}


STATUS_LABELS: dict[str, Label] = _by_key(
    Label(Status.ON_TARGET.word, "On target", "✓", "#28A197", "#DFF1EF"),
    Label(Status.BELOW_TARGET.word, "Below target", "▲", "#F46A25", "#FDE6DA"),
    Label(Status.INTERVENTION.word, "Intervention", "✖", "#801650", "#F2DCE6"),
    Label(Status.MONITORING.word, "Monitoring", "○", "#12436D", "#DDE4EB"),
    Label(Status.NO_DATA.word, "No data", "–", "#3D3D3D", "#ECECEC"),
)

TREND_LABELS: dict[str, Label] = _by_key(
    Label(Direction.IMPROVING.word, "Improving", "↑"),
    Label(Direction.WORSENING.word, "Worsening", "↓"),
    Label(Direction.NO_CHANGE.word, "No change", "→"),
    Label(Direction.INCREASING.word, "Increasing", "↗"),
    Label(Direction.DECREASING.word, "Decreasing", "↘"),
)

ACTION_LABELS: dict[str, Label] = _by_key(
    Label(ActionStatus.COMPLETE.word, "Complete", "✓", "#28A197", "#DFF1EF"),
    Label(ActionStatus.ON_TRACK.word, "On track", "●", "#12436D", "#DDE4EB"),
    Label(ActionStatus.AT_RISK.word, "At risk", "▲", "#F46A25", "#FDE6DA"),
    Label(ActionStatus.DELAYED.word, "Delayed", "✖", "#801650", "#F2DCE6"),
    Label(ActionStatus.NOT_STARTED.word, "Not started", "○", "#3D3D3D", "#ECECEC"),
    Label(ActionStatus.CANCELLED.word, "Cancelled", "–", "#3D3D3D", "#ECECEC"),
)

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
