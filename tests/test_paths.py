"""What a copy of a stage folder takes: the lesson's files, never caches, outputs or secrets."""

from __future__ import annotations

from kit.paths import stage_files


def test_a_copy_leaves_out_git_and_what_dvc_keeps_for_itself(tmp_path):
    kept = ["dvc.yaml", "params.yaml", ".dvc/config", ".dvc/.gitignore", "src/iris_model/a.py"]
    left_out = [
        ".git/HEAD",
        "dvc.lock",
        ".dvc/cache/files/md5/ab/cdef",
        ".dvc/tmp/lock",
        ".dvc/config.local",
        "runs/model/model.skops",
        "src/iris_model/__pycache__/a.cpython-311.pyc",
    ]
    for name in kept + left_out:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = sorted(path.relative_to(tmp_path).as_posix() for path in stage_files(tmp_path))
    assert found == sorted(kept)


def test_a_folder_named_cache_outside_dvc_is_copied(tmp_path):
    (tmp_path / "src" / "cache").mkdir(parents=True)
    (tmp_path / "src" / "cache" / "keep.py").write_text("x")
    assert [path.name for path in stage_files(tmp_path)] == ["keep.py"]
