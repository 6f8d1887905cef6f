"""A warm Python: one process imports the heavy libraries once, then forks a copy of itself
for each ``python`` command it is given, which runs as if a new interpreter had started.

Why: a check that runs many short Python processes (stage 5's DVC steps, each a
``python -m iris_model STEP``) spends most of each process importing pandas, scikit-learn and
matplotlib before the step does its little work (docs/maintainers.md has the figures). A
forked copy of a process that imported them already starts with them in memory.

How, in three parts, standard library only:

- ``running(cwd, env)``: the server, started for the ``with`` block and always stopped. It
  imports ``PRELOADED`` and waits on a Unix socket.
- the folder it yields holds a ``python`` (and ``python3``) script to put first on ``PATH``:
  the client. It hands its command, folder, environment and its stdin, stdout and stderr to
  the server, which forks; the fork runs the command on those descriptors while the client
  waits, passes on the signals it gets, and exits with the fork's status.
- what the fork runs: ``-m MODULE``, ``-c CODE`` or ``SCRIPT``, with its arguments. The
  learner's own package is never preloaded: each fork imports it fresh from the folder.

Anything else (another option, a different ``PYTHON*`` setting, no server) runs the real
interpreter instead, so the client is never a different Python, only sometimes a faster one.
"""

from __future__ import annotations

import array
import contextlib
import importlib
import json
import os
import selectors
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

PRELOADED = (
    "numpy",
    "pandas",
    "scipy.stats",
    "sklearn.base",
    "sklearn.linear_model",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "matplotlib.pyplot",
    "yaml",
    "dvc.cli",
    "dvc.repo",
    "pytest",
)
"""What a server imports before its first fork, unless told otherwise: the libraries the
stages' packages import,
DVC, which runs stage 5's steps (``kit.dvc_project.dvc`` runs it as ``python -m dvc``), and
pytest, which runs the checks (the suite's, ``KIT_CHECK_PYTHON`` in kit/check.py).
One missing here is imported by the fork that needs it, as in a new interpreter."""
SAME_SETTINGS = ("PYTHON", "LANG", "LC_", "MPL", "DASK_", "OMP_", "OPENBLAS_", "MKL_")
"""Environment variables read when an interpreter starts or a preloaded library is imported
(its encoding, its plotting backend, Dask's settings, the math library's threads): a command
whose values differ from the server's runs the real interpreter. All but ``PYTHONPATH``,
which the fork applies to its import path as a new interpreter would."""
READY_WAIT = 60.0
"""Seconds the server gets to import ``PRELOADED`` and listen."""
STOP_GRACE = 5.0
"""Seconds the server and its forks get to exit after SIGTERM before they are killed."""
PID = struct.Struct("!i")
"""The server's answers: the fork's process id (0: run the real interpreter), then its status
(an exit code, or minus the signal that ended it)."""
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def running(
    cwd: Path,
    env: Mapping[str, str],
    preload: Sequence[str] = PRELOADED,
    cpu_log: Path | None = None,
) -> Iterator[Path | None]:
    """A warm server for commands run in ``cwd`` with ``env``, ``preload`` imported; yields the
    folder of its ``python`` client, to put first on ``PATH``. Stopped, forks and all, when the
    block ends.

    Linux only: yields None elsewhere, where commands keep starting new interpreters (Windows
    cannot fork; macOS may crash a fork of a process that loaded its math libraries).

    The forks' CPU time counts as the server's once it ends. ``cpu_log`` gets a line per
    fork as it ends (its CPU seconds), for a caller that counts it sooner: the suite's table
    of where its time went."""
    if not sys.platform.startswith("linux"):
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="kit-warm-") as folder:
        address = Path(folder, "socket")
        clients = Path(folder, "bin")
        clients.mkdir()
        for name in ("python", "python3"):
            _write_client(clients / name, address)
        server = subprocess.Popen(
            # -P: the server's import path is the commands' (no folder of this file first).
            [sys.executable, "-P", __file__, "serve", str(address), str(cpu_log or ""), *preload],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE,
        )
        try:
            _wait_until_listening(server, address)
            yield clients
        finally:
            _stop(server)


