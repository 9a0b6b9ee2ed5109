"""The window read through AT-SPI by a real accessibility client, as Orca reads it.

A private D-Bus session with its own accessibility bus (at-spi-bus-launcher), the window
(tests/a11y/driver.py, against an in-process simulator) and a client on Debian's Python
with pyatspi's GObject bindings (tests/a11y/atspi_client.py). The test drives the sign-in
through waiting, trouble, a new code, the problem page and signed in, and checks what the
client can read and which announcements it hears. Run under xvfb-run (CI: .ci/checks).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from plexlogin import i18n

pytestmark = pytest.mark.a11y

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"
LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
#: loopback and a local bus: nothing waits this long unless something is broken
TIMEOUT = 15.0
#: AT-SPI's politeness values in an announcement's detail1
POLITE, ASSERTIVE = 1, 2

Event = dict[str, Any]


def missing() -> str | None:
    """Why this machine cannot run the test, or None."""
    if not os.environ.get("DISPLAY"):
        return "needs an X server: run under xvfb-run"
    for tool in (LAUNCHER, SYSTEM_PYTHON, shutil.which("dbus-daemon"), shutil.which("xdotool")):
        if tool is None or not os.path.exists(tool):
            return (
                f"needs {tool or 'dbus-daemon and xdotool'} (apt-get install at-spi2-core xdotool)"
            )
    probe = "import gi; gi.require_version('Atspi', '2.0'); from gi.repository import Atspi"
    if subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode != 0:
        return "needs gir1.2-atspi-2.0 and python3-gi for /usr/bin/python3"
    return None


class Process:
    """A child speaking JSON lines: commands in on stdin, answers read with a timeout."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def send(self, command: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(command + "\n")
        self.popen.stdin.flush()

    def read(self) -> dict[str, Any]:
        try:
            return self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"{self.popen.args!r} said nothing for {TIMEOUT} s") from None

    def ask(self, command: str) -> Any:
        self.send(command)
        return self.read()["answer"]

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        for pipe in (self.popen.stdin, self.popen.stdout):
            if pipe is not None:
                pipe.close()


