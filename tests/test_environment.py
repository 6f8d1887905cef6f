"""The pinned environment: one lock, and environment.yml naming the same versions."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
import yaml

from kit.paths import ROOT

# An extra (`moto[s3]`) installs more packages, each pinned in the lock; the name is the pin.
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)(?:\[[A-Za-z0-9,._-]+\])?==(?P<version>\S+)$")


def pins(lines: list[str]) -> dict[str, str]:
    """``{normalised name: version}`` for every ``name==version`` line; anything else fails."""
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        assert match, f"expected an exact pin `name==version`, got {line!r}"
        found[re.sub(r"[-_.]+", "-", match["name"]).lower()] = match["version"]
    return found


def direct_pins() -> dict[str, str]:
    return pins((ROOT / "requirements.in").read_text().splitlines())


def locked_pins() -> dict[str, str]:
    return pins((ROOT / "requirements.lock").read_text().splitlines())


def conda_pins() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [item["pip"] for item in environment["dependencies"] if isinstance(item, dict)]
    assert len(pip_sections) == 1, "expected one pip: section in environment.yml"
    return pins(pip_sections[0])


@pytest.mark.parametrize(
    "package", ["jupyterlab", "scikit-learn", "pandas", "matplotlib", "flask", "nbval", "pytest"]
)
def test_the_cards_packages_are_pinned(package):
    assert package in direct_pins(), f"{package} is missing from requirements.in"


@pytest.mark.parametrize("name, pinned", sorted(direct_pins().items()))
def test_the_lock_holds_each_direct_pin(name, pinned):
    assert locked_pins().get(name) == pinned, (
        f"requirements.in pins {name}=={pinned}, the lock has {locked_pins().get(name)}: "
        "run `make lock`"
    )


@pytest.mark.parametrize("name, pinned", sorted(direct_pins().items()))
def test_environment_yml_names_the_same_version(name, pinned):
    assert conda_pins().get(name) == pinned, (
        f"requirements.in pins {name}=={pinned}, environment.yml has "
        f"{conda_pins().get(name)}: make them agree"
    )


def test_environment_yml_names_nothing_else():
    extra = set(conda_pins()) - set(direct_pins())
    assert not extra, f"environment.yml names packages requirements.in does not: {sorted(extra)}"


def test_environment_yml_python_is_one_the_kit_supports():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(item for item in environment["dependencies"] if str(item).startswith("python"))
    assert python in ("python=3.11", "python=3.12"), f"expected Python 3.11 or 3.12, got {python}"


@pytest.mark.parametrize("name, pinned", sorted(locked_pins().items()))
def test_the_running_environment_matches_the_lock(name, pinned):
    assert version(name) == pinned, f"{name}: the lock pins {pinned}, .venv has {version(name)}"
