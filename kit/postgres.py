"""A throwaway PostgreSQL server, for the stage 6 check and notebook: the model's SQL run in it.

Debian's ``postgresql`` package (``apt-get install postgresql``; chosen over a PyPI wheel of
the server by measurement: docs/benchmarks.md) gives the binaries; the kit makes a cluster in
a temporary folder, serves it on 127.0.0.1 at one port of ``KIT_PORTS``, and removes both when
the block ends. The server talks to the kit through ``psql``, which ships with it: no Python
client to install. Standard library and pandas only.

PostgreSQL refuses to run as root (``initdb: cannot be run as root``). Run as root, as CI and
a container are, the server runs as the ``postgres`` user Debian's package creates.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kit.background import ServerDidNotStart, stop
from kit.ports import free_port

SEARCHED = "/usr/lib/postgresql/*/bin"
"""Where Debian puts the server's binaries (not on ``PATH``); the newest version is used."""
SERVER_USER = "postgres"
"""Who runs the server when the kit runs as root: the user Debian's package creates."""
HOW_TO_GET_IT = "apt-get install postgresql (Debian, Ubuntu), or brew install postgresql (macOS)"
START_TIMEOUT = 60.0


class NoPostgres(RuntimeError):
    """No PostgreSQL server can be run on this machine; the message says why and how to get one."""


@dataclass(frozen=True)
class Postgres:
    """A running server: its binaries and port, and what runs SQL in it."""

    bin: Path
    port: int
    socket_dir: Path

    def psql(self, *arguments: str, stdin: str | None = None) -> str:
        """Run ``psql`` against the server, stopping at the first error; return what it printed."""
        command = [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        command += ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *arguments]
        finished = subprocess.run(command, input=stdin, capture_output=True, text=True)
        if finished.returncode != 0:
            raise RuntimeError(f"PostgreSQL said: {finished.stderr.strip()}")
        return finished.stdout

    def version(self) -> str:
        return self.psql("-tAc", "SHOW server_version").strip()

    def load(self, frame: pd.DataFrame, table: str) -> None:
        """Write ``frame`` into a new ``table``: integers as ``bigint``, the rest ``double
        precision``. Through CSV, whose floats pandas writes to the last bit."""
        columns = ", ".join(
            f'"{name}" {"bigint" if pd.api.types.is_integer_dtype(dtype) else "double precision"}'
            for name, dtype in frame.dtypes.items()
        )
        copy = f"\\copy {table} FROM STDIN WITH (FORMAT csv, HEADER)"
        self.psql(
            "-c", f"CREATE TABLE {table} ({columns})", "-c", copy, stdin=frame.to_csv(index=False)
        )

    def query(self, sql: str) -> pd.DataFrame:
        """The rows ``sql`` gives, as a DataFrame (read from ``psql``'s CSV, floats exact)."""
        return pd.read_csv(io.StringIO(self.psql("--csv", "-c", sql)))


def server_binaries() -> Path:
    """The folder of ``initdb`` and ``postgres``: on ``PATH``, else Debian's newest version."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(Path("/").glob(SEARCHED.lstrip("/")), key=lambda path: int(path.parent.name))
    if not found:
        raise NoPostgres(f"no PostgreSQL server on this machine ({HOW_TO_GET_IT})")
    return found[-1]


@contextmanager
def running_postgres(timeout: float = START_TIMEOUT) -> Iterator[Postgres]:
    """A new PostgreSQL cluster, served until the block ends; then stopped and deleted."""
    binaries = server_binaries()
    user = _server_user()
    with tempfile.TemporaryDirectory(prefix="kit-postgres-") as scratch:
        folder = Path(scratch)
        if user:
            shutil.chown(folder, user=user)
        data = folder / "data"
        initdb = [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        initdb += ["-E", "UTF8", "--no-sync"]
        made = subprocess.run(initdb, user=user, capture_output=True, text=True)
        if made.returncode != 0:
            raise NoPostgres(f"initdb failed: {made.stderr.strip()[-300:]}")
        port = free_port()
        server = [str(binaries / "postgres"), "-D", str(data), "-p", str(port)]
        server += ["-h", "127.0.0.1", "-k", str(folder), "-c", "fsync=off"]
        with (folder / "server.log").open("w") as log:
            process = subprocess.Popen(
                server, user=user, stdout=log, stderr=log, start_new_session=True
            )
        try:
            postgres = Postgres(bin=binaries, port=port, socket_dir=folder)
            _wait_until_ready(process, postgres, timeout, folder / "server.log")
            yield postgres
        finally:
            stop(process)


def _server_user() -> str | None:
    """``postgres`` when running as root (the server refuses root), else None: run as oneself."""
    if os.name == "nt" or os.geteuid() != 0:
        return None
    import pwd  # POSIX only, as root is

    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise NoPostgres(
            f"running as root, and PostgreSQL will not: no '{SERVER_USER}' user to run it as "
            f"({HOW_TO_GET_IT} creates one)"
        ) from None
    return SERVER_USER


def _wait_until_ready(
    process: subprocess.Popen, postgres: Postgres, timeout: float, log: Path
) -> None:
    """Wait until the server accepts connections; if it exits or times out, say why (its log)."""
    deadline = time.monotonic() + timeout
    ready = [str(postgres.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(postgres.port)]
    while subprocess.run(ready).returncode != 0:
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            said = log.read_text(errors="replace").strip().splitlines()[-3:]
            raise ServerDidNotStart(f"PostgreSQL did not start: {' / '.join(said)}")
        time.sleep(0.1)
