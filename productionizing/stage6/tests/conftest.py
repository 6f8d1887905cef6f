"""Fixtures shared by the tests: the iris data, a split, a trained model and its saved folder.

The data is the kit's ``data/iris.csv``, two folders above this stage; set ``IRIS_DATA`` to
use another copy (the stage check does, as it runs these tests in a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from iris_model import artifact, data, model, schema
from iris_model.config import load_config


@pytest.fixture(scope="session")
def iris_path() -> Path:
    path = Path(os.environ.get("IRIS_DATA") or Path(__file__).parents[3] / "data" / "iris.csv")
    if not path.is_file():
        pytest.fail(f"expected the iris data at {path}; set IRIS_DATA to its path")
    return path


@pytest.fixture(scope="session")
def iris(iris_path: Path) -> pd.DataFrame:
    return data.read_table(iris_path, schema.LABELLED)


@pytest.fixture(scope="session")
def config() -> dict:
    return load_config()


@pytest.fixture(scope="session")
def train_test(iris: pd.DataFrame, config: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    return data.split(iris, config["split"]["test_size"], config["seed"])


@pytest.fixture(scope="session")
def pipeline(train_test: tuple[pd.DataFrame, pd.DataFrame], config: dict) -> Pipeline:
    return model.train(train_test[0], config)


@pytest.fixture(scope="session")
def model_dir(
    tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline, iris_path: Path, config: dict
) -> Path:
    """A folder written by ``save_model``. Tests that change files copy it first."""
    directory = tmp_path_factory.mktemp("model")
    artifact.save_model(
        pipeline, directory, data_path=iris_path, metrics={"cv_accuracy": 0.97}, config=config
    )
    return directory
