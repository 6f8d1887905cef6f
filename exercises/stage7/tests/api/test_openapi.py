"""The OpenAPI document is valid, covers every route, and real answers match its schemas."""

import pytest
from jsonschema import Draft202012Validator, ValidationError
from openapi_spec_validator import validate
from stand_in import SETOSA, BrokenModel

from iris_model.app import create_app


@pytest.fixture
def document(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json


def _check(document: dict, path: str, method: str, response) -> None:
    """Validate ``response``'s body against the schema the document declares for it."""
    declared = document["paths"][path][method]["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    root = {**schema, "components": document["components"]}
    Draft202012Validator(root).validate(response.json)


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_the_document_lists_exactly_the_apps_routes(app, document):
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert set(document["paths"]) == routes


def test_the_document_states_the_configured_batch_limit(document):
    assert document["components"]["schemas"]["Batch"]["properties"]["instances"]["maxItems"] == 50


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/health", None),
        ("get", "/model", None),
        ("get", "/openapi.json", None),
        ("post", "/predict", SETOSA),
        ("post", "/predict/batch", {"instances": [SETOSA, SETOSA]}),
        ("post", "/predict", {**SETOSA, "petal_width": "wide"}),
        ("post", "/predict/batch", {"instances": []}),
        ("post", "/predict", b"{"),
        ("post", "/predict", "not json"),
    ],
)
def test_real_answers_match_the_declared_schemas(client, document, method, path, body):
    if isinstance(body, bytes):
        response = client.post(path, data=body, content_type="application/json")
    elif isinstance(body, str):
        response = client.post(path, data=body, content_type="text/plain")
    else:
        response = client.open(path, method=method.upper(), json=body)
    _check(document, path, method, response)


def test_a_500_matches_the_declared_error_schema(document):
    client = create_app({"MAX_BATCH": 50}, model=BrokenModel()).test_client()
    _check(document, "/predict", "post", client.post("/predict", json=SETOSA))


def test_a_schema_mismatch_would_be_caught(client, document):
    answer = {**client.post("/predict", json=SETOSA).json, "species": "rose"}
    prediction = {"$ref": "#/components/schemas/Prediction", "components": document["components"]}
    with pytest.raises(ValidationError, match="rose"):
        Draft202012Validator(prediction).validate(answer)
