"""Reusable evaluation plots. Each function returns a matplotlib ``Figure``; callers save it.

The figures are built with the object API (``Figure``, not ``pyplot``), so nothing global is
changed and nothing is left open: safe in scripts, tests, servers and notebooks alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import ConfusionMatrixDisplay, auc, roc_curve


def confusion_matrix_figure(
    truth: Sequence[str], predicted: Sequence[str], classes: Sequence[str]
) -> Figure:
    """Counts of true species (rows) against predicted species (columns)."""
    figure = Figure(figsize=(5, 4.5), layout="constrained")
    ConfusionMatrixDisplay.from_predictions(
        truth, predicted, labels=list(classes), cmap="Blues", colorbar=False, ax=figure.subplots()
    )
    figure.suptitle("Confusion matrix")
    return figure


def roc_curves_figure(
    truth: Sequence[str], probabilities: np.ndarray, classes: Sequence[str]
) -> Figure:
    """One ROC curve per class against the rest; ``probabilities`` has one column per class."""
    figure = Figure(figsize=(5, 4.5), layout="constrained")
    ax = figure.subplots()
    truth = np.asarray(truth)
    for column, name in enumerate(classes):
        false_positive, true_positive, _ = roc_curve(truth == name, probabilities[:, column])
        area = auc(false_positive, true_positive)
        ax.plot(false_positive, true_positive, linewidth=2, label=f"{name} (AUC {area:.2f})")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    ax.set(
        xlabel="False positive rate",
        ylabel="True positive rate",
        xlim=(-0.02, 1.02),
        ylim=(-0.02, 1.02),
        aspect="equal",
    )
    ax.legend(loc="lower right")
    figure.suptitle("ROC curves, one class against the rest")
    return figure
