"""The child side of a warm kernel (``pmlib.run.warm_kernels``): a fork of the warm server made into the kernel jupyter_client asked for.

Kept apart from the server (``pmlib.run.warm_server``) because it runs
only in the forked child, where it must leave nothing of the server behind:
its sockets, signal handlers, working folder, environment and ``sys.path``.
"""

from __future__ import annotations

import atexit
import importlib
import os
import runpy
import signal
import socket
import sys
import tempfile

CHART_DRAWER = "PMLIB_CHART_DRAWER"  # pmlib.views.chart_drawer reads it; run/ does not import views/


def become_kernel(request: dict, streams: list[int], inherited: list[socket.socket], fds: tuple[int, int]) -> None:
    """In the forked child: the state ``python -m ipykernel_launcher`` would start in, then the kernel; never returns."""
    code = 1
    try:
        for number, fd in zip(request["streams"], streams, strict=True):
            os.dup2(fd, number)
            os.close(fd)
        for sock in inherited:
            sock.close()
        signal.set_wakeup_fd(-1)
        for fd in fds:
            os.close(fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if request["drawer"]:
            os.environ[CHART_DRAWER] = request["drawer"]
        sys.path[:] = request["path"]
        tempfile.tempdir = None
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        # The kernel application reads JPY_PARENT_PID into a default when its module runs: run it again here.
        if "ipykernel.kernelapp" in sys.modules:
            importlib.reload(sys.modules["ipykernel.kernelapp"])
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
