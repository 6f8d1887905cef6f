"""The input recorder: one line per prediction, bounded files, and never a failed request."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from flask import Flask

from iris_model.app import create_app
from iris_model.data import CLASSES
from iris_model.records import InputRecorder, read_records

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.8, "petal_width": 2.2}


class StandInModel:
    """Setosa below 2.5 cm of petal, virginica above: enough to see what was recorded."""

    classes = CLASSES
    metadata = {"version": "0.0.0"}  # noqa: RUF012 (read only)

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        virginica = rows[:, 2] > 2.5
        return np.column_stack([~virginica, np.zeros(len(rows)), virginica]).astype(float)


@pytest.fixture
def recording_app(tmp_path: Path) -> Iterator[Flask]:
    """The app around the stand-in, recording into ``tmp_path/records``; its file closed after."""
    app = create_app({"RECORDS_DIR": str(tmp_path / "records")}, model=StandInModel())
    yield app
    app.extensions["iris_model.recorder"].close()


def test_each_prediction_is_one_line_with_inputs_answer_version_and_time(recording_app, tmp_path):
    client = recording_app.test_client()
    client.post("/predict", json=SETOSA)
    client.post("/predict/batch", json={"instances": [SETOSA, VIRGINICA]})

    records = read_records([tmp_path / "records"])

    assert [record["inputs"] for record in records] == [SETOSA, SETOSA, VIRGINICA]
    assert [record["species"] for record in records] == ["setosa", "setosa", "virginica"]
    assert {record["model_version"] for record in records} == {"0.0.0"}
    assert all(record["time"].endswith("+00:00") for record in records)


def test_nothing_is_recorded_unless_a_folder_is_configured(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(model=StandInModel())
    app.test_client().post("/predict", json=SETOSA)
    assert app.extensions["iris_model.recorder"] is None
    assert list(tmp_path.iterdir()) == []


def test_a_record_that_cannot_be_written_is_counted_and_logged_not_failed(
    recording_app, tmp_path: Path, caplog
):
    (tmp_path / "records").write_text("a file where the folder should be")

    with caplog.at_level(logging.WARNING, logger="iris_model"):
        answer = recording_app.test_client().post("/predict", json=SETOSA)

    assert answer.status_code == 200 and answer.json["species"] == "setosa"
    assert recording_app.extensions["iris_model.recorder"].failures == 1
    assert "1 lost so far" in caplog.text


def test_a_full_file_is_rotated_so_disk_use_stays_bounded(tmp_path: Path):
    recorder = InputRecorder(tmp_path, "1.0.0", max_bytes=1_000)
    for _ in range(50):
        recorder.record([SETOSA], [{"species": "setosa"}])
    recorder.close()

    files = sorted(tmp_path.iterdir())
    assert len(files) == 2 and files[0].name.endswith(".1.jsonl")
    assert all(file.stat().st_size <= 1_000 for file in files)


def test_a_torn_line_is_skipped(tmp_path: Path, caplog):
    line = json.dumps({"inputs": SETOSA})
    (tmp_path / "served-1.jsonl").write_text(f"{line}\n{line[:20]}")
    with caplog.at_level(logging.WARNING, logger="iris_model"):
        assert len(read_records([tmp_path])) == 1
    assert "1 record line(s)" in caplog.text
