"""The built site checked by the validators a council's web and open-data teams trust, not by our own tests alone.

The W3C Nu HTML Checker (``vnu.jar``, from npm, run by Java) reads every HTML
page of the built site in one run; Frictionless validates every
``datapackage.json`` the build wrote, each resource it lists included.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from browser import ROOT

pytestmark = pytest.mark.e2e

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_html_checker(folder) -> list[dict]:
    """Every message (errors and warnings) the Nu HTML Checker gives for the HTML pages under ``folder``."""
    java = shutil.which("java")
    assert java, "Java is not installed: run bash scripts/install-system-packages test (Debian package default-jre-headless)"
    assert VNU.is_file(), f"{VNU.relative_to(ROOT)} is missing: run `make test`, or `npm install --no-package-lock` in the repository root"
    done = subprocess.run(
        [java, "-jar", str(VNU), "--skip-non-html", "--format", "json", "--exit-zero-always", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stderr)["messages"]


def test_every_page_passes_the_nu_html_checker_with_no_error_or_warning(built_site):
    _, site, _ = built_site
    messages = nu_html_checker(site)
    found = [f"{m['url'].split('/_site/')[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}" for m in messages]
    assert not found, "\n".join(found[:20])


def test_the_checker_finds_what_it_should(tmp_path):
    """A page with the error the chart markup once had, so the test above cannot pass by checking nothing."""
    (tmp_path / "page.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        '<figure><div>x</div><figcaption>c</figcaption><script type="application/json">{}</script></figure></body></html>',
        encoding="utf-8",
    )
    assert [m["message"][:37] for m in nu_html_checker(tmp_path)] == ["Element “script” not allowed as child"]


def test_every_data_package_passes_frictionless_validate(built_site):
    from frictionless import validate

    project, site, _ = built_site
    packages = sorted(site.rglob("datapackage.json"))
    assert len(packages) == len(list((project / "reports").glob("20*-Q*"))), packages
    for package in packages:
        report = validate(package)
        assert report.valid, (package, report.flatten(["rowNumber", "fieldName", "type", "note"]))
        assert [task.name for task in report.tasks] == [r["name"] for r in json.loads(package.read_text(encoding="utf-8"))["resources"]]
