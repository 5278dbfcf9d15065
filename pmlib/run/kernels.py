"""One notebook executed in a worker process of ``pm run``, with a kernel of its own.

Kept apart from the planning (``pmlib.run.planner``) and publishing
(``pmlib.run.execution``) because it runs in a worker process: what it
returns must pickle, and what it imports is what a pool's workers pay for
(once, in the fork server, on Linux).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from queue import Empty
from typing import Any

import nbformat
import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from papermill.engines import NBClientEngine, papermill_engines
from traitlets import Type

from pmlib.run.notebook_files import as_saved, dead_cell, normalise
from pmlib.run.warm_kernels import WarmProvisioner

START_ATTEMPTS = 3
CHART_STORE = "PMLIB_CHART_STORE"  # pmlib.views.chart_store reads it; run/ does not import views/
_kernel_dirs: list[str] = []


class _Client(AsyncKernelClient):
    """jupyter_client's client, which stops waiting for a new kernel as soon as it is ready rather than 0.2 s later.

    After the kernel's ``kernel_info_reply``, jupyter_client reads the IOPub
    channel until it has been quiet for 0.2 s, for every kernel. The kernel
    is ready once it has published ``idle`` for that very request; anything
    older still queued is for requests nbclient never made, and nbclient
    reads only the replies to its own requests.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["parent_header"].get("msg_id") == request and await self._idle_after(request):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _idle_after(self, request: str, within: float = 0.2) -> bool:
        """Whether IOPub brings the ``idle`` that ends ``request``; if not, it was not connected yet and the request is sent again."""
        until = time.monotonic() + within
        while (left := until - time.monotonic()) > 0:
            try:
                msg = await self.iopub_channel.get_msg(timeout=left)
            except Empty:
                return False
            idle = msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
            if idle and msg["parent_header"].get("msg_id") == request:
                return True
        return False


class _Engine(NBClientEngine):
    """papermill's own engine, holding on to the notebook it runs so a dead kernel's cell can be named without saving after every cell.

    papermill saves the whole notebook as each cell starts and ends (about
    0.4 s a notebook, validated and written 30 times) unless told not to;
    ``execute`` writes it once, at the end, and finds the cell a kernel died
    in from the notebook held here.
    """

    running: Any = None

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
        _Engine.running = nb_man.nb
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


ENGINE = "pmlib"
papermill_engines.register(ENGINE, _Engine)


class IpcKernelManager(AsyncKernelManager):
    """A kernel that talks over files in its own folder instead of TCP ports.

    Kernels pick TCP ports by binding port 0 and releasing it, so kernels
    started together can pick the same port and die at start-up; a folder per
    kernel cannot collide.
    """

    client_factory = Type(_Client, klass=AsyncKernelClient)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.ipc_dir = tempfile.mkdtemp(prefix="pm-kernel-")
        _kernel_dirs.append(self.ipc_dir)
        self.transport = "ipc"
        self.ip = os.path.join(self.ipc_dir, "kernel")
        self.connection_file = os.path.join(self.ipc_dir, "kernel.json")

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        # pm run's kernels fork from the warm server (pmlib.run.warm_kernels) whatever the kernelspec says.
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = WarmProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self.ipc_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # A killed kernel is gone within milliseconds; jupyter_client would look again only after 0.1 s.
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts before asking a kernel to shut down; an idle kernel then logs a
        # misleading "KeyboardInterrupt caught in kernel" ERROR. Shutdown still kills a kernel that does not stop.
        if not self.shutting_down:
            await super()._async_interrupt_kernel()

    interrupt_kernel = _async_interrupt_kernel


def use_chart_store(folder: str) -> None:
    """In a worker, before any kernel starts: the kernels keep the charts they draw in ``folder`` (see ``pmlib.views.chart_store``).

    ``PMLIB_CHART_STORE`` already in the environment (another folder, or ``off``) wins.
    """
    os.environ.setdefault(CHART_STORE, folder)


@dataclass(frozen=True)
class Outcome:
    """How one execution ended: no error, or the error, the cell it happened in and whether the kernel died there."""

    error: str | None = None
    cell: int | None = None
    died: bool = False
    leaks: tuple[tuple[int, str], ...] = ()  # cells showing a name that differs on every run: ``normalise``'s


def execute(
    template: str, output: str, cwd: str, parameters: dict[str, Any], cell_ids: tuple[str, ...], provenance: dict[str, Any]
) -> Outcome:
    """Run one notebook in a worker process and save it normalised; failures come back as data, as papermill's exceptions may not pickle.

    The notebook is normalised and sealed here, from the copy papermill hands
    back, as each ends: read back, parsed and written again by ``pm``
    itself, the quarter's notebooks cost it most of a second after the last
    one ended, on one core (``pmlib.run.notebook_files.as_saved``).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    # Failures are reported by pm run itself; papermill's log lines would only break the progress bar.
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            nb = papermill.execute_notebook(
                template,
                output,
                parameters=parameters,
                kernel_name="python3",
                cwd=cwd,
                progress_bar=False,
                request_save_on_cell_execute=False,
                engine_name=ENGINE,
                kernel_manager_class=IpcKernelManager,
                coalesce_streams=True,
                shutdown_kernel="immediate",  # every output is in: nothing is lost, and no 0.1 s polls for the kernel to exit
            )
        except PapermillExecutionError as exc:
            return Outcome(f"{exc.ename}: {exc.evalue}", exc.cell_index)
        except Exception as exc:  # the saved notebook tells a start-up failure (no cell started) from a crash in a cell
            running = _Engine.running
            cell = dead_cell(running.cells) if running is not None else None
            if cell is not None:  # what ran before the kernel died, for the failed-reports folder
                nbformat.write(running, output)
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
            if cell is not None:
                return Outcome(error, cell, died=type(exc).__name__ == "DeadKernelError")
            if not isinstance(exc, (RuntimeError, TimeoutError, zmq.ZMQError)):
                return Outcome(error)
            if attempt < START_ATTEMPTS:
                time.sleep(0.5 * attempt)
                continue
            hint = "check that the python3 kernel is installed (python -m ipykernel install --sys-prefix)"
            return Outcome(f"the kernel did not start after {attempt} attempts ({error}); {hint}")
        else:  # not a failure of the notebook's, so not caught above
            leaks = normalise(nb, cell_ids, provenance, os.path.basename(os.path.dirname(output)))
            with open(output, "w", encoding="utf-8") as saved:
                saved.write(as_saved(nb, sealed=not leaks))
            return Outcome(leaks=tuple(leaks))
        finally:
            _Engine.running = None
            while _kernel_dirs:
                shutil.rmtree(_kernel_dirs.pop(), ignore_errors=True)
    raise AssertionError("unreachable")  # pragma: no cover
