"""The warm server: one process per process tree that imports what every report's kernel needs, then forks each kernel from itself.

``pmlib.run.warm_kernels`` starts it (``python -m pmlib.run.warm_server``)
and asks it, over its socket, for calls to make before forking (the quarter
judged once, not in every kernel) and for kernels; each fork becomes the
kernel in ``pmlib.run.forked_kernel``, and its exit status goes back over a
socket of its own.

The server is forked from nothing that has threads, event loops or ZeroMQ
contexts running: it is its own small process, started with only the
imports below, so each fork begins from a quiet state. It ends, taking its
kernels and chart drawers with it, when the process that started it does.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import selectors
import shutil
import signal
import socket
import sys

from pmlib.collector import exit_without_teardown, set_for_batch
from pmlib.run import chart_drawing
from pmlib.run.forked_kernel import become_kernel

# What every report's kernel imports; each is imported once in the server, never in a kernel.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",  # and debugpy with it: 0.12 s a kernel paid in every kernel otherwise
    "IPython.core.interactiveshell",
    "numpy",
    "pandas",
    "pyarrow",
    "vl_convert",
    "pmlib.views.report",
    "pmlib.views.tables",
    "pmlib.views.charts",
    "pmlib.views.preparing",
)
_MESSAGE_LIMIT = 1 << 20


def _serve(address: str, lifeline: socket.socket) -> None:
    """Listen at ``address``, import what kernels need, then fork a kernel per request and report each one's exit status."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(address)
    listener.listen(64)
    lifeline.sendall(b"+")
    drawers = [chart_drawing.start(where) for where in chart_drawing.addresses(address)]
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy's import would warn here that Python's modules are frozen
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    set_for_batch(freeze=True)  # the kernels forked from here inherit both
    drawer_address = os.pathsep.join(where for where, _, line in drawers if line.recv(1) == b"+") or None
    drawer_lines = [line for _, _, line in drawers]
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    children: dict[int, socket.socket] = {}
    clients: list[socket.socket] = []
    events = selectors.DefaultSelector()
    for source in (listener, lifeline, wake_r):
        events.register(source, selectors.EVENT_READ)
    while True:
        for key, _ in events.select():
            if key.fileobj is lifeline:  # the process that started this one has ended: so do its kernels
                for pid in children:
                    with contextlib.suppress(ProcessLookupError):  # ended, not yet reaped
                        os.killpg(pid, signal.SIGKILL)
                for _, drawer, line in drawers:
                    line.close()
                    drawer.wait(timeout=10)
                shutil.rmtree(os.path.dirname(address), ignore_errors=True)
                return
            if key.fileobj is listener:
                connection, _ = listener.accept()
                clients.append(connection)
                events.register(connection, selectors.EVENT_READ)
            elif key.fileobj is wake_r:
                os.read(wake_r, 4096)
            else:
                connection = key.fileobj
                try:
                    message, fds, _, _ = socket.recv_fds(connection, _MESSAGE_LIMIT, 4)
                except ConnectionError:
                    message, fds = b"", []
                if not message:
                    events.unregister(connection)
                    clients.remove(connection)
                    connection.close()
                    continue
                if not fds:
                    _prepare(json.loads(message)["prepare"])
                    continue
                status, streams = socket.socket(fileno=fds[0]), fds[1:]
                pid = os.fork()
                if pid == 0:
                    request = json.loads(message)
                    request["drawer"] = drawer_address
                    inherited = [listener, lifeline, *drawer_lines, status, *clients, *children.values()]
                    become_kernel(request, streams, inherited, (wake_r, wake_w))
                for fd in streams:
                    os.close(fd)
                children[pid] = status
                status.sendall(f"{pid}\n".encode())
        _report_exits(children)


def _prepare(request: dict) -> None:
    """Make the call a client asked for in its folder, so that every kernel forked after it inherits what the call kept."""
    here = os.getcwd()
    try:
        os.chdir(request["cwd"])
        getattr(importlib.import_module(request["module"]), request["function"])(*request["args"])
    except Exception:  # noqa: BLE001, S110 - the kernel makes the same call and shows its error
        pass
    finally:
        os.chdir(here)


def _report_exits(children: dict[int, socket.socket]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        sock = children.pop(pid, None)
        if sock is not None:
            try:
                sock.sendall(str(os.waitstatus_to_exitcode(status)).encode())
            except OSError:
                pass
            sock.close()


if __name__ == "__main__":
    _serve(sys.argv[1], socket.socket(fileno=int(sys.argv[2])))
    exit_without_teardown(0)  # its kernels and drawers have ended
