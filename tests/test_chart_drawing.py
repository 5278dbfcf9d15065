"""How many chart drawers a warm server starts, and where they listen: one for every two cores, at least one, beside its socket."""

from __future__ import annotations

import pytest

from pmlib.run import chart_drawing


@pytest.mark.parametrize(("cores", "drawers"), [(1, 1), (2, 1), (3, 1), (4, 2), (8, 4)])
def test_one_drawer_for_every_two_cores(monkeypatch, tmp_path, cores, drawers):
    monkeypatch.setattr(chart_drawing, "usable_cores", lambda: cores)
    found = chart_drawing.addresses(str(tmp_path / "socket"))
    assert found == [str(tmp_path / f"charts-{n}") for n in range(drawers)]


def test_a_drawer_starts_its_engine_before_the_first_chart_is_asked_for(tmp_path, monkeypatch):
    import socket
    import threading
    import time

    import vl_convert

    from pmlib.views import chart_drawer

    drawn = []  # each spec drawn, and whether the drawer's lock was held, as a chart asked for meanwhile waits on it
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec: drawn.append((spec, chart_drawer._Drawing.lock.locked())) or "<svg/>")
    ours, theirs = socket.socketpair()
    drawer = threading.Thread(target=chart_drawer.serve, args=(str(tmp_path / "charts-0"), theirs))
    drawer.start()
    try:
        assert ours.recv(1) == b"+"
        deadline = time.monotonic() + 30
        while not drawn:  # a thread of its own, so the drawer listens meanwhile
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        ours.sendall(b"-")
        drawer.join()
    assert drawn == [(chart_drawer.WARM_UP, True)]
