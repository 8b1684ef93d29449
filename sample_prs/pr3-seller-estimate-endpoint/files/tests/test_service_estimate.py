"""The seller form's estimate endpoint."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mlcourse.service.app import create_app
from mlcourse.service.model import TrainingConfig, train_model
from mlcourse.service.requestlog import RequestLog
from mlcourse.service.schemas import CardListing

EXAMPLE = CardListing.model_config["json_schema_extra"]["examples"][0]


@pytest.fixture(scope="module")
def client():
    model = train_model(config=TrainingConfig(rounds=20))
    with TestClient(create_app(model, request_log=RequestLog())) as c:
        yield c


def test_estimate_prices_a_complete_form(client):
    response = client.post("/estimate", json=EXAMPLE)
    assert response.status_code == 200
    assert response.json()["price_usd"] > 0


def test_estimate_accepts_numbers_typed_as_text(client):
    form = {**EXAMPLE, "hp": "95", "card_number": "215"}
    assert client.post("/estimate", json=form).status_code == 200


def test_estimate_fills_in_what_the_seller_skipped(client):
    form = {k: v for k, v in EXAMPLE.items() if k not in ("condition", "language")}
    assert client.post("/estimate", json=form).status_code == 200
