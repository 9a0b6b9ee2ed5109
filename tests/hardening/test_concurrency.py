"""Two plexlogins at once for the same keyring entry.

The decision (docs/reliability.md): both may run; there is no lock. Each shows its own
codes and polls its own PINs; whichever the person approves signs in; if both are
approved, both tokens are valid, both runs exit 0, and the entry holds the one stored
last: the keyring replaces a password whole, and config.json is replaced whole
(temp file + rename), so neither can be half of one and half of the other. A lock was
rejected because a forgotten first copy (a hidden window, a wizard that lost its child)
would then block every later sign-in.

What must not happen, and is tested: a second copy disturbing the first one's PINs or
token, a corrupt config, or two copies started on a fresh machine using different client
identifiers (the token would be bound to one while the config names the other).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from plexlogin import config as config_module
from plexlogin.config import Config, load_config
from plexlogin.simulator import Simulator
from tests.helpers.socket_keyring import KeyringServer

from .harness import SERVICE, Child, Live, finish, pending, wait_for

pytestmark = pytest.mark.slow


def both_showing(sim: Simulator) -> bool:
    return len(pending(sim, strong=False)) == 2 and len(pending(sim, strong=True)) == 2


def test_two_copies_both_approved_both_sign_in_and_the_entry_is_whole(
    child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    first = Live(child.login("--keyring-username", "jane"))
    second = Live(child.login("--keyring-username", "jane"))
    wait_for(lambda: both_showing(simulator), "both copies' codes")
    short = sorted(pin.id for pin in pending(simulator, strong=False))
    tokens = [simulator.approve(pin_id, username="jane") for pin_id in short]
    results = [first.finish(), second.finish()]
    for result in results:
        result.assert_clean()
        assert result.returncode == 0 and result.json["status"] == "signed_in"
    writes = keyring_srv.ops("set")
    assert len(writes) == 2 and all(w.service == SERVICE and w.username == "jane" for w in writes)
    stored = keyring_srv.get(SERVICE, "jane")
    assert stored in tokens  # one whole token, not a mix
    config = json.loads((child.config_dir / "config.json").read_text())
    assert config["keyring_service"] == SERVICE and config["keyring_username"] == "jane"
    # both runs used the one persisted identity, and the stored token checks out
    assert {r.json["client_id"] for r in results} == {config["client_id"]}
    printed = child.run("token")
    assert printed.stdout.strip() == stored
    status = child.run("status", "--json", "--plex-url", simulator.url)
    assert status.returncode == 0 and json.loads(status.stdout)["status"] == "valid"


def test_the_copy_nobody_approves_waits_and_leaves_the_other_alone(
    child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    first = Live(child.login("--keyring-username", "jane"))
    wait_for(lambda: pending(simulator, strong=False), "the first copy's codes")
    first_pins = {pin.id for pin in simulator.pins()}
    second = Live(child.login("--keyring-username", "jane"))
    wait_for(lambda: both_showing(simulator), "both copies' codes")
    token = simulator.approve(min(first_pins), username="jane")  # the first copy's short PIN
    done = first.finish()
    assert done.returncode == 0
    # the second keeps waiting, politely, and a cancel leaves the first one's token alone
    second.wait_for_stderr("Press Ctrl-C to cancel")
    cancelled = second.signal()
    assert cancelled.returncode == 3 and cancelled.json["status"] == "cancelled"
    assert keyring_srv.get(SERVICE, "jane") == token
    assert len(keyring_srv.ops("set")) == 1


def test_copies_started_together_on_a_fresh_machine_share_one_client_id(
    child: Child, simulator: Simulator
) -> None:
    """Each trial starts four copies against an empty config folder at the same moment."""
    for trial in range(3):
        folder = child.tmp_path / f"fresh-{trial}"
        env = child.env(PLEXLOGIN_CONFIG_DIR=str(folder))
        processes = [child.login("--timeout", "0.5", env=env) for _ in range(4)]
        results = [finish(process) for process in processes]
        ids = {str(result.json["client_id"]) for result in results}
        assert all(result.returncode == 4 for result in results)
        stored = json.loads((folder / "config.json").read_text())["client_id"]
        assert ids == {stored}, f"trial {trial}: {ids} but the file says {stored}"


def test_load_config_that_loses_the_race_to_create_the_file_uses_the_winners_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministically: another plexlogin writes config.json between our read (no file)
    and our write. Ours must not replace it; we must use its identifier."""
    path = tmp_path / "config.json"
    winner = str(uuid.uuid4())
    real_new_client_id = config_module.new_client_id

    def new_client_id_while_another_process_writes() -> str:
        if not path.exists():
            config_module.save_config(Config(client_id=winner), path)
        return real_new_client_id()

    monkeypatch.setattr(config_module, "new_client_id", new_client_id_while_another_process_writes)
    config, warning = load_config(path)
    assert config.client_id == winner and warning is None
    assert json.loads(path.read_text())["client_id"] == winner
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]


def test_many_copies_signing_in_at_once_never_leave_a_broken_config(
    child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    """Six runs approved together, each saving the config as it finishes: it stays whole."""
    copies = [Live(child.login("--keyring-username", f"user{index}")) for index in range(6)]
    wait_for(lambda: len(pending(simulator, strong=False)) == 6, "every copy's codes", 30)
    for pin in pending(simulator, strong=False):
        simulator.approve(pin.id)
    for copy in copies:
        assert copy.finish().returncode == 0
    config, warning = load_config(child.config_dir / "config.json")
    assert warning is None
    assert config.keyring_username in {f"user{index}" for index in range(6)}
    assert [p.name for p in child.config_dir.iterdir()] == ["config.json"]
    assert len(keyring_srv.ops("set")) == 6
