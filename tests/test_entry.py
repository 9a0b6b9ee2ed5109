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
