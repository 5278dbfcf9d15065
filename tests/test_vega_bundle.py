"""The Vega bundle is made once per vl-convert version in the user's cache folder, and is then exactly what vl-convert makes."""

from __future__ import annotations

import sys

import pytest
import vl_convert

from pmlib.rendering import site


def test_the_bundle_is_kept_by_vl_convert_version_and_made_again_for_another(tmp_path, monkeypatch):
    made = []

    def bundle() -> str:
        made.append(vl_convert.__version__)
        return f"/* vega for {vl_convert.__version__} */"

    monkeypatch.setattr(site.vl_convert, "javascript_bundle", bundle)
    site.vega_bundle.cache_clear()
    folder = str(tmp_path / "vega")
    assert site.vega_bundle(folder) == f"/* vega for {vl_convert.__version__} */"
    site.vega_bundle.cache_clear()  # a new process: the kept file is read, nothing made
    assert site.vega_bundle(folder) == f"/* vega for {vl_convert.__version__} */"
    assert len(made) == 1
    monkeypatch.setattr(site.vl_convert, "__version__", "99.0.0")
    site.vega_bundle.cache_clear()
    assert site.vega_bundle(folder) == "/* vega for 99.0.0 */"
    assert made == [made[0], "99.0.0"]
    site.vega_bundle.cache_clear()


def test_a_kept_bundle_is_the_one_vl_convert_makes(tmp_path):
    site.vega_bundle.cache_clear()
    folder = str(tmp_path / "vega")
    site.vega_bundle(folder)
    site.vega_bundle.cache_clear()
    assert site.vega_bundle(folder) == vl_convert.javascript_bundle()
    site.vega_bundle.cache_clear()


@pytest.mark.skipif(sys.platform != "linux", reason="platformdirs reads XDG_CACHE_HOME on Linux only")
def test_the_website_keeps_the_bundle_in_the_users_cache_folder_for_every_project(tmp_path, monkeypatch):
    made = []
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(site.vl_convert, "javascript_bundle", lambda: made.append(1) or "/* vega */")
    site.vega_bundle.cache_clear()
    assert site.vega_folder() == str(tmp_path / "cache" / "pmlib" / "vega")
    assert site.kept_vega_bundle() == "/* vega */"
    site.vega_bundle.cache_clear()  # another build, of another project
    assert site.kept_vega_bundle() == "/* vega */"
    assert made == [1]
    assert [p.read_text() for p in (tmp_path / "cache" / "pmlib" / "vega").glob("*/*.js")] == ["/* vega */"]
    site.vega_bundle.cache_clear()
