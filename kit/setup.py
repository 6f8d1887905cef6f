"""``python -m kit setup``: the kit's virtual environment, installed from the lock.

Runs on the system's Python with the standard library only. Idempotent: a stamp in ``.venv``
records what was installed, so a second run with unchanged locks returns at once.
A learner gets requirements.lock (what the course runs); ``--maintainer`` (and ``make test``)
adds requirements-maintainer.lock, the kit's own test and build tools. ``--index-url`` installs
from another package index (a room's server, a company mirror) instead of PyPI.
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
from urllib.parse import urlsplit

from kit.errors import KitError
from kit.link import kernel_spec_file, link_environment
from kit.paths import LOCK, MAINTAINER_LOCK, VENV, venv_python

STAMP = VENV / ".kit-setup.json"
PIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[^\s=;]+(\s*;\s*[^;]+)?")
"""A lock's line: ``name==version``, and the platforms or Pythons it is for when not all
(``gunicorn==27.0.1 ; sys_platform != 'win32'``)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="reinstall even if up to date")
    parser.add_argument(
        "--room", default="", help="install from the room's wheelhouse alone (http://host:port)"
    )
    parser.add_argument(
        "--maintainer",
        action="store_true",
        help=f"add the kit's own test and build tools ({MAINTAINER_LOCK.name}); make test does",
    )
    parser.add_argument(
        "--index-url",
        help="install from this package index instead of PyPI, e.g. http://host:port/simple",
    )


def run(args: argparse.Namespace) -> int:
    ensure_environment(
        force=args.force, maintainer=args.maintainer, index_url=args.index_url, room=args.room
    )
    return 0


def locks(maintainer: bool = False) -> list[Path]:
    """The lock files an install takes: the learner's, and the maintainer's on top."""
    return [LOCK, MAINTAINER_LOCK] if maintainer else [LOCK]


def ensure_environment(
    force: bool = False,
    quiet: bool = False,
    maintainer: bool = False,
    index_url: str | None = None,
    room: str = "",
) -> None:
    """Create or update ``.venv`` so that it holds the locks' pins; quick when it already does.

    A maintainer's ``.venv`` also satisfies a learner's set-up: it holds the learner lock too.
    With ``room`` (``make room``'s address), every package comes from the room's wheelhouse
    and from nowhere else: the venue's internet is not needed.
    """
    lock_files = locks(maintainer)
    wanted = _wanted_state(lock_files)
    installed = _installed_state() or {}
    names = " and ".join(wanted["locks"])
    if not force and _holds(installed, wanted):
        ensure_kernel()
        if not quiet:
            print(f"kit setup: {VENV.name} is up to date with {names}.")
        return
    started = time.monotonic()
    if not venv_python().exists() or installed.get("python") != wanted["python"]:
        with _phase(f"creating {VENV.name} with Python {wanted['python']}"):
            venv.create(VENV, with_pip=True, clear=True)
    source, environment = room_index(room) if room else (index_arguments(index_url), None)
    with _phase("updating pip" + (f" from the room {room}" if room else "")):
        _pip("install", "--upgrade", "pip", *source, environment=environment, room=room)
    requirements = [argument for lock in lock_files for argument in ("--requirement", str(lock))]
    with _phase(f"installing {names} (about a minute the first time)"):
        _pip("install", *source, *requirements, environment=environment, room=room)
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


def index_arguments(index_url: str | None) -> list[str]:
    """pip's arguments to install from ``index_url`` instead of PyPI (none: PyPI).

    A room's server on the local network speaks plain HTTP, which pip refuses unless the
    host is named as trusted.
    """
    if not index_url:
        return []
    arguments = ["--index-url", index_url]
    if urlsplit(index_url).scheme == "http":
        arguments += ["--trusted-host", urlsplit(index_url).hostname or ""]
    return arguments


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


def _wanted_state(lock_files: list[Path]) -> dict:
    for lock in lock_files:
        check_lock(lock)
    return {
        "python": ".".join(str(part) for part in sys.version_info[:3]),
        "locks": {lock.name: hashlib.sha256(lock.read_bytes()).hexdigest() for lock in lock_files},
    }


def _holds(installed: dict, wanted: dict) -> bool:
    """Whether what was installed (the stamp) holds every lock wanted, at the same Python."""
    held = installed.get("locks") or {}
    return installed.get("python") == wanted["python"] and all(
        held.get(name) == digest for name, digest in wanted["locks"].items()
    )


def _installed_state() -> dict | None:
    try:
        return json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return None


def _pip(*arguments: str, environment: dict[str, str] | None = None, room: str = "") -> None:
    """Run pip in ``.venv`` with its output kept back, and shown only if pip fails."""
    command = [str(venv_python()), "-m", "pip", *arguments]
    command.append("--disable-pip-version-check")
    completed = subprocess.run(command, capture_output=True, text=True, env=environment)
    if completed.returncode != 0:
        where = "Is the room open? Ask the instructor" if room else "Check your network or proxy"
        raise KitError(
            f"`{' '.join(command[1:])}` failed. pip said:\n"
            f"{(completed.stdout + completed.stderr).strip()}\n"
            f"{where}, then run `make setup` again."
        )