def _write_client(path: Path, address: Path) -> None:
    """A ``python`` that asks the server at ``address`` to run its command (``-I``: neither
    the environment nor the script's folder changes what the client itself imports)."""
    path.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -I -S "{__file__}" run "{address}" "$@"\n',
        encoding="utf-8",
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _wait_until_listening(server: subprocess.Popen, address: Path) -> None:
    deadline = time.monotonic() + READY_WAIT
    while not address.exists():
        if server.poll() is not None:
            raise RuntimeError(f"the warm Python server exited with {server.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the warm Python server did not listen within {READY_WAIT:.0f} s")
        time.sleep(0.05)


def _stop(server: subprocess.Popen) -> None:
    """Closing its stdin asks the server to stop its forks and exit; SIGTERM, then SIGKILL,
    if it does not."""
    with contextlib.suppress(OSError):
        server.stdin.close()
    try:
        server.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        server.terminate()
        try:
            server.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the server ------------------------------------------------------------------------


def serve(address: str, cpu_log: str, preload: Sequence[str]) -> None:
    """Import ``preload``, listen at ``address``, fork for each command (its CPU seconds to
    ``cpu_log``, if named); stop on EOF on stdin (the ``with`` block ended), stopping the forks
    still running."""
    # Python 3.12 on warns on a fork beside threads: the math library's idle ones, here.
    warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
    for name in preload:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so the wakeup fd is written
    wakeup_read, wakeup_write = socket.socketpair()
    wakeup_write.setblocking(False)
    signal.set_wakeup_fd(wakeup_write.fileno())
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address + ".new")
    listener.listen(16)
    os.rename(address + ".new", address)  # the socket appears only once it accepts
    waiting: dict[int, socket.socket] = {}
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ, "connection")
    events.register(wakeup_read, selectors.EVENT_READ, "child")
    events.register(sys.stdin, selectors.EVENT_READ, "stop")
    while True:
        for key, _ in events.select():
            if key.data == "stop" and not sys.stdin.buffer.read1(1):
                _stop_forks(waiting)
                return
            if key.data == "child":
                wakeup_read.recv(4096)
                _report_ended(waiting, cpu_log)
            elif key.data == "connection":
                connection, _ = listener.accept()
                _start_fork(connection, waiting, listener, wakeup_read, wakeup_write)


def _start_fork(
    connection: socket.socket, waiting: dict[int, socket.socket], *server_sockets: socket.socket
) -> None:
    request, descriptors = _receive(connection)
    if request is None or _differs(request["env"]):
        connection.sendall(PID.pack(0))
        connection.close()
        for descriptor in descriptors:
            os.close(descriptor)
        return
    pid = os.fork()
    if pid == 0:
        for own in (connection, *server_sockets):
            own.close()
        _run_in_fork(request, descriptors)
    for descriptor in descriptors:
        os.close(descriptor)
    waiting[pid] = connection
    connection.sendall(PID.pack(pid))


