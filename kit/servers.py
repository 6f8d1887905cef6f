"""Start a server in the background, wait until it answers, and always stop it.

The one way the kit runs a server: from tests, notebooks, the benchmark, the doctor and the
demo. Standard library only.

A server such as gunicorn is a family of processes: a master and the workers it forks. Each
server starts in a session (and process group) of its own, and stopping it signals the whole
group, so no worker can outlive its master and keep the port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

STOP_GRACE = 10.0
"""Seconds a server's processes get to exit after SIGTERM before the group is killed.

As long as ``docker stop`` waits, and longer than the ``graceful_timeout`` in stage 4's
gunicorn.conf.py: gunicorn finishes its own shutdown first, and the kill is only the backstop.
"""
KILL_WAIT = 5.0
"""Seconds to wait for killed processes to be gone, so their port is free on return."""


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
    """Run ``command`` until the ``with`` block ends; enter it once ``ready_url`` answers 2xx.

    It runs in a session of its own, so ``stop`` reaches every process it starts, and a
    Ctrl-C in the terminal reaches only the caller, which then stops it.
    """
    output = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=output, stderr=output, start_new_session=True
    )
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


def stop(process: subprocess.Popen, grace: float = STOP_GRACE) -> None:
    """Stop ``process`` and every process it started, within ``grace`` seconds and a little more.

    SIGTERM goes to the process group ``running_server`` gave it, so the workers hear it too;
    whatever is left after ``grace`` seconds is killed (SIGKILL), the workers with the master.
    """
    if os.name == "nt":  # no process groups: the process alone (gunicorn does not run there)
        _stop_alone(process, grace)
        return
    _signal_group(process, signal.SIGTERM)
    if not _group_gone_within(process, grace):
        _signal_group(process, signal.SIGKILL)
        _group_gone_within(process, KILL_WAIT)


def _signal_group(process: subprocess.Popen, signum: int) -> bool:
    """Send ``signum`` to the process group led by ``process``; False if none of it is left."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        return False
    return True


def _group_gone_within(process: subprocess.Popen, timeout: float) -> bool:
    """Whether ``process`` and every other member of its group exit within ``timeout`` s.

    The master is waited for (and so reaped) first; then the group is probed with signal 0
    until no worker answers, since a worker that outlives its master still holds the port.
    """
    deadline = time.monotonic() + timeout
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        return False
    while _signal_group(process, 0):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _stop_alone(process: subprocess.Popen, grace: float) -> None:
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
