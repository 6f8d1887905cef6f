"""The kit's Python is ruff-clean, because learners copy it."""

import subprocess
import sys

from kit.paths import ROOT


def ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments, "--no-cache", str(ROOT)],
        capture_output=True,
        text=True,
    )


def test_ruff_finds_no_problems():
    result = ruff("check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_ruff_formatted():
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
