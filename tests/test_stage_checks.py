"""Every stage check runs three ways: a check that cannot fail checks nothing.

- on the reference code in productionizing/stageN: it must pass;
- on a copy of the reference broken by tests/checks/stageN/sabotage.py: the exercise it
  breaks must fail;
- on the untouched exercise templates: every exercise must fail (in
  test_stage_checks_on_templates.py, so the suite's two workers share the slow runs).
"""

from __future__ import annotations

import importlib.util
import shutil
from types import ModuleType

import pytest

from kit.check import run_check
from kit.paths import NOT_COPIED, check_dir, reference_dir, stages_with

STAGES = stages_with(check_dir)


@pytest.mark.parametrize("stage", STAGES)
def test_the_check_passes_on_the_reference(stage):
    result = run_check(stage, reference_dir(stage))
    assert result.passed, result.report


@pytest.mark.parametrize("stage", STAGES)
def test_the_check_fails_on_a_broken_reference(stage, tmp_path):
    """Only the exercise the sabotage targets is checked: the others passed on the reference."""
    copy = shutil.copytree(reference_dir(stage), tmp_path / f"stage{stage}", ignore=NOT_COPIED)
    sabotage = load_sabotage(stage)
    broken = sabotage.sabotage(copy)
    result = run_check(stage, copy, exercises=[sabotage.EXERCISE])
    assert not result.passed, f"the stage {stage} check passed on a reference that {broken}"
    assert f"FAIL  Exercise {sabotage.EXERCISE}:" in result.report, result.report


def load_sabotage(stage: int) -> ModuleType:
    path = check_dir(stage) / "sabotage.py"
    spec = importlib.util.spec_from_file_location(f"sabotage_stage{stage}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
