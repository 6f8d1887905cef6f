"""Flowers and a stand-in model for the API tests, which need no saved artifact.

The stand-in answers by petal length alone, so a test knows which species it should get.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from iris_model.data import CLASSES

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.8, "petal_width": 2.2}


class StandInModel:
    """Setosa below 2.5 cm of petal, versicolor below 5, virginica above; sure at 0.8."""

    classes = CLASSES
    metadata: ClassVar[dict[str, Any]] = {
        "name": "stand-in",
        "version": "0.0.0",
        "trained_at": "2026-01-01T00:00:00Z",
        "metrics": {"cv_accuracy": 1.0},
        "features": ["sepal_length", "sepal_width", "petal_length", "petal_width"],
        "classes": list(CLASSES),
        "config": {"secret": "not for clients"},
    }

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        assert rows.dtype == np.float64 and rows.shape[1] == 4
        best = np.digitize(rows[:, 2], [2.5, 5.0])
        probabilities = np.full((len(rows), 3), 0.1)
        probabilities[np.arange(len(rows)), best] = 0.8
        return probabilities


class BrokenModel(StandInModel):
    """A model with a bug: every prediction raises."""

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        raise RuntimeError("secret internal detail")