def _receive(connection: socket.socket) -> tuple[dict | None, list[int]]:
    """The client's request (JSON: argv, cwd, env) and its three descriptors."""
    size = struct.unpack("!I", _read_exactly(connection, 4))[0]
    descriptors = array.array("i")
    data, ancillary, _, _ = connection.recvmsg(size, socket.CMSG_SPACE(3 * descriptors.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            descriptors.frombytes(payload[: len(payload) - len(payload) % descriptors.itemsize])
    while len(data) < size:
        data += _read_exactly(connection, size - len(data))
    if len(descriptors) != 3:
        return None, list(descriptors)
    return json.loads(data), list(descriptors)


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the client went away mid-request")
        data += chunk
    return data


def _differs(env: Mapping[str, str]) -> bool:
    def settings(environment: Mapping[str, str]) -> dict[str, str]:
        return {
            key: value
            for key, value in environment.items()
            if key.startswith(SAME_SETTINGS) and key != "PYTHONPATH"
        }

    return settings(env) != settings(os.environ)


def _report_ended(waiting: dict[int, socket.socket], cpu_log: str | None = None) -> None:
    while waiting:
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            return
        if cpu_log:
            with open(cpu_log, "a", encoding="utf-8") as log:
                log.write(f"{usage.ru_utime + usage.ru_stime:.3f}\n")
        connection = waiting.pop(pid, None)
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.sendall(PID.pack(os.waitstatus_to_exitcode(status)))
            connection.close()


def _stop_forks(waiting: dict[int, socket.socket]) -> None:
    for pid in waiting:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while waiting and time.monotonic() < deadline:
        _report_ended(waiting)
        time.sleep(0.05)
    for pid in waiting:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


# --- in the fork -------------------------------------------------------------------------


def _run_in_fork(request: dict, descriptors: list[int]) -> None:
    """Become the interpreter the client was asked to be; never returns."""
    import atexit
    import runpy
    import threading

    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, descriptor in enumerate(descriptors):
        os.dup2(descriptor, target)
        os.close(descriptor)
    sys.stdin = open(0, encoding=sys.stdin.encoding, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding=sys.stdout.encoding, closefd=False)  # noqa: SIM115
    sys.stderr = open(  # noqa: SIM115
        2, "w", encoding=sys.stderr.encoding, errors="backslashreplace", closefd=False
    )
    os.chdir(request["cwd"])
    servers_path = _python_path(os.environ)
    os.environ.clear()
    os.environ.update(request["env"])
    option, *rest = request["argv"]
    # A new interpreter's path: the folder ("" for -c, the script's for a script), then
    # PYTHONPATH's folders, then the standard library's and the installed packages'.
    firsts = {"-m": os.getcwd(), "-c": ""}
    first = firsts[option] if option in firsts else str(Path(option).resolve().parent)
    installed = [entry for entry in sys.path if entry not in servers_path]
    sys.path[:] = [first, *_python_path(os.environ), *installed]
    code = 0
    try:
        if option == "-m":
            sys.argv = list(rest)
            runpy.run_module(rest[0], run_name="__main__", alter_sys=True)
        elif option == "-c":
            sys.argv = ["-c", *rest[1:]]
            exec(compile(rest[0], "<string>", "exec"), {"__name__": "__main__"})
        else:
            sys.argv = [option, *rest]
            runpy.run_path(option, run_name="__main__")
    except SystemExit as done:
        code = _code_of(done)
    except KeyboardInterrupt:  # an interpreter stopped by Ctrl-C ends by SIGINT
        code = -signal.SIGINT
    except BaseException:  # as an interpreter ends on an uncaught error
        sys.excepthook(*sys.exc_info())
        code = 1
    # What an interpreter does at its end: threading's own exit hooks (concurrent.futures stops
    # its pools' workers there), then it waits for the threads that are not daemons.
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    if code < 0:
        _end_by_signal(-code)
    os._exit(code)


def _python_path(environment: Mapping[str, str]) -> list[str]:
    """``PYTHONPATH``'s folders as an interpreter started here puts them on its path."""
    folders = environment.get("PYTHONPATH", "").split(os.pathsep)
    return [os.path.abspath(folder) for folder in folders if folder]


def _end_by_signal(number: int) -> None:
    """End this process by signal ``number``, as the command it stands for ended."""
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)


def _code_of(done: SystemExit) -> int:
    if done.code is None:
        return 0
    if isinstance(done.code, int):
        return done.code
    print(done.code, file=sys.stderr)
    return 1


# --- the client ---------------------------------------------------------------------------


def run_command(address: str, argv: list[str]) -> int:
    """Run ``python ARGV`` in the server at ``address``, or the real interpreter."""
    if not _warm_can_run(argv) or not Path(address).exists():
        _become_real_python(argv)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        try:
            connection.connect(address)
        except OSError:
            _become_real_python(argv)
        request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)})
        data = request.encode()
        connection.sendall(struct.pack("!I", len(data)))
        descriptors = array.array("i", [0, 1, 2])
        connection.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, descriptors)])
        pid = PID.unpack(_read_exactly(connection, PID.size))[0]
        if pid == 0:
            _become_real_python(argv)
        for number in FORWARDED:
            signal.signal(number, lambda number, _: _pass_on(pid, number))
        try:
            status = PID.unpack(_read_exactly(connection, PID.size))[0]
        except ConnectionError:
            print("warm python: the server stopped before the command ended", file=sys.stderr)
            return 1
    if status < 0:
        _end_by_signal(-status)
    return status


def _warm_can_run(argv: list[str]) -> bool:
    """``-m MODULE …``, ``-c CODE …`` or ``SCRIPT …``: the forms a fork can be."""
    if not argv:
        return False
    if argv[0] in ("-m", "-c"):
        return len(argv) > 1
    return not argv[0].startswith("-") and Path(argv[0]).is_file()


def _become_real_python(argv: list[str]) -> None:
    os.execv(sys.executable, [sys.executable, *argv])


def _pass_on(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, number)


if __name__ == "__main__":
    command, address, *arguments = sys.argv[1:]
    if command == "serve":
        serve(address, arguments[0], arguments[1:])
    else:
        sys.exit(run_command(address, arguments))
