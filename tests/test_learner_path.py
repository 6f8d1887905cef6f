"""The learner's own path through every stage, replayed as a learner walks it.

A test of the reference is not a test of the lesson. Here each stage starts from exactly what a
learner gets (``kit start N``: the templates and their own copy of the notebook) and goes down
the notebook in its order, in one real Jupyter kernel. At each exercise, the reference's answer
to that exercise alone is put where the learner writes it (their stage folder, or the
notebook's cell), the exercise's cells run, and then the check runs both ways a learner runs it:
the notebook's own check cell, in the kernel, and ``kit check N`` in a shell (whole, and for the
exercise alone). After each exercise:

- every cell so far ran, or failed only where the solution notebook says it fails;
- the exercises done pass; the next one FAILs with its hint and without its answer; the later
  ones FAIL or WAIT; "Stuck?" names the first exercise that fails on its own;
- the exercise checked alone says what the whole check says of it.

At the end the whole notebook has run, the check passes, and no tracked file has changed.
Then each of two planted mistakes per stage (``PLANTED``, from the stage's sabotage.py), made in
the learner's files, fails its own exercise and no other, in the notebook's check cell as in
``kit check``.

The suite's kept check reports (``KIT_SUITE_CACHE``, kit/suite_cache.py) stay on: a report is
kept under a digest of the check's code and every file it checks, so the first check of each
state of the learner's work runs for real (in the kernel, as the learner runs it), and the same
files checked again from the shell, whole or one exercise, read that report instead of running
it a second and third time. tests/test_suite_cache.py proves a kept report equals a real run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from kit import stages
from kit.check import exercises_of
from kit.generate import files_of, finished_files, reference_files, stub_exercises
from kit.notebooks import SOLUTIONS, learner_notebook
from kit.paths import CHECK_PYTHON, DATA, ROOT, notebook_of
from kit.planted import plant, sabotages
from kit.solution import answer_blocks

WALKED = [stage for stage in stages.numbers() if notebook_of(stage)]
EXERCISE_HEADING = re.compile(r"^#{2,3} Exercises? (\d+(?:, \d+)*)\b", re.MULTILINE)
CHECK_HEADING = re.compile(r"^#{2,3} Check your work", re.MULTILINE)
REPORT_LINE = re.compile(r"^  (pass|FAIL|WAIT|NOT CHECKED|BLOCKED)  Exercise (\d+):", re.MULTILINE)
STUCK = re.compile(r"Stuck\? `make solution STAGE=\d+ EXERCISE=(\d+)`")
DONE = {"pass", "NOT CHECKED"}
"""What a done exercise may show: NOT CHECKED where this machine lacks a part (no browser)."""

PLANTED = {0: (0, 3), 1: (0, 4), 2: (0, 4), 3: (0, 4), 4: (0, 4), 5: (1, 8), 6: (2, 7), 7: (1, 4)}
"""Two of each stage's planted mistakes (indexes into its sabotage.py), planted in the
learner's own work once every exercise is done: that work is the finished templates, where
tests/test_stage_checks.py plants each of them, so the check of the same files runs once."""


@dataclass
class Section:
    """The cells from one exercise's heading to the next (``exercises`` empty: none), such as
    "Exercise 1" or "Exercises 2, 3, 4"."""

    exercises: list[int]
    cells: list[int] = field(default_factory=list)


def sections(notebook: nbformat.NotebookNode) -> list[Section]:
    """The notebook cut at its exercise headings and its "Check your work" heading."""
    cut = [Section([])]
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            if heading := EXERCISE_HEADING.search(cell.source):
                cut.append(Section([int(number) for number in heading[1].split(", ")]))
            elif CHECK_HEADING.search(cell.source):
                cut.append(Section([]))
        cut[-1].cells.append(index)
    return cut


def statuses(report: str) -> dict[int, str]:
    return {int(number): status for status, number in REPORT_LINE.findall(report)}


def answer_lines(stage: int, exercise: int) -> list[str]:
    """The answer's lines long enough to be telling: none may show in a report."""
    return [
        line.strip()
        for block in answer_blocks(stage, exercise)
        for line in block.answer
        if len(line.strip()) >= 25 and not line.strip().startswith("#")
    ]


