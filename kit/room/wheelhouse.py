"""``python -m kit wheelhouse``: the lock's wheels in ``wheelhouse/``, for set-up with no internet.

The instructor runs it online, before the day; ``make room`` then serves the folder as a
package index and ``make setup ROOM=http://host:port`` installs from it alone. By default it
fetches the wheels for this machine's platform and Python; ``--everywhere`` adds every
platform and Python the kit supports, as far as the lock has wheels for them. A pin with no
wheel for a platform is named, not hidden: a learner on that platform lacks it from the
internet too. A pin with no wheel at all (pure-Python source only) is fetched as source, which
pip builds at set-up with the wheelhouse's own setuptools.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from kit.errors import KitError
from kit.paths import LOCK, WHEELHOUSE, display_path
from kit.setup import PIN

SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13", "3.14")
SUPPORTED_PLATFORMS = {
    "Linux x86_64": ("manylinux_2_28_x86_64",),
    "macOS Apple Silicon": ("macosx_14_0_arm64",),
    "macOS Intel": ("macosx_13_0_x86_64",),
    "Windows amd64": ("win_amd64",),
}
"""pip widens each platform to the older ones it runs (manylinux2014, macOS 11, …)."""
SET_UP_TOOLS = ("pip", "setuptools", "wheel")
"""What set-up itself installs from the index: pip's upgrade, and the build of a source pin."""
NO_MATCH = re.compile(r"No matching distribution found for (\S+)")
UNREACHABLE = re.compile(
    r"connection broken by|Failed to establish a new connection|Could not fetch URL"
)
"""What pip says when the index does not answer: it then reports every pin as having no match,
which must not be read as a pin with no wheel."""


def lock_files() -> list[Path]:
    """The lock file(s) whose pins the wheelhouse holds: what ``make setup`` installs."""
    return [LOCK]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--everywhere",
        action="store_true",
        help="also every supported platform and Python (several GB), not only this machine's",
    )


def run(args: argparse.Namespace) -> int:
    WHEELHOUSE.mkdir(exist_ok=True)
    pins = [pin for lock in lock_files() for pin in _pins(lock)]
    here = f"this machine (Python {sys.version_info.major}.{sys.version_info.minor})"
    missing = {here: _download(pins, [])}
    if args.everywhere:
        for name, platforms in SUPPORTED_PLATFORMS.items():
            for python in SUPPORTED_PYTHONS:
                options = [*(f"--platform={platform}" for platform in platforms)]
                options += [f"--python-version={python}", "--implementation=cp"]
                missing[f"{name}, Python {python}"] = _download(pins, options)
    _download(list(SET_UP_TOOLS), [])
    if missing[here]:
        _download_sources(missing[here])
    files = [path for path in WHEELHOUSE.iterdir() if path.is_file()]
    size = sum(path.stat().st_size for path in files) / 1e6
    print(f"kit wheelhouse: {len(files)} files, {size:.0f} MB in {display_path(WHEELHOUSE)}/.")
    for target, pins_missing in missing.items():
        if pins_missing:
            print(f"  no wheel for {target}: {', '.join(pins_missing)}")
    return 0


def _pins(lock: Path) -> list[str]:
    lines = (line.strip() for line in lock.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if PIN.fullmatch(line)]


def _download(pins: Sequence[str], options: Sequence[str]) -> list[str]:
    """Download the wheels of ``pins``; the pins that have no wheel for ``options``' target."""
    wanted, missing = list(pins), []
    while wanted:
        said = _pip_download(wanted, ["--only-binary=:all:", *options])
        if said is None:
            break
        if UNREACHABLE.search(said):
            raise KitError(
                "pip could not reach the package index, so no wheel was fetched. Check this "
                "machine's network (and a proxy, if it needs one), then run it again."
            )
        match = NO_MATCH.search(said)
        if match is None:
            raise KitError(f"pip download failed:\n{said}\nCheck your network, then run it again.")
        name = match.group(1)
        wanted.remove(name)
        missing.append(name)
    return missing


def _download_sources(pins: Sequence[str]) -> None:
    said = _pip_download(pins, ["--no-binary=:all:"])
    if said is not None:
        raise KitError(f"pip download of {', '.join(pins)} as source failed:\n{said}")


def _pip_download(pins: Sequence[str], options: Sequence[str]) -> str | None:
    """Run ``pip download`` into the wheelhouse; None if it worked, else what pip said."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    command += ["--dest", str(WHEELHOUSE), *options, *pins]
    completed = subprocess.run(command, capture_output=True, text=True)
    return None if completed.returncode == 0 else completed.stdout + completed.stderr
