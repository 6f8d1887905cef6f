"""``kit setup`` registers the kit's Jupyter kernel inside this clone's ``.venv``, only there, and
refuses a corrupted lock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from kit import setup
from kit.errors import KitError
from kit.link import Kernel, find_kernels, kernel_spec_file, kit_imported_by, link_environment
from kit.paths import LOCK, MAINTAINER_LOCK, ROOT, VENV, venv_python
from kit.setup import check_lock


def test_the_kernel_lives_in_the_venv_and_runs_this_clones_python():
    spec = json.loads(kernel_spec_file(VENV).read_text())
    assert spec["argv"][0] == str(venv_python())
    assert kit_imported_by(venv_python()) == ROOT


def test_the_venvs_jupyter_picks_its_own_kernel_over_an_older_user_level_one(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path))  # not the user's real kernels
    older = tmp_path / "kernels" / "ml-production-kit"
    older.mkdir(parents=True)
    elsewhere = "/elsewhere/ml-production-kit/.venv/bin/python"
    argv = [elsewhere, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (older / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python"}))

    found = find_kernels(venv_python())

    assert found.chosen == Kernel(kernel_spec_file(VENV).parent, venv_python())
    assert found.user_level == Kernel(older, Path(elsewhere))


def test_registering_the_kernel_writes_into_the_environment_and_not_the_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("JUPYTER_DATA_DIR", raising=False)
    environment = tmp_path / "environment"
    python = _environment_borrowing_the_kits_packages(environment)

    link_environment(python)

    assert json.loads(kernel_spec_file(environment).read_text())["argv"][0] == str(python)
    assert kit_imported_by(python) == ROOT
    assert not home.exists(), sorted(home.rglob("*"))


def test_setup_on_an_up_to_date_venv_writes_nothing_in_the_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("JUPYTER_DATA_DIR", raising=False)
    result = subprocess.run(
        [sys.executable, "-m", "kit", "setup"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert not home.exists(), sorted(home.rglob("*"))


def _environment_borrowing_the_kits_packages(environment: Path) -> Path:
    """A new virtual environment that imports ``.venv``'s packages: made in a second, no pip."""
    venv.create(environment, symlinks=True)
    python = venv_python(environment)
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    own_packages = subprocess.run(
        [str(python), "-c", where], capture_output=True, text=True, check=True
    ).stdout.strip()
    kit_packages = subprocess.run(
        [str(venv_python()), "-c", where], capture_output=True, text=True, check=True
    ).stdout.strip()
    (Path(own_packages) / "kit_packages.pth").write_text(f"{kit_packages}\n")
    return python


def test_each_phase_of_the_set_up_is_one_line_with_its_time(capsys):
    with setup._phase("installing things"):
        pass
    assert re.fullmatch(
        r"kit setup: installing things … done in \d+ s\.\n", capsys.readouterr().out
    )


def test_pip_stays_quiet_unless_it_fails_and_then_its_message_is_shown(capfd):
    with pytest.raises(KitError) as error:
        setup._pip("install", "--no-index", "no-such-package-for-the-kit")
    assert "pip said:" in str(error.value) and "no-such-package-for-the-kit" in str(error.value)
    assert "run `make setup` again" in str(error.value)
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"numpy==2.4.0\n\x00\x9c\xff\xfe", "is not text"),
        (b"# only comments\n", "pins no package"),
        (b"numpy==2.4.0\nflask>=3\n", "line 2 is not a name==version pin"),
        (b"numpy==2.4.0\n<<<<<<< HEAD\n", "line 2 is not a name==version pin"),
    ],
    ids=["binary", "empty", "a range", "a merge conflict"],
)
def test_a_corrupted_lock_is_refused_naming_the_file_and_the_fix(content, problem, tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_bytes(content)
    with pytest.raises(KitError, match=rf"requirements\.lock {problem}.*git checkout"):
        check_lock(lock)


def test_the_kits_own_lock_passes_the_check():
    check_lock(LOCK)


def test_a_lock_line_may_say_which_platforms_it_is_for(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("numpy==2.4.6\ngunicorn==27.0.1 ; sys_platform != 'win32'\n")
    check_lock(lock)


def test_a_maintainers_venv_is_up_to_date_for_a_learner_and_not_the_other_way_round():
    python = {"python": "3.12.1"}
    learner = {**python, "locks": {"requirements.lock": "a"}}
    maintainer = {
        **python,
        "locks": {"requirements.lock": "a", "requirements-maintainer.lock": "b"},
    }
    assert setup._holds(maintainer, learner)
    assert not setup._holds(learner, maintainer)
    assert not setup._holds({**maintainer, "python": "3.13.0"}, learner)


def test_the_learner_install_leaves_the_maintainers_lock_out():
    assert setup.locks() == [LOCK]
    assert setup.locks(maintainer=True) == [LOCK, MAINTAINER_LOCK]


@pytest.mark.parametrize(
    ("url", "arguments"),
    [
        (None, []),
        ("https://mirror.example/simple", ["--index-url", "https://mirror.example/simple"]),
        (
            "http://192.168.1.20:8080/simple",
            ["--index-url", "http://192.168.1.20:8080/simple", "--trusted-host", "192.168.1.20"],
        ),
    ],
    ids=["PyPI", "https", "a room's plain HTTP"],
)
def test_an_index_url_becomes_pips_arguments(url, arguments):
    assert setup.index_arguments(url) == arguments
