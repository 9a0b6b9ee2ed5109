"""``python -m plexlogin.simulator``: serve the simulator until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from plexlogin.simulator.profiles import DEMO_HOME, DEMO_PROFILE_PIN
from plexlogin.simulator.server import Simulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m plexlogin.simulator",
        description="Serve a local stand-in for plex.tv's PIN sign-in (fake tokens only). "
        "It prints its URL, which carries a secret for this run: open it to approve "
        "sign-ins, and use it as plexlogin's --plex-url.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: 0, any free port)")
    parser.add_argument(
        "--auto-approve",
        type=float,
        metavar="SECONDS",
        help="approve each PIN by itself this many seconds after it was created",
    )
    parser.add_argument("--pin-lifetime", type=float, default=900.0, metavar="S")
    parser.add_argument("--strong-pin-lifetime", type=float, default=1800.0, metavar="S")
    parser.add_argument(
        "--username", help="who approves (default: the Home's admin, else demo-user)"
    )
    parser.add_argument(
        "--home",
        action="store_true",
        help=f"make the account the demo Plex Home (Alex, Sam, Mia with PIN "
        f"{DEMO_PROFILE_PIN}, Jules)",
    )
    parser.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        metavar="S",
        help="run the server clock S seconds ahead",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        simulator = Simulator(
            host=args.host,
            port=args.port,
            pin_lifetime=args.pin_lifetime,
            strong_pin_lifetime=args.strong_pin_lifetime,
            auto_approve_after=args.auto_approve,
            username=args.username,
            clock_offset=args.clock_offset,
            home=DEMO_HOME if args.home else None,
        )
    except ValueError as exc:
        parser.error(str(exc))  # exits with status 2, like any other bad option

    stop_requested = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    # Handlers instead of KeyboardInterrupt/default SIGTERM: exit 0 with no traceback.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with simulator:
            # The URL with the run's secret: the pages and controls need it, and the API
            # answers below it too, so one URL serves a test or a person.
            print(f"plexlogin simulator listening on {simulator.control_url}", flush=True)
            # A timed wait, so a signal that lands between checks is noticed anyway.
            while not stop_requested.wait(0.2):
                pass
    except OSError as exc:  # typically: the port is taken
        print(f"plexlogin simulator: {exc}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
