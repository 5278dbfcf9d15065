import functools
import http.server
import os
import threading

import pytest
from site_build import copy_project

LATEST = "2021-22-Q2"

# Fixture notebooks are run by the tests that name them, never collected as notebooks to check.
collect_ignore_glob = ["fixtures/*"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Keep together, on one worker under ``pytest -n``, what must share a process; mark what the fast loop leaves out.

    A notebook's cells run in order in one kernel, so each notebook is one
    group; every test of the one built demo site is another, so the site is
    built once. Notebooks checked by nbval are end-to-end tests.
    """
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group(name=str(item.path)))
            item.add_marker(pytest.mark.e2e)
        elif "built_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(name="built_site"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The demo project built with the built-in renderer: (project folder, _site folder, printed output)."""
    from click.testing import CliRunner

    from pmlib.cli import main

    project = copy_project(tmp_path_factory.mktemp("project"))
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, ["build", LATEST, "--renderer", "builtin", "--no-progress"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return project, project / "_site", result.output


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
