"""``python -m kit test``: set up if needed, then run the whole suite and report its wall time.

The suite runs notebooks (nbval), the stage checks, the reference code's tests and the kit's
own tests, in two worker processes. ``--dist loadgroup`` keeps each notebook on one worker, as
nbval needs (``tests/conftest.py`` groups them), and spreads every other test.
"""

from __future__ import annotations

import argparse
import subprocess
import time

from kit.paths import ROOT, venv_python
from kit.setup import ensure_environment


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "pytest_args", nargs=argparse.REMAINDER, help="extra arguments for pytest, e.g. -k slides"
    )


def run(args: argparse.Namespace) -> int:
    ensure_environment()
    command = [
        *(str(venv_python()), "-m", "pytest"),
        *("--numprocesses", "2", "--dist", "loadgroup"),
        *args.pytest_args,
    ]
    started = time.perf_counter()
    returncode = subprocess.run(command, cwd=ROOT).returncode
    print(f"kit test: the suite took {time.perf_counter() - started:.0f} s of wall time.")
    return returncode
