"""The factory: defaults in code, IRIS_* environment variables, test config, model loaded once."""

from pathlib import Path

import pytest
from stand_in import SETOSA, StandInModel

from iris_model import app as app_module
from iris_model.app import DEFAULTS, create_app
from iris_model.artifact import ArtifactError


def test_defaults_apply_without_environment(monkeypatch):
    for name in ("IRIS_MODEL_DIR", "IRIS_MAX_BATCH", "IRIS_MAX_CONTENT_LENGTH"):
        monkeypatch.delenv(name, raising=False)
    app = create_app(model=StandInModel())
    assert {key: app.config[key] for key in DEFAULTS} == DEFAULTS


def test_environment_overrides_the_defaults(monkeypatch):
    monkeypatch.setenv("IRIS_MAX_BATCH", "7")
    monkeypatch.setenv("IRIS_MAX_CONTENT_LENGTH", "4096")
    app = create_app(model=StandInModel())
    assert app.config["MAX_BATCH"] == 7
    assert app.config["MAX_CONTENT_LENGTH"] == 4096


def test_test_config_overrides_the_environment(monkeypatch):
    monkeypatch.setenv("IRIS_MAX_BATCH", "7")
    assert create_app({"MAX_BATCH": 3}, model=StandInModel()).config["MAX_BATCH"] == 3


def test_the_model_is_loaded_once_from_model_dir(monkeypatch, tmp_path):
    calls = []

    def fake_load(directory: Path) -> StandInModel:
        calls.append(directory)
        return StandInModel()

    monkeypatch.setattr(app_module, "load_model", fake_load)
    client = create_app({"MODEL_DIR": str(tmp_path)}).test_client()
    for _ in range(3):
        assert client.post("/predict", json=SETOSA).status_code == 200
    assert calls == [tmp_path]


def test_a_missing_model_stops_the_app_from_starting(tmp_path):
    with pytest.raises(ArtifactError, match="not found"):
        create_app({"MODEL_DIR": str(tmp_path / "nothing")})


def test_the_real_saved_model_serves_predictions(model_dir):
    client = create_app({"MODEL_DIR": str(model_dir)}).test_client()
    assert client.get("/model").json["classes"] == ["setosa", "versicolor", "virginica"]
    response = client.post("/predict", json=SETOSA)
    assert response.json["species"] == "setosa"
    assert sum(response.json["probabilities"].values()) == pytest.approx(1.0)
