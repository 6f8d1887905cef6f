"""Scoring in one process: all at once, or partition by partition, with the same answer."""

from pathlib import Path

import pandas as pd
from sklearn.pipeline import Pipeline

from iris_model import batch
from iris_model.batch import SCORE_COLUMNS


def test_scores_name_each_flower_and_its_species(baseline: pd.DataFrame, pipeline: Pipeline):
    assert tuple(baseline.columns) == SCORE_COLUMNS
    assert set(baseline["predicted_species"]) <= set(pipeline.classes_)
    assert baseline["probability"].between(1 / 3, 1).all()


def test_scoring_by_partition_gives_the_baseline(
    pipeline: Pipeline, flower_files: list[Path], baseline: pd.DataFrame
):
    pd.testing.assert_frame_equal(batch.score_by_partition(pipeline, flower_files), baseline)
