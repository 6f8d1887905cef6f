"""A stage 5 folder as a DVC project, as the check, the notebook and the demo run it.

(Named for DVC, not ``pipeline``: every stage's ``pipeline`` is a scikit-learn Pipeline.)

A stage 5 folder runs its steps as ``python -m iris_model STEP``: DVC starts them with the
environment it was given, so the kit puts the folder's ``src`` on the import path and this
interpreter's folder first on ``PATH``. DVC's experiments live in git, so a folder gets a
repository of its own (``git init`` inside it, never the kit's). Standard library only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from kit.paths import import_path_with

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "workshop",
    "GIT_AUTHOR_EMAIL": "workshop@localhost",
    "GIT_COMMITTER_NAME": "workshop",
    "GIT_COMMITTER_EMAIL": "workshop@localhost",
}
"""Who the commits of a stage folder's own repository are by, when git has no user set (a
fresh machine, a CI runner): git refuses to commit without one."""


def with_git_identity(project: Path) -> dict[str, str]:
    """This process's environment, plus ``GIT_IDENTITY`` if git knows no user in ``project``:
    a learner whose git has a name and email commits as themselves."""
    asked = subprocess.run(["git", "config", "user.email"], cwd=project, capture_output=True)
    return dict(os.environ) if asked.returncode == 0 else {**GIT_IDENTITY, **os.environ}


def environment(project: Path, store: dict[str, str] | None = None) -> dict[str, str]:
    """The environment to run DVC in ``project``: its package importable, this Python's
    commands first, no analytics, and ``store`` (an object store's variables) when given."""
    bin_folder = str(Path(sys.executable).parent)
    return {
        **with_git_identity(project),
        "PATH": os.pathsep.join([bin_folder, os.environ.get("PATH", "")]),
        "PYTHONPATH": import_path_with(project / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DVC_NO_ANALYTICS": "1",
        **(store or {}),
    }


def dvc(project: Path, *arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run ``dvc ARGUMENTS`` in ``project``; the caller reads its status and output.

    DVC runs as ``python -m dvc`` with the first ``python`` on ``env``'s ``PATH``: this
    interpreter's, or the check's warm one (kit/warm_python.py), which runs the steps too."""
    python = shutil.which("python", path=env.get("PATH")) or sys.executable
    command = [python, "-m", "dvc", *arguments]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)


def failure(done: subprocess.CompletedProcess) -> str:
    """Why a ``dvc`` command failed: the failing step's own error (the last line of its
    traceback, or the error it logged) above DVC's last line, which only says that the step's
    command "exited with 1"."""
    said = done.stderr.strip() or done.stdout.strip() or "no output"
    lines = [line for line in said.splitlines() if line.strip()]
    own = [line for line in lines if STEP_ERROR.match(line)]
    dvc_said = [line for line in lines if line.startswith("ERROR: ")]
    return "\n".join([*own[-1:], *(dvc_said[-1:] or lines[-1:])])


STEP_ERROR = re.compile(r"^(\w+\.)*\w*(Error|Exception|Interrupt)\b|^(ERROR|CRITICAL) (?!:)")
"""A step's own error line: a traceback's last line (``NotImplementedError: …``) or a line the
step logged at level ERROR (``ERROR prepare stopped: …``); DVC's own start ``ERROR: ``."""


def dag_edges(project: Path, env: dict[str, str]) -> set[tuple[str, str]] | str:
    """The DAG as DVC sees it: ``(upstream, downstream)`` for each edge ``dvc dag`` draws, or
    what DVC said when it could not read the pipeline."""
    done = dvc(project, "dag", "--dot", env=env)
    if done.returncode != 0:
        return failure(done)
    return set(re.findall(r'^"([^"]+)" -> "([^"]+)";$', done.stdout, flags=re.MULTILINE))


def stages_run(output: str) -> list[str]:
    """The stages a ``dvc repro`` ran, in order (a stage restored from DVC's cache did not run)."""
    return re.findall(r"^Running stage '([^']+)'", output, flags=re.MULTILINE)


def init_repository(project: Path) -> None:
    """Give ``project`` a git repository of its own, with everything committed once.

    What git leaves out (the steps' logs) is the stage's own ``.gitignore``, a file of the
    stage like any other: the folder a learner checks is the folder they were given.
    """
    env = with_git_identity(project)
    if not (project / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main", str(project)], check=True, env=env)
    commit(project, "the stage's start")


def reset(project: Path, env: dict[str, str], files: Sequence[str] = (".",)) -> None:
    """Put ``files`` of ``project`` back as last committed (all of them by default), and the
    outputs back as ``dvc.lock`` says, from DVC's cache."""
    subprocess.run(["git", "checkout", "-q", "--", *files], cwd=project, check=True, env=env)
    dvc(project, "checkout", "--force", env=env)


def commit(project: Path, message: str) -> None:
    """Commit every change in ``project`` (DVC's experiments start from a commit)."""
    env = with_git_identity(project)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    subprocess.run(
        ["git", "commit", "-q", "--allow-empty", "-m", message], cwd=project, check=True, env=env
    )
