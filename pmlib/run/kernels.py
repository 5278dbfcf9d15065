"""One notebook executed in a worker process of ``pm run``, with a kernel of its own.

Kept apart from the planning and publishing in ``pmlib.run.execution`` because it
runs in a spawned process: what it returns must pickle, and what it imports
is what every worker pays for.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from typing import Any

import zmq
from jupyter_client.manager import AsyncKernelManager

from pmlib.run.notebook_files import dead_cell
from pmlib.run.warm_kernels import WarmProvisioner

START_ATTEMPTS = 3
CHART_STORE = "PMLIB_CHART_STORE"  # pmlib.views.chart_store reads it; run/ does not import views/
_kernel_dirs: list[str] = []


class IpcKernelManager(AsyncKernelManager):
    """A kernel that talks over files in its own folder instead of TCP ports.

    Kernels pick TCP ports by binding port 0 and releasing it, so kernels
    started together can pick the same port and die at start-up; a folder per
    kernel cannot collide.
    """

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


def execute(template: str, output: str, cwd: str, parameters: dict[str, Any]) -> Outcome:
    """Run one notebook in a worker process; failures come back as plain data, since papermill's exceptions may not pickle."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    # Failures are reported by pm run itself; papermill's log lines would only break the progress bar.
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            papermill.execute_notebook(
                template,
                output,
                parameters=parameters,
                kernel_name="python3",
                cwd=cwd,
                progress_bar=False,
                request_save_on_cell_execute=True,
                kernel_manager_class=IpcKernelManager,
                coalesce_streams=True,
            )
            return Outcome()
        except PapermillExecutionError as exc:
            return Outcome(f"{exc.ename}: {exc.evalue}", exc.cell_index)
        except Exception as exc:  # the saved notebook tells a start-up failure (no cell started) from a crash in a cell
            cell = dead_cell(output)
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
        finally:
            while _kernel_dirs:
                shutil.rmtree(_kernel_dirs.pop(), ignore_errors=True)
    raise AssertionError("unreachable")  # pragma: no cover
