"""The stage registry (kit/stages.py) is the one declaration of the stages, and adding a stage
is one entry plus the lesson's files.

Each entry is checked against the files it describes (folders, notebooks, decks, the times its
notebook and the instructor guide give), ``kit diff`` against the registry's own view of a
lesson, and the recipe of docs/maintainers.md ("How to add a stage") on a throwaway stage 8
in a copy of the kit.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import kit
from kit import stages
from kit.diff import lesson_files, reference_diff, reference_lesson
from kit.paths import ROOT, reference_dir

REGISTRY = stages.REGISTRY
WITH_CODE = [stage.number for stage in stages.with_code()]
TIME_HEADER = re.compile(r"\*\*Time:\*\* (\d+) minutes \(([^)]*)\)")


def _numbered(pattern: str) -> list[int]:
    return sorted(int(re.search(r"\d+", path.name)[0]) for path in ROOT.glob(pattern))


def test_stages_are_numbered_in_order_and_build_on_an_earlier_one():
    assert stages.numbers() == sorted(set(stages.numbers()))
    for stage in REGISTRY:
        assert stage.builds_on is None or stage.builds_on in stages.numbers()[: stage.number]


@pytest.mark.parametrize("stage", WITH_CODE)
def test_a_stage_carries_from_the_stage_it_builds_on_and_no_other(stage):
    sources = {carry.source for carry in stages.get(stage).carries}
    carried_stages = {
        int(m[1]) for s in sources if (m := re.match(r"productionizing/stage(\d+)", s))
    }
    assert carried_stages <= {stages.get(stage).builds_on}, (
        f"stage {stage} builds on stage {stages.get(stage).builds_on} but carries from "
        f"{sorted(carried_stages)}: fix its entry in kit/stages.py"
    )


def test_every_stage_folder_is_in_the_registry_and_every_entry_has_its_folders():
    assert _numbered("productionizing/stage*") == WITH_CODE
    assert _numbered("exercises/stage*") == WITH_CODE
    assert _numbered("tests/checks/stage*") == stages.numbers()
    assert _numbered("solutions/*.ipynb") == stages.numbers()


@pytest.mark.parametrize("stage", REGISTRY, ids=lambda stage: stage.stem)
def test_a_stages_notebooks_and_deck_are_named_by_its_stem(stage):
    for path in (
        f"solutions/{stage.stem}.ipynb",
        f"notebooks/{stage.stem}.ipynb",
        f"slides/{stage.stem}.md",
    ):
        assert (ROOT / path).is_file(), (
            f"stage {stage.number}: no {path} (its stem in kit/stages.py)"
        )


@pytest.mark.parametrize("stage", REGISTRY, ids=lambda stage: stage.stem)
def test_the_notebook_header_gives_the_registrys_time_alone(stage):
    solution = nbformat.read(ROOT / "solutions" / f"{stage.stem}.ipynb", as_version=4)
    header = next(cell.source for cell in solution.cells if cell.cell_type == "markdown")
    found = TIME_HEADER.search(header)
    assert found, f"solutions/{stage.stem}.ipynb: no '**Time:** N minutes (…)' in its first cell"
    minutes, parts = int(found[1]), [int(part) for part in re.findall(r"\d+", found[2])]
    assert minutes == stage.minutes_alone, (
        f"solutions/{stage.stem}.ipynb says {minutes} minutes, kit/stages.py says "
        f"{stage.minutes_alone} (minutes_alone): make them one figure"
    )
    assert sum(parts) == minutes, f"solutions/{stage.stem}.ipynb: {found[0]} does not add up"


@pytest.mark.parametrize("stage", REGISTRY, ids=lambda stage: stage.stem)
def test_the_instructor_guide_gives_the_registrys_slot(stage):
    guide = (ROOT / "slides" / "INSTRUCTOR.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| \d\d:\d\d \| Stage {stage.number}:[^|]*\| (\d+) \|$", guide, re.M)
    assert row, f"slides/INSTRUCTOR.md has no schedule row for stage {stage.number}"
    assert int(row[1]) == stage.minutes_in_class, (
        f"slides/INSTRUCTOR.md gives stage {stage.number} {row[1]} minutes, kit/stages.py "
        f"{stage.minutes_in_class} (minutes_in_class): make them one figure"
    )


@pytest.mark.parametrize("stage", [n for n in WITH_CODE if stages.get(n).builds_on in WITH_CODE])
def test_a_stage_readme_names_the_stage_it_builds_on(stage):
    readme = (reference_dir(stage) / "README.md").read_text(encoding="utf-8")
    first_paragraph = readme.partition("## The exercises\n")[2].split("\n\n")[0]
    assert f"Stage {stages.get(stage).builds_on}'s" in first_paragraph, first_paragraph


# --- the lesson as a diff --------------------------------------------------------------


@pytest.mark.parametrize("stage", WITH_CODE)
def test_the_names_from_the_registry_are_the_files_the_reference_adds_and_changes(stage):
    """``kit.new_files`` reads only the registry and the start state: it must name what the
    references' contents show."""
    assert lesson_files(stage) == reference_lesson(stage)


