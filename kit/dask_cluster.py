"""A Dask cluster started as commands, as on machines of their own: the stage 6 check and bench.

``dask scheduler`` and one ``dask worker`` per process, each in a session of its own
(``kit.background``), listening on 127.0.0.1 at ports of ``KIT_PORTS``: the scheduler's, its
HTTP port (``/health`` says it is up) and each worker's. The workers share no folder with the
client: given an object store's environment, they read ``s3://`` paths from it, as the
machines of a real cluster do. Everything stops when the block ends.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager

from kit.background import running_server
from kit.ports import free_port

HOST = "127.0.0.1"
START_TIMEOUT = 60.0


@contextmanager
def running_dask_cluster(
    workers: int = 2,
    env: Mapping[str, str] | None = None,
    timeout: float = START_TIMEOUT,
    python: str = sys.executable,
) -> Iterator[str]:
    """A scheduler and ``workers`` worker processes (one thread each); yields its address.

    ``env`` is every process's environment (``PYTHONPATH`` to the package they unpickle the
    work from, the object store's credentials). ``python`` runs them: this interpreter, or a
    warm one (the suite's stage 6 checks, kit/warm_python.py).
    """
    scheduler_port, http_port = free_port(), free_port()
    address = f"tcp://{HOST}:{scheduler_port}"
    health = f"http://{HOST}:{http_port}/health"
    scheduler = [python, "-m", "distributed.cli.dask_scheduler", "--host", HOST]
    scheduler += ["--port", str(scheduler_port), "--dashboard-address", f"{HOST}:{http_port}"]
    environment = dict(env) if env is not None else None
    with ExitStack() as stack:
        scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="kit-dask-"))
        stack.enter_context(running_server(scheduler, health, env=environment, timeout=timeout))
        for _ in range(workers):
            worker = [python, "-m", "distributed.cli.dask_worker", address]
            worker += ["--host", HOST, "--worker-port", str(free_port()), "--nthreads", "1"]
            worker += ["--no-nanny", "--no-dashboard", "--local-directory", scratch]
            stack.enter_context(running_server(worker, health, env=environment, timeout=timeout))
        yield address
