"""The service's API contract, through FastAPI's TestClient.

Every class of bad input gets a 422 whose body names the field; nothing a client sends
produces a 500 or stops the service; every request leaves one structured log line.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from fastapi.testclient import TestClient

from mlcourse.dataset import load_listings
from mlcourse.features import pricing_subset
from mlcourse.service.app import create_app, field_path
from mlcourse.service.model import ModelLoadError, TrainingConfig, request_payloads, train_model
from mlcourse.service.requestlog import RequestLog, read_log
from mlcourse.service.schemas import MAX_BATCH, CardListing

VALID = CardListing.model_config["json_schema_extra"]["examples"][0]
TRAINER = {**{k: v for k, v in VALID.items() if k not in ("pokemon_type", "hp", "attack", "defense", "speed",
                                                           "base_stat_total", "generation")},
           "supertype": "Trainer", "is_alt_art": False}


@pytest.fixture(scope="module")
def model():
    return train_model(config=TrainingConfig(rounds=20))


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return RequestLog(path=tmp_path_factory.mktemp("logs") / "requests.jsonl")


@pytest.fixture(scope="module")
def client(model, log):
    with TestClient(create_app(model, request_log=log), raise_server_exceptions=False) as c:
        yield c


def _post_raw(client, path: str, text: str):
    return client.post(path, content=text, headers={"content-type": "application/json"})


def _strict_json(response) -> dict:
    """The body parsed by a strict JSON parser (no NaN, no Infinity): what every client can read."""
    def refuse(name):
        raise AssertionError(f"the response contains {name}, which is not JSON")
    return json.loads(response.text, parse_constant=refuse)


def _fields(response) -> set[str]:
    body = _strict_json(response)
    assert body["message"] and all(d["msg"] for d in body["detail"])
    return {d["field"] for d in body["detail"]}


# ------------------------------------------------------------------------------ happy paths
def test_health_and_readiness(client, model):
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["ready"] and ready.json()["model_version"] == model.version


def test_not_ready_before_start_up(model):
    app = create_app(model, request_log=RequestLog())
    client = TestClient(app)  # no `with`: the start-up (warm-up) has not run
    response = client.get("/ready")
    assert response.status_code == 503 and response.json()["ready"] is False
    assert client.get("/health").status_code == 200


def test_predict_one_listing(client, model):
    response = client.post("/predict", json=VALID)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == model.version == response.headers["x-model-version"]
    assert body["lower_usd"] < body["price_usd"] < body["upper_usd"] and body["interval_level"] == 0.9
    assert len(response.headers["x-request-id"]) == 16


def test_a_trainer_card_needs_no_pokemon_fields(client):
    assert client.post("/predict", json=TRAINER).status_code == 200


def test_batch_keeps_order_and_matches_single_predictions(client):
    rows = pricing_subset(load_listings()).sample(25, random_state=3)
    payloads = request_payloads(rows)
    batch = client.post("/predict/batch", json={"listings": payloads})
    assert batch.status_code == 200, batch.text
    singles = [client.post("/predict", json=p).json()["price_usd"] for p in payloads[:5]]
    assert [p["price_usd"] for p in batch.json()["predictions"][:5]] == singles
    assert len(batch.json()["predictions"]) == 25


def test_a_full_batch_is_accepted(client):
    response = client.post("/predict/batch", json={"listings": [VALID] * MAX_BATCH})
    assert response.status_code == 200 and len(response.json()["predictions"]) == MAX_BATCH


def test_model_metadata_endpoint(client, model):
    info = client.get("/model").json()
    assert info["model_version"] == model.version and info["n_trees"] == 20
    assert "Secret Rare" in info["known_categories"]["rarity"] and info["max_batch"] == MAX_BATCH
    assert set(info["metrics"]) >= {"mae_usd", "rmse_usd", "interval_coverage"}


# ------------------------------------------------------------------------------ bad input: one 422 per class
BAD_SINGLE = {
    "missing field": ({k: v for k, v in VALID.items() if k != "rarity"}, {"rarity"}),
    "every field missing": ({}, {"listing_date", "release_date", "era", "rarity", "card_number"}),
    "wrong type: text for a number": ({**VALID, "hp": "ninety"}, {"hp"}),
    "wrong type: number as text": ({**VALID, "card_number": "215"}, {"card_number"}),
    "wrong type: fraction for an integer": ({**VALID, "card_number": 21.5}, {"card_number"}),
    "wrong type: text for a flag": ({**VALID, "is_alt_art": "yes"}, {"is_alt_art"}),
    "wrong type: number for a date": ({**VALID, "listing_date": 20240601}, {"listing_date"}),
    "wrong type: list for a category": ({**VALID, "rarity": ["Rare"]}, {"rarity"}),
    "bad date format": ({**VALID, "listing_date": "01/06/2024"}, {"listing_date"}),
    "unknown category": ({**VALID, "rarity": "Mega Ultra Rare"}, {"rarity"}),
    "unknown category, wrong case": ({**VALID, "condition": "nm"}, {"condition"}),
    "out of range: negative stat": ({**VALID, "hp": -10}, {"hp"}),
    "out of range: huge stat": ({**VALID, "attack": 10**12}, {"attack"}),
    "out of range: generation": ({**VALID, "generation": 10}, {"generation"}),
    "out of range: card number": ({**VALID, "card_number": 0}, {"card_number"}),
    "out of range: listing before the data": ({**VALID, "listing_date": "2019-12-31"}, {"listing_date"}),
    "out of range: listing far in the future": ({**VALID, "listing_date": "2099-01-01"}, {"listing_date"}),
    "inconsistent: set released after the listing": ({**VALID, "release_date": "2024-07-01"}, {"release_date"}),
    "inconsistent: Pokemon without a type": ({**VALID, "pokemon_type": None}, {"pokemon_type"}),
    "inconsistent: Trainer with stats": ({**TRAINER, "hp": 60}, {"hp"}),
    "inconsistent: modern 1st Edition": ({**VALID, "first_edition": True}, {"first_edition"}),
    "inconsistent: every cross-field rule at once": (
        {**TRAINER, "hp": 60, "generation": 3, "release_date": "2024-07-01", "first_edition": True},
        {"hp", "generation", "release_date", "first_edition"}),
    "unexpected field": ({**VALID, "price_usd": 12.0}, {"price_usd"}),
    "graded fields are not accepted": ({**VALID, "grade": 10}, {"grade"}),
}


@pytest.mark.parametrize("case", list(BAD_SINGLE), ids=str)
def test_bad_single_request_gets_422_naming_the_field(client, case):
    payload, fields = BAD_SINGLE[case]
    response = client.post("/predict", json=payload)
    assert response.status_code == 422, response.text
    assert fields <= _fields(response)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["hp", "card_number", "rarity", "listing_date", "is_alt_art"])
def test_nan_and_infinity_get_422_not_500(client, literal, field):
    text = json.dumps({**VALID, field: "__X__"}).replace('"__X__"', literal)
    response = _post_raw(client, "/predict", text)
    assert response.status_code == 422, response.text
    body = _strict_json(response)
    entry = next(d for d in body["detail"] if d["field"] == field)
    assert literal in entry["msg"] and entry["input"] == literal


def test_nan_in_a_batch_item(client):
    text = json.dumps({"listings": [VALID, {**VALID, "hp": "__X__"}]}).replace('"__X__"', "NaN")
    response = _post_raw(client, "/predict/batch", text)
    assert response.status_code == 422 and _fields(response) == {"listings[1].hp"}


@pytest.mark.parametrize("text, field", [
    ("{not json", "body"),
    ('{"listing_date": "2024-06-01",', "body"),
    ("[1, 2, 3]", "body"),
    ('"just a string"', "body"),
    ("null", "body"),
])
def test_malformed_bodies_get_422(client, text, field):
    response = _post_raw(client, "/predict", text)
    assert response.status_code == 422, response.text
    assert any(f.startswith(field) for f in _fields(response))


@pytest.mark.parametrize("headers", [{"content-type": "text/plain"},
                                     {"content-type": "application/x-www-form-urlencoded"},  # curl -d without -H
                                     {}])
def test_a_body_not_sent_as_json_gets_a_422_that_names_the_header(client, headers):
    response = client.post("/predict", content=json.dumps(VALID), headers=headers)
    assert response.status_code == 422
    [entry] = _strict_json(response)["detail"]
    assert entry["field"] == "body" and "Content-Type: application/json" in entry["msg"]


def test_a_json_body_that_is_not_an_object_keeps_its_own_message(client):
    response = _post_raw(client, "/predict", "null")
    assert response.status_code == 422 and "Content-Type" not in response.text


@pytest.mark.parametrize("value", [95.0, 1e2])
def test_a_whole_float_for_an_integer_says_how_to_fix_it(client, value):
    """Integers are strict (the schema says integer); a pandas float column gets a message saying what to send."""
    response = client.post("/predict", json={**VALID, "hp": value})
    assert response.status_code == 422
    [entry] = _strict_json(response)["detail"]
    assert entry["field"] == "hp" and f"got {value!r}: write {int(value)}" in entry["msg"] and "pandas" in entry["msg"]
    fraction = client.post("/predict", json={**VALID, "hp": 95.5})
    assert fraction.status_code == 422 and "write" not in fraction.text


def test_listing_dates_outside_the_pricing_window_get_a_422(client, model):
    first, last = model.pricing_window
    after = (last + dt.timedelta(days=1)).isoformat()
    assert client.post("/predict", json={**VALID, "listing_date": last.isoformat()}).status_code == 200
    response = client.post("/predict", json={**VALID, "listing_date": after})
    assert response.status_code == 422 and _fields(response) == {"listing_date"}
    msg = response.json()["detail"][0]["msg"]
    assert f"{first} to {last}" in msg and after in msg and "Retrain" in msg
    batch = client.post("/predict/batch", json={"listings": [VALID, {**VALID, "listing_date": after}]})
    assert batch.status_code == 422 and _fields(batch) == {"listings[1].listing_date"}
    assert client.get("/model").json()["pricing_window"]["to"] == last.isoformat()


@pytest.mark.parametrize("body, fields", [
    ({"listings": []}, {"listings"}),
    ({"listings": [VALID] * (MAX_BATCH + 1)}, {"listings"}),
    ({"listings": VALID}, {"listings"}),
    ({}, {"listings"}),
    ({"listings": [VALID, {**VALID, "rarity": "Mega"}, VALID, {**VALID, "hp": -1}]},
     {"listings[1].rarity", "listings[3].hp"}),
    ({"listings": [VALID], "extra": 1}, {"extra"}),
])
def test_bad_batches_get_422_naming_the_item_and_field(client, body, fields):
    response = client.post("/predict/batch", json=body)
    assert response.status_code == 422, response.text
    assert fields <= _fields(response)


def test_oversize_batch_message_says_the_limit(client):
    response = client.post("/predict/batch", json={"listings": [VALID] * (MAX_BATCH + 1)})
    assert f"{MAX_BATCH}" in json.dumps(response.json()["detail"])


def test_a_batch_full_of_errors_reports_a_bounded_list(client):
    response = client.post("/predict/batch", json={"listings": [{**VALID, "hp": -1}] * 500})
    body = _strict_json(response)
    assert response.status_code == 422 and len(body["detail"]) == 50 and "first 50" in body["message"]


def _assert_error_shape(response, model) -> dict:
    """Every error is the same JSON shape, with the request id and the model version in headers."""
    body = _strict_json(response)
    assert set(body) == {"message", "detail"} and body["message"] and isinstance(body["detail"], list)
    assert response.headers["content-type"] == "application/json"
    assert len(response.headers["x-request-id"]) == 16 and response.headers["x-model-version"] == model.version
    return body


def test_oversize_body_gets_a_json_413_with_the_limit(model):
    log = RequestLog()
    app = create_app(model, request_log=log, max_body_bytes=10_000)
    with TestClient(app) as client:
        response = client.post("/predict/batch", json={"listings": [VALID] * 100})
        assert client.post("/predict", json=VALID).status_code == 200, "a normal request still passes"
    assert response.status_code == 413
    body = _assert_error_shape(response, model)
    assert body["detail"][0]["field"] == "body" and "10,000 bytes" in body["message"]
    assert f"{len(response.request.content):,} bytes" in body["message"]
    assert log.recent(2)[0]["status"] == 413 and log.recent(2)[0]["errors"] == ["body"]


def test_oversize_body_without_a_content_length_gets_a_json_413(model):
    """A chunked body announces no size: it is counted while read and refused past the limit."""
    app = create_app(model, request_log=RequestLog(), max_body_bytes=10_000)
    text = json.dumps({"listings": [VALID] * 100}).encode()
    chunks = (text[i:i + 4096] for i in range(0, len(text), 4096))
    with TestClient(app) as client:
        response = client.post("/predict/batch", content=chunks, headers={"content-type": "application/json"})
        small = client.post("/predict", content=iter([json.dumps(VALID).encode()]),
                            headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413 and "10,000 bytes" in _assert_error_shape(response, model)["message"]
    assert small.status_code == 200, small.text


@pytest.mark.parametrize(("method", "path", "status", "says"), [
    ("GET", "/prices", 404, "Not Found: GET /prices"),
    ("GET", "/predict", 405, "Method Not Allowed: GET /predict (this path answers POST only)"),
    ("POST", "/health", 405, "Method Not Allowed: POST /health (this path answers GET only)"),
])
def test_an_unknown_path_or_a_wrong_method_gets_the_same_error_shape(client, model, method, path, status, says):
    """Not FastAPI's {"detail": "Not Found"}: the service's one shape, headers included."""
    response = client.request(method, path)
    assert response.status_code == status
    body = _assert_error_shape(response, model)
    assert body["message"].startswith(says) and body["detail"] == []
    if status == 405:
        assert response.headers["allow"] == says.split("answers ")[1].split(" ")[0]


def test_category_the_model_never_saw_gets_422():
    listings = load_listings()
    model = train_model(listings[listings["rarity"] != "Hyper Rare"], config=TrainingConfig(rounds=3))
    hyper = {**VALID, "era": "sv", "rarity": "Hyper Rare", "is_alt_art": False}
    with TestClient(create_app(model, request_log=RequestLog())) as client:
        single = client.post("/predict", json=hyper)
        batch = client.post("/predict/batch", json={"listings": [VALID, hyper]})
        assert client.post("/predict", json=VALID).status_code == 200
    assert single.status_code == 422 and _fields(single) == {"rarity"}
    assert "never trained on rarity 'Hyper Rare'" in single.json()["detail"][0]["msg"]
    assert batch.status_code == 422 and _fields(batch) == {"listings[1].rarity"}


# ------------------------------------------------------------------------------ errors and the log
def test_an_unexpected_error_is_a_500_with_a_message_and_the_service_survives(model):
    app = create_app(model, request_log=RequestLog())
    with TestClient(app, raise_server_exceptions=False) as client:
        original = model.predict_prices
        model.predict_prices = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk on fire"))
        try:
            broken = client.post("/predict", json=VALID)
        finally:
            model.predict_prices = original
        after = client.post("/predict", json=VALID)
    assert broken.status_code == 500 and "request id" in broken.json()["message"]
    assert "disk on fire" not in broken.text, "internal details are not leaked to the caller"
    _assert_error_shape(broken, model)
    assert after.status_code == 200
    records = app.state.service.log.recent()
    assert [r["status"] for r in records][-2:] == [500, 200]
    failed = records[-2]
    assert failed["request_id"] == broken.headers["x-request-id"] and failed["request_id"] in broken.json()["message"]
    assert failed["error"]["type"] == "RuntimeError" and failed["error"]["message"] == "disk on fire"
    assert "RuntimeError: disk on fire" in failed["error"]["traceback"] and failed["error"]["where"]
    assert "error" not in records[-1]


def test_a_500_works_even_when_the_client_lets_server_errors_raise(model):
    """The middleware answers the 500 itself: nothing escapes to the server, even in a test client."""
    app = create_app(model, request_log=RequestLog())
    with TestClient(app) as client:  # raise_server_exceptions=True: an escaped exception would raise here
        original = model.predict_prices
        model.predict_prices = lambda *a, **k: 1 / 0
        try:
            response = client.post("/predict/batch", json={"listings": [VALID]})
        finally:
            model.predict_prices = original
    assert response.status_code == 500
    assert app.state.service.log.recent(1)[0]["error"]["type"] == "ZeroDivisionError"


def test_every_request_is_one_structured_log_line(client, log, model):
    client.post("/predict", json=VALID)
    client.post("/predict", json={**VALID, "hp": -5})
    client.post("/predict/batch", json={"listings": [VALID, TRAINER]})
    ok, bad, batch = log.recent(3)
    for record in (ok, bad, batch):
        assert record["model_version"] == model.version and record["latency_ms"] > 0
        assert set(record) >= {"time", "request_id", "method", "path", "status"}
    assert ok["status"] == 200 and ok["inputs"]["rarity"] == VALID["rarity"] and ok["prediction"]["price_usd"] > 0
    assert bad["status"] == 422 and bad["errors"] == ["hp"]
    assert batch["n_items"] == 2 and batch["inputs"]["rarity"] == {"Secret Rare": 2}
    assert log.flush(), "the file's writer keeps up"
    lines = read_log(log.path)
    assert lines[-3:] == [ok, bad, batch], "the file holds the same records, one JSON object per line"


def test_field_paths_read_naturally():
    assert field_path(("body", "listings", 3, "hp")) == "listings[3].hp"
    assert field_path(("body",)) == "body" and field_path(("body", "rarity")) == "rarity"


def test_a_missing_model_stops_start_up(tmp_path):
    with pytest.raises(ModelLoadError, match="train"):
        create_app(model_dir=tmp_path / "nothing-here")


def test_openapi_documents_every_endpoint_and_the_422(client):
    spec = client.get("/openapi.json").json()
    assert {"/health", "/ready", "/model", "/predict", "/predict/batch"} <= set(spec["paths"])
    assert "422" in spec["paths"]["/predict"]["post"]["responses"]
    rarity = spec["components"]["schemas"]["CardListing"]["properties"]["rarity"]
    assert "Special Illustration Rare" in rarity["enum"]
    assert not math.isnan(client.post("/predict", json=VALID).json()["price_usd"])


@pytest.mark.parametrize(("body", "content_type", "says"), [
    (b"", "application/json", "Field required"),
    (b"listings=1", "application/x-www-form-urlencoded", "Content-Type: application/json"),
    (b"{listings: [", "application/json", "not valid JSON"),
    (b"\xff\xfe", "application/json", "not valid JSON"),
    (b"[1, 2]", "application/json", "object"),
])
def test_a_batch_body_that_is_not_a_batch_gets_the_same_422_as_a_single_body(client, body, content_type, says):
    """The batch endpoint validates its raw bytes itself; its errors must read like FastAPI's for /predict."""
    for path in ("/predict", "/predict/batch"):
        response = client.post(path, content=body, headers={"content-type": content_type})
        assert response.status_code == 422, (path, response.text)
        detail = _strict_json(response)["detail"]
        assert [d["field"] for d in detail] == ["body"], (path, detail)
    assert says in detail[0]["msg"], detail


def test_the_batch_body_is_documented_with_its_model(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/predict/batch"]["post"]["requestBody"]
    assert body["required"] and body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BatchRequest"}
    batch = spec["components"]["schemas"]["BatchRequest"]
    assert batch["properties"]["listings"]["items"] == {"$ref": "#/components/schemas/CardListing"}
    assert batch["properties"]["listings"]["maxItems"] == MAX_BATCH


def test_a_cross_field_error_in_a_batch_names_the_item_and_the_field(client):
    response = client.post("/predict/batch", json={"listings": [VALID, {**TRAINER, "attack": 40}]})
    assert response.status_code == 422
    (entry,) = response.json()["detail"]
    assert entry["field"] == "listings[1].attack" and entry["msg"] == "must be absent (null) for a Trainer card, got 40"
