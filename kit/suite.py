"""``python -m kit test``: set up if needed (the maintainer's install: the learner's and the
suite's own tools), then run the whole suite and report its wall time.

The suite runs notebooks (nbval), the stage checks, the reference code's tests and the kit's
own tests, in two worker processes. ``--dist loadfile`` keeps each notebook on one worker, as
nbval needs; so slow tests are spread over a few files, each a unit of work. Files are handed
out in collection order, which conftest.py sorts longest first; without
``--no-loadscope-reorder`` xdist would start with the files that hold the most tests, and a
file of one long test (the demo) could run alone at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import time

from kit.paths import ROOT, venv_python
from kit.setup import ensure_environment

PASSES_ON_OTHER_ARGUMENTS = True
"""Arguments the kit does not know go to pytest: ``python -m kit test -k slides``."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``kit test`` has no options of its own."""


def run(args: argparse.Namespace) -> int:
    ensure_environment(maintainer=True)  # the suite's own tools: nbval, xdist, Playwright …
    command = [
        *(str(venv_python()), "-m", "pytest"),
        *("--numprocesses", "2", "--dist", "loadfile", "--no-loadscope-reorder"),
        *args.other_arguments,
    ]
    started = time.perf_counter()
    returncode = subprocess.run(command, cwd=ROOT).returncode
    print(f"kit test: the suite took {time.perf_counter() - started:.0f} s of wall time.")
    return returncode
