"""``python -m kit diff N``: stage N's lesson, as the difference from the stage it builds on.

Stages branch (2 -> {3 -> 4 -> 7, 5, 6}), so a stage is compared with its base in
``kit/stages.py``, not with the stage numbered before it. A package that moved (stage 1's
``iris_model/``, stage 2's ``src/iris_model/``) is paired file by file: the base's package
folder is mapped onto the stage's. Files a stage copies from the kit's ``data/`` are named,
not printed: they are data, not the lesson.

``new_files(N)`` lists the same by name only, for a notebook's first cell: it reads the
registry and the start state (``exercises/``), never the reference code.
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kit import stages
from kit.paths import parse_stage, reference_dir, stage_files, stages_with, templates_dir


@dataclass(frozen=True)
class Lesson:
    """A stage's files against its base's, by path in the stage's folder."""

    stage: int
    base: int | None
    new: list[str]
    changed: list[str]
    removed: list[str]
    """Base files (by their path in the base) that the stage no longer has."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stage", nargs="?", default="", help="the stage, e.g. 5")


def run(args: argparse.Namespace) -> int:
    stage = parse_stage(args.stage, "diff", stages_with(reference_dir))
    for line in reference_diff(stage):
        print(line)
    return 0


def reference_diff(stage: int) -> Iterator[str]:
    """The file list, then a unified diff of each file the lesson adds or changes."""
    base = stages.get(stage).builds_on
    mine, theirs = _reference_tree(stage), _reference_tree(base)
    lesson = _contents_compared(stage, mine, theirs)
    copied = _copied_data(stage)
    yield from _file_list(lesson, copied)
    for path in lesson.new + lesson.changed:
        if path not in copied:
            there = _base_path(path, stage)
            before = f"stage{base}/{there}" if there in theirs else "/dev/null"
            yield from _unified(theirs.get(there, b""), mine[path], before, path, stage)


def reference_lesson(stage: int) -> Lesson:
    """What stage ``stage``'s reference adds and changes, file contents compared."""
    base = stages.get(stage).builds_on
    return _contents_compared(stage, _reference_tree(stage), _reference_tree(base))


def _contents_compared(stage: int, mine: dict[str, bytes], theirs: dict[str, bytes]) -> Lesson:
    return _compare(
        stage, set(mine), set(theirs), lambda path: mine[path] != theirs[_base_path(path, stage)]
    )


def lesson_files(stage: int) -> Lesson:
    """What stage ``stage`` adds and changes, from the registry and the start state alone:
    a file the stage carries is unchanged; one of its own is changed where its base has it
    (its package mapped), else new."""
    layout = stages.get(stage)
    mine = _names(templates_dir(stage))
    theirs = _names(templates_dir(layout.builds_on)) if _has_folder(layout.builds_on) else set()
    carried = _carried_by_name(stage)
    return _compare(
        stage, mine, theirs, lambda path: _is_own(path, layout.own) and path not in carried
    )


def new_files(stage: int) -> None:
    """Print, by name, the files stage ``stage`` adds and the ones it changes from its base:
    ``kit.new_files(5)`` in a notebook's first cell."""
    lesson = lesson_files(stage)
    print(f"new in stage {stage}: {lesson.new}")
    print(f"changed from {_base_name(lesson.base)}: {lesson.changed}")


def _compare(
    stage: int, mine: set[str], theirs: set[str], is_changed: Callable[[str], bool]
) -> Lesson:
    """Pair each of the stage's files with its base's (package mapped) and sort them out."""
    in_base = {path: _base_path(path, stage) for path in mine}
    return Lesson(
        stage=stage,
        base=stages.get(stage).builds_on,
        new=sorted(path for path, there in in_base.items() if there not in theirs),
        changed=sorted(
            path for path, there in in_base.items() if there in theirs and is_changed(path)
        ),
        removed=sorted(theirs - set(in_base.values())),
    )


def _base_path(path: str, stage: int) -> str:
    """Where ``path`` of ``stage`` lives in its base: the package folder mapped onto the base's."""
    base = stages.get(stage).builds_on
    package, base_package = stages.get(stage).package, _package(base)
    if package and base_package and path.startswith(f"{package}/"):
        return base_package + path.removeprefix(package)
    return path


def _package(stage: int | None) -> str:
    return stages.get(stage).package if stage is not None else ""


def _has_folder(stage: int | None) -> bool:
    return stage is not None and stages.get(stage).has_code


def _reference_tree(stage: int | None) -> dict[str, bytes]:
    if not _has_folder(stage):
        return {}
    folder = reference_dir(stage)
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in stage_files(folder)}


def _names(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in stage_files(folder)}


def _is_own(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def _carried_by_name(stage: int) -> set[str]:
    """Paths a stage carries by name (``only``). A whole-folder carry takes every file that is
    not the stage's own, so ``own`` alone tells those apart."""
    return {
        f"{carry.into}/{name}".lstrip("/")
        for carry in stages.get(stage).carries
        for name in carry.only
    }


def _copied_data(stage: int) -> set[str]:
    """Files the stage copies from outside any stage (the kit's ``data/``)."""
    return {
        path
        for carry in stages.get(stage).carries
        if not carry.source.startswith("productionizing/")
        for path in (f"{carry.into}/{name}".lstrip("/") for name in carry.only)
    }


def _file_list(lesson: Lesson, copied: set[str]) -> Iterator[str]:
    yield f"stage {lesson.stage} against {_base_name(lesson.base)}:"
    for path in lesson.new:
        note = " (a copy of the kit's data, not shown)" if path in copied else ""
        yield f"  new      {path}{note}"
    for path in lesson.changed:
        yield f"  changed  {path}"
    for path in lesson.removed:
        yield f"  removed  {path}"
    yield ""


def _base_name(base: int | None) -> str:
    if base is None:
        return "nothing"
    if not _has_folder(base):
        return f"stage {base} (its notebook; no folder of code)"
    return f"stage {base}"


def _unified(before: bytes, after: bytes, old: str, new: str, stage: int) -> Iterator[str]:
    try:
        old_lines, new_lines = before.decode().splitlines(), after.decode().splitlines()
    except UnicodeDecodeError:
        yield f"binary file {new} differs"
        return
    yield from difflib.unified_diff(
        old_lines, new_lines, fromfile=old, tofile=f"stage{stage}/{new}", lineterm=""
    )
