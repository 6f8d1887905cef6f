"""Read, check, split and write the iris tables. Steps hand over files, never objects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
TARGET = "species"
CLASSES = ("setosa", "versicolor", "virginica")


class DataError(ValueError):
    """A data file that cannot be used; the message says what to fix."""


def read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a CSV file and check that it has rows and every one of ``columns``."""
    # TODO Exercise 2: read `path` with `pd.read_csv`. Turn each problem into a `DataError`
    # whose message names the file and says what to fix: a missing file (`FileNotFoundError`), an
    # empty file (`pd.errors.EmptyDataError`), a file that is not UTF-8 text, such as a
    # spreadsheet's "Unicode text" export (`UnicodeDecodeError`), missing columns (name them),
    # and a header without rows.
    raise NotImplementedError("Exercise 2 not done yet: data.read_table")


def features(frame: pd.DataFrame) -> np.ndarray:
    """The measurements as a float64 array, columns in ``FEATURES`` order."""
    return frame.loc[:, list(FEATURES)].to_numpy(dtype="float64")


def split(frame: pd.DataFrame, test_size: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out ``test_size`` of the rows, keeping the species mix the same on both sides."""
    # TODO Exercise 3: return `(train, test)` made by `train_test_split` (already imported).
    # Pass `random_state=seed` so every run makes the same split, and `stratify=frame[TARGET]` so
    # each species keeps its share on both sides.
    raise NotImplementedError("Exercise 3 not done yet: data.split")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV without the index, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
