"""Stage 3 check: the API's endpoints, its model service, exact input reading and JSON errors."""

from __future__ import annotations

import json
import logging
import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from kit.example_flowers import SETOSA, VIRGINICA

GET_ENDPOINTS = pytest.mark.exercise(
    1,
    "The GET endpoints: routes.health, routes.model_info",
    hint="the TODOs in routes.health and routes.model_info; notebook: 'Exercise 1 — The GET "
    "endpoints'; Flask's quickstart, 'APIs with JSON'",
)
SERVICE = pytest.mark.exercise(
    2,
    "One array, one model call: ModelService.predict",
    hint="the TODO in ModelService.predict (service.py); notebook: 'Exercise 2 — One array, one "
    "model call'; NumPy's numpy.argmax page (its axis)",
)
EXACT_JSON = pytest.mark.exercise(
    3,
    "Read bodies exactly: payloads._refuse_duplicate_keys",
    hint="the TODO in payloads._refuse_duplicate_keys; notebook: 'Exercise 3 — Read bodies "
    "exactly'; Python's json module page, object_pairs_hook",
)
POST_ENDPOINTS = pytest.mark.exercise(
    4,
    "The POST endpoints: routes.predict, routes.predict_batch",
    hint="the TODOs in routes.predict and routes.predict_batch; notebook: 'Exercise 4 — The POST "
    "endpoints'; Flask's 'The Application Context' (current_app)",
    needs=(2, 3),
)
ERRORS = pytest.mark.exercise(
    5,
    "Errors name the field, a 500 hides its traceback: errors.field_name, _unexpected_error",
    hint="the TODOs in errors.field_name and errors._unexpected_error; notebook: 'Exercise 5 — "
    "Errors that help'; Flask's 'Handling Application Errors'; Python's uuid page",
    needs=(3, 4),
)
SUITE = pytest.mark.exercise(
    6,
    "The API's own tests pass",
    hint="in your stage 3 folder, run `../../.venv/bin/python -m pytest tests/api -x` (the "
    "kit's Python, whichever your shell has) and read the first failure; "
    "notebook: 'Exercise 6 — The API's tests pass'",
    needs=(1, 2, 3, 4, 5),
)

CLASSES = ("setosa", "versicolor", "virginica")
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")


class StandInModel:
    """Setosa below 2.5 cm of petal, versicolor below 5, virginica above; sure at 0.8."""

    classes = CLASSES

    def __init__(self) -> None:
        self.calls: list[np.ndarray] = []
        self.metadata = {
            "name": "stand-in",
            "version": "0.0.0",
            "trained_at": "2026-01-01T00:00:00Z",
            "metrics": {"cv_accuracy": 1.0},
            "features": list(FEATURES),
            "classes": list(CLASSES),
            "config": {"private": True},
        }

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        self.calls.append(rows)
        best = np.digitize(np.asarray(rows, dtype=float)[:, 2], [2.5, 5.0])
        probabilities = np.full((len(rows), 3), 0.1)
        probabilities[np.arange(len(rows)), best] = 0.8
        return probabilities


@pytest.fixture
def model() -> StandInModel:
    return StandInModel()


@pytest.fixture
def app(load, model):
    """The target's app around the stand-in, errors handled as in production (not TESTING)."""
    return load("app").create_app({"MAX_BATCH": 20}, model=model)


@pytest.fixture
def client(app):
    return app.test_client()


def _body(response) -> str:
    return response.get_data(as_text=True)[:200]


def _status(response, expected: int, caplog: pytest.LogCaptureFixture) -> str:
    """ "expected 200, got 500", with the exception the app logged when there is one."""
    message = f"expected {expected}, got {response.status_code}"
    errors = [record.exc_info[1] for record in caplog.records if record.exc_info]
    if errors:
        cause = errors[-1]
        while cause.__context__ is not None:
            cause = cause.__context__
        message += f" (the app raised {type(cause).__name__}: {cause})"
    return message


@GET_ENDPOINTS
def test_health_answers_ok(client, caplog):
    response = client.get("/health")
    assert response.status_code == 200, "GET /health: " + _status(response, 200, caplog)
    assert response.json == {"status": "ok"}, f'expected {{"status": "ok"}}, got {_body(response)}'


@GET_ENDPOINTS
def test_model_describes_the_model_without_its_configuration(client, caplog):
    response = client.get("/model")
    assert response.status_code == 200, "GET /model: " + _status(response, 200, caplog)
    keys = {"name", "version", "trained_at", "metrics", "features", "classes"}
    got = set(response.json or {})
    assert got == keys, f"expected the keys {sorted(keys)}, got {sorted(got)}"