PACKAGED = [n for n in WITH_CODE if (reference_dir(n) / "pyproject.toml").is_file()]


def _imported_distributions(source: Path) -> dict[str, set[str]]:
    """``{module: its distributions}`` for every third-party module the code under ``source``
    imports (neither the standard library nor the package itself)."""
    modules = set()
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.partition(".")[0])
    installed = packages_distributions()
    return {
        module: {canonicalize_name(name) for name in installed.get(module, [module])}
        for module in modules - set(sys.stdlib_module_names) - {"iris_model"}
    }


@pytest.mark.parametrize("stage", PACKAGED)
def test_a_stage_declares_every_package_its_code_imports(stage):
    folder = reference_dir(stage)
    project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {canonicalize_name(Requirement(line).name) for line in project["dependencies"]}
    imported = _imported_distributions(folder / "src")
    undeclared = sorted(module for module, names in imported.items() if not names & declared)
    assert not undeclared, (
        f"stage {stage}'s code imports {undeclared}: expected each in its pyproject.toml's "
        "dependencies (a package that comes with another today may not tomorrow)"
    )


def test_the_diff_pairs_a_moved_package_file_by_file():
    shown = "\n".join(reference_diff(2))
    assert "--- stage1/iris_model/cli.py\n+++ stage2/src/iris_model/cli.py" in shown
    assert "  changed  src/iris_model/cli.py" in shown
    assert "  new      src/iris_model/schema.py" in shown
    assert "removed" not in shown


def test_the_diff_names_copied_data_without_printing_it():
    shown = list(reference_diff(4))
    assert "  new      data/iris.csv (a copy of the kit's data, not shown)" in shown
    assert not any(line.startswith("+++ stage4/data/") for line in shown)


def test_new_files_names_a_stages_lesson_for_a_notebook(capsys):
    kit.new_files(5)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("new in stage 5: [")
    assert "'src/iris_model/storage.py'" in printed[0]
    assert printed[1] == (
        "changed from stage 2: ['README.md', 'pyproject.toml', 'src/iris_model/cli.py', "
        "'tests/code/test_cli.py']"
    )


# --- adding a stage ---------------------------------------------------------------------

STAGE_8 = """    Stage(
        number=8,
        title="species count",
        stem="08_species_count",
        builds_on=1,
        day=2,
        minutes_in_class=10,
        minutes_alone=10,
        package="iris_model",
        own=("README.md", "iris_model/species.py"),
        carries=(Carry("productionizing/stage1"),),
    ),
"""
LESSON_8 = {
    "productionizing/stage8/README.md": (
        "# Stage 8 — species count\n\n## The exercises\nStage 1's script, counting species.\n"
    ),
    "productionizing/stage8/iris_model/species.py": (
        '"""How many species a list of names holds."""\n\n\n'
        "def count_species(names: list[str]) -> int:\n"
        '    """The number of different names."""\n'
        "    # Stage 8, exercise 1: return how many different names there are.\n"
        "    return len(set(names))\n"
    ),
    "tests/checks/stage8/test_stage8.py": (
        "import pytest\n\n\n"
        '@pytest.mark.exercise(1, "count the species", hint="the TODO in iris_model/species.py")\n'
        "def test_each_species_counts_once(load):\n"
        '    got = load("species").count_species(["setosa", "virginica", "setosa"])\n'
        '    assert got == 2, f"expected 2 species, got {got}"\n'
    ),
    "tests/checks/stage8/sabotage.py": (
        "SABOTAGES = [\n"
        '    {"exercise": 1, "file": "iris_model/species.py", "find": "len(set(names))",\n'
        '     "replace": "len(names)", "breaks": "counts every name"},\n'
        "]\n"
    ),
}


