"""``python -m kit setup``: the kit's virtual environment, installed from the lock.

Runs on the system's Python with the standard library only. Idempotent: a stamp in ``.venv``
records what was installed, so a second run with an unchanged lock returns at once.
pip works quietly; the kit prints one line per phase, with the time it took, so that its own
lines are not lost in pip's, and shows pip's output only when pip fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kit.errors import KitError
from kit.link import kernel_spec_file, link_environment
from kit.paths import LOCK, VENV, venv_python

STAMP = VENV / ".kit-setup.json"
PIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[^\s=]+")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="reinstall even if up to date")
    parser.add_argument(
        "--room", default="", help="install from the room's wheelhouse alone (http://host:port)"
    )


def run(args: argparse.Namespace) -> int:
    ensure_environment(force=args.force, room=args.room)
    return 0


def ensure_environment(force: bool = False, quiet: bool = False, room: str = "") -> None:
    """Create or update ``.venv`` so that it matches the lock; quick when it already does.

    With ``room`` (``make room``'s address), every package comes from the room's wheelhouse
    and from nowhere else: the venue's internet is not needed.
    """
    wanted = _wanted_state()
    installed = _installed_state()
    if not force and installed == wanted:
        ensure_kernel()
        if not quiet:
            print("kit setup: .venv is up to date with requirements.lock.")
        return
    started = time.monotonic()
    if not venv_python().exists() or (installed or {}).get("python") != wanted["python"]:
        with _phase(f"creating .venv with Python {wanted['python']}"):
            venv.create(VENV, with_pip=True, clear=True)
    with _phase("updating pip" + (f" from the room {room}" if room else "")):
        _pip("install", "--upgrade", "pip", room=room)
    with _phase("installing requirements.lock (about a minute the first time)"):
        _pip("install", "--requirement", str(LOCK), room=room)
    with _phase(f"registering the Jupyter kernel in {VENV.name}"):
        link_environment(venv_python())
    STAMP.write_text(json.dumps(wanted, indent=2) + "\n")
    print(
        f"kit setup: done in {_seconds_since(started)}. "
        "Run `make lab` to start, `make test` to test."
    )


def ensure_kernel() -> None:
    """Register the kernel in ``.venv`` if it is not there (a ``.venv`` from an older kit).

    A file test, not a subprocess: every kit command passes here, so it must cost nothing.
    """
    if not kernel_spec_file(VENV).exists():
        with _phase(f"registering the Jupyter kernel in {VENV.name}"):
            link_environment(venv_python())


@contextmanager
def _phase(what: str) -> Iterator[None]:
    """Print ``kit setup: <what> … done in N s`` on one line around a phase of the set-up."""
    print(f"kit setup: {what} …", end=" ", flush=True)
    started = time.monotonic()
    try:
        yield
    except BaseException:
        print("failed.", flush=True)
        raise
    print(f"done in {_seconds_since(started)}.", flush=True)


def _seconds_since(started: float) -> str:
    return f"{time.monotonic() - started:.0f} s"


def check_lock(path: Path) -> None:
    """Refuse a lock that is not one ``name==version`` pin a line, before pip reads it.

    pip would stop on it only after minutes of output, and setup would then blame the
    network; this names the file, the line and the fix.
    """
    restore = f"restore it with `git checkout {path.name}`, or regenerate it with `make lock`."
    if not path.exists():
        raise KitError(f"{path.name} is missing: {restore}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise KitError(f"{path.name} is not text (is it corrupted?): {restore}") from None
    numbered = enumerate(map(str.strip, lines), start=1)
    pins = [(number, line) for number, line in numbered if line and not line.startswith("#")]
    if not pins:
        raise KitError(f"{path.name} pins no package: {restore}")
    for number, pin in pins:
        if not PIN.fullmatch(pin):
            raise KitError(f"{path.name} line {number} is not a name==version pin: {restore}")


def room_index(room: str) -> tuple[list[str], dict[str, str]]:
    """pip's options and environment to install from the room's package index alone.

    The room speaks plain HTTP on the local network, which pip refuses unless the host is
    named as trusted. pip's own settings (``PIP_*`` variables, ``pip.conf`` files) may add
    other indexes or folders, which a room without internet cannot reach or should not use:
    they are left out.
    """
    parts = urllib.parse.urlsplit(room.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KitError(f"ROOM={room!r}: give the room's address as shown, http://host:port")
    options = ["--index-url", f"{parts.scheme}://{parts.netloc}/simple/"]
    options += ["--trusted-host", parts.hostname]
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PIP_")}
    return options, environment | {"PIP_CONFIG_FILE": os.devnull}


def _wanted_state() -> dict:
    check_lock(LOCK)
    return {
        "python": ".".join(str(part) for part in sys.version_info[:3]),
        "lock_sha256": hashlib.sha256(LOCK.read_bytes()).hexdigest(),
    }


def _installed_state() -> dict | None:
    try:
        return json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return None


def _pip(*arguments: str, room: str = "") -> None:
    """Run pip in ``.venv`` with its output kept back, and shown only if pip fails; from the
    room's wheelhouse alone when ``room`` is given."""
    options, environment = room_index(room) if room else ([], None)
    command = [str(venv_python()), "-m", "pip", *arguments, *options]
    command.append("--disable-pip-version-check")
    completed = subprocess.run(command, capture_output=True, text=True, env=environment)
    if completed.returncode != 0:
        where = "Is the room open? Ask the instructor" if room else "Check your network or proxy"
        raise KitError(
            f"`{' '.join(command[1:])}` failed. pip said:\n"
            f"{(completed.stdout + completed.stderr).strip()}\n"
            f"{where}, then run `make setup` again."
        )
