"""What the trained model must do, whatever is inside it: quality, invariance, direction."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from iris_model.data import CLASSES, features
from iris_model.evaluate import compute_metrics

ACCURACY_FLOOR = 0.85


def test_held_out_accuracy_is_above_the_floor(pipeline: Pipeline, train_test):
    _, test = train_test
    assert compute_metrics(pipeline, test)["accuracy"] >= ACCURACY_FLOOR


def test_predictions_do_not_depend_on_row_order(pipeline: Pipeline, iris: pd.DataFrame):
    shuffled = iris.sample(frac=1.0, random_state=0)
    in_order = pd.Series(pipeline.predict(features(iris)), index=iris.index)
    assert (pipeline.predict(features(shuffled)) == in_order[shuffled.index]).all()


def test_longer_petals_push_towards_virginica(pipeline: Pipeline):
    # Stage 2, exercise 5: write this test. Make four flowers that differ only in their petals, from
    # short to long (for example petal length 3.5, 4.5, 5.5, 6.5 cm and width a third of it), get
    # `pipeline.predict_proba` for them, and assert that the probability of virginica (column
    # `CLASSES.index("virginica")`) rises at every step.
    virginica = CLASSES.index("virginica")
    flowers = np.array([[6.0, 3.0, petal, petal / 3] for petal in (3.5, 4.5, 5.5, 6.5)])
    probabilities = pipeline.predict_proba(flowers)[:, virginica]
    assert (np.diff(probabilities) > 0).all(), probabilities


def test_shorter_petals_push_towards_setosa(pipeline: Pipeline):
    setosa = CLASSES.index("setosa")
    flowers = np.array([[5.0, 3.4, petal, 0.3] for petal in (3.0, 2.5, 2.0, 1.5)])
    assert (np.diff(pipeline.predict_proba(flowers)[:, setosa]) > 0).all()


@pytest.mark.parametrize(
    ("measurements", "species"),
    [
        ([5.0, 3.4, 1.5, 0.2], "setosa"),
        ([6.0, 2.8, 4.5, 1.3], "versicolor"),
        ([6.7, 3.0, 5.8, 2.2], "virginica"),
    ],
)
def test_textbook_flowers_are_recognised(pipeline: Pipeline, measurements, species):
    assert pipeline.predict(np.array([measurements]))[0] == species


def test_probabilities_are_a_distribution(pipeline: Pipeline, iris: pd.DataFrame):
    probabilities = pipeline.predict_proba(features(iris))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
