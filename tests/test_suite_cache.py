"""A kept check report or model is read back only for the same check or code of the same files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit import image, suite_cache
from kit.check import run_check
from kit.paths import ROOT, copy_stage, reference_dir, templates_dir


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return shutil.copytree(reference_dir(1), tmp_path / "stage1")


@pytest.fixture(autouse=True)
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "reports"
    monkeypatch.setenv(suite_cache.VARIABLE, str(folder))
    return folder


def test_a_report_is_read_back_for_the_same_files(target):
    place = suite_cache.report_file(1, target, [])
    result = {"exercises": [{"number": 1, "failures": []}], "problems": [], "only": []}
    suite_cache.write(place, result)
    assert suite_cache.read(suite_cache.report_file(1, target, [])) == result


def test_run_outputs_and_caches_do_not_change_the_key(target):
    before = suite_cache.report_file(1, target, [])
    (target / "runs").mkdir()
    (target / "runs" / "model.joblib").write_bytes(b"trained")
    (target / "iris_model" / "__pycache__").mkdir(exist_ok=True)
    (target / "iris_model" / "__pycache__" / "cli.cpython-312.pyc").write_bytes(b"compiled")
    assert suite_cache.report_file(1, target, []) == before


@pytest.mark.parametrize(
    "change",
    [
        lambda target: (target / "iris_model" / "data.py").write_text("# edited\n"),
        lambda target: (target / "iris_model" / "new.py").write_text(""),
        lambda target: (target / "iris_model" / "logs.py").unlink(),
    ],
    ids=["a changed file", "a new file", "a removed file"],
)
def test_any_change_to_the_checked_files_is_a_new_key(target, change):
    before = suite_cache.report_file(1, target, [])
    change(target)
    assert suite_cache.report_file(1, target, []) != before


def test_the_container_engine_is_part_of_the_key_only_where_a_check_runs_an_image(
    target, monkeypatch
):
    """Stage 4 builds its image on the engine it finds, or serves the image's command here
    without one: two reports of the same files. No other stage's check uses an engine."""
    keys = {}
    for engine in ("unix:///run/one.sock", "unix:///run/none.sock"):
        monkeypatch.setenv("DOCKER_HOST", engine)
        keys[engine] = (
            suite_cache.report_file(1, target, []),
            suite_cache.report_file(4, reference_dir(4), []),
        )
    (stage1_one, stage4_one), (stage1_none, stage4_none) = keys.values()
    assert stage1_one == stage1_none
    assert stage4_one != stage4_none


def test_other_exercises_or_another_stage_are_new_keys(target):
    whole = suite_cache.report_file(1, target, [])
    assert suite_cache.report_file(1, target, [2]) != whole
    assert suite_cache.report_file(2, target, []) != whole


def test_a_part_is_cut_from_a_kept_whole_check_of_the_same_files(target):
    needs = {1: [], 2: [], 3: [], 4: [2]}
    result = {
        "exercises": [
            {"number": number, "failures": [], "needs": needs[number]} for number in needs
        ],
        "problems": [],
        "only": [],
    }
    suite_cache.write(suite_cache.report_file(1, target, []), result)
    part = suite_cache.read_part(1, target, [3, 1])
    assert [each["number"] for each in part["exercises"]] == [1, 3]
    assert part["only"] == [1, 3]
    needing = suite_cache.read_part(1, target, [4])
    assert [each["number"] for each in needing["exercises"]] == [2, 4], "with what 4 needs"
    assert needing["only"] == [4]
    assert suite_cache.read_part(1, target, [5]) is None, "an unknown exercise is the run's to name"
    (target / "iris_model" / "data.py").write_text("# edited\n")
    assert suite_cache.read_part(1, target, [3]) is None


def test_a_cut_part_reports_what_a_run_of_that_part_reports(tmp_path, monkeypatch):
    """The premise of ``read_part``, on the stage 1 templates (every exercise fails): the
    report of exercise 2 cut from the whole check equals that of a check of exercise 2 alone."""
    templates = copy_stage(templates_dir(1), tmp_path / "templates")
    run_check(1, templates)
    cut = run_check(1, templates, exercises=[2]).report
    monkeypatch.delenv(suite_cache.VARIABLE)
    assert run_check(1, templates, exercises=[2]).report == cut


def test_without_the_variable_nothing_is_kept(target, monkeypatch):
    monkeypatch.delenv(suite_cache.VARIABLE)
    assert suite_cache.report_file(1, target, []) is None
    assert suite_cache.read(None) is None
    suite_cache.write(None, {"exercises": [], "problems": [], "only": []})


def test_a_model_is_trained_once_for_the_same_code_and_data(tmp_path, monkeypatch):
    stage = shutil.copytree(reference_dir(4) / "src", tmp_path / "stage4" / "src")
    trainings = []

    def pretend_to_train(folder: Path, out: Path, log: Path | None) -> None:
        trainings.append(out)
        for step in ("data", "model"):
            (out / step).mkdir(parents=True)
            (out / step / "made-by.txt").write_text(out.name)

    monkeypatch.setattr(image, "_prepare_and_train", pretend_to_train)
    first = image.train_locally(stage.parent, tmp_path / "first")
    second = image.train_locally(stage.parent, tmp_path / "second")
    assert len(trainings) == 1
    assert (second / "made-by.txt").read_text() == "first"
    assert (tmp_path / "second" / "data" / "made-by.txt").is_file()
    assert first == tmp_path / "first" / "model" and second == tmp_path / "second" / "model"

    (stage / "iris_model" / "model.py").write_text("# changed\n", encoding="utf-8")
    image.train_locally(stage.parent, tmp_path / "third")
    assert len(trainings) == 2


@pytest.mark.skipif(suite_cache.fcntl is None, reason="no fcntl file locks here (Windows)")
def test_a_claimed_report_waits_for_the_process_making_it(target, tmp_path):
    """While one process holds the claim, another's claim blocks until it is released."""
    place = suite_cache.report_file(1, target, [])
    waiter = [
        sys.executable,
        "-c",
        "import sys, time; from pathlib import Path; from kit import suite_cache; "
        "start = time.monotonic(); "
        "claim = suite_cache.claimed(Path(sys.argv[1])); claim.__enter__(); "
        "print(round(time.monotonic() - start, 1))",
        str(place),
    ]
    with suite_cache.claimed(place):
        other = subprocess.Popen(waiter, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        time.sleep(1.5)
        assert other.poll() is None, "the second claim did not wait"
    waited = float(other.communicate(timeout=30)[0])
    assert waited >= 1.0
