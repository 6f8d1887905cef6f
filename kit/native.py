"""What cannot run on native Windows, and what to use there instead: one line, never a traceback.

gunicorn forks its workers, which Windows cannot do; hadolint ships no Windows build; wrk is
not there either. WSL2 (Ubuntu) runs every stage as Linux does. Each function returns the line
to show, or ``""`` where the tool runs.
"""

from __future__ import annotations

import os

WSL2 = "use WSL2 (Ubuntu), where every make command works as on Linux"


def on_windows() -> bool:
    """Native Windows: WSL2 is Linux, and says so."""
    return os.name == "nt"


def gunicorn_missing() -> str:
    if not on_windows():
        return ""
    return (
        f"gunicorn does not run on native Windows (it forks its workers): {WSL2}; or try the "
        "API with Flask's own server, as stage 3's README does (flask --app iris_model.app run)"
    )


def hadolint_missing() -> str:
    if not on_windows():
        return ""
    return (
        f"hadolint has no Windows build: {WSL2}; or lint with Docker Desktop "
        "(docker run --rm -i hadolint/hadolint < Dockerfile)"
    )


def bench_missing() -> str:
    if not on_windows():
        return ""
    return f"kit bench loads gunicorn with wrk, and neither runs on native Windows: {WSL2}"
