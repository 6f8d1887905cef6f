"""``python -m kit setup``: the kit's virtual environment, installed from the lock.

Runs on the system's Python with the standard library only. Idempotent: a stamp in ``.venv``
records what was installed, so a second run with an unchanged lock returns at once.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import venv

from kit.errors import KitError
from kit.link import kernel_spec_file, link_environment
from kit.paths import LOCK, VENV, venv_python

STAMP = VENV / ".kit-setup.json"


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
    """Register the kernel in ``.venv`` if it is not there (a ``.venv`` from an older kit).

    A file test, not a subprocess: every kit command passes here, so it must cost nothing.
    """
    if not kernel_spec_file(VENV).exists():
        print("kit setup: registering the Jupyter kernel in .venv …")
        link_environment(venv_python())


def _wanted_state() -> dict:
    if not LOCK.exists():
        raise KitError(f"{LOCK.name} is missing: restore it with `git checkout {LOCK.name}`.")
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
