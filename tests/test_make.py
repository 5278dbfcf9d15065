"""The Makefile's two jobs install what each uses: the main job never installs the test tools."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
TEST_ONLY = ("npm install", "[test", "install-system-packages test")


def dry_run(target: str) -> str:
    """What ``make TARGET`` would run on a fresh machine (every target out of date), without running it."""
    if not shutil.which("make"):
        pytest.skip("make is not on PATH")
    done = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def test_make_build_installs_only_what_the_build_uses():
    commands = dry_run("build")
    assert "install-system-packages build" in commands
    assert "pm build --latest" in commands
    assert [word for word in TEST_ONLY if word in commands] == []


def test_make_test_installs_the_test_tools_too():
    commands = dry_run("test")
    assert [word for word in TEST_ONLY if word not in commands] == []


def test_the_build_packages_are_a_subset_of_the_test_packages():
    script = (ROOT / "scripts" / "install-system-packages").read_text()
    lines = {line.split(")")[0].strip(): line for line in script.splitlines() if "PACKAGES=(" in line}
    build = set(lines["build"].split("(", 1)[1].split(")")[0].split())
    test = set(lines["test"].split("(", 1)[1].split(")")[0].split())
    assert build and build <= test
    assert "chromium" not in build and "poppler-utils" not in build
