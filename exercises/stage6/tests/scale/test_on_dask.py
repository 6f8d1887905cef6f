"""Dask scoring: the baseline's table, from a cluster the test starts and stops."""

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from dask.distributed import Client, LocalCluster
from sklearn.pipeline import Pipeline

from iris_model import on_dask


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """One worker in threads: the same scoring code, without starting processes."""
    with (
        LocalCluster(processes=False, n_workers=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        yield client


def test_dask_gives_the_baseline_row_for_row(
    pipeline: Pipeline, flower_files: list[Path], baseline: pd.DataFrame, client: Client
):
    scores = on_dask.score_on_dask(pipeline, flower_files, client)
    pd.testing.assert_frame_equal(scores, baseline)
