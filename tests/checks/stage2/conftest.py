"""Fixtures of the stage 2 check: a copy of the target to import and run, never the target.

The check imports the target's ``iris_model`` from the copy's ``src/``, and runs its command
line and its test suite in copies, with outputs in temporary folders.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from kit.paths import import_path_with

IRIS = Path(__file__).resolve().parents[3] / "data" / "iris.csv"
NOT_COPIED = shutil.ignore_patterns(
    "__pycache__", ".pytest_cache", "runs", "*.egg-info", "build", "dist"
)


def copy_of(source: Path, destination: Path) -> Path:
    """A copy of ``source`` without caches or run outputs."""
    shutil.copytree(source, destination, ignore=NOT_COPIED)
    return destination


def start_python(*arguments: str | Path, cwd: Path) -> subprocess.Popen:
    """Start this interpreter with ``arguments`` in ``cwd``, the copy's ``src`` on the path."""
    environment = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "IRIS_DATA": str(IRIS),
        "COLUMNS": "400",  # so pytest's summary lines keep the failure's message
        "PYTHONPATH": import_path_with(cwd / "src"),
    }
    return subprocess.Popen(
        [sys.executable, *map(str, arguments)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    """Wait for a process from ``start_python`` and collect what it wrote."""
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(scope="session")
def workdir(target: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the target folder, made once per check."""
    return copy_of(target, tmp_path_factory.mktemp("target") / "stage2")


@pytest.fixture(scope="session")
def load(workdir: Path) -> Iterator[Callable[[str], ModuleType]]:
    """``load("artifact")`` imports ``iris_model.artifact`` from the copy's ``src``."""
    source = str(workdir / "src")
    sys.path.insert(0, source)
    for name in [name for name in sys.modules if name.split(".")[0] == "iris_model"]:
        del sys.modules[name]
    yield lambda module: importlib.import_module(f"iris_model.{module}")
    sys.path.remove(source)
