"""The pinned environment: two locks (the learner's, the maintainer's additions), and
environment.yml naming the same direct pins as requirements.in."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from kit.paths import LOCK, MAINTAINER_LOCK, ROOT
from kit.platforms import lock_lines
from kit.python_version import MINIMUM_PYTHON, NEWEST_PYTHON

Pin = tuple[str, str, str]
"""(canonical name, ``==version``, marker or ``""``): one line of a requirements file."""


def pin(line: str) -> Pin:
    """A ``name==version [; marker]`` line as a Pin; anything looser fails."""
    requirement = Requirement(line)
    (specifier,) = requirement.specifier or [None]
    assert specifier is not None and specifier.operator == "==", (
        f"expected an exact pin `name==version`, got {line!r}"
    )
    marker = str(requirement.marker or "")
    return canonicalize_name(requirement.name), specifier.version, marker


def pins_of(lines: list[str]) -> set[Pin]:
    return {pin(line) for line in lines}


def requirement_lines(path: Path) -> list[str]:
    return lock_lines([path])


def direct_pins() -> set[Pin]:
    return pins_of(requirement_lines(ROOT / "requirements.in"))


def conda_lines() -> list[str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [item["pip"] for item in environment["dependencies"] if isinstance(item, dict)]
    assert len(pip_sections) == 1, "expected one pip: section in environment.yml"
    return pip_sections[0]


def locked_versions(*locks: Path) -> dict[str, set[str]]:
    """``{name: every version the locks pin it at}`` (a pin may differ between platforms)."""
    found: dict[str, set[str]] = {}
    for name, pinned, _ in pins_of(lock_lines(locks)):
        found.setdefault(name, set()).add(pinned)
    return found


@pytest.mark.parametrize(
    "package", ["jupyterlab", "scikit-learn", "pandas", "matplotlib", "flask", "pytest"]
)
def test_the_cards_packages_are_pinned_for_the_learner(package):
    assert package in {name for name, _, _ in direct_pins()}, f"{package} is missing"


@pytest.mark.parametrize("name, pinned, marker", sorted(direct_pins()))
def test_the_lock_holds_each_direct_pin(name, pinned, marker):
    assert pinned in locked_versions(LOCK).get(name, set()), (
        f"requirements.in pins {name}=={pinned}, the lock has {locked_versions(LOCK).get(name)}: "
        "run `make lock`"
    )


def test_the_maintainer_lock_moves_no_pin_of_the_learner_lock():
    learner, maintainer = locked_versions(LOCK), locked_versions(MAINTAINER_LOCK)
    both = {
        name for name in learner.keys() & maintainer.keys() if learner[name] != maintainer[name]
    }
    assert not both, f"expected the maintainer lock to add packages only, it also moves {both}"


@pytest.mark.parametrize("package", ["nbval", "pytest-xdist", "playwright", "sphinx-revealjs"])
def test_the_suites_own_tools_are_not_in_the_learner_lock(package):
    assert package not in locked_versions(LOCK), f"{package} is a maintainer's tool"
    assert package in locked_versions(MAINTAINER_LOCK), f"{package} is missing"


def test_environment_yml_names_the_same_pins_as_requirements_in():
    conda = pins_of(conda_lines())
    missing, extra = direct_pins() - conda, conda - direct_pins()
    assert not missing and not extra, (
        f"environment.yml differs from requirements.in: missing {sorted(missing)}, "
        f"extra {sorted(extra)}: make them agree"
    )


def test_environment_yml_python_is_one_the_kit_supports():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(item for item in environment["dependencies"] if str(item).startswith("python"))
    minor = tuple(int(part) for part in python.removeprefix("python=").split("."))
    assert MINIMUM_PYTHON[:2] <= minor <= NEWEST_PYTHON, (
        f"expected a Python from {MINIMUM_PYTHON[:2]} to {NEWEST_PYTHON}, got {python}"
    )


def _pins_for_this_machine() -> list[tuple[str, str]]:
    return [
        (Requirement(line).name, pin(line)[1])
        for line in lock_lines([LOCK, MAINTAINER_LOCK])
        if Requirement(line).marker is None or Requirement(line).marker.evaluate()
    ]


@pytest.mark.parametrize("name, pinned", sorted(_pins_for_this_machine()))
def test_the_running_environment_matches_the_locks(name, pinned):
    assert version(name) == pinned, f"{name}: the lock pins {pinned}, .venv has {version(name)}"
