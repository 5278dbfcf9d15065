import fcntl
import functools
import http.server
import json
import multiprocessing.util
import os
import shutil
import threading

import pytest
from site_build import copy_project

from pmlib.cli.build_server import SERVER
from pmlib.cores import LIMIT, usable_cores

LATEST = "2021-22-Q2"

# A `pm build` a test starts runs in its own process, leaving no build server behind; tests/test_build_server.py asks for one.
os.environ.setdefault(SERVER, "off")

# Fixture notebooks are run by the tests that name them, never collected as notebooks to check.
collect_ignore_glob = ["fixtures/*"]


# The longest modules, from `make test --durations`; they start first so that no worker is left
# running one alone at the end. A stale list costs time, never a result.
LONGEST_FIRST = (
    "tests/test_site_browser.py",
    "tests/test_shared_site.py",
    "tests/test_incremental.py",
    "tests/test_running.py",
    "tests/test_pack.py",
)


def _start_order(item) -> int:
    """Longest modules, then the other end-to-end ones, then the unit tests, then the notebooks, short and many, to fill the end."""
    module = item.nodeid.split("::", 1)[0]
    if module in LONGEST_FIRST:
        return LONGEST_FIRST.index(module)
    if item.path.suffix == ".ipynb":
        return len(LONGEST_FIRST) + 2
    return len(LONGEST_FIRST) + (0 if item.get_closest_marker("e2e") else 1)


def pytest_configure(config):
    """Under pytest-xdist each worker keeps a core busy already, so the pm commands it runs get that core, not all of them.

    A ``pm build`` inside a worker would otherwise start a notebook worker
    and a typesetting worker per core, on cores the other test workers are
    using: measured on 2 cores, a quarter more CPU for the same end-to-end
    tests. Tests of the parallel paths ask for them (``jobs=2``,
    ``PMLIB_CORES=2``).
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        os.environ.setdefault(LIMIT, str(max(1, usable_cores() // workers)))
    # Tests give kernels a temporary folder of their own and delete it; the fork server of pm run's workers keeps its
    # socket in multiprocessing's folder, made here, in the session's, so it outlives them all.
    multiprocessing.util.get_temp_dir()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Notebooks checked by nbval are end-to-end tests, left out of the fast loop like the modules marked ``e2e``.

    Items are put in the order workers should start them (``_start_order``;
    ``make test`` runs pytest-xdist with ``--no-loadscope-reorder`` to keep
    it); a module's tests and a notebook's cells keep their own order.
    """
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.e2e)
    items[:] = sorted(items, key=_start_order)


def _built_once(tmp_path_factory, name: str, renderer: str):
    """The demo built with ``renderer`` once for the whole run: (project folder, _site folder, printed output).

    Under pytest-xdist the first worker to ask builds it in the run's shared
    temporary folder while holding a lock, and the others wait and read the
    same files, so the tests that read the site can be spread over every
    worker. Tests must not change it; a test that builds again does so in
    its own copy.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker's basetemp is a folder of the run's
        shared = shared.parent
    project, record = shared / name, shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.is_file():
            output = build_demo(project, renderer)
            record.write_text(json.dumps({"output": output}), encoding="utf-8")
    return project, project / "_site", json.loads(record.read_text(encoding="utf-8"))["output"]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The demo project built with the built-in renderer: (project folder, _site folder, printed output)."""
    return _built_once(tmp_path_factory, "built-site", "builtin")


@pytest.fixture(scope="session")
def quarto_built_site(tmp_path_factory):
    """The demo project built by Quarto (only for tests marked ``quarto``), once for the run, as ``built_site``."""
    return _built_once(tmp_path_factory, "quarto-built-site", "quarto")


def build_demo(project, renderer: str = "builtin") -> str:
    """The demo copied into ``project`` and built there for the latest quarter with ``renderer``; what ``pm build`` printed."""
    from click.testing import CliRunner

    from pmlib.cli import main

    if project.exists():
        shutil.rmtree(project)
    copy_project(project)
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, ["build", LATEST, "--renderer", renderer, "--no-progress"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return result.output


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site served on 127.0.0.1 only, as a browser meets it: its base URL."""
    _, site, _ = built_site
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
