"""The benchmark's ceiling: a bare Flask app that parses the JSON body and returns a constant.

It has the same routes as the iris API and is served the same way, so the difference between
the two is what validation, the model and building the answer cost.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

ANSWER = {
    "species": "setosa",
    "probabilities": {"setosa": 1.0, "versicolor": 0.0, "virginica": 0.0},
}


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok")

    @app.post("/predict")
    @app.post("/predict/batch", endpoint="predict_batch")
    def predict() -> Response:
        request.get_json()
        return jsonify(ANSWER)

    return app
