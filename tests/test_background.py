"""``kit.background``: a server and every process it started are gone within a bounded time."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.background import (
    KILL_WAIT,
    STOP_GRACE,
    WHY_LINES,
    ServerDidNotStart,
    lines_that_say_why,
    run_whole,
    running_server,
)
from kit.paths import ROOT, import_path_with, reference_dir
from kit.ports import free_port, port_is_free

pytestmark = pytest.mark.skipif(os.name == "nt", reason="process groups are POSIX")
UNUSED_URL = "http://127.0.0.1:9/"
"""Port 9 (discard): nothing answers there, so a test's server is never taken as ready."""

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
    server = running_server([sys.executable, "-c", parent], UNUSED_URL, timeout=30)
    with pytest.raises(ServerDidNotStart, match="exited"), server:
        pass


def test_a_server_that_did_not_start_shows_the_error_its_log_ends_with(
    tmp_path: Path, leaves_no_process
) -> None:
    broken = [sys.executable, "-c", "import no_such_module"]
    log = tmp_path / "server.log"
    with pytest.raises(ServerDidNotStart) as error, running_server(broken, UNUSED_URL, log=log):
        pass
    assert "No module named 'no_such_module'" in str(error.value)
    assert log.read_text().startswith("Traceback"), "expected the whole output kept in the log"


def test_a_gunicorn_that_did_not_boot_shows_why_not_its_shutdown(leaves_no_process) -> None:
    """gunicorn ends with "Shutting down: Master" and "Reason: …": the error comes before."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "no_such_app:app"]
    with pytest.raises(ServerDidNotStart) as error, running_server(command, UNUSED_URL):
        pass
    message = str(error.value)
    assert "ModuleNotFoundError: No module named 'no_such_app'" in message, message
    assert "Shutting down" not in message, message


def test_a_server_that_never_answers_shows_what_it_said(leaves_no_process) -> None:
    says = "import time; print('Error: no model in /nowhere', flush=True); time.sleep(60)"
    quiet = [sys.executable, "-c", says]
    with pytest.raises(ServerDidNotStart) as error, running_server(quiet, UNUSED_URL, timeout=2):
        pass
    assert str(error.value).splitlines() == [
        f"no answer from {UNUSED_URL} within 2 s; its log says:",
        "  Error: no model in /nowhere",
    ]


def test_the_lines_that_say_why_are_the_last_frame_and_the_error():
    log = (
        "[INFO] Booting worker with pid: 7\n[ERROR] Exception in worker process\n"
        "Traceback (most recent call last):\n"
        '  File "arbiter.py", line 608, in spawn_worker\n    worker.init_process()\n'
        '  File "app.py", line 3, in <module>\n    import foo\n    ^^^^^^^^^^\n'
        "ModuleNotFoundError: No module named 'foo'\n"
        "[INFO] Worker exiting (pid: 7)\n[ERROR] Shutting down: Master\n"
    )
    assert lines_that_say_why(log) == [
        '  File "app.py", line 3, in <module>',
        "    import foo",
        "    ^^^^^^^^^^",
        "ModuleNotFoundError: No module named 'foo'",
    ]


def test_the_lines_that_say_why_are_bounded():
    log = "".join(f"[ERROR] Connection in use: {'x' * 300} ({try_})\n" for try_ in range(20))
    why = lines_that_say_why(log)
    assert len(why) == WHY_LINES
    assert all(len(line) <= 200 for line in why), [len(line) for line in why]


def test_without_errors_the_lines_that_say_why_are_the_last_ones():
    log = "".join(f"line {number}\n" for number in range(10))
    assert lines_that_say_why(log, limit=2) == ["line 8", "line 9"]


def test_a_command_past_its_time_is_stopped_with_what_it_started(leaves_no_process) -> None:
    """A shell that started a child: the child goes too, not only the shell."""
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_whole(["bash", "-c", "sleep 60 & wait"], timeout=1)
    assert time.monotonic() - started < 10


def test_a_command_within_its_time_gives_its_output_and_status() -> None:
    done = run_whole(["bash", "-c", "echo out; echo err >&2; exit 3"], timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")