class Learner:
    """One learner: a workspace laid out as the kit's (``workspace/`` beside ``data/``), their
    notebook open in a kernel, and the shell they type ``kit`` commands in."""

    def __init__(self, stage: int, home: Path, kernel) -> None:
        self.stage, self.kernel = stage, kernel
        self.workspace = home / "workspace"
        self.folder = self.workspace / f"stage{stage}"
        self.done: set[int] = set()
        """The exercises whose reference answer the learner has written so far."""

    def type(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "kit", *arguments],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )

    def run_cell(self, notebook: nbformat.NotebookNode, index: int) -> str | None:
        """Run one cell; the error it raised, as ``Name: message``, or None."""
        cell = notebook.cells[index]
        if cell.cell_type != "code":
            return None
        cell.metadata.pop("tags", None)  # nbclient lets a cell tagged raises-exception raise
        try:
            self.kernel.execute_cell(cell, index)
        except Exception as error:  # nbclient's CellExecutionError
            name = getattr(error, "ename", type(error).__name__)
            return f"{name}: {getattr(error, 'evalue', error)}"
        errors = [output for output in cell.outputs if output.output_type == "error"]
        return f"{errors[0].ename}: {errors[0].evalue}" if errors else None

    def check_in_notebook(self, source: str) -> str:
        cell = nbformat.v4.new_code_cell(source)
        self.kernel.execute_cell(cell, 0)
        return "".join(output.get("text", "") for output in cell.outputs)

    def answer(self, exercise: int) -> None:
        """Write exercise ``exercise``'s reference answer into the learner's stage folder."""
        if self.stage == 0:  # stage 0's exercises are cells of the notebook only
            self.done.add(exercise)
            return
        for path, content in reference_files(self.stage).items():
            before = stub_exercises(path, content, self.stage, done=self.done)
            after = stub_exercises(path, content, self.stage, done={*self.done, exercise})
            if before != after:
                (self.folder / path).write_bytes(after)
        self.done.add(exercise)


def test_the_replay_covers_every_stage_with_a_notebook():
    assert list(range(0, 8)) == WALKED


@pytest.mark.parametrize("stage", WALKED)
def test_a_learner_walks_the_stage_in_the_notebooks_order(
    stage, tmp_path, monkeypatch, leaves_no_process
):
    from nbclient import NotebookClient

    home = tmp_path / "kit"
    home.mkdir()
    (home / "data").symlink_to(DATA, target_is_directory=True)
    monkeypatch.setenv("KIT_WORKSPACE", str(home / "workspace"))
    # A learner's laptop runs each check in a new interpreter, not the suite's warm one.
    monkeypatch.delenv(CHECK_PYTHON, raising=False)
    tracked_before = _tracked_changes()

    started = subprocess.run(
        [sys.executable, "-m", "kit", "start", str(stage)], cwd=ROOT, capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    kits = notebook_of(stage)
    copy = home / "workspace" / kits.name
    assert copy.read_bytes() == kits.read_bytes(), "expected kit start to copy the notebook"

    solution = nbformat.read(SOLUTIONS / kits.name, as_version=4)
    solution_cells = [
        cell for cell in solution.cells if "solution-only" not in cell.metadata.get("tags", [])
    ]
    notebook = nbformat.read(copy, as_version=4)
    checked = list(exercises_of(stage))
    check_cell = next(
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and "kit.check(" in cell.source
    )

    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(copy.parent)}},
    )
    with client.setup_kernel():
        learner = Learner(stage, home, client)
        for section in sections(notebook):
            for exercise in section.exercises:
                learner.answer(exercise)
            if section.exercises:
                answered = learner_notebook(solution, done=learner.done).cells
                for index in section.cells:
                    notebook.cells[index].source = answered[index].source
            for index in section.cells:
                error = learner.run_cell(notebook, index)
                expected = "raises-exception" in solution_cells[index].metadata.get("tags", [])
                done = sorted(learner.done)
                assert error is None or expected, (
                    f"stage {stage}, cell {index} (exercises done: {done}) failed: {error}"
                )
            if checked_here := [number for number in section.exercises if number in checked]:
                _assert_check_after(learner, check_cell, checked, checked_here)
        final = learner.check_in_notebook(check_cell)
        assert set(statuses(final).values()) <= DONE, final
        if stage:  # stage 0's work is the notebook's cells
            assert files_of(learner.folder) == finished_files(stage), (
                "expected the learner's folder, every exercise done, to hold the finished work"
            )
        for index in PLANTED[stage]:
            mistake = sabotages(stage)[index]
            _assert_mistake_fails_only_its_exercise(learner, notebook, check_cell, mistake)
    assert _tracked_changes() == tracked_before, (
        "expected no tracked file changed by the learner's path"
    )


