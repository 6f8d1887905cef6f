"""``start`` and ``catch-up``: put a stage's files in the learner's workspace, losing nothing.

``start`` copies the exercise templates and never overwrites a file. ``catch-up`` first moves
the learner's stage folder to ``workspace/backups/``, then puts a clean state in its place.
"""

from __future__ import annotations

import argparse
import shutil
from datetime import datetime
from pathlib import Path

from kit.paths import (
    NOT_COPIED,
    display_path,
    parse_stage,
    reference_dir,
    stages_with,
    templates_dir,
    workspace_dir,
)

STATES = {"start": templates_dir, "end": reference_dir}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stage", nargs="?", default="", help="the stage, e.g. 1")
    if parser.prog.endswith("catch-up"):
        parser.add_argument(
            "--state",
            choices=sorted(STATES),
            default="start",
            help="the stage's start state (the templates) or its end state (the reference)",
        )


def run(args: argparse.Namespace) -> int:
    if args.command == "catch-up":
        catch_up(_stage(args.stage, "catch-up"), args.state)
    else:
        start(_stage(args.stage, "start"))
    return 0


def start(stage: int) -> Path:
    """Copy stage ``stage``'s exercise templates into ``workspace/stageN``; keep existing files."""
    stage = _stage(str(stage), "start")
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
        ignore=NOT_COPIED,
        copy_function=copy_unless_present,
        dirs_exist_ok=True,
    )
    print(f"Stage {stage} exercises are in {display_path(destination)}.")
    if kept:
        print(f"Kept {len(kept)} file(s) you already had there; nothing was overwritten.")
    return destination


def catch_up(stage: int, state: str = "start") -> Path:
    """Back up ``workspace/stageN``, then put the stage's start (or end) state there."""
    stage = _stage(str(stage), "catch-up")
    destination = workspace_dir() / f"stage{stage}"
    if destination.exists() and any(destination.iterdir()):
        backup = _free_backup_path(stage)
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(destination, backup)
        print(f"Your previous work is safe in {display_path(backup)}.")
    shutil.copytree(STATES[state](stage), destination, ignore=NOT_COPIED, dirs_exist_ok=True)
    print(f"{display_path(destination)} now holds the {state} state of stage {stage}.")
    return destination


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
    return parse_stage(text, command, stages_with(templates_dir))
