"""The OpenAPI 3.1 description of the API, built from the same pydantic models that validate.

Request schemas come from ``payloads``; the response models below exist to be described. The
model's classes and the batch limit are filled in when the app is built, so the document says
what this server does, not what it might do.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, TypeAdapter

from iris_model import __version__
from iris_model.payloads import Batch, Flower


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class ModelInfo(BaseModel):
    name: str
    version: str
    trained_at: str = Field(description="UTC time, ISO 8601")
    metrics: dict[str, float]
    features: list[str]
    classes: list[str]


class Prediction(BaseModel):
    species: str
    probabilities: dict[str, float]


class BatchPredictions(BaseModel):
    predictions: list[Prediction] = Field(description="one per flower, in the request's order")


class Problem(BaseModel):
    field: str = Field(description="where: a field such as instances[2].petal_width, or body")
    message: str


class Error(BaseModel):
    error: str
    details: list[Problem]
    request_id: str | None = Field(default=None, description="only on 500: quote it to us")


SCHEMAS: dict[str, Any] = {"Flower": Flower, "Batch": Batch, "Health": Health}
SCHEMAS |= {"ModelInfo": ModelInfo, "Prediction": Prediction}
SCHEMAS |= {"BatchPredictions": BatchPredictions, "Problem": Problem, "Error": Error}
CLIENT_ERRORS = {
    "400": "malformed JSON, or a key written twice",
    "413": "the body is larger than the server accepts",
    "415": "the body is not sent as application/json",
    "422": "the body is JSON but not the expected fields, types or ranges",
}


def build_openapi(classes: tuple[str, ...], max_batch: int) -> dict[str, Any]:
    """The document served at ``/openapi.json``."""
    components = _component_schemas()
    components["Prediction"]["properties"]["species"]["enum"] = list(classes)
    components["Prediction"]["properties"]["probabilities"] = {
        "type": "object",
        "properties": {name: {"type": "number", "minimum": 0, "maximum": 1} for name in classes},
        "required": list(classes),
        "additionalProperties": False,
    }
    components["Batch"]["properties"]["instances"]["maxItems"] = max_batch
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Iris species API",
            "version": __version__,
            "description": "Predict an iris flower's species from four lengths in centimetres.",
        },
        "paths": {
            "/health": {"get": _operation("Is the model loaded?", "Health")},
            "/model": {"get": _operation("What the loaded model says about itself", "ModelInfo")},
            "/model/card": {
                "get": {
                    "summary": "The model card: what the model is for and not for, its data, "
                    "metrics and library versions",
                    "responses": {
                        "200": {
                            "description": "the card written at training time",
                            "content": {"text/markdown": {"schema": {"type": "string"}}},
                        },
                        "404": _json("the model was trained without a card", "Error"),
                        "500": _json("unexpected server error", "Error"),
                    },
                }
            },
            "/predict": {"post": _operation("Predict one flower", "Prediction", body="Flower")},
            "/predict/batch": {
                "post": _operation(
                    f"Predict 1 to {max_batch} flowers", "BatchPredictions", body="Batch"
                )
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": _json("this OpenAPI document", {"type": "object"})},
                }
            },
        },
        "components": {"schemas": components},
    }


def _component_schemas() -> dict[str, Any]:
    components: dict[str, Any] = {}
    for name, schema in SCHEMAS.items():
        document = TypeAdapter(schema).json_schema(ref_template="#/components/schemas/{model}")
        components |= document.pop("$defs", {})
        components[name] = document
    return components


def _operation(summary: str, answer: str, body: str | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {"200": _json("OK", answer)}}
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
        operation["responses"] |= {code: _json(why, "Error") for code, why in CLIENT_ERRORS.items()}
    operation["responses"]["500"] = _json("unexpected server error", "Error")
    return operation


def _json(description: str, schema: str | dict[str, Any]) -> dict[str, Any]:
    content = _ref(schema) if isinstance(schema, str) else schema
    return {"description": description, "content": {"application/json": {"schema": content}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}
