"""``python -m kit lab``: set up, then open JupyterLab on the first notebook.

It is ``.venv``'s own Lab, with ``.venv``'s commands first on ``PATH``: that Lab finds the kernel
registered inside ``.venv`` (this clone's kit), and ``python``, ``pytest`` or ``hadolint`` typed
in its terminal are the kit's, without activating anything.
"""

from __future__ import annotations

import argparse
import os
import subprocess

from kit.paths import ROOT, VENV, venv_python
from kit.ports import well_known
from kit.setup import ensure_environment

FIRST_NOTEBOOK = "notebooks/00_exploratory_notebook.ipynb"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="JupyterLab's port (default 8888, or a fixed port of KIT_PORTS' range)",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="do not open a browser (e.g. on a server)"
    )


def run(args: argparse.Namespace) -> int:
    ensure_environment()
    command = [
        *(str(venv_python()), "-m", "jupyter", "lab", FIRST_NOTEBOOK),
        f"--ServerApp.root_dir={ROOT}",
        f"--ServerApp.port={args.port or well_known('lab')}",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines run as root
    print(f"kit lab: JupyterLab opens {FIRST_NOTEBOOK}; press Ctrl-C twice here to stop it.")
    try:
        return subprocess.run(command, cwd=ROOT, env=venv_environment()).returncode
    except KeyboardInterrupt:
        return 0


def venv_environment() -> dict[str, str]:
    """This process's environment as if ``.venv`` were activated."""
    path = os.pathsep.join(filter(None, [str(venv_python().parent), os.environ.get("PATH")]))
    return {**os.environ, "PATH": path, "VIRTUAL_ENV": str(VENV)}
