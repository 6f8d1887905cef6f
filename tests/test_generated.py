"""One source per stage file: templates and carried code are what `make generate` makes.

A stage's lesson is written by hand once, in productionizing/stageN; its exercise templates
and what later stages carry of it are generated (kit/generate.py). These tests fail, naming
the file, when a committed copy differs from what the generator makes.
"""

from __future__ import annotations

import pytest

from kit import generate, stages
from kit.paths import ROOT, reference_dir, templates_dir

STAGES = [stage.number for stage in stages.with_code()]
FIX = "edit the source named, then run `make generate` (never the copy)"


def _with_its_source(path, stage: int) -> str:
    """``path`` as the message names it: for a copy, the file to edit instead."""
    folder = reference_dir(stage) if path.is_relative_to(reference_dir(stage)) else None
    relative = path.relative_to(folder or templates_dir(stage)).as_posix()
    source = generate.source_of(stage, relative)
    shown = path.relative_to(ROOT).as_posix()
    if folder:
        return f"{shown} (carried from {source})"
    return f"{shown} (the start state of {source})"


@pytest.mark.parametrize("stage", STAGES)
def test_committed_copies_are_what_the_generator_makes(stage):
    expected = {
        path: content
        for path, content in generate.derived_files().items()
        if path.is_relative_to(templates_dir(stage)) or path.is_relative_to(reference_dir(stage))
    }
    differ = [
        _with_its_source(path, stage)
        for path, content in expected.items()
        if not path.is_file() or path.read_bytes() != content
    ]
    assert not differ, f"these files differ from what the generator makes: {differ}; {FIX}"


def test_a_carried_file_is_named_with_the_file_it_is_made_from():
    carried = reference_dir(7) / "src" / "iris_model" / "data.py"
    assert _with_its_source(carried, 7) == (
        "productionizing/stage7/src/iris_model/data.py "
        "(carried from productionizing/stage2/src/iris_model/data.py)"
    )
    template = templates_dir(4) / "data" / "iris.csv"
    assert (
        _with_its_source(template, 4)
        == "exercises/stage4/data/iris.csv (the start state of data/iris.csv)"
    )


def test_the_readme_stage_table_is_made_from_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert generate.stage_table() in readme, (
        "README.md's stage table differs from what kit/stages.py makes: edit kit/stages.py "
        "(never the table), then run `make generate`"
    )


@pytest.mark.parametrize("stage", STAGES)
def test_a_template_folder_holds_only_what_the_generator_makes(stage):
    made = set(generate.template_files(stage))
    committed = set(generate.files_of(templates_dir(stage)))
    assert committed == made, (
        f"exercises/stage{stage}: extra {sorted(committed - made)}, "
        f"missing {sorted(made - committed)}; {FIX}"
    )


@pytest.mark.parametrize("stage", STAGES)
def test_every_reference_file_is_the_stages_own_or_carried(stage):
    assert not generate.stray_files(stage), (
        f"productionizing/stage{stage} holds {generate.stray_files(stage)}, which is neither "
        "listed as the stage's own (its `own` in kit/stages.py) nor carried from an earlier stage"
    )


@pytest.mark.parametrize("stage", [stage.number for stage in stages.with_code() if stage.carries])
def test_a_stage_carries_files_from_the_stage_before(stage):
    assert generate.carried_files(stage), f"stage {stage} declares carries but takes no file"


def test_a_python_exercise_becomes_its_comment_and_a_stub():
    source = (
        "def split(frame):\n"
        '    """Hold out rows."""\n'
        "    # Stage 1, exercise 3: use train_test_split,\n"
        "    # with a seed.\n"
        "    train, test = frame[:2], frame[2:]\n"
        "    return train, test\n"
        "\n"
        "\n"
        "def kept():\n"
        "    return 1\n"
    )
    stub = generate.stub_exercises("iris_model/data.py", source.encode(), stage=1).decode()
    assert stub == (
        "def split(frame):\n"
        '    """Hold out rows."""\n'
        "    # TODO Exercise 3: use train_test_split,\n"
        "    # with a seed.\n"
        '    raise NotImplementedError("Exercise 3 not done yet: data.split")\n'
        "\n"
        "\n"
        "def kept():\n"
        "    return 1\n"
    )


