"""The warm server's chart drawers (``pmlib.views.chart_drawer``): how many, where they listen, and starting one.

Started by the warm server (``pmlib.run.warm_server``) beside it; ``run/`` never
imports ``views/``, so a drawer is started as its own module's process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from pmlib.cores import usable_cores


def addresses(address: str) -> list[str]:
    """Where the chart drawers of the server listening at ``address`` listen: one for every two cores.

    vl-convert draws one chart at a time, and a cold quarter draws about
    fifty (36 ms each). Each drawer also starts an engine of its own (0.4
    CPU-s) that draws its first charts slower. On two cores, where the
    kernels, ``pm build`` and its workers keep both busy meanwhile, one
    drawer finished the build sooner than two (12.4 s against 12.6 s) with
    0.6 CPU-s less; more cores leave more room to draw side by side.
    """
    drawers = max(1, usable_cores() // 2)
    return [os.path.join(os.path.dirname(address), f"charts-{n}") for n in range(drawers)]


def start(address: str) -> tuple[str, subprocess.Popen, socket.socket]:
    """A vl-convert the kernels of this server send their charts to (``pmlib.views.chart_drawer``): its address, process and lifeline."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    drawer = subprocess.Popen(
        [sys.executable, "-m", "pmlib.views.chart_drawer", address, str(theirs.fileno())],
        pass_fds=[theirs.fileno()],
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    theirs.close()
    return address, drawer, ours
