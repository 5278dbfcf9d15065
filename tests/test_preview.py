"""``pm preview`` on a copy of the demo, as an analyst uses it: edit commentary and see the page change; break the data and
see the problem on the page and in the terminal while the last good site is still served; Ctrl-C stops it."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from site_build import ROOT, TEMPLATE_FILES, copy_project

pytestmark = pytest.mark.e2e

PAGE = "reports/2021-22-Q2/plan-fulfilled-lives.html"
OLD, NEW = "Admissions to care homes are above profile at", "Care home admissions are above profile at"


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local http address the test started
        return response.read().decode("utf-8")


def _until(predicate, what: str, seconds: float = 240):
    """Poll ``predicate`` until it is true; fail naming ``what`` if it never is (a guard against hanging, not a timing test)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"pm preview never got to: {what}")


def _started(command: list[str], cwd) -> subprocess.Popen:
    """``pm preview`` started as a shell starts a background command, ignoring SIGINT: Ctrl-C (SIGINT) must stop it all the same."""
    ignoring = lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)  # noqa: E731
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=ignoring)  # noqa: PLW1509


def test_preview_rebuilds_on_an_edit_and_keeps_the_last_good_site_on_a_data_error(tmp_path):
    for name in ("data", "params", "notebooks", "reports", "_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml", "_extensions"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, tmp_path / name)
    process = _started([sys.executable, "-m", "pmlib.cli", "preview", "--port", "0"], tmp_path)
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:") and first.endswith("/"), first
        state = lambda: json.loads(_get(first + "__pm_preview/state"))  # noqa: E731
        _until(lambda: state()["build"] == 1, "the first build")
        page = _get(first + PAGE)
        assert OLD in page and "/__pm_preview/state" in page
        assert "/__pm_preview/" not in (tmp_path / "_site" / PAGE).read_text(encoding="utf-8"), "the reload script is only served"

        commentary = tmp_path / "data" / "commentary.csv"
        commentary.write_text(commentary.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
        _until(lambda: state()["build"] == 2, "a rebuild after the commentary changed")
        assert NEW in _get(first + PAGE)

        measures = tmp_path / "data" / "measures.csv"
        measures.write_text(measures.read_text(encoding="utf-8").replace(",percent,", ",percentx,", 1), encoding="utf-8")
        problems = _until(lambda: state()["problems"], "the data error")
        assert problems[0].startswith("data/measures.csv:") and ": unit: 'percentx' is not allowed" in problems[0]
        assert state()["build"] == 2 and NEW in _get(first + PAGE), "the last good site is still served"
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert problems[0] in output and output.rstrip().endswith("Preview stopped.")


EXAMPLE = "examples/chorley-south-ribble"
SHARED_PAGE = "chorley/pages/measures/RB01.html"
SHARED_OLD = "Council tax collection is 0.3 points behind profile"
SHARED_NEW = "Council tax collection is a third of a point behind profile"


def test_preview_of_a_shared_service_serves_every_site_and_rebuilds_the_council_whose_data_changed(tmp_path):
    project = copy_project(tmp_path / "project", TEMPLATE_FILES)
    shutil.copytree(ROOT / EXAMPLE, project / EXAMPLE, ignore=shutil.ignore_patterns("_site", ".*"))
    process = _started([sys.executable, "-m", "pmlib.cli", "preview", "--port", "0", "--councils", f"{EXAMPLE}/councils.yml"], project)
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:") and first.endswith("/"), first
        state = lambda: json.loads(_get(first + "__pm_preview/state"))  # noqa: E731
        _until(lambda: state()["build"] == 1, "the first build")
        landing = _get(first)
        assert 'href="chorley/' in landing and 'href="south-ribble/' in landing and 'href="joint/' in landing
        assert SHARED_OLD in _get(first + SHARED_PAGE) and "/__pm_preview/state" in _get(first + "joint/index.html")

        commentary = project / EXAMPLE / "councils" / "chorley" / "data" / "commentary.csv"
        commentary.write_text(commentary.read_text(encoding="utf-8").replace(SHARED_OLD, SHARED_NEW), encoding="utf-8")
        _until(lambda: state()["build"] == 2, "a rebuild after Chorley's commentary changed")
        assert SHARED_NEW in _get(first + SHARED_PAGE)

        measures = project / EXAMPLE / "councils" / "south-ribble" / "data" / "measures.csv"
        measures.write_text(measures.read_text(encoding="utf-8").replace(",percent,", ",percentx,", 1), encoding="utf-8")
        problems = _until(lambda: state()["problems"], "the data error")
        assert any("councils/south-ribble/data/measures.csv:" in p and "'percentx' is not allowed" in p for p in problems), problems
        assert state()["build"] == 2 and SHARED_NEW in _get(first + SHARED_PAGE), "the last good site is still served"
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert output.rstrip().endswith("Preview stopped.")
