"""Read and write a step's files through fsspec URLs: a local path or ``s3://bucket/key``.

The steps never open a file themselves, so the same step runs on a laptop's folder or on an
object store; which one is only the URL it is given. Credentials and the endpoint of an S3
store come from the environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_ENDPOINT_URL``), never from the code or a tracked file.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import fsspec
import pandas as pd


def join(url: str, name: str) -> str:
    """``name`` inside the folder ``url`` (``runs/model`` + ``metadata.json``)."""
    return f"{url.rstrip('/')}/{name}"


def write_table(frame: pd.DataFrame, url: str) -> None:
    """Write ``frame`` as CSV without the index, creating the folder where there are folders."""
    with fsspec.open(url, "w", encoding="utf-8", newline="", auto_mkdir=True) as file:
        frame.to_csv(file, index=False)


def write_json(content: dict[str, Any], url: str) -> None:
    """Write ``content`` as indented JSON, as DVC reads metrics."""
    with fsspec.open(url, "w", encoding="utf-8", auto_mkdir=True) as file:
        file.write(json.dumps(content, indent=2) + "\n")


@contextmanager
def local_copy(url: str) -> Iterator[Path]:
    """A local copy of the file or flat folder ``url``, for libraries that read only local
    files (skops loads a model from a path; a data hash reads the file's bytes)."""
    filesystem, path = fsspec.url_to_fs(url)
    with tempfile.TemporaryDirectory(prefix="iris-step-") as scratch:
        if filesystem.isdir(path):
            for remote in filesystem.ls(path, detail=False):
                filesystem.get_file(remote, str(Path(scratch) / Path(remote).name))
            yield Path(scratch)
        else:
            local = Path(scratch) / Path(path).name
            filesystem.get_file(path, str(local))
            yield local


@contextmanager
def folder_to_upload(url: str) -> Iterator[Path]:
    """A local folder to write into; its files go to ``url`` when the block ends without error.

    A step that fails half way leaves ``url`` as it was, never half written.
    """
    filesystem, path = fsspec.url_to_fs(url)
    with tempfile.TemporaryDirectory(prefix="iris-step-") as scratch:
        yield Path(scratch)
        filesystem.makedirs(path, exist_ok=True)
        for written in sorted(Path(scratch).iterdir()):
            filesystem.put_file(str(written), join(path, written.name))
