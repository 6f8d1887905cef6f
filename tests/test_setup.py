"""``kit setup``: the kernel runs this clone's ``.venv``, and a corrupted lock is refused."""

from __future__ import annotations

import json

import pytest

from kit.errors import KitError
from kit.link import KERNEL_NAME, kernel_python
from kit.paths import LOCK, venv_python
from kit.setup import check_lock, ensure_kernel


def test_setup_takes_the_kernel_back_from_another_clone(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path))  # not the user's real kernels
    spec = tmp_path / "kernels" / KERNEL_NAME / "kernel.json"
    spec.parent.mkdir(parents=True)
    elsewhere = "/elsewhere/ml-production-kit/.venv/bin/python"
    argv = [elsewhere, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.write_text(json.dumps({"argv": argv, "display_name": "other", "language": "python"}))
    assert kernel_python(venv_python()) == elsewhere

    ensure_kernel()

    assert kernel_python(venv_python()) == str(venv_python())


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
