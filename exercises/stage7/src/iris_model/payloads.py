"""What a request body must look like, declared once in pydantic types and checked at the door.

pydantic reads every body: the types below are the contract, the source of every error message
and of the OpenAPI schema. They are strict: a string ``"5.1"`` or ``true`` is not a length.
Numbers must be finite, above 0 and below ``MAX_CM`` (the same plausibility range as the data
schema). Python's ``json`` turns the bytes into values first, for two reasons: it shows us a key
written twice (which value was meant is a guess we don't make), and it reads ``NaN``, so that
pydantic's error names the field that holds it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

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
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from iris_model.schema import MAX_CM

Length = Annotated[float, Field(gt=0, lt=MAX_CM, description="centimetres")]
STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


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

    instances: Annotated[list[Flower], Field(min_length=1), BeforeValidator(_not_too_many)]


FLOWER = TypeAdapter(Flower)
BATCH = TypeAdapter(Batch)


def read_flower(body: bytes) -> Flower:
    """One flower from a request body; ``BodyError`` or ``SchemaError`` if not."""
    return _validate(FLOWER, parse_json(body))


def read_batch(body: bytes, max_batch: int) -> Batch:
    """A batch of 1 to ``max_batch`` flowers from a request body."""
    return _validate(BATCH, parse_json(body), max_batch=max_batch)


def _validate(schema: TypeAdapter[Any], value: Any, **context: Any) -> Any:
    """``value`` checked by pydantic against ``schema``; its errors become a ``SchemaError``."""
    try:
        return schema.validate_python(value, context=context)
    except ValidationError as error:
        raise SchemaError(error) from None


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
    # Stage 3, exercise 3: `json.loads` calls this with each object's (key, value) pairs, in order.
    # Return them as a dict, or raise `BodyError` naming the first key that appears twice, e.g. "the
    # key 'petal_width' appears more than once in one object".
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise BodyError(f"the key {twice!r} appears more than once in one object")
    return result
