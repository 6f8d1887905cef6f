"""start and catch-up put a stage in the workspace and never lose a learner's work."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from kit import paths, workspace
from kit.errors import KitError


@pytest.fixture
def kit_folders(tmp_path, monkeypatch) -> Path:
    """A workspace, and a stage 7 with templates and reference, all in tmp_path."""
    monkeypatch.setenv("KIT_WORKSPACE", str(tmp_path / "workspace"))
    for kind, text in (("templates", "stub"), ("reference", "solved")):
        (tmp_path / kind / "stage7" / "pkg").mkdir(parents=True)
        (tmp_path / kind / "stage7" / "pkg" / "model.py").write_text(text)
    monkeypatch.setattr(
        workspace, "templates_dir", lambda stage: tmp_path / f"templates/stage{stage}"
    )
    monkeypatch.setattr(
        workspace,
        "STATES",
        {
            "start": lambda stage: tmp_path / f"templates/stage{stage}",
            "end": lambda stage: tmp_path / f"reference/stage{stage}",
        },
    )
    monkeypatch.setattr(workspace, "stages_with", lambda folder_of: [7])
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "07_monitoring.ipynb").write_text("the kit's notebook")
    monkeypatch.setattr(
        workspace,
        "notebook_of",
        lambda stage: tmp_path / "notebooks/07_monitoring.ipynb" if stage == 7 else None,
    )
    return tmp_path


def test_start_copies_the_templates(kit_folders):
    destination = workspace.start(7)
    assert (destination / "pkg" / "model.py").read_text() == "stub"


def test_start_gives_the_learner_a_copy_of_the_notebook_that_git_ignores(kit_folders):
    workspace.start(7)
    mine = kit_folders / "workspace" / "07_monitoring.ipynb"
    assert mine.read_text() == "the kit's notebook"
    mine.write_text("my notes")
    workspace.start(7)
    assert mine.read_text() == "my notes", "expected start never to overwrite my notebook"


def test_the_learners_notebooks_are_ignored_by_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "workspace/07_monitoring.ipynb"], cwd=paths.ROOT
    )
    assert ignored.returncode == 0


def test_catch_up_keeps_the_learners_notebook_and_says_how_to_get_it_back(kit_folders, capsys):
    workspace.start(7)
    mine = kit_folders / "workspace" / "07_monitoring.ipynb"
    mine.write_text("my notes")
    workspace.catch_up(7)
    said = capsys.readouterr().out
    assert mine.read_text() == "the kit's notebook"
    kept = list((kit_folders / "workspace" / "backups").glob("stage7-*/07_monitoring.ipynb"))
    assert [path.read_text() for path in kept] == ["my notes"]
    assert "Your notebook workspace/07_monitoring.ipynb is reset too" in said
    assert f"cp {paths.display_path(kept[0])} workspace/07_monitoring.ipynb" in said


def test_start_never_overwrites_the_learners_work(kit_folders, capsys):
    mine = kit_folders / "workspace" / "stage7" / "pkg" / "model.py"
    mine.parent.mkdir(parents=True)
    mine.write_text("my work")
    workspace.start(7)
    assert mine.read_text() == "my work"
    assert "nothing was overwritten" in capsys.readouterr().out


def test_catch_up_backs_up_then_puts_the_start_state(kit_folders, capsys):
    mine = kit_folders / "workspace" / "stage7" / "notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("my work")
    destination = workspace.catch_up(7)
    [backup] = (kit_folders / "workspace" / "backups").iterdir()
    assert (backup / "notes.txt").read_text() == "my work"
    assert (destination / "pkg" / "model.py").read_text() == "stub"
    assert not (destination / "notes.txt").exists()
    said = capsys.readouterr().out
    assert (
        "Stage 7 is reset to its start state (the exercise templates) in workspace/stage7" in said
    )
    assert f"Your work is kept in workspace/backups/{backup.name} (nothing was deleted)" in said


@pytest.mark.skipif(os.name == "nt", reason="runs the printed POSIX shell commands")
def test_catch_up_prints_a_command_that_brings_a_changed_file_back(kit_folders, capsys):
    mine = workspace.start(7) / "pkg" / "model.py"
    mine.write_text("my work")
    workspace.catch_up(7)
    command = re.search(r"one file:  (.+)", capsys.readouterr().out)[1]
    assert command.startswith("cp workspace/backups/stage7-"), command
    assert mine.read_text() == "stub"

    subprocess.run(command, shell=True, cwd=kit_folders, check=True)  # from the kit's folder

    assert mine.read_text() == "my work"


@pytest.mark.skipif(os.name == "nt", reason="runs the printed POSIX shell commands")
def test_catch_up_prints_a_command_that_brings_all_the_work_back(kit_folders, capsys):
    stage = workspace.start(7)
    (stage / "notes.txt").write_text("my notes")
    workspace.catch_up(7, state="end")
    command = re.search(r"all of it: (.+)", capsys.readouterr().out)[1]

    subprocess.run(command, shell=True, cwd=kit_folders, check=True)

    assert (stage / "notes.txt").read_text() == "my notes"
    assert (stage / "pkg" / "model.py").read_text() == "stub"
    assert not any((kit_folders / "workspace" / "backups").iterdir())


def test_catch_up_of_an_empty_stage_folder_backs_nothing_up(kit_folders, capsys):
    workspace.catch_up(7)
    assert not (kit_folders / "workspace" / "backups").exists()
    assert "backups" not in capsys.readouterr().out


def test_make_catch_up_state_end_asks_for_the_end_state():
    result = subprocess.run(
        ["make", "--dry-run", "catch-up", "STAGE=1", "STATE=end"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert 'catch-up "1" --state "end"' in result.stdout, result.stdout + result.stderr


def test_two_catch_ups_in_the_same_second_keep_both_backups(kit_folders):
    for text in ("first", "second"):
        mine = kit_folders / "workspace" / "stage7" / "notes.txt"
        mine.parent.mkdir(parents=True, exist_ok=True)
        mine.write_text(text)
        workspace.catch_up(7)
    backups = sorted((kit_folders / "workspace" / "backups").iterdir())
    assert sorted((backup / "notes.txt").read_text() for backup in backups) == ["first", "second"]


def test_catch_up_to_the_end_state_puts_the_reference(kit_folders, capsys):
    destination = workspace.catch_up(7, state="end")
    assert (destination / "pkg" / "model.py").read_text() == "solved"
    assert "reset to its end state (the reference code)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "stage, says", [("", "which stage?"), ("9", "no stage '9'"), ("one", "no stage 'one'")]
)
def test_a_wrong_stage_says_how_to_give_a_right_one(kit_folders, stage, says):
    with pytest.raises(KitError, match=says) as error:
        workspace.start(stage)
    assert "make start STAGE=N" in str(error.value)


def test_workspace_defaults_to_the_kits_folder(monkeypatch):
    monkeypatch.delenv("KIT_WORKSPACE")
    assert paths.workspace_dir() == paths.ROOT / "workspace"


def test_stage_0_checked_before_its_check_cell_ran_names_the_learners_notebook(
    tmp_path, monkeypatch
):
    from kit.check import run_check

    monkeypatch.setenv("KIT_WORKSPACE", str(tmp_path / "workspace"))
    with pytest.raises(KitError, match=r"check cell of \S*workspace/00_exploratory_notebook"):
        run_check(0)
