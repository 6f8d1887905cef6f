"""Fixtures of the stage 1 check: a copy of the target to import and run, never the target.

The check imports the target's ``iris_model`` from the copy and runs its command line there,
with outputs in temporary folders, so the learner's folder is never written to.
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

NOT_COPIED = shutil.ignore_patterns("__pycache__", ".pytest_cache", "runs", "*.egg-info")


@pytest.fixture(scope="session")
def workdir(target: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the target folder, made once per check."""
    copy = tmp_path_factory.mktemp("target") / "stage1"
    shutil.copytree(target, copy, ignore=NOT_COPIED)
    return copy


@pytest.fixture(scope="session")
def load(workdir: Path) -> Iterator[Callable[[str], ModuleType]]:
    """``load("data")`` imports ``iris_model.data`` from the copy."""
    sys.path.insert(0, str(workdir))
    for name in [name for name in sys.modules if name.split(".")[0] == "iris_model"]:
        del sys.modules[name]
    yield lambda module: importlib.import_module(f"iris_model.{module}")
    sys.path.remove(str(workdir))


@pytest.fixture(scope="session")
def run_step(workdir: Path) -> Callable[..., subprocess.CompletedProcess]:
    """``run_step("train", "--data", ...)`` runs ``python -m iris_model train ...`` in the copy."""

    def run(*arguments: str | Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "iris_model", *map(str, arguments)],
            cwd=workdir,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            timeout=120,
            check=False,
        )

    return run
