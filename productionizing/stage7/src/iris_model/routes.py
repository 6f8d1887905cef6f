"""The HTTP endpoints: each one reads the request, calls the model service, and answers JSON.

Predictions are also handed to the input recorder, when the app has one (``records.py``): it
never raises, so a record that cannot be written never costs the caller an answer.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from iris_model.errors import ApiError
from iris_model.payloads import Flower, read_batch, read_flower
from iris_model.service import ModelService

api = Blueprint("api", __name__)


@api.get("/health")
def health() -> Response:
    # Stage 3, exercise 1: answer `{"status": "ok"}` (jsonify).
    return jsonify(status="ok")


@api.get("/model")
def model_info() -> Response:
    # Stage 3, exercise 1: answer what the model says about itself: `_service().info()`.
    return jsonify(_service().info())


@api.post("/predict")
def predict() -> Response:
    # Stage 3, exercise 4: read one flower (`read_flower(_json_body())`) and answer its prediction.
    flower = read_flower(_json_body())
    predictions = _predict_and_record([flower])
    return jsonify(predictions[0])


@api.post("/predict/batch")
def predict_batch() -> Response:
    # Stage 3, exercise 4: read a batch (`read_batch`, the limit is
    # `current_app.config["MAX_BATCH"]`) and answer `{"predictions": [...]}`, one per flower, in
    # order.
    batch = read_batch(_json_body(), current_app.config["MAX_BATCH"])
    return jsonify(predictions=_predict_and_record(batch["instances"]))


@api.get("/model/card")
def model_card() -> Response:
    card = current_app.extensions["iris_model.card"]
    if card is None:
        raise ApiError(
            404,
            "not found",
            [{"field": "model", "message": "this model has no card: train it with stage 7's code"}],
        )
    return Response(card, mimetype="text/markdown")


@api.get("/openapi.json")
def openapi() -> Response:
    return jsonify(current_app.extensions["iris_model.openapi"])


def _service() -> ModelService:
    return current_app.extensions["iris_model.service"]


def _predict_and_record(flowers: list[Flower]) -> list[dict]:
    predictions = _service().predict(flowers)
    recorder = current_app.extensions["iris_model.recorder"]
    if recorder is not None:
        recorder.record(flowers, predictions)
    return predictions


def _json_body() -> bytes:
    """The request's body, once its Content-Type says JSON (Werkzeug enforces the size limit)."""
    if not request.is_json:
        raise ApiError(
            415,
            "unsupported media type",
            [{"field": "Content-Type", "message": "send the body as application/json"}],
        )
    return request.get_data(cache=False)
