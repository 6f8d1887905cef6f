"""Save and load a trained model safely: skops instead of pickle, with metadata beside it.

``model.skops`` holds the fitted pipeline; ``metadata.json`` says what it is, how it was made
and with what: library versions, metrics, the training data's SHA-256, the configuration,
and the SHA-256 of ``model.skops`` itself. ``load_model`` refuses a file whose hash does not
match, or that holds types outside an allow-list, instead of running whatever it contains.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import skops.io
from sklearn.pipeline import Pipeline

from iris_model import __version__
from iris_model.data import FEATURES

log = logging.getLogger(__name__)

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
RETRAIN = "run the train step to write it again"
LIBRARIES = ("scikit-learn", "numpy", "pandas", "skops")
TRUSTED_TYPES: frozenset[str] = frozenset()
"""Types skops does not trust by default that we accept. Our pipeline needs none: keep it so."""


class ArtifactError(Exception):
    """A model folder that cannot be used: missing, changed, or holding untrusted types."""


@dataclass(frozen=True)
class TrainedModel:
    """A fitted pipeline and the metadata saved with it."""

    pipeline: Pipeline
    metadata: dict[str, Any]

    @property
    def classes(self) -> tuple[str, ...]:
        """The species, in the order of ``predict_proba``'s columns."""
        return tuple(str(name) for name in self.pipeline.classes_)

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        """Probabilities, shape (n, classes), for rows of measurements in ``FEATURES`` order."""
        rows = np.asarray(rows, dtype="float64")
        if rows.ndim != 2 or rows.shape[1] != len(FEATURES):
            raise ValueError(f"expected rows of {len(FEATURES)} measurements, got {rows.shape}")
        return self.pipeline.predict_proba(rows)


def save_model(
    pipeline: Pipeline,
    directory: Path,
    *,
    data_path: Path,
    metrics: dict[str, float],
    config: dict[str, Any],
) -> TrainedModel:
    """Write ``model.skops`` and ``metadata.json`` into ``directory``; return what they hold,
    so a caller that needs the metadata (a model card) does not read back what it just wrote."""
    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / MODEL_FILE
    skops.io.dump(pipeline, model_path)
    metadata = build_metadata(
        pipeline, model_path=model_path, data_path=data_path, metrics=metrics, config=config
    )
    text = json.dumps(metadata, indent=2) + "\n"
    (directory / METADATA_FILE).write_text(text, encoding="utf-8")
    return TrainedModel(pipeline=pipeline, metadata=metadata)


def build_metadata(
    pipeline: Pipeline,
    *,
    model_path: Path,
    data_path: Path,
    metrics: dict[str, float],
    config: dict[str, Any],
) -> dict[str, Any]:
    """What a saved model says about itself: what it is, how it was made, and with what."""
    # Stage 2, exercise 3: return a dict with the keys `name` ("iris-model"), `version`
    # (`__version__`), `trained_at` (now, in UTC, formatted `%Y-%m-%dT%H:%M:%SZ`), `metrics`,
    # `features` (a list), `classes` (`pipeline.classes_` as a list of str), `versions`
    # (`library_versions()`), `data_sha256` and `model_sha256` (`sha256_of` the two files) and
    # `config`.
    return {
        "name": "iris-model",
        "version": __version__,
        "trained_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "metrics": metrics,
        "features": list(FEATURES),
        "classes": [str(name) for name in pipeline.classes_],
        "versions": library_versions(),
        "data_sha256": sha256_of(data_path),
        "config": config,
        "model_sha256": sha256_of(model_path),
    }


def load_model(directory: Path) -> TrainedModel:
    """Load what ``save_model`` wrote, after checking its hash and the types it holds."""
    metadata = _read_metadata(directory / METADATA_FILE)
    model_path = directory / MODEL_FILE
    if not model_path.is_file():
        raise ArtifactError(f"{model_path} not found: run the train step first")
    if not _is_skops_file(model_path):
        raise ArtifactError(f"{model_path} is not a skops file (a pickle, or text?): {RETRAIN}")
    trusted = verified_types(model_path, metadata.get("model_sha256"))
    pipeline = skops.io.load(model_path, trusted=trusted)
    _warn_about_version_changes(metadata.get("versions", {}))
    return TrainedModel(pipeline=pipeline, metadata=metadata)


def verified_types(model_path: Path, expected_sha256: str | None) -> list[str]:
    """Check ``model_path`` before loading it; return the extra types ``skops.io.load`` may build.

    Refuses (``ArtifactError``) a file whose SHA-256 is not the one recorded at training
    time, and a file holding types that skops does not trust and ``TRUSTED_TYPES`` does not
    allow: such a file could make loading run code.
    """
    # Stage 2, exercise 4: if `sha256_of(model_path)` differs from `expected_sha256`, raise
    # `ArtifactError` saying the file was changed after training (mention SHA-256). Then list the
    # types skops does not trust with `skops.io.get_untrusted_types(file=model_path)`; if any is not
    # in `TRUSTED_TYPES`, raise `ArtifactError` naming them ("not trusted: …"). Return the list of
    # types found (all allowed).
    if sha256_of(model_path) != expected_sha256:
        raise ArtifactError(
            f"{model_path} does not match the SHA-256 in {METADATA_FILE}: it was changed after "
            "training. Retrain, or restore the original file."
        )
    found = skops.io.get_untrusted_types(file=model_path)
    refused = sorted(set(found) - TRUSTED_TYPES)
    if refused:
        raise ArtifactError(f"{model_path} holds types that are not trusted: {', '.join(refused)}")
    return found


def library_versions() -> dict[str, str]:
    """The versions that matter for loading the model again: Python and each library."""
    versions = {"python": platform.python_version(), "iris-model": __version__}
    for library in LIBRARIES:
        try:
            versions[library] = version(library)
        except PackageNotFoundError:
            versions[library] = "not installed"
    return versions


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_skops_file(path: Path) -> bool:
    """Whether ``path`` is a skops archive: a zip holding the ``schema.json`` skops writes.

    Asked before skops reads the file: on a pickle or a text file, skops stops with a
    zip-format error that names neither the file nor the fix.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return "schema.json" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _read_metadata(path: Path) -> dict[str, Any]:
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{path} not found: is this a folder written by train?") from None
    except UnicodeDecodeError:
        raise ArtifactError(f"{path} is not UTF-8 text (a binary file?): {RETRAIN}") from None
    except json.JSONDecodeError as error:
        raise ArtifactError(f"{path} is not valid JSON (line {error.lineno}): {RETRAIN}") from None
    if not isinstance(metadata, dict):
        raise ArtifactError(
            f"{path} must hold a JSON object, not {type(metadata).__name__}: {RETRAIN}"
        )
    return metadata


def _warn_about_version_changes(saved: dict[str, str]) -> None:
    """Log, not refuse: a hash-checked model usually loads across patch releases, but its
    behaviour is only known for the versions it was tested with, so say which ones moved."""
    for name, now in library_versions().items():
        then = saved.get(name)
        if then != now:
            log.warning(
                "model was saved with %s %s, this is %s %s: re-run the model tests or retrain",
                name,
                then,
                name,
                now,
            )
