"""Saving and loading the model: skops file, metadata, hash check, allow-listed types."""

import json
import logging
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from iris_model import artifact
from iris_model.data import CLASSES, FEATURES

TEXTBOOK_ROWS = np.array([[5.0, 3.4, 1.5, 0.2], [6.0, 2.8, 4.5, 1.3], [6.7, 3.0, 5.8, 2.2]])


def _copy(model_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(model_dir, tmp_path / "model"))


def test_a_saved_model_loads_and_predicts_the_same(model_dir: Path, pipeline: Pipeline):
    loaded = artifact.load_model(model_dir)
    np.testing.assert_array_equal(
        loaded.predict_proba(TEXTBOOK_ROWS), pipeline.predict_proba(TEXTBOOK_ROWS)
    )
    assert loaded.classes == CLASSES


def test_metadata_describes_the_model(model_dir: Path, iris_path: Path):
    metadata = artifact.load_model(model_dir).metadata
    assert metadata["name"] == "iris-model"
    assert metadata["features"] == list(FEATURES)
    assert metadata["classes"] == list(CLASSES)
    assert metadata["trained_at"].endswith("Z")
    assert metadata["data_sha256"] == artifact.sha256_of(iris_path)
    assert metadata["model_sha256"] == artifact.sha256_of(model_dir / artifact.MODEL_FILE)
    assert set(metadata["versions"]) >= {"python", "iris-model", "scikit-learn", "numpy"}
    assert metadata["config"]["version"] == 1
    assert metadata["metrics"] == {"cv_accuracy": 0.97}


def test_predict_proba_wants_four_measurements_per_row(model_dir: Path):
    with pytest.raises(ValueError, match="4 measurements"):
        artifact.load_model(model_dir).predict_proba(np.ones((2, 3)))


def test_a_changed_model_file_is_refused(model_dir: Path, tmp_path: Path):
    copy = _copy(model_dir, tmp_path)
    with (copy / artifact.MODEL_FILE).open("ab") as model_file:
        model_file.write(b"\0")
    with pytest.raises(artifact.ArtifactError, match="SHA-256"):
        artifact.load_model(copy)


def test_a_model_with_untrusted_types_is_refused(
    tmp_path: Path, iris_path: Path, config: dict, train_test
):
    sneaky = Pipeline(
        [("log", FunctionTransformer(_not_allowed)), ("fit", LogisticRegression(max_iter=1000))]
    )
    train, _ = train_test
    sneaky.fit(train[list(FEATURES)].to_numpy(), train["species"].to_numpy())
    artifact.save_model(sneaky, tmp_path, data_path=iris_path, metrics={}, config=config)
    assert skops.io.get_untrusted_types(file=tmp_path / artifact.MODEL_FILE)
    with pytest.raises(artifact.ArtifactError, match=r"not trusted: .*_not_allowed"):
        artifact.load_model(tmp_path)


def test_a_folder_without_metadata_is_refused(model_dir: Path, tmp_path: Path):
    copy = _copy(model_dir, tmp_path)
    (copy / artifact.METADATA_FILE).unlink()
    with pytest.raises(artifact.ArtifactError, match=r"metadata\.json not found"):
        artifact.load_model(copy)


@pytest.mark.parametrize(
    "content",
    [pickle.dumps({"model": "pickled"}), b"not a model\n", b"PK\x05\x06" + bytes(18)],
    ids=["pickle", "text", "empty zip"],
)
def test_a_model_file_that_is_not_skops_is_refused_naming_the_fix(
    content: bytes, model_dir: Path, tmp_path: Path
):
    copy = _copy(model_dir, tmp_path)
    _replace_model_file(copy, content)
    with pytest.raises(artifact.ArtifactError, match=r"model\.skops is not a skops file.*train"):
        artifact.load_model(copy)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
        (b"[1, 2]", "must hold a JSON object"),
    ],
    ids=["not JSON", "binary", "a list"],
)
def test_broken_metadata_is_refused_naming_the_fix(
    content: bytes, problem: str, model_dir: Path, tmp_path: Path
):
    copy = _copy(model_dir, tmp_path)
    (copy / artifact.METADATA_FILE).write_bytes(content)
    with pytest.raises(artifact.ArtifactError, match=rf"metadata\.json .*{problem}.*train"):
        artifact.load_model(copy)


def _replace_model_file(folder: Path, content: bytes) -> None:
    """Put ``content`` where the model was, with a matching hash: only its format is wrong."""
    model_path = folder / artifact.MODEL_FILE
    model_path.write_bytes(content)
    metadata = json.loads((folder / artifact.METADATA_FILE).read_text())
    metadata["model_sha256"] = artifact.sha256_of(model_path)
    (folder / artifact.METADATA_FILE).write_text(json.dumps(metadata))


def test_a_library_version_change_is_logged(
    model_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    copy = _copy(model_dir, tmp_path)
    metadata = json.loads((copy / artifact.METADATA_FILE).read_text())
    metadata["versions"]["scikit-learn"] = "0.1.0"
    (copy / artifact.METADATA_FILE).write_text(json.dumps(metadata))
    with caplog.at_level(logging.WARNING, logger="iris_model"):
        artifact.load_model(copy)
    assert "scikit-learn 0.1.0" in caplog.text


def _not_allowed(rows: np.ndarray) -> np.ndarray:
    return np.log(rows)
