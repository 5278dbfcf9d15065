"""Notebook kernels forked from a warm process that has already imported what every report needs.

A kernel started the usual way is a new Python process that imports IPython,
pandas and pmlib before the first cell does any work: about
1.2 of the 3.5 CPU-seconds a plan notebook costs, paid again for every
notebook of every quarter (and for every notebook nbval checks). Here one
server process per ``pm run`` worker (or per test worker) imports them once,
and each kernel is a fork of it: a fresh IPython kernel with an empty
namespace, its own process, session and working folder, the environment
jupyter_client gave it, and the ``sys.path`` that ``python -m
ipykernel_launcher`` would have had. Only the modules already in memory
differ, so what a notebook prints is what a plain kernel prints (a test
compares whole executed reports).

It is a jupyter_client kernel provisioner (``pmlib-warm``, registered in
``pyproject.toml``): ``pm run`` uses it for its own kernels, and any other
client (nbval, papermill, Jupyter) can choose it with
``JUPYTER_DEFAULT_PROVISIONER_NAME=pmlib-warm``. Kernels that are not this
interpreter's ipykernel (another language, a custom command), and every
kernel on a system other than Linux, are started the usual way.

This is the side of the processes that ask for kernels: the server itself,
which runs in a process of its own, is ``pmlib.run.warm_server``.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from pmlib.run import chart_drawing

_LAUNCHER = ("-m", "ipykernel_launcher")
_THIS_PYTHON = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
ADDRESS = "PMLIB_WARM_KERNELS"


class WarmKernel:
    """The forked kernel as jupyter_client sees a ``subprocess.Popen``: pid, poll, wait and signals.

    Its exit status comes from the server, which is its parent, over a socket
    of its own.
    """

    stdin = stdout = stderr = None

    def __init__(self, status: socket.socket):
        self._status = status
        self._received = b""
        while b"\n" not in self._received:
            self._receive(None)
        pid, _, self._received = self._received.partition(b"\n")
        self.pid = int(pid)
        self.returncode: int | None = None

    def _receive(self, timeout: float | None) -> bool:
        """Read what the server sent; False at the end of the stream (the exit status, or the server gone)."""
        self._status.settimeout(timeout)
        data = self._status.recv(64)
        self._received += data
        return bool(data)

    def _read_status(self, timeout: float | None) -> None:
        try:
            while self._receive(timeout):
                pass
        except (TimeoutError, BlockingIOError):
            return
        self._status.close()
        self.returncode = int(self._received) if self._received.strip() else -signal.SIGKILL

    def poll(self) -> int | None:
        """The exit code if the kernel has ended (negative: the signal that ended it), else None."""
        if self.returncode is None:
            self._read_status(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit code, once the kernel has ended; ``subprocess.TimeoutExpired`` if it has not within ``timeout``."""
        if self.returncode is None:
            self._read_status(timeout)
            if self.returncode is None:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Signal the kernel, unless it has ended (its pid may be another process's by now)."""
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        """Ask the kernel to end."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """End the kernel."""
        self.send_signal(signal.SIGKILL)


class _Server:
    """A warm server this process started; it ends when this process does (its lifeline closes)."""

    def __init__(self) -> None:
        folder = tempfile.mkdtemp(prefix="pm-warm-")
        self.address = os.path.join(folder, "socket")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pmlib.run.warm_server", self.address, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        theirs.close()
        self._lifeline = ours
        self._listening = False

    def usable(self) -> bool:
        """Running, and its socket still there once it listens: a folder deleted under it (a temporary folder cleaned) leaves no way in."""
        return self._process.poll() is None and (not self.listening(wait=False) or os.path.exists(self.address))

    def listening(self, *, wait: bool = True) -> bool:
        """Whether the server listens, waiting the first time until it says so (it imports while the first requests wait).

        ``wait=False`` answers at once: False until the server has said so,
        which it does as soon as it has bound its socket, before its imports.
        """
        if not self._listening and (wait or select.select([self._lifeline], [], [], 0)[0]):
            self._listening = self._lifeline.recv(1) == b"+"
        return self._listening


class _Client:
    """This process's connection to the warm server of its process tree."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._control.connect(address)
        self._lock = threading.Lock()
        self._paths: dict[str | None, list[str]] = {}

    def _base_path(self, env: dict[str, str]) -> list[str]:
        """``sys.path`` after its first entry, as ``python -m`` sets it up under ``env`` (asked once per PYTHONPATH)."""
        key = env.get("PYTHONPATH")
        if key not in self._paths:
            script = "import json, sys; print(json.dumps(sys.path[1:]))"
            out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
            self._paths[key] = json.loads(out.stdout)
        return self._paths[key]

    def prepare(self, cwd: str, module: str, function: str, args: list) -> None:
        """Have the server call ``module.function(*args)`` in ``cwd`` before it forks more kernels; nothing comes back."""
        request = {"prepare": {"cwd": cwd, "module": module, "function": function, "args": args}}
        with self._lock:
            self._control.send(json.dumps(request).encode())

    def fork(self, argv: list[str], cwd: str, env: dict[str, str], streams: dict[int, int]) -> WarmKernel:
        """A kernel forked with ``argv``, ``cwd`` and ``env``; ``streams`` maps 0, 1, 2 to a file descriptor to put there."""
        request = {"argv": argv, "cwd": cwd, "env": env, "path": [cwd, *self._base_path(env)], "streams": list(streams)}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with self._lock:
            socket.send_fds(self._control, [json.dumps(request).encode()], [theirs.fileno(), *streams.values()])
            theirs.close()
            return WarmKernel(ours)


_server: _Server | None = None
_replaced: list[_Server] = []  # kept, so their kernels live on until this process ends
_client: _Client | None = None
_lock = threading.Lock()


def start(*, wait: bool = True) -> str | None:
    """The address of the warm server of this process tree, started now if there is none; None if switched off.

    ``wait=False`` returns as soon as the server is started, before it
    listens: ``pm run`` starts it so when it expects to execute notebooks,
    and its imports overlap the data check.

    A process that starts one puts its address in its own environment
    (``PMLIB_WARM_KERNELS``), so the processes it starts (``pm run``'s
    workers, a test's ``pm`` command) fork their kernels from the same
    server instead of each warming one. ``PMLIB_WARM_KERNELS=off`` starts
    every kernel the usual way, and so does a server that fails to start.
    """
    global _server
    with _lock:
        address = os.environ.get(ADDRESS)
        if address == "off" or not sys.platform.startswith("linux"):
            return None  # macOS can fork, but not safely once its system frameworks are loaded
        ours = _server is not None and _server.address == address
        if not address or (ours and not _server.usable()) or (not ours and not os.path.exists(address)):  # its folder may go with a TMPDIR
            if _server is not None:
                _replaced.append(_server)
            try:
                _server = _Server()
            except OSError:
                return None
            address = os.environ[ADDRESS] = _server.address
            ours = True
        if wait and ours and not _server.listening():
            return None
        return address


def prepare(cwd: str, module: str, function: str, args: list) -> None:
    """Call ``module.function(*args)`` in ``cwd`` in the warm server, so the kernels it forks next inherit what that keeps.

    The function must keep its own result, keyed on everything it read (as
    ``pmlib.views.report.quarter_report`` does), so that a kernel calling it
    the same way gets that result only when a call of its own would give
    the same. Whatever fails here is ignored: the kernel makes the same call
    and meets the same error where the notebook can show it. Nothing happens
    when warm kernels are off.
    """
    client = _connection()
    if client is not None:
        with contextlib.suppress(OSError):
            client.prepare(cwd, module, function, args)


def prepare_if_running(cwd: str, module: str, function: str, args: list) -> None:
    """``prepare``, but only when this process talks to a warm server, or started one that listens already: nothing waits for one to start.

    ``pm preview``'s builds use it to have the server check the edited data
    folder while ``pm run`` checks it too, instead of after. The first edit
    after a build that executed nothing finds a server that ``keep_warm``
    started but nothing has talked to yet.
    """
    with _lock:
        ready = _client is not None or (
            _server is not None and _server.address == os.environ.get(ADDRESS) and _server.listening(wait=False)
        )
    if ready:
        prepare(cwd, module, function, args)


def _connection() -> _Client | None:
    """A connection to the warm server, or None: switched off, or no server could be reached or started."""
    global _client
    address = start()
    if address is None:
        return None
    if _client is None or _client.address != address:
        try:
            _client = _Client(address)
        except OSError:
            return None
    return _client


class WarmProvisioner(LocalProvisioner):
    """``LocalProvisioner``, except that this interpreter's ipykernel is forked from the warm server.

    Its kernels also talk over files in a folder of their own rather than TCP
    ports. jupyter_client picks a TCP port by binding port 0 and letting it
    go, so a kernel started beside other busy processes (nbval's, pm run's,
    a test's web server) can lose its port before binding it and die before
    replying; a folder cannot be taken.
    """

    _ipc_dir: str | None = None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Move a kernel that would listen on unchosen local TCP ports to ``ipc``, then prepare it as ``LocalProvisioner`` does."""
        km = self.parent
        if km is not None and _forkable(list(self.kernel_spec.argv)) and km.transport == "tcp" and not _ports_chosen(km):
            self._ipc_dir = tempfile.mkdtemp(prefix="pm-kernel-")
            km.cache_ports = False
            km.transport = "ipc"
            km.ip = os.path.join(self._ipc_dir, "kernel")
        return await super().pre_launch(**kwargs)

    async def cleanup(self, restart: bool = False) -> None:
        """Release what ``LocalProvisioner`` holds, and the kernel's folder unless it is restarting."""
        await super().cleanup(restart=restart)
        if not restart and self._ipc_dir is not None:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        """Fork the kernel if it can be, else start it as ``LocalProvisioner`` does."""
        streams = _streams(kwargs)
        client = _connection() if streams is not None and _forkable(cmd) else None
        if client is None:
            return await super().launch_kernel(cmd, **kwargs)
        cwd = os.fspath(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        if not kwargs.get("independent"):
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it: the kernel's parent poller reads it
        self.process = client.fork(cmd[3:], cwd, env, streams)
        self.pid = self.pgid = self.process.pid
        self.cwd = cwd
        return self.connection_info


def _ports_chosen(km: Any) -> bool:
    """Whether the kernel's ports were given (a connection file read, or set by hand): then they are kept."""
    return any(getattr(km, f"{name}_port", 0) for name in ("shell", "iopub", "stdin", "control", "hb"))


def _forkable(cmd: list[str]) -> bool:
    """Whether ``cmd`` starts this interpreter's ipykernel."""
    if len(cmd) < 3 or tuple(cmd[1:3]) != _LAUNCHER:
        return False
    if cmd[0] in _THIS_PYTHON:  # jupyter_client runs a kernelspec's bare "python" as this interpreter
        return True
    return os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)


def _streams(kwargs: dict[str, Any]) -> dict[int, int] | None:
    """The standard streams asked for, as open files to put in place (nbval sends stderr to a file); None if a pipe is asked for."""
    streams = {}
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        stream = kwargs.get(name)
        if stream is None:
            continue
        if not hasattr(stream, "fileno"):
            return None
        streams[number] = stream.fileno()
    return streams


def chart_drawers() -> str | None:
    """The chart drawers of this process tree's warm server, as ``PMLIB_CHART_DRAWER`` gives them to its kernels; None without a server.

    ``pm build`` sends the charts of its own pages there
    (``pmlib.views.chart_drawer.drawing_at``). A drawer not listening (yet,
    or any more) refuses the connection, and the chart is drawn in the
    process that asked for it.
    """
    address = os.environ.get(ADDRESS)
    if not address or address == "off":
        return None
    return os.pathsep.join(chart_drawing.addresses(address))
