"""The kit's commands as a newcomer meets them: clear one-line errors, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kit import stages
from kit.cli import COMMANDS
from kit.paths import ROOT
from kit.python_version import supported_range


def kit(*arguments: str, python: str = sys.executable) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "-m", "kit", *arguments], cwd=ROOT, capture_output=True, text=True
    )


def test_an_old_python_is_refused_in_one_line():
    pretend_old = (
        "import runpy, sys; sys.version_info = (3, 9, 7, 'final', 0); "
        "runpy.run_module('kit', run_name='__main__')"
    )
    result = subprocess.run(
        [sys.executable, "-c", pretend_old], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "found Python 3.9.7" in result.stderr and "needs Python 3.11" in result.stderr


@pytest.mark.parametrize("command", ["start", "check", "catch-up"])
def test_a_missing_stage_says_how_to_give_one(command):
    result = kit(command)
    assert result.returncode == 2
    assert result.stderr.startswith(f"kit {command}: which stage?")
    assert "Traceback" not in result.stderr


def test_an_unknown_command_lists_the_commands():
    result = kit("fly")
    assert result.returncode == 2 and "commands:" in result.stderr


def test_make_passes_arguments_through_to_the_kit():
    result = subprocess.run(
        ["make", "--no-print-directory", "start", f"PYTHON={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "which stage?" in result.stderr


def test_make_help_prints_the_kits_list_of_commands_and_stages():
    result = subprocess.run(
        ["make", "--no-print-directory", "help", f"PYTHON={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout == kit("--help").stdout
    for name, (_, summary, _) in COMMANDS.items():
        assert summary in result.stdout, f"make help does not say what {name} does"
    assert "make check STAGE=N [TARGET=dir] [EXERCISE=n]" in result.stdout
    assert "python -m kit link" in result.stdout
    for stage in stages.REGISTRY:
        assert f"  {stage.number}  {stage.title}" in result.stdout


def test_make_without_the_named_python_says_what_to_do():
    result = subprocess.run(
        ["make", "--no-print-directory", "setup", "PYTHON=no-such-python"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert f"No 'no-such-python' found. Install Python {supported_range()}" in result.stderr


def test_a_check_of_a_missing_target_says_the_folder_does_not_exist():
    result = kit("check", "3", "--target", "no/such/folder")
    assert result.returncode == 2
    assert result.stderr.startswith("kit check: the folder no/such/folder does not exist")
    assert "make start" not in result.stderr, "make start does not create that folder"


def test_make_lab_passes_its_port_on():
    result = subprocess.run(
        ["make", "--dry-run", "lab", "PORT=8899"], cwd=ROOT, capture_output=True, text=True
    )
    assert 'kit lab --port "8899"' in result.stdout, result.stdout + result.stderr


def test_a_reader_that_stops_early_gets_no_traceback():
    """``make solution STAGE=1 EXERCISE=2 | head -1``: head closes the pipe, the kit stops."""
    command = [sys.executable, "-m", "kit", "solution", "1", "--exercise", "2"]
    reader_gone = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    reader_gone.stdout.close()
    stderr = reader_gone.communicate(timeout=60)[1]
    assert "Traceback" not in stderr, stderr
    assert reader_gone.returncode == 1
