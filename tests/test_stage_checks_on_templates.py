"""A stage check run on the untouched exercise templates fails every exercise, with a hint.

The other two ways each check runs are in test_stage_checks.py. Stage 0's templates are the
learner notebook's exercise cells: its check reads the answers that notebook makes.
"""

from __future__ import annotations

import re

import pytest

from kit.check import run_check
from kit.notebook_answers import LEARNER_NOTEBOOK, answers_of_notebook
from kit.paths import check_dir, copy_stage, stages_with, templates_dir

pytestmark = pytest.mark.usefixtures("warm_checks")  # the checks start warm: see conftest.py


@pytest.mark.parametrize("stage", stages_with(check_dir))
def test_the_check_fails_on_the_untouched_templates_naming_every_exercise(stage, tmp_path):
    if stage == 0:
        copy = answers_of_notebook(LEARNER_NOTEBOOK, tmp_path / "stage0")
    else:
        copy = copy_stage(templates_dir(stage), tmp_path / f"stage{stage}")
    result = run_check(stage, copy)
    assert not result.passed, f"the stage {stage} check passed on the untouched templates"
    failed = re.findall(r"^  (?:FAIL|WAIT)  Exercise (\d+):", result.report, flags=re.MULTILINE)
    total = int(re.search(r"of (\d+) exercises pass", result.report)[1])
    assert len(failed) == total, f"expected every exercise to fail:\n{result.report}"
    assert "hint:" in result.report
    assert "Traceback" not in result.report