@SERVICE
def test_the_service_calls_the_model_once_with_one_float_array(load, model):
    service = load("service").ModelService(model)
    service.predict([VIRGINICA, SETOSA, VIRGINICA])
    assert len(model.calls) == 1, f"expected one predict_proba call, got {len(model.calls)}"
    rows = model.calls[0]
    assert isinstance(rows, np.ndarray), f"expected a numpy array, got {type(rows).__name__}"
    assert rows.dtype == np.float64, f"expected float64, got {rows.dtype}"
    expected = [[6.7, 3.0, 5.8, 2.2], [5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.8, 2.2]]
    assert rows.tolist() == expected, (
        f"expected rows in FEATURES order {expected}, got {rows.tolist()}"
    )


@SERVICE
def test_the_service_answers_species_and_probabilities_in_order(load, model):
    predictions = load("service").ModelService(model).predict([VIRGINICA, SETOSA])
    species = [prediction.get("species") for prediction in predictions]
    assert species == ["virginica", "setosa"], f"expected ['virginica', 'setosa'], got {species}"
    expected = {"setosa": 0.1, "versicolor": 0.1, "virginica": 0.8}
    got = predictions[0].get("probabilities")
    assert got == expected, f"expected probabilities {expected}, got {got}"
    assert all(type(p) is float for p in got.values()), "expected plain floats (JSON), got numpy"


@EXACT_JSON
@pytest.mark.parametrize(
    ("body", "key"),
    [
        (
            '{"sepal_length": 5.1, "sepal_length": 6, "sepal_width": 3.5, "petal_length": 1.4, '
            '"petal_width": 0.2}',
            "sepal_length",
        ),
        (
            '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2, '
            '"petal_width": "x"}',
            "petal_width",
        ),
    ],
)
def test_a_key_written_twice_is_refused_by_name(load, body, key):
    payloads = load("payloads")
    with pytest.raises(payloads.BodyError) as error:
        payloads.read_flower(body.encode())
        pytest.fail("expected BodyError for a key written twice, got the flower accepted")
    assert repr(key) in str(error.value), f"expected the message to name {key!r}, got {error.value}"


@EXACT_JSON
@pytest.mark.parametrize("value", ['"5.1"', "true", "NaN", "-1", "100", "1e400"])
def test_a_length_must_be_a_plausible_json_number(load, value):
    payloads = load("payloads")
    body = json.dumps({**SETOSA, "sepal_length": 0}).replace(
        '"sepal_length": 0', f'"sepal_length": {value}'
    )
    with pytest.raises(payloads.SchemaError) as error:
        payloads.read_flower(body.encode())
        pytest.fail(f"expected SchemaError for sepal_length = {value}, got the flower accepted")
    places = [problem["loc"] for problem in error.value.problems]
    assert places == [("sepal_length",)], f"expected the error at sepal_length, got {places}"


@EXACT_JSON
def test_an_ordinary_flower_is_read_as_it_is(load):
    flower = load("payloads").read_flower(json.dumps(SETOSA).encode())
    assert dict(flower) == SETOSA, f"expected {SETOSA}, got {flower}"


@POST_ENDPOINTS
def test_predict_answers_one_flower(client, caplog):
    response = client.post("/predict", json=SETOSA)
    assert response.status_code == 200, _status(response, 200, caplog)
    assert response.json.get("species") == "setosa", f"expected setosa, got {_body(response)}"


@POST_ENDPOINTS
@pytest.mark.parametrize("path", ["/predict", "/predict/batch"])
def test_a_body_not_sent_as_json_is_a_415(client, caplog, path):
    body = json.dumps({"instances": [SETOSA]} if path.endswith("batch") else SETOSA)
    response = client.post(path, data=body, content_type="text/plain")
    assert response.status_code == 415, (
        f"expected 415 for a body sent as text/plain to {path} (the request's JSON body is read "
        f"by _json_body, which checks its Content-Type), got {_status(response, 415, caplog)}"
    )


UNREADABLE_BODIES = {
    "JSON cut short": (b'{"sepal_length": 5.1,', 400),
    "bytes that are not UTF-8": (b"\xff\xfe{}", 400),
    "a negative length": (json.dumps({**SETOSA, "petal_length": -1.4}).encode(), 422),
}
"""Bodies sent as JSON that the body reader (read_flower, read_batch) refuses, and its status."""


def _schema_errors_answered_by_the_check(app, load) -> None:
    """The reader's ``SchemaError`` answered 422 here, not by ``errors.py``: its answer names
    the field with ``errors.field_name``, exercise 5, which the POST endpoints must not wait for."""
    app.register_error_handler(
        load("payloads").SchemaError, lambda error: ({"error": "schema"}, 422)
    )


@POST_ENDPOINTS
@pytest.mark.parametrize("path", ["/predict", "/predict/batch"])
@pytest.mark.parametrize("what", UNREADABLE_BODIES)
def test_every_body_goes_through_the_body_reader(app, load, caplog, path, what):
    body, status = UNREADABLE_BODIES[what]
    if path.endswith("batch"):
        body = b'{"instances": [' + body + b"]}"
    _schema_errors_answered_by_the_check(app, load)
    response = app.test_client().post(path, data=body, content_type="application/json")
    assert response.status_code == status, (
        f"expected {status} for {what} sent to {path} (the body read by _json_body, then by "
        f"read_flower or read_batch, which refuse it), got {_status(response, status, caplog)}"
    )
    assert response.is_json, f"expected a JSON error for {what}, got {_body(response)!r}"


