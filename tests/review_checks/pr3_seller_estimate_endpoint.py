"""Behavioural checks for sample PR 3 (sample_prs/pr3-seller-estimate-endpoint): ``POST /estimate``.

They need the pull request's code, so they are not part of the course's test suite:
``tests/test_sample_prs.py`` runs them on a copy of the repository with the diff applied.
To run them yourself, on a branch with the pull request applied::

    uv run pytest tests/review_checks/pr3_seller_estimate_endpoint.py -n0

Every check here is what a careful reviewer would have asked for before the merge: bad input
is refused with a 422 that names the field, never a 500 and never a silent price.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from mlcourse.dataset import load_listings
from mlcourse.service.app import create_app
from mlcourse.service.model import TrainingConfig, request_payloads, train_model
from mlcourse.service.requestlog import RequestLog
from mlcourse.service.schemas import CardListing

EXAMPLE = CardListing.model_config["json_schema_extra"]["examples"][0]
FORM_REPLAY_SIZE = 200


def _small_model():
    listings = load_listings().sample(30_000, random_state=0)
    return train_model(listings, TrainingConfig(rounds=20))


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(_small_model(), request_log=RequestLog()), raise_server_exceptions=False) as c:
        yield c


def _post(client, form: dict):
    return client.post("/estimate", json=form)


def _post_text(client, text: str):
    return client.post("/estimate", content=text, headers={"content-type": "application/json"})


def test_a_nan_gets_a_422_that_names_the_field_not_a_500(client):
    body = json.dumps({**EXAMPLE, "hp": 95}).replace('"hp": 95', '"hp": NaN')
    response = _post_text(client, body)
    assert response.status_code == 422, f"NaN for hp: got {response.status_code} {response.text[:200]}"
    assert "hp" in response.text


def test_a_value_the_model_never_saw_is_refused(client):
    response = _post(client, {**EXAMPLE, "condition": "Mint"})
    assert response.status_code == 422, (f"condition 'Mint' (not a condition the model knows): got "
                                         f"{response.status_code} {response.text[:200]}")


def test_a_field_the_seller_skipped_is_asked_for_not_assumed(client):
    form = {k: v for k, v in EXAMPLE.items() if k != "condition"}
    response = _post(client, form)
    assert response.status_code == 422, (f"no condition: got {response.status_code} {response.text[:200]} "
                                         "(a card of unknown condition priced as Near Mint)")
    assert "condition" in response.text


def test_a_stat_out_of_range_is_refused(client):
    response = _post(client, {**EXAMPLE, "hp": -40})
    assert response.status_code == 422, f"hp -40: got {response.status_code} {response.text[:200]}"


def measure() -> dict[str, str]:
    """The description's claim: form submissions (numbers sent as text) priced by /estimate and by /predict."""
    listings = load_listings()
    recent = listings[listings["channel"].eq("marketplace") & ~listings["graded"]].tail(FORM_REPLAY_SIZE)
    forms = [{k: (str(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in p.items()}
             for p in request_payloads(recent)]
    with TestClient(create_app(_small_model(), request_log=RequestLog()), raise_server_exceptions=False) as c:
        estimated = sum(c.post("/estimate", json=f).status_code == 200 for f in forms)
        predicted = sum(c.post("/predict", json=f).status_code == 200 for f in forms)
    return {"form_submissions": str(len(forms)), "priced_by_estimate": str(estimated),
            "priced_by_predict": str(predicted)}
