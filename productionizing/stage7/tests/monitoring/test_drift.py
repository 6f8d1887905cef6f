"""The drift check: plausible traffic passes, drifted traffic fails, the report stands alone."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest

from iris_model import model, traffic
from iris_model.cli import main
from iris_model.drift import compare, compare_answers
from iris_model.drift_report import write_report
from iris_model.records import InputRecorder


def test_plausible_traffic_raises_no_alarm_in_20_seeded_runs(iris, train_test):
    alarms = [
        seed
        for seed in range(20)
        if any(r.drifted for r in compare(train_test[0], traffic.plausible(iris, 200, seed)))
    ]
    assert alarms == []


def test_longer_petals_are_found_and_only_there(iris, train_test):
    results = compare(train_test[0], traffic.drifted(iris, 200, seed=0, petal_cm=1.5))
    assert [r.feature for r in results if r.drifted] == ["petal_length"]


def test_the_threshold_is_shared_by_the_four_features(train_test):
    reference = train_test[0]
    served = reference.assign(petal_length=reference["petal_length"] + 0.2)
    p_value = next(r.p_value for r in compare(reference, served) if r.feature == "petal_length")
    between = 2 * p_value  # above p, but below p * 4
    assert not any(r.drifted for r in compare(reference, served, alpha=between))


VIRGINICA_60 = {"setosa": 0.2, "versicolor": 0.2, "virginica": 0.6}


def _answers(pipeline, flowers: pd.DataFrame) -> list[str]:
    return model.predict(pipeline, flowers)["predicted_species"].tolist()


def test_the_answers_of_plausible_traffic_alarm_about_alpha_of_the_time(iris, pipeline):
    """alpha = 0.01: one false alarm expected in 100 seeded runs, more than 3 is unlikely."""
    reference = _answers(pipeline, iris)
    alarms = [
        seed
        for seed in range(100)
        if compare_answers(
            reference, _answers(pipeline, traffic.plausible(iris, 200, seed))
        ).drifted
    ]
    assert len(alarms) <= 3, alarms


def test_a_species_mix_of_60_percent_virginica_is_found_in_100_answers(iris, pipeline):
    served = _answers(pipeline, traffic.mixed(iris, 100, seed=0, shares=VIRGINICA_60))
    result = compare_answers(_answers(pipeline, iris), served)
    assert result.drifted
    assert sum(result.served_counts.values()) == 100
    assert result.expected_shares["virginica"] == pytest.approx(1 / 3, abs=0.05)


def test_the_answers_threshold_is_alpha(iris, pipeline):
    reference = _answers(pipeline, iris)
    served = _answers(pipeline, traffic.mixed(iris, 60, seed=0, shares=VIRGINICA_60))
    p_value = compare_answers(reference, served).p_value
    assert not compare_answers(reference, served, alpha=p_value).drifted
    assert compare_answers(reference, served, alpha=p_value * 1.01).drifted


def test_the_report_holds_every_plot_inside_the_page(iris, pipeline, train_test, tmp_path: Path):
    served = traffic.plausible(iris, 100, seed=1)
    answers = compare_answers(_answers(pipeline, iris), _answers(pipeline, served))
    out = write_report(
        compare(train_test[0], served), answers, train_test[0], served, tmp_path / "r.html", 0.01
    )
    sources = re.findall(r"<img[^>]* src='([^']*)'", out.read_text())
    assert len(sources) == 4
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(b"\x89PNG")
    assert "http" not in out.read_text()


def _served(folder: Path, pipeline, flowers: pd.DataFrame) -> Path:
    recorder = InputRecorder(folder, "1.0.0", max_bytes=1_000_000)
    rows = flowers.to_dict(orient="records")
    recorder.record(rows, [{"species": species} for species in _answers(pipeline, flowers)])
    recorder.close()
    return folder


def _drift_arguments(train_test, model_dir: Path, folder: Path) -> list[str | Path]:
    reference, held_out = folder / "train.csv", folder / "test.csv"
    train_test[0].to_csv(reference, index=False)
    train_test[1].to_csv(held_out, index=False)
    return ["drift", "--reference", reference, "--held-out", held_out, "--model", model_dir]


@pytest.mark.parametrize(
    ("flowers", "status"),
    [
        (lambda iris: traffic.plausible(iris, 200, seed=3), 0),
        (lambda iris: traffic.drifted(iris, 200, seed=3, petal_cm=1.5), 1),
        (lambda iris: traffic.mixed(iris, 200, seed=3, shares=VIRGINICA_60), 1),
    ],
    ids=["plausible", "longer-petals", "species-mix"],
)
def test_the_command_exits_1_on_drift_so_a_scheduler_can_alert(
    iris, pipeline, train_test, model_dir, tmp_path: Path, flowers, status
):
    served = _served(tmp_path / "served", pipeline, flowers(iris))
    out = tmp_path / "report" / "drift.html"
    arguments = [*_drift_arguments(train_test, model_dir, tmp_path), "--served", served]
    assert main([str(part) for part in [*arguments, "--out", out]]) == status
    assert out.is_file()


@pytest.mark.parametrize("served", ["", "absent"])
def test_no_records_is_input_to_fix(train_test, model_dir, tmp_path: Path, served):
    arguments = [*_drift_arguments(train_test, model_dir, tmp_path), "--served", tmp_path / served]
    assert main([str(part) for part in [*arguments, "--out", tmp_path / "r.html"]]) == 2
