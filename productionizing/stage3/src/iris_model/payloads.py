"""What a request body must look like, declared once (in pydantic types) and checked at the door.

Types are strict: a string ``"5.1"`` or ``true`` is not a length. Numbers must be finite,
above 0 and below ``MAX_CM`` (the same plausibility range as the data schema). A body with a
key written twice is refused as malformed JSON: which value was meant is a guess we don't make.

Reading is fast for good bodies and exact for bad ones. msgspec parses and checks the same
types in one pass, without building the parsed objects first (for a 10,000-flower batch, a
third of the time that parsing and then validating took; see docs/benchmarks.md). If it
refuses the body, or the body holds keys it ignored, the standard library reads it again and
pydantic validates it: pydantic is the contract, the error messages and the OpenAPI schema.
Reading again finds keys written twice, and accepts ``NaN`` so that the error names the field
that holds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    with_config,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from iris_model.data import FEATURES
from iris_model.schema import MAX_CM

Length = Annotated[
    float,
    Field(gt=0, lt=MAX_CM, description="centimetres"),  # for pydantic
    msgspec.Meta(gt=0, lt=MAX_CM),  # the same rule, for msgspec's fast reading
]
STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)
Body = TypeVar("Body")


class BodyError(ValueError):
    """A body that is not JSON we accept (malformed, or a key written twice)."""


class SchemaError(ValueError):
    """JSON that does not match the schema; ``problems`` are pydantic's, without the input."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(str(error))
        self.problems = error.errors(include_url=False, include_input=False)


@with_config(STRICT)
class Flower(TypedDict):
    """One flower's four measurements, in centimetres."""

    sepal_length: Length
    sepal_width: Length
    petal_length: Length
    petal_width: Length


def _not_too_many(value: Any, info: ValidationInfo) -> Any:
    """Refuse a batch over the limit before validating its flowers one by one."""
    most = (info.context or {}).get("max_batch")
    if most is not None and isinstance(value, list) and len(value) > most:
        raise PydanticCustomError(
            "too_long",
            "at most {most} flowers per batch, got {count}",
            {"most": most, "count": len(value)},
        )
    return value


@with_config(STRICT)
class Batch(TypedDict):
    """Several flowers; the longest batch accepted comes from the validation context."""

    instances: Annotated[
        list[Flower],
        Field(min_length=1),
        BeforeValidator(_not_too_many),
        msgspec.Meta(min_length=1),
    ]


FLOWER = TypeAdapter(Flower)
BATCH = TypeAdapter(Batch)
FAST_FLOWER = msgspec.json.Decoder(Flower)
FAST_BATCH = msgspec.json.Decoder(Batch)


def read_flower(body: bytes) -> Flower:
    """One flower from a request body; ``BodyError`` or ``SchemaError`` if not."""
    return _read(body, FLOWER, FAST_FLOWER, accept=lambda _: _keys_in(body) == len(FEATURES))


def read_batch(body: bytes, max_batch: int) -> Batch:
    """A batch of 1 to ``max_batch`` flowers from a request body."""

    def accept(batch: Batch) -> bool:
        count = len(batch["instances"])
        return count <= max_batch and _keys_in(body) == 1 + len(FEATURES) * count

    return _read(body, BATCH, FAST_BATCH, accept, max_batch=max_batch)


def _read(
    body: bytes,
    schema: TypeAdapter[Body],
    fast: msgspec.json.Decoder,
    accept: Callable[[Body], bool],
    **context: Any,
) -> Body:
    try:
        valid = fast.decode(body)
    except (msgspec.MsgspecError, RecursionError):  # RecursionError: nested too deeply
        pass  # read it again below, to say exactly what is wrong
    else:
        if accept(valid):
            return valid
    try:
        return schema.validate_python(parse_json(body), context=context)
    except ValidationError as error:
        raise SchemaError(error) from None


def _keys_in(body: bytes) -> float:
    """The keys in a body whose values are all numbers: every '"' then belongs to a key.

    msgspec keeps the last of a key written twice and skips keys it does not know, so a body
    with more keys than the schema expects goes to the exact reading, which refuses both.
    """
    return body.count(b'"') / 2


def parse_json(body: bytes) -> Any:
    """The JSON value in ``body``, or ``BodyError`` saying what is wrong with it."""
    try:
        return json.loads(body, object_pairs_hook=_refuse_duplicate_keys)
    except BodyError:
        raise
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise BodyError(f"not valid JSON: {error.msg} ({where})") from None
    except RecursionError:
        raise BodyError("not valid JSON: nested too deeply") from None
    except ValueError as error:  # undecodable bytes, an integer with too many digits
        raise BodyError(f"not valid JSON: {error}") from None


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Stage 3, exercise 4: `json.loads` calls this with each object's (key, value) pairs, in order.
    # Return them as a dict, or raise `BodyError` naming the first key that appears twice, e.g. "the
    # key 'petal_width' appears more than once in one object".
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise BodyError(f"the key {twice!r} appears more than once in one object")
    return result
