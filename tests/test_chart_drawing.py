"""How many chart drawers a warm server starts, and where they listen: one for every two cores, at least one, beside its socket."""

from __future__ import annotations

import pytest

from pmlib.run import chart_drawing


@pytest.mark.parametrize(("cores", "drawers"), [(1, 1), (2, 1), (3, 1), (4, 2), (8, 4)])
def test_one_drawer_for_every_two_cores(monkeypatch, cores, drawers):
    monkeypatch.setattr(chart_drawing, "usable_cores", lambda: cores)
    found = chart_drawing.addresses("/tmp/pm-warm-x/socket")
    assert found == [f"/tmp/pm-warm-x/charts-{n}" for n in range(drawers)]
