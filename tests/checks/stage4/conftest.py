"""Fixtures of the stage 4 check: a copy of the target, its Dockerfile read, a model to serve.

The check never writes into the target: it reads the copy's files, trains a model from the
copy's code into a temporary folder, and runs the copy's CMD there.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from kit.image import read_dockerfile, train_model

NOT_COPIED = shutil.ignore_patterns(
    "__pycache__", ".pytest_cache", ".hypothesis", "runs", "*.egg-info", "build", "dist"
)


@pytest.fixture(scope="session")
def workdir(target: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the target folder, made once per check."""
    destination = tmp_path_factory.mktemp("target") / "stage4"
    shutil.copytree(target, destination, ignore=NOT_COPIED)
    return destination


@pytest.fixture(scope="session")
def dockerfile(workdir: Path) -> str:
    return (workdir / "Dockerfile").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def recipe(workdir: Path):
    """The Dockerfile's final stage (kit.image.Recipe); a failure names what is wrong."""
    return read_dockerfile(workdir / "Dockerfile")


@pytest.fixture(scope="session")
def gunicorn_conf(workdir: Path) -> ModuleType:
    """The copy's gunicorn.conf.py, imported as gunicorn reads it."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", workdir / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def model_dir(workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_model(workdir, tmp_path_factory.mktemp("trained"))
