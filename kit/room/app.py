"""The room's web application: ``create_app(code, key)`` builds it; nothing happens at import.

Built like stage 3's API: an app factory, configuration with defaults here overridden by the
caller, request bodies validated by pydantic types (``messages.py``), every error a JSON body
``{"error": ..., "details": [{"field": ..., "message": ...}]}`` (``messages.Refused``), a
nickname held by the laptop that took it (``nicknames.py``), and an OpenAPI document
(``openapi.py``) served at ``/openapi.json``. The board pages are rendered here, on the server;
their little script only asks ``/room.json`` whether anything changed.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from pydantic import TypeAdapter
from werkzeug.exceptions import HTTPException

from kit.room import messages
from kit.room.board import Board, Course
from kit.room.index import package_index
from kit.room.messages import Refused
from kit.room.nicknames import Nicknames
from kit.room.openapi import build_openapi

DEFAULTS: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 16 * 1024,
    "MESSAGES_PER_MINUTE": 30,
    "STUCK_MINUTES": 10,
    "WHEELHOUSE": None,
}
"""A check's message is under 2 KiB; 30 messages a minute is one every two seconds, more than a
learner checking by hand sends, and a loop that checks without pause is stopped."""


def create_app(
    code: str,
    key: str,
    course: Course,
    test_config: Mapping[str, Any] | None = None,
    clock: Callable[[], float] = time.time,
) -> Flask:
    """The room for ``course``: learners send with ``code``; names are shown with ``key``."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config |= {"ROOM_CODE": code, "ROOM_KEY": key}
    app.extensions["room.board"] = Board(course, app.config["STUCK_MINUTES"], clock)
    app.extensions["room.nicknames"] = Nicknames()
    app.extensions["room.limiter"] = RateLimiter(app.config["MESSAGES_PER_MINUTE"], clock)
    app.extensions["room.openapi"] = build_openapi(course)
    app.register_blueprint(room)
    app.register_blueprint(package_index(app.config["WHEELHOUSE"]))
    register_error_handlers(app)
    return app


