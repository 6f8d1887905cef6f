"""Millions of plausible flowers, made here from iris's own statistics: nothing is downloaded.

Each species' flowers are drawn from a normal distribution with the mean and covariance of
that species in the training table, so the model meets rows like the ones it learnt from, in
any number. The rows are written as parquet files, one partition each, as a data lake holds
them: the three ways of scoring in this stage all read the same files. The folder is one on
this machine (a ``Path``) or in object storage (``s3://bucket/flowers``, through fsspec and
s3fs, the store's endpoint and credentials in the environment), where a cluster's workers
can read them.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import fsspec
import numpy as np
import pandas as pd

from iris_model.data import FEATURES, TARGET

ID = "flower_id"
SHORTEST_CM = 0.1
"""No measurement is drawn below this: a normal distribution has tails that iris has not."""


def write_flowers(
    iris: pd.DataFrame, folder: Path | str, rows: int, partitions: int = 8, seed: int = 42
) -> list[Path | str]:
    """Write ``rows`` flowers like ``iris``'s into ``partitions`` parquet files in ``folder``.

    Rows are numbered by ``flower_id`` from 0, in file order. Partition ``k`` draws from its
    own generator, seeded by ``(seed, k)``: the same arguments write the same files, and a
    partition can be made again without making the ones before it.
    """
    if rows < partitions or partitions < 1:
        raise ValueError(f"expected rows >= partitions >= 1, got {rows=} and {partitions=}")
    store, root = fsspec.core.url_to_fs(str(folder))
    store.makedirs(root, exist_ok=True)  # in object storage, the bucket too
    profiles = [group.loc[:, list(FEATURES)] for _, group in iris.groupby(TARGET)]
    bounds = np.linspace(0, rows, partitions + 1, dtype="int64")
    paths = []
    for part, (first, end) in enumerate(pairwise(bounds)):
        generator = np.random.default_rng([seed, part])
        frame = _draw(profiles, end - first, generator)
        frame.insert(0, ID, np.arange(first, end, dtype="int64"))
        path = _inside(folder, f"part-{part:03d}.parquet")
        frame.to_parquet(path, index=False)
        paths.append(path)
    return paths


def flower_files(folder: Path | str) -> list[Path | str]:
    """The parquet files in ``folder``, in the order their rows are numbered."""
    if isinstance(folder, Path):
        paths: list[Path | str] = sorted(folder.glob("part-*.parquet"))
    else:
        store, root = fsspec.core.url_to_fs(folder)
        paths = [store.unstrip_protocol(path) for path in store.glob(f"{root}/part-*.parquet")]
        paths.sort()
    if not paths:
        raise FileNotFoundError(f"no part-*.parquet files in {folder}: write some flowers first")
    return paths


def _inside(folder: Path | str, name: str) -> Path | str:
    """``folder/name``: a path on this machine, or a URL in object storage."""
    return folder / name if isinstance(folder, Path) else f"{folder.rstrip('/')}/{name}"


def _draw(profiles: list[pd.DataFrame], rows: int, generator: np.random.Generator) -> pd.DataFrame:
    """``rows`` flowers, each of a species chosen at random and measured like that species."""
    species = generator.integers(len(profiles), size=rows)
    measurements = np.empty((rows, len(FEATURES)))
    for index, profile in enumerate(profiles):
        chosen = species == index
        measurements[chosen] = generator.multivariate_normal(
            profile.mean().to_numpy(), profile.cov().to_numpy(), size=int(chosen.sum())
        )
    return pd.DataFrame(np.maximum(measurements, SHORTEST_CM), columns=list(FEATURES))
