"""Where things are: the kit's folders, the stages, the learner's workspace, and how a
stage's code is run (its import path; pytest without the kit's own plugins)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from kit import stages
from kit.errors import KitError

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / os.environ.get("KIT_VENV", ".venv")
"""The kit's virtual environment; ``KIT_VENV`` moves it (CI's run on a second Python)."""
LOCK = ROOT / "requirements.lock"
"""Every package a learner installs, pinned for every platform (markers where they differ)."""
MAINTAINER_LOCK = ROOT / "requirements-maintainer.lock"
"""What only the kit's suite and its maintainers add on top of ``LOCK``, pinned the same way."""
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = ROOT / "solutions"
IRIS = DATA / "iris.csv"
"""The labelled flowers every stage trains on."""
WHEELHOUSE = ROOT / "wheelhouse"
"""The lock's wheels for a set-up with no internet (``make wheelhouse``; git-ignored)."""
CHECK_PYTHON = "KIT_CHECK_PYTHON"
"""The variable naming the interpreter a check runs in (kit/check.py): this one, unless the
kit's suite names a warm one (kit/warm_python.py), whose forks start with pytest, pandas and
scikit-learn imported."""


_CACHES_AND_OUTPUTS = shutil.ignore_patterns(
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "*.egg-info",
    "build",
    "dist",
    "runs",
    ".git",
    "dvc.lock",
)
_DVC_OWN = {"cache", "tmp", "config.local"}
"""What DVC keeps for itself in a stage's ``.dvc`` folder: its cache, its scratch files and
the machine's own settings (credentials may be there)."""


def check_python() -> str:
    """The interpreter a check and the processes it starts run in: ``CHECK_PYTHON``'s, else
    this one."""
    return os.environ.get(CHECK_PYTHON) or sys.executable


def not_copied(folder: str, names: list[str]) -> set[str]:
    """What is never copied from a stage folder: caches, build and run outputs, a learner's
    own git repository, DVC's record of the last run and its cache. One rule for `kit start`,
    the stage checks' work folders, the suite's cache digests and the generator."""
    ignored = set(_CACHES_AND_OUTPUTS(folder, names))
    if Path(folder).name == ".dvc":
        ignored |= _DVC_OWN & set(names)
    return ignored


def stage_files(root: Path) -> Iterator[Path]:
    """The files of a stage folder that a copy of it takes (``not_copied`` left out), in a
    stable order."""
    for folder, subfolders, names in os.walk(root):
        ignored = not_copied(folder, subfolders + names)
        subfolders[:] = sorted(name for name in subfolders if name not in ignored)
        for name in sorted(names):
            if name not in ignored:
                yield Path(folder, name)


def copy_stage(source: Path, destination: Path) -> Path:
    """A copy of a stage folder without caches or run outputs (a check's work folder)."""
    shutil.copytree(source, destination, ignore=not_copied)
    return destination


def venv_python(venv: Path = VENV) -> Path:
    """The interpreter of virtual environment ``venv`` (the kit's), on Windows as on Unix."""
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def workspace_dir() -> Path:
    """The learner's working folder: ``$KIT_WORKSPACE`` when set, else ``workspace/``."""
    return Path(os.environ.get("KIT_WORKSPACE") or ROOT / "workspace")


def reference_dir(stage: int) -> Path:
    """The reference code: the end state of ``stage``."""
    return ROOT / "productionizing" / f"stage{stage}"


def templates_dir(stage: int) -> Path:
    """The exercise templates: the start state of ``stage``."""
    return ROOT / "exercises" / f"stage{stage}"


def notebook_of(stage: int) -> Path | None:
    """The kit's learner notebook of ``stage`` (``notebooks/01_script.ipynb``), if it has one."""
    notebook = NOTEBOOKS / f"{stages.get(stage).stem}.ipynb"
    return notebook if notebook.is_file() else None


def learner_copy_of(notebook: Path) -> Path:
    """Where the learner's own copy of a kit notebook lives: ``workspace/01_script.ipynb``.

    Beside the stage folders, one level below the kit as ``notebooks/`` is, so the notebook's
    relative paths (``../data``) mean the same in the copy.
    """
    return workspace_dir() / notebook.name


def check_dir(stage: int) -> Path:
    """The stage check: a pytest suite run against a target folder."""
    return ROOT / "tests" / "checks" / f"stage{stage}"


def stages_with(folder_of) -> list[int]:
    """The stages of the registry (``kit/stages.py``) for which ``folder_of(stage)`` exists,
    e.g. ``stages_with(check_dir)``."""
    return [stage for stage in stages.numbers() if folder_of(stage).is_dir()]


def import_path_with(source: Path) -> str:
    """``PYTHONPATH`` with ``source`` first, keeping what was there (the suite's network guard)."""
    return os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))


def display_path(path: Path) -> str:
    """``workspace/stage1`` or ``productionizing/stage1`` rather than an absolute path."""
    path = Path(path).resolve()
    for base, label in ((workspace_dir().resolve(), "workspace"), (ROOT, "")):
        if path.is_relative_to(base):
            relative = path.relative_to(base).as_posix()
            parts = [part for part in (label, relative) if part and part != "."]
            return "/".join(parts) or "."
    return str(path)


def parse_stage(text: str, command: str, available: list[int]) -> int:
    """The stage number in ``text`` (as typed: ``make start STAGE=1``), or a KitError that
    shows how to give a right one."""
    choices = ", ".join(str(stage) for stage in available)
    usage = f"make {command} STAGE=N (or python -m kit {command} N), N one of: {choices}"
    if not text.strip():
        raise KitError(f"which stage? Give one: {usage}.")
    if not text.strip().isdigit() or int(text) not in available:
        raise KitError(f"there is no stage {text!r}. Use {usage}.")
    return int(text)
