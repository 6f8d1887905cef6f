"""Optional speed-up, not the lesson: Flask's JSON answers written by orjson.

Writing a large batch's answer is many times faster than with the standard library's ``json``,
and the client reads the same JSON. The API answers the same without this module (``app.py``
would keep Flask's own JSON provider); the measurements are in the kit's ``docs/benchmarks.md``.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import JSONProvider


class OrjsonProvider(JSONProvider):
    """``jsonify`` and ``app.json`` with orjson; only plain JSON types are expected."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        body = orjson.dumps(self._prepare_response_obj(args, kwargs))
        return self._app.response_class(body, mimetype="application/json")
