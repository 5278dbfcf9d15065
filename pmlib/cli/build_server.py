"""``pm build`` handed to a build server: one long-lived process per project that keeps what its last build imported, judged and started.

A new ``pm build`` process pays, before and after its build, about 3 s that
a build in a process already running does not: importing pandas, pmlib and
great-tables, starting the warm kernel server and the notebook workers,
checking and judging every quarter once, and shutting all of it down. An
analyst who edits a figure and runs ``pm build`` again pays it every time.
So the ``pm`` command, for ``pm build`` only, hands the command line to a
server kept for this project (its working folder, this Python and its
packages, pmlib's files, the environment) and prints what the build prints;
the exit status is the build's. The server is the same build code
``pm preview`` calls again and again; what it keeps is checked against the
files as they stand at each build, so a build it serves makes what a new
process makes.

The first ``pm build`` starts the server (in its own session, its output in
a log beside its socket). Between builds it starts what the next build
would start, had this one executed no notebook (``keep_warm``). It stops after ``IDLE_MINUTES`` without a build,
when its project folder is gone, after a build stopped with Ctrl-C, or at ``pm stop``. A
change to pmlib, to the installed packages or to the environment gives
another identity, so another server; the old one idles out. The socket is
in a folder only this user can open. ``PMLIB_BUILD_SERVER=off`` (and, unless
it says ``on``, a ``CI`` variable) runs every build in its own process, as
does a platform without Unix sockets.

This module imports only the standard library until the server itself
imports ``pmlib.cli``: the ``pm`` command runs it first, and a build handed
over must not pay for what it saves.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import itertools
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pmlib.collector import exit_without_teardown, set_for_batch
from pmlib.cores import one_blas_thread

SERVER = "PMLIB_BUILD_SERVER"
IDLE_MINUTES = 20
START_SECONDS = 60  # until a starting server takes its first build; it imports pmlib first
_POLL_SECONDS = 2.0
BUSY_SECONDS = 2.0  # a server between builds takes the next within a second
BUSY = "pm build: the build server is busy with another build of this project; this one starts when it ends"
_VOLATILE = frozenset({"_", "OLDPWD", "PWD", "SHLVL"})  # differ between shells, never change a build
_HANDED_OVER = ("build",)
_ANNOUNCED = re.compile(r"pmlib build server (?P<pid>\d+) for (?P<folder>.+) on (?P<socket>.+)")  # what a server prints once it has started


def pm() -> None:
    """The ``pm`` command: ``pm build`` handed to this project's build server when there can be one; everything else here."""
    one_blas_thread()
    set_for_batch()
    atexit.register(_end_at_once)  # first, so it runs last
    argv = sys.argv[1:]
    if argv and argv[0] in _HANDED_OVER and wanted(os.environ):
        code = hand_over(argv)
        if code is not None:
            sys.exit(code)
    from pmlib.cli import main

    try:
        main(prog_name="pm")
    except SystemExit as ended:
        if ended.code is None or isinstance(ended.code, int):
            _ended.append(ended.code or 0)
        raise


_ended: list[int] = []  # the exit status of a command that ran to its end


def _end_at_once() -> None:
    """After every other exit handler (the workers stopped, the logs flushed), end a command that ran to its end without teardown.

    A command that ended otherwise (an error not caught, Ctrl-C) ends as
    Python ends it, which reports a Ctrl-C to the shell as one.
    """
    if _ended:
        exit_without_teardown(_ended[0])


def wanted(environ) -> bool:
    """Whether builds go to a server: not if ``PMLIB_BUILD_SERVER`` is ``off``, nor in CI unless it is ``on``, nor without Unix sockets."""
    setting = environ.get(SERVER, "").strip().lower()
    if setting in ("off", "0", "no", "false"):
        return False
    if environ.get("CI") and setting not in ("on", "1", "yes", "true"):
        return False
    return _can_serve()


def _can_serve() -> bool:
    """Whether this platform has what a server needs: Unix sockets and a user id for their folder."""
    return hasattr(socket, "AF_UNIX") and hasattr(os, "getuid")


