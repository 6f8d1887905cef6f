"""Dask scoring: the baseline's table, from a cluster the test starts and stops."""

import os
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


def test_a_local_cluster_listens_only_where_the_port_setting_allows(monkeypatch):
    """Under the course's setting, or its default range where none is set."""
    monkeypatch.setenv(on_dask.PORTS_SETTING, os.environ.get(on_dask.PORTS_SETTING, "8000-8999"))
    allowed = on_dask.allowed_ports()
    with on_dask.local_cluster(workers=1) as client:
        info = client.scheduler_info()
        addresses = [client.scheduler.address, *info["workers"]]
        addresses += [worker["nanny"] for worker in info["workers"].values()]
        http = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.http_server.port)
    ports = [int(address.rsplit(":", 1)[1]) for address in addresses] + [http]
    assert all(port in allowed for port in ports), ports


def test_without_the_setting_any_port_will_do(monkeypatch):
    monkeypatch.delenv(on_dask.PORTS_SETTING, raising=False)
    assert on_dask.allowed_ports() is None
