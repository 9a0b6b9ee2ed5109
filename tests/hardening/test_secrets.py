"""The token goes to the keyring and to ``plexlogin token``'s stdout, and nowhere else.

An audit over whole sign-ins at the highest verbosity (-v) through the real program:
stdout, stderr, every file under the test's folder (config folder, HOME, working
directory), the process's command line and environment while it holds the token, and
in-process: every log record at DEBUG (urllib3's included), the text, repr and
traceback of every error, and the repr/str of every plexlogin object alive after a
sign-in. Then the transport: TLS verification is never turned off, plain http:// only
to this machine (however it is spelled), and the config file is private.
"""

from __future__ import annotations

import ast
import datetime as dt
import gc
import logging
import os
import re
import socket
import ssl
import subprocess
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring.backend
import keyring.errors
import pytest

from plexlogin import events
from plexlogin.cli import check_plex_url
from plexlogin.errors import KeyringError, NetworkError, UsageError
from plexlogin.login import LoginSession, LoginSettings, Outcome
from plexlogin.plex import Identity, PlexClient
from plexlogin.secret import Token
from plexlogin.simulator import TOKEN_PREFIX, Home, HomeProfile, Simulator
from tests.helpers.fake_clock import FakeClock
from tests.helpers.keyring_fixtures import RaisingKeyring
from tests.helpers.socket_keyring import KeyringServer

