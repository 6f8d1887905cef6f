"""The one place where logging is set up: to stderr, and to a log file per run."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

CONSOLE_FORMAT = "%(levelname)s %(message)s"
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_file: Path, level: int = logging.INFO) -> None:
    """Send the package's log records to stderr and to ``log_file`` (its folder is created).

    The console shows short lines; the file adds the time and the module, for later reading.
    Calling it again replaces the handlers, so each run logs to its own file.
    """
    # Stage 1, exercise 1: create `log_file`'s folder; make a `logging.StreamHandler(sys.stderr)`
    # formatted with `CONSOLE_FORMAT` and a `logging.FileHandler(log_file, mode="w",
    # encoding="utf-8")` formatted with `FILE_FORMAT`; remove (and close) any handlers the
    # `"iris_model"` logger already has, add the two new ones and set its level to `level`.
    log_file.parent.mkdir(parents=True, exist_ok=True)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    to_file = logging.FileHandler(log_file, mode="w", encoding="utf-8")
    to_file.setFormatter(logging.Formatter(FILE_FORMAT))

    logger = logging.getLogger("iris_model")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.addHandler(console)
    logger.addHandler(to_file)
    logger.setLevel(level)
