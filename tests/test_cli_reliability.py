"""The command line's answers to the reliability faults: a demo aimed at a real entry,
hostile names from the server, a config path that is not a file."""

from __future__ import annotations

import pytest

from plexlogin.tokens import MemoryKeyring
from tests.test_cli import json_line, run_main


@pytest.mark.parametrize("service", ["plexlogin", "my-wizard"])
def test_the_demo_refuses_to_write_into_a_real_entry(
    service: str, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    memory_keyring.set_password(service, "alice", "real-token-of-alice")
    argv = ["login", "--demo", "--terminal", "--json", "--keyring-service", service]
    code, out, err = run_main([*argv, "--keyring-username", "alice"], capsys)
    assert code == 2
    data = json_line(out)
    assert data["status"] == "error" and "--demo" in str(data["error"])
    assert "plexlogin-demo" in err and "Traceback" not in err
    assert memory_keyring.get_password(service, "alice") == "real-token-of-alice"
