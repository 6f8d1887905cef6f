"""Optional speed-up, not the lesson: the trained pipeline's arithmetic in plain numpy.

A profile of one ``/predict`` request showed most of its time inside scikit-learn's per-call
input checks, around a computation numpy does in microseconds. The boundary has already checked
every number (``payloads.py``), so checking again is waste. The API answers the same without
this module (``app.py`` would pass the model to ``ModelService`` as it is); the measurements
are in the kit's ``docs/benchmarks.md``.

``accelerate`` recognises the pipeline ``model.build_pipeline`` makes (a ``StandardScaler``
then a ``LogisticRegression`` over three or more classes), reads its fitted parameters, and
proves on probe flowers that it gives the pipeline's probabilities. Any other model, or any
disagreement, and the model is served by scikit-learn, unchanged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from iris_model.data import FEATURES
from iris_model.service import Model

log = logging.getLogger(__name__)

PROBES = np.random.default_rng(0).uniform(0.1, 10.0, size=(512, len(FEATURES)))
"""Flowers spread over the plausible range, to compare the two ways of predicting."""


@dataclass(frozen=True)
class NumpyModel:
    """Standardise, a linear score per class, softmax: what the fitted pipeline computes."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    classes: tuple[str, ...]
    metadata: dict[str, Any]

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        scores = ((rows - self.mean) / self.scale) @ self.coef.T + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores


def accelerate(model: Model) -> Model:
    """A ``NumpyModel`` equal to ``model`` on every probe, or ``model`` itself."""
    fast = _as_numpy(getattr(model, "pipeline", None), model)
    if fast is None:
        return model
    if not np.allclose(fast.predict_proba(PROBES), model.predict_proba(PROBES), rtol=0, atol=1e-9):
        log.warning("the numpy speed-up disagrees with scikit-learn: serving with scikit-learn")
        return model
    return fast


def _as_numpy(pipeline: Any, model: Model) -> NumpyModel | None:
    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
        return None
    scaler, classifier = (step for _, step in pipeline.steps)
    if type(scaler) is not StandardScaler or type(classifier) is not LogisticRegression:
        return None
    if len(classifier.classes_) < 3:
        return None
    return NumpyModel(
        mean=scaler.mean_ if scaler.with_mean else np.zeros(len(FEATURES)),
        scale=scaler.scale_ if scaler.with_std else np.ones(len(FEATURES)),
        coef=classifier.coef_,
        intercept=classifier.intercept_,
        classes=tuple(model.classes),
        metadata=model.metadata,
    )
