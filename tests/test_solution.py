"""`make solution`: one exercise's reference answer, shown only when the learner asks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from difflib import SequenceMatcher

import pytest

from kit.check import exercises_of
from kit.errors import KitError
from kit.paths import ROOT, check_dir, stages_with
from kit.solution import answer_blocks, solution_text

# A stretch of an answer this long in a hint is its code, not a pointer to it; shorter ones are
# names a hint may need (`routes.health`, `USER`).
GIVEN_AWAY = 25

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


@pytest.mark.parametrize("arguments", [("solution", "1"), ("solution", "9", "--exercise", "1")])
def test_the_command_refuses_in_one_line(arguments):
    done = subprocess.run(
        [sys.executable, "-m", "kit", *arguments], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith("kit solution: ") and done.stderr.count("\n") == 1, done.stderr


@pytest.mark.parametrize(("stage", "number"), EVERY_EXERCISE)
def test_no_hint_holds_the_code_of_its_answer(stage, number):
    hint = exercises_of(stage)[number].hint
    answer = [line.strip() for block in answer_blocks(stage, number) for line in block.answer]
    given = [line for line in answer if _longest_shared_stretch(line, hint) >= GIVEN_AWAY]
    assert not given, f"stage {stage}, exercise {number}: the hint gives the answer's {given}"


@pytest.mark.parametrize(("stage", "number"), EVERY_EXERCISE)
def test_a_hint_names_a_section_its_notebook_has(stage, number):
    hint = exercises_of(stage)[number].hint
    named = re.findall(r"'(Exercises? \d[^']*)'", hint)
    headings = _headings(stage)
    assert named, f"stage {stage}, exercise {number}: the hint names no notebook section"
    missing = [name for name in named if not any(h.startswith(name) for h in headings)]
    assert not missing, f"stage {stage}: the hint names {missing}; the notebook has {headings}"


def _longest_shared_stretch(line: str, hint: str) -> int:
    matcher = SequenceMatcher(None, line, hint, autojunk=False)
    return matcher.find_longest_match().size


def _headings(stage: int) -> list[str]:
    """The ``##`` and ``###`` headings of the stage's solution notebook, without the ``#``s."""
    (notebook,) = ROOT.glob(f"solutions/{stage:02d}_*.ipynb")
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return re.findall(r"^###? (.+)$", text, flags=re.MULTILINE)
