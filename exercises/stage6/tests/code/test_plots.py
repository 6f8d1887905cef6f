"""Evaluation plots: functions that return figures, so they can be tested and reused."""

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from iris_model import plots
from iris_model.data import CLASSES, features


def test_confusion_matrix_counts_every_flower(pipeline: Pipeline, train_test):
    _, test = train_test
    figure = plots.confusion_matrix_figure(
        test["species"], pipeline.predict(features(test)), CLASSES
    )
    counts = [int(text.get_text()) for text in figure.axes[0].texts]
    assert sum(counts) == len(test)
    assert [label.get_text() for label in figure.axes[0].get_xticklabels()] == list(CLASSES)


def test_roc_figure_has_one_curve_per_class_and_a_chance_line(pipeline: Pipeline, train_test):
    _, test = train_test
    probabilities = pipeline.predict_proba(features(test))
    figure = plots.roc_curves_figure(test["species"], probabilities, CLASSES)
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert len(labels) == len(CLASSES) + 1
    assert labels[0].startswith("setosa (AUC")


def test_a_perfect_classifier_has_auc_one():
    truth = pd.Series(["setosa", "versicolor", "virginica"] * 2)
    probabilities = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    figure = plots.roc_curves_figure(truth, probabilities, CLASSES)
    assert all("AUC 1.00" in line.get_label() for line in figure.axes[0].get_lines()[:3])
