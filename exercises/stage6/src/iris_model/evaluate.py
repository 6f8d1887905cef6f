"""Score a trained pipeline on held-out rows: metrics as JSON, plots as PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import Pipeline

from iris_model.data import TARGET, features


def compute_metrics(pipeline: Pipeline, frame: pd.DataFrame) -> dict[str, float]:
    """Accuracy and macro-averaged F1 of ``pipeline`` on the labelled rows of ``frame``."""
    truth = frame[TARGET].to_numpy()
    predicted = pipeline.predict(features(frame))
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "f1_macro": round(float(f1_score(truth, predicted, average="macro")), 4),
        "rows": len(frame),
    }


def write_report(pipeline: Pipeline, frame: pd.DataFrame, out: Path) -> dict[str, float]:
    """Write ``metrics.json``, ``confusion_matrix.png`` and ``roc_curves.png`` into ``out``."""
    # Imported here, not at the top: matplotlib takes half a second to load, and of the
    # command's steps only evaluate draws.
    from iris_model import plots

    out.mkdir(parents=True, exist_ok=True)
    metrics = compute_metrics(pipeline, frame)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")

    rows, truth, classes = features(frame), frame[TARGET], list(pipeline.classes_)
    plots.confusion_matrix_figure(truth, pipeline.predict(rows), classes).savefig(
        out / "confusion_matrix.png", dpi=100
    )
    plots.roc_curves_figure(truth, pipeline.predict_proba(rows), classes).savefig(
        out / "roc_curves.png", dpi=100
    )
    return metrics
