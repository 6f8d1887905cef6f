"""One range of Pythons, 3.11.5 to 3.14 (``kit/python_version.py``), said the same everywhere."""

from __future__ import annotations

import sys
import tomllib

import pytest

from kit import python_version
from kit.paths import ROOT
from kit.python_version import REQUIRES_PYTHON, is_supported, supported_range

PYPROJECTS = sorted(
    path.relative_to(ROOT)
    for folder in ("productionizing", "exercises")
    for path in (ROOT / folder).glob("stage*/pyproject.toml")
)


@pytest.mark.parametrize(
    ("version", "supported"),
    [
        ((3, 11, 4), False),  # soupsieve, which JupyterLab brings, needs 3.11.5
        ((3, 11, 5), True),
        ((3, 12, 0), True),
        ((3, 13, 0), True),
        ((3, 14, 9), True),
        ((3, 15, 0), False),  # the lock is not proven there
    ],
)
def test_the_range_is_3_11_5_to_3_14(version, supported):
    assert is_supported(version) is supported


@pytest.mark.parametrize("version", [(3, 11, 4, "final", 0), (3, 15, 0, "final", 0)])
def test_an_unsupported_python_is_refused_in_one_line(version, monkeypatch, capsys):
    monkeypatch.setattr(python_version.sys, "version_info", version)
    with pytest.raises(SystemExit) as stopped:
        python_version.refuse_unsupported_python()
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert err.count("\n") == 1 and f"the kit needs Python {supported_range()}" in err, err


def test_this_python_is_supported():
    assert is_supported(sys.version_info), sys.version


@pytest.mark.parametrize("pyproject", ["pyproject.toml", *PYPROJECTS], ids=str)
def test_every_pyproject_requires_the_kits_floor(pyproject):
    project = tomllib.loads((ROOT / pyproject).read_text())["project"]
    assert project["requires-python"] == REQUIRES_PYTHON, (
        f"{pyproject}: expected requires-python {REQUIRES_PYTHON!r} (kit/python_version.py), "
        f"got {project['requires-python']!r}; edit productionizing/, then `make generate`"
    )


@pytest.mark.parametrize("page", ["README.md", "Makefile"])
def test_the_readme_and_the_makefile_say_the_range(page):
    assert f"Python {supported_range()}" in (ROOT / page).read_text()
