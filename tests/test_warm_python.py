"""The warm Python (kit/warm_python.py) answers as a new interpreter would: the same output,
status, folder and environment; the same end on an uncaught error, ``sys.exit`` or a signal;
and nothing of it outlives its ``with`` block."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit import warm_python

THREADS_AT_THE_END = (
    "import builtins, threading, time; from concurrent.futures import ThreadPoolExecutor\n"
    "builtins.pool = ThreadPoolExecutor(2); print(builtins.pool.submit(sum, [1, 2]).result())\n"
    "threading.Thread(target=lambda: (time.sleep(0.5), print('joined'))).start()"
)
"""A pool still held at the end (its workers stop at exit, as concurrent.futures arranges)
and a thread still running (the interpreter waits for it): a fork must end as both do."""
PREPARED = "'pandas' in sys.modules"
"""True in a fork of the server, which imported pandas first; False in a new interpreter."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("commands")
    (tmp_path / "greeter").mkdir()
    (tmp_path / "greeter" / "__init__.py").write_text("")
    (tmp_path / "greeter" / "__main__.py").write_text(
        "import os, sys\n"
        "print('argv', sys.argv[1:], 'cwd', os.getcwd(), 'first', sys.path[0])\n"
        "print('env', os.environ.get('GREETING'), file=sys.stderr)\n"
        "sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)\n"
    )
    (tmp_path / "script.py").write_text(
        "import sys\nprint('script', sys.argv, sys.path[0])\nraise ValueError('bad row')\n"
    )
    return tmp_path


@pytest.fixture(scope="module")
def warm(folder: Path) -> Iterator[Path]:
    """One server for the tests that do not stop it (its imports take seconds); it logs the
    CPU seconds of each fork to ``cpu.log`` beside its folder."""
    with warm_python.running(folder, os.environ, cpu_log=folder / "cpu.log") as clients:
        yield clients


def _both(folder: Path, warm: Path, *arguments: str, **extra: str):
    """The command run by this interpreter and by the warm one, from ``folder``."""
    env = {**os.environ, "GREETING": "hello", **extra}
    real, warmed = (
        subprocess.run(
            [python, *arguments], cwd=folder, env=env, capture_output=True, text=True, timeout=60
        )
        for python in (sys.executable, str(warm / "python"))
    )
    return real, warmed


@pytest.mark.parametrize(
    "arguments",
    [
        ("-m", "greeter", "3"),
        ("-m", "greeter"),
        ("-c", "import sys; print(sys.argv, sys.path[0] == ''); sys.exit('refused: no rows')"),
        ("script.py", "--rows", "2"),
        ("-c", THREADS_AT_THE_END),
    ],
)
def test_a_command_answers_as_a_new_interpreter_would(folder, warm, arguments):
    real, warmed = _both(folder, warm, *arguments)
    assert (warmed.returncode, warmed.stdout) == (real.returncode, real.stdout)
    assert warmed.stderr.splitlines()[-1:] == real.stderr.splitlines()[-1:]


def test_the_fork_starts_with_the_libraries_imported(folder, warm):
    real, warmed = _both(folder, warm, "-c", f"import sys; print({PREPARED})")
    assert (real.stdout, warmed.stdout) == ("False\n", "True\n")


def test_another_python_setting_runs_the_real_interpreter(folder, warm):
    _, warmed = _both(folder, warm, "-c", f"import sys; print({PREPARED})", PYTHONUTF8="1")
    assert warmed.stdout == "False\n"


def test_the_import_path_is_a_new_interpreters(folder, warm):
    show = "import sys; print(sys.path)"
    real, warmed = _both(folder, warm, "-c", show, PYTHONPATH=f"src{os.pathsep}/elsewhere")
    assert warmed.stdout == real.stdout


def _sleeper(warm: Path) -> subprocess.Popen:
    """A command that says it is up, then sleeps for a minute."""
    sleeper = subprocess.Popen(
        [str(warm / "python"), "-c", "print('up', flush=True); import time; time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sleeper.stdout.readline() == "up\n"
    return sleeper


def test_a_signal_to_the_client_ends_the_command(warm):
    with _sleeper(warm) as sleeper:
        sleeper.send_signal(signal.SIGTERM)
        assert sleeper.wait(timeout=10) == -signal.SIGTERM


def test_the_server_stops_with_the_commands_it_still_runs(folder, leaves_no_process):
    with warm_python.running(folder, os.environ) as warm:
        sleeper = _sleeper(warm)
        started = time.monotonic()
    with sleeper:
        assert sleeper.wait(timeout=1) == -signal.SIGTERM
    assert time.monotonic() - started < 2 * warm_python.STOP_GRACE
    assert not warm.exists(), "expected the client's folder removed with the server"


def test_each_fork_logs_its_cpu_time(folder, warm):
    log = folder / "cpu.log"
    before = log.read_text().split() if log.exists() else []
    busy = "import time; end = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    subprocess.run([str(warm / "python"), "-c", busy], check=True)
    logged = log.read_text().split()
    assert len(logged) == len(before) + 1 and float(logged[-1]) >= 0.3, logged


def test_elsewhere_than_linux_commands_keep_new_interpreters(folder, monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    with warm_python.running(folder, os.environ) as clients:
        assert clients is None
