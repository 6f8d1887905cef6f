"""``python -m kit lock``: requirements.lock, every package pinned, from requirements.in.

The lock is resolved in a fresh, throw-away virtual environment, so it holds exactly what
requirements.in needs and nothing that happens to be installed in ``.venv``.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import venv
from pathlib import Path

from kit.paths import LOCK, ROOT

REQUIREMENTS = ROOT / "requirements.in"
HEADER = """\
# Every package the kit installs, pinned: generated from requirements.in by
# `python -m kit lock` (make lock). Do not edit by hand.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command takes no options."""


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="kit-lock-") as scratch:
        python = _fresh_venv(Path(scratch))
        pip = [str(python), "-m", "pip", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "--requirement", str(REQUIREMENTS)], check=True)
        frozen = subprocess.run(
            [*pip, "freeze", "--all", "--exclude", "pip"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    LOCK.write_text(HEADER + frozen)
    print(f"kit lock: wrote {LOCK.name} ({len(frozen.splitlines())} packages).")
    return 0


def _fresh_venv(folder: Path) -> Path:
    venv.create(folder, with_pip=True)
    unix_python = folder / "bin" / "python"
    return unix_python if unix_python.exists() else folder / "Scripts" / "python.exe"
