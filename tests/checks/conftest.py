"""Fixtures every stage check may use, beside each stage's own ``conftest.py``."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest


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
    logger = logging.getLogger("iris_model")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