class Session:
    """The window, the client, and every event the client heard so far."""

    def __init__(
        self, driver: Process, client: Process, code: str, window: int, *, tv: bool
    ) -> None:
        self.driver, self.client, self.code, self.window = driver, client, code, window
        self.tv = tv
        self.heard: list[Event] = []

    def tree(self) -> list[Event]:
        return list(self.client.ask("tree") or [])

    def wait_for(self, what: str, test: Callable[[Event], bool]) -> Event:
        """The first event (heard before or within the timeout) that passes ``test``."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for event in self.heard:
                if test(event):
                    return event
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} among {self.heard[-40:]}")
            time.sleep(0.2)
            self.heard += self.client.ask("events")

    def focused(self, name: str) -> Event:
        """The event of the widget named ``name`` taking the focus."""
        return self.wait_for(
            f"focus on {name!r}",
            lambda e: (
                e["type"] == "object:state-changed:focused"
                and e["detail1"] == 1
                and e["name"] == name
            ),
        )

    def announced(self, text: str, politeness: int = POLITE) -> Event:
        return self.wait_for(
            f"announcement of {text!r}",
            lambda e: (
                e["type"] == "object:announcement"
                and text in str(e["data"])
                and e["detail1"] == politeness
            ),
        )


def _start_bus(env: dict[str, str]) -> list[subprocess.Popen[str]]:
    """A private session bus and an accessibility bus on it (each its own process group)."""
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert bus.stdout is not None
    env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    launcher = subprocess.Popen(
        [LAUNCHER, "--launch-immediately"], env=env, text=True, start_new_session=True
    )
    return [bus, launcher]


@contextlib.contextmanager
def open_session(
    tmp_path_factory: pytest.TempPathFactory,
    *,
    tv: bool,
    language: str = "en",
    home: bool = False,
) -> Iterator[Session]:
    """The window (in ``language``) on a private AT-SPI bus, and a client reading it;
    ``home``: the account that approves is a Plex Home."""
    reason = missing()
    if reason is not None:
        # CI sets PLEXLOGIN_TEST_A11Y=1: there a missing part is a failure, not a skip
        if os.environ.get("PLEXLOGIN_TEST_A11Y") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    env = dict(os.environ)
    env.pop("AT_SPI_BUS_ADDRESS", None)
    buses = _start_bus(env)
    env.update(
        QT_QPA_PLATFORM="xcb",
        QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
        PLEXLOGIN_CONFIG_DIR=str(tmp_path_factory.mktemp("config")),
        PLEXLOGIN_TV="1" if tv else "0",
        PLEXLOGIN_A11Y_HOME="1" if home else "0",
        LANGUAGE=language,
    )
    time.sleep(0.5)  # the launcher registers org.a11y.Bus
    driver = Process([sys.executable, "-m", "tests.a11y.driver"], env)
    client = Process([SYSTEM_PYTHON, str(ROOT / "tests/a11y/atspi_client.py"), "plexlogin"], env)
    try:
        codes = driver.read()
        assert client.read() == {"ready": True}
        time.sleep(0.5)  # Qt learns which events the client listens to
        yield Session(driver, client, codes["code"], codes["window"], tv=tv)
    finally:
        driver.stop()
        client.stop()
        for process in buses:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(5)
            if process.stdout is not None:
                process.stdout.close()


@pytest.fixture(scope="module", params=["desk", "tv"])
def session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Session]:
    with open_session(tmp_path_factory, tv=request.param == "tv") as opened:
        yield opened


def named(tree: list[Event], role: str) -> list[str]:
    """The names of the showing nodes with ``role``."""
    return [node["name"] for node in tree if node["role"] == role and "showing" in node["states"]]


def test_waiting_page(session: Session) -> None:
    tree = session.tree()
    assert named(tree, "dialog") == ["Sign in to Plex"]  # not a "filler"
    assert named(tree, "image")[1:] == ["QR code for signing in with your phone"]
    spelled = "Code: " + " ".join(session.code)
    code = next(node for node in tree if node["name"] == spelled)
    assert code["labelled_by"] == ["Then enter this code:"]
    labels = named(tree, "label")
    assert any(label.startswith("Code expires in ") for label in labels)
    for fixed in ("Time left", "Connection status", "Problem", "What went wrong"):
        assert all(node["name"] != fixed for node in tree)


def test_tab_follows_the_screen(session: Session) -> None:
    if session.tv:
        pytest.skip("TV mode moves focus with the arrow keys (the next test)")
    window = str(session.window)
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=TIMEOUT)
    for _ in range(3):
        subprocess.run(["xdotool", "key", "--window", window, "Tab"], check=True)
        time.sleep(0.3)
    order: list[str] = []

    def third_focus(event: Event) -> bool:
        if event["type"] == "object:state-changed:focused" and event["detail1"] == 1:
            order.append(event["name"])
        return order[-3:] == ["Copy code", "Cancel", "Sign in with browser"]

    session.wait_for("focus on Copy code, Cancel, Sign in with browser", third_focus)


def test_arrow_keys_move_focus_on_a_tv(session: Session) -> None:
    if not session.tv:
        pytest.skip("the desk window follows Tab (the test before)")
    window = str(session.window)
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=TIMEOUT)
    subprocess.run(["xdotool", "key", "--window", window, "Down"], check=True)
    session.focused("Back: cancel")  # the large Cancel button
    subprocess.run(["xdotool", "key", "--window", window, "Up"], check=True)  # back on the code


def test_trouble_is_readable_and_announced(session: Session) -> None:
    session.driver.send("trouble")
    session.announced("plex.tv is having problems — retrying in")
    assert any("retrying in" in name for name in named(session.tree(), "label"))
    session.announced("Connected to plex.tv again.")


def test_a_new_code_is_announced(session: Session) -> None:
    session.driver.send("renew")
    event = session.announced("New code: ")
    assert len(str(event["data"]).removeprefix("New code: ").split()) == len(session.code)


def test_problem_page_reads_its_real_text(session: Session) -> None:
    session.driver.send("approve")  # the keyring refuses the first save
    session.announced("could not be saved", ASSERTIVE)
    labels = named(session.tree(), "label")
    assert any("could not be saved" in label for label in labels)
    assert any("read-only" in label for label in labels)  # the error itself


def test_signed_in_is_announced(session: Session) -> None:
    session.driver.send("retry")
    session.announced("Signed in as demo-user")
    assert "Signed in as demo-user" in named(session.tree(), "label")


def test_a_screen_reader_hears_the_persons_language(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """In Arabic, what Orca reads is the Arabic catalog's, the code still spelled out."""
    arabic = i18n.load("ar").translations.gettext
    with open_session(tmp_path_factory, tv=False, language="ar") as session:
        tree = session.tree()
        assert named(tree, "dialog") == [arabic("Sign in to Plex")]
        assert named(tree, "image")[1:] == [arabic("QR code for signing in with your phone")]
        spelled = arabic("Code: {code}").format(code=" ".join(session.code))
        code = next(node for node in tree if node["name"] == spelled)
        assert code["labelled_by"] == [arabic("Then enter this code:")]
        assert all("Sign in to Plex" not in node["name"] for node in tree), "no English left"


def test_the_profile_picker_reads_as_buttons_and_follows_the_arrows(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A Plex Home's tiles are named buttons (name, then what they are) in the order seen,
    the first focused; Right moves the focus to the next, as on a TV's remote."""
    with open_session(tmp_path_factory, tv=True, home=True) as session:
        session.driver.send("approve")
        session.wait_for(
            "the last profile's tile",
            lambda e: e["role"] == "push button" and e["name"] == "Jules",
        )
        tree = session.tree()
        assert "Who is using this device?" in named(tree, "label")
        assert named(tree, "push button")[:4] == ["Alex", "Sam", "Mia", "Jules"]
        tiles = {node["name"]: node for node in tree if node["role"] == "push button"}
        assert tiles["Alex"]["description"] == "admin, signed in"
        assert tiles["Mia"]["description"] == "PIN"
        # with no window manager, the window is activated by hand: focus then shows
        window = str(session.window)
        subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=TIMEOUT)
        session.focused("Alex")  # the signed-in profile
        subprocess.run(["xdotool", "key", "--window", window, "Right"], check=True)
        session.focused("Sam")
