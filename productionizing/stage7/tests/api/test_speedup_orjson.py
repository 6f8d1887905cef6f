"""The optional orjson speed-up: answers are JSON that a client reads back exactly."""

import json

from stand_in import SETOSA


def test_answers_are_json_with_floats_that_round_trip(client):
    response = client.post("/predict/batch", json={"instances": [SETOSA] * 3})
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data()) == response.json
    assert response.json["predictions"][0]["probabilities"]["setosa"] == 0.8


def test_the_app_uses_the_orjson_provider(app):
    assert type(app.json).__name__ == "OrjsonProvider"
    assert app.json.loads(app.json.dumps({"species": "setosa"})) == {"species": "setosa"}
