"""One source per notebook: learner notebooks are what the generator makes of the solutions."""

from __future__ import annotations

import nbformat
import pytest

from kit.notebooks import NOTEBOOKS, SOLUTIONS, learner_notebook

SOLUTION_PATHS = sorted(SOLUTIONS.glob("*.ipynb"))


def solution_cell(source: str, cell_type: str = "code", tags=()) -> nbformat.NotebookNode:
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def learner_version(*cells: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return learner_notebook(nbformat.v4.new_notebook(cells=list(cells))).cells


def test_there_is_a_learner_notebook_for_each_solution_and_no_other():
    learner_names = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))
    assert learner_names == [path.name for path in SOLUTION_PATHS]


@pytest.mark.parametrize("solution_path", SOLUTION_PATHS, ids=lambda path: path.name)
def test_learner_notebook_is_generated_from_its_solution(solution_path):
    expected = learner_notebook(nbformat.read(solution_path, as_version=4))
    committed = nbformat.read(NOTEBOOKS / solution_path.name, as_version=4)
    assert committed == expected, (
        f"notebooks/{solution_path.name} differs from what its solution generates: edit the "
        "solution, then run `make notebooks`"
    )


@pytest.mark.parametrize("solution_path", SOLUTION_PATHS, ids=lambda path: path.name)
def test_solutions_are_stored_executed(solution_path):
    notebook = nbformat.read(solution_path, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    unexecuted = [i for i, cell in enumerate(code_cells) if cell.execution_count is None]
    assert not unexecuted, f"code cells {unexecuted} have no stored run: run `make notebooks`"


def test_a_code_solution_becomes_a_stub_that_raises_and_is_tagged():
    [cell] = learner_version(
        solution_cell("x = 1\n# BEGIN SOLUTION: exercise 3\ny = x + 1\n# END SOLUTION\nprint(y)")
    )
    assert "y = x + 1" not in cell.source
    assert 'raise NotImplementedError("Exercise 3 not done yet' in cell.source
    assert cell.source.startswith("x = 1\n") and cell.source.endswith("print(y)")
    assert cell.metadata["tags"] == ["raises-exception"]


def test_a_stub_keeps_the_indentation_of_its_block():
    [cell] = learner_version(
        solution_cell(
            "def f():\n    # BEGIN SOLUTION: exercise 1\n    return 2\n    # END SOLUTION"
        )
    )
    compile(cell.source, "cell", "exec")
    assert "    raise NotImplementedError" in cell.source


def test_a_markdown_answer_becomes_a_prompt():
    [cell] = learner_version(
        solution_cell(
            "Q?\n\n<!-- BEGIN SOLUTION: exercise 2 -->\nThe answer.\n<!-- END SOLUTION -->",
            "markdown",
        )
    )
    assert "The answer" not in cell.source and "Exercise 2: write your answer" in cell.source


def test_solution_only_cells_are_left_out_and_learner_raises_is_translated():
    cells = learner_version(
        solution_cell("secret = 1", tags=["solution-only"]),
        solution_cell("kit.check(1)", tags=["learner-raises"]),
    )
    assert [cell.source for cell in cells] == ["kit.check(1)"]
    assert cells[0].metadata["tags"] == ["raises-exception"]


def test_learner_cells_carry_no_outputs():
    cell = solution_cell("1 + 1")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"})]
    cell.execution_count = 4
    [learner] = learner_version(cell)
    assert learner.outputs == [] and learner.execution_count is None


@pytest.mark.parametrize("learner_path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_a_learner_notebook_never_shows_the_reference(learner_path):
    """The answer is shown only on request (`make solution`): no cell reads or links it."""
    notebook = nbformat.read(learner_path, as_version=4)
    showing = [
        index
        for index, cell in enumerate(notebook.cells)
        if "productionizing/" in cell.source or "solutions/" in cell.source
    ]
    assert not showing, (
        f"notebooks/{learner_path.name}: cells {showing} read or link the reference; point to "
        "`make solution STAGE=N EXERCISE=n` instead (edit the solution, then `make notebooks`)"
    )
