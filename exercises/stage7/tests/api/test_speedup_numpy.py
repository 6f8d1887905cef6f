"""The optional numpy speed-up: used only for the pipeline we train, and only when it agrees."""

import logging

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from stand_in import StandInModel

from iris_model.artifact import TrainedModel, load_model
from iris_model.speedup_numpy import PROBES, NumpyModel, accelerate


def test_the_trained_pipeline_gets_the_fast_path_with_the_same_answers(model_dir):
    model = load_model(model_dir)
    fast = accelerate(model)
    assert isinstance(fast, NumpyModel)
    np.testing.assert_allclose(fast.predict_proba(PROBES), model.predict_proba(PROBES), atol=1e-12)
    assert fast.classes == model.classes
    assert fast.metadata is model.metadata


def test_another_pipeline_is_served_by_scikit_learn(iris):
    features = iris.drop(columns="species").to_numpy()
    pipeline = make_pipeline(StandardScaler(), DecisionTreeClassifier(random_state=0))
    model = TrainedModel(pipeline.fit(features, iris["species"]), metadata={})
    assert accelerate(model) is model


def test_a_model_without_a_pipeline_is_left_alone():
    model = StandInModel()
    assert accelerate(model) is model


def test_a_fast_path_that_disagrees_is_refused(model_dir, monkeypatch, caplog):
    model = load_model(model_dir)
    monkeypatch.setattr(
        NumpyModel, "predict_proba", lambda self, rows: np.full((len(rows), 3), 1 / 3)
    )
    with caplog.at_level(logging.WARNING):
        assert accelerate(model) is model
    assert "disagrees" in caplog.text


@pytest.mark.parametrize("rows", [PROBES[:1], PROBES[:7]])
def test_probabilities_sum_to_one(model_dir, rows):
    fast = accelerate(load_model(model_dir))
    np.testing.assert_allclose(fast.predict_proba(rows).sum(axis=1), 1.0)
