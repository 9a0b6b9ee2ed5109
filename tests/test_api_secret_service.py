"""The API against a real Secret Service: what the guide promises about reading the token.

Skipped unless PLEXLOGIN_TEST_SECRET_SERVICE=1 inside an unlocked D-Bus session (see
tests/test_tokens_secret_service.py for how to run it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import keyring.backend

import plexlogin
from plexlogin.simulator import Simulator
from tests.test_tokens_secret_service import pytestmark as secret_service_only
from tests.test_tokens_secret_service import secret_tool_lookup

pytestmark = secret_service_only


def test_the_token_a_headless_sign_in_stores_is_where_the_guide_says(
    make_sim: Callable[..., Simulator],
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
) -> None:
    from keyring.backends import SecretService

    use_keyring(SecretService.Keyring())  # type: ignore[no-untyped-call]
    sim = make_sim(auto_approve_after=0.2)
    service = f"plexlogin-test-{uuid.uuid4()}"  # never a real plexlogin entry
    result = plexlogin.sign_in(ui="none", plex_url=sim.url, keyring_service=service)
    token = plexlogin.stored_token(service)
    assert token is not None and token.startswith("SIMULATED-")
    # `secret-tool lookup service … username …`, as a shell wizard would read it
    assert secret_tool_lookup(service, result.keyring_username) == token
    keyring.delete_password(service, result.keyring_username)
    assert plexlogin.stored_token(service) is None
