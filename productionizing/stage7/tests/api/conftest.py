"""Fixtures for the API tests: the app around a stand-in model, and Flask's test client."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from stand_in import StandInModel

from iris_model.app import create_app


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": True, "MAX_BATCH": 50}, model=StandInModel())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
