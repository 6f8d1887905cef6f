"""A local S3-compatible object store (moto's server on 127.0.0.1) for class and the tests.

Stage 5 pushes its pipeline's outputs to an object store and pulls them back. A learner has
no cloud account in class, and the suite has no network: moto answers S3's API on a free
loopback port, keeps the objects in memory, and is gone when the block ends. Clients find it
through the environment (``AWS_ENDPOINT_URL`` and dummy credentials), as they would find a
real store: nothing about it is written into a tracked file. Standard library only (the
doctor starts it too).
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kit.background import running_server
from kit.ports import free_port

BUCKET = "iris-kit"
"""The bucket stage 5's ``.dvc/config`` names (S3 bucket names have at least 3 characters)."""


@dataclass(frozen=True)
class ObjectStore:
    """A running store: its endpoint, and the environment that points S3 clients at it."""

    endpoint: str
    bucket: str

    def environment(self) -> dict[str, str]:
        """What boto3, s3fs and DVC read to reach this store instead of Amazon's."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "kit-local",
            "AWS_SECRET_ACCESS_KEY": "kit-local",
            "AWS_DEFAULT_REGION": "us-east-1",
            "DVC_NO_ANALYTICS": "1",
        }


@contextmanager
def running_object_store(
    bucket: str = BUCKET, python: str = sys.executable, timeout: float = 30.0
) -> Iterator[ObjectStore]:
    """Start moto's S3 server with an empty ``bucket``; stop it, with all its processes, after.

    ``python`` is the interpreter that has moto (the doctor runs outside ``.venv``).
    """
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [str(python), "-m", "moto.server", "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with running_server(command, f"{endpoint}/moto-api/", env=env, timeout=timeout):
        create = urllib.request.Request(f"{endpoint}/{bucket}", method="PUT")
        with urllib.request.urlopen(create, timeout=10):
            pass
        yield ObjectStore(endpoint=endpoint, bucket=bucket)
