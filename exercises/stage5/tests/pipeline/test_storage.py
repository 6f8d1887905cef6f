"""The steps' storage: the same calls write and read a local folder as they would a bucket."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from iris_model import storage


def test_a_table_written_to_a_url_reads_back_the_same(tmp_path: Path):
    frame = pd.DataFrame({"sepal_length": [5.1, 6.2], "species": ["setosa", "virginica"]})
    url = storage.join(tmp_path.as_uri(), "new/folder/table.csv")
    storage.write_table(frame, url)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "new/folder/table.csv"), frame)


def test_json_is_written_as_dvc_reads_metrics(tmp_path: Path):
    storage.write_json({"accuracy": 0.95}, str(tmp_path / "metrics.json"))
    assert json.loads((tmp_path / "metrics.json").read_text()) == {"accuracy": 0.95}


def test_a_folder_is_uploaded_only_when_its_block_succeeds(tmp_path: Path):
    target = str(tmp_path / "model")
    try:
        with storage.folder_to_upload(target) as folder:
            (folder / "half.txt").write_text("half written")
            raise RuntimeError("the step failed")
    except RuntimeError:
        pass
    assert not (tmp_path / "model").exists()
    with storage.folder_to_upload(target) as folder:
        (folder / "model.txt").write_text("done")
    with storage.local_copy(target) as copy:
        assert (copy / "model.txt").read_text() == "done"
