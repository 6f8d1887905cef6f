"""``python -m kit lab``: set up, then open JupyterLab on the learner's first notebook.

The learner's notebooks are their own copies in ``workspace/`` (git ignores it), made here for
every stage that has none yet: the kit's notebooks in ``notebooks/`` stay as the kit ships them.

It is ``.venv``'s own Lab, with ``.venv``'s commands first on ``PATH``: that Lab finds the kernel
registered inside ``.venv`` (this clone's kit), and ``python``, ``pytest`` or ``hadolint`` typed
in its terminal are the kit's, without activating anything.
"""

from __future__ import annotations

import argparse
import os
import subprocess

from kit.paths import ROOT, STAGES, VENV, venv_python
from kit.ports import well_known
from kit.setup import ensure_environment
from kit.workspace import own_notebook


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
    notebooks = [own_notebook(stage) for stage in STAGES]
    first = next(notebook for notebook in notebooks if notebook)
    first = first.relative_to(ROOT) if first.is_relative_to(ROOT) else first
    command = [
        *(str(venv_python()), "-m", "jupyter", "lab", first.as_posix()),
        f"--ServerApp.root_dir={ROOT}",
        f"--ServerApp.port={args.port or well_known('lab')}",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines run as root
    print(f"kit lab: JupyterLab opens {first.as_posix()}; press Ctrl-C twice here to stop it.")
    try:
        return subprocess.run(command, cwd=ROOT, env=venv_environment()).returncode
    except KeyboardInterrupt:
        return 0


def venv_environment() -> dict[str, str]:
    """This process's environment as if ``.venv`` were activated."""
    path = os.pathsep.join(filter(None, [str(venv_python().parent), os.environ.get("PATH")]))
    return {**os.environ, "PATH": path, "VIRTUAL_ENV": str(VENV)}
