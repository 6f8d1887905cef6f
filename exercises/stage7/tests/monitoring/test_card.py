"""The model card: written at training time from the artifact's metadata, served by the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iris_model.app import create_app
from iris_model.card import CARD_FILE
from iris_model.cli import main


@pytest.fixture(scope="module")
def trained(iris_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trained")
    assert main(["prepare", "--data", str(iris_path), "--out", str(folder / "data")]) == 0
    steps = ["train", "--data", folder / "data/train.csv", "--held-out", folder / "data/test.csv"]
    assert main([str(part) for part in [*steps, "--out", folder / "model"]]) == 0
    return folder / "model"


def test_the_card_says_what_the_metadata_says(trained: Path):
    card = (trained / CARD_FILE).read_text()
    metadata = json.loads((trained / "metadata.json").read_text())
    assert metadata["data_sha256"] in card and metadata["model_sha256"] in card
    assert "held_out_accuracy" in metadata["metrics"]
    for name, value in metadata["metrics"].items():
        assert name in card and str(value) in card
    for library, version in metadata["versions"].items():
        assert f"{library} {version}" in card


def test_the_card_says_what_the_model_is_not_for_and_whom_to_tell(trained: Path):
    card = (trained / CARD_FILE).read_text()
    assert "## Intended uses & limitations" in card and "**Not for:**" in card
    assert "# Model Card Contact" in card and "request_id" in card
    assert "[More Information Needed]" not in card


def test_the_api_serves_the_card_as_markdown(trained: Path):
    client = create_app({"MODEL_DIR": str(trained)}).test_client()
    answer = client.get("/model/card")
    assert answer.status_code == 200 and answer.mimetype == "text/markdown"
    assert answer.get_data(as_text=True) == (trained / CARD_FILE).read_text()


def test_a_model_without_a_card_answers_404(model_dir: Path):
    answer = create_app({"MODEL_DIR": str(model_dir)}).test_client().get("/model/card")
    assert answer.status_code == 404 and "no card" in answer.json["details"][0]["message"]
