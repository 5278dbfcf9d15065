"""Kernels forked from the warm server start where a plain kernel would, die and stop like one, and print the same report.

Each test starts real kernels: one the usual way (jupyter_client's
``LocalProvisioner``, a new Python process) and one forked by
``pmlib.run.warm_kernels``, and compares what they see or do.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import papermill
import pytest
from jupyter_client.manager import KernelManager
from jupyter_client.provisioning import LocalProvisioner

from pmlib.run import warm_kernels
from pmlib.run.kernels import IpcKernelManager
from pmlib.run.warm_kernels import WarmProvisioner

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[1]

# What a kernel's first cell can see of where it started (its connection file aside, which differs for every kernel).
SURROUNDINGS = textwrap.dedent(
    """
    import json, os, sys
    print(json.dumps({
        "cwd": os.getcwd(),
        "path": sys.path,
        "argv": sys.argv[:-1],
        "council": os.environ.get("PM_TEST_COUNCIL"),
        "parent": os.environ.get("JPY_PARENT_PID"),
        "names": sorted(n for n in dir() if not n.startswith("_")),
        "pgid_is_pid": os.getpgid(0) == os.getpid(),
    }))
    """
)


def started(provisioner: type, cwd: Path, **env: str) -> KernelManager:
    manager = KernelManager(kernel_name="python3")
    manager.kernel_id = f"{provisioner.__name__}-{time.monotonic_ns()}"
    manager.provisioner = provisioner(kernel_id=manager.kernel_id, kernel_spec=manager.kernel_spec, parent=manager)
    manager.start_kernel(cwd=str(cwd), env={**os.environ, **env})
    return manager


def run(manager: KernelManager, code: str, timeout: float = 60) -> tuple[str, dict]:
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        printed = []
        reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda m: printed.append(m["content"].get("text", "")))
        return "".join(printed), reply["content"]
    finally:
        client.stop_channels()


def in_a_warm_kernel(cwd: Path, code: str) -> tuple[str, dict]:
    """What ``code`` prints and the reply, in a warm kernel started in ``cwd`` and shut down after."""
    manager = started(WarmProvisioner, cwd)
    try:
        return run(manager, code)
    finally:
        manager.shutdown_kernel(now=True)


def test_a_warm_kernel_starts_where_a_plain_one_would(tmp_path):
    seen = {}
    for provisioner in (LocalProvisioner, WarmProvisioner):
        manager = started(provisioner, tmp_path, PM_TEST_COUNCIL="Chorley")
        try:
            printed, reply = run(manager, SURROUNDINGS)
            assert reply["status"] == "ok", reply
            seen[provisioner.__name__] = json.loads(printed)
            if provisioner is WarmProvisioner:
                assert manager.provisioner.process.__class__.__name__ == "WarmKernel"  # forked, not started
        finally:
            manager.shutdown_kernel(now=True)
    plain, warm = seen["LocalProvisioner"], seen["WarmProvisioner"]
    assert plain["cwd"] == str(tmp_path) and plain["council"] == "Chorley" and plain["parent"] == str(os.getpid())
    assert warm == plain


def test_a_warm_kernel_listens_in_a_folder_of_its_own_not_on_tcp_ports(tmp_path):
    manager = started(WarmProvisioner, tmp_path)
    folder = manager.provisioner._ipc_dir
    try:
        assert manager.transport == "ipc" and manager.ip.startswith(folder)
        assert manager.get_connection_info()["transport"] == "ipc"
        printed, reply = run(manager, "print(6 * 7)")
        assert reply["status"] == "ok" and printed == "42\n"
    finally:
        manager.shutdown_kernel(now=True)
    assert not os.path.exists(folder)


def test_a_kernel_whose_ports_were_given_keeps_them(tmp_path):
    manager = KernelManager(kernel_name="python3", shell_port=1)
    manager.provisioner = WarmProvisioner(kernel_id="given", kernel_spec=manager.kernel_spec, parent=manager)
    assert warm_kernels._ports_chosen(manager)
    assert not warm_kernels._ports_chosen(KernelManager(kernel_name="python3"))


def test_a_warm_kernel_is_interrupted_killed_and_reported_like_a_plain_one(tmp_path):
    manager = started(WarmProvisioner, tmp_path)
    try:
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        msg_id = client.execute("import time\ntime.sleep(60)")
        time.sleep(0.5)
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        client.stop_channels()

        pid = manager.provisioner.pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while manager.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not manager.is_alive()
        assert manager.provisioner.process.poll() == -signal.SIGKILL
    finally:
        manager.shutdown_kernel(now=True)


def test_the_warm_server_ends_with_the_process_that_started_it_and_takes_its_kernels(tmp_path):
    script = textwrap.dedent(
        """
        import json, os
        from jupyter_client.manager import KernelManager
        from pmlib.run.warm_kernels import WarmProvisioner
        manager = KernelManager(kernel_name="python3")
        manager.kernel_id = "orphan"
        manager.provisioner = WarmProvisioner(kernel_id="orphan", kernel_spec=manager.kernel_spec, parent=manager)
        manager.start_kernel()
        print(json.dumps({"kernel": manager.provisioner.pid, "address": os.environ["PMLIB_WARM_KERNELS"]}))
        os._exit(0)  # no shutdown: the kernel is left running
        """
    )
    env = {k: v for k, v in os.environ.items() if k != warm_kernels.ADDRESS}
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    started_by_it = json.loads(out.stdout.strip().splitlines()[-1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (alive(started_by_it["kernel"]) or os.path.exists(started_by_it["address"])):
        time.sleep(0.1)
    assert not alive(started_by_it["kernel"])
    assert not os.path.exists(started_by_it["address"])


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_off_starts_every_kernel_the_usual_way(tmp_path, monkeypatch):
    monkeypatch.setenv(warm_kernels.ADDRESS, "off")
    manager = started(WarmProvisioner, tmp_path)
    try:
        assert isinstance(manager.provisioner.process, subprocess.Popen)
    finally:
        manager.shutdown_kernel(now=True)


def test_a_report_from_a_warm_kernel_is_the_report_a_plain_kernel_prints(tmp_path, monkeypatch):
    """The demo's first plan for the latest quarter, executed by papermill both ways: every cell's outputs alike."""
    parameters = {"quarter": "latest", "data_dir": str(ROOT / "data"), "params_dir": str(ROOT / "params")}
    cells = {}
    for way in ("prepared", "warm", "off"):
        if way == "prepared":  # the server judged the quarter before forking, as pm run has it do
            call = [parameters["quarter"], parameters["data_dir"], parameters["params_dir"], None]
            warm_kernels.prepare(str(tmp_path), "pmlib.views.preparing", "prepared_report", call)
        if way == "off":
            monkeypatch.setenv(warm_kernels.ADDRESS, "off")
        output = tmp_path / f"{way}.ipynb"
        papermill.execute_notebook(
            str(ROOT / "notebooks" / "plan.ipynb"),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(tmp_path),
            progress_bar=False,
            kernel_manager_class=IpcKernelManager,
        )
        notebook = nbformat.read(output, as_version=4)
        cells[way] = [(c.get("execution_count"), c.get("outputs")) for c in notebook.cells if c.cell_type == "code"]
    assert sum(len(outputs) for _, outputs in cells["off"]) > 10
    assert cells["prepared"] == cells["warm"] == cells["off"]


FOUND = textwrap.dedent(
    """
    import json
    import pmlib.views.report as r
    kept = r._reports.values()
    report = r.quarter_report("latest", "data", "params")
    print(json.dumps({"found": any(report is k for k in kept),
                      "commentary": bool(report.data.commentary["commentary"].str.contains("Changed after").any())}))
    """
)


def test_a_kernel_finds_the_quarter_the_server_prepared_unless_a_file_changed_since(tmp_path):
    shutil.copytree(ROOT / "tests" / "fixtures" / "valid", tmp_path / "data")
    shutil.copytree(ROOT / "tests" / "fixtures" / "params" / "good", tmp_path / "params")
    warm_kernels.prepare(str(tmp_path), "pmlib.views.preparing", "prepared_report", ["latest", "data", "params", None])
    seen = []
    for change in (False, True):
        if change:
            commentary = tmp_path / "data" / "commentary.csv"
            commentary.write_text(commentary.read_text().replace("Claims rose", "Changed after. Claims rose"))
        printed, reply = in_a_warm_kernel(tmp_path, FOUND)
        assert reply["status"] == "ok", reply
        seen.append(json.loads(printed))
    assert seen[0] == {"found": True, "commentary": False}
    assert seen[1] == {"found": False, "commentary": True}  # judged again from the folder as it is now


def test_a_server_this_process_started_is_asked_to_prepare_once_it_listens(tmp_path):
    """The first edit after a build that executed nothing: ``keep_warm`` started the server, and nothing has talked to it yet."""
    script = textwrap.dedent(
        f"""
        import os, time
        from pmlib.run import warm_kernels
        os.environ.pop(warm_kernels.ADDRESS, None)
        warm_kernels.start(wait=False)
        deadline = time.monotonic() + 60
        while not warm_kernels._server.listening(wait=False) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert warm_kernels._client is None
        warm_kernels.prepare_if_running({str(tmp_path)!r}, "os", "mkdir", ["made-by-the-server"])
        while not os.path.isdir({str(tmp_path / "made-by-the-server")!r}) and time.monotonic() < deadline:
            time.sleep(0.05)
        print(os.path.isdir({str(tmp_path / "made-by-the-server")!r}))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != warm_kernels.ADDRESS}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_a_server_whose_folder_was_deleted_is_replaced_not_used(tmp_path):
    """A temporary folder cleaned under a running server (a test's TMPDIR, a cleaner) leaves no socket: the next start makes a new one."""
    script = textwrap.dedent(
        """
        import os, shutil
        from pmlib.run import warm_kernels
        os.environ.pop(warm_kernels.ADDRESS, None)
        old = warm_kernels.start()
        shutil.rmtree(os.path.dirname(old))
        new = warm_kernels.start()
        print(new != old and os.path.exists(new) and not os.path.exists(old))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != warm_kernels.ADDRESS} | {"TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


DRAW = textwrap.dedent(
    """
    import json, vl_convert
    from pmlib.views.chart_drawer import drawn_elsewhere
    spec = {"mark": "bar", "data": {"values": [{"a": "x", "b": 3}]}}
    spec["encoding"] = {"x": {"field": "a"}, "y": {"field": "b", "type": "quantitative"}}
    there = drawn_elsewhere(json.dumps(spec))
    print(json.dumps({"drawer": there is not None, "same": there == vl_convert.vegalite_to_svg(spec),
                      "refused": drawn_elsewhere(json.dumps({"mark": "no such mark"}))}))
    """
)


def test_a_warm_kernel_sends_its_charts_to_the_servers_drawer_and_gets_vl_converts_svg(tmp_path):
    printed, reply = in_a_warm_kernel(tmp_path, DRAW)
    assert reply["status"] == "ok", reply
    assert json.loads(printed) == {"drawer": True, "same": True, "refused": None}


def test_without_a_drawer_a_chart_is_drawn_where_it_is_asked_for(monkeypatch):
    from pmlib.views.chart_drawer import ADDRESS, drawn_elsewhere

    monkeypatch.delenv(ADDRESS, raising=False)
    assert drawn_elsewhere('{"mark": "bar"}') is None
    monkeypatch.setenv(ADDRESS, "/nonexistent/charts")
    assert drawn_elsewhere('{"mark": "bar"}') is None


def test_the_drawer_draws_each_spec_once_and_keeps_the_newest(monkeypatch):
    import vl_convert

    from pmlib.views import chart_drawer

    drawn = []
    real = vl_convert.vegalite_to_svg
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec: drawn.append(spec) or real(spec))
    monkeypatch.setattr(chart_drawer._Drawing, "drawn", chart_drawer.OrderedDict())
    monkeypatch.setattr(chart_drawer, "KEPT", 2)
    drawing = chart_drawer._Drawing.__new__(chart_drawer._Drawing)
    specs = [json.dumps({"mark": "bar", "data": {"values": [{"a": n}]}, "encoding": {"x": {"field": "a"}}}).encode() for n in range(3)]
    first = drawing._svg(specs[0])
    assert drawing._svg(specs[0]) == first == real(json.loads(specs[0])).encode()
    for spec in specs[1:]:
        drawing._svg(spec)
    drawing._svg(specs[0])  # dropped when the third came, so drawn again
    assert len(drawn) == 4 and list(chart_drawer._Drawing.drawn) == [specs[2], specs[0]]


def _listening(address: str) -> bool:
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(address) == 0


def test_pm_builds_pages_send_their_charts_to_the_same_drawers_as_the_kernels(tmp_path, monkeypatch):
    import vl_convert

    from pmlib.project import Project
    from pmlib.rendering.building import drawing_charts
    from pmlib.views import charts

    spec = {"mark": "bar", "data": {"values": [{"a": "x", "b": 4}]}}
    spec["encoding"] = {"x": {"field": "a"}, "y": {"field": "b", "type": "quantitative"}}
    expected = vl_convert.vegalite_to_svg(spec)
    assert warm_kernels.start() is not None
    drawers = warm_kernels.chart_drawers().split(os.pathsep)
    deadline = time.monotonic() + 60
    while not all(map(_listening, drawers)):  # they start beside the server and listen a moment later
        assert time.monotonic() < deadline, drawers
        time.sleep(0.1)
    charts._vegalite_svg.cache_clear()
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec: pytest.fail("drawn in this process"))
    try:
        with drawing_charts(Project.from_options(root=tmp_path)):
            assert charts._vegalite_svg(json.dumps(spec)) == expected
    finally:
        charts._vegalite_svg.cache_clear()


def test_each_spec_goes_to_one_drawer_whoever_asks(tmp_path, monkeypatch):
    import socketserver
    import threading

    from pmlib.views import chart_drawer

    class Named(chart_drawer._Drawing):
        def _svg(self, spec: bytes) -> bytes:
            return self.server.name.encode()

    servers = []
    for name in ("first", "second"):
        server = socketserver.ThreadingUnixStreamServer(str(tmp_path / name), Named)
        server.daemon_threads, server.name = True, name
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    addresses = os.pathsep.join(str(tmp_path / name) for name in ("first", "second"))
    specs = [json.dumps({"mark": "bar", "n": n}) for n in range(20)]
    try:
        with chart_drawer.drawing_at(addresses):
            here = [chart_drawer.drawn_elsewhere(spec) for spec in specs]
            there = []  # another thread, as pm build's pages are written in two, with connections of its own
            thread = threading.Thread(target=lambda: there.extend(chart_drawer.drawn_elsewhere(spec) for spec in reversed(specs)))
            thread.start()
            thread.join()
        assert here == there[::-1]
        assert set(here) == {"first", "second"}
        monkeypatch.delenv(chart_drawer.ADDRESS, raising=False)
        assert chart_drawer.drawn_elsewhere(specs[0]) is None  # the drawers were given only meanwhile
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
