"""Where things are: the kit's folders, the stages, and the learner's workspace."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAGES = range(0, 5)
STAGE_NAMES = {
    0: "exploratory notebook",
    1: "script",
    2: "tested module",
    3: "Flask API",
    4: "Dockerized service",
}


def venv_python() -> Path:
    """The kit's virtual environment's interpreter, on Windows as on Unix."""
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


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
