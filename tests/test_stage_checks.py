"""Every stage check runs three ways: a check that cannot fail checks nothing.

- on the reference code in productionizing/stageN: it must pass;
- on copies of the reference, each with one mistake planted by tests/checks/stageN/sabotage.py:
  the exercise it belongs to must fail, and no other (but the whole-package exercise, where
  the package's own suite catches it too);
- on the untouched exercise templates: every exercise must fail (in
  test_stage_checks_on_templates.py, so the suite's two workers share the slow runs).
"""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

import pytest

from kit.check import exercises_of, run_check
from kit.paths import check_dir, copy_stage, reference_dir, stages_with

STAGES = stages_with(check_dir)


@pytest.mark.parametrize("stage", STAGES)
def test_the_check_passes_on_the_reference(stage):
    result = run_check(stage, reference_dir(stage))
    assert result.passed, result.report


def load_sabotage(stage: int) -> ModuleType:
    path = check_dir(stage) / "sabotage.py"
    spec = importlib.util.spec_from_file_location(f"sabotage_stage{stage}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sabotages() -> list:
    return [
        pytest.param(stage, planted, id=f"stage{stage}-exercise{planted['exercise']}-{index}")
        for stage in STAGES
        for index, planted in enumerate(load_sabotage(stage).SABOTAGES)
    ]


@pytest.mark.parametrize(("stage", "planted"), _sabotages())
def test_a_planted_mistake_fails_its_own_exercise_and_no_other(
    stage, planted, tmp_path, monkeypatch
):
    """The whole check runs on the broken copy: the planted exercise must FAIL, and any other
    exercise may only fail where the sabotage lists it (``also``) or wait for the broken one.

    Stage 4's image exercise serves the image's command locally here, as on a machine without
    a container engine: a planted mistake in requirements.txt would otherwise rebuild every
    package layer. The engine's build is proven on the reference and in tests/test_image.py.
    """
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
    copy = copy_stage(reference_dir(stage), tmp_path / f"stage{stage}")
    broken = copy / planted["file"]
    source = broken.read_text(encoding="utf-8")
    assert planted["find"] in source, (
        f"{planted['file']} changed: update stage {stage}'s sabotage.py"
    )
    broken.write_text(source.replace(planted["find"], planted["replace"], 1), encoding="utf-8")
    also = set(planted.get("also", ()))
    # Exercises allowed to fail anyway need not run (the package's whole suite, the image).
    others = [number for number in exercises_of(stage) if number not in also]
    report = run_check(stage, copy, exercises=others).report
    failed = set(map(int, re.findall(r"^  FAIL  Exercise (\d+):", report, flags=re.MULTILINE)))
    waiting = set(map(int, re.findall(r"^  WAIT  Exercise (\d+):", report, flags=re.MULTILINE)))
    exercise = planted["exercise"]
    what = f"a stage {stage} reference that {planted['breaks']}"
    assert exercise in failed, f"exercise {exercise} passed on {what}:\n{report}"
    assert failed - {exercise} <= also, f"other exercises failed on {what}:\n{report}"
    assert not waiting - also, f"exercises waited on {what}:\n{report}"
