"""Python's memory in pm's batch processes: rarer collections, what was imported frozen, and an end that skips the teardown."""

import subprocess
import sys
import textwrap

from pmlib.collector import THRESHOLDS


def _run(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=60)


def test_a_batch_process_collects_less_often_and_freezes_what_it_holds_when_asked():
    done = _run(
        """
        import gc
        from pmlib.collector import set_for_batch
        set_for_batch()
        print(gc.get_threshold(), gc.get_freeze_count() == 0)
        set_for_batch(freeze=True)
        print(gc.get_freeze_count() > 0)
        """
    )
    assert done.stdout.splitlines() == [f"{THRESHOLDS} True", "True"]


def test_an_end_without_teardown_still_writes_everything_printed_and_gives_the_status():
    done = _run(
        """
        import atexit, sys
        from pmlib.collector import exit_without_teardown
        atexit.register(lambda: print("never: the end is at once"))
        print("kept in the buffer of a pipe", end="")
        print("and on stderr", file=sys.stderr, end="")
        exit_without_teardown(3)
        """
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "kept in the buffer of a pipe", "and on stderr")


def test_pm_ends_at_once_with_its_commands_status_and_what_it_printed():
    done = _run("import sys; sys.argv = ['pm', 'no-such-command']; from pmlib.cli.build_server import pm; pm()")
    assert done.returncode == 2 and "No such command 'no-such-command'" in done.stderr  # click's usage error
