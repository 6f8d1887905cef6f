"""The HTTP endpoints: each one reads the request, calls the model service, and answers JSON."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from iris_model.errors import ApiError, from_validation_error
from iris_model.payloads import Batch, Flower, parse_json
from iris_model.service import ModelService

api = Blueprint("api", __name__)

Payload = TypeVar("Payload", bound=BaseModel)


@api.get("/health")
def health() -> Response:
    return jsonify(status="ok")


@api.get("/model")
def model_info() -> Response:
    return jsonify(_service().info())


@api.post("/predict")
def predict() -> Response:
    flower = _read(Flower)
    return jsonify(_service().predict([flower])[0])


@api.post("/predict/batch")
def predict_batch() -> Response:
    batch = _read(Batch, max_batch=current_app.config["MAX_BATCH"])
    return jsonify(predictions=_service().predict(batch.instances))


@api.get("/openapi.json")
def openapi() -> Response:
    return jsonify(current_app.extensions["iris_model.openapi"])


def _service() -> ModelService:
    return current_app.extensions["iris_model.service"]


def _read(schema: type[Payload], **context: Any) -> Payload:
    """The request's JSON body validated by ``schema``, or an ``ApiError`` naming the fields."""
    if not request.is_json:
        raise ApiError(
            415,
            "unsupported media type",
            [{"field": "Content-Type", "message": "send the body as application/json"}],
        )
    document = parse_json(request.get_data(cache=False))
    try:
        return schema.model_validate(document, context=context)
    except ValidationError as error:
        raise from_validation_error(error) from None
