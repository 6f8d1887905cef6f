"""The model: one scikit-learn Pipeline, so scaling learnt in training is reused when predicting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from iris_model.data import TARGET, features

MODEL_FILE = "model.joblib"


def build_pipeline(config: dict[str, Any]) -> Pipeline:
    """An unfitted pipeline: standardise the measurements, then a logistic regression."""
    # Stage 1, exercise 4: return `Pipeline([("scale", ...), ("classify", ...)])` with a
    # `StandardScaler` and a `LogisticRegression` whose `C` and `max_iter` come from
    # `config["model"]` and whose `random_state` is `config["seed"]`. The scaler is then fitted
    # once, with the classifier, on training rows only, and reused as it is to predict.
    classifier = LogisticRegression(
        C=config["model"]["C"], max_iter=config["model"]["max_iter"], random_state=config["seed"]
    )
    return Pipeline([("scale", StandardScaler()), ("classify", classifier)])


def train(frame: pd.DataFrame, config: dict[str, Any]) -> Pipeline:
    """Fit the pipeline once, on training rows only; species names are the labels as they are."""
    return build_pipeline(config).fit(features(frame), frame[TARGET].to_numpy())


def predict(pipeline: Pipeline, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with two more columns: the predicted species and its probability."""
    rows = features(frame)
    result = frame.copy()
    result["predicted_species"] = pipeline.predict(rows)
    result["probability"] = np.round(pipeline.predict_proba(rows).max(axis=1), 4)
    return result


def save(pipeline: Pipeline, directory: Path) -> Path:
    """Write the fitted pipeline to ``directory/model.joblib`` (a pickle: trusted files only)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    joblib.dump(pipeline, path)
    return path


def load(directory: Path) -> Pipeline:
    """Read the pipeline that ``save`` wrote. Unpickling runs code: never load untrusted files."""
    path = directory / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run the train step first")
    return joblib.load(path)
