"""The package installs from its wheel and its command works outside this folder.

Offline on purpose: the wheel is built with the build tools already installed
(``--no-build-isolation``) and installed without an index or dependencies into a fresh venv
that sees this environment's libraries through a ``.pth`` file, not through this folder.
"""

import os
import shutil
import site
import subprocess
import sys
import venv
from importlib.metadata import version
from pathlib import Path

import pytest

STAGE = Path(__file__).parents[2]
OFFLINE_BUILD_NEEDS = (70, 1)  # setuptools builds wheels by itself from 70.1 on


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=_without_source_on_path(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, f"{command[:4]} failed:\n{completed.stderr[-2000:]}"
    return completed


@pytest.mark.packaging
def test_the_wheel_installs_and_its_command_runs(tmp_path: Path, iris_path: Path):
    found = tuple(int(part) for part in version("setuptools").split(".")[:2])
    if found < OFFLINE_BUILD_NEEDS:
        pytest.fail(f"expected setuptools >= 70.1 to build the wheel offline, got {found}")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "src"):
        _copy(STAGE / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", tmp_path / "dist", source, cwd=tmp_path)  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("iris_model-*.whl")

    clean = tmp_path / "clean-venv"
    venv.create(clean, with_pip=False)
    python = clean / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                   cwd=tmp_path).stdout.strip()  # fmt: skip
    Path(purelib, "kit_libraries.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--no-deps",
         wheel, cwd=tmp_path)  # fmt: skip

    where = _run(python, "-c", "import iris_model; print(iris_model.__file__)", cwd=tmp_path)
    imported = Path(where.stdout.strip())
    assert imported.is_relative_to(clean), f"expected iris_model from the wheel, got {imported}"
    command = clean / ("Scripts/iris-model.exe" if os.name == "nt" else "bin/iris-model")
    # Training reads the packaged defaults.yaml and writes the model: the wheel holds it all.
    _run(command, "train", "--data", iris_path, "--out", "model", cwd=tmp_path)
    assert (tmp_path / "model" / "metadata.json").is_file()


def _without_source_on_path() -> dict[str, str]:
    """This environment, minus any ``PYTHONPATH`` entry holding ``iris_model``: the fresh venv
    must import the installed wheel, not the source folder."""
    entries = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    kept = [entry for entry in entries if entry and not Path(entry, "iris_model").is_dir()]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(kept)}


def _copy(source: Path, destination: Path) -> None:
    if source.is_dir():
        shutil.copytree(
            source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    else:
        shutil.copy2(source, destination)
