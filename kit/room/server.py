"""``python -m kit room``: the instructor's room server on the local network, until Ctrl-C.

It prints the addresses, a short room code for learners, and an instructor key for the helper
view. It binds only the address it is told (``--host``; by default this machine's address on
its network, the one learners reach), on ``well_known("room")`` unless ``--port`` says
otherwise. What the room learns lives in memory and is gone when it stops; at the end it offers
the day's timings as CSV, per exercise, for the instructor guide.
"""

from __future__ import annotations

import argparse
import csv
import logging
import secrets
import signal
import socket
import sys
from datetime import datetime
from pathlib import Path

from werkzeug.serving import make_server

from kit.check import exercises_of
from kit.errors import KitError
from kit.paths import WHEELHOUSE, check_dir, display_path, stages_with
from kit.ports import port_is_free, well_known
from kit.room.app import create_app
from kit.room.board import Board, Course, Exercise

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: a code read off a projector is typed right the first time."""
CSV_COLUMNS = [
    "stage",
    "exercise",
    "title",
    "passed",
    "median_minutes_to_pass",
    "most_common_first_failure",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=None, help="default: the room's port, 8765")
    parser.add_argument(
        "--host",
        default="",
        help="the address to bind (default: this machine's address on its network; "
        "127.0.0.1: this machine only; 0.0.0.0: every network it is on)",
    )
    parser.add_argument("--code", default="", help="the room code (default: random)")
    parser.add_argument("--key", default="", help="the instructor key (default: random)")
    parser.add_argument(
        "--stuck-minutes", type=float, default=10, help="stuck after this long on one exercise"
    )
    parser.add_argument("--csv", type=Path, help="write the day's timings here when it stops")
    parser.add_argument(
        "--wheelhouse", type=Path, default=WHEELHOUSE, help="the wheels to serve (wheelhouse/)"
    )


def run(args: argparse.Namespace) -> int:
    host = args.host or network_address()
    port = args.port or well_known("room")
    if not port_is_free(port, host):
        raise KitError(f"port {port} on {host} is taken: give another, e.g. PORT={port + 1}")
    code = args.code or "".join(secrets.choice(CODE_LETTERS) for _ in range(5))
    key = args.key or secrets.token_urlsafe(12)
    app = create_app(
        code,
        key,
        course(),
        {"STUCK_MINUTES": args.stuck_minutes, "WHEELHOUSE": args.wheelhouse},
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = make_server(host, port, app, threaded=True)
    address = f"http://{host}:{port}"
    _announce(address, code, key, wheels=len(list(args.wheelhouse.glob("*.whl"))))
    signal.signal(signal.SIGTERM, _stop_as_on_ctrl_c)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("\nkit room: stopped; what it knew is gone (it was in memory only).", flush=True)
    _offer_timings(app.extensions["room.board"], args.csv)
    return 0


def course() -> Course:
    """Every stage's exercises, as their checks declare them."""
    return {
        stage: {
            number: Exercise(exercise.title, exercise.hint)
            for number, exercise in exercises_of(stage).items()
        }
        for stage in stages_with(check_dir)
    }


def network_address() -> str:
    """This machine's address on its network (where learners reach it), else 127.0.0.1.

    A UDP socket "connected" to a documentation address sends nothing; it only learns which
    address this machine would send from.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 80))
            return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def _announce(address: str, code: str, key: str, wheels: int) -> None:
    print(f"kit room: open at {address}", flush=True)
    print(f"  room code: {code}")
    print(f"  learners:  make join ROOM={address} CODE={code} NAME=<a nickname>")
    if wheels:
        print(f"  set-up:    make setup ROOM={address}   ({wheels} wheels, no internet needed)")
    else:
        print("  set-up:    no wheels to serve: run `make wheelhouse` first (online, once)")
    print(f"  projector: {address}/")
    print(f"  helpers:   {address}/helper?key={key}   (names: keep this one off the projector)")
    if address.startswith("http://127."):
        print("  (this machine only: give HOST=<its network address> to let learners in)")
    print("Ctrl-C stops the room.", flush=True)


def _stop_as_on_ctrl_c(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _offer_timings(board: Board, destination: Path | None) -> None:
    """Write the day's per-exercise timings as CSV: to ``destination``, or where the
    instructor says when asked (a terminal only; nothing is asked of a script)."""
    if destination is None and sys.stdin.isatty():
        default = Path(f"room-{datetime.now():%Y%m%d-%H%M}.csv")
        try:
            answer = input(f"Save the day's timings as CSV? File [{default}], or n: ").strip()
        except (EOFError, KeyboardInterrupt):
            answer = "n"
        destination = None if answer.lower() in ("n", "no") else Path(answer or default)
    if destination is None:
        return
    with destination.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(board.timings())
    print(f"kit room: timings written to {display_path(destination)}.")
