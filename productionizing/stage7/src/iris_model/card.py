"""The model card: what the model is for and not for, written beside it at training time.

skops' ``Card`` (``skops.card``) writes a Markdown card from its template; its sections are
named by their path in the template (``"Model description/Intended uses & limitations"``). The
facts come from the artifact's own ``metadata.json``, so the card cannot tell a different story
from the model it describes: the data's hash, the metrics, the library versions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sklearn.pipeline import Pipeline
from skops.card import Card

CARD_FILE = "model_card.md"
UNUSED_SECTIONS = (
    "Model description/Training Procedure/Model Plot",
    "Model Card Authors",
    "Citation",
)
INTENDED_USE = """\
**For:** telling apart three species of iris (setosa, versicolor, virginica) from four lengths
in centimetres, in a teaching workshop about taking a model to production.

**Not for:** other species or other plants (the model still answers one of its three species),
lengths in other units, or any decision that matters to someone. It learnt from 105 flowers of
one data set collected in the 1930s; flowers measured elsewhere, by other hands, may differ.
Run `iris-model drift` on the served records to see whether they still look like its data."""
GET_STARTED = """\
Ask the service: `POST /predict` with `{"sepal_length": 5.1, "sepal_width": 3.5,
"petal_length": 1.4, "petal_width": 0.2}` answers a species and its probabilities;
`GET /openapi.json` describes every endpoint."""
REPORT_A_PROBLEM = """\
Report a wrong answer or a problem with this card as an issue in the workshop kit's repository,
or to the team that runs the service. Quote the model version and, for a failed request, the
`request_id` the error answered (also in its `X-Request-ID` header)."""


def fill_card(card: Card, metadata: dict[str, Any]) -> Card:
    """``card`` with its sections filled from a model's metadata, and its metrics table."""
    # Stage 7, exercise 1: call `card.add(**sections)` with the sections below, named by their
    # template path, each text made from `metadata`:
    # - "Model description": the model's name, version, when it was trained, its features and
    #   classes;
    # - "Model description/Intended uses & limitations": `INTENDED_USE`;
    # - "Model description/Training Procedure": the training data's SHA-256 (`data_sha256`), the
    #   model file's (`model_sha256`) and the configuration (`config`);
    # - "Model description/Training Procedure/Libraries": one line per library version
    #   (`versions`);
    # - "How to Get Started with the Model": `GET_STARTED`; "Model Card Contact":
    #   `REPORT_A_PROBLEM`.
    # Then `card.add_metrics(**metadata["metrics"])` (the held-out metrics among them) and
    # return the card.
    libraries = "\n".join(f"- {name} {version}" for name, version in metadata["versions"].items())
    card.add(
        **{
            "Model description": (
                f"{metadata['name']} {metadata['version']}, trained {metadata['trained_at']}: "
                f"predicts one of {', '.join(metadata['classes'])} from "
                f"{', '.join(metadata['features'])} (cm)."
            ),
            "Model description/Intended uses & limitations": INTENDED_USE,
            "Model description/Training Procedure": (
                f"Training data SHA-256: `{metadata['data_sha256']}`.\n\n"
                f"Model file SHA-256: `{metadata['model_sha256']}`.\n\n"
                f"Configuration: `{metadata['config']}`."
            ),
            "Model description/Training Procedure/Libraries": libraries,
            "How to Get Started with the Model": GET_STARTED,
            "Model Card Contact": REPORT_A_PROBLEM,
        }
    )
    card.add_metrics(**metadata["metrics"])
    return card


def write_card(pipeline: Pipeline, metadata: dict[str, Any], folder: Path) -> Path:
    """Write ``model_card.md`` into ``folder`` (beside the model); return its path."""
    card = Card(pipeline, model_diagram=False)  # the diagram is 150 lines of HTML
    for section in UNUSED_SECTIONS:
        card.delete(section)
    path = folder / CARD_FILE
    fill_card(card, metadata).save(path)
    return path
