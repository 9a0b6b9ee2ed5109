"""``--auth jwt`` sign-ins against the simulator, which checks every device JWT for real."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from plexlogin import events
from plexlogin.cli import main
from plexlogin.config import load_config
from plexlogin.devicekey import DeviceKeyStore, key_service
from plexlogin.errors import ExitCode
from plexlogin.errors import TokenExpired as TokenExpiredError
from plexlogin.jwtauth import DeviceKey
from plexlogin.login import LoginSession, LoginSettings, Status
from plexlogin.plex import Identity, PlexClient
from plexlogin.secret import Token
from plexlogin.simulator import Simulator
from plexlogin.simulator.accounts import User
from plexlogin.tokens import MemoryKeyring, TokenStore
from tests.helpers.fake_clock import FakeClock

CLIENT_ID = "0b7c4d3e-5f60-4a1b-8c2d-9e0f1a2b3c4d"
SERVICE = "plexlogin-jwt-test"


def settings(sim: Simulator, **changes: object) -> LoginSettings:
    values: dict[str, object] = {
        "plex_url": sim.url,
        "client_id": CLIENT_ID,
        "product": "plexlogin",
        "device_name": None,
        "keyring_service": SERVICE,
        "keyring_username": None,
        "auth": "jwt",
    }
    values.update(changes)
    return LoginSettings(**values)  # type: ignore[arg-type]


def approve_newest(sim: Simulator) -> None:
    pending = [p for p in sim.pins() if not p.approved and not p.strong]
    sim.approve(max(pending, key=lambda p: p.id).id)


def approving(sim: Simulator) -> Callable[[events.Event], None]:
    """An event listener that approves the newest code as soon as codes are shown."""

    def on_event(event: events.Event) -> None:
        if isinstance(event, events.CodesReady):
            approve_newest(sim)

    return on_event


def accepted_by(sim: Simulator, token: Token) -> str | None:
    with PlexClient(Identity(client_id=CLIENT_ID), sim.url) as client:
        return client.get_user(token).username


def test_a_jwt_sign_in_stores_a_plex_jwt_and_its_key_beside_it(
    simulator: Simulator, memory_keyring: MemoryKeyring
) -> None:
    on_event = approving(simulator)
    session = LoginSession(settings(simulator), on_event)
    outcome = session.sign_in()
    assert outcome.status is Status.SIGNED_IN, outcome.error
    username = outcome.keyring_username
    assert username == "demo-user" and outcome.expires_at is not None
    token = TokenStore(SERVICE).load(username)
    assert token is not None and token.reveal().count(".") == 2
    assert accepted_by(simulator, token) == "demo-user"
    key = DeviceKeyStore(SERVICE).load(username)
    assert key is not None
    claims = pyjwt.decode(token.reveal(), options={"verify_signature": False})
    assert claims["thumbprint"] == key.kid  # the stored key is the one the JWT is bound to
    # the key's own entry: another service, the same username
    assert set(memory_keyring._entries) == {(SERVICE, username), (key_service(SERVICE), username)}
    config, _ = load_config()
    assert (config.auth, config.jwt_client_id) == ("jwt", CLIENT_ID)
    # every PIN carried the key and every poll a device JWT
    polls = [r for r in simulator.requests if r.method == "GET" and "/pins/" in r.path]
    assert polls and all("deviceJWT" in r.query for r in polls)


def test_the_next_sign_in_of_the_same_entry_reuses_its_key(
    simulator: Simulator, memory_keyring: MemoryKeyring
) -> None:
    on_event = approving(simulator)
    assert LoginSession(settings(simulator), on_event).sign_in().exit_code == ExitCode.OK
    first = DeviceKeyStore(SERVICE).load("demo-user")
    assert LoginSession(settings(simulator), on_event).sign_in().exit_code == ExitCode.OK
    second = DeviceKeyStore(SERVICE).load("demo-user")
    assert first is not None and second is not None and first.kid == second.kid
    # another client identifier gets a key of its own
    other = settings(simulator, client_id="1b7c4d3e-5f60-4a1b-8c2d-9e0f1a2b3c4d")
    assert LoginSession(other, on_event).sign_in().exit_code == ExitCode.OK
    third = DeviceKeyStore(SERVICE).load("demo-user")
    assert third is not None and third.kid != first.kid


def test_codes_shown_longer_than_a_nonce_lives_still_sign_in(
    simulator: Simulator, memory_keyring: MemoryKeyring, clock: FakeClock
) -> None:
    """Approval after six minutes: the device JWT (and its nonce) was re-made meanwhile."""
    for step in range(1, 13):  # the server's clock keeps pace with the flow's
        clock.at(30.0 * step, lambda: simulator.advance_clock(30.0))
    clock.at(361.0, lambda: approve_newest(simulator))
    session = LoginSession(
        settings(simulator),
        clock=clock,
        waiter=clock,
        wall_clock=lambda: time.time() + clock.elapsed,
    )
    outcome = session.sign_in()
    assert outcome.status is Status.SIGNED_IN, outcome.error
    assert clock.elapsed >= 361.0
    nonces = [r for r in simulator.requests if r.path.endswith("/auth/nonce")]
    assert len(nonces) >= 2  # one device JWT would have died at five minutes
    assert all(r.status == 200 for r in simulator.requests if "/pins/" in r.path)


def _crafted(sim: Simulator, kind: str, key_kid: Callable[[], str]) -> str:
    """A Plex JWT a misbehaving server might send."""
    user = User(1, "uuid-1", "mallory", 0, "mallory")
    if kind == "bad signature":
        claims = {
            "iss": "plex.tv",
            "aud": ["plex.tv", CLIENT_ID],
            "iat": int(time.time()),
            "exp": int(time.time()) + 600,
            "thumbprint": key_kid(),
        }
        other = Ed25519PrivateKey.generate()
        return pyjwt.encode(
            claims, other, algorithm="EdDSA", headers={"kid": sim.model.devices.kid}
        )
    if kind == "wrong aud":
        return sim.model.devices.issue(user, "another-client", key_kid())
    return sim.model.devices.issue(user, CLIENT_ID, DeviceKey.generate().kid)


@pytest.mark.parametrize("kind", ["bad signature", "wrong aud", "another key"])
def test_a_plex_jwt_that_does_not_check_out_is_refused_and_never_stored(
    simulator: Simulator, memory_keyring: MemoryKeyring, kind: str
) -> None:
    seen: list[events.Event] = []
    sent: list[str] = []
    session: LoginSession

    def our_kid() -> str:
        device = session.flow.device
        assert device is not None
        return device.key.kid

    def on_event(event: events.Event) -> None:
        seen.append(event)
        if isinstance(event, events.CodesReady) and not event.renewed:
            crafted = _crafted(simulator, kind, our_kid)
            sent.append(crafted)
            body = {"id": 1, "code": "ABCD", "expiresIn": 600, "authToken": crafted}
            simulator.add_fault("poll", status=200, body=json.dumps(body))
        elif isinstance(event, events.CodesReady):
            approve_newest(simulator)

    session = LoginSession(settings(simulator), on_event)
    outcome = session.sign_in()
    assert outcome.status is Status.SIGNED_IN, outcome.error
    stored = TokenStore(SERVICE).load("demo-user")
    assert sent and stored is not None and stored.reveal() != sent[0]
    assert sent[0] not in memory_keyring._entries.values()
    assert any(isinstance(e, events.Renewing) and "rejected" in e.reason for e in seen)
    # refused before anything trusted it: only the real token was shown to /api/v2/user
    assert len([r for r in simulator.requests if r.path.endswith("/api/v2/user")]) == 1


def test_the_terminal_signs_in_with_auth_jwt(
    simulator: Simulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    def approve() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if len([p for p in simulator.pins() if not p.approved]) >= 2:
                approve_newest(simulator)
                return
            time.sleep(0.01)

    threading.Thread(target=approve, daemon=True).start()
    argv = ["--terminal", "--json", "--auth", "jwt", "--plex-url", simulator.url]
    code = main([*argv, "--keyring-service", SERVICE])
    out, _err = capsys.readouterr()
    data = json.loads(out)
    assert code == 0 and data["auth"] == "jwt" and data["status"] == "signed_in"
    assert isinstance(data["expires_at"], str) and data["expires_at"].endswith("+00:00")
    token = TokenStore(SERVICE).load("demo-user")
    assert token is not None and accepted_by(simulator, token) == "demo-user"


def test_the_demo_signs_in_with_auth_jwt_offline(
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import plexlogin.cli

    monkeypatch.setattr(plexlogin.cli, "DEMO_AUTO_APPROVE", 0.2)
    code = main(["--demo", "--terminal", "--json", "--auth", "jwt"])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert code == 0, err
    assert (data["status"], data["auth"], data["keyring_service"]) == (
        "signed_in",
        "jwt",
        "plexlogin-demo",
    )
    assert data["expires_at"] is not None
    username = str(data["keyring_username"])
    token = TokenStore("plexlogin-demo").load(username)
    key = DeviceKeyStore("plexlogin-demo").load(username)
    assert token is not None and key is not None
    assert pyjwt.get_unverified_header(token.reveal())["kid"].startswith("SIMULATED-")


# --- token, status, logout with a stored Plex JWT ------------------------------------------


def signed_in_entry(sim: Simulator) -> Token:
    """A remembered JWT sign-in of demo-user (config.json notes it), its token."""
    outcome = LoginSession(settings(sim), approving(sim)).sign_in()
    assert outcome.exit_code == ExitCode.OK, outcome.error
    token = TokenStore(SERVICE).load("demo-user")
    assert token is not None
    return token


def created_pins(sim: Simulator) -> int:
    return len([r for r in sim.requests if r.method == "POST" and r.path.endswith("/pins")])


def test_token_renews_an_expired_plex_jwt_without_a_new_pin(
    make_sim: Callable[..., Simulator],
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = make_sim(jwt_lifetime=5)
    old = signed_in_entry(sim)
    pins = created_pins(sim)
    sim.advance_clock(10)
    with pytest.raises(TokenExpiredError):
        accepted_by(sim, old)
    # no --client-id: the renewal speaks as the client the JWT was issued to
    assert main(["token", "--plex-url", sim.url]) == 0
    out, _err = capsys.readouterr()
    new = TokenStore(SERVICE).load("demo-user")
    assert new is not None and new != old and out == new.reveal() + "\n"
    assert accepted_by(sim, new) == "demo-user"
    assert created_pins(sim) == pins
    renewals = [r for r in sim.requests if r.path.endswith("/auth/token")]
    assert len(renewals) == 1 and renewals[0].status == 200


def test_token_prints_a_fresh_plex_jwt_as_it_is(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    token = signed_in_entry(simulator)
    assert main(["token", "--plex-url", simulator.url]) == 0
    assert capsys.readouterr().out == token.reveal() + "\n"
    assert not [r for r in simulator.requests if r.path.endswith("/auth/token")]


def test_a_revoked_device_key_says_a_new_sign_in_is_needed(
    make_sim: Callable[..., Simulator],
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = make_sim(jwt_lifetime=5)
    token = signed_in_entry(sim)
    key = DeviceKeyStore(SERVICE).load("demo-user")
    assert key is not None
    sim.revoke_device_key(key.kid)
    sim.advance_clock(10)
    assert main(["token", "--plex-url", sim.url]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "a new sign-in is needed" in err and token.reveal() not in err
    assert main(["status", "--json", "--plex-url", sim.url]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["status"], data["auth"]) == ("invalid", "jwt")
    assert "new sign-in is needed" in str(data["error"])


def test_status_reports_the_expiry_and_a_498_means_renew(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    old = signed_in_entry(simulator)
    assert main(["status", "--plex-url", simulator.url]) == 0
    assert "renews itself" in capsys.readouterr().out
    simulator.advance_clock(2)  # a renewal in the same second would be the same JWT
    simulator.add_fault("user", status=498)  # plex.tv says it expired: renew, don't give up
    assert main(["status", "--json", "--plex-url", simulator.url]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["status"], data["auth"], data["username"]) == ("valid", "jwt", "demo-user")
    expires = datetime.fromisoformat(str(data["expires_at"]))
    assert expires.utcoffset() == timedelta(0) and expires > datetime.now(timezone.utc)
    assert TokenStore(SERVICE).load("demo-user") != old  # renewed and stored


def test_a_legacy_entry_says_so_in_status(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = LoginSession(settings(simulator, auth="legacy"), approving(simulator)).sign_in()
    assert outcome.exit_code == ExitCode.OK and outcome.expires_at is None
    assert main(["status", "--json", "--plex-url", simulator.url]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["auth"], data["expires_at"]) == ("legacy", None)
    assert DeviceKeyStore(SERVICE).load("demo-user") is None


def test_logout_removes_the_token_and_the_device_key(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_in_entry(simulator)
    assert main(["logout"]) == 0
    assert "device key" in capsys.readouterr().out
    assert memory_keyring._entries == {}


def test_a_legacy_sign_in_never_loads_the_jwt_code(simulator: Simulator) -> None:
    """PyJWT stays off the legacy path (and so off the window's start-up)."""
    import subprocess
    import sys

    script = (
        "import sys; from plexlogin.cli import main; "
        f"code = main(['--terminal', '--plex-url', {simulator.url!r}, '--timeout', '0.5']); "
        "loaded = {'jwt', 'plexlogin.jwtauth', 'plexlogin.devicekey'} & set(sys.modules); "
        "sys.exit(90 if loaded else code)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)
    assert done.returncode == int(ExitCode.TIMEOUT), done.stderr


def test_status_still_prints_its_line_when_the_keyring_refuses_the_renewed_token(
    make_sim: Callable[..., Simulator],
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring.errors

    sim = make_sim(jwt_lifetime=5)
    signed_in_entry(sim)
    sim.advance_clock(10)

    def refuse(service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is read-only")

    monkeypatch.setattr(memory_keyring, "set_password", refuse)
    assert main(["status", "--json", "--plex-url", sim.url]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["status"], data["auth"]) == ("unknown", "jwt")
    assert "could not" in str(data["error"])


def test_an_unknown_auth_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--terminal", "--json", "--auth", "oauth"]) == int(ExitCode.USAGE)
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "error" and "'legacy' or 'jwt'" in err
