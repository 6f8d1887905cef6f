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


def _assert_json_client_error(response, sent: str) -> None:
    """A 4xx in the API's JSON error shape; a failure names the request and what came back,
    since hypothesis's shrunk example is all a reader has to go on."""
    status, answer = response.status_code, response.get_data(as_text=True)[:200]
    assert 400 <= status < 500, f"expected a 4xx for {sent}, got {status}: {answer}"
    assert response.is_json, f"expected a JSON error for {sent}, got {response.content_type}"
    keys = sorted(response.json) if isinstance(response.json, dict) else response.json
    assert keys == ["details", "error"], f"expected error and details for {sent}, got {keys}"
    assert all(set(problem) == {"field", "message"} for problem in response.json["details"]), (
        f"expected each of details to be a field and a message for {sent}, got {answer}"
    )


def _request(endpoint: str, body: object) -> str:
    """``POST /predict {...}``: the request as a failure message shows it, cut short."""
    shown = body if isinstance(body, str | bytes) else json.dumps(body)
    return f"POST {endpoint} {shown[:120]!r}"


def _is_valid(body) -> bool:
    return isinstance(body, dict) and (body.keys() == set(FEATURES) or "instances" in body)


@SETTINGS
@given(endpoint=st.sampled_from(ENDPOINTS), body=bodies)
def test_generated_json_never_causes_a_5xx(client, endpoint, body):
    response = client.post(endpoint, data=json.dumps(body), content_type="application/json")
    if response.status_code == 200:
        assert _is_valid(body), f"expected a 4xx for {_request(endpoint, body)}, got 200"
    else:
        _assert_json_client_error(response, _request(endpoint, body))


@SETTINGS
@given(endpoint=st.sampled_from(ENDPOINTS), raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_cause_a_5xx(client, endpoint, raw):
    response = client.post(endpoint, data=raw, content_type="application/json")
    _assert_json_client_error(response, _request(endpoint, raw))


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
    sent = _request(endpoint, body)
    assert response.status_code == 400, (
        f"expected 400 for {sent}, got {response.status_code}: {response.get_data()[:200]!r}"
    )
    message = response.json["details"][0]["message"]
    assert "appears more than once" in message, (
        f"expected the message to say {key!r} appears more than once for {sent}, got {message!r}"
    )


@SETTINGS
@given(depth=st.integers(1, 50_000), opener=st.sampled_from(["[", '{"a":']))
def test_deep_nesting_is_a_4xx(client, depth, opener):
    response = client.post("/predict", data=opener * depth, content_type="application/json")
    _assert_json_client_error(response, f"POST /predict {opener!r} nested {depth} times")


@SETTINGS
@given(
    content_type=st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "", "json"])
)
def test_wrong_content_types_are_a_415(client, content_type):
    response = client.post("/predict", data=json.dumps(SETOSA), content_type=content_type)
    assert response.status_code == 415, (
        f"expected 415 for POST /predict with Content-Type {content_type!r}, "
        f"got {response.status_code}"
    )
