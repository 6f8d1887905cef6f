"""What a learner's laptop may send the room, declared once in pydantic types, checked at the door.

The types are the contract, the source of every error message and of the OpenAPI schema. They
are strict and closed: a message carries a nickname, the token that proves the laptop holds it,
a stage, exercise numbers, statuses, a test's name and a time, and nothing else can get in (no
code, no paths, no failure text). Which stages and exercises exist, and which laptop holds a
nickname, is the app's business: it checks that after the types.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from kit.room.board import STATUSES

STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)
Code = Annotated[str, Field(min_length=1, max_length=32, description="the room code")]
Nickname = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,23}$",
        description="a nickname: letters, digits, space, dot, dash, underscore; at most 24",
    ),
]
Token = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{16,64}$",
        description="the secret the room gave this laptop when it took the nickname",
    ),
]
TestName = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,99}$",
        description="the first failing test's name, e.g. test_split_is_stratified",
    ),
]


def _whole(value: Any) -> Any:
    """``46.0`` is the integer 46 in JSON Schema; ``46.5``, ``"46"`` and ``true`` are not."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Number = Annotated[int, Field(ge=0, le=99), BeforeValidator(_whole)]
Status = Literal[STATUSES]  # type: ignore[valid-type]


@with_config(STRICT)
class Join(TypedDict):
    """A learner joins the room under a nickname; a laptop joining again sends its token."""

    code: Code
    nickname: Nickname
    token: NotRequired[Token]


@with_config(STRICT)
class ExerciseResult(TypedDict):
    exercise: Number
    status: Status
    first_failure: TestName | None


@with_config(STRICT)
class CheckMessage(TypedDict):
    """One check's result: what ``make check`` or ``kit.check`` found, exercise by exercise."""

    code: Code
    nickname: Nickname
    token: Token
    stage: Number
    checked_at: Annotated[
        float, Field(ge=0, le=2**32, description="when the check ran: seconds since 1970, UTC")
    ]
    exercises: Annotated[list[ExerciseResult], Field(min_length=1, max_length=30)]


@with_config(STRICT)
class HandMessage(TypedDict):
    """A hand raised (with an optional line of text) or lowered."""

    code: Code
    nickname: Nickname
    token: Token
    raised: bool
    text: Annotated[str, Field(max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$")]


JOIN = TypeAdapter(Join)
CHECK = TypeAdapter(CheckMessage)
HAND = TypeAdapter(HandMessage)


class Refused(Exception):
    """A request the room does not take: the HTTP ``status``, the ``error`` in a few words, and
    ``(field, message)`` pairs saying what is wrong where. Every refusal has this one shape."""

    def __init__(self, status: int, error: str, *details: tuple[str, str]) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.details = [{"field": field, "message": message} for field, message in details]


def read(adapter: TypeAdapter, body: bytes) -> Any:
    """The message in a request body, or ``Refused``: 400 if it is not JSON, 422 if it is not
    this message.

    pydantic parses and validates in one pass. The room's only client is the kit's own
    ``learner.py``, which writes each key once, so a key written twice simply keeps its last
    value (stage 3's API, read by any client, refuses it instead: that is a lesson of its own).
    """
    try:
        return adapter.validate_json(body)
    except ValidationError as error:
        problems = error.errors(include_url=False, include_input=False)
    if problems[0]["type"] == "json_invalid":
        raise Refused(400, "malformed JSON", ("body", problems[0]["msg"]))
    details = [(_field_name(problem["loc"]), problem["msg"]) for problem in problems]
    raise Refused(422, "the message does not match the schema", *details)


def _field_name(location: tuple[int | str, ...]) -> str:
    """``("exercises", 3, "status")`` -> ``"exercises[3].status"``; ``()`` -> ``"body"``."""
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else str(part)
    return name or "body"
