"""The endpoints, as a client sees them through Flask's test client."""

from stand_in import SETOSA, VIRGINICA


def test_health_says_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_model_describes_the_loaded_model(client):
    response = client.get("/model")
    assert response.status_code == 200
    assert response.json["name"] == "stand-in"
    assert response.json["classes"] == ["setosa", "versicolor", "virginica"]
    assert "config" not in response.json


def test_predict_answers_species_and_probabilities(client):
    response = client.post("/predict", json=SETOSA)
    assert response.status_code == 200
    assert response.json == {
        "species": "setosa",
        "probabilities": {"setosa": 0.8, "versicolor": 0.1, "virginica": 0.1},
    }


def test_predict_accepts_a_json_content_type_with_charset(client):
    response = client.post(
        "/predict",
        data=b'{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}',
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 200


def test_batch_answers_in_the_order_of_the_instances(client):
    response = client.post("/predict/batch", json={"instances": [VIRGINICA, SETOSA, VIRGINICA]})
    assert response.status_code == 200
    species = [prediction["species"] for prediction in response.json["predictions"]]
    assert species == ["virginica", "setosa", "virginica"]


def test_batch_accepts_exactly_the_configured_limit(client):
    response = client.post("/predict/batch", json={"instances": [SETOSA] * 50})
    assert response.status_code == 200
    assert len(response.json["predictions"]) == 50


def test_batch_over_the_limit_is_a_422_naming_instances(client):
    response = client.post("/predict/batch", json={"instances": [SETOSA] * 51})
    assert response.status_code == 422
    assert response.json["details"] == [
        {"field": "instances", "message": "at most 50 flowers per batch, got 51"}
    ]


def test_empty_batch_is_a_422(client):
    response = client.post("/predict/batch", json={"instances": []})
    assert response.status_code == 422
    assert response.json["details"][0]["field"] == "instances"


def test_a_string_length_is_a_422_naming_the_field(client):
    response = client.post("/predict", json={**SETOSA, "sepal_length": "5.1"})
    assert response.status_code == 422
    assert response.json["details"] == [
        {"field": "sepal_length", "message": "Input should be a valid number"}
    ]


def test_a_bad_flower_in_a_batch_is_named_by_its_position(client):
    body = {"instances": [SETOSA, {**SETOSA, "petal_width": -1}]}
    response = client.post("/predict/batch", json=body)
    assert response.status_code == 422
    assert response.json["details"][0]["field"] == "instances[1].petal_width"


def test_predict_rejects_negative_length(client):
    response = client.post("/predict", json={**SETOSA, "petal_length": -1.4})
    assert response.status_code == 422
    assert response.json["details"][0]["field"] == "petal_length"


def test_nan_is_a_422_not_a_parse_error(client):
    body = b'{"sepal_length": NaN, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'
    response = client.post("/predict", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json["details"] == [
        {"field": "sepal_length", "message": "Input should be a finite number"}
    ]


def test_a_key_written_twice_is_a_400(client):
    body = b'{"sepal_length": 5.1, "sepal_length": 6.0, "sepal_width": 3.5}'
    response = client.post("/predict", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "'sepal_length' appears more than once" in response.json["details"][0]["message"]


def test_malformed_json_is_a_400(client):
    response = client.post("/predict", data=b'{"sepal_length": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"] == "malformed JSON"


def test_a_form_post_is_a_415(client):
    response = client.post("/predict", data=SETOSA)
    assert response.status_code == 415
    assert response.json["details"][0]["field"] == "Content-Type"


def test_a_body_over_the_limit_is_a_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = b'{"instances": [' + b" " * 2000 + b"]}"
    response = client.post("/predict/batch", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.is_json


def test_an_unknown_path_is_a_json_404(client):
    response = client.get("/predictions")
    assert response.status_code == 404
    assert response.json["error"] == "not found"


def test_a_wrong_method_is_a_json_405_that_says_what_is_allowed(client):
    response = client.get("/predict")
    assert response.status_code == 405
    assert response.is_json
    assert "POST" in response.headers["Allow"]