def _kit_copy_with_stage_8(copy: Path) -> None:
    """A copy of the kit's tracked files, as they are in this working tree, plus stage 8's
    entry and lesson files (no more than docs/maintainers.md asks a maintainer to write)."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    registry = copy / "kit" / "stages.py"
    text = registry.read_text(encoding="utf-8")
    end = text.index("\n)\n", text.index("REGISTRY = ("))
    registry.write_text(text[: end + 1] + STAGE_8 + text[end + 1 :], encoding="utf-8")
    for name, content in LESSON_8.items():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_text(content, encoding="utf-8")
    header = "# Stage 8 — species count\n\n**Time:** 10 minutes (5 reading, 5 exercises)"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(header)])
    nbformat.write(notebook, copy / "solutions" / "08_species_count.ipynb")


def test_a_throwaway_stage_8_is_one_entry_and_its_lesson(tmp_path):
    copy, workspace = tmp_path / "kit", tmp_path / "workspace"
    try:
        _kit_copy_with_stage_8(copy)
        environment = {**os.environ, "KIT_WORKSPACE": str(workspace)}
        environment.pop("KIT_SUITE_CACHE", None)

        def run(*arguments: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, *arguments],
                cwd=copy,
                env=environment,
                capture_output=True,
                text=True,
            )

        generated = run("-m", "kit", "generate")
        assert generated.returncode == 0, generated.stderr
        stub = (copy / "exercises/stage8/iris_model/species.py").read_text(encoding="utf-8")
        assert 'NotImplementedError("Exercise 1 not done yet: species.count_species")' in stub
        assert (copy / "productionizing/stage8/iris_model/cli.py").is_file(), "stage 1 not carried"
        assert (copy / "notebooks/08_species_count.ipynb").is_file()
        readme = (copy / "README.md").read_text(encoding="utf-8")
        assert "| 8 species count (day 2) | stage 1 |" in readme
        assert "`make check STAGE=8` | 10 / 10 min |" in readme

        started = run("-m", "kit", "start", "8")
        assert started.returncode == 0, started.stderr
        assert (workspace / "stage8/iris_model/species.py").read_text(encoding="utf-8") == stub

        passed = run("-m", "kit", "check", "8", "--target", "productionizing/stage8")
        assert passed.returncode == 0, passed.stdout + passed.stderr
        failed = run("-m", "kit", "check", "8", "--target", "exercises/stage8")
        assert failed.returncode == 1 and "FAIL  Exercise 1:" in failed.stdout, failed.stdout

        lesson = run("-m", "kit", "diff", "8").stdout
        listed = [line for line in lesson.splitlines() if line.startswith("  ")]
        assert listed == ["  new      iris_model/species.py", "  changed  README.md"], lesson

        assert "  8  species count" in run("-m", "kit", "--help").stdout

        collected = run(
            *("-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"),
            *("tests/test_stage_checks.py", "tests/test_stage_checks_on_templates.py"),
            "tests/test_generated.py",
        ).stdout
        for test in (
            "test_the_check_passes_on_the_reference[8]",
            "test_a_planted_mistake_fails_its_own_exercise_and_no_other[stage8-exercise1-0]",
            "test_the_check_fails_on_the_untouched_templates_naming_every_exercise[8]",
            "test_committed_copies_are_what_the_generator_makes[8]",
        ):
            assert test in collected, f"the suite does not collect {test}:\n{collected}"
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    assert not copy.exists()
