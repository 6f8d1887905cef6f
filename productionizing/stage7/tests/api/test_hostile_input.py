"""Hundreds of generated bad bodies: the API answers each with a JSON 4xx, never a 5xx."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stand_in import SETOSA

from iris_model.data import FEATURES

ENDPOINTS = ("/predict", "/predict/batch")
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
flowers = st.fixed_dictionaries({name: values for name in FEATURES}) | st.dictionaries(
    st.sampled_from([*FEATURES, "species", "", "\u0455epal_length"]), values, max_size=6
)
bodies = (
    values | flowers | st.fixed_dictionaries({"instances": st.lists(flowers, max_size=5) | values})
)


def _assert_json_client_error(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data()[:200])
    assert response.is_json
    assert set(response.json) == {"error", "details"}
    assert all(set(problem) == {"field", "message"} for problem in response.json["details"])


def _is_valid(body) -> bool:
    return isinstance(body, dict) and (body.keys() == set(FEATURES) or "instances" in body)


@SETTINGS
@given(endpoint=st.sampled_from(ENDPOINTS), body=bodies)
def test_generated_json_never_causes_a_5xx(client, endpoint, body):
    response = client.post(endpoint, data=json.dumps(body), content_type="application/json")
    if response.status_code == 200:
        assert _is_valid(body)
    else:
        _assert_json_client_error(response)


@SETTINGS
@given(endpoint=st.sampled_from(ENDPOINTS), raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_cause_a_5xx(client, endpoint, raw):
    response = client.post(endpoint, data=raw, content_type="application/json")
    _assert_json_client_error(response)


@SETTINGS
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    key=st.sampled_from(FEATURES),
    first=st.floats(1, 10),
    second=st.floats(1, 10) | st.text(),
)
def test_duplicate_keys_are_always_refused(client, endpoint, key, first, second):
    pairs = [f'"{name}": {value}' for name, value in SETOSA.items()]
    pairs.append(f"{json.dumps(key)}: {json.dumps(second)}")
    flower = "{" + ", ".join(pairs) + "}"
    body = flower if endpoint == "/predict" else '{"instances": [' + flower + "]}"
    response = client.post(endpoint, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "appears more than once" in response.json["details"][0]["message"]


@SETTINGS
@given(depth=st.integers(1, 50_000), opener=st.sampled_from(["[", '{"a":']))
def test_deep_nesting_is_a_4xx(client, depth, opener):
    response = client.post("/predict", data=opener * depth, content_type="application/json")
    _assert_json_client_error(response)


@SETTINGS
@given(
    content_type=st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "", "json"])
)
def test_wrong_content_types_are_a_415(client, content_type):
    response = client.post("/predict", data=json.dumps(SETOSA), content_type=content_type)
    assert response.status_code == 415
