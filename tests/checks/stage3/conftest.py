"""Fixtures of the stage 3 check: the target's API, imported from a copy, never the target.

The app is built around a stand-in model (answers by petal length) so each exercise is checked
on its own; one test serves a real scikit-learn pipeline through the target's ``TrainedModel``.
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

import numpy as np
import pytest

from kit.paths import import_path_with

IRIS = Path(__file__).resolve().parents[3] / "data" / "iris.csv"
CLASSES = ("setosa", "versicolor", "virginica")
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.8, "petal_width": 2.2}
NOT_COPIED = shutil.ignore_patterns(
    "__pycache__", ".pytest_cache", ".hypothesis", "runs", "*.egg-info", "build", "dist"
)


class StandInModel:
    """Setosa below 2.5 cm of petal, versicolor below 5, virginica above; sure at 0.8."""

    classes = CLASSES

    def __init__(self) -> None:
        self.calls: list[np.ndarray] = []
        self.metadata = {
            "name": "stand-in",
            "version": "0.0.0",
            "trained_at": "2026-01-01T00:00:00Z",
            "metrics": {"cv_accuracy": 1.0},
            "features": list(FEATURES),
            "classes": list(CLASSES),
            "config": {"private": True},
        }

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        self.calls.append(rows)
        best = np.digitize(np.asarray(rows, dtype=float)[:, 2], [2.5, 5.0])
        probabilities = np.full((len(rows), 3), 0.1)
        probabilities[np.arange(len(rows)), best] = 0.8
        return probabilities


@pytest.fixture(scope="session")
def workdir(target: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the target folder, made once per check."""
    destination = tmp_path_factory.mktemp("target") / "stage3"
    shutil.copytree(target, destination, ignore=NOT_COPIED)
    return destination


@pytest.fixture(scope="session")
def load(workdir: Path) -> Iterator[Callable[[str], ModuleType]]:
    """``load("app")`` imports ``iris_model.app`` from the copy's ``src``."""
    source = str(workdir / "src")
    sys.path.insert(0, source)
    for name in [name for name in sys.modules if name.split(".")[0] == "iris_model"]:
        del sys.modules[name]
    yield lambda module: importlib.import_module(f"iris_model.{module}")
    sys.path.remove(source)


@pytest.fixture
def model() -> StandInModel:
    return StandInModel()


@pytest.fixture
def app(load, model):
    """The target's app around the stand-in, errors handled as in production (not TESTING)."""
    return load("app").create_app({"MAX_BATCH": 20}, model=model)


@pytest.fixture
def client(app):
    return app.test_client()


def run_python(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    """This interpreter with ``arguments`` in ``cwd``, the copy's ``src`` on the path."""
    environment = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "IRIS_DATA": str(IRIS),
        "COLUMNS": "400",
        "PYTHONPATH": import_path_with(cwd / "src"),
    }
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
