"""Every network, server and keyring fault, injected into a whole sign-in, on the fake clock.

The flow, the real plex.tv client and the simulator over real loopback HTTP; only time is
fake, so minutes of retrying take milliseconds. Each test writes down what must happen:
it keeps going and signs in once the fault clears, or it ends with the right error in
plain words. Every run is also checked for what must never happen (see ``Run.check``):
more than one poll per second of any PIN, a burst of requests, a PinExpired leaking to
the front-end, or an approved token that is neither returned nor kept.

What the real process makes of these outcomes (exit codes, --json, stderr) is proven in
test_faults_process.py; here the point is the behaviour over (fake) time.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import socket
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail

from plexlogin import events, flow
from plexlogin.errors import (
    Cancelled,
    KeyringError,
    KeyringLocked,
    KeyringTimeout,
    KeyringUnavailable,
    KeyringWriteFailed,
    NetworkError,
    PinExpired,
    PlexError,
    PlexLoginError,
    SignInTimeout,
)
from plexlogin.plex import Identity, PlexClient
from plexlogin.secret import Token
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring, TokenStore
from tests.helpers.fake_clock import FakeClock
from tests.helpers.flow_recorder import FlowRecorder
from tests.helpers.keyring_fixtures import HangingKeyring, RaisingKeyring

CLIENT_ID = "9d7c1f0e-52a4-4c51-8a4e-3c2f0b7d6e11"
PIN_GONE = '{"errors":[{"code":1020,"message":"Code not found or expired","status":404}]}'
HTML_PAGE = "<!doctype html><html><body><h1>502 Bad Gateway</h1>cloudflare</body></html>"

# --- a sign-in on the fake clock, watched --------------------------------------------------------


@dataclass
class Run(FlowRecorder):
    """One sign-in: every request (fake time, call, PIN id), every event, and the end."""

    result: flow.SignIn | None = None
    error: PlexLoginError | None = None

    def pauses(self) -> list[float]:
        """How long each Trouble paused requests, counted from the failed request."""
        return [
            event.retry_at - at
            for event, at in zip(self.events, self.emitted, strict=True)
            if isinstance(event, events.Trouble)
        ]

    def check(self) -> None:
        """What must hold whatever the fault."""
        polls: dict[object, list[float]] = defaultdict(list)
        for at, name, pin_id in self.calls:
            if name == "poll_pin":
                polls[pin_id].append(at)
        for pin_id, times in polls.items():
            gaps = [b - a for a, b in itertools.pairwise(times)]
            assert not gaps or min(gaps) >= 1.0 - 1e-9, f"PIN {pin_id} polled too often"
        # no bursts: two PINs polled once a second, plus a renewal, fit easily in 30 per 10 s
        every = [at for at, _, _ in self.calls]
        for index, start in enumerate(every):
            burst = sum(1 for t in every[index:] if t - start < 10.0)
            assert burst <= 30, f"{burst} requests within 10 s from t={start - self.clock.start}"
        # the front-end is never told about a PIN that merely needs renewing
        assert not any(isinstance(getattr(e, "error", None), PinExpired) for e in self.events)
        # never a token lost: an approval ends in a verified sign-in, or a rejected token
        # starts over; nothing else may swallow it
        approvals = len(self.of(events.Approved))
        rejected = sum("rejected" in e.reason for e in self.of(events.Renewing))
        verified = len(self.of(events.Verified))
        if self.error is None or isinstance(self.error, (Cancelled, SignInTimeout)):
            assert approvals - rejected - verified in (0, 1)  # 1: cut off while checking
        else:
            assert approvals == rejected + verified
        if self.result is not None:
            assert verified == 1 and self.result.token is not None


@pytest.fixture
def client(simulator: Simulator) -> Iterator[PlexClient]:
    with PlexClient(Identity(CLIENT_ID), simulator.url) as c:
        yield c


def sign_in(
    client: PlexClient,
    clock: FakeClock,
    *,
    timeout: float = 3 * 3600,
    wall_clock: Callable[[], datetime] | None = None,
    poll_interval: float = flow.POLL_INTERVAL,
) -> Run:
    """Run one sign-in to its end; the timeout (fake seconds) turns a bug into an error."""
    run = Run(clock)
    run.watch(client)
    extra = {} if wall_clock is None else {"wall_clock": wall_clock}
    signin = flow.SignInFlow(
        client,
        run.record,
        timeout=timeout,
        clock=clock,
        waiter=clock,
        random=lambda: 1.0,
        poll_interval=poll_interval,
        **extra,
    )
    try:
        run.result = signin.run()
    except PlexLoginError as error:
        run.error = error
    run.check()
    return run


def newest(sim: Simulator, *, strong: bool = False) -> int:
    pins = [p for p in sim.pins() if p.strong == strong and not p.approved]
    return max(pins, key=lambda p: p.id).id


def approve_at(sim: Simulator, clock: FakeClock, when: float, **kw: object) -> None:
    """The person types the newest code at ``when``, or as soon after as there is one."""

    def approve() -> None:
        if any(not p.strong and not p.approved for p in sim.pins()):
            sim.approve(newest(sim), **kw)  # type: ignore[arg-type]
        else:  # no code on screen yet (plex.tv is still failing): look again in a second
            clock.at(clock.elapsed + 1, approve)

    clock.at(when, approve)


def pin_body(**fields: object) -> str:
    """A PIN answer as plex.tv would send it, with ``fields`` changed (None: left out)."""
    pin: dict[str, object] = {
        "id": 4242,
        "code": "WXYZ",
        "product": "plexlogin",
        "trusted": False,
        "clientIdentifier": CLIENT_ID,
        "expiresIn": 900,
        "createdAt": "2024-05-01T12:00:00Z",
        "expiresAt": "2024-05-01T12:15:00Z",
        "authToken": None,
    }
    pin.update(fields)
    return json.dumps({k: v for k, v in pin.items() if v is not None or k == "authToken"})


# --- rate limiting -------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["create", "poll", "user"])
def test_429_with_retry_after_seconds_pauses_every_request(
    endpoint: str, client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault(endpoint, status=429, retry_after="45")
    approve_at(simulator, clock, 5)
    run = sign_in(client, clock)
    assert run.result is not None  # signs in once the pause is over
    trouble = run.of(events.Trouble)
    assert len(trouble) == 1 and trouble[0].describe(trouble[0].retry_at - 45).endswith("45 s")
    limited = trouble[0].retry_at - 45
    assert not [t for t, _, _ in run.calls if limited < t < limited + 45]
    assert run.of(events.Recovered)


def test_429_with_an_http_date_pauses_until_that_date(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    until = datetime.now(timezone.utc) + timedelta(seconds=120)
    simulator.add_fault(
        "poll", status=429, retry_after=email.utils.format_datetime(until, usegmt=True)
    )
    approve_at(simulator, clock, 5)
    run = sign_in(client, clock)
    assert run.result is not None
    limited_at = run.of(events.Trouble)[0].retry_at
    # the date is read against the real wall clock: 120 s from "now", give or take a second
    first_poll = run.times("poll_pin")[0]
    assert limited_at - first_poll == pytest.approx(120, abs=2)
    assert not [t for t in run.times("poll_pin") if first_poll < t < limited_at]


def test_429_without_retry_after_pauses_30_seconds(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault("any", status=429, times=4)
    approve_at(simulator, clock, 5)
    run = sign_in(client, clock)
    assert run.result is not None
    creates = run.times("create_pin")
    # both PINs are asked for at once (both meet a 429: one pause), then one at a time
    assert creates[1] == creates[0]
    assert [round(b - a) for a, b in itertools.pairwise(creates[1:])][:3] == [30, 30, 30]


# --- server errors, timeouts, dropped connections ------------------------------------------------


@pytest.mark.parametrize("endpoint", ["create", "poll", "user"])
def test_bursts_of_5xx_back_off_and_then_sign_in(
    endpoint: str, client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    for status in (500, 502, 503, 500, 502, 503):
        simulator.add_fault(endpoint, status=status, body=HTML_PAGE, content_type="text/html")
    approve_at(simulator, clock, 3)
    run = sign_in(client, clock)
    assert run.result is not None
    trouble = run.of(events.Trouble)
    assert len(trouble) == 6
    assert all(t.message == "plex.tv is having problems" for t in trouble)
    # exponential (the jitter is pinned to its top), capped near 30 s
    assert [round(p) for p in run.pauses()] == [2, 4, 8, 16, 30, 30]
    assert len(run.of(events.CodesReady)) == 1  # the codes on screen stay valid throughout


@pytest.mark.parametrize("endpoint", ["create", "poll", "user"])
def test_read_timeouts_are_retried(endpoint: str, simulator: Simulator, clock: FakeClock) -> None:
    simulator.add_fault(endpoint, delay=0.6, times=2)
    approve_at(simulator, clock, 3)
    # a short read timeout stands in for the real 10 s one
    with PlexClient(Identity(CLIENT_ID), simulator.url, timeout=(2.0, 0.2)) as client:
        run = sign_in(client, clock)
    assert run.result is not None
    assert [t.message for t in run.of(events.Trouble)] == ["Can't reach plex.tv"] * 2


@pytest.mark.parametrize("endpoint", ["create", "poll", "user"])
@pytest.mark.parametrize("how", ["no answer", "half an answer"])
def test_connections_dropped_mid_response_are_retried(
    endpoint: str, how: str, client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    if how == "no answer":
        simulator.add_fault(endpoint, drop=True, times=2)
    else:  # the status line, the headers and half the body, then the connection closes
        body = pin_body() if endpoint != "user" else '{"id": 1, "username": "x"}'
        simulator.add_fault(endpoint, status=200, body=body * 4, drop=True, times=2)
    approve_at(simulator, clock, 3)
    run = sign_in(client, clock)
    assert run.result is not None
    assert len(run.of(events.Trouble)) == 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_plex_down_at_start_and_up_20_s_later(clock: FakeClock) -> None:
    port = free_port()
    started: list[Simulator] = []
    clock.at(20, lambda: started.append(Simulator(port=port).start()))
    clock.at(20.5, lambda: approve_at(started[0], clock, 60))
    try:
        with PlexClient(Identity(CLIENT_ID), f"http://127.0.0.1:{port}") as client:
            run = sign_in(client, clock)
    finally:
        for sim in started:
            sim.stop()
    assert run.result is not None
    assert all(t.message == "Can't reach plex.tv" for t in run.of(events.Trouble))
    first_code = run.of(events.CodesReady)[0].deadline - run.of(events.CodesReady)[0].lifetime
    assert 20 <= first_code - clock.start <= 20 + 30  # at the first retry after it came up


def test_dns_failure_retries_and_gives_up_at_the_timeout(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = socket.getaddrinfo

    def resolver(host: object, *args: object, **kw: object) -> object:
        if isinstance(host, str) and host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with PlexClient(Identity(CLIENT_ID), "https://plex.invalid") as client:
        run = sign_in(client, clock, timeout=120)
    assert isinstance(run.error, PlexError) and run.error.kind == NetworkError.kind
    assert not isinstance(run.error, SignInTimeout)  # no code was ever shown
    assert str(run.error) == "Gave up: Can't reach plex.tv."
    assert 4 <= len(run.times("create_pin")) <= 10  # backed off, not hammered


# --- answers that are not what plex.tv sends -----------------------------------------------------

NOT_PLEX = {
    "html error page": (HTML_PAGE, "text/html"),
    "truncated json": (pin_body()[:40], "application/json"),
    "json of the wrong shape": ('[{"id": 1, "code": "ABCD"}]', "application/json"),
    "wrong types": (pin_body(id="4242", expiresIn="900"), "application/json"),
    "code empty": (pin_body(code=""), "application/json"),
    "code absurdly long": (pin_body(code="A" * 100_000), "application/json"),
    "expiresAt unparseable": (pin_body(expiresIn=None, expiresAt="soon"), "application/json"),
    "xml instead of json": ('<?xml version="1.0"?><pin id="1" code="ABCD"/>', "application/xml"),
}


@pytest.mark.parametrize("answer", NOT_PLEX, ids=list(NOT_PLEX))
@pytest.mark.parametrize("endpoint", ["create", "poll"])
def test_answers_that_are_not_plex_are_retried(
    answer: str, endpoint: str, client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    body, content_type = NOT_PLEX[answer]
    status = 201 if endpoint == "create" else 200  # the success status: only the body is off
    simulator.add_fault(endpoint, status=status, body=body, content_type=content_type, times=3)
    approve_at(simulator, clock, 3)
    run = sign_in(client, clock)
    assert run.result is not None
    assert [t.message for t in run.of(events.Trouble)] == ["plex.tv sent an unexpected answer"] * 3


@pytest.mark.parametrize("endpoint", ["create", "poll", "user"])
def test_bodies_over_1_mib_are_refused_and_retried(
    endpoint: str, client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault(endpoint, status=200, body_size=2 * 1024 * 1024, times=2)
    approve_at(simulator, clock, 3)
    run = sign_in(client, clock)
    assert run.result is not None
    assert all(isinstance(t.error, PlexError) for t in run.of(events.Trouble))
    assert len(run.of(events.Trouble)) == 2


def test_user_answer_that_is_not_a_user_is_retried_with_the_same_token(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault("user", status=200, body='{"id": "nope"}', content_type="application/json")
    approve_at(simulator, clock, 3)
    run = sign_in(client, clock)
    assert run.result is not None and len(run.of(events.CodesReady)) == 1
    assert len(run.times("get_user")) == 2


def test_an_empty_token_is_not_a_sign_in(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault("poll", status=200, body=pin_body(authToken=""), times=6)
    approve_at(simulator, clock, 10)
    run = sign_in(client, clock)
    assert run.result is not None and run.result.token.reveal().startswith("SIMULATED-")
    assert len(run.of(events.Approved)) == 1 and not run.of(events.Trouble)


def test_expires_at_in_the_past_renews_without_hammering(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    past = pin_body(expiresIn=None, createdAt=None, expiresAt="2001-01-01T00:00:00Z")
    simulator.add_fault("create", status=201, body=past, times=-1)
    clock.at(300, simulator.clear_faults)
    approve_at(simulator, clock, 400)
    run = sign_in(client, clock)
    assert run.result is not None
    born_dead = run.times("create_pin")
    in_first_five_minutes = [t for t in born_dead if t - clock.start < 300]
    # backing off up to 30 s: a few dozen requests in five minutes, not thousands
    assert len(in_first_five_minutes) <= 2 * (300 / 30 + 8)
    assert run.of(events.Trouble)[0].message == "plex.tv keeps ending the sign-in codes"


def test_pin_answers_with_an_absurd_lifetime_are_refused(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault("create", status=201, body=pin_body(expiresIn=10**9), times=2)
    approve_at(simulator, clock, 3)
    run = sign_in(client, clock)
    assert run.result is not None and len(run.of(events.Trouble)) == 2


# --- clocks --------------------------------------------------------------------------------------


@pytest.mark.parametrize("hours", [-5, 11])
@pytest.mark.parametrize("expires_in", [True, False], ids=["expiresIn", "expiresAt+Date"])
def test_a_client_clock_hours_off_keeps_the_right_deadline(
    hours: int, expires_in: bool, clock: FakeClock
) -> None:
    with Simulator(clock_offset=hours * 3600) as sim, PlexClient(Identity(CLIENT_ID), sim.url) as c:
        if not expires_in:
            # plex.tv without expiresIn: only expiresAt and the Date header, both server time
            real = c._pin_from

            def without_expires_in(answer: object) -> object:
                pin = real(answer)  # type: ignore[arg-type]
                import dataclasses

                return dataclasses.replace(pin, expires_in=None)

            c._pin_from = without_expires_in  # type: ignore[method-assign]
        approve_at(sim, clock, 1850)
        # polling is not what this is about: one poll per PIN every 30 s keeps it quick
        run = sign_in(c, clock, poll_interval=30)
    ready = run.of(events.CodesReady)
    assert run.result is not None
    assert ready[0].lifetime == pytest.approx(900, abs=2)
    # renewed on schedule, neither early nor late: each generation is shown at the
    # deadline of the one before and made RENEW_AHEAD earlier, so it lives 900 s from then
    starts = [r.deadline - r.lifetime - clock.start for r in ready]
    step = 900 - flow.RENEW_AHEAD
    assert starts[:3] == pytest.approx([0, 900, 900 + step], abs=3)


def test_the_system_clock_jumping_does_not_move_the_deadline(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    """Deadlines live on the monotonic clock; the wall clock only labels them."""
    wall = {"now": datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)}
    clock.at(100, lambda: wall.update(now=wall["now"] + timedelta(hours=6)))  # NTP leap
    clock.at(500, lambda: wall.update(now=wall["now"] - timedelta(days=1)))  # back a day
    approve_at(simulator, clock, 1000)
    run = sign_in(client, clock, wall_clock=lambda: wall["now"], poll_interval=30)
    first, second = run.of(events.CodesReady)[:2]
    assert first.deadline - clock.start == pytest.approx(900, abs=2)
    assert second.deadline - first.deadline == pytest.approx(900 - flow.RENEW_AHEAD, abs=2)
    assert run.result is not None


def test_the_flow_and_the_terminal_count_down_on_the_monotonic_clock() -> None:
    import inspect
    import time

    from plexlogin import terminal

    assert inspect.signature(flow.SignInFlow).parameters["clock"].default is time.monotonic
    source = inspect.getsource(terminal)
    assert "time.time()" not in source and "datetime.now" not in source


# --- PINs that vanish, tokens that plex.tv rejects or cannot check -------------------------------


def test_a_pin_that_vanishes_before_its_expiry_is_renewed(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    clock.at(30, simulator.expire)
    approve_at(simulator, clock, 60)
    run = sign_in(client, clock)
    assert run.result is not None
    assert len(run.of(events.CodesReady)) == 2 and not run.of(events.Trouble)


def test_pins_that_always_vanish_are_renewed_with_backoff_not_in_a_loop(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault(
        "poll", status=404, body=PIN_GONE, content_type="application/json", times=-1
    )
    clock.at(600, simulator.clear_faults)
    approve_at(simulator, clock, 700)
    run = sign_in(client, clock)
    assert run.result is not None
    early = [t for t in run.times("create_pin") if t - clock.start < 600]
    assert len(early) <= 2 * (600 / 30 + 8)


def test_a_rejected_token_starts_over_with_new_codes(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    body = '{"errors":[{"code":1001,"message":"User could not be authenticated"}]}'
    simulator.add_fault("user", status=401, body=body, content_type="application/json")
    approve_at(simulator, clock, 5)
    approve_at(simulator, clock, 50)
    run = sign_in(client, clock)
    assert run.result is not None
    assert len(run.of(events.CodesReady)) == 2
    assert "rejected" in run.of(events.Renewing)[0].reason


def test_tokens_rejected_at_once_every_time_do_not_loop(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    """A broken plex.tv that approves every PIN and rejects every token."""
    simulator.add_fault("poll", status=200, body=pin_body(authToken="SIMULATED-bogus"), times=-1)
    simulator.add_fault("user", status=401, times=-1)
    run = sign_in(client, clock, timeout=600)
    assert isinstance(run.error, SignInTimeout)
    assert len(run.times("get_user")) <= 600 / 30 + 8


def test_a_token_that_cannot_be_checked_is_kept_and_checked_again(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault("user", status=500, times=4)
    simulator.add_fault("user", drop=True)
    approve_at(simulator, clock, 5)
    run = sign_in(client, clock)
    assert run.result is not None
    assert len(run.times("get_user")) == 6 and len(run.of(events.CodesReady)) == 1


def test_timeout_while_checking_the_token_says_so(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault("user", status=503, times=-1)
    approve_at(simulator, clock, 5)
    run = sign_in(client, clock, timeout=120)
    assert isinstance(run.error, SignInTimeout)
    assert len(run.of(events.Approved)) == 1


# --- the keyring ---------------------------------------------------------------------------------

KEYRINGS: dict[str, tuple[Callable[[], keyring.backend.KeyringBackend], type[KeyringError]]] = {
    "no backend": (fail.Keyring, KeyringUnavailable),
    "locked": (
        lambda: RaisingKeyring(keyring.errors.KeyringLocked("Collection is locked")),
        KeyringLocked,
    ),
    "write raises": (
        lambda: RaisingKeyring(keyring.errors.PasswordSetError("read-only")),
        KeyringWriteFailed,
    ),
    "hangs past the timeout": (HangingKeyring, KeyringTimeout),
}


@pytest.mark.parametrize("trouble", KEYRINGS, ids=list(KEYRINGS))
def test_a_keyring_failure_is_reported_and_the_token_kept_for_another_try(
    trouble: str,
    client: PlexClient,
    simulator: Simulator,
    clock: FakeClock,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
) -> None:
    make, expected = KEYRINGS[trouble]
    approve_at(simulator, clock, 5, username="jane")
    run = sign_in(client, clock)
    assert run.result is not None
    use_keyring(make())
    store = TokenStore("plexlogin-hardening", timeout=0.3)
    heard: list[events.Event] = []
    signin = flow.SignInFlow(client, heard.append, clock=clock, waiter=clock)
    with pytest.raises(expected) as failure:
        signin.save(run.result, store, "jane")
    assert isinstance(heard[-1], events.StoreFailed) and heard[-1].error is failure.value
    assert run.result.token.reveal() not in f"{failure.value} {failure.value!r}"
    # "Try again" once the keyring works: the same token, still in memory, is stored
    fixed = MemoryKeyring()
    use_keyring(fixed)
    signin.save(run.result, store, "jane")
    assert fixed.get_password("plexlogin-hardening", "jane") == run.result.token.reveal()
    assert isinstance(heard[-1], events.Stored)


def test_a_keyring_error_that_quotes_the_token_is_scrubbed(
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
) -> None:
    secret = "SIMULATED-quoted-by-the-backend"

    class Quoting(RaisingKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError(f"cannot store {password!r} for {username}")

    use_keyring(Quoting(RuntimeError("unused")))
    with pytest.raises(KeyringWriteFailed) as failure:
        TokenStore("plexlogin-hardening", timeout=2).save("jane", Token(secret))
    import traceback

    shown = "".join(traceback.format_exception(failure.value)) + repr(failure.value)
    assert secret not in shown and "<redacted>" in str(failure.value)
