"""What a request body must look like, declared once with pydantic and checked at the door.

Types are strict: a string ``"5.1"`` or ``true`` is not a length. Numbers must be finite,
above 0 and below ``MAX_CM`` (the same plausibility range as the data schema). A body with a
key written twice is refused as malformed JSON: which value was meant is a guess we don't make.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from iris_model.schema import MAX_CM

Length = Annotated[float, Field(gt=0, lt=MAX_CM, description="centimetres")]


class BodyError(ValueError):
    """A body that is not JSON we accept (malformed, or a key written twice)."""


class Flower(BaseModel):
    """One flower's four measurements, in centimetres."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)

    sepal_length: Length
    sepal_width: Length
    petal_length: Length
    petal_width: Length

    def measurements(self) -> tuple[float, float, float, float]:
        """The four lengths in ``FEATURES`` order, as the model expects its columns."""
        return self.sepal_length, self.sepal_width, self.petal_length, self.petal_width


class Batch(BaseModel):
    """Several flowers; the longest batch accepted comes from the validation context."""

    model_config = ConfigDict(strict=True, extra="forbid")

    instances: Annotated[list[Flower], Field(min_length=1)]

    @field_validator("instances", mode="before")
    @classmethod
    def _not_too_many(cls, value: Any, info: ValidationInfo) -> Any:
        most = (info.context or {}).get("max_batch")
        if most is not None and isinstance(value, list) and len(value) > most:
            raise PydanticCustomError(
                "too_long",
                "at most {most} flowers per batch, got {count}",
                {"most": most, "count": len(value)},
            )
        return value


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
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise BodyError(f"the key {twice!r} appears more than once in one object")
    return result
