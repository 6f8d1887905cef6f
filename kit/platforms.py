"""Does the lock install on every laptop in the room? One resolution per platform and Python.

For each platform and Python, uv is asked whether every pin of the lock that applies there has
a wheel for it (``uv pip compile --only-binary :all: --python-platform … --python-version …``,
nothing downloaded but the index's metadata): a pin without one would make a learner's set-up
build from source, or fail. The pins that apply are chosen here from their markers
(``packaging.markers``), and uv gets only those, with ``--no-deps`` (the lock already holds
every dependency). uv rather than pip (``pip install --dry-run --platform …``), by
measurement: pip took 45 s of wall time and 12 s of CPU per platform and Python, uv 9-13 s and
under 1 s (20 cases). ``make lock`` runs it, and so does the suite
(``tests/test_platforms.py``); ``docs/platforms.md`` records the table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

from kit.python_version import LOCKED_PYTHONS

PYPI = "https://pypi.org/simple"
BUILT_FROM_SOURCE = {
    "antlr4-python3-runtime": "an sdist only (hydra-core, for DVC, pins 4.9.*): pure Python, "
    "pip builds it in seconds on any platform",
}
"""Pins allowed without a wheel, and why: left out of the resolution, named in the table."""
UNREACHABLE = re.compile(r"Failed to fetch|error sending request|dns error|tcp connect error")
NOT_CACHED = "not found in the cache"
MISSING = re.compile(r"Because (\S+) has no (?:usable )?wheels")


@dataclass(frozen=True)
class Platform:
    name: str
    markers: dict[str, str]
    """The marker variables that differ between platforms (PEP 508)."""
    target: str
    """uv's ``--python-platform``: which wheel tags fit (Linux: glibc 2.28 or newer, as
    Debian 10, Ubuntu 20.04 and RHEL 8 have; macOS: uv's default, 13.0 or newer)."""


def _system(sys_platform: str, system: str, os_name: str, machine: str) -> dict[str, str]:
    return {
        "sys_platform": sys_platform,
        "platform_system": system,
        "os_name": os_name,
        "platform_machine": machine,
    }


PLATFORMS = (
    Platform("Linux x86_64", _system("linux", "Linux", "posix", "x86_64"), "x86_64-manylinux_2_28"),
    Platform(
        "Linux aarch64", _system("linux", "Linux", "posix", "aarch64"), "aarch64-manylinux_2_28"
    ),
    Platform("macOS arm64", _system("darwin", "Darwin", "posix", "arm64"), "aarch64-apple-darwin"),
    Platform("macOS x86_64", _system("darwin", "Darwin", "posix", "x86_64"), "x86_64-apple-darwin"),
    Platform("Windows amd64", _system("win32", "Windows", "nt", "AMD64"), "x86_64-pc-windows-msvc"),
)


@dataclass(frozen=True)
class Resolution:
    platform: str
    python: str
    missing: str = ""
    """The first pin found with no wheel (the resolver stops there), or ``""``."""
    error: str = ""
    """What else went wrong: the index unreachable, or pip's last line."""
    unreachable: bool = False

    @property
    def resolved(self) -> bool:
        return not (self.missing or self.error)

    def cell(self) -> str:
        if self.resolved:
            return "resolved"
        return f"no wheel: {self.missing}" if self.missing else f"not checked: {self.error}"


def lock_lines(lock_files: Iterable[Path]) -> list[str]:
    """Every pin of the lock files, markers kept, comments and blank lines left out."""
    lines = []
    for lock in lock_files:
        for line in lock.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                lines.append(line)
    return lines


