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
from pathlib import Path

from kit.errors import KitError
from kit.paths import ROOT, VENV, venv_python

LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".kit-setup.json"
KERNEL_NAME = "ml-production-kit"
KERNEL_DISPLAY_NAME = "Python (ML to production kit)"


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
        if not quiet:
            print("kit setup: .venv is up to date with requirements.lock.")
        return
    if not venv_python().exists() or (installed or {}).get("python") != wanted["python"]:
        print(f"kit setup: creating .venv with Python {wanted['python']} …")
        venv.create(VENV, with_pip=True, clear=True)
    print("kit setup: installing requirements.lock (about a minute the first time) …")
    _pip("install", "--quiet", "--upgrade", "pip")
    _pip("install", "--quiet", "--requirement", str(LOCK))
    _make_kit_importable()
    _register_kernel()
    STAMP.write_text(json.dumps(wanted, indent=2) + "\n")
    print("kit setup: done. Run `make lab` to start, `make test` to test.")


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


def _make_kit_importable() -> None:
    """Put the kit's root on the venv's path (a .pth file), so ``import kit`` works anywhere."""
    site_packages = subprocess.run(
        [str(venv_python()), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site_packages) / "ml_production_kit.pth").write_text(f"{ROOT}\n")


def _register_kernel() -> None:
    """Register the venv as a Jupyter kernel for this user, so any Jupyter can run the notebooks."""
    subprocess.run(
        [
            *(str(venv_python()), "-m", "ipykernel", "install", "--user"),
            *("--name", KERNEL_NAME, "--display-name", KERNEL_DISPLAY_NAME),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
