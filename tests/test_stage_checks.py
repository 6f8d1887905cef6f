"""Every stage check runs three ways: a check that cannot fail checks nothing.

- on the reference code in productionizing/stageN: it must pass;
- on copies of the finished work (the templates with every exercise answered), each with one
  mistake planted from tests/checks/stageN/sabotage.py (kit/planted.py): the exercise it
  belongs to must fail, and no other (but the whole-package exercise, where the package's own
  suite catches it too);
- on the untouched exercise templates: every exercise must fail (in
  test_stage_checks_on_templates.py, so the suite's two workers share the slow runs).

Stage 0's code is notebook cells, not a folder: its check reads the answers a notebook makes,
so its reference is what the solved notebook makes, and its mistakes are planted in the
notebook's cells (``kit.notebook_answers``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kit import stages
from kit.check import exercises_of, run_check
from kit.notebook_answers import SOLVED_NOTEBOOK, answers_of_notebook
from kit.paths import ROOT, check_dir, copy_stage, reference_dir, stages_with
from kit.planted import broken_copy, sabotages

STAGES = stages_with(check_dir)
pytestmark = pytest.mark.usefixtures("warm_checks")  # the checks start warm: see conftest.py


@pytest.mark.parametrize("stage", STAGES)
def test_the_check_passes_on_the_reference(stage, tmp_path, leaves_no_process):
    """And leaves nothing running: stage 6's PostgreSQL, scheduler, workers and store too."""
    if stage == 0:
        target = answers_of_notebook(SOLVED_NOTEBOOK, tmp_path / "stage0")
    else:
        target = reference_dir(stage)
    result = run_check(stage, target)
    assert result.passed, result.report


def _sabotages() -> list:
    return [
        pytest.param(stage, planted, id=f"stage{stage}-exercise{planted['exercise']}-{index}")
        for stage in STAGES
        for index, planted in enumerate(sabotages(stage))
    ]


@pytest.mark.parametrize(("stage", "planted"), _sabotages())
def test_a_planted_mistake_fails_its_own_exercise_and_no_other(
    stage, planted, tmp_path, monkeypatch
):
    """The whole check runs on the broken copy: the planted exercise must FAIL, another may
    fail only where the sabotage lists it (``also``), and those that cannot pass without the
    broken one (``waits``) must WAIT for it; the rest pass.

    Stage 4's image exercise serves the image's command locally here, as on a machine without
    a container engine: a planted mistake in requirements.txt would otherwise rebuild every
    package layer. The engine's build is proven on the reference and in tests/test_image.py.
    """
    if "engine" in stages.get(stage).needs:
        monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
    copy = target_with_mistake(stage, planted, tmp_path / f"stage{stage}")
    also, waits = set(planted.get("also", ())), set(planted.get("waits", ()))
    # Exercises allowed to fail anyway need not run (the package's whole suite, the image);
    # else the whole check runs, as the learner replay's check of the same files does.
    others = [number for number in exercises_of(stage) if number not in also] if also else []
    report = run_check(stage, copy, exercises=others).report
    failed = set(map(int, re.findall(r"^  FAIL  Exercise (\d+):", report, flags=re.MULTILINE)))
    waiting = set(map(int, re.findall(r"^  WAIT  Exercise (\d+):", report, flags=re.MULTILINE)))
    exercise = planted["exercise"]
    what = f"a stage {stage} reference that {planted['breaks']}"
    assert exercise in failed, f"exercise {exercise} passed on {what}:\n{report}"
    assert failed - {exercise} <= also, f"other exercises failed on {what}:\n{report}"
    assert waiting - also == waits, f"expected {sorted(waits)} alone to wait on {what}:\n{report}"


def target_with_mistake(stage: int, planted: dict, folder: Path) -> Path:
    """A target with ``planted``'s mistake: the finished work with one text replaced, or for
    stage 0 the answers its solved notebook makes with one cell's text replaced."""
    if stage == 0:  # a missing text is a ValueError naming it
        return answers_of_notebook(
            ROOT / planted["file"], folder, edit=(planted["find"], planted["replace"])
        )
    return broken_copy(stage, planted, folder)


def test_a_property_test_failure_names_the_request_and_the_status(tmp_path):
    """Stage 3's exercise 6 runs the API's hypothesis suite: its line in the report says what
    was sent and what came back, not a bare ``assert False``."""
    copy = copy_stage(reference_dir(3), tmp_path / "stage3")
    routes = copy / "src" / "iris_model" / "routes.py"
    read = "    flower = read_flower(_json_body())\n"
    answers_200_to_a_list_of_lists = (
        "    body = _json_body()\n"
        '    if body.startswith(b"[["):\n'
        '        return jsonify(status="ok")\n'
        "    flower = read_flower(body)\n"
    )
    source = routes.read_text(encoding="utf-8")
    assert read in source, "routes.predict changed: update this test"
    routes.write_text(source.replace(read, answers_200_to_a_list_of_lists), encoding="utf-8")
    report = run_check(3, copy, exercises=[6]).report
    # Whichever property test meets the mistake first, its line names the request and status.
    assert re.search(r"expected a 4xx for POST /predict .*\[.*, got 200", report), report


def test_the_stage_4_check_says_where_it_ran_the_image_and_why():
    report = run_check(4, reference_dir(4), exercises=[6]).report
    said = r"ran the image's CMD locally: no container engine \(.+\)|built the image and ran it in"
    assert re.search(said, report), report


def test_a_server_that_did_not_start_shows_why_in_the_stage_4_report(tmp_path):
    copy = copy_stage(reference_dir(4), tmp_path / "stage4")
    app = copy / "src" / "iris_model" / "app.py"
    app.write_text(app.read_text(encoding="utf-8") + "import no_such_module\n", encoding="utf-8")
    report = run_check(4, copy, exercises=[6]).report
    assert "ModuleNotFoundError: No module named 'no_such_module'" in report, report
    assert "Shutting down" not in report, report


def test_a_schema_mistake_fails_its_exercise_and_makes_the_messages_wait(tmp_path):
    """Stage 2's error messages are made through the schema: with a schema that lets a missing
    value through, exercise 1 fails and exercise 2 waits for it, instead of failing too."""
    copy = copy_stage(reference_dir(2), tmp_path / "stage2")
    schema = copy / "src" / "iris_model" / "schema.py"
    right = "[pa.Check.gt(0), pa.Check.lt(MAX_CM)], nullable=False)"
    source = schema.read_text(encoding="utf-8")
    assert right in source, "schema.measurement_column changed: update this test"
    schema.write_text(source.replace(right, right.replace("False", "True")), encoding="utf-8")
    report = run_check(2, copy, exercises=[1, 2]).report
    assert re.search(r"^  FAIL  Exercise 1:", report, flags=re.MULTILINE), report
    assert re.search(r"^  WAIT  Exercise 2:", report, flags=re.MULTILINE), report
