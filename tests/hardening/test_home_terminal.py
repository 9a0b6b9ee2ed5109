"""The terminal's Plex Home picker, as a person at a real terminal meets it (a pty).

``pty.fork`` gives the child plexlogin a controlling terminal, so standard input is a
TTY and ``getpass`` really turns echo off: a PIN that were echoed would show up in what
the terminal displays, which is what these tests read.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import termios
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from plexlogin.simulator import DEMO_HOME, DEMO_PROFILE_PIN, Simulator
from tests.helpers.socket_keyring import KeyringServer

from .harness import CHILD_TIMEOUT, SERVICE, Child, approve_when_shown, plexlogin_command


class Terminal:
    """A child plexlogin on a pseudo-terminal: what it displayed, and a keyboard."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        with warnings.catch_warnings():
            # 3.12+ warns that forking a threaded process may deadlock; the child only execs
            warnings.simplefilter("ignore", DeprecationWarning)
            self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes plexlogin at once
            os.chdir(cwd)
            os.execve(args[0], args, env)
        self.screen = ""

    def wait_for(self, text: str, timeout: float = CHILD_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            left = deadline - time.monotonic()
            assert left > 0, f"never showed {text!r}; the screen:\n{self.screen[-2000:]}"
            if not self._read(left):
                raise AssertionError(f"ended before {text!r}; the screen:\n{self.screen}")

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def finish(self) -> int:
        while self._read(CHILD_TIMEOUT):
            pass
        _pid, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # the child closed the terminal (EIO)
            return False
        self.screen += chunk.decode(errors="replace")
        return bool(chunk)


@pytest.fixture
def home_sim() -> Iterator[Simulator]:
    with Simulator(home=DEMO_HOME) as sim:
        yield sim


def start(tmp_path: Path, sim: Simulator, keyring_srv: KeyringServer) -> Terminal:
    child = Child(tmp_path, sim, keyring_srv)
    args = [*plexlogin_command(), "login", "--terminal", "--plex-url", sim.url, "--json"]
    args += ["--keyring-service", SERVICE, "-v"]
    threading.Thread(target=approve_when_shown, args=(sim,), daemon=True).start()
    return Terminal(args, child.env(), tmp_path)


@pytest.mark.slow
def test_a_person_picks_a_protected_profile_and_types_its_pin(
    tmp_path: Path, home_sim: Simulator, keyring_srv: KeyringServer
) -> None:
    terminal = start(tmp_path, home_sim, keyring_srv)
    terminal.wait_for("Number (1-4")
    assert "1. Alex (admin, signed in)" in terminal.screen
    assert "3. Mia (PIN)" in terminal.screen and "4. Jules\r\n" in terminal.screen
    terminal.type("7")
    terminal.wait_for("Please type a number from 1 to 4.")
    terminal.type("3")
    terminal.wait_for("PIN for Mia")
    terminal.type("0000")
    terminal.wait_for("The PIN was wrong. Try again.")
    terminal.wait_for("PIN for Mia (Enter alone: back to the list): ", timeout=5)
    terminal.screen = terminal.screen.replace("PIN for Mia", "", 1)
    terminal.wait_for("PIN for Mia")
    terminal.type(DEMO_PROFILE_PIN)
    assert terminal.finish() == 0, terminal.screen
    assert '"profile": "Mia"' in terminal.screen and "Signed in as Mia." in terminal.screen
    # typed without echo: neither PIN is on the screen, not even at -v
    assert "0000" not in terminal.screen and DEMO_PROFILE_PIN not in terminal.screen
    assert keyring_srv.get(SERVICE, "Mia")


@pytest.mark.slow
def test_enter_alone_keeps_the_approving_account(
    tmp_path: Path, home_sim: Simulator, keyring_srv: KeyringServer
) -> None:
    terminal = start(tmp_path, home_sim, keyring_srv)
    terminal.wait_for("Number (1-4")
    terminal.type("")
    assert terminal.finish() == 0, terminal.screen
    assert '"profile": null' in terminal.screen and keyring_srv.get(SERVICE, "alex")
    assert not [r for r in home_sim.requests if r.path.endswith("/switch")]


@pytest.mark.slow
def test_ctrl_c_at_the_pin_prompt_cancels_and_gives_the_echo_back(
    tmp_path: Path, home_sim: Simulator, keyring_srv: KeyringServer
) -> None:
    terminal = start(tmp_path, home_sim, keyring_srv)
    terminal.wait_for("Number (1-4")
    terminal.type("3")
    terminal.wait_for("PIN for Mia")
    assert not termios.tcgetattr(terminal.fd)[3] & termios.ECHO  # getpass turned it off
    os.kill(terminal.pid, signal.SIGINT)
    terminal.wait_for('"status": "cancelled"')
    echo_back = bool(termios.tcgetattr(terminal.fd)[3] & termios.ECHO)
    assert terminal.finish() == 3, terminal.screen
    assert echo_back, "the person's terminal was left without echo"