from .harness import (
    SERVICE,
    Child,
    Live,
    Result,
    approve_when_shown,
    finish,
    plexlogin_command,
    scan_for,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[2]


def nowhere(token: str, *texts: str) -> None:
    for text in texts:
        assert token not in text, f"the token leaked into: {text[:300]!r}"


# --- the real program at -v ----------------------------------------------------------------------


@pytest.mark.slow
def test_audit_of_whole_sign_ins_at_the_highest_verbosity(
    child: Child, simulator: Simulator, keyring_srv: KeyringServer, tmp_path: Path
) -> None:
    outputs: list[Result] = []
    tokens: list[str] = []

    # 1. typed code, a keyring write slow enough to look at the process holding the token
    keyring_srv.add_fault("set", "slow")
    live = Live(child.login("-v"))
    tokens.append(approve_when_shown(simulator, username="jane"))
    assert keyring_srv.started_hanging.wait(15)
    pid = live.process.pid
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    outputs.append(live.finish())
    assert outputs[-1].returncode == 0

    # 2. the QR code's PIN, after a rejected token and a token plex.tv could not check
    simulator.expire()  # the first run's unused PIN must not be approved by mistake
    simulator.add_fault("user", status=401)
    simulator.add_fault("user", status=500)
    live = Live(child.login("-v"))
    tokens.append(approve_when_shown(simulator, strong=True, username="jane"))
    live.wait_for_stderr("New code")
    tokens.append(approve_when_shown(simulator, strong=True, username="jane"))
    outputs.append(live.finish())
    assert outputs[-1].returncode == 0

    # 3. a keyring that refuses the write, quoting the token in its error
    simulator.expire()
    keyring_srv.add_fault("set", "other")
    process = child.login("-v")
    tokens.append(approve_when_shown(simulator, username="jane"))
    outputs.append(finish(process))
    assert outputs[-1].returncode == 1

    # 4. the commands that read the stored token, at -v
    status = child.run("status", "-v", "--json", "--plex-url", simulator.url)
    assert status.returncode == 0 and '"valid"' in status.stdout
    simulator.revoke(tokens[2])
    rejected = child.run("status", "-v", "--plex-url", simulator.url)
    assert rejected.returncode == 1
    printed = child.run("token", "-v")
    assert printed.stdout == tokens[2] + "\n"  # the one place the token is meant to be
    logout = child.run("logout", "-v")
    assert logout.returncode == 0
    outputs += [status, rejected, logout]

    every_output = [o.stdout + o.stderr for o in outputs] + [printed.stderr, cmdline, environ]
    for token in tokens:
        assert token.startswith(TOKEN_PREFIX)
        nowhere(token, *every_output)
        # files: the config folder, HOME, the working directory, anything under the test
        assert scan_for(token, [tmp_path]) == []
    assert not re.search(TOKEN_PREFIX + r"\w+", "".join(every_output))


@pytest.mark.slow
def test_the_device_key_is_only_in_the_keyring(
    child: Child, simulator: Simulator, keyring_srv: KeyringServer, tmp_path: Path
) -> None:
    """--auth jwt at -v: sign-in, renewal, status, logout; the private key stays in the keyring."""
    import base64
    import json

    # Plex JWTs of an hour: due for renewal (less than a day left) as soon as they are issued
    simulator.model.devices.lifetime = 3600
    process = child.login("-v", "--auth", "jwt")
    tokens = [approve_when_shown(simulator, username="jane")]
    signed_in = finish(process)
    assert signed_in.returncode == 0 and json.loads(signed_in.stdout)["auth"] == "jwt"
    secret = keyring_srv.get(SERVICE + "-device-key", "jane")
    assert secret is not None and secret.startswith("ed25519:")
    encoded = secret.removeprefix("ed25519:")
    raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    forms = [secret, encoded, raw.hex(), base64.b64encode(raw).decode().rstrip("=")]

    simulator.advance_clock(2)  # a renewal within the same second would be the same JWT
    printed = child.run("token", "-v", "--plex-url", simulator.url)
    assert printed.returncode == 0, printed.stderr
    tokens.append(printed.stdout.strip())
    assert tokens[1] != tokens[0] and keyring_srv.get(SERVICE, "jane") == tokens[1]
    status = child.run("status", "-v", "--json", "--plex-url", simulator.url)
    assert status.returncode == 0 and '"jwt"' in status.stdout
    logout = child.run("logout", "-v")
    assert logout.returncode == 0
    assert keyring_srv.get(SERVICE + "-device-key", "jane") is None

    outputs = [signed_in, status, logout]
    every_output = [o.stdout + o.stderr for o in outputs] + [printed.stderr]
    for form in forms:
        nowhere(form, *every_output)
        assert scan_for(form, [tmp_path]) == []  # config folder, HOME, working directory
    for token in tokens:
        nowhere(token, *every_output)


# --- in-process: logs, errors, reprs -------------------------------------------------------------


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, urllib3's request lines included."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3").setLevel(logging.DEBUG)
    yield caplog


def test_logs_errors_and_reprs_of_a_whole_sign_in_never_show_the_token(
    simulator: Simulator,
    debug_log: pytest.LogCaptureFixture,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
) -> None:
    clock = FakeClock()
    heard: list[events.Event] = []
    settings = LoginSettings(
        plex_url=simulator.url,
        client_id="aa0e0d0c-1b2a-4c3d-8e4f-5a6b7c8d9e0f",
        product="plexlogin",
        device_name=None,
        keyring_service=SERVICE,
        keyring_username=None,
        remember=False,
    )
    session = LoginSession(settings, heard.append, clock=clock, waiter=clock)
    simulator.add_fault("user", status=401)
    clock.at(3, lambda: simulator.approve(_newest(simulator)))
    clock.at(10, lambda: simulator.approve(_newest(simulator)))
    signin = session.run()
    token = signin.token.reveal()

    # the keyring refuses, quoting the token: the error must not carry it
    class Quoting(RaisingKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.PasswordSetError(f"refused {password}")

    use_keyring(Quoting(RuntimeError("unused")))
    errors: list[BaseException] = []
    try:
        session.store_token(signin)
    except KeyringError as error:
        errors.append(error)
    outcome = Outcome.from_error(errors[0], signin.user.username)
    session.close()

    shown = [record.getMessage() for record in debug_log.records]
    shown += ["".join(traceback.format_exception(e)) + repr(e) + str(e) for e in errors]
    shown += [repr(e) + str(e) for e in heard]
    shown += [repr(signin), str(signin), repr(signin.token), f"{signin.token}", repr(outcome)]
    shown += [repr(outcome.as_json(settings)), repr(session.__dict__), repr(session.flow.__dict__)]
    gc.collect()
    for thing in gc.get_objects():
        module = getattr(type(thing), "__module__", "")
        # plexlogin.simulator is plex.tv's side of the table: it issued the token
        if isinstance(module, str) and module.startswith("plexlogin") and "simulator" not in module:
            try:
                shown.append(repr(thing))
                shown.append(str(thing))
            except RuntimeError:
                # a Qt wrapper whose C++ object is gone (an earlier window test's worker):
                # it holds nothing that could be shown
                continue
    assert any("GET /api/v2/user" in line for line in shown), "urllib3's DEBUG log was not seen"
    nowhere(token, *shown)


# --- the Plex Home profile PIN: a household secret ---------------------------------------------

#: a protected profile's PIN, and the wrong one typed first; searched for as whole numbers
#: (never inside a longer run of letters, digits or dashes, such as a UUID's)
PROFILE_PIN, WRONG_PIN = "0479", "0480"
PIN_HOME = Home(
    (HomeProfile("Pat", username="pat", admin=True), HomeProfile("Kid", pin=PROFILE_PIN)),
    name="The Audit Home",
)


def pin_seen(text: str) -> bool:
    return any(re.search(rf"(?<![\w-]){pin}(?![\w-])", text) for pin in (PROFILE_PIN, WRONG_PIN))


def run_with_stdin(child: Child, stdin: str, *args: str) -> tuple[Result, str]:
    """A child plexlogin reading ``stdin``; also its command line, read while it runs."""
    process = subprocess.Popen(
        [*plexlogin_command(), *args],
        env=child.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=child.tmp_path,
    )
    cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode(errors="replace")
    assert process.stdin is not None
    process.stdin.write(stdin)
    process.stdin.close()
    process.stdin = None  # communicate() must not flush a closed pipe
    return finish(process), cmdline


@pytest.mark.slow
def test_the_profile_pin_is_in_no_output_file_log_or_argument(
    tmp_path: Path, keyring_srv: KeyringServer
) -> None:
    with Simulator(home=PIN_HOME) as sim:
        child = Child(tmp_path, sim, keyring_srv)
        login = ["login", "--terminal", "--json", "-v", "--plex-url", sim.url, "--profile", "kid"]
        login += ["--profile-pin-stdin", "--keyring-service", SERVICE]
        seen: list[str] = []
        for pin, code in ((WRONG_PIN, 1), (PROFILE_PIN, 0)):
            sim.expire()
            threading.Thread(target=approve_when_shown, args=(sim,), daemon=True).start()
            result, cmdline = run_with_stdin(child, pin + "\n", *login)
            assert result.returncode == code, result.stderr
            seen += [result.stdout, result.stderr, cmdline]
        switch = ["switch", "Kid", "--json", "-v", "--plex-url", sim.url, "--profile-pin-stdin"]
        switch += ["--keyring-service", SERVICE, "--keyring-username", "Kid"]
        # back to the admin first (a Home member's token may switch to any profile)
        back = child.run(
            "switch", "pat", "--plex-url", sim.url, "--keyring-service", SERVICE,
            "--keyring-username", "Kid",
        )
        assert back.returncode == 0, back.stderr
        for pin, code in ((WRONG_PIN, 1), (PROFILE_PIN, 0)):
            result, cmdline = run_with_stdin(child, pin + "\n", *switch)
            assert result.returncode == code, result.stderr
            seen += [result.stdout, result.stderr, cmdline]
        profiles = child.run("profiles", "--json", "-v", "--plex-url", sim.url)
        seen += [profiles.stdout, profiles.stderr]
        log = [f"{r.method} {r.path}?{r.query}" for r in sim.requests]
    assert '"profile": "Kid"' in seen[3] and "PIN was wrong" in seen[1]
    assert any("pin=<redacted>" in line for line in log), "the PIN did go to plex.tv"
    assert not [text for text in seen + log if pin_seen(text)]
    files = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()]
    assert files and not [p for p in files if pin_seen(p.read_bytes().decode(errors="replace"))]


def test_the_profile_pin_is_in_no_log_record_error_or_repr(
    debug_log: pytest.LogCaptureFixture, memory_keyring: object
) -> None:
    shown: list[str] = []
    with Simulator(home=PIN_HOME) as sim:
        for pin in (WRONG_PIN, PROFILE_PIN):
            clock = FakeClock()
            settings = LoginSettings(
                plex_url=sim.url,
                client_id="bb0e0d0c-1b2a-4c3d-8e4f-5a6b7c8d9e0f",
                product="plexlogin",
                device_name=None,
                keyring_service=SERVICE,
                keyring_username=None,
                remember=False,
                profile="Kid",
                profile_pin=pin,
            )
            heard: list[events.Event] = []
            session = LoginSession(settings, heard.append, clock=clock, waiter=clock)
            clock.at(2, lambda: sim.approve(_newest(sim)))
            outcome = session.sign_in()
            session.close()
            shown += [repr(e) for e in heard] + [repr(outcome), repr(settings)]
            shown += [repr(session.__dict__), repr(outcome.as_json(settings))]
        assert outcome.profile == "Kid"
    shown += [record.getMessage() for record in debug_log.records]
    assert any("/switch" in line for line in shown), "urllib3's DEBUG log was not seen"
    assert not [text for text in shown if pin_seen(text)]


def _newest(sim: Simulator) -> int:
    return max((p for p in sim.pins() if not p.strong and not p.approved), key=lambda p: p.id).id


def test_token_type_refuses_to_show_itself() -> None:
    token = Token("SIMULATED-do-not-show")
    nowhere(
        "SIMULATED-do-not-show",
        repr(token),
        str(token),
        f"{token}",
        f"{token!r}",
        "%s %r" % (token, token),  # noqa: UP031 - the old formatting must redact too
        repr([token]),
        repr({"t": token}),
    )
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(token)


# --- TLS -----------------------------------------------------------------------------------------


def test_no_code_turns_tls_verification_off() -> None:
    forbidden = re.compile(
        r"verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False|_create_unverified_context"
        r"|disable_warnings|InsecureRequestWarning|PYTHONHTTPSVERIFY"
    )
    for path in sorted((ROOT / "plexlogin").rglob("*.py")):
        if path.name == "simulator.py":
            continue  # the simulator serves plain HTTP and makes no requests
        hits = [line for line in path.read_text().splitlines() if forbidden.search(line)]
        assert hits == [], f"{path}: {hits}"


def test_the_client_verifies_and_ignores_environment_overrides() -> None:
    client = PlexClient(Identity("aa0e0d0c-1b2a-4c3d-8e4f-5a6b7c8d9e0f"))
    assert client.session.verify is True
    # CURL_CA_BUNDLE="" or REQUESTS_CA_BUNDLE cannot swap the certificate check
    assert client.session.trust_env is False
    client.close()


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[tuple[int, Path, list[str]]]:
    """A TLS server on 127.0.0.1 with a certificate nobody trusts; records what happened."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    seen: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                continue
            try:
                with context.wrap_socket(raw, server_side=True) as conn:
                    conn.settimeout(2)
                    seen.append("request: " + conn.recv(4096).decode(errors="replace"))
                    conn.sendall(b"HTTP/1.1 500 No\r\nContent-Length: 0\r\n\r\n")
            except (ssl.SSLError, OSError) as error:
                seen.append(f"handshake failed: {error}")

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield listener.getsockname()[1], cert_file, seen
    finally:
        stop.set()
        server.join(5)
        listener.close()


def test_an_untrusted_certificate_is_refused(
    self_signed_server: tuple[int, Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, _, seen = self_signed_server
    # a CA bundle named in the environment is trusted on purpose (company proxies); none
    # is named here, so the system's CAs decide, and they don't know this certificate
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    with PlexClient(
        Identity("aa0e0d0c-1b2a-4c3d-8e4f-5a6b7c8d9e0f"), f"https://127.0.0.1:{port}"
    ) as c:
        with pytest.raises(NetworkError):
            c.create_pin()
    wait_for(lambda: seen, "the server to note the handshake")
    assert all(line.startswith("handshake failed") for line in seen)


def test_the_program_refuses_an_untrusted_certificate(
    child: Child, self_signed_server: tuple[int, Path, list[str]]
) -> None:
    port, _, seen = self_signed_server
    no_bundle = dict.fromkeys(("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"), "")
    env = child.env(PYTHONHTTPSVERIFY="0", **no_bundle)
    result = finish(child.login("--timeout", "2", url=f"https://127.0.0.1:{port}", env=env))
    result.assert_clean()
    assert result.returncode == 1 and result.json["error"] == "Gave up: Can't reach plex.tv."
    assert seen and not any(line.startswith("request") for line in seen)


# --- plain http only to this machine -------------------------------------------------------------

LOOPBACK = [
    "http://127.0.0.1:32400",
    "http://[::1]:32400",
    "HTTP://127.0.0.1",
    "hTTp://[::1]",
    "http://localhost:8080",
    "http://LOCALHOST",
    "http://127.0.0.2/base/",
    "https://plex.tv",
]
NOT_LOOPBACK = [
    "http://127.0.0.1.evil.example",
    "http://127.0.0.1.evil.example:32400",
    "http://localhost.evil.example",
    "http://evil.example/127.0.0.1",
    "http://evil.example#@127.0.0.1",
    "http://evil.example?@127.0.0.1",
    "http://127.1",  # inet_aton shorthand: refused rather than guessed
    "http://0x7f000001",
    "http://2130706433",
    "http://[::ffff:127.0.0.1]",
    "http://[::ffff:7f00:1]",
    "http://\uff11\uff12\uff17.0.0.1",
    "http://127.0.0.1%2eevil.example",
    "http://[::1]x",
    "http://[::1",
    "http://plex.tv",
]
USERINFO = [
    "http://user@127.0.0.1",
    "http://user:pw@127.0.0.1",
    "http://127.0.0.1@evil.example",
    "http://127.0.0.1:80@evil.example",
    "http://127.0.0.1\\@evil.example",  # urllib3 and urllib.parse disagree on this one
    "https://token:x@plex.tv",
    "http://@127.0.0.1",
]


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_and_https_urls_are_accepted(url: str) -> None:
    checked = check_plex_url(url)
    assert checked.startswith(("http://", "https://")) and not checked.endswith("/")


@pytest.mark.parametrize("url", NOT_LOOPBACK + USERINFO)
def test_everything_else_is_refused(url: str) -> None:
    with pytest.raises(UsageError):
        check_plex_url(url)


@pytest.mark.parametrize(
    ("how", "url"),
    [
        ("--plex-url", "http://127.0.0.1.evil.example"),
        ("--plex-url", "http://user:pw@127.0.0.1"),
        ("--plex-url", "http://[::1"),
        ("PLEXLOGIN_PLEX_URL", "http://127.0.0.1.evil.example:32400"),
    ],
)
def test_the_program_refuses_before_any_connection(
    how: str, url: str, child: Child, tmp_path: Path
) -> None:
    """The child's resolver notes every name it is asked for: none may be asked at all."""
    hook = tmp_path / "resolver"
    hook.mkdir()
    asked = tmp_path / "asked"
    (hook / "sitecustomize.py").write_text(
        "import socket\n"
        f"def _note(host, *args, **kwargs):\n"
        f"    open({str(asked)!r}, 'a').write(f'{{host}}\\n')\n"
        "    raise socket.gaierror(socket.EAI_NONAME, 'no network in this test')\n"
        "socket.getaddrinfo = _note\n"
    )
    env = child.env()
    env["PYTHONPATH"] = f"{hook}:{env['PYTHONPATH']}"
    if how == "PLEXLOGIN_PLEX_URL":
        env[how] = url
        args = ["login", "--terminal", "--json"]
    else:
        args = ["login", "--terminal", "--json", "--plex-url", url]
    result = child.run(*args, env=env)
    result.assert_clean()
    assert result.returncode == 2, result.stderr
    assert result.json["status"] == "error"
    assert not asked.exists(), asked.read_text()


# --- the files plexlogin writes ------------------------------------------------------------------


def test_config_is_private_whatever_the_umask(
    child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    import subprocess
    import sys

    from .harness import plexlogin_command

    process = subprocess.Popen(
        [*plexlogin_command(), "login", "--terminal", "--json", "--plex-url", simulator.url],
        env=child.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        umask=0,  # the laxest a wizard could leave us with
    )
    approve_when_shown(simulator, username="jane")
    result = finish(process)
    assert result.returncode == 0, result.stderr
    folder, file = child.config_dir, child.config_dir / "config.json"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert file.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["config.json"]  # no temp files left
    assert sys.platform.startswith("linux")


def test_config_holds_names_only(
    simulator: Simulator, memory_keyring: object, tmp_path: Path
) -> None:
    """What remember_account writes: the client id and where the token went, no secret."""
    from plexlogin.config import config_path
    from plexlogin.login import remember_account

    remember_account(SERVICE, "jane", "jane")
    text = config_path().read_text()
    assert set(__import__("json").loads(text)) == {
        "version",
        "client_id",
        "last_username",
        "keyring_service",
        "keyring_username",
        "auth",
        "jwt_client_id",
    }
    assert "token" not in text.lower()
    assert os.stat(config_path()).st_mode & 0o777 == 0o600


#: where Token.reveal() may be used, once each, by module and enclosing function: the HTTP
#: header that checks the token, the keyring write, ``plexlogin token`` and its Python twin
#: ``plexlogin.stored_token()``, and (JWT sign-in) reading the device key back from its
#: keyring entry, checking a Plex JWT's signature and reading a stored one's expiry
REVEAL_ALLOWED = {
    ("plexlogin.plex", "PlexClient.get_user"),
    # the X-Plex-Token header of the Plex Home calls: list the profiles, switch to one
    ("plexlogin.plex", "PlexClient.home_users"),
    ("plexlogin.plex", "PlexClient.switch_profile"),
    ("plexlogin.tokens", "TokenStore.save"),
    ("plexlogin.stored_cli", "_token"),
    ("plexlogin.api", "stored_token"),
    ("plexlogin.jwtauth", "DeviceKey.from_secret"),
    ("plexlogin.jwtauth", "verify_plex_jwt"),
    # when a stored Plex JWT expires, to renew it without a request when it is not due
    ("plexlogin.jwtauth", "expiry_of"),
}


class _RevealFinder(ast.NodeVisitor):
    """Every use of an attribute named ``reveal`` (called or not), with its enclosing function."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.scope: list[str] = []
        self.found: list[tuple[str, str]] = []

    def _enter(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _enter

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "reveal":
            self.found.append((self.module, ".".join(self.scope) or "<module>"))
        self.generic_visit(node)


def reveal_sites(source: str, module: str) -> list[tuple[str, str]]:
    """(module, enclosing function) of every ``.reveal`` in ``source``, one per use."""
    finder = _RevealFinder(module)
    finder.visit(ast.parse(source))
    return finder.found


def test_reveal_sites_sees_every_way_of_reaching_the_value() -> None:
    source = (
        "def a(t):\n    return t.reveal()\n"
        "class B:\n    def c(self, t):\n        f = t.reveal\n        return f()\n"
        "x = tok.reveal(\n)\n"
        "def d(t):\n    return t.revealed  # another name\n"
        "def a2(t):\n    log(t.reveal())\n    return t.reveal()\n"
    )
    assert reveal_sites(source, "m") == [
        ("m", "a"),
        ("m", "B.c"),
        ("m", "<module>"),
        ("m", "a2"),
        ("m", "a2"),
    ]


def test_secrets_are_revealed_only_where_they_must_be() -> None:
    """Token.reveal() is the only way to the value; any other use is a leak to review."""
    package = ROOT / "plexlogin"
    found: list[tuple[str, str]] = []
    for path in package.rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found += reveal_sites(path.read_text(), module.removesuffix(".__init__"))
    assert sorted(found) == sorted(REVEAL_ALLOWED)
