"""The drift check: plausible traffic passes, drifted traffic fails, the report stands alone."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest

from iris_model import traffic
from iris_model.cli import main
from iris_model.drift import compare
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


def test_the_report_holds_every_plot_inside_the_page(iris, train_test, tmp_path: Path):
    served = traffic.plausible(iris, 100, seed=1)
    out = write_report(
        compare(train_test[0], served), train_test[0], served, tmp_path / "r.html", 0.01
    )
    sources = re.findall(r"<img[^>]* src='([^']*)'", out.read_text())
    assert len(sources) == 4
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(b"\x89PNG")
    assert "http" not in out.read_text()


def _served(folder: Path, flowers: pd.DataFrame) -> Path:
    recorder = InputRecorder(folder, "1.0.0", max_bytes=1_000_000)
    rows = flowers.to_dict(orient="records")
    recorder.record(rows, [{"species": "setosa"}] * len(rows))
    recorder.close()
    return folder


@pytest.mark.parametrize(("petal_cm", "status"), [(0.0, 0), (1.5, 1)])
def test_the_command_exits_1_on_drift_so_a_scheduler_can_alert(
    iris, train_test, iris_path, tmp_path: Path, petal_cm, status
):
    reference = tmp_path / "train.csv"
    train_test[0].to_csv(reference, index=False)
    served = _served(tmp_path / "served", traffic.drifted(iris, 200, seed=3, petal_cm=petal_cm))
    out = tmp_path / "report" / "drift.html"
    arguments = ["drift", "--reference", reference, "--served", served, "--out", out]
    assert main([str(part) for part in arguments]) == status
    assert out.is_file()


@pytest.mark.parametrize("served", ["", "absent"])
def test_no_records_is_input_to_fix(train_test, tmp_path: Path, served):
    reference = tmp_path / "train.csv"
    train_test[0].to_csv(reference, index=False)
    arguments = [
        "drift",
        "--reference",
        reference,
        "--served",
        tmp_path,
        "--out",
        tmp_path / "r.html",
    ]
    assert main([str(part) for part in arguments]) == 2
