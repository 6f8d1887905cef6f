"""The suite's planted mistakes: planted where the text stands in code, in the finished work."""

from __future__ import annotations

import pytest

from kit.generate import finished_files, template_files
from kit.planted import broken_copy, plant, sabotages

MISTAKE = {"file": "model.py", "find": "C=1.0", "replace": "C=0.1"}


def test_a_mistake_is_planted_in_code_not_in_a_comment_quoting_it():
    text = "# the TODO says: use C=1.0\nmodel = fit(C=1.0)\n"
    assert plant(text, MISTAKE) == "# the TODO says: use C=1.0\nmodel = fit(C=0.1)\n"


@pytest.mark.parametrize("text", ["model = fit(C=2)\n", "a = fit(C=1.0)\nb = fit(C=1.0)\n"])
def test_a_text_not_found_once_in_code_names_the_file_and_what_to_fix(text):
    with pytest.raises(ValueError, match=r"model\.py holds 'C=1\.0' in code \d times, not once"):
        plant(text, MISTAKE)


@pytest.mark.parametrize("stage", range(1, 8))
def test_the_finished_work_is_the_templates_with_every_answer_written(stage):
    templates, finished = template_files(stage), finished_files(stage)
    assert finished.keys() == templates.keys()
    changed = {path for path in finished if finished[path] != templates[path]}
    assert changed, f"expected stage {stage}'s finished work to differ from its templates"
    stubbed = [
        path
        for path, content in finished.items()
        if b"not done yet" in content and path[-3:] != ".md"
    ]
    assert any(b"not done yet" in templates[path] for path in templates if path[-3:] != ".md")
    assert not stubbed, f"expected every exercise answered, got stubs left in {stubbed}"


@pytest.mark.parametrize("stage", range(1, 8))
def test_every_sabotage_entry_plants_into_the_finished_work(stage, tmp_path):
    for index, mistake in enumerate(sabotages(stage)):
        copy = broken_copy(stage, mistake, tmp_path / f"stage{stage}-{index}")
        planted = (copy / mistake["file"]).read_bytes()
        assert planted != finished_files(stage)[mistake["file"]], mistake["breaks"]