class RateLimiter:
    """At most ``per_minute`` messages from one nickname in any minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float]) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.sent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, nickname: str) -> bool:
        with self._lock:
            now = self.clock()
            recent = self.sent[nickname]
            while recent and now - recent[0] >= 60:
                recent.popleft()
            if len(recent) >= self.per_minute:
                return False
            recent.append(now)
            return True


room = Blueprint("room", __name__)


SHOWN_FAILURES = 5
"""The projector lists this many first failures, the most common first: what to explain next."""


@room.get("/")
def projector() -> str:
    return render_template("projector.html", **_projector_view())


@room.get("/board")
def projector_part() -> str:
    """The projector's grid alone: what the page's script swaps in when the room moved."""
    return render_template("projector_part.html", **_projector_view())


def _projector_view() -> dict:
    """``room.json`` laid out for the page: a grid of stages by exercise numbers, and the
    most common first failures across the course."""
    board = _board().projector()
    for stage in board["stages"]:
        stage["by_number"] = {row["exercise"]: row for row in stage["exercises"]}
    failures = [
        (stage["stage"], row)
        for stage in board["stages"]
        for row in stage["exercises"]
        if row["common_failure"]
    ]
    failures.sort(key=lambda failure: -failure[1]["common_failure"]["learners"])
    columns = max((max(stage["by_number"], default=0) for stage in board["stages"]), default=0)
    return {"board": board, "columns": columns, "failures": failures[:SHOWN_FAILURES]}


@room.get("/helper")
def helper() -> str:
    return render_template("helper.html", helper=_helper_view(), key=request.args["key"])


@room.get("/helper/part")
def helper_part() -> str:
    return render_template("helper_part.html", helper=_helper_view())


@room.get("/room.json")
def room_json() -> Response:
    return jsonify(_board().projector())


@room.get("/helper.json")
def helper_json() -> Response:
    return jsonify(_helper_view())


@room.post("/join")
def join() -> Response:
    message = _message(messages.JOIN)
    nickname = message["nickname"]
    seat = _nicknames().take(nickname, message.get("token"))
    if seat is None:
        raise Refused(
            409,
            "nickname taken",
            ("nickname", f"{nickname!r} is taken in this room: join with another NAME=…"),
        )
    _board().join(nickname)
    status = "welcomed back" if seat.again else "joined"
    return jsonify(status=status, token=seat.token, stages=sorted(_board().course))


@room.post("/results")
def results() -> Response:
    message = _message(messages.CHECK)
    exercises = _board().course.get(message["stage"])
    if exercises is None:
        raise Refused(
            404, "unknown stage", ("stage", f"this course has no stage {message['stage']}")
        )
    for index, entry in enumerate(message["exercises"]):
        if entry["exercise"] not in exercises:
            raise Refused(
                404,
                "unknown exercise",
                (
                    f"exercises[{index}].exercise",
                    f"stage {message['stage']} has no exercise {entry['exercise']}",
                ),
            )
    _board().record_check(
        message["nickname"], message["stage"], message["checked_at"], message["exercises"]
    )
    return jsonify(status="recorded")


@room.post("/hands")
def hands() -> Response:
    message = _message(messages.HAND)
    if message["raised"]:
        _board().raise_hand(message["nickname"], message["text"])
    else:
        _board().lower_hand(message["nickname"])
    return jsonify(status="raised" if message["raised"] else "lowered")


@room.get("/openapi.json")
def openapi() -> Response:
    return jsonify(current_app.extensions["room.openapi"])


def _board() -> Board:
    return current_app.extensions["room.board"]


def _nicknames() -> Nicknames:
    return current_app.extensions["room.nicknames"]


def _helper_view() -> dict:
    """The names: only for the instructor's key, compared in constant time."""
    given = request.args.get("key", "")
    if not given:
        raise Refused(401, "the instructor key is missing", ("key", "add ?key=… to the address"))
    if not hmac.compare_digest(given.encode(), current_app.config["ROOM_KEY"].encode()):
        raise Refused(403, "wrong instructor key", ("key", "use the key `make room` printed"))
    return _board().helper()


def _message(adapter: TypeAdapter) -> dict:
    """The request's message, once it is JSON, valid, from this room, from the laptop that
    holds its nickname (a join aside: that is where a laptop takes one), and not one too many."""
    if not request.is_json:
        raise Refused(415, "unsupported media type", ("Content-Type", "send application/json"))
    message = messages.read(adapter, request.get_data(cache=False))
    if not hmac.compare_digest(message["code"].encode(), current_app.config["ROOM_CODE"].encode()):
        raise Refused(403, "wrong room code", ("code", "use the code the instructor shows"))
    if adapter is not messages.JOIN:
        _from_the_holder(message["nickname"], message["token"])
    if not current_app.extensions["room.limiter"].allow(message["nickname"]):
        raise Refused(429, "too many messages", ("nickname", "at most a message every two seconds"))
    return message


def _from_the_holder(nickname: str, token: str) -> None:
    """Refuse a message whose token is not the one the room gave for ``nickname``."""
    if not _nicknames().taken(nickname):
        raise Refused(
            403,
            "not joined",
            ("nickname", f"{nickname!r} has not joined this room: join it with `make join`"),
        )
    if not _nicknames().holds(nickname, token):
        raise Refused(
            403,
            "wrong token",
            ("token", f"{nickname!r} is held by another laptop: join with another NAME=…"),
        )


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(Refused, _refused)
    app.register_error_handler(HTTPException, _http_error)


def error_response(status: int, error: str, details: list[dict[str, str]]) -> Response:
    response = jsonify({"error": error, "details": details})
    response.status_code = status
    if status == 429:
        response.headers["Retry-After"] = "60"
    return response


def _refused(error: Refused) -> Response:
    return error_response(error.status, error.error, error.details)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(
        status, error.name.lower(), [{"field": "request", "message": error.description or ""}]
    )
    if getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response
