"""A keyring for plexlogin child processes whose secrets live in the test process.

A ``plexlogin`` started by a test as a subprocess cannot use :class:`MemoryKeyring` (its
memory dies with it) and should not need a real Secret Service. So the child loads
:class:`SocketKeyring` by name::

    PYTHON_KEYRING_BACKEND=tests.helpers.socket_keyring.SocketKeyring
    PLEXLOGIN_TEST_KEYRING_SOCKET=/tmp/.../keyring.sock

and every call goes over a Unix socket to a :class:`KeyringServer` running in the test.
That is how a real keyring works too (the Secret Service is a daemon holding secrets in
its memory), so the backend passes plexlogin's no-plaintext checks honestly: nothing is
written to disk, it does not come from ``keyrings.alt``, and its priority is 1 only while
a server is reachable (keyring's convention: the priority raises RuntimeError when the
backend cannot work here).

The server also plays the keyring's failures, on demand and per operation: locked, a
refused write, an error that quotes the secret, or a call that hangs until released.
Test-only: this module is never shipped.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import keyring.backend
import keyring.errors
from keyring.compat import properties

SOCKET_ENV = "PLEXLOGIN_TEST_KEYRING_SOCKET"
BACKEND_NAME = "tests.helpers.socket_keyring.SocketKeyring"

#: How long the child waits for the server; the server's "hang" blocks far longer.
_CLIENT_TIMEOUT = 120.0
#: How late a "slow" call answers: well within plexlogin's grace for a write in progress.
SLOW_CALL = 0.2


class SocketKeyring(keyring.backend.KeyringBackend):
    """The child's side: forwards get/set/delete to the test's :class:`KeyringServer`."""

    #: never picked by keyring's automatic choice in the test process, only by name
    viable = False
    name = "Test keyring (held by the test process)"

    @properties.classproperty
    def priority(cls) -> float:
        path = os.environ.get(SOCKET_ENV)
        if not path or not Path(path).exists():
            raise RuntimeError(f"no test keyring server ({SOCKET_ENV} is not a socket)")
        return 1.0

    def _call(self, request: dict[str, str]) -> object:
        path = os.environ.get(SOCKET_ENV, "")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(_CLIENT_TIMEOUT)
                conn.connect(path)
                conn.sendall(json.dumps(request).encode() + b"\n")
                reply = json.loads(conn.makefile("rb").readline() or b"null")
        except OSError as exc:
            raise keyring.errors.InitError(f"the test keyring is gone ({exc})") from None
        if not isinstance(reply, dict):
            raise keyring.errors.KeyringError("the test keyring hung up")
        error = reply.get("error")
        if error is None:
            return reply.get("value")
        message = str(reply.get("message", error))
        raise {
            "locked": keyring.errors.KeyringLocked,
            "set": keyring.errors.PasswordSetError,
            "delete": keyring.errors.PasswordDeleteError,
            "init": keyring.errors.InitError,
            "other": RuntimeError,
        }.get(error, keyring.errors.KeyringError)(message)

    def get_password(self, service: str, username: str) -> str | None:
        value = self._call({"op": "get", "service": service, "username": username})
        return value if isinstance(value, str) else None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._call({"op": "set", "service": service, "username": username, "password": password})

    def delete_password(self, service: str, username: str) -> None:
        self._call({"op": "delete", "service": service, "username": username})


# --- the test's side ----------------------------------------------------------------------


@dataclass
class Fault:
    """What the server does instead of answering ``op`` (``get``/``set``/``delete``/``any``).

    ``kind``: ``locked``, ``set`` (PasswordSetError), ``other`` (a RuntimeError whose text
    quotes the secret being written, to prove plexlogin scrubs it), ``hang`` (no answer
    until :meth:`KeyringServer.release`) or ``slow`` (the normal answer after
    ``SLOW_CALL`` seconds). ``times=-1``: until cleared.
    """

    op: str
    kind: str
    times: int = 1


@dataclass
class Operation:
    """One call the server received, for assertions (``finished`` once it answered)."""

    op: str
    service: str
    username: str
    fault: str | None
    finished: threading.Event = field(default_factory=threading.Event)


class KeyringServer:
    """Holds secrets in memory and answers :class:`SocketKeyring` children."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[tuple[str, str], str] = {}
        self.operations: list[Operation] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        self.started_hanging = threading.Event()
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline()
                if not line:
                    return
                request = json.loads(line)
                reply = server._answer(request)
                if reply is not None:
                    self.wfile.write(json.dumps(reply).encode() + b"\n")

        class Server(socketserver.ThreadingUnixStreamServer):
            daemon_threads = True
            block_on_close = False

        self._server = Server(str(path), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def env(self) -> dict[str, str]:
        """What a child needs in its environment to use this keyring."""
        return {"PYTHON_KEYRING_BACKEND": BACKEND_NAME, SOCKET_ENV: str(self.path)}

    def add_fault(self, op: str, kind: str, times: int = 1) -> None:
        with self._lock:
            self.faults.append(Fault(op, kind, times))

    def clear_faults(self) -> None:
        """Answer normally from now on (a keyring that was locked is unlocked)."""
        with self._lock:
            self.faults.clear()

    def release(self) -> None:
        """Let every hanging call go (they then fail as a write refusal)."""
        self._released.set()

    def get(self, service: str, username: str) -> str | None:
        with self._lock:
            return self.entries.get((service, username))

    def ops(self, op: str | None = None) -> list[Operation]:
        with self._lock:
            return [o for o in self.operations if op is None or o.op == op]

    def _take_fault(self, op: str) -> Fault | None:
        for fault in self.faults:
            if fault.op in (op, "any"):
                if fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                return fault
        return None

    def _answer(self, request: dict[str, str]) -> dict[str, object] | None:
        op = request.get("op", "")
        key = (request.get("service", ""), request.get("username", ""))
        with self._lock:
            fault = self._take_fault(op)
            record = Operation(op, key[0], key[1], fault.kind if fault else None)
            self.operations.append(record)
        try:
            if fault is not None:
                if fault.kind == "hang":
                    self.started_hanging.set()
                    self._released.wait()
                    return {"error": "set", "message": "released after hanging"}
                if fault.kind == "slow":  # answers normally, a little late
                    self.started_hanging.set()
                    self._released.wait(SLOW_CALL)
                    fault = None
                elif fault.kind == "locked":
                    return {"error": "locked", "message": "Collection is locked"}
                elif fault.kind == "set":
                    return {"error": "set", "message": "the collection is read-only"}
                else:
                    secret = request.get("password", "")
                    return {"error": "other", "message": f"backend exploded writing {secret!r}"}
            with self._lock:
                if op == "get":
                    return {"value": self.entries.get(key)}
                if op == "set":
                    self.entries[key] = request["password"]
                    return {"value": None}
                if op == "delete":
                    if self.entries.pop(key, None) is None:
                        return {"error": "delete", "message": "No such password!"}
                    return {"value": None}
            return {"error": "other", "message": f"unknown op {op!r}"}
        finally:
            record.finished.set()

    def start(self) -> KeyringServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@contextmanager
def keyring_server() -> Iterator[KeyringServer]:
    """A running :class:`KeyringServer`; its socket lives in a short private /tmp folder."""
    # AF_UNIX paths are limited to about 100 bytes; pytest's tmp_path can be longer.
    short = Path(tempfile.mkdtemp(prefix="kr-", dir="/tmp"))
    server = KeyringServer(short / "keyring.sock").start()
    try:
        yield server
    finally:
        server.stop()
        for leftover in short.iterdir():
            leftover.unlink()
        short.rmdir()