def pins_for(lines: Iterable[str], platform: Platform, python: str) -> list[str]:
    """The ``name==version`` pins that apply on ``platform`` under ``python`` (e.g. 3.11.5)."""
    environment = {
        **default_environment(),
        **platform.markers,
        "python_version": ".".join(python.split(".")[:2]),
        "python_full_version": python if python.count(".") == 2 else f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    pins = []
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            pins.append(f"{requirement.name}{requirement.specifier}")
    return pins


def resolve(
    lines: list[str], platform: Platform, python: str, index_url: str = PYPI, offline: bool = False
) -> Resolution:
    """Ask uv whether every pin that applies has a wheel for ``platform`` and ``python``.

    Only ``index_url`` is asked (uv's configuration files are left out), so the answer is
    that index's. ``offline`` answers from uv's cache of that index's pages, and asks the
    index after all for a page the cache does not hold. The suite's network guard holds
    Python processes only; uv is not one.
    """
    pins = [
        pin
        for pin in pins_for(lines, platform, python)
        if Requirement(pin).name not in BUILT_FROM_SOURCE
    ]
    with tempfile.TemporaryDirectory(prefix="kit-platforms-") as scratch:
        requirements = Path(scratch, "pins.txt")
        requirements.write_text("\n".join(pins) + "\n")
        command = [
            *(sys.executable, "-m", "uv", "pip", "compile", "--no-config", "--quiet"),
            *("--no-deps", "--only-binary", ":all:", "--python-platform", platform.target),
            *("--python-version", python, "--index-url", index_url, "--no-header"),
            *(["--offline"] if offline else []),
            *("--output-file", os.devnull, str(requirements)),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
    if offline and NOT_CACHED in done.stderr:
        return resolve(lines, platform, python, index_url)
    return _read_answer(platform.name, python, done)


def _read_answer(platform: str, python: str, done: subprocess.CompletedProcess) -> Resolution:
    if done.returncode == 0:
        return Resolution(platform, python)
    said = done.stdout + done.stderr
    if UNREACHABLE.search(said):
        return Resolution(
            platform, python, error="the package index is unreachable", unreachable=True
        )
    missing = MISSING.search(said)
    if missing:
        return Resolution(platform, python, missing=missing.group(1))
    last = (said.strip().splitlines() or ["uv failed and said nothing"])[-1]
    return Resolution(platform, python, error=last)


def check_every_platform(lock_files: Iterable[Path], index_url: str = PYPI) -> list[Resolution]:
    """One resolution per platform and Python, in two rounds that run side by side.

    Asking the index is the slow part (10-20 s a resolution here, most of it waiting), and
    the pages are the same for every Python: each platform's oldest Python asks the index,
    the newer ones then read uv's cache (4 s each). 20 resolutions at once took 195 s.
    """
    lines = lock_lines(lock_files)
    oldest, *newer = LOCKED_PYTHONS
    with ThreadPoolExecutor(max_workers=len(PLATFORMS) * len(newer)) as pool:
        first = list(pool.map(lambda each: resolve(lines, each, oldest, index_url), PLATFORMS))
        cases = [(platform, python) for platform in PLATFORMS for python in newer]
        rest = list(pool.map(lambda case: resolve(lines, *case, index_url, offline=True), cases))
    by_case = {(result.platform, result.python): result for result in first + rest}
    return [by_case[platform.name, python] for platform in PLATFORMS for python in LOCKED_PYTHONS]


def table(results: list[Resolution]) -> str:
    """The results as a Markdown table: a row per platform, a column per Python."""
    pythons = list(dict.fromkeys(result.python for result in results))
    rows = [
        "| platform | " + " | ".join(f"Python {python}" for python in pythons) + " |",
        "|---|" + "---|" * len(pythons),
    ]
    for platform in dict.fromkeys(result.platform for result in results):
        cells = {result.python: result.cell() for result in results if result.platform == platform}
        rows.append(f"| {platform} | " + " | ".join(cells[python] for python in pythons) + " |")
    return "\n".join(rows)


def failures(results: list[Resolution]) -> list[str]:
    """One line per platform and Python that did not resolve, naming the package."""
    return [
        f"{result.platform}, Python {result.python}: {result.cell()}"
        for result in results
        if not result.resolved
    ]
