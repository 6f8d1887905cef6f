"""Score many flowers in one process with pandas: all at once, or one partition at a time.

Scores are one row per flower: its ``flower_id``, the predicted species and that species'
probability, unrounded so that scores from other engines (Dask, SQL) can be compared with
these to the last bits. The species is a categorical column: three names stored once and a
small code per row, where a string per row would cost more than the model itself to make,
to send from a Dask worker and to write. The id travels with every row, so a score is never
matched to a flower by its position alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from sklearn.pipeline import Pipeline

from iris_model.data import features
from iris_model.flowers import ID

SCORE_COLUMNS = (ID, "predicted_species", "probability")


def score(pipeline: Pipeline, flowers: pd.DataFrame) -> pd.DataFrame:
    """The scores of ``flowers`` (a table with ``flower_id`` and the measurements), in its order."""
    probabilities = pipeline.predict_proba(features(flowers))
    return pd.DataFrame(
        {
            ID: flowers[ID].to_numpy(),
            "predicted_species": pd.Categorical.from_codes(
                probabilities.argmax(axis=1), categories=pipeline.classes_
            ),
            "probability": probabilities.max(axis=1),
        }
    )


def score_file(pipeline: Pipeline, path: Path | str) -> pd.DataFrame:
    """The scores of one parquet file of flowers: the unit of work when scoring file by file."""
    return score(pipeline, pd.read_parquet(path))


def score_in_one_process(pipeline: Pipeline, files: Sequence[Path]) -> pd.DataFrame:
    """The baseline: read every file into one table, then score it in one call."""
    return score(pipeline, pd.concat(map(pd.read_parquet, files), ignore_index=True))


def score_by_partition(pipeline: Pipeline, files: Sequence[Path]) -> pd.DataFrame:
    """Score one file at a time, so only one partition's flowers are in memory at once.

    The scores come back in the order of ``files`` and, within a file, of its rows: the
    order the baseline gives, with each row's ``flower_id``. Each file is scored on its own,
    which is what lets Dask hand the files to different workers.
    """
    # Stage 6, exercise 1: score each file of `files` in turn (`score_file`), and return the
    # scores of every file as one table: in the order of `files`, every row's `flower_id`
    # kept, numbered from 0 (`pd.concat`'s `ignore_index`).
    scored = [score_file(pipeline, path) for path in files]
    return pd.concat(scored, ignore_index=True)
