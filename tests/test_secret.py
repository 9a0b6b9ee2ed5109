"""plexlogin.secret: a token shows its value only when asked by name."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable

import pytest

from plexlogin.secret import Token

VALUE = "SIMULATED-secret-test-0123456789"


def test_reveal_gives_the_value() -> None:
    assert Token(VALUE).reveal() == VALUE


@pytest.mark.parametrize("text", [repr, str, format, lambda t: f"{t} {t!r} {t!s:>60}"])
def test_every_way_of_printing_it_is_redacted(text: Callable[[Token], str]) -> None:
    shown = text(Token(VALUE))
    assert VALUE not in shown
    assert "redacted" in shown


def test_a_logged_token_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("plexlogin.test").debug("token %s / %r", Token(VALUE), [Token(VALUE)])
    assert caplog.records
    assert VALUE not in caplog.text


@pytest.mark.parametrize("bad", ["", None, 42, b"bytes-token"])
def test_only_a_non_empty_string_is_a_token(bad: object) -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        Token(bad)  # type: ignore[arg-type]


def test_tokens_compare_by_value_and_never_equal_a_plain_string() -> None:
    assert Token(VALUE) == Token(VALUE)
    assert hash(Token(VALUE)) == hash(Token(VALUE))
    assert Token(VALUE) != Token(VALUE + "x")
    assert Token(VALUE) != VALUE  # a str must not stand in for a token by accident
    assert len({Token(VALUE), Token(VALUE)}) == 1


def test_the_value_is_not_reachable_through_attributes_or_pickling() -> None:
    token = Token(VALUE)
    assert not hasattr(token, "__dict__")  # nothing for vars() or a debugger's dump to show
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(token)
