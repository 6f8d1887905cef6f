"""Fixtures every stage check uses: a copy of the target, its package, its command line.

A check never writes into its target (a learner's folder): it works on a copy made once per
check, imports the copy's ``iris_model`` (from ``src/`` where the stage has one), and runs its
command line with outputs in temporary folders. Stage-specific fixtures live in the stage's
own test file.
"""

from __future__ import annotations

import importlib
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from kit.paths import IRIS, check_python, copy_stage, import_path_with

if TYPE_CHECKING:
    import pandas as pd

PACKAGE = "iris_model"


@pytest.fixture(scope="session")
def workdir(target: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the target folder, made once per check."""
    return copy_stage(target, tmp_path_factory.mktemp("target") / target.name)


@pytest.fixture(scope="session")
def source(workdir: Path) -> Path:
    """Where the copy's package is imported from: ``src/`` from stage 2 on, else the folder."""
    return workdir / "src" if (workdir / "src").is_dir() else workdir


@pytest.fixture(scope="session")
def load(source: Path) -> Iterator[Callable[[str], ModuleType]]:
    """``load("data")`` imports ``iris_model.data`` from the copy."""
    sys.path.insert(0, str(source))
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]
    yield lambda module: importlib.import_module(f"{PACKAGE}.{module}")
    sys.path.remove(str(source))


@pytest.fixture(scope="session")
def iris() -> pd.DataFrame:
    """The kit's labelled flowers, read once per check (pandas is imported here, not by the
    checks that never read them). A test that changes the table works on a copy."""
    import pandas as pd

    return pd.read_csv(IRIS)


@pytest.fixture(scope="session")
def start_python(workdir: Path) -> Callable[..., subprocess.Popen]:
    """``start_python("-m", "pytest", cwd=folder)``: this interpreter (or the kit suite's warm
    one, kit/warm_python.py), the copy's package on its path, started and not waited for (the
    caller runs slow work side by side)."""

    def start(*arguments: str | Path, cwd: Path = workdir) -> subprocess.Popen:
        package_root = cwd / "src" if (cwd / "src").is_dir() else cwd
        environment = {
            **os.environ,
            "PYTHONDONTWRITEBYTECODE": "1",
            "IRIS_DATA": str(IRIS),
            "COLUMNS": "400",  # so pytest's summary lines keep the failure's message
            "PYTHONPATH": import_path_with(package_root),
        }
        return subprocess.Popen(
            [check_python(), *map(str, arguments)],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )

    return start


@pytest.fixture(scope="session")
def run_python(
    start_python: Callable[..., subprocess.Popen],
) -> Callable[..., subprocess.CompletedProcess]:
    """``run_python("-m", "iris_model", "train", ...)``: as ``start_python``, waited for."""

    def run(*arguments: str | Path, cwd: Path | None = None, timeout: float = 600):
        process = start_python(*arguments, **({"cwd": cwd} if cwd else {}))
        return finished(process, timeout)

    return run


@pytest.fixture(scope="session")
def finish() -> Callable[..., subprocess.CompletedProcess]:
    """``finish(process)`` waits for a process from ``start_python`` and collects its output."""
    return finished


def finished(process: subprocess.Popen, timeout: float = 600) -> subprocess.CompletedProcess:
    """Wait for a started process (killed after ``timeout`` s) and collect what it wrote."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        stderr += f"\n(stopped after {timeout:.0f} s)"
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture
def run_main(
    load: Callable[[str], ModuleType], capsys: pytest.CaptureFixture
) -> Callable[..., subprocess.CompletedProcess]:
    """``run_main("train", "--data", ...)`` calls the copy's ``cli.main`` in this process.

    It answers as ``python -m iris_model`` would, status and output alike, without a new
    interpreter's two seconds of imports (a check about the command itself still starts one).
    The logging handlers ``main`` set up are removed after each step, so the next starts clean.
    """

    def run(*arguments: str | Path) -> subprocess.CompletedProcess:
        crash = ""
        try:
            status = load("cli").main([str(argument) for argument in arguments])
        except SystemExit as exit:  # argparse's usage errors
            status = exit.code
        except Exception as error:  # as a process ends on an uncaught error: status 1
            status, crash = 1, f"{type(error).__name__}: {error}"
        finally:
            _remove_log_handlers()
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(arguments, status, out, err + crash)

    return run


@pytest.fixture
def log_handlers_removed() -> Iterator[None]:
    """After the test, undo what setup_logging did to the check's own process."""
    yield
    _remove_log_handlers()


def _remove_log_handlers() -> None:
    """Undo setup_logging, so the check's own process does not keep the files open."""
    logger = logging.getLogger(PACKAGE)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
