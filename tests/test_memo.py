"""The data checked and each quarter judged once per process, and again as soon as any file of their folders changes."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pmlib.contract import memo
from pmlib.contract.loading import check_data, load_data
from pmlib.contract.memo import Memo, folder_state
from pmlib.views import report as report_module
from pmlib.views.report import quarter_report

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def folders(tmp_path):
    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    shutil.copytree(FIXTURES / "params" / "good", tmp_path / "params")
    return tmp_path / "data", tmp_path / "params"


def test_a_folder_checked_again_unchanged_gives_the_same_data_and_a_copy_of_its_problems(folders):
    data_dir, _ = folders
    first, problems = check_data(data_dir)
    again, problems_again = check_data(data_dir)
    assert again is first
    assert problems_again == problems and problems_again is not problems  # the caller may add to its list


def test_one_byte_changed_anywhere_in_the_folder_is_read_again(folders):
    data_dir, _ = folders
    first = load_data(data_dir)
    commentary = data_dir / "commentary.csv"
    commentary.write_text(commentary.read_text().replace("a *third*", "a *quarter*"))
    again = load_data(data_dir)
    assert again is not first
    assert again.commentary["commentary"].str.contains("a \\*quarter\\*").any()
    assert not first.commentary["commentary"].str.contains("a \\*quarter\\*").any()
    observations = next((data_dir / "observations").iterdir())  # a file in a folder within
    observations.write_bytes(observations.read_bytes() + b"\n")
    assert load_data(data_dir) is not again


def test_a_bad_folder_gives_the_same_errors_every_time_and_is_read_again_when_mended(folders):
    data_dir, _ = folders
    measures = data_dir / "measures.csv"
    good = measures.read_bytes()
    measures.write_bytes(good.replace(b"higher", b"upwards", 1))
    data, problems = check_data(data_dir)
    assert data is None and any(p.column == "polarity" for p in problems)
    assert check_data(data_dir)[1] == problems
    measures.write_bytes(good)
    assert check_data(data_dir)[0] is not None


def test_a_quarter_is_judged_once_until_its_params_or_data_change(folders):
    data_dir, params_dir = folders
    first = quarter_report("latest", data_dir, params_dir)
    assert quarter_report("latest", data_dir, params_dir) is first
    assert quarter_report("latest", data_dir, params_dir, data=load_data(data_dir)) is first
    assert quarter_report("latest", data_dir, params_dir, "internal") is not first  # another audience, another report
    params = next(params_dir.iterdir())
    params.write_text(params.read_text() + "\n# a comment is a change too\n")
    assert quarter_report("latest", data_dir, params_dir) is not first


def _same_report(a, b) -> None:
    """Everything two reports work out from their data, frame by frame."""
    for name in ("judged", "previous", "history", "year_ago", "year_view", "provenance", "freshness", "changes"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            pd.testing.assert_frame_equal(x, y, obj=name)
    for part in dataclasses.fields(a.comparisons):
        x, y = getattr(a.comparisons, part.name), getattr(b.comparisons, part.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, obj=part.name)
        else:
            assert x == y, part.name


def test_after_commentary_changes_alone_the_quarter_is_not_judged_again_but_shows_the_new_words(folders, monkeypatch):
    data_dir, params_dir = folders
    first = quarter_report("latest", data_dir, params_dir)
    assert first.changes is not None  # worked out before the edit, so kept after it
    commentary = data_dir / "commentary.csv"
    commentary.write_text(commentary.read_text().replace("a *third*", "a *quarter*"))
    monkeypatch.setattr(report_module, "judge", lambda *args, **kwargs: pytest.fail("judged again"))
    again = quarter_report("latest", data_dir, params_dir)
    assert again is not first and again.data is load_data(data_dir)
    assert again.judged is first.judged and again.__dict__["changes"] is first.changes
    assert again.commentary()["commentary"].str.contains("a \\*quarter\\*").any()
    monkeypatch.undo()
    memo.forget()
    _same_report(again, quarter_report("latest", data_dir, params_dir))  # what a new process would make
    # Any other file changed, the quarter is judged again.
    observations = next((data_dir / "observations").iterdir())
    observations.write_bytes(observations.read_bytes() + b"\n")
    assert quarter_report("latest", data_dir, params_dir).judged is not again.judged


def test_data_not_from_the_folder_checker_is_judged_every_time(folders):
    data_dir, params_dir = folders
    data = load_data(data_dir)
    made = type(data)(**{**data.__dict__, "files": {}})  # built by hand, as a test or a caller might
    assert quarter_report("latest", data_dir, params_dir, data=made) is not quarter_report("latest", data_dir, params_dir, data=made)


def test_folder_state_names_the_folder_as_given_and_where_it_is(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_text("1")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    named, real, digest = folder_state(tmp_path / "b")
    assert named == str(tmp_path / "b") and real == str(tmp_path / "a") and digest == folder_state(tmp_path / "a")[2]
    (tmp_path / "a" / "y.csv").write_text("")  # an empty file added changes it
    assert folder_state(tmp_path / "a")[2] != digest
    assert folder_state(tmp_path / "missing")[2] == ""


def test_the_memo_keeps_the_newest_and_keeps_nothing_for_a_failure():
    memo = Memo(2)
    made = []
    for key in ("a", "b", "a", "c", "b"):
        memo.get(key, lambda key=key: made.append(key) or key.upper())
    assert made == ["a", "b", "c", "b"]  # "b" was the oldest when "c" came
    with pytest.raises(ZeroDivisionError):
        memo.get("d", lambda: 1 / 0)
    assert memo.values() == ["C", "B"]


def test_a_figure_supplied_after_a_quarters_date_leaves_that_quarter_judged_as_it_was(tmp_path, monkeypatch):
    root = Path(__file__).parents[1]
    shutil.copytree(root / "data", tmp_path / "data")
    shutil.copytree(root / "params", tmp_path / "params")
    data_dir, params_dir = tmp_path / "data", tmp_path / "params"
    earlier = quarter_report("2021/22 Q1", data_dir, params_dir)  # data_as_at 31 July 2021
    latest = quarter_report("2021/22 Q2", data_dir, params_dir)
    figures = data_dir / "observations" / "environment.csv"
    lines = figures.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if i and "2021-07-31" < line.rstrip().rsplit(",", 1)[1])
    cells = lines[row].split(",")
    cells[2] = "12345" if cells[2] else cells[2]
    cells[3] = "12345" if not cells[2] else cells[3]
    lines[row] = ",".join(cells)
    figures.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(report_module, "judge", lambda *args, **kwargs: pytest.fail("judged again"))
    again = quarter_report("2021/22 Q1", data_dir, params_dir)
    assert again.data is load_data(data_dir) and again.judged is earlier.judged
    monkeypatch.undo()
    assert quarter_report("2021/22 Q2", data_dir, params_dir).judged is not latest.judged  # the latest quarter sees it
    memo.forget()
    _same_report(again, quarter_report("2021/22 Q1", data_dir, params_dir))  # what a new process would make


def test_after_one_file_changes_only_that_file_is_read_again_and_the_data_is_what_a_new_process_reads(folders, monkeypatch):
    from pmlib.contract import collecting

    data_dir, _ = folders
    load_data(data_dir)
    read = []
    original = collecting.read_table
    monkeypatch.setattr(collecting, "read_table", lambda path, *args: read.append(path.name) or original(path, *args))
    commentary = data_dir / "commentary.csv"
    commentary.write_text(commentary.read_text().replace("a *third*", "a *quarter*"))
    data, problems = check_data(data_dir)
    assert read == ["commentary.csv"]
    memo.forget()
    fresh, fresh_problems = check_data(data_dir)
    assert problems == fresh_problems
    for field in dataclasses.fields(data):
        value, expected = getattr(data, field.name), getattr(fresh, field.name)
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, expected)
        elif field.name != "data_dir":
            assert value == expected, field.name


def test_a_file_read_again_after_each_edit_is_kept_once(folders):
    from pmlib.contract import collecting

    data_dir, _ = folders
    commentary = data_dir / "commentary.csv"
    load_data(data_dir)
    kept = len(collecting._read.values())
    before = "a *third*"
    for word in ("a *second*", "a *fourth*", "a *fifth*"):
        commentary.write_text(commentary.read_text().replace(before, word))
        assert load_data(data_dir).commentary["commentary"].str.contains(word, regex=False).any()
        before = word
    assert len(collecting._read.values()) == kept
    kept_once = Memo(2)
    kept_once.keep("a", 1)
    kept_once.keep("a", 2)
    assert kept_once.values() == [2] and kept_once.get("a", lambda: 3) == 2
