"""``python -m kit lock``: both locks, for every platform at once, then proof that they install.

``requirements.lock`` (what a learner installs) is resolved from ``requirements.in``, and
``requirements-maintainer.lock`` holds what ``requirements-maintainer.in`` adds on top, resolved
together with the learner's requirements at the learner lock's versions: installing both never
moves a learner's pin. The resolver is uv's universal mode (``uv pip compile --universal``):
one resolution for Linux, macOS and Windows and every supported Python, with markers where a
pin differs. pip resolves for the machine it runs on only: the lock made with it on Linux missed
what Jupyter needs on Windows (pywinpty, pywin32). uv keeps the pins of the lock it rewrites
where they still fit; ``--upgrade`` moves every pin to the newest that fits.

Then every platform and Python is checked to have a wheel for every pin of the learner lock
(``kit.platforms``); the table goes to ``docs/platforms.md``, and a pin without one fails,
named.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from kit import platforms
from kit.errors import KitError
from kit.paths import LOCK, MAINTAINER_LOCK, ROOT
from kit.python_version import MINIMUM_PYTHON, version_text
from kit.setup import ensure_environment

REQUIREMENTS = ROOT / "requirements.in"
MAINTAINER_REQUIREMENTS = ROOT / "requirements-maintainer.in"
TABLE = ROOT / "docs" / "platforms.md"
HEADER = """\
# {what}.
# Pinned for every platform and Python the kit supports (markers where a pin differs):
# generated from {source} by `python -m kit lock` (make lock). Do not edit by hand.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--upgrade", action="store_true", help="move every pin to the newest version that fits"
    )
    parser.add_argument(
        "--check-only",
        action="store_true",
        help=f"keep the locks; only check their wheels on every platform (rewrites {TABLE.name})",
    )


def run(args: argparse.Namespace) -> int:
    ensure_environment(maintainer=True, quiet=True)  # uv is a maintainer's tool
    if not args.check_only:
        lock_learner(upgrade=args.upgrade)
        lock_maintainer(upgrade=args.upgrade)
    return check_platforms()


def lock_learner(upgrade: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="kit-lock-") as scratch:
        resolved = Path(scratch, LOCK.name)
        resolved.write_text(LOCK.read_text() if LOCK.exists() else "")
        _compile([REQUIREMENTS], resolved, upgrade=upgrade)
        pins = _pins(resolved)
    _write(LOCK, "Every package a learner installs", REQUIREMENTS, pins)


def lock_maintainer(upgrade: bool) -> None:
    learner = set(_pins(LOCK))
    with tempfile.TemporaryDirectory(prefix="kit-lock-") as scratch:
        resolved = Path(scratch, MAINTAINER_LOCK.name)
        earlier = MAINTAINER_LOCK.read_text() if MAINTAINER_LOCK.exists() else ""
        resolved.write_text(earlier + LOCK.read_text())
        inputs = [REQUIREMENTS, MAINTAINER_REQUIREMENTS]
        _compile(inputs, resolved, upgrade=upgrade, constraints=LOCK)
        pins = [pin for pin in _pins(resolved) if pin not in learner]
    what = "What the kit's suite and its maintainers add to requirements.lock"
    _write(MAINTAINER_LOCK, what, MAINTAINER_REQUIREMENTS, pins)


def check_platforms() -> int:
    """Resolve the learner lock's wheels for every platform and Python; write the table."""
    print("kit lock: checking a wheel for every pin, on every platform and Python …", flush=True)
    results = platforms.check_every_platform([LOCK])
    if any(result.unreachable for result in results):
        print("kit lock: NOT CHECKED: the package index is unreachable; run it again online.")
        return 1
    TABLE.write_text(_table_page(results))
    problems = platforms.failures(results)
    for problem in problems:
        print(f"kit lock: {problem}")
    print(f"kit lock: {len(results) - len(problems)} of {len(results)} resolved; see {TABLE.name}.")
    return 1 if problems else 0


def _compile(
    inputs: list[Path], output: Path, upgrade: bool, constraints: Path | None = None
) -> None:
    command = [
        *(sys.executable, "-m", "uv", "pip", "compile", "--universal", "--no-config"),
        *("--python-version", version_text(MINIMUM_PYTHON), "--no-header", "--no-annotate"),
        *("--quiet", "--output-file", str(output)),
        *(["--upgrade"] if upgrade else []),
        *(["--constraints", str(constraints)] if constraints else []),
        *map(str, inputs),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise KitError(f"uv could not resolve {', '.join(p.name for p in inputs)}:\n{done.stderr}")


def _pins(lock: Path) -> list[str]:
    return platforms.lock_lines([lock])


def _write(lock: Path, what: str, source: Path, pins: list[str]) -> None:
    lock.write_text(HEADER.format(what=what, source=source.name) + "\n".join(pins) + "\n")
    print(f"kit lock: wrote {lock.name} ({len(pins)} pins).")


def _table_page(results: list[platforms.Resolution]) -> str:
    allowed = "\n".join(f"- `{name}`: {why}." for name, why in platforms.BUILT_FROM_SOURCE.items())
    uv = subprocess.run(
        [sys.executable, "-m", "uv", "--version"], capture_output=True, text=True
    ).stdout.strip()
    return f"""# Where the learner install resolves

For each platform and Python, every pin of `requirements.lock` that applies there (by its
markers) has a wheel on PyPI: "resolved". Made by `python -m kit lock` (`make lock`;
`--check-only` checks the locks without re-locking them), as `kit/platforms.py` asks: Linux
wheels for glibc 2.28 or newer, macOS wheels for macOS 13 or newer. The suite asks the same
(`tests/test_platforms.py`) when PyPI can be reached. Last made on {datetime.now(UTC):%Y-%m-%d},
with {uv}.

{platforms.table(results)}

Allowed without a wheel (left out of the check, built by pip at set-up):
{allowed}

Resolved is not run: what runs natively where, stage by stage, is in the README's
"On your machine" section.
"""
