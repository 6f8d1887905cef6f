"""Start a server in the background, wait until it answers, and always stop it.

The one way the kit runs a server: from tests, notebooks, the benchmark, the doctor and the
demo. Standard library only.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


class ServerDidNotStart(RuntimeError):
    """The server exited, or did not answer before the deadline."""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port`` now.

    ``SO_REUSEADDR``, as servers set it, so connections that just closed (TIME_WAIT) do not
    count: only a process listening on the port does.
    """
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@contextmanager
def running_server(
    command: Sequence[str],
    ready_url: str,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 30.0,
    log: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """Run ``command`` until the ``with`` block ends; enter it once ``ready_url`` answers 2xx."""
    output = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=output)
    try:
        wait_until_ready(process, ready_url, timeout)
        yield process
    finally:
        stop(process)
        if log:
            output.close()


def wait_until_ready(process: subprocess.Popen, url: str, timeout: float) -> None:
    """Poll ``url`` until it answers 2xx; fail early if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if 200 <= response.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise ServerDidNotStart(f"no answer from {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Ask the process to stop (SIGTERM); kill it if it has not stopped after ``grace`` s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
