"""``python -m kit solution N --exercise n``: the reference answer of one exercise, on request.

A check's hints say where to look, never the answer; a learner who is stuck asks for it here,
one exercise at a time, so the others stay theirs to solve. The answer is read from the
exercise markers in ``productionizing/stageN`` by ``kit.generate.exercise_blocks``, the same
blocks the templates are made from: what is shown is exactly what the template left out.
Stage 0's exercises are notebook cells: its answers are the solved notebook's code between
the markers the learner notebook stubs (``kit.notebooks.CODE_SOLUTION``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kit.check import exercises_of
from kit.errors import KitError
from kit.generate import ExerciseBlock, exercise_blocks, reference_files
from kit.notebooks import CODE_SOLUTION, SOLUTIONS
from kit.paths import ROOT, check_dir, display_path, parse_stage, reference_dir, stages_with


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stage", nargs="?", default="", help="the stage, e.g. 3")
    parser.add_argument("--exercise", type=int, help="the exercise whose answer to show, e.g. 1")


def run(args: argparse.Namespace) -> int:
    print(solution_text(_stage(args.stage), args.exercise))
    return 0


def solution(stage: int, exercise: int | None = None) -> None:
    """Print the reference answer of one ``exercise`` of ``stage`` (from a notebook)."""
    print(solution_text(_stage(str(stage)), exercise))


def solution_text(stage: int, exercise: int | None) -> str:
    """Exercise ``exercise`` of ``stage``: its title, then each of its blocks (where it
    stands and its code), then where the stage's whole reference lives."""
    exercises = exercises_of(stage)
    choices = ", ".join(map(str, exercises))
    if exercise is None:
        raise KitError(
            f"which exercise? Answers are shown one at a time: make solution STAGE={stage} "
            f"EXERCISE=n (or python -m kit solution {stage} --exercise n), n one of: {choices}."
        )
    if exercise not in exercises:
        raise KitError(f"stage {stage} has no exercise {exercise}; its exercises are {choices}.")
    blocks = answer_blocks(stage, exercise)
    lines = [f"Stage {stage}, exercise {exercise}: {exercises[exercise].title}", ""]
    for block in blocks:
        lines += [_where(stage, block), *(line.rstrip("\n") for line in block.answer), ""]
    if not blocks:
        lines += [
            "This exercise has no code of its own: it passes once the stage's other exercises "
            "do and nothing else is broken. Run its check and read the first failure.",
            "",
        ]
    lines.append(f"The full reference of stage {stage} is in {_reference_places(stage)}.")
    return "\n".join(lines)


def answer_blocks(stage: int, exercise: int) -> list[ExerciseBlock]:
    """The blocks of ``exercise`` in stage ``stage``'s reference, file by file."""
    if stage == 0:
        return _notebook_blocks(_solved_notebooks(0)[0], exercise)
    return [
        block
        for path, content in reference_files(stage).items()
        for block in exercise_blocks(path, content.decode("utf-8", "surrogateescape"), stage)
        if block.number == exercise
    ]


def _notebook_blocks(notebook: Path, exercise: int) -> list[ExerciseBlock]:
    """The code of ``exercise`` in a solved notebook, cell by cell, without its markers."""
    path = notebook.relative_to(ROOT).as_posix()
    blocks = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])  # a notebook file keeps a cell's lines as a list
        for match in CODE_SOLUTION.finditer(source):
            if int(match["number"]) != exercise:
                continue
            lines = match[0].splitlines(keepends=True)
            start = source[: match.start()].count("\n")
            blocks.append(
                ExerciseBlock(
                    path=path,
                    number=exercise,
                    indent=match["indent"],
                    function="",
                    start=start,
                    end=start + len(lines),
                    instructions=(),
                    answer=tuple(lines[1:-1]),
                )
            )
    return blocks


def _solved_notebooks(stage: int) -> list[Path]:
    return sorted(SOLUTIONS.glob(f"{stage:02d}_*.ipynb"))


def _stage(text: str) -> int:
    return parse_stage(text, "solution", stages_with(check_dir))


def _where(stage: int, block: ExerciseBlock) -> str:
    """``productionizing/stage3/src/iris_model/routes.py, health()``."""
    folder = ROOT if stage == 0 else reference_dir(stage)
    path = display_path(folder / block.path)
    return f"{path}, {block.function}()" if block.function else path


def _reference_places(stage: int) -> str:
    """The stage's reference folder and, when there is one, its solved notebook."""
    folder = reference_dir(stage)
    places = [f"{display_path(folder)}/"] if folder.is_dir() else []
    places += [display_path(path) for path in _solved_notebooks(stage)]
    return " and ".join(places)
