"""pm run's store of drawn charts: a chart is kept by its exact spec and the versions that drew it, and given back only for those."""

from __future__ import annotations

import json
import os
import time

import vl_convert

from pmlib.views import chart_store
from pmlib.views.charts import _vegalite_svg

SPEC = json.dumps({"mark": "bar", "data": {"values": [{"a": "x", "b": 3}]}, "encoding": {"x": {"field": "a"}}})


def test_a_chart_drawn_once_is_given_back_for_the_same_spec_and_no_other(tmp_path, monkeypatch):
    monkeypatch.setenv(chart_store.STORE, str(tmp_path))
    assert chart_store.kept(SPEC) is None
    chart_store.keep(SPEC, "<svg>drawn</svg>")
    assert chart_store.kept(SPEC) == "<svg>drawn</svg>"
    assert chart_store.kept(SPEC.replace("bar", "line")) is None
    assert not list(tmp_path.glob("*/*.part"))  # written aside, then renamed


def test_another_version_of_the_drawing_libraries_draws_again(tmp_path, monkeypatch):
    monkeypatch.setenv(chart_store.STORE, str(tmp_path))
    chart_store.keep(SPEC, "<svg>old</svg>")
    monkeypatch.setattr(chart_store, "_versions", lambda: "vl-convert 99")
    assert chart_store.kept(SPEC) is None


def test_without_a_store_or_with_it_off_nothing_is_kept(tmp_path, monkeypatch):
    for value in (None, "off"):
        if value is None:
            monkeypatch.delenv(chart_store.STORE, raising=False)
        else:
            monkeypatch.setenv(chart_store.STORE, value)
        chart_store.keep(SPEC, "<svg/>")
        assert chart_store.kept(SPEC) is None
    assert not any(tmp_path.iterdir())


def test_a_kept_chart_is_what_vl_convert_draws(tmp_path, monkeypatch):
    monkeypatch.setenv(chart_store.STORE, str(tmp_path))
    monkeypatch.delenv("PMLIB_CHART_DRAWER", raising=False)
    _vegalite_svg.cache_clear()
    try:
        drawn = _vegalite_svg(SPEC)
    finally:
        _vegalite_svg.cache_clear()
    assert drawn == vl_convert.vegalite_to_svg(json.loads(SPEC)) == chart_store.kept(SPEC)


def test_pruning_deletes_what_was_not_used_for_months_and_old_half_written_files(tmp_path, monkeypatch):
    monkeypatch.setenv(chart_store.STORE, str(tmp_path))
    chart_store.keep(SPEC, "<svg>old</svg>")
    old = next(tmp_path.glob("*/*.svg"))
    stale = old.with_name("stale.part")
    fresh = old.with_name("fresh.part")
    stale.write_text("half")
    fresh.write_text("half")
    now = time.time()
    os.utime(stale, (now - 7200, now - 7200))
    chart_store.prune(tmp_path, now)
    assert old.exists() and fresh.exists() and not stale.exists()
    chart_store.kept(SPEC)  # used: its clock starts again
    chart_store.prune(tmp_path, now + (chart_store.UNUSED_DAYS - 1) * 86400)
    assert old.exists()
    chart_store.prune(tmp_path, time.time() + (chart_store.UNUSED_DAYS + 1) * 86400)
    assert not old.exists()


def test_a_build_keeps_its_pages_charts_in_the_store_it_names_unless_the_environment_names_another(tmp_path, monkeypatch):
    monkeypatch.delenv(chart_store.STORE, raising=False)
    with chart_store.kept_in(tmp_path / "given"):
        chart_store.keep(SPEC, "<svg>given</svg>")
        assert chart_store.kept(SPEC) == "<svg>given</svg>"
    assert chart_store.kept(SPEC) is None  # only within the block
    monkeypatch.setenv(chart_store.STORE, "off")
    with chart_store.kept_in(tmp_path / "given"):
        assert chart_store.kept(SPEC) is None
