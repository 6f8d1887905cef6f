"""``start`` and ``catch-up``: put a stage's files in the learner's workspace, losing nothing.

``start`` copies the exercise templates and the stage's notebook, and never overwrites a file:
the learner edits ``workspace/NN_*.ipynb``, a copy git ignores, never a notebook the kit
tracks. ``catch-up`` resets the stage's folder and notebook to the start state (or, to skip
ahead, the end state) with the learner's work kept in ``workspace/backups/``, and prints the
commands that bring that work back.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shlex
import shutil
from datetime import datetime
from pathlib import Path

from kit.paths import (
    STAGES,
    display_path,
    learner_copy_of,
    not_copied,
    notebook_of,
    parse_stage,
    reference_dir,
    stage_files,
    stages_with,
    templates_dir,
    workspace_dir,
)

STATES = {"start": templates_dir, "end": reference_dir}
STATE_NAMES = {
    "start": "start state (the exercise templates)",
    "end": "end state (the reference code)",
}

# How to get backed-up work back, per shell: one file; all of it (what catch-up put in its
# place is a copy of the kit's own files, so removing it loses nothing).
GET_BACK_COMMANDS = {
    "posix": ("cp {} {}", "rm -r {1} && mv {0} {1}"),
    "nt": ("Copy-Item {} {}", "Remove-Item -Recurse {1}; Move-Item {0} {1}"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stage", nargs="?", default="", help="the stage, e.g. 1")
    if parser.prog.endswith("catch-up"):
        parser.add_argument(
            "--state",
            choices=sorted(STATES),
            default="start",
            help="start: the exercise templates (default); end: the reference code, to skip ahead",
        )


def run(args: argparse.Namespace) -> int:
    if args.command == "catch-up":
        catch_up(_stage(args.stage, "catch-up"), args.state)
        return 0
    stage = _stage(args.stage, "start")
    if templates_dir(stage).is_dir():
        start(stage)
    if notebook := own_notebook(stage):
        print(f"Your notebook: {display_path(notebook)} (open it in JupyterLab: make lab).")
    return 0


def own_notebook(stage: int) -> Path | None:
    """The learner's copy of stage ``stage``'s notebook, copied from the kit's if absent."""
    kits = notebook_of(stage)
    if kits is None:
        return None
    mine = learner_copy_of(kits)
    if not mine.exists():
        mine.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(kits, mine)
    return mine


def start(stage: int) -> Path:
    """Copy stage ``stage``'s exercise templates into ``workspace/stageN`` and its notebook
    into ``workspace/``; keep existing files."""
    stage = parse_stage(str(stage), "start", stages_with(templates_dir))
    own_notebook(stage)
    destination = workspace_dir() / f"stage{stage}"
    kept = []

    def copy_unless_present(source: str, target: str) -> None:
        if Path(target).exists():
            kept.append(Path(target))
        else:
            shutil.copy2(source, target)

    shutil.copytree(
        templates_dir(stage),
        destination,
        ignore=not_copied,
        copy_function=copy_unless_present,
        dirs_exist_ok=True,
    )
    print(f"Stage {stage} exercises are in {display_path(destination)}.")
    if kept:
        print(f"Kept {len(kept)} file(s) you already had there; nothing was overwritten.")
    return destination


def catch_up(stage: int, state: str = "start") -> Path:
    """Reset ``workspace/stageN`` and the stage's notebook to the stage's start (or end)
    state, backing up what was there."""
    stage = _stage(str(stage), "catch-up")
    destination = workspace_dir() / f"stage{stage}"
    backup = None
    if templates_dir(stage).is_dir():
        backup = _back_up(stage, destination)
        shutil.copytree(STATES[state](stage), destination, ignore=not_copied, dirs_exist_ok=True)
        print(f"Stage {stage} is reset to its {STATE_NAMES[state]} in {display_path(destination)}.")
        if backup:
            print(how_to_get_back(backup, destination))
    _reset_notebook(stage, backup or _free_backup_path(stage))
    return destination


def _reset_notebook(stage: int, backup: Path) -> None:
    """Put the kit's notebook of ``stage`` in the workspace, the learner's copy (if changed)
    moved into ``backup``, beside their code."""
    kits = notebook_of(stage)
    if kits is None:
        return
    mine = learner_copy_of(kits)
    if mine.exists() and not filecmp.cmp(mine, kits, shallow=False):
        backup.mkdir(parents=True, exist_ok=True)
        kept = backup / mine.name
        shutil.move(mine, kept)
        copy_one = GET_BACK_COMMANDS["nt" if os.name == "nt" else "posix"][0]
        print(
            f"Your notebook {display_path(mine)} is reset too; yours is kept as "
            f"{display_path(kept)}. To get it back: {copy_one.format(_shown(kept), _shown(mine))}"
        )
    own_notebook(stage)


def how_to_get_back(backup: Path, destination: Path) -> str:
    """The commands that bring back one file, or all, of the work moved to ``backup``."""
    example = _example_file(backup, destination)
    copy_one, move_all = GET_BACK_COMMANDS["nt" if os.name == "nt" else "posix"]
    lines = [
        f"Your work is kept in {display_path(backup)} (nothing was deleted).",
        "To get it back, from the kit's folder:",
    ]
    if example:
        target = destination / example.relative_to(backup)
        lines.append(f"  one file:  {copy_one.format(_shown(example), _shown(target))}")
    lines.append(f"  all of it: {move_all.format(_shown(backup), _shown(destination))}")
    return "\n".join(lines)


def _back_up(stage: int, destination: Path) -> Path | None:
    """Move ``destination`` to a new backup folder, if it holds anything; return that folder."""
    if not destination.exists() or not any(destination.iterdir()):
        return None
    backup = _free_backup_path(stage)
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(destination, backup)
    return backup


def _example_file(backup: Path, destination: Path) -> Path | None:
    """A file of the backup to show in the command: one the learner changed, if there is one."""
    files = list(stage_files(backup))
    changed = [path for path in files if _changed(path, destination / path.relative_to(backup))]
    return next(iter(changed or files), None)


def _changed(mine: Path, original: Path) -> bool:
    """Whether ``mine`` is a changed copy of ``original`` (not a file of the learner's own)."""
    return original.is_file() and not filecmp.cmp(mine, original, shallow=False)


def _shown(path: Path) -> str:
    """``path`` as the kit shows it (``workspace/…``), quoted if a shell needs it."""
    return shlex.quote(display_path(path))


def _free_backup_path(stage: int) -> Path:
    """``workspace/backups/stageN-<date>-<time>``, numbered if that name is taken."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = workspace_dir() / "backups" / f"stage{stage}-{stamp}"
    number = 1
    while backup.exists():
        number += 1
        backup = backup.with_name(f"stage{stage}-{stamp}-{number}")
    return backup


def _stage(text: str, command: str) -> int:
    """The stage in ``text``: one with exercise templates, a notebook, or both."""
    with_notebook = [stage for stage in STAGES if notebook_of(stage)]
    return parse_stage(text, command, sorted({*stages_with(templates_dir), *with_notebook}))
