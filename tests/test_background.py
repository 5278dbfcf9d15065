"""Work a build hands to a worker process: results, errors as themselves, and waiting before the caller moves on."""

import os
import time
from pathlib import Path

import pytest

from pmlib.errors import ConfigError, DataContractError, Problem
from pmlib.rendering.background import Background


def _write_later(path: Path, seconds: float) -> str:
    path.with_suffix(".started").touch()
    time.sleep(seconds)
    path.write_text("done", encoding="utf-8")
    return path.name


def _fail(kind: str) -> None:
    if kind == "problems":
        raise DataContractError([Problem("data/measures.csv", 3, "unit", "not a unit")])
    raise ConfigError("no params file")


def test_results_come_back_in_the_order_asked_for(tmp_path):
    with Background(workers=1) as background:
        first = background.submit(_write_later, tmp_path / "a", 0)
        second = background.submit(_write_later, tmp_path / "b", 0)
        assert (second.result(), first.result()) == ("b", "a")


def test_a_pmlib_error_in_the_worker_is_raised_as_itself_with_its_problems():
    with Background(workers=1) as background:
        with pytest.raises(DataContractError) as caught:
            background.submit(_fail, "problems").result()
        assert caught.value.problems == [Problem("data/measures.csv", 3, "unit", "not a unit")]
        with pytest.raises(ConfigError, match="no params file"):
            background.submit(_fail, "config").result()


def test_an_error_in_the_caller_still_waits_for_work_already_started(tmp_path):
    with pytest.raises(RuntimeError, match="pages failed"), Background(workers=1) as background:
        background.submit(_write_later, tmp_path / "pack", 0.5)
        while not (tmp_path / "pack.started").exists():
            time.sleep(0.01)
        raise RuntimeError("pages failed")
    assert (tmp_path / "pack").read_text(encoding="utf-8") == "done"


def _pid() -> int:
    return os.getpid()


def test_work_offered_when_every_worker_is_busy_is_done_here_when_asked_for(tmp_path):
    with Background(workers=1) as background:
        busy = background.submit(_write_later, tmp_path / "pack", 0.5)
        kept = background.offer(_pid)
        assert not kept.done()
        assert kept.result() == os.getpid() and kept.done()
        assert busy.result() == "pack"
        assert background.offer(_pid).result() != os.getpid()  # a worker is idle now


def test_work_offered_while_every_worker_is_busy_goes_to_the_first_worker_free_if_not_asked_for_before(tmp_path):
    with Background(workers=1) as background:
        busy = background.submit(_write_later, tmp_path / "pack", 0.2)
        kept = background.offer(_pid)
        assert busy.result() == "pack"
        deadline = time.monotonic() + 30
        while not kept.done() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert kept.done() and kept.result() != os.getpid()


def test_with_no_spare_core_the_work_is_done_here_in_line(tmp_path):
    with Background(workers=0) as background:
        pending = background.submit(_pid)
        assert not pending.done() and pending.result() == os.getpid()
        with pytest.raises(DataContractError):
            background.submit(_fail, "problems").result()


def test_a_pool_given_is_used_and_left_running_once_the_work_started_in_it_is_done(tmp_path):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        with Background(workers=1, pool=pool) as background:
            busy = background.submit(_write_later, tmp_path / "pack", 0.2)
            offered = background.offer(_pid)  # the one worker is busy: handed over when it is free
            assert busy.result() == "pack"
            deadline = time.monotonic() + 30
            while not offered.done() and time.monotonic() < deadline:
                time.sleep(0.01)
            late = background.offer(_write_later, tmp_path / "late", 0.3)  # the worker is free: started at once
        assert (tmp_path / "late").read_text(encoding="utf-8") == "done"  # waited for before the block ended
        assert late.done() and offered.result() != os.getpid()
        assert pool.submit(_pid).result() == offered.result()  # the same worker, still running
    finally:
        pool.shutdown()


def test_keep_warm_starts_the_warm_server_without_waiting_and_gives_each_worker_its_code_to_load(tmp_path, monkeypatch):
    from pmlib.project import Project
    from pmlib.rendering import background, building
    from pmlib.run import execution, warm_kernels, workers

    started, given, pools, read = [], [], [], []
    monkeypatch.setattr(building, "read_ahead", lambda project: read.append(project.root))
    monkeypatch.setattr(background, "usable_cores", lambda: 3)
    monkeypatch.setattr(execution, "usable_cores", lambda: 3)
    monkeypatch.setattr(warm_kernels, "start", lambda *, wait=True: started.append(wait))
    monkeypatch.setattr(execution, "worker_pool", lambda project, jobs: pools.append((project.root, jobs)) or "the pool")
    monkeypatch.setattr(background, "submit", lambda pool, fn, *args: given.append((pool, fn, *args)))
    monkeypatch.setattr(workers, "kept", lambda: None)
    background.keep_warm(Project(root=tmp_path))
    background.read_ahead_done()
    assert started == [False] and pools == [(tmp_path, None)] and read == [tmp_path]
    assert given == [("the pool", background._load_worker_code, Project(root=tmp_path))] * 4  # one more worker than cores
    monkeypatch.setattr(workers, "kept", lambda: "a pool kept already")
    background.keep_warm(Project(root=tmp_path))
    assert started == [False, False] and len(pools) == 1 and len(given) == 4, "a kept pool is left as it is"
    background._load_worker_code()  # what a worker runs: importable and finds the pack's fonts


def test_a_worker_kept_warm_typesets_the_latest_pack_once_into_a_folder_thrown_away(tmp_path, monkeypatch):
    """So an edit's pack, mostly the last one again, finds Typst's layout kept; a project it cannot typeset is left to the build."""
    import json
    import shutil

    from pmlib.contract.params_folder import select_quarters
    from pmlib.project import Project
    from pmlib.rendering import background, pack

    root = Path(__file__).parents[1]
    earlier, latest = select_quarters(root / "params", every=True)[-2:]
    for name in ("data", "params", "_extensions"):
        shutil.copytree(root / name, tmp_path / name)
    for q in (earlier, latest):
        shutil.copytree(root / "reports" / q.slug, tmp_path / "reports" / q.slug)
    project = Project(
        root=tmp_path, data=tmp_path / "data", params=tmp_path / "params", reports=tmp_path / "reports", out=tmp_path / "_site"
    )
    typeset, real = [], pack.render_pack
    monkeypatch.setattr(pack, "render_pack", lambda q, p, *, out_pdf: typeset.append((q, out_pdf, real(q, p, out_pdf=out_pdf))))
    manifest = tmp_path / "_site" / "manifest.json"
    manifest.parent.mkdir()
    for built_with in (None, "quarto"):  # never built, or built by Quarto, which typesets its own packs
        if built_with:
            manifest.write_text(json.dumps({"renderer": built_with}), encoding="utf-8")
        background._load_worker_code(project)
    assert typeset == []
    manifest.write_text(json.dumps({"renderer": "builtin"}), encoding="utf-8")
    background._load_worker_code(project)
    [(quarter, pdf, made)] = typeset
    assert quarter == latest and made == pdf and not pdf.exists() and not pdf.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_extensions", "_site", "data", "params", "reports"], "nothing written"
    assert [p.name for p in (tmp_path / "_site").iterdir()] == ["manifest.json"]
    shutil.rmtree(tmp_path / "params")
    background._load_worker_code(project)  # no quarter to typeset: nothing raised
    assert len(typeset) == 1
