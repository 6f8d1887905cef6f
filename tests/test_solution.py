"""`make solution`: one exercise's reference answer, shown only when the learner asks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kit.check import exercises_of
from kit.errors import KitError
from kit.paths import ROOT, check_dir, stages_with
from kit.solution import answer_blocks, solution_text

EVERY_EXERCISE = [
    (stage, number) for stage in stages_with(check_dir) for number in exercises_of(stage)
]


def test_a_python_exercise_shows_its_file_function_and_code():
    text = solution_text(3, 1)
    assert "productionizing/stage3/src/iris_model/routes.py, health()" in text
    assert 'return jsonify(status="ok")' in text
    assert text.splitlines()[-1].startswith("The full reference of stage 3 is in ")
    assert "productionizing/stage3/" in text.splitlines()[-1]


def test_a_dockerfile_exercise_shows_its_lines_up_to_the_next_comment():
    text = solution_text(4, 4)
    assert "productionizing/stage4/Dockerfile\n" in text
    assert 'CMD ["gunicorn", "--config", "/app/gunicorn.conf.py"]' in text
    assert "HEALTHCHECK" not in text, "expected only exercise 4's lines, got exercise 3's too"


def test_a_requirements_exercise_shows_the_pinned_lines():
    text = solution_text(4, 5)
    assert "productionizing/stage4/requirements.txt" in text
    assert "flask==" in text and "gunicorn==" in text


def test_only_the_asked_exercise_is_shown():
    text = solution_text(1, 3)
    assert "train_test_split(" in text
    assert "parse_patch" not in text and "read_csv" not in text


@pytest.mark.parametrize(("stage", "number"), EVERY_EXERCISE)
def test_every_exercise_of_every_stage_has_an_answer_to_show(stage, number):
    blocks = answer_blocks(stage, number)
    empty = [block.path for block in blocks if not "".join(block.answer).strip()]
    assert not empty, f"stage {stage}, exercise {number}: an empty answer in {empty}"
    if not blocks:
        assert "has no code of its own" in solution_text(stage, number)


def test_a_notebook_asks_with_kit_solution_again_and_again():
    """As in a notebook's kernel: nothing of the kit imported before, each function called twice."""
    calls = "kit.solution(1, exercise=3); kit.solution(1, exercise=5); print(callable(kit.check))"
    done = subprocess.run(
        [sys.executable, "-c", f"import kit; {calls}"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "train_test_split(" in done.stdout and "text.partition" in done.stdout
    assert done.stdout.splitlines()[-1] == "True"


def test_without_an_exercise_it_asks_for_one():
    with pytest.raises(KitError, match=r"which exercise\? .*one at a time") as error:
        solution_text(2, None)
    assert "make solution STAGE=2 EXERCISE=n" in str(error.value)
    assert "\n" not in str(error.value)


def test_an_unknown_exercise_names_the_valid_ones():
    with pytest.raises(KitError, match=r"stage 1 has no exercise 9; its exercises are 1, 2, 3"):
        solution_text(1, 9)


@pytest.mark.parametrize("arguments", [("solution", "1"), ("solution", "7", "--exercise", "1")])
def test_the_command_refuses_in_one_line(arguments):
    done = subprocess.run(
        [sys.executable, "-m", "kit", *arguments], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith("kit solution: ") and done.stderr.count("\n") == 1, done.stderr
