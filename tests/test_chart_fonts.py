"""``chart_fonts``: vl-convert shown the system's font folders less Liberation Sans's, for its first chart only, with the same SVGs."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmlib.views import chart_fonts
from pmlib.views.chart_fonts import VARIABLE, first_chart, folders_without_carried, font_roots, fontconfig_text
from pmlib.views.charts import FONT

FONT_BYTES = b"not a font, only a name"


def _tree(root: Path, files: list[str]) -> None:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(FONT_BYTES)


@pytest.mark.parametrize(
    ("files", "kept", "left_out"),
    [
        (["dejavu/DejaVuSans.ttf", "liberation/LiberationSans-Regular.ttf"], ["dejavu"], True),
        (["dejavu/DejaVuSans.ttf", "liberation/LiberationSans-Bold.TTF", "liberation/LiberationSerif-Bold.ttf"], ["dejavu"], True),
        (["truetype/dejavu/DejaVuSans.ttf", "truetype/liberation/LiberationSans-Regular.ttf"], ["truetype/dejavu"], True),
        (["LiberationSans-Regular.ttf", "noto/NotoSans.otf"], ["noto"], True),
        (["liberation/LiberationSansNarrow-Regular.ttf", "dejavu/DejaVuSans.ttf"], ["."], False),
        (["liberation/LiberationSans-Regular.txt", "dejavu/DejaVuSans.ttf"], ["."], False),
        (["liberation/LiberationSans-Regular.ttf"], [], True),
    ],
)
def test_the_folders_kept_are_the_largest_without_liberation_sans(tmp_path, files, kept, left_out):
    _tree(tmp_path, files)
    folders, any_left_out = folders_without_carried([tmp_path, tmp_path / "absent"])
    assert sorted(str(f.relative_to(tmp_path)) for f in folders) == sorted(kept)
    assert any_left_out is left_out


def test_the_fontconfig_file_names_each_folder_escaped():
    text = fontconfig_text([Path("/fonts/a&b"), Path("/fonts/<c>")])
    assert "<dir>/fonts/a&amp;b</dir>\n  <dir>/fonts/&lt;c&gt;</dir>" in text
    assert text.startswith('<?xml version="1.0"?>') and text.endswith("</fontconfig>\n")


def _c_environment(name: str) -> str | None:
    """The variable as the C library's environment holds it, where vl-convert reads it (``os.environ`` does not see ``os.putenv``)."""
    value = ctypes.CDLL(None).getenv
    value.restype = ctypes.c_char_p
    found = value(name.encode())
    return None if found is None else found.decode()


def test_only_the_first_chart_of_a_process_is_shown_the_file_and_the_variable_is_put_back(monkeypatch, tmp_path):
    monkeypatch.setattr(chart_fonts, "_drawn_first", False)
    monkeypatch.setattr(chart_fonts, "fontconfig_file", lambda: tmp_path / "fonts.conf")
    monkeypatch.delenv(VARIABLE, raising=False)
    seen = []
    for _ in range(2):
        with first_chart():
            seen.append((_c_environment(VARIABLE), VARIABLE in os.environ))
    assert seen == [(str(tmp_path / "fonts.conf"), False), (None, False)]
    assert _c_environment(VARIABLE) is None


def test_a_fontconfig_file_set_already_is_left_alone(monkeypatch, tmp_path):
    monkeypatch.setattr(chart_fonts, "_drawn_first", False)
    monkeypatch.setattr(chart_fonts, "fontconfig_file", lambda: tmp_path / "fonts.conf")
    monkeypatch.setenv(VARIABLE, "/etc/theirs.conf")
    with first_chart():
        assert os.environ[VARIABLE] == "/etc/theirs.conf"
    assert os.environ[VARIABLE] == "/etc/theirs.conf"


def test_the_variable_is_put_back_when_the_first_chart_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(chart_fonts, "_drawn_first", False)
    monkeypatch.setattr(chart_fonts, "fontconfig_file", lambda: tmp_path / "fonts.conf")
    monkeypatch.delenv(VARIABLE, raising=False)
    with pytest.raises(ValueError), first_chart():
        raise ValueError("vl-convert refused the spec")
    assert _c_environment(VARIABLE) is None and VARIABLE not in os.environ


# Status symbols Liberation Sans lacks, which vl-convert measures in a fallback system font, beside plain labels.
SYMBOLS_SPEC = {
    "config": {"font": FONT, "legend": {"orient": "bottom", "title": None}},
    "data": {
        "values": [
            {"status": s, "plan": p, "n": n}
            for s, p, n in [
                ("✓ On target", "Dynamic Places", 5),
                ("▲ Below target", "Fulfilled Lives", 2),
                ("✖ Intervention", "Brighter Futures", 1),
                ("○ Monitoring", "Modern, Accessible and Accountable Council", 3),
            ]
        ]
    },
    "mark": "bar",
    "encoding": {
        "y": {"field": "plan", "type": "nominal"},
        "x": {"field": "n", "type": "quantitative"},
        "color": {"field": "status", "type": "nominal"},
    },
    "title": {"text": "Measures by status", "subtitle": "27 of 39 on target; 4 need intervention ↗"},
    "width": 520,
}
DRAW = (
    "import json, sys, vl_convert\n"
    "from pmlib.views.chart_fonts import first_chart\n"
    "with first_chart(): print(vl_convert.vegalite_to_svg(json.loads(sys.argv[1])), end='')"
)


@pytest.mark.skipif(not folders_without_carried(font_roots())[1], reason="no system Liberation Sans for vl-convert to leave out here")
def test_a_chart_drawn_with_vl_converts_own_liberation_sans_is_byte_for_byte_the_one_drawn_with_the_systems():
    spec = json.dumps(SYMBOLS_SPEC)
    env = {k: v for k, v in os.environ.items() if k != VARIABLE}
    own = subprocess.run([sys.executable, "-c", DRAW, spec], env=env, capture_output=True, text=True, check=True).stdout
    system = subprocess.run(
        [sys.executable, "-c", DRAW, spec], env={**env, VARIABLE: "/etc/fonts/fonts.conf"}, capture_output=True, text=True, check=True
    ).stdout
    assert own.startswith("<svg") and "On target" in own
    assert own == system
