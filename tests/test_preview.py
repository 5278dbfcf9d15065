"""``pm preview`` on a copy of the demo, as an analyst uses it: edit commentary and see the page change; break the data and
see the problem on the page and in the terminal while the last good site is still served; Ctrl-C stops it.

The problems on the page are also checked in Chromium, as a reader meets them: an alert whose text is not replaced while it
stays the same (a screen reader would read it out again), no WCAG failure axe can find, no keyboard stop hidden behind it,
and gone once the data is mended and the page has reloaded itself."""

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
        # every percentage measure: a list of problems taller than a line, for the focus check below
        measures.write_text(measures.read_text(encoding="utf-8").replace(",percent,", ",percentx,"), encoding="utf-8")
        problems = _until(lambda: state()["problems"], "the data error")
        assert problems[0].startswith("data/measures.csv:") and ": unit: 'percentx' is not allowed" in problems[0]
        assert state()["build"] == 2 and NEW in _get(first + PAGE), "the last good site is still served"

        fixed = lambda: measures.write_text(measures.read_text(encoding="utf-8").replace(",percentx,", ",percent,"), encoding="utf-8")  # noqa: E731
        _problems_in_a_browser(first + PAGE, problems[0], fixed)
        assert state() == {"build": 3, "problems": []}
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert problems[0] in output and output.rstrip().endswith("Preview stopped.")


# After each Tab, whether the element with the focus lies wholly behind the problems box, and where the focus is.
FOCUS_BEHIND_BOX = """() => {
  const el = document.activeElement, box = document.getElementById("pm-preview-problems");
  if (!el || el === document.body || el === box) return {at: el ? el.id || el.tagName : null, hidden: false};
  const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
  const at = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " + (el.textContent || "").trim().slice(0, 40);
  return {at, hidden: r.height > 0 && r.top >= b.top && r.bottom <= b.bottom};
}"""

# Changes to the box's text over 2.5 s of the script asking for the state every second.
BOX_CHANGES = """() => new Promise(done => {
  let changes = 0;
  new MutationObserver(records => { changes += records.length; })
    .observe(document.getElementById("pm-preview-problems"), {childList: true, characterData: true, subtree: true});
  setTimeout(() => done(changes), 2500);
})"""


def _problems_in_a_browser(url: str, problem: str, fix) -> None:
    """The failed build's problems as a reader sees them in Chromium, then gone once ``fix`` mends the data and the page reloads."""
    from browser import AXE, AXE_MISSING, RUN_AXE, WCAG_TAGS, audited_context, chromium, describe_violations

    assert AXE.is_file(), AXE_MISSING
    with chromium() as browser:
        tab = audited_context(browser).new_page()
        tab.goto(url, wait_until="load")
        box = tab.wait_for_selector("#pm-preview-problems", timeout=15_000)
        assert box.get_attribute("role") == "alert" and problem in box.inner_text()
        assert tab.evaluate(BOX_CHANGES) == 0, "the alert's text is replaced while the problems stay the same, so it is read out again"
        violations = tab.evaluate(RUN_AXE, WCAG_TAGS)
        assert not violations, describe_violations({url: {"violations": violations}}, 1280)
        stops = []
        for _ in range(500):
            tab.keyboard.press("Tab")
            stops.append(tab.evaluate(FOCUS_BEHIND_BOX))
            if stops[-1]["at"] == "pm-preview-problems":
                break
        assert stops[-1]["at"] == "pm-preview-problems", "the problems box never takes the focus, so a long list cannot be scrolled"
        assert len(stops) > 20 and not [s["at"] for s in stops if s["hidden"]], "focused elements hidden behind the problems box"

        with tab.expect_event("load", timeout=240_000):  # the page reloads itself once a build succeeds
            fix()
        assert tab.query_selector("#pm-preview-problems") is None


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
