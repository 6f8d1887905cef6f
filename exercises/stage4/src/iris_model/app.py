"""The Flask application factory: ``create_app()`` builds the API; nothing happens at import.

Configuration has defaults here, overridden by ``IRIS_*`` environment variables
(``IRIS_MODEL_DIR=/srv/model``, ``IRIS_MAX_BATCH=500``, ``IRIS_MAX_CONTENT_LENGTH=1048576``),
overridden by ``test_config``. The model is loaded once, when the app is built; tests pass a
stand-in with ``model=``. Served in production, it switches on two speed-ups that profiling
found (``speedup_numpy.py``, ``speedup_orjson.py``): without them it gives the same answers.
Run it with ``flask --app iris_model.app run`` or ``gunicorn 'iris_model.app:create_app()'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from iris_model.artifact import load_model
from iris_model.errors import register_error_handlers
from iris_model.openapi import build_openapi
from iris_model.routes import api
from iris_model.service import Model, ModelService
from iris_model.speedup_numpy import accelerate
from iris_model.speedup_orjson import OrjsonProvider

DEFAULTS: dict[str, Any] = {
    "MODEL_DIR": "runs/model",
    "MAX_BATCH": 10_000,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
}
"""A batch of 10,000 flowers is about 0.8 MB of JSON, so 2 MiB leaves room for whitespace."""


def create_app(
    test_config: Mapping[str, Any] | None = None, *, model: Model | None = None
) -> Flask:
    """Build the API around ``model``, or around the model saved in ``MODEL_DIR``."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("IRIS")
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.json = OrjsonProvider(app)  # optional speed-up

    if model is None:
        model = load_model(Path(app.config["MODEL_DIR"]))
    service = ModelService(accelerate(model))  # accelerate: optional speed-up
    app.extensions["iris_model.service"] = service
    app.extensions["iris_model.openapi"] = build_openapi(service.classes, app.config["MAX_BATCH"])
    app.register_blueprint(api)
    register_error_handlers(app)
    return app
