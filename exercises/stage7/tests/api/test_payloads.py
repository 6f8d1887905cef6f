"""Request bodies: strict types, plausible lengths, bounded batches, one value per key."""

import json

import pytest
from stand_in import SETOSA

from iris_model.data import FEATURES
from iris_model.payloads import BodyError, SchemaError, parse_json, read_batch, read_flower


def _flower(**changes) -> bytes:
    return json.dumps({**SETOSA, **changes}).encode()


def _problems(read, body: bytes) -> list[tuple[tuple, str]]:
    with pytest.raises(SchemaError) as caught:
        read(body)
    return [(problem["loc"], problem["type"]) for problem in caught.value.problems]


def test_a_flower_has_the_features_in_the_models_order():
    assert tuple(read_flower(_flower())) == FEATURES
    assert read_flower(_flower()) == SETOSA


def test_an_integer_length_is_a_number():
    assert read_flower(_flower(petal_width=1))["petal_width"] == 1.0


@pytest.mark.parametrize("value", ["5.1", True, None, [5.1], {"cm": 5.1}])
def test_a_length_must_be_a_json_number(value):
    assert _problems(read_flower, _flower(sepal_length=value)) == [
        (("sepal_length",), "float_type")
    ]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_length_must_be_finite(value):
    body = _flower(petal_length=0).replace(
        b'"petal_length": 0', f'"petal_length": {value}'.encode()
    )
    assert _problems(read_flower, body) == [(("petal_length",), "finite_number")]


@pytest.mark.parametrize("value", [0, -1.5])
def test_a_length_must_be_positive(value):
    assert _problems(read_flower, _flower(sepal_width=value)) == [
        (("sepal_width",), "greater_than")
    ]


def test_a_length_of_a_metre_is_implausible():
    assert _problems(read_flower, _flower(sepal_width=100)) == [(("sepal_width",), "less_than")]


def test_missing_and_unknown_fields_are_both_named():
    body = {key: value for key, value in SETOSA.items() if key != "petal_width"} | {"colour": 1}
    assert _problems(read_flower, json.dumps(body).encode()) == [
        (("petal_width",), "missing"),
        (("colour",), "extra_forbidden"),
    ]


def _batch(*flowers, most: int = 10):
    return read_batch(json.dumps({"instances": list(flowers)}).encode(), most)


def test_a_batch_keeps_its_flowers_in_order():
    assert _batch(SETOSA, {**SETOSA, "petal_width": 2.0})["instances"][1]["petal_width"] == 2.0


def test_a_batch_names_the_flower_at_fault():
    with pytest.raises(SchemaError) as caught:
        _batch(SETOSA, {**SETOSA, "petal_width": "wide"})
    assert caught.value.problems[0]["loc"] == ("instances", 1, "petal_width")


def test_an_empty_batch_is_refused():
    with pytest.raises(SchemaError) as caught:
        _batch()
    assert caught.value.problems[0]["type"] == "too_short"


def test_a_batch_over_the_limit_is_refused_before_its_flowers_are_checked():
    with pytest.raises(SchemaError) as caught:
        _batch(*[{"not": "a flower"}] * 4, most=3)
    assert [problem["type"] for problem in caught.value.problems] == ["too_long"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"sepal_length": 5.1, "sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, '
        b'"petal_width": 0.2}',
        b'{"sepal_length": "x", "sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, '
        b'"petal_width": 0.2}',
        b'{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2, '
        b'"petal_width": -1}',
    ],
)
def test_a_valid_looking_flower_with_a_key_written_twice_is_refused(body):
    with pytest.raises(BodyError, match="appears more than once"):
        read_flower(body)


def test_a_key_written_twice_inside_a_batch_is_refused():
    flower = _flower().replace(b"{", b'{"petal_width": 9, ', 1)
    with pytest.raises(BodyError, match="'petal_width' appears more than once"):
        read_batch(b'{"instances": [' + _flower() + b", " + flower + b"]}", 10)


def test_escaped_key_names_are_read_as_their_characters():
    assert read_flower(_flower().replace(b'"sepal_length"', b'"sepal\\u005flength"')) == SETOSA


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
