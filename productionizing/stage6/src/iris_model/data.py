"""Read, check, split and write the iris tables. Steps hand over files, never objects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from sklearn.model_selection import train_test_split

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
TARGET = "species"
CLASSES = ("setosa", "versicolor", "virginica")
AS_CSV = "save it as UTF-8 text, a header line, then one comma-separated row per flower"


class DataError(ValueError):
    """A data file that cannot be used; the message says what to fix."""


def read_table(path: Path, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Read a CSV file and check it against ``schema`` (see ``iris_model.schema``)."""
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(f"{path} not found: check the path") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty: expected a header line and rows") from None
    except UnicodeDecodeError:
        raise DataError(
            f"{path} is not UTF-8 text (binary, or another encoding?): {AS_CSV}"
        ) from None
    except pd.errors.ParserError as error:
        reason = str(error).strip().splitlines()[-1]
        raise DataError(f"{path} is not a CSV table ({reason}): {AS_CSV}") from None
    return check_table(frame, schema, source=str(path))


def check_table(frame: pd.DataFrame, schema: pa.DataFrameSchema, source: str) -> pd.DataFrame:
    """``frame`` validated (and its numbers made float) by ``schema``, or a ``DataError``.

    The error names the first problem: the column, the row (counting data rows from 1, as a
    spreadsheet does below its header) and the value.
    """
    if frame.empty:
        raise DataError(f"{source} has no rows")
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        message = describe_failure(errors.failure_cases, list(schema.columns))
        raise DataError(f"{source}: {message}") from None


def describe_failure(failures: pd.DataFrame, columns: list[str]) -> str:
    """One sentence about the first of pandera's failure cases; ``columns`` are the expected."""
    # Stage 2, exercise 2: `failures` is pandera's table of problems, one row each, with the columns
    # `column`, `check`, `failure_case` (the bad value) and `index` (the row, from 0; missing for a
    # problem with a whole column). Describe the first row:
    # - check `"column_in_dataframe"`: column `failure_case` is missing; list `columns`;
    # - check `"not_nullable"`: the value in that column and row is missing;
    # - otherwise: that column and row, the value, and the check it fails.
    # Count rows from 1 (`index + 1`). Say how many more problems there are, if any. Show a
    # number as it prints (`-1.4`) and text in quotes (`'wide'`): pandera hands over numpy
    # numbers, whose `repr` is `np.float64(-1.4)`, so use `!r` for `str` only. The tests in
    # tests/data/test_schema.py show the exact wording.
    first = failures.iloc[0]
    if first["check"] == "column_in_dataframe":
        return f"column '{first['failure_case']}' is missing: expected columns {columns}"
    row = "" if pd.isna(first["index"]) else f", row {int(first['index']) + 1}"
    if first["check"] == "not_nullable":
        problem = "value is missing"
    else:
        value = first["failure_case"]
        problem = f"value {getattr(value, 'item', lambda: value)()!r} fails {first['check']}"
    more = f" ({len(failures) - 1} more problem(s) after this one)" if len(failures) > 1 else ""
    return f"column '{first['column']}'{row}: {problem}{more}"


def features(frame: pd.DataFrame) -> np.ndarray:
    """The measurements as a float64 array, columns in ``FEATURES`` order."""
    return frame.loc[:, list(FEATURES)].to_numpy(dtype="float64")


def split(frame: pd.DataFrame, test_size: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out ``test_size`` of the rows, keeping the species mix the same on both sides."""
    train, test = train_test_split(
        frame, test_size=test_size, random_state=seed, stratify=frame[TARGET]
    )
    return train, test


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV without the index, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
