"""The Vega bundle is made once per vl-convert version in a project's cache, and is then exactly what vl-convert makes."""

from __future__ import annotations

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
