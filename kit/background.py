"""Start a server in the background, wait until it answers, and always stop it.

The one way the kit runs a server: from tests, notebooks, the benchmark, the doctor and the
demo. Standard library only.

A server such as gunicorn is a family of processes: a master and the workers it forks. Each
server starts in a session (and process group) of its own, and stopping it signals the whole
group, so no worker can outlive its master and keep the port.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

STOP_GRACE = 10.0
"""Seconds a server's processes get to exit after SIGTERM before the group is killed.

As long as ``docker stop`` waits, and longer than the ``graceful_timeout`` in stage 4's
gunicorn.conf.py: gunicorn finishes its own shutdown first, and the kill is only the backstop.
"""
KILL_WAIT = 5.0
"""Seconds to wait for killed processes to be gone, so their port is free on return."""
WHY_LINES = 6
"""At most this many lines of a server's log in ``ServerDidNotStart``: the ones that say why."""
SHUTDOWN_NOISE = re.compile(r"Shutting down|Worker exiting|exited with code|Handling signal")
"""gunicorn's lines about its own shutdown: they follow the error, and say nothing of why."""


class ServerDidNotStart(RuntimeError):
    """The server exited, or did not answer before the deadline."""


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
    Ctrl-C in the terminal reaches only the caller, which then stops it. Its output goes to
    ``log`` (else a temporary file): if it never answers, ``ServerDidNotStart`` shows the
    lines of that output that say why.
    """
    with log.open("w+b") if log else tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=output, stderr=output, start_new_session=True
        )
        try:
            _started(process, ready_url, timeout, output)
            yield process
        finally:
            stop(process)


def _started(process: subprocess.Popen, url: str, timeout: float, output: IO[bytes]) -> None:
    """Wait until ``url`` answers; if it never does, stop the server and raise
    ``ServerDidNotStart`` with the lines of its output that say why."""
    try:
        wait_until_ready(process, url, timeout)
    except ServerDidNotStart as error:
        stop(process)  # so that everything it had to say is written
        output.seek(0)
        said = log_excerpt(output.read().decode("utf-8", errors="replace"))
        raise ServerDidNotStart(f"{error}{said}") from None


def log_excerpt(log: str) -> str:
    """``; its log says:`` and the lines of ``log`` that say why, one per line, or nothing
    when the log is empty: the end of a message about a server or container that stopped."""
    why = lines_that_say_why(log)
    return "; its log says:" + "".join(f"\n  {line}" for line in why) if why else ""


def lines_that_say_why(log: str, limit: int = WHY_LINES) -> list[str]:
    """The lines of a server's log that say why it stopped, at most ``limit``, each cut short.

    The last traceback's last frame and its error when there is one (the rest is the
    framework's own frames), else the lines that name an error; gunicorn's shutdown lines,
    which come last, are left out.
    """
    lines = [line.rstrip() for line in log.splitlines() if line.strip()]
    lines = [line for line in lines if not SHUTDOWN_NOISE.search(line)]
    starts = [index for index, line in enumerate(lines) if line.startswith("Traceback")]
    if starts:
        frames = lines[starts[-1] + 1 :]
        error = next(
            (index for index, line in enumerate(frames) if not line.startswith(" ")),
            len(frames) - 1,
        )
        frame = [index for index in range(error) if frames[index].lstrip().startswith("File ")]
        why = frames[frame[-1] if frame else error : error + 1]
    else:
        why = [line for line in lines if re.search(r"error|exception|fatal", line, re.I)]
        why = why or lines[-limit:]
    return [line if len(line) <= 200 else line[:199] + "…" for line in why[:limit]]


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


def run_whole(
    command: Sequence[str], timeout: float, **options
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to its end, its output captured as text; past ``timeout`` seconds, stop
    it with every process it started (as ``stop`` does) and raise ``subprocess.TimeoutExpired``.

    ``subprocess.run``'s own timeout kills the command alone: a ``make`` or ``bash`` that
    started a server would leave the server running. ``options`` go to ``subprocess.Popen``.
    """
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **options,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop(process, grace=0)
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


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
