"""Score the partitions on a Dask cluster: on this machine's cores, or on a real cluster.

The scoring code takes a ``Client`` and never asks where its workers are: a ``LocalCluster``
here (one worker process per core, one thread each) and a cluster of many machines run the
same function. Only the client is made differently (``local_cluster`` or ``connect``).

A script that starts a ``LocalCluster`` must do so under ``if __name__ == "__main__":``: the
workers are new Python processes that import the script's module, and without the guard each
of them would start a cluster of its own ("Nanny failed to start").
"""

from __future__ import annotations

import logging
import os
import random
import socket
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import dask
import pandas as pd
from dask.distributed import Client, LocalCluster
from sklearn.pipeline import Pipeline

from iris_model.batch import score_file

LOOPBACK = "127.0.0.1"
"""Where a local cluster listens: this machine only, never the network it is on."""
PORTS_SETTING = "KIT_PORTS"
"""The course's one port setting (``21000-21999``): a room's firewall may let no other through."""


def allowed_ports() -> range | None:
    """The ports this machine may open, from ``$KIT_PORTS`` (``low-high``), or None: any.

    Read from the environment, not from the course's kit: this package runs without it.
    """
    low, _, high = os.environ.get(PORTS_SETTING, "").partition("-")
    if not (low.strip().isdigit() and high.strip().isdigit()):
        return None
    return range(int(low), int(high) + 1)


@contextmanager
def local_cluster(workers: int | None = None, ports: range | None = None) -> Iterator[Client]:
    """A client of a cluster on this machine, closed with its workers when the block ends.

    One worker process per core (``workers``, default: every core), one thread each: scoring
    is numpy work that holds the GIL in places, so processes, not threads, use every core.
    Every process listens at a port of ``ports`` (default ``allowed_ports()``; neither: any
    free port), the scheduler's HTTP server too (its dashboard pages need bokeh). Only errors
    are logged: on a busy laptop Dask warns that its event loop was slow, which says the
    machine is loaded, not that the scores are wrong. Dask's scratch folders go in a
    temporary folder removed with the cluster (by default they outlive it, in /tmp).
    """
    ports = ports or allowed_ports()
    listen = {}
    if ports:  # workers and their nannies try the range in turn; the scheduler needs one port
        span = f"{ports.start}:{ports.stop - 1}"
        listen = {"scheduler_port": _free_port(ports), "port": span, "worker_port": span}
    dashboard = f"{LOOPBACK}:{_free_port(ports) if ports else 0}"
    with (
        tempfile.TemporaryDirectory(prefix="dask-") as scratch,
        dask.config.set({"temporary-directory": scratch}),
        LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            host=LOOPBACK,
            dashboard_address=dashboard,
            silence_logs=logging.ERROR,
            **listen,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _free_port(ports: range) -> int:
    """A port of ``ports`` that nothing listens on now, tried in a random order."""
    for port in random.sample(ports, len(ports)):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {PORTS_SETTING}={ports.start}-{ports.stop - 1}")


@contextmanager
def connect(scheduler: str) -> Iterator[Client]:
    """A client of a running cluster: ``tcp://10.0.0.5:8786``, as ``dask scheduler`` prints."""
    with Client(scheduler) as client:
        yield client


def score_on_dask(pipeline: Pipeline, files: Sequence[Path | str], client: Client) -> pd.DataFrame:
    """Score ``files`` on ``client``'s cluster, one task per file, in the baseline's order.

    The loop of ``batch.score_by_partition``, handed to the cluster: each worker reads its
    files itself (on a real cluster: a path every machine sees, or object storage such as
    ``s3://bucket/flowers/part-000.parquet``, its credentials in the workers' environment),
    so only the pipeline and the scores travel over the network, straight back to this client.
    """
    # TODO Exercise 2: give the cluster one task per file: `client.map` of
    # `partial(score_file, pipeline)` over `files`, then `client.gather` the scores (they come
    # back in the order of `files`). Return them as one table numbered from 0, as exercise 1.
    raise NotImplementedError("Exercise 2 not done yet: on_dask.score_on_dask")
