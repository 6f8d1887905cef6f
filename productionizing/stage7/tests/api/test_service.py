"""ModelService: flowers in, one prediction per flower out, in order."""

import numpy as np
from stand_in import SETOSA, VIRGINICA, StandInModel

from iris_model.service import ModelService


def test_predict_keeps_the_order_of_the_flowers():
    flowers = [VIRGINICA, SETOSA, VIRGINICA]
    species = [p["species"] for p in ModelService(StandInModel()).predict(flowers)]
    assert species == ["virginica", "setosa", "virginica"]


def test_predict_gives_a_probability_per_class_as_plain_floats():
    (prediction,) = ModelService(StandInModel()).predict([SETOSA])
    assert prediction["probabilities"] == {"setosa": 0.8, "versicolor": 0.1, "virginica": 0.1}
    assert all(type(p) is float for p in prediction["probabilities"].values())


def test_predict_sends_the_measurements_in_feature_order():
    seen = []

    class Recorder(StandInModel):
        def predict_proba(self, rows: np.ndarray) -> np.ndarray:
            seen.append(rows)
            return super().predict_proba(rows)

    ModelService(Recorder()).predict([VIRGINICA])
    np.testing.assert_array_equal(seen[0], [[6.7, 3.0, 5.8, 2.2]])


def test_info_leaves_out_the_training_configuration():
    info = ModelService(StandInModel()).info()
    assert set(info) == {"name", "version", "trained_at", "metrics", "features", "classes"}
