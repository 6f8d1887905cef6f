"""What a learner's laptop may send the room, declared once in pydantic types, checked at the door.

The types are the contract, the source of every error message and of the OpenAPI schema (as in
stage 3's ``payloads.py``). They are strict and closed: a message carries a nickname, a stage,
exercise numbers, statuses, a test's name and a time, and nothing else can get in (no code, no
paths, no failure text). Which stages and exercises exist is the course's business: the app
checks that after the types.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

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


class BodyError(ValueError):
    """A body that is not JSON we accept (malformed, or a key written twice)."""


class SchemaError(ValueError):
    """JSON that does not match the schema; ``problems`` are pydantic's, without the input."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(str(error))
        self.problems = error.errors(include_url=False, include_input=False)


@with_config(STRICT)
class Join(TypedDict):
    """A learner joins the room under a nickname."""

    code: Code
    nickname: Nickname


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
    raised: bool
    text: Annotated[str, Field(max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$")]


JOIN = TypeAdapter(Join)
CHECK = TypeAdapter(CheckMessage)
HAND = TypeAdapter(HandMessage)


def read(adapter: TypeAdapter, body: bytes) -> Any:
    """A message from a request body; ``BodyError`` or ``SchemaError`` if it is not one."""
    return _validated(adapter, _parsed(body))


def _parsed(body: bytes) -> Any:
    try:
        return json.loads(body, object_pairs_hook=_no_repeated_keys)
    except BodyError:
        raise
    except (ValueError, RecursionError) as error:  # JSONDecodeError and bad UTF-8 included
        raise BodyError(f"not valid JSON: {error}") from None


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if repeated := sorted({key for key in keys if keys.count(key) > 1}):
        raise BodyError(f"a key written twice: {', '.join(repeated)}")
    return dict(pairs)


def _validated(adapter: TypeAdapter, value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        raise SchemaError(error) from None