def test_a_method_is_named_with_its_class():
    source = (
        "class Service:\n"
        "    def predict(self, rows):\n"
        "        # Stage 3, exercise 2: one call.\n"
        "        return self.model(rows)\n"
    )
    stub = generate.stub_exercises("src/pkg/service.py", source.encode(), stage=3).decode()
    assert 'NotImplementedError("Exercise 2 not done yet: service.Service.predict")' in stub
    assert "self.model(rows)" not in stub


def test_an_earlier_stages_exercise_is_left_as_it_is():
    source = "def f():\n    # Stage 3, exercise 2: one call.\n    return 1\n"
    assert generate.stub_exercises("src/pkg/m.py", source.encode(), stage=4) == source.encode()


def test_a_marker_outside_a_function_is_refused_naming_the_file_and_line():
    source = "X = 1\n# Stage 2, exercise 1: a constant.\nY = 2\n"
    with pytest.raises(
        generate.GenerationError, match=r"src/pkg/m\.py, line 2: .*inside a function"
    ):
        generate.stub_exercises("src/pkg/m.py", source.encode(), stage=2)


def test_dockerfile_exercise_lines_are_left_out_up_to_the_next_comment():
    source = (
        "EXPOSE 8000\n"
        "# Stage 4, exercise 3: a HEALTHCHECK in exec form\n"
        "HEALTHCHECK --interval=5s \\\n"
        '    CMD ["python", "-c", "..."]\n'
        "# Stage 4, exercise 4: the CMD\n"
        'CMD ["gunicorn"]\n'
    )
    stub = generate.stub_exercises("Dockerfile", source.encode(), stage=4).decode()
    assert stub == (
        "EXPOSE 8000\n# TODO Exercise 3: a HEALTHCHECK in exec form\n# TODO Exercise 4: the CMD\n"
    )


def test_requirements_of_an_exercise_lose_their_pins_only():
    source = "# Stage 4, exercise 5: pin them\nflask==3.1.3\nnumpy==2.4.6\n"
    stub = generate.stub_exercises("requirements.txt", source.encode(), stage=4).decode()
    assert stub == "# TODO Exercise 5: pin them\nflask\nnumpy\n"


def test_a_markdown_exercise_is_an_html_comment_and_its_paragraph_is_left_out():
    source = (
        "## Latency\n"
        "<!-- Stage 6, exercise 4: how long one answer takes,\n"
        "for each way. -->\n"
        "In microseconds.\n"
        "A request more.\n"
        "\n"
        "## Who can run it\n"
    )
    stub = generate.stub_exercises("COMPARISON.md", source.encode(), stage=6).decode()
    assert stub == (
        "## Latency\n"
        "<!-- TODO Exercise 4: how long one answer takes,\n"
        "for each way. -->\n"
        "\n"
        "## Who can run it\n"
    )


def test_a_markdown_marker_written_as_a_heading_is_refused():
    source = "## Latency\n# Stage 6, exercise 4: how long.\nIn microseconds.\n"
    with pytest.raises(generate.GenerationError, match=r"COMPARISON\.md, line 2: .*HTML comment"):
        generate.stub_exercises("COMPARISON.md", source.encode(), stage=6)


def test_the_start_state_readme_says_so_in_its_title():
    stub = generate.stub_exercises("README.md", b"# Stage 2 - tested\n\ntext\n", stage=2)
    assert stub == b"# Stage 2 - tested (your start state)\n\ntext\n"


def test_gitattributes_marks_every_generated_file_as_generated():
    text = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert generate.gitattributes_with_carried_files(text) == text, (
        ".gitattributes does not list the files the stages carry as kit/stages.py makes them: "
        "run `make generate`"
    )
    assert "exercises/** linguist-generated" in text
    assert "notebooks/*.ipynb linguist-generated" in text
