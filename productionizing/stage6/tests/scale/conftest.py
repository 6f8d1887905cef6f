"""A few thousand generated flowers in four parquet files, and their baseline scores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from iris_model import batch, flowers

ROWS = 4_000


@pytest.fixture(scope="session")
def flower_files(tmp_path_factory: pytest.TempPathFactory, iris: pd.DataFrame) -> list[Path]:
    return flowers.write_flowers(iris, tmp_path_factory.mktemp("flowers"), ROWS, partitions=4)


@pytest.fixture(scope="session")
def baseline(pipeline: Pipeline, flower_files: list[Path]) -> pd.DataFrame:
    return batch.score_in_one_process(pipeline, flower_files)
