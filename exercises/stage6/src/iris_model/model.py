"""The model: one scikit-learn Pipeline, so scaling learnt in training is reused when predicting."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from iris_model.data import TARGET, features


def build_pipeline(config: dict[str, Any]) -> Pipeline:
    """An unfitted pipeline: standardise the measurements, then a logistic regression."""
    classifier = LogisticRegression(
        C=config["model"]["C"], max_iter=config["model"]["max_iter"], random_state=config["seed"]
    )
    return Pipeline([("scale", StandardScaler()), ("classify", classifier)])


def train(frame: pd.DataFrame, config: dict[str, Any]) -> Pipeline:
    """Fit the pipeline once, on training rows only; species names are the labels as they are."""
    return build_pipeline(config).fit(features(frame), frame[TARGET].to_numpy())


def cross_validated_accuracy(frame: pd.DataFrame, config: dict[str, Any], folds: int = 5) -> float:
    """Mean accuracy over stratified folds of the training rows: an estimate made before testing."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config["seed"])
    scores = cross_val_score(
        build_pipeline(config), features(frame), frame[TARGET].to_numpy(), cv=splitter
    )
    return round(float(scores.mean()), 4)


def predict(pipeline: Pipeline, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with two more columns: the predicted species and its probability."""
    rows = features(frame)
    result = frame.copy()
    result["predicted_species"] = pipeline.predict(rows)
    result["probability"] = np.round(pipeline.predict_proba(rows).max(axis=1), 4)
    return result