def _assert_check_after(
    learner: Learner, check_cell: str, checked: list[int], just_done: list[int]
) -> None:
    stage = learner.stage
    in_notebook = learner.check_in_notebook(check_cell)
    in_shell = learner.type("check", str(stage)).stdout
    assert statuses(in_notebook) == statuses(in_shell), (in_notebook, in_shell)
    seen = statuses(in_notebook)
    done = [number for number in checked if number in learner.done]
    # An exercise with no code of its own (the package's whole suite passes) passes once the
    # others do: the next one to FAIL is the next with code.
    waiting = [n for n in checked if n not in learner.done and answer_blocks(stage, n)]
    assert all(seen[number] in DONE for number in done), (
        f"after exercise {just_done}:\n{in_notebook}"
    )
    exercise = just_done[-1]
    alone = learner.type("check", str(stage), "--exercise", str(exercise)).stdout
    assert statuses(alone).get(exercise) == seen[exercise], (in_notebook, alone)
    if not waiting:
        return
    following, *later = waiting
    assert seen[following] == "FAIL", f"expected exercise {following} to FAIL next:\n{in_notebook}"
    assert all(seen[number] in {"FAIL", "WAIT"} for number in later), in_notebook
    assert "hint:" in _part_of(in_notebook, following), in_notebook
    shown = [line for line in answer_lines(stage, following) if line in in_notebook]
    assert not shown, f"the report shows exercise {following}'s answer: {shown}"
    stuck = STUCK.search(in_notebook)
    first_failing = min(number for number, status in seen.items() if status == "FAIL")
    assert stuck and int(stuck[1]) == first_failing, in_notebook


def _assert_mistake_fails_only_its_exercise(learner, notebook, check_cell, mistake) -> None:
    number, allowed = mistake["exercise"], set(mistake.get("also", ()))
    waits = set(mistake.get("waits", ()))
    with _planted(learner, notebook, mistake):
        in_notebook = learner.check_in_notebook(check_cell)
        in_shell = learner.type("check", str(learner.stage)).stdout
    for report in (in_notebook, in_shell):
        # Only those its entry lists may FAIL with it (``also``) or WAIT for it (``waits``).
        failing = {n for n, status in statuses(report).items() if status not in DONE}
        assert number in failing and failing - allowed - waits <= {number}, (
            f"stage {learner.stage}: a learner's work that {mistake['breaks']} should fail "
            f"exercise {number} alone:\n{report}"
        )


@contextmanager
def _planted(learner: Learner, notebook, mistake: dict) -> Iterator[None]:
    """The learner's work with ``mistake`` planted, put back afterwards: in the first cell of
    their notebook that holds its text (stage 0), else in their file."""
    if mistake["file"].endswith(".ipynb"):
        index = next(i for i, cell in enumerate(notebook.cells) if mistake["find"] in cell.source)
        cell = notebook.cells[index]
        original = cell.source
        cell.source = original.replace(mistake["find"], mistake["replace"], 1)
        assert learner.run_cell(notebook, index) is None
        try:
            yield
        finally:
            cell.source = original
            assert learner.run_cell(notebook, index) is None
        return
    path = learner.folder / mistake["file"]
    original = path.read_text(encoding="utf-8")
    path.write_text(plant(original, mistake), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(original, encoding="utf-8")


def _part_of(report: str, exercise: int) -> str:
    start = re.search(rf"^  \S.*Exercise {exercise}:", report, re.MULTILINE)
    following = REPORT_LINE.search(report, start.end()) if start else None
    return report[start.start() : following.start() if following else None] if start else ""


def _tracked_changes() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
