"""Property-based fuzzing of the service: no input, valid or not, may produce a server error.

Two fuzzers, both bounded (a few hundred requests, seconds):

- schemathesis reads the app's OpenAPI schema and generates requests for every operation,
  valid and deliberately invalid ones; each response must not be a 5xx and must match the
  documented status codes, content type and response schema;
- hypothesis mutates a valid listing field by field with hostile JSON values (NaN,
  infinities, huge integers, wrong types, nested junk) and sends the raw text: every
  answer must be a 200 or a 422 that names the field, readable by a strict JSON parser.
"""

from __future__ import annotations

import json
import tempfile

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mlcourse.service.app import create_app
from mlcourse.service.model import TrainingConfig, train_model
from mlcourse.service.requestlog import RequestLog
from mlcourse.service.schemas import CardListing

# Hypothesis caches what it learns in .hypothesis/ of the working directory: keep it out of the repository.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="mlcourse-hypothesis-"))

VALID = CardListing.model_config["json_schema_extra"]["examples"][0]
FUZZ = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


# schemathesis collects one test per operation from the schema, so the app exists at import
# time (a tiny model: a second). The schema's contract does not depend on the model's size.
APP = create_app(train_model(config=TrainingConfig(rounds=5)), request_log=RequestLog(keep=10))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                max_examples=40, database="none", deterministic=True)


@pytest.fixture(scope="module")
def app():
    with TestClient(APP):  # run the start-up (warm-up, readiness) once
        yield APP


@schema.parametrize()
def test_openapi_fuzz_never_gets_a_server_error(app, case):
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])


# ------------------------------------------------------------------------------ hostile JSON, field by field
HOSTILE = st.one_of(
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "null", "true", "[]", "{}", '""',
                     "0", "-1", "18446744073709551617", "1.5", '"\\u0000"', '"2024-02-30"']),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda x: json.dumps(x)),
    st.text(max_size=30).map(json.dumps),
    st.recursive(st.none() | st.booleans() | st.integers(), lambda c: st.lists(c, max_size=3), max_leaves=5)
    .map(json.dumps),
)


def _strict(text: str) -> dict:
    def refuse(name):
        raise AssertionError(f"the response contains {name}")
    return json.loads(text, parse_constant=refuse)


@settings(FUZZ, max_examples=150)
@given(field=st.sampled_from([*VALID, "unexpected"]), raw=HOSTILE)
def test_hostile_values_get_200_or_a_422_naming_the_field(app, field, raw):
    text = json.dumps({**VALID, field: "__HOSTILE__"}).replace('"__HOSTILE__"', raw)
    response = TestClient(app, raise_server_exceptions=False).post(
        "/predict", content=text, headers={"content-type": "application/json"})
    assert response.status_code in (200, 422), (field, raw, response.status_code, response.text[:300])
    body = _strict(response.text)
    if response.status_code == 422:
        assert any(d["field"] in (field, "body") for d in body["detail"]), body


@settings(FUZZ, max_examples=40)
@given(position=st.integers(0, 4), field=st.sampled_from(list(VALID)), raw=HOSTILE)
def test_hostile_values_in_a_batch_are_located(app, position, field, raw):
    items = [json.dumps(VALID)] * 5
    items[position] = json.dumps({**VALID, field: "__HOSTILE__"}).replace('"__HOSTILE__"', raw)
    text = '{"listings": [' + ", ".join(items) + "]}"
    response = TestClient(app, raise_server_exceptions=False).post(
        "/predict/batch", content=text, headers={"content-type": "application/json"})
    assert response.status_code in (200, 422), (field, raw, response.status_code, response.text[:300])
    body = _strict(response.text)
    if response.status_code == 422:
        assert any(d["field"].startswith(f"listings[{position}]") or d["field"] == "body"
                   for d in body["detail"]), body
