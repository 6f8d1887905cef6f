"""Mistakes planted in a stage's finished work: one list per stage, planted one way.

``tests/checks/stageN/sabotage.py`` lists a stage's mistakes (``SABOTAGES``): in ``file``,
``find`` becomes ``replace``; the check must then fail ``exercise`` and no other, but those in
``also``. The suite plants them twice: each in a copy of the finished work
(tests/test_stage_checks.py), and two per stage in the replayed learner's own folder once every
exercise is done (tests/test_learner_path.py). Both plant with ``plant`` into the same files
(``kit.generate.finished_files``), so the second check of the same files reads the first's
kept report (kit/suite_cache.py) instead of running the check again.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from kit.generate import finished_files
from kit.paths import check_dir


def sabotages(stage: int) -> list[dict]:
    """Stage ``stage``'s planted mistakes, as its ``sabotage.py`` lists them."""
    path = check_dir(stage) / "sabotage.py"
    spec = importlib.util.spec_from_file_location(f"sabotage_stage{stage}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SABOTAGES


def plant(text: str, mistake: dict) -> str:
    """``text`` (of ``mistake["file"]``) with ``find`` replaced by ``replace`` where it stands
    in code: once, and not in a comment, where an exercise's instructions may quote it."""
    find = mistake["find"]
    in_code = [
        match.start()
        for match in re.finditer(re.escape(find), text)
        if not text[text.rfind("\n", 0, match.start()) + 1 : match.start()].lstrip().startswith("#")
    ]
    if len(in_code) != 1:
        raise ValueError(
            f"{mistake['file']} holds {find!r} in code {len(in_code)} times, not once: "
            "update the sabotage entry so its text is found once"
        )
    at = in_code[0]
    return text[:at] + mistake["replace"] + text[at + len(find) :]


def finished_copy(stage: int, folder: Path) -> Path:
    """A stage folder as a learner has it once every exercise is done, written to ``folder``."""
    for name, content in finished_files(stage).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder


def broken_copy(stage: int, mistake: dict, folder: Path) -> Path:
    """``finished_copy`` of a stage folder with ``mistake`` planted in it."""
    finished_copy(stage, folder)
    path = folder / mistake["file"]
    path.write_text(plant(path.read_text(encoding="utf-8"), mistake), encoding="utf-8")
    return folder