def identity(cwd: str, environ, path: list[str]) -> str:
    """What a server is kept for: the project folder, this Python, the environment, ``sys.path``, pmlib's files and the packages."""
    digest = hashlib.sha256()
    parts: list[object] = [sys.executable, sys.version, os.path.realpath(cwd), path]
    parts.append(sorted((k, v) for k, v in environ.items() if k not in _VOLATILE))
    package = Path(__file__).resolve().parents[1]
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            stat = os.stat(os.path.join(folder, name))
            parts.append((os.path.relpath(os.path.join(folder, name), package), stat.st_mtime_ns, stat.st_size))
    for entry in path:  # the packages installed, by name and version
        with contextlib.suppress(OSError):
            parts.append((entry, sorted(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info", ".pth")))))
    digest.update(json.dumps(parts, default=str).encode("utf-8"))
    return digest.hexdigest()[:20]


def runtime_folder() -> Path | None:
    """This user's folder of build server sockets and logs (only the user may open it); None if it cannot be made so."""
    folder = Path(tempfile.gettempdir()) / f"pmlib-{os.getuid()}"  # short: macOS's temporary folder is long already
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        stat = folder.stat()
    except OSError:
        return None
    if stat.st_uid != os.getuid() or stat.st_mode & 0o077:
        return None
    return folder


def hand_over(argv: list[str]) -> int | None:
    """Run ``pm`` with ``argv`` on this project's server, starting it if need be: the exit status, or None to run it here instead."""
    folder = runtime_folder()
    if folder is None:
        return None
    key = identity(os.getcwd(), os.environ, sys.path)
    address = folder / f"{key}.sock"
    if len(os.fsencode(address)) > 100:  # longer than a Unix socket's address may be
        return None
    for attempt in range(2):
        connection = _connect(address)
        running = connection is not None  # a server starting imports pmlib before it takes a build: no other build to wait for
        if connection is None:
            _start(address, folder / f"{key}.log")
            connection = _connect(address, wait=START_SECONDS)
        if connection is None:
            return None
        code = _relay(connection, argv, folder / f"{key}.log", busy_after=BUSY_SECONDS if running else None)
        if code is not None or attempt:
            return code
    return None


def _connect(address: Path, wait: float = 0.0) -> socket.socket | None:
    deadline = time.monotonic() + wait
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(os.fspath(address))
            return sock
        except OSError:
            sock.close()
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)


def _start(address: Path, log: Path) -> None:
    """Start a server for this project in its own session, with this process's ``sys.path``, its output in ``log``."""
    code = (
        "import json, sys; sys.path[:] = json.loads(sys.argv[1]); address = sys.argv[2]; sys.argv[:] = ['pm']; "
        "from pmlib.cli.build_server import serve; serve(address)"
    )
    with log.open("wb") as out:
        subprocess.Popen(  # noqa: S603 - this Python, this module
            [sys.executable, "-c", code, json.dumps(sys.path), os.fspath(address)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )


def _relay(connection: socket.socket, argv: list[str], log: Path, busy_after: float | None = None) -> int | None:
    """Send the command line, print what the build prints, return its exit status; None if the server never took it.

    A server takes one build at a time: if it has not taken this one within
    ``busy_after`` seconds, the user is told why nothing happens yet.
    """
    stream = connection.makefile("rwb")
    request = {"argv": argv, "tty": [sys.stdout.isatty(), sys.stderr.isatty()]}
    started = False

    def interrupt(signum, frame) -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C stops this process at once
        with contextlib.suppress(OSError):
            stream.write(b'{"interrupt": true}\n')
            stream.flush()

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        stream.write(json.dumps(request).encode("utf-8") + b"\n")
        stream.flush()
        if busy_after is not None and not select.select([connection], [], [], busy_after)[0]:
            print(BUSY, file=sys.stderr, flush=True)
        for line in stream:
            message = json.loads(line)
            if "started" in message:
                started = True
            elif "exit" in message:
                return int(message["exit"])
            else:
                out = sys.stdout if "out" in message else sys.stderr
                try:
                    out.write(message.get("out", message.get("err", "")))
                    out.flush()
                except BrokenPipeError:  # what reads the output is gone (pm build | head): the build stops, as it would in here
                    with contextlib.suppress(OSError):
                        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
                    return 1
    except OSError:
        pass
    finally:
        signal.signal(signal.SIGINT, previous)
        with contextlib.suppress(OSError):
            connection.close()
    if not started:
        return None
    print(f"pm build: the build server stopped before the build ended; its log is {log}", file=sys.stderr)
    return 1


class _Relayed:
    """A text stream that sends what is written to the client, as one side (``out`` or ``err``); dropped once the client is gone."""

    def __init__(self, stream, side: str, tty: bool, lock: threading.Lock):
        self._stream, self._side, self._tty, self._lock = stream, side, tty, lock
        self.encoding, self.errors = "utf-8", "replace"

    def write(self, text: str) -> int:
        with self._lock, contextlib.suppress(OSError, ValueError):
            self._stream.write(json.dumps({self._side: text}).encode("utf-8") + b"\n")
            self._stream.flush()
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self._tty

    def writable(self) -> bool:
        return True


def serve(address: str) -> None:
    """Take builds on ``address`` one at a time until idle ``IDLE_MINUTES``, the project folder is gone, a build interrupted, or SIGTERM."""
    stopping = threading.Event()

    def stop(signum, frame) -> None:
        """SIGTERM: stop as when idle; a build running is stopped as by Ctrl-C."""
        stopping.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)
    if _connect(Path(address)) is not None:
        return  # another server took the address first
    with contextlib.suppress(FileNotFoundError):
        os.unlink(address)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(8)
    listener.settimeout(_POLL_SECONDS)
    ours = os.stat(address).st_ino
    try:
        from pmlib.cli import main  # while the first client waits: what every build it serves no longer pays

        print(f"pmlib build server {os.getpid()} for {os.getcwd()} on {address}", flush=True)
        root, last, builds = os.getcwd(), time.monotonic(), 0
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except KeyboardInterrupt:
                continue
            except TimeoutError:
                if time.monotonic() - last > IDLE_MINUTES * 60 or not os.path.isdir(root) or not _still_ours(address, ours):
                    return
                continue
            connection.settimeout(None)
            builds += 1
            print(f"build {builds}", flush=True)
            try:
                interrupted = _one_build(connection, main)
            except KeyboardInterrupt:  # an interrupt that came as the build ended
                interrupted = True
            last = time.monotonic()
            if interrupted:
                return
            _keep_warm()
    finally:
        listener.close()
        if _still_ours(address, ours):
            os.unlink(address)


def running_servers(project: str | os.PathLike) -> list[int]:
    """The process ids of the build servers running for the project folder ``project``, whatever environment each was kept for.

    Read from each server's log, which names its process, its folder and
    its socket before anything else the server prints. A server counts only
    while its socket is there and its process still runs this module on it,
    so a log left by a server that ended, or a process id used again since,
    names nothing.
    """
    folder = runtime_folder() if _can_serve() else None
    if folder is None:
        return []
    found = []
    for log in sorted(folder.glob("*.log")):
        try:
            with log.open(encoding="utf-8", errors="replace") as text:
                said = next(filter(None, (_ANNOUNCED.fullmatch(line.rstrip("\n")) for line in itertools.islice(text, 20))), None)
        except OSError:
            continue
        if said and os.path.realpath(said["folder"]) == os.path.realpath(project) and _serving(int(said["pid"]), said["socket"]):
            found.append(int(said["pid"]))
    return found


def stop_servers(project: str | os.PathLike, wait: float = 30.0) -> list[int]:
    """Stop the build servers running for ``project`` (a build one is running is stopped as by Ctrl-C); the process ids stopped.

    Each is sent SIGTERM, which it takes as it takes being idle too long,
    and is waited for up to ``wait`` seconds, so the next ``pm build`` starts a new one.
    """
    pids = running_servers(project)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def _serving(pid: int, address: str) -> bool:
    """Whether process ``pid`` is a build server on ``address``: its socket is there and the process runs ``serve`` on it."""
    if not os.path.exists(address):
        return False
    shown = subprocess.run(["ps", "-ww", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False).stdout  # noqa: S603, S607
    return "from pmlib.cli.build_server import serve" in shown and address in shown


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs: a server this process did not start is reaped by another, so it may linger as a zombie a moment."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True, check=False).stdout  # noqa: S603, S607
    return state.strip()[:1] not in ("Z", "")


def _keep_warm() -> None:
    """Between builds, start what the next one would (``pmlib.rendering.background.keep_warm``), for the project's usual folders."""
    from pmlib.project import Project
    from pmlib.rendering.background import keep_warm

    with contextlib.suppress(Exception):
        keep_warm(Project.from_options())


def _still_ours(address: str, inode: int) -> bool:
    try:
        return os.stat(address).st_ino == inode
    except OSError:
        return False


def _one_build(connection: socket.socket, main) -> bool:
    """Run one client's command line with its output sent to it; whether it was interrupted (then the server stops)."""
    with connection, connection.makefile("rwb") as stream:
        line = stream.readline()
        if not line:
            return False
        request = json.loads(line)
        lock, building, interrupted = threading.Lock(), threading.Event(), threading.Event()
        out = _Relayed(stream, "out", request["tty"][0], lock)
        err = _Relayed(stream, "err", request["tty"][1], lock)

        def watch() -> None:
            """Ctrl-C at the client (or the client gone) stops the build as Ctrl-C in a terminal does: in every process of the group."""
            with contextlib.suppress(OSError, ValueError):
                stream.readline()
            if building.is_set():
                interrupted.set()
                with contextlib.suppress(OSError):
                    os.killpg(os.getpgrp(), signal.SIGINT)

        with lock:
            stream.write(b'{"started": true}\n')
            stream.flush()
        building.set()
        threading.Thread(target=watch, daemon=True).start()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            main(args=request["argv"], prog_name="pm")
            code = 0
        except SystemExit as end:
            code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
            if isinstance(end.code, str):
                err.write(end.code + "\n")
        except KeyboardInterrupt:
            code = 1
        except Exception:  # noqa: BLE001 - a fault is the build's, printed as a new process prints it
            import traceback

            err.write(traceback.format_exc())
            code = 1
        finally:
            building.clear()
            sys.stdout, sys.stderr = saved
        with lock, contextlib.suppress(OSError, ValueError):
            stream.write(json.dumps({"exit": code}).encode("utf-8") + b"\n")
            stream.flush()
        return interrupted.is_set()
