"""``python -m kit notebooks``: learner notebooks generated from their solutions.

Each solution notebook in ``solutions/`` is the single source of its learner notebook in
``notebooks/``. Solution code between markers becomes a stub that raises "Exercise N not done
yet"; a marked answer in markdown becomes a prompt. Learner notebooks ship without outputs.
See docs/maintainers.md for the markers.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import tempfile
from collections.abc import Container
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from kit.paths import NOTEBOOKS, ROOT, SOLUTIONS

if TYPE_CHECKING:  # imported where used: `kit solution` reads the markers without it
    import nbformat

CODE_SOLUTION = re.compile(
    r"^(?P<indent>[ \t]*)# BEGIN SOLUTION: exercise (?P<number>\d+)\n.*?^[ \t]*# END SOLUTION\n?",
    re.DOTALL | re.MULTILINE,
)
MARKDOWN_SOLUTION = re.compile(
    r"<!-- BEGIN SOLUTION: exercise (?P<number>\d+) -->.*?<!-- END SOLUTION -->",
    re.DOTALL,
)
LEARNER_TAGS_ADDED = {"learner-raises": "raises-exception"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-execute", action="store_true", help="do not re-execute the solutions")


def run(args: argparse.Namespace) -> int:
    if not args.no_execute:
        for solution_path in sorted(SOLUTIONS.glob("*.ipynb")):
            execute_in_place(solution_path)
            print(f"executed {solution_path.relative_to(ROOT)}")
    write_learner_notebooks()
    return 0


def write_learner_notebooks() -> None:
    """Write each learner notebook from its solution (``kit generate`` calls this too)."""
    import nbformat

    for solution_path in sorted(SOLUTIONS.glob("*.ipynb")):
        learner_path = NOTEBOOKS / solution_path.name
        nbformat.write(learner_notebook(nbformat.read(solution_path, as_version=4)), learner_path)
        print(f"wrote {learner_path.relative_to(ROOT)}")


def learner_notebook(
    solution: nbformat.NotebookNode, done: Container[int] = ()
) -> nbformat.NotebookNode:
    """The learner's version of ``solution``: exercises stubbed, no outputs; those in
    ``done`` answered as the solution answers them (the suite's replay of a learner)."""
    notebook = copy.deepcopy(solution)
    notebook.cells = [
        _learner_cell(cell, done) for cell in notebook.cells if "solution-only" not in _tags(cell)
    ]
    return notebook


def _learner_cell(cell: nbformat.NotebookNode, done: Container[int]) -> nbformat.NotebookNode:
    tags = _tags(cell)
    if cell.cell_type == "code":
        numbers = {int(match["number"]) for match in CODE_SOLUTION.finditer(cell.source)}
        stubbed = bool(numbers - set(done))
        source = CODE_SOLUTION.sub(partial(_code_stub, done=done), cell.source)
        cell.source = source.rstrip("\n")
        cell.outputs = []
        cell.execution_count = None
        if stubbed:
            tags.append("raises-exception")
    elif cell.cell_type == "markdown":
        cell.source = MARKDOWN_SOLUTION.sub(_markdown_prompt, cell.source)
    tags.extend(LEARNER_TAGS_ADDED[tag] for tag in list(tags) if tag in LEARNER_TAGS_ADDED)
    kept = [tag for tag in dict.fromkeys(tags) if tag not in LEARNER_TAGS_ADDED]
    cell.metadata.pop("execution", None)
    if kept:
        cell.metadata["tags"] = kept
    else:
        cell.metadata.pop("tags", None)
    return cell


def _code_stub(match: re.Match, done: Container[int]) -> str:
    indent, number = match["indent"], match["number"]
    if int(number) in done:
        return "".join(match[0].splitlines(keepends=True)[1:-1])
    return (
        f"{indent}# Exercise {number}: replace these two lines with your code, then run the cell.\n"
        f'{indent}raise NotImplementedError("Exercise {number} not done yet")\n'
    )


def _markdown_prompt(match: re.Match) -> str:
    return f"*Exercise {match['number']}: write your answer here (double-click to edit).*"


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def execute_in_place(path: Path) -> None:
    """Run a solution top to bottom in a scratch workspace and store its outputs."""
    import nbformat

    with tempfile.TemporaryDirectory() as scratch:
        notebook = execute(path, Path(scratch))
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)


def execute(path: Path, workspace: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` executed in its folder, with ``workspace`` as KIT_WORKSPACE."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    previous = os.environ.get("KIT_WORKSPACE")
    os.environ["KIT_WORKSPACE"] = str(workspace)
    try:
        NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=600,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    finally:
        _restore_environment("KIT_WORKSPACE", previous)
    return notebook


def _restore_environment(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
