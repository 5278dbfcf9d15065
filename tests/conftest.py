import functools
import http.server
import os
import threading

import pytest
from site_build import copy_project

LATEST = "2021-22-Q2"

# Fixture notebooks are run by the tests that name them, never collected as notebooks to check.
collect_ignore_glob = ["fixtures/*"]


# The test modules that read the one built demo site (the ``built_site`` fixture).
BUILT_SITE_MODULES = ("tests/test_build.py", "tests/test_pack.py", "tests/test_site_browser.py", "tests/test_site_weight.py")


def pytest_xdist_make_scheduler(config, log):
    """With ``-n N --dist loadscope``, send each module (each notebook, for nbval) whole to a worker, the built site's modules together.

    A notebook's cells run in order in one kernel, and module fixtures are made
    once; grouping the site's modules builds the demo site once, not once per
    worker. Any other ``--dist`` keeps xdist's own scheduler (the fast loop's
    ``load`` balances single tests best).
    """
    from xdist.scheduler import LoadScopeScheduling

    if config.getoption("dist") != "loadscope":
        return None

    class ByModuleAndSite(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "built_site" if module in BUILT_SITE_MODULES else module

    return ByModuleAndSite(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Notebooks checked by nbval are end-to-end tests, left out of the fast loop like the modules marked ``e2e``."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.e2e)
        elif "built_site" in getattr(item, "fixturenames", ()) and item.nodeid.split("::", 1)[0] not in BUILT_SITE_MODULES:
            raise pytest.UsageError(f"{item.nodeid} uses built_site: list its module in BUILT_SITE_MODULES (tests/conftest.py)")


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
