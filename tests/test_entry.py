"""A Ctrl-C or SIGTERM that Python hands over wrapped is still a cancel."""

from __future__ import annotations

from plexlogin.entry import interrupted


def test_a_wrapped_interrupt_is_recognised() -> None:
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise RuntimeError("Error calling __set_name__") from interrupt
    except RuntimeError as wrapped:
        assert interrupted(wrapped)


def test_other_runtime_errors_are_not_cancels() -> None:
    assert not interrupted(RuntimeError("a real bug"))
    try:
        try:
            raise ValueError("inner")
        except ValueError as inner:
            raise RuntimeError("outer") from inner
    except RuntimeError as wrapped:
        assert not interrupted(wrapped)


# --- the command's fast exit (entry.console) ---------------------------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402


def _command(*args: str) -> subprocess.Popen[str]:
    # stdout block-buffered, as for a setup wizard reading a pipe
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.Popen(
        [sys.executable, "-m", "plexlogin", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_the_command_leaves_with_mains_code_and_its_output_whole() -> None:
    # --help prints with print() into a pipe (block-buffered): leaving without Python's
    # teardown must still flush it, and keep the exit code
    help_run = _command("--help")
    out, err = help_run.communicate(timeout=60)
    assert help_run.returncode == 0
    assert out.startswith("usage: plexlogin") and out.endswith("\n")
    assert "login" in out and err == ""

    usage = _command("login", "--no-such-option")
    out, err = usage.communicate(timeout=60)
    assert usage.returncode == 2
    assert "--no-such-option" in err and out == ""


def test_a_reader_that_went_away_gets_no_traceback() -> None:
    with _command("--help") as gone:
        assert gone.stdout is not None and gone.stderr is not None
        gone.stdout.close()  # the reader is gone before plexlogin writes
        err = gone.stderr.read()
        gone.wait(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err
    assert gone.returncode in (0, 1)
