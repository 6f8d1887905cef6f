"""Score a trained pipeline on held-out rows: metrics as JSON, a confusion matrix as PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score, f1_score
from sklearn.pipeline import Pipeline

from iris_model.data import CLASSES, TARGET, features


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
    """Write ``metrics.json`` and ``confusion_matrix.png`` into ``out``; return the metrics."""
    # Imported here, not at the top: matplotlib takes half a second to load, and of the
    # command's steps only evaluate draws.
    from matplotlib.figure import Figure

    out.mkdir(parents=True, exist_ok=True)
    metrics = compute_metrics(pipeline, frame)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")

    figure = Figure(figsize=(5, 4.5), layout="constrained")
    ConfusionMatrixDisplay.from_predictions(
        frame[TARGET],
        pipeline.predict(features(frame)),
        labels=list(CLASSES),
        colorbar=False,
        cmap="Blues",
        ax=figure.subplots(),
    )
    figure.suptitle("Confusion matrix on held-out flowers")
    figure.savefig(out / "confusion_matrix.png", dpi=100)
    return metrics
