"""``python -m kit setup``: the kit's virtual environment, installed from the lock.

Runs on the system's Python with the standard library only. Idempotent: a stamp in ``.venv``
records what was installed, so a second run with an unchanged lock returns at once.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import venv
from pathlib import Path

from kit.errors import KitError
from kit.link import KERNEL_NAME, kernel_python, link_environment
from kit.paths import LOCK, VENV, venv_python

STAMP = VENV / ".kit-setup.json"
PIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[^\s=]+")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="reinstall even if up to date")


def run(args: argparse.Namespace) -> int:
    ensure_environment(force=args.force)
    return 0


def ensure_environment(force: bool = False, quiet: bool = False) -> None:
    """Create or update ``.venv`` so that it matches the lock; quick when it already does."""
    wanted = _wanted_state()
    installed = _installed_state()
    if not force and installed == wanted:
        ensure_kernel()
        if not quiet:
            print("kit setup: .venv is up to date with requirements.lock.")
        return
    if not venv_python().exists() or (installed or {}).get("python") != wanted["python"]:
        print(f"kit setup: creating .venv with Python {wanted['python']} …")
        venv.create(VENV, with_pip=True, clear=True)
    print("kit setup: installing requirements.lock (about a minute the first time) …")
    _pip("install", "--quiet", "--upgrade", "pip")
    _pip("install", "--quiet", "--requirement", str(LOCK))
    link_environment(venv_python())
    STAMP.write_text(json.dumps(wanted, indent=2) + "\n")
    print("kit setup: done. Run `make lab` to start, `make test` to test.")


def ensure_kernel() -> None:
    """Take the kernel name back if another clone of the kit registered it since."""
    registered = kernel_python(venv_python())
    if registered != str(venv_python()):
        print(f"kit setup: kernel '{KERNEL_NAME}' ran {registered or 'nothing'}; now this .venv.")
        link_environment(venv_python())


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


def _pip(*arguments: str) -> None:
    command = [str(venv_python()), "-m", "pip", *arguments]
    if subprocess.run(command).returncode != 0:
        raise KitError(
            f"`{' '.join(command[1:])}` failed (see pip's message above). Check your network "
            "or proxy, then run `make setup` again."
        )
