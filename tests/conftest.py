import os

import pytest
from site_build import copy_project

LATEST = "2021-22-Q2"


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
