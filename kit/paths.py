"""Where things are: the kit's folders, the stages, the learner's workspace, and how a
stage's code is run (its import path; pytest without the kit's own plugins)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from kit.errors import KitError

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
DATA = ROOT / "data"
STAGES = range(0, 7)
"""Every stage number the kit may hold; ``stages_with`` says which exist here."""
STAGE_NAMES = {
    0: "exploratory notebook",
    1: "script",
    2: "tested module",
    3: "Flask API",
    4: "Dockerized service",
    6: "scale and SQL",
}


# What is never copied from a stage folder: caches, build outputs and a run's outputs. One
# list for `kit start`, the stage checks' work folders and the suite's cache digests.
NOT_COPIED = shutil.ignore_patterns(
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "*.egg-info",
    "build",
    "dist",
    "runs",
)


def stage_files(root: Path) -> Iterator[Path]:
    """The files of a stage folder that a copy of it takes (``NOT_COPIED`` left out), in a
    stable order."""
    for folder, subfolders, names in os.walk(root):
        ignored = NOT_COPIED(folder, subfolders + names)
        subfolders[:] = sorted(name for name in subfolders if name not in ignored)
        for name in sorted(names):
            if name not in ignored:
                yield Path(folder, name)


def copy_stage(source: Path, destination: Path) -> Path:
    """A copy of a stage folder without caches or run outputs (a check's work folder)."""
    shutil.copytree(source, destination, ignore=NOT_COPIED)
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


def check_dir(stage: int) -> Path:
    """The stage check: a pytest suite run against a target folder."""
    return ROOT / "tests" / "checks" / f"stage{stage}"


def stages_with(folder_of) -> list[int]:
    """The stages for which ``folder_of(stage)`` exists, e.g. ``stages_with(check_dir)``."""
    return [stage for stage in STAGES if folder_of(stage).is_dir()]


def import_path_with(source: Path) -> str:
    """``PYTHONPATH`` with ``source`` first, keeping what was there (the suite's network guard)."""
    return os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))


WITHOUT_NOTEBOOK_PLUGIN = ("-p", "no:nbval")
"""For pytest runs on a stage's code: nbval is for notebooks only, and loading it (nbformat,
jsonschema's grammars) costs about 2 s of CPU per pytest process, most of a small run's time."""

WITHOUT_HYPOTHESIS_PLUGIN = ("-p", "no:hypothesispytest")
"""For the stage checks, which use no hypothesis: its plugin costs 0.8 s of CPU per process."""


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
