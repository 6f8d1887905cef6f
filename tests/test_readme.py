"""The README is the learner's map: every notebook, command and stage appears in it."""

import re

import pytest

from kit.cli import COMMANDS, MAKE_VARIABLES
from kit.paths import NOTEBOOKS, ROOT, SOLUTIONS

README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    "notebook",
    # The kit's own notebooks: not a learner's copies in workspace/, which `make lab` makes.
    sorted(
        path.relative_to(ROOT).as_posix()
        for folder in (NOTEBOOKS, SOLUTIONS)
        for path in folder.glob("[0-9][0-9]_*.ipynb")
    ),
)
def test_every_notebook_is_in_the_stage_map(notebook):
    assert notebook in README, f"README.md's stage map does not link {notebook}"


def make_targets() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    return re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE)


@pytest.mark.parametrize("target", make_targets())
def test_every_make_target_calls_its_kit_command_and_is_documented(target):
    assert f"make {target}" in README, f"README.md does not mention `make {target}`"
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(rf"^{target}:.*\n\t(.*)$", makefile, flags=re.MULTILINE)[1]
    called = "--help" if target == "help" else target
    assert recipe.startswith(f"@$(KIT) {called}"), (
        f"`make {target}` runs {recipe!r}: a target only calls `python -m kit {called}`"
    )


def test_the_makefile_has_a_target_for_each_command_that_declares_its_variables():
    """`make help` prints kit/cli.py's list: a target it does not list would go unseen."""
    assert sorted(make_targets()) == sorted(["help", *MAKE_VARIABLES]), (
        "the Makefile's targets differ from kit/cli.py's MAKE_VARIABLES (plus help): add the "
        "target, or the command's entry there"
    )
    assert set(MAKE_VARIABLES) <= set(COMMANDS)


def test_readme_starts_with_the_two_commands():
    first_commands = re.findall(r"^make \w+", README, flags=re.MULTILINE)[:2]
    assert first_commands == ["make lab", "make test"]


def test_readme_quotes_the_line_make_prints_when_a_check_fails():
    """GNU make names the Makefile line of the recipe that failed: the quote must follow it."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    recipe = next(number for number, line in enumerate(lines, 1) if "$(KIT) check" in line)
    assert f"`make: *** [Makefile:{recipe}: check] Error 1`" in README
