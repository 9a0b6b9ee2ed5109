"""The sign-in flow against the simulator, with a fake clock: hours of waiting in milliseconds."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise

import pytest

from plexlogin import events, flow
from plexlogin.errors import Cancelled, PinExpired, PlexError, SignInTimeout
from plexlogin.plex import Identity, PlexClient
from plexlogin.simulator import Simulator
from tests.helpers.fake_clock import FakeClock
from tests.helpers.flow_recorder import FlowRecorder

CLIENT_ID = "0c7d4f52-4d1c-4c8e-9d36-5b8a2f2f8e11"


@pytest.fixture
def client(simulator: Simulator) -> Iterator[PlexClient]:
    with PlexClient(Identity(CLIENT_ID), simulator.url) as c:
        yield c


def make_flow(
    client: PlexClient, clock: FakeClock, *, timeout: float = 3600
) -> tuple[flow.SignInFlow, FlowRecorder]:
    """A flow on the fake clock; its timeout (fake seconds) turns a bug into a failure."""
    recorder = FlowRecorder(clock)
    recorder.watch(client)
    signin = flow.SignInFlow(
        client, recorder, timeout=timeout, clock=clock, waiter=clock, random=lambda: 1.0
    )
    return signin, recorder


def short_pin(sim: Simulator):
    """The newest 4-character PIN: the one the flow is showing."""
    return max((p for p in sim.pins() if not p.strong and not p.approved), key=lambda p: p.id)


def strong_pin(sim: Simulator):
    """The newest strong PIN: the one behind the QR code."""
    return max((p for p in sim.pins() if p.strong and not p.approved), key=lambda p: p.id)


def test_typed_code_signs_in(client: PlexClient, simulator: Simulator, clock: FakeClock) -> None:
    signin, rec = make_flow(client, clock)
    clock.at(5, lambda: simulator.approve(short_pin(simulator).id))
    result = signin.run()
    assert result.user.username == "demo-user"
    kinds = [type(e) for e in rec.events]
    assert kinds == [events.CodesReady, events.Approved, events.Verified]
    ready = rec.of(events.CodesReady)[0]
    assert ready.code == next(p for p in simulator.pins() if not p.strong).code
    assert rec.of(events.Approved)[0].via_qr is False
    assert result.token.reveal() == next(p for p in simulator.pins() if p.approved).token


def test_qr_approval_signs_in_and_drops_the_other_pin(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    clock.at(3, lambda: simulator.approve(strong_pin(simulator).id))
    signin.run()
    ready = rec.of(events.CodesReady)[0]
    strong = next(p for p in simulator.pins() if p.strong)
    assert ready.auth_url == client.auth_url(strong.code)
    assert rec.of(events.Approved)[0].via_qr is True
    approved_at = max(t for t, name, arg in rec.calls if name == "poll_pin" and arg == strong.id)
    later = [c for c in rec.calls if c[0] > approved_at and c[1] == "poll_pin"]
    assert later == [], "the other PIN must not be polled after approval"


def test_each_pin_polled_at_most_once_per_second(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    clock.at(60, lambda: simulator.approve(short_pin(simulator).id))
    signin.run()
    polls: dict[object, list[float]] = defaultdict(list)
    for at, name, pin_id in rec.calls:
        if name == "poll_pin":
            polls[pin_id].append(at)
    assert len(polls) == 2
    for times in polls.values():
        gaps = [b - a for a, b in pairwise(times)]
        assert min(gaps) >= 1.0
        assert len(times) >= 55, "polling should not be much slower than once a second"


def test_expired_codes_are_renewed_until_signed_in(clock: FakeClock) -> None:
    with (
        Simulator(pin_lifetime=20, strong_pin_lifetime=40) as sim,
        PlexClient(Identity(CLIENT_ID), sim.url) as client,
    ):
        signin, rec = make_flow(client, clock)
        # three generations of codes, then the person types the newest one
        clock.at(50, lambda: sim.approve(short_pin(sim).id))
        signin.run()
    ready = rec.of(events.CodesReady)
    assert len(ready) == 3
    assert [r.renewed for r in ready] == [False, True, True]
    assert len({r.code for r in ready}) == 3
    # each generation is made a tenth of a life before the shown one expires
    assert [r.lifetime for r in ready] == pytest.approx([20, 18, 18.2], abs=1)
    assert rec.of(events.Renewing) == [], "the network is fine: no wait for new codes"


def test_renewal_leaves_no_moment_without_a_valid_code(clock: FakeClock) -> None:
    """New codes are made before the old ones expire and shown exactly at their deadline."""
    with (
        Simulator(pin_lifetime=300, strong_pin_lifetime=600) as sim,
        PlexClient(Identity(CLIENT_ID), sim.url) as client,
    ):
        signin, rec = make_flow(client, clock)
        clock.at(700, lambda: sim.approve(short_pin(sim).id))
        signin.run()
    ready = rec.of(events.CodesReady)
    shown = [rec.emitted[rec.events.index(r)] for r in ready]
    assert len(ready) == 3
    gaps = [at - before.deadline for before, at in zip(ready, shown[1:], strict=False)]
    assert gaps == pytest.approx([0, 0], abs=1e-9), "no time without a valid code on screen"
    creates = rec.times("create_pin")
    # two at a time, each pair RENEW_AHEAD before the deadline of the codes on screen
    assert [round(t - clock.start) for t in creates] == [0, 0, 289, 289, 578, 578]
    assert rec.of(events.Renewing) == []


def test_old_codes_work_until_the_swap(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    """The person may be typing the shown code while its successor is being made."""
    signin, rec = make_flow(client, clock)
    first: list[int] = []
    clock.at(1, lambda: first.append(short_pin(simulator).id))
    clock.at(895, lambda: simulator.approve(first[0]))  # after the next codes were made
    result = signin.run()
    assert max(rec.times("create_pin")) - clock.start == pytest.approx(890, abs=1)
    assert len(rec.of(events.CodesReady)) == 1, "never swapped: the old code signed in"
    assert result.token.reveal() == next(p for p in simulator.pins() if p.id == first[0]).token


def test_renewal_waits_with_renewing_only_when_the_codes_ahead_failed(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    clock.at(889, lambda: simulator.add_fault("create", status=503, times=2))
    clock.at(960, lambda: simulator.approve(short_pin(simulator).id))
    signin.run()
    ready = rec.of(events.CodesReady)
    assert [r.renewed for r in ready] == [False, True]
    (renewing,) = rec.of(events.Renewing)
    assert rec.emitted[rec.events.index(renewing)] - clock.start == pytest.approx(900, abs=1)
    assert "expired" in renewing.reason


def test_both_pins_are_requested_at_once(simulator: Simulator, clock: FakeClock) -> None:
    """With 0.3 s per answer, the code shows one round trip after the start, not two."""
    simulator.add_fault("create", delay=0.3, times=2)
    with PlexClient(Identity(CLIENT_ID), simulator.url) as client:
        signin, rec = make_flow(client, clock)
        clock.at(2, signin.cancel)
        started = time.monotonic()
        with pytest.raises(Cancelled):
            signin.run()
        ready_after = rec.real[rec.events.index(rec.of(events.CodesReady)[0])] - started
    first, second = (r.at for r in simulator.requests if r.path == "/api/v2/pins")
    assert second - first < 0.1, "the second PIN waited for the first"
    assert ready_after < 0.55


def test_the_polls_reuse_the_connections_the_pins_were_made_on(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    """Keep-alive: one connection for each PIN made at once, none more for 60 polls."""
    signin, rec = make_flow(client, clock)
    clock.at(30, lambda: simulator.approve(short_pin(simulator).id))
    signin.run()
    assert len(rec.times("poll_pin")) >= 55
    assert simulator.connections_accepted <= 2


def test_pin_vanishing_early_is_renewed(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    clock.at(10, lambda: simulator.expire())
    clock.at(20, lambda: simulator.approve(strong_pin(simulator).id))
    signin.run()
    assert len(rec.of(events.CodesReady)) == 2
    assert rec.of(events.Renewing)


def test_deadline_ignores_client_clock_skew(clock: FakeClock) -> None:
    three_hours = 3 * 3600
    for offset in (three_hours, -three_hours):
        with Simulator(clock_offset=offset) as sim, PlexClient(Identity(CLIENT_ID), sim.url) as c:
            signin, rec = make_flow(c, clock)
            clock.at(clock.elapsed + 2, lambda s=sim: s.approve(short_pin(s).id))
            signin.run()
        ready = rec.of(events.CodesReady)[0]
        assert ready.lifetime == pytest.approx(900, abs=2)


def test_rate_limit_pauses_every_request(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    clock.at(3, lambda: simulator.add_fault("poll", status=429, retry_after="12"))
    clock.at(40, lambda: simulator.approve(short_pin(simulator).id))
    signin.run()
    trouble = rec.of(events.Trouble)
    assert len(trouble) == 1 and trouble[0].message == "plex.tv is busy"
    limited_at = next(
        t for t, name, _ in rec.calls if name == "poll_pin" and t >= clock.start + 3
    )  # the request that got the 429
    after = [t for t, _, _ in rec.calls if t > limited_at]
    assert min(after) - limited_at >= 12
    assert rec.of(events.Recovered)


def test_rate_limit_without_retry_after_pauses_30_seconds(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    simulator.add_fault("create", status=429)
    clock.at(40, lambda: simulator.approve(short_pin(simulator).id))
    signin.run()
    # both PINs are asked for at once; the one that met the 429 is asked again 30 s later
    assert rec.calls[1][0] == rec.calls[0][0]
    assert rec.calls[2][0] - rec.calls[0][0] >= 30
    assert rec.of(events.Trouble)[0].retry_at - clock.start == pytest.approx(30)


def test_server_errors_back_off_exponentially_up_to_a_cap(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    simulator.add_fault("create", status=503, times=8)
    clock.at(200, lambda: simulator.approve(short_pin(simulator).id))
    signin.run()
    creates = [t for t, name, _ in rec.calls if name == "create_pin"]
    # the first two fail together (two failures: two steps of the backoff), then the
    # short PIN is retried alone
    assert creates[1] == creates[0]
    gaps = [round(b - a) for a, b in pairwise(creates[1:])][:6]
    assert gaps == [4, 8, 16, 30, 30, 30]
    trouble = rec.of(events.Trouble)
    assert trouble[2].describe(trouble[2].retry_at - 8) == (
        "plex.tv is having problems — retrying in 8 s"
    )
    assert len(rec.of(events.Recovered)) == 1


def test_rejected_token_starts_over(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    body = '{"errors":[{"code":1001,"message":"User could not be authenticated"}]}'
    simulator.add_fault("user", status=401, body=body, content_type="application/json")
    clock.at(5, lambda: simulator.approve(short_pin(simulator).id))
    clock.at(15, lambda: simulator.approve(short_pin(simulator).id))
    result = signin.run()
    assert result.user.username == "demo-user"
    assert "rejected" in rec.of(events.Renewing)[0].reason
    assert len(rec.of(events.CodesReady)) == 2


def test_unverifiable_token_is_retried_not_dropped(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    simulator.add_fault("user", status=500, times=3)
    clock.at(5, lambda: simulator.approve(short_pin(simulator).id))
    result = signin.run()
    assert result.user.username == "demo-user"
    assert len([c for c in rec.calls if c[1] == "get_user"]) == 4
    assert len(rec.of(events.CodesReady)) == 1


def test_cancel_while_waiting(client: PlexClient, clock: FakeClock) -> None:
    signin, rec = make_flow(client, clock)
    clock.at(30, signin.cancel)
    with pytest.raises(Cancelled):
        signin.run()
    assert clock.elapsed == pytest.approx(30)
    assert isinstance(rec.events[-1], events.Failed)


def test_cancel_from_another_thread_ends_a_real_wait(simulator: Simulator) -> None:
    with PlexClient(Identity(CLIENT_ID), simulator.url) as client:
        signin = flow.SignInFlow(client)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                signin.run()
            except Cancelled as error:
                errors.append(error)

        worker = threading.Thread(target=run)
        worker.start()
        while not simulator.pins():
            worker.join(0.01)
        signin.cancel()
        worker.join(5)
        assert not worker.is_alive() and errors


def test_timeout_after_codes_were_shown(client: PlexClient, clock: FakeClock) -> None:
    signin, _ = make_flow(client, clock, timeout=45)
    with pytest.raises(SignInTimeout):
        signin.run()
    assert clock.elapsed == pytest.approx(45)


def test_timeout_while_plex_was_never_reachable_is_a_failure(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    simulator.add_fault("create", status=503, times=-1)
    signin, _ = make_flow(client, clock, timeout=60)
    with pytest.raises(PlexError) as error:
        signin.run()
    assert not isinstance(error.value, SignInTimeout)
    assert "Gave up" in str(error.value)


def test_pin_expired_error_is_not_leaked_to_the_front_end(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    signin, rec = make_flow(client, clock)
    simulator.add_fault("poll", status=404, times=1, body='{"errors":[{"code":1020}]}')
    clock.at(8, lambda: simulator.approve(short_pin(simulator).id))
    signin.run()
    assert not any(isinstance(e, events.Failed) for e in rec.events)
    assert not any(isinstance(getattr(e, "error", None), PinExpired) for e in rec.events)
