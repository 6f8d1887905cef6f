"""A stage folder's own git repository (stage 5: DVC's experiments live in git) commits as the
learner when git knows who they are, and as a stand-in only when it does not."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kit.dvc_project import GIT_IDENTITY, init_repository


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "stage5"
    folder.mkdir()
    (folder / "params.yaml").write_text("seed: 42\n")
    return folder


def _git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Git reads ``text`` as the user's whole configuration, and no system one."""
    config = tmp_path / "gitconfig"
    config.write_text(text)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in GIT_IDENTITY:
        monkeypatch.delenv(name, raising=False)


def _author(project: Path) -> str:
    show = ["git", "log", "-1", "--format=%an <%ae>"]
    return subprocess.run(show, cwd=project, capture_output=True, text=True, check=True).stdout


def test_commits_are_the_learners_when_git_knows_them(project, tmp_path, monkeypatch):
    _git_config(tmp_path, monkeypatch, "[user]\n\tname = Ada\n\temail = ada@example.org\n")
    init_repository(project)
    assert _author(project).strip() == "Ada <ada@example.org>"


def test_commits_have_a_stand_in_author_when_git_knows_nobody(project, tmp_path, monkeypatch):
    _git_config(tmp_path, monkeypatch, "")
    init_repository(project)
    assert _author(project).strip() == "workshop <workshop@localhost>"