@POST_ENDPOINTS
@pytest.mark.parametrize("path", ["/predict", "/predict/batch"])
def test_a_body_over_the_size_limit_is_a_413(load, model, caplog, path):
    app = load("app").create_app({"MAX_BATCH": 20, "MAX_CONTENT_LENGTH": 1024}, model=model)
    flower = json.dumps({"instances": [SETOSA]} if path.endswith("batch") else SETOSA)
    body = flower + " " * 2048  # valid JSON, twice the limit
    response = app.test_client().post(path, data=body, content_type="application/json")
    assert response.status_code == 413, (
        f"expected 413 for a 2 KiB body when MAX_CONTENT_LENGTH is 1 KiB (Flask refuses it while "
        f"the body is read: read it with _json_body), got {_status(response, 413, caplog)}"
    )


@POST_ENDPOINTS
def test_batch_answers_every_flower_in_order(client, caplog):
    response = client.post("/predict/batch", json={"instances": [VIRGINICA, SETOSA, SETOSA]})
    assert response.status_code == 200, _status(response, 200, caplog)
    species = [p["species"] for p in response.json.get("predictions", [])]
    assert species == ["virginica", "setosa", "setosa"], f"expected that order, got {species}"


@POST_ENDPOINTS
def test_a_real_pipeline_is_served(load, iris, caplog):
    pipeline = Pipeline([("scale", StandardScaler()), ("fit", LogisticRegression(max_iter=1000))])
    pipeline.fit(iris.iloc[:, :4].to_numpy(dtype="float64"), iris["species"].to_numpy())
    trained = load("artifact").TrainedModel(pipeline=pipeline, metadata={"classes": list(CLASSES)})
    client = load("app").create_app(model=trained).test_client()
    response = client.post("/predict", json=VIRGINICA)
    assert response.status_code == 200, _status(response, 200, caplog)
    total = sum(response.json["probabilities"].values())
    assert response.json["species"] == "virginica", f"expected virginica, got {_body(response)}"
    assert abs(total - 1) < 1e-9, f"expected probabilities summing to 1, got {total}"


@ERRORS
@pytest.mark.parametrize(
    ("location", "name"),
    [
        ((), "body"),
        (("petal_width",), "petal_width"),
        (("instances", 2, "petal_width"), "instances[2].petal_width"),
    ],
)
def test_field_names_read_like_paths_into_the_body(load, location, name):
    got = load("errors").field_name(location)
    assert got == name, f"expected field_name({location}) = {name!r}, got {got!r}"


@ERRORS
def test_a_bad_flower_in_a_batch_is_a_422_naming_it(client, caplog):
    body = {"instances": [SETOSA, {**SETOSA, "petal_width": "wide"}]}
    response = client.post("/predict/batch", json=body)
    assert response.status_code == 422, _status(response, 422, caplog)
    fields = [detail["field"] for detail in response.json["details"]]
    assert fields == ["instances[1].petal_width"], (
        f"expected ['instances[1].petal_width'], got {fields}"
    )


@ERRORS
def test_a_bug_is_a_json_500_with_a_logged_request_id(load, model, caplog):
    app = load("app").create_app(model=model)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom")
    assert response.status_code == 500, f"expected 500, got {response.status_code}"
    assert response.is_json, "expected a JSON 500, got: " + _status(response, 500, caplog)
    request_id = response.json.get("request_id", "")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id), (
        f"expected a uuid4 hex request_id, got {request_id!r}"
    )
    assert "secret internal detail" not in _body(response), "expected no exception text, got it"
    header = response.headers.get("X-Request-ID")
    assert header == request_id, (
        f"expected the X-Request-ID header to carry the body's request_id, got {header!r}"
    )
    logged = [r for r in caplog.records if request_id in r.getMessage() and r.exc_info]
    assert logged, (
        "expected the error logged with its traceback and the request id, got no such record"
    )


@SUITE
def test_the_api_test_suite_passes(workdir, run_python):
    """Stops at the first failure (``-x``): it is the one to fix, and hypothesis need not
    shrink the rest."""
    done = run_python(
        *("-m", "pytest", "tests/api", "-x", "-q", "-p", "no:cacheprovider", "--color=no"),
        cwd=workdir,
    )
    lines = done.stdout.strip().splitlines() or ["(no output)"]
    failures = [line for line in lines if line.startswith(("FAILED ", "ERROR ")) and "::" in line]
    first = f"; first: {failures[0]}" if failures else ""
    assert done.returncode == 0, f"expected every API test to pass, got: {lines[-1]}{first}"
