"""The OpenAPI 3.1 description of the room, built from the same pydantic types that validate.

The course's stages are filled in when the app is built, so the document says what this room
accepts, as stage 3's says which species its model knows.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from kit.room.board import STATUSES, Course
from kit.room.messages import CheckMessage, HandMessage, Join

COUNTS = {
    "type": "object",
    "properties": {status: {"type": "integer", "minimum": 0} for status in STATUSES}
    | {"not started": {"type": "integer", "minimum": 0}},
    "required": [*STATUSES, "not started"],
}
ROOM = {
    "type": "object",
    "description": "the projector's aggregates: counts only, never a nickname",
    "properties": {
        "version": {"type": "integer", "description": "grows with every change"},
        "learners": {"type": "integer", "minimum": 0},
        "stuck": {"type": "integer", "minimum": 0},
        "stuck_minutes": {"type": "number"},
        "hands": {"type": "integer", "minimum": 0},
        "stages": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "stage": {"type": "integer"},
                    "exercises": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "exercise": {"type": "integer"},
                                "title": {"type": "string"},
                                "counts": COUNTS,
                                "common_failure": {
                                    "type": ["object", "null"],
                                    "properties": {
                                        "test": {"type": "string"},
                                        "learners": {"type": "integer"},
                                        "hint": {"type": "string"},
                                    },
                                },
                            },
                            "required": ["exercise", "title", "counts", "common_failure"],
                        },
                    },
                },
                "required": ["stage", "exercises"],
            },
        },
    },
    "required": ["version", "learners", "stuck", "stuck_minutes", "hands", "stages"],
    "additionalProperties": False,
}
HELPER = {
    "type": "object",
    "description": "raised hands in order, and each learner's last check, with nicknames",
    "properties": {
        "version": {"type": "integer"},
        "hands": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "nickname": {"type": "string"},
                    "text": {"type": "string"},
                    "raised": {"type": "number"},
                },
                "required": ["nickname", "text", "raised"],
            },
        },
        "learners": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "nickname": {"type": "string"},
                    "last_check": {"type": ["object", "null"]},
                },
                "required": ["nickname", "last_check"],
            },
        },
    },
    "required": ["version", "hands", "learners"],
}
ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "details": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["error", "details"],
}
MESSAGE_ERRORS = {
    "400": "malformed JSON",
    "403": "wrong room code; for a check or a hand also a nickname not joined, or a token that "
    "is not the one the room gave for it",
    "413": "the body is larger than the room accepts",
    "415": "the body is not sent as application/json",
    "422": "the body is JSON but not the expected fields, types or ranges",
    "429": "too many messages from this nickname in the last minute",
}
RECORDED = {"type": "object", "properties": {"status": {"type": "string"}}, "required": ["status"]}
JOINED = {
    "type": "object",
    "properties": {
        "status": {"enum": ["joined", "welcomed back"]},
        "token": {
            "type": "string",
            "description": "this laptop's secret for the nickname: send it with every message",
        },
        "stages": {"type": "array", "items": {"type": "integer"}, "description": "the course's"},
    },
    "required": ["status", "token", "stages"],
}
TAKEN = {"409": "the nickname is held by another laptop (a laptop that holds it sends its token)"}
UNKNOWN = {"404": "no such stage or exercise in this course"}
KEY_ERRORS = {"401": "no instructor key", "403": "wrong instructor key"}
KEY = {
    "name": "key",
    "in": "query",
    "required": True,
    "description": "the instructor key `make room` printed",
    "schema": {"type": "string"},
}


def build_openapi(course: Course) -> dict[str, Any]:
    """The document served at ``/openapi.json``."""
    schemas = _message_schemas()
    schemas["CheckMessage"]["properties"]["stage"]["enum"] = sorted(course)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "The workshop room",
            "version": "1",
            "description": "Opt-in check results and raised hands, a live board, and the "
            "wheels for set-up without internet.",
        },
        "paths": {
            "/": {"get": _page("The projector's board (anonymous)")},
            "/board": {"get": _page("The projector's grid alone, for the page's script")},
            "/helper": {"get": _page("The helper view: hands and nicknames", key=True)},
            "/helper/part": {"get": _page("The helper view's lists alone", key=True)},
            "/room.json": {"get": _get("The projector's aggregates", ROOM)},
            "/helper.json": {"get": _get("Hands and last checks, with nicknames", HELPER, True)},
            "/join": {"post": _post("Join the room under a nickname", "Join", JOINED, more=TAKEN)},
            "/results": {
                "post": _post("Send one check's result", "CheckMessage", RECORDED, more=UNKNOWN)
            },
            "/hands": {"post": _post("Raise or lower a hand", "HandMessage", RECORDED)},
            "/openapi.json": {"get": _get("This document", {"type": "object"})},
            "/simple/": {"get": _page("The wheelhouse's projects (PEP 503)")},
            "/simple/{project}/": {"get": _page("A project's files (PEP 503)", path="project")},
            "/files/{filename}": {"get": _file("A wheel or source distribution of the wheelhouse")},
            "/static/{filename}": {"get": _file("The board's style sheet and script")},
        },
        "components": {"schemas": schemas | {"Error": ERROR}},
    }


def _message_schemas() -> dict[str, Any]:
    components: dict[str, Any] = {}
    for name, schema in {
        "Join": Join,
        "CheckMessage": CheckMessage,
        "HandMessage": HandMessage,
    }.items():
        document = TypeAdapter(schema).json_schema(ref_template="#/components/schemas/{model}")
        components |= document.pop("$defs", {})
        components[name] = document
    return components


def _post(summary: str, body: str, answer: dict, more: dict[str, str] | None = None) -> dict:
    errors = MESSAGE_ERRORS | (more or {})
    return {
        "summary": summary,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        },
        "responses": {"200": _json("recorded", answer)}
        | {code: _json(why, _error()) for code, why in errors.items()},
    }


def _get(summary: str, schema: dict, key: bool = False) -> dict:
    operation: dict[str, Any] = {"summary": summary, "responses": {"200": _json("OK", schema)}}
    if key:
        operation["parameters"] = [KEY]
        operation["responses"] |= {code: _json(why, _error()) for code, why in KEY_ERRORS.items()}
    return operation


def _page(summary: str, key: bool = False, path: str = "") -> dict:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {"200": {"description": "an HTML page", "content": {"text/html": {}}}},
    }
    if key:
        operation["parameters"] = [KEY]
        operation["responses"] |= {code: _json(why, _error()) for code, why in KEY_ERRORS.items()}
    if path:
        operation["parameters"] = [_path_parameter(path)]
        operation["responses"]["404"] = _json("no such project", _error())
    return operation


def _file(summary: str) -> dict:
    return {
        "summary": summary,
        "parameters": [_path_parameter("filename")],
        "responses": {
            "200": {"description": "the file", "content": {"*/*": {}}},
            "404": _json("no such file", _error()),
        },
    }


def _path_parameter(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error() -> dict:
    return {"$ref": "#/components/schemas/Error"}
