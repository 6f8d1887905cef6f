"""Error bodies: field names a client can find, and a 500 that hides its traceback."""

import logging

import pytest
from stand_in import SETOSA, BrokenModel

from iris_model.app import create_app
from iris_model.errors import field_name


@pytest.mark.parametrize(
    ("location", "name"),
    [
        ((), "body"),
        (("sepal_length",), "sepal_length"),
        (("instances",), "instances"),
        (("instances", 3, "petal_width"), "instances[3].petal_width"),
    ],
)
def test_field_name_reads_like_a_path_into_the_body(location, name):
    assert field_name(location) == name


def test_an_unexpected_error_is_a_json_500_with_a_logged_request_id(caplog):
    client = create_app({"TESTING": False}, model=BrokenModel()).test_client()
    with caplog.at_level(logging.ERROR):
        response = client.post("/predict", json=SETOSA)
    assert response.status_code == 500
    request_id = response.json["request_id"]
    assert response.json == {
        "error": "internal server error",
        "details": [],
        "request_id": request_id,
    }
    assert response.headers["X-Request-ID"] == request_id
    assert "secret internal detail" not in response.get_data(as_text=True)
    (record,) = [r for r in caplog.records if request_id in r.getMessage()]
    assert record.exc_info is not None
