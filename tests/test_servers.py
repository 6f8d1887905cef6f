"""``kit.servers``: a server and every process it started are gone within a bounded time."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

from kit.paths import ROOT, import_path_with, reference_dir
from kit.servers import (
    KILL_WAIT,
    STOP_GRACE,
    ServerDidNotStart,
    free_port,
    port_is_free,
    running_server,
)

pytestmark = pytest.mark.skipif(os.name == "nt", reason="process groups are POSIX")

STUBBORN_WORKER = '''\
import signal

bind = "127.0.0.1:{port}"
workers = 2
control_socket_disable = True
graceful_timeout = 120


def post_worker_init(worker):
    """A worker busy with a long request: it does not hear SIGTERM."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
'''


def test_the_stop_bound_leaves_gunicorn_time_for_its_own_graceful_shutdown():
    config = reference_dir(4) / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", config)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.graceful_timeout < STOP_GRACE, (
        f"expected graceful_timeout in {config.name} under the kit's {STOP_GRACE} s stop bound, "
        f"got {module.graceful_timeout}"
    )


def test_a_gunicorn_whose_workers_ignore_sigterm_is_gone_within_the_bound(
    tmp_path: Path, leaves_no_process
) -> None:
    port = free_port()
    config = tmp_path / "stubborn.conf.py"
    config.write_text(STUBBORN_WORKER.format(port=port), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(config),
        "kit.ceiling:create_app()",
    ]
    env = {**os.environ, "PYTHONPATH": import_path_with(ROOT)}
    with running_server(command, f"http://127.0.0.1:{port}/health", env=env) as server:
        group = server.pid
        asked = time.monotonic()
    took = time.monotonic() - asked
    assert took < STOP_GRACE + KILL_WAIT, f"expected it gone within the bound, took {took:.1f} s"
    assert port_is_free(port), "expected the port free, a worker still holds it"
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)


def test_a_server_that_exits_early_takes_its_children_with_it(leaves_no_process) -> None:
    """A parent that dies without its child (a crashed master) leaves no worker behind."""
    child = "import time; time.sleep(60)"
    parent = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {child!r}])"
    server = running_server([sys.executable, "-c", parent], "http://127.0.0.1:9/", timeout=30)
    with pytest.raises(ServerDidNotStart, match="exited"), server:
        pass
