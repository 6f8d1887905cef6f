"""Every error leaves as JSON: ``{"error": "...", "details": [{"field": ..., "message": ...}]}``.

Client mistakes get a 4xx that names the field. An unexpected failure gets a 500 with a
``request_id``, logged with its traceback under that id; the client never sees the traceback.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask import Flask, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from iris_model.payloads import BodyError, SchemaError


class ApiError(Exception):
    """A client error the API answers with ``status`` and field-level details."""

    def __init__(self, status: int, error: str, details: Iterable[dict[str, str]] = ()) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.details = list(details)


def error_response(status: int, error: str, details: list[dict[str, str]]) -> Response:
    response = jsonify({"error": error, "details": details})
    response.status_code = status
    return response


def field_name(location: tuple[int | str, ...]) -> str:
    """``("instances", 3, "petal_width")`` -> ``"instances[3].petal_width"``; ``()`` -> body."""
    # Stage 3, exercise 5: turn pydantic's error location into the name a client finds in its body.
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else str(part)
    return name or "body"


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(BodyError, _body_error)
    app.register_error_handler(SchemaError, _schema_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.error, error.details)


def _body_error(error: BodyError) -> Response:
    return error_response(400, "malformed JSON", [{"field": "body", "message": str(error)}])


def _schema_error(error: SchemaError) -> Response:
    details = [
        {"field": field_name(problem["loc"]), "message": problem["msg"]}
        for problem in error.problems
    ]
    return error_response(422, "the request body does not match the schema", details)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    message = error.description or error.name
    response = error_response(
        status, error.name.lower(), [{"field": "request", "message": message}]
    )
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _unexpected_error(error: Exception) -> Response:
    # Stage 3, exercise 5: a bug on our side. Make a request id (`uuid.uuid4().hex`), log the error
    # with its traceback and that id (`current_app.logger.exception`), and answer a JSON 500
    # `{"error": "internal server error", "details": [], "request_id": ...}` with the id also in the
    # `X-Request-ID` header. Never the traceback or the exception's text.
    request_id = uuid.uuid4().hex
    current_app.logger.exception("unexpected error, request id %s", request_id)
    response = jsonify({"error": "internal server error", "details": [], "request_id": request_id})
    response.status_code = 500
    response.headers["X-Request-ID"] = request_id
    return response
