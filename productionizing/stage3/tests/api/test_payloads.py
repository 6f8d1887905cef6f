"""Request bodies: strict types, plausible lengths, bounded batches, one value per key."""

import math

import pytest
from pydantic import ValidationError
from stand_in import SETOSA

from iris_model.data import FEATURES
from iris_model.payloads import Batch, BodyError, Flower, parse_json


def _problems(schema, value, **context) -> list[tuple[tuple, str]]:
    with pytest.raises(ValidationError) as caught:
        schema.model_validate(value, context=context)
    return [(problem["loc"], problem["type"]) for problem in caught.value.errors()]


def test_a_flower_lists_the_features_in_the_models_order():
    assert tuple(Flower.model_fields) == FEATURES
    assert Flower(**SETOSA).measurements() == (5.1, 3.5, 1.4, 0.2)


def test_an_integer_length_is_a_number():
    assert Flower.model_validate({**SETOSA, "petal_width": 1}).petal_width == 1.0


@pytest.mark.parametrize("value", ["5.1", True, None, [5.1], {"cm": 5.1}])
def test_a_length_must_be_a_json_number(value):
    assert _problems(Flower, {**SETOSA, "sepal_length": value}) == [
        (("sepal_length",), "float_type")
    ]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_length_must_be_finite(value):
    assert _problems(Flower, {**SETOSA, "petal_length": value}) == [
        (("petal_length",), "finite_number")
    ]


@pytest.mark.parametrize(("value", "kind"), [(0, "greater_than"), (-1.5, "greater_than")])
def test_a_length_must_be_positive(value, kind):
    assert _problems(Flower, {**SETOSA, "sepal_width": value}) == [(("sepal_width",), kind)]


def test_a_length_of_a_metre_is_implausible():
    assert _problems(Flower, {**SETOSA, "sepal_width": 100}) == [(("sepal_width",), "less_than")]


def test_missing_and_unknown_fields_are_both_named():
    body = {key: value for key, value in SETOSA.items() if key != "petal_width"} | {"colour": 1}
    assert _problems(Flower, body) == [
        (("petal_width",), "missing"),
        (("colour",), "extra_forbidden"),
    ]


def test_a_batch_names_the_flower_at_fault():
    body = {"instances": [SETOSA, {**SETOSA, "petal_width": "wide"}]}
    assert _problems(Batch, body) == [(("instances", 1, "petal_width"), "float_type")]


def test_an_empty_batch_is_refused():
    assert _problems(Batch, {"instances": []}) == [(("instances",), "too_short")]


def test_a_batch_over_the_limit_is_refused_before_its_flowers_are_checked():
    body = {"instances": [{"not": "a flower"}] * 4}
    assert _problems(Batch, body, max_batch=3) == [(("instances",), "too_long")]


def test_parse_json_reads_numbers_nan_included():
    assert parse_json(b'{"a": 1.5, "b": [NaN]}')["a"] == 1.5


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"a": 1, "a": 2}', "'a' appears more than once"),
        (b'{"x": {"b": 1, "b": 1}}', "'b' appears more than once"),
        (b'{"a": ', "not valid JSON"),
        (b"[" * 100_000, "nested too deeply"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"9" * 5000, "not valid JSON"),
    ],
)
def test_parse_json_refuses_what_it_cannot_read_unambiguously(body, says):
    with pytest.raises(BodyError, match=says):
        parse_json(body)
