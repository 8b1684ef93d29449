"""Every Module 5 exercise: the notebook's stub, the solution, plausible wrong answers, junk."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Literal

import numpy as np
import pandas as pd
import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from mlcourse.checker import CORRECT, INCORRECT, NOT_ATTEMPTED
from mlcourse.exercises import ex05
from mlcourse.service.model import listings_frame
from tests.conftest import ROOT, notebook_defs, shipped_notebook

NOTEBOOK = ROOT / "exercises" / "exercises_05.py"


@pytest.fixture(scope="module")
def stubs() -> dict:
    return notebook_defs(shipped_notebook(NOTEBOOK))  # the stubs as shipped, not a learner's answers


def _evaluate(exercise, *answers):
    return exercise.evaluate(*answers, record=False)


# ------------------------------------------------------------------------------ 5.1
def test_5_1_stub_is_not_attempted(stubs):
    assert _evaluate(ex05.graded_slab, stubs["GradedSlab"]).status == NOT_ATTEMPTED


def test_5_1_solution_is_correct():
    result = _evaluate(ex05.graded_slab, ex05.SolutionGradedSlab)
    assert result.status == CORRECT, result.message


class PlainFloat(BaseModel):  # the classic: a float accepts NaN
    model_config = ConfigDict(extra="forbid")
    grader: Literal["PSA", "BGS", "CGC"]
    grade: float


class RangeOnly(BaseModel):  # a range is not the list of grades
    model_config = ConfigDict(extra="forbid")
    grader: Literal["PSA", "BGS", "CGC"]
    grade: float = Field(ge=7, le=10, strict=True)


class LaxRange(BaseModel):  # not strict: "10" becomes 10.0
    model_config = ConfigDict(extra="forbid")
    grader: Literal["PSA", "BGS", "CGC"]
    grade: float = Field(ge=7, le=10)


class NoPsaRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grader: Literal["PSA", "BGS", "CGC"]
    grade: Literal[7, 8, 9, 9.5, 10]


class AnyGrader(ex05.SolutionGradedSlab):
    grader: str


class ExtrasIgnored(BaseModel):
    grader: Literal["PSA", "BGS", "CGC"]
    grade: Literal[7, 8, 9, 9.5, 10]

    @field_validator("grade")
    @classmethod
    def _psa(cls, grade, info: ValidationInfo):
        if grade == 9.5 and info.data.get("grader") == "PSA":
            raise ValueError("PSA gives no 9.5")
        return grade


class ModelLevelRules(BaseModel):  # every rule on the whole model: errors name no field
    model_config = ConfigDict(extra="forbid")
    grader: Literal["PSA", "BGS", "CGC"]
    grade: float

    @model_validator(mode="after")
    def _rules(self):
        if self.grade not in ex05.GRADES or (self.grader == "PSA" and self.grade == 9.5):
            raise ValueError("bad grade")
        return self


class RejectsHalfGrades(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grader: Literal["PSA", "BGS", "CGC"]
    grade: Literal[7, 8, 9, 10]


class OnlyBgsGivesHalf(NoPsaRule):  # the classic misreading of "PSA gives no 9.5"
    @field_validator("grade")
    @classmethod
    def _half_is_bgs(cls, grade, info: ValidationInfo):
        if grade == 9.5 and info.data.get("grader") != "BGS":
            raise ValueError("only BGS gives a 9.5")
        return grade


class PsaRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("grade", check_fields=False)
    @classmethod
    def _psa(cls, grade, info: ValidationInfo):
        if grade == 9.5 and info.data.get("grader") == "PSA":
            raise ValueError("PSA gives no 9.5")
        return grade


class ForgetsNine(PsaRule):  # grade 9 left out of the list
    grader: Literal["PSA", "BGS", "CGC"]
    grade: Literal[7, 8, 9.5, 10]


class HalfSteps(PsaRule):  # "steps of 0.5" lets 7.5 and 8.5 through
    grader: Literal["PSA", "BGS", "CGC"]
    grade: float = Field(ge=7, le=10, multiple_of=0.5, strict=True, allow_inf_nan=False)


class Grader(Enum):
    PSA = "PSA"
    BGS = "BGS"
    CGC = "CGC"


class StrGrader(StrEnum):
    PSA = "PSA"
    BGS = "BGS"
    CGC = "CGC"


class PlainEnumGrader(PsaRule):  # Grader.PSA != "PSA"
    grader: Grader
    grade: Literal[7, 8, 9, 9.5, 10]


class StrEnumGrader(PsaRule):  # StrGrader.PSA == "PSA": as good as a Literal
    grader: StrGrader
    grade: Literal[7, 8, 9, 9.5, 10]


@pytest.mark.parametrize("answer, message", [
    (ForgetsNine, 'rejected the valid slab {"grader": "BGS", "grade": 9}'),
    (HalfSteps, "8.5 is not a grade. The only half grade is 9.5: `multiple_of=0.5`"),
    (PlainEnumGrader, "use `Literal[...]` or a str Enum"),
    (PlainFloat, "NaN"),
    (RangeOnly, "9.7"),
    (LaxRange, "strict"),
    (NoPsaRule, "PSA gives no 9.5"),
    (AnyGrader, "SGC"),
    (ExtrasIgnored, "extra='forbid'"),
    (ModelLevelRules, "no error names the field 'grade'"),
    (RejectsHalfGrades, "rejected the valid slab"),
    (OnlyBgsGivesHalf, 'rejected the valid slab {"grader": "CGC", "grade": 9.5}'),
])
def test_5_1_wrong_answers_get_specific_messages(answer, message):
    result = _evaluate(ex05.graded_slab, answer)
    assert result.status == INCORRECT and message in result.message, result.message


class CrashingValidator(BaseModel):
    grader: Literal["PSA", "BGS", "CGC"]
    grade: Literal[7, 8, 9, 9.5, 10]

    @field_validator("grade")
    @classmethod
    def _psa(cls, grade, info: ValidationInfo):
        if info.data["grader"] == "PSA" and grade == 9.5:  # KeyError when the grader is missing or invalid
            raise ValueError("PSA gives no 9.5")
        return grade


class OnlyGrade(BaseModel):
    grade: float


@pytest.mark.parametrize("junk, message", [
    ({"grader": "PSA", "grade": 10}, "pydantic model class"),
    (ex05.SolutionGradedSlab(grader="PSA", grade=10), "instance"),
    (OnlyGrade, "no field 'grader'"),
    (CrashingValidator, "KeyError"),
])
def test_5_1_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex05.graded_slab, junk)
    assert result.status == INCORRECT and message in result.message, result.message


def test_5_1_a_str_enum_grader_is_accepted():
    result = _evaluate(ex05.graded_slab, StrEnumGrader)
    assert result.status == CORRECT, result.message


def test_5_1_a_cgc_half_grade_is_among_the_valid_slabs():
    assert {"grader": "CGC", "grade": 9.5} in ex05.VALID_SLABS and {"grader": "BGS", "grade": 9.5} in ex05.VALID_SLABS
    assert "only PSA does not" in _evaluate(ex05.graded_slab, OnlyBgsGivesHalf).message


def test_5_1_verdict_table_shows_what_the_model_does(stubs):
    table = ex05.slab_verdicts(ex05.SolutionGradedSlab)
    assert len(table) == len(ex05.VALID_SLABS) + len(ex05.INVALID_SLABS)
    assert (table["your model"].str.split(":").str[0] == table["should"]).all()
    assert set(ex05.slab_verdicts(stubs["GradedSlab"])["your model"]) == {"(no model yet)"}
    assert ex05.slab_verdicts(CrashingValidator)["your model"].str.startswith("crashed").any()


# ------------------------------------------------------------------------------ 5.2
def test_5_2_stub_is_not_attempted(stubs):
    assert _evaluate(ex05.harden_app, stubs["harden"]).status == NOT_ATTEMPTED


def test_5_2_solution_is_correct():
    result = _evaluate(ex05.harden_app, ex05.solution_5_2)
    assert result.status == CORRECT, result.message


def _health_only(app: FastAPI) -> None:
    @app.get("/health")
    def health():
        return {"status": "ok"}


def _echo_errors(app: FastAPI) -> None:  # the classic: returns exc.errors() with the NaN input in it
    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": exc.errors()})

    _health_only(app)


def _status_400(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        return JSONResponse(status_code=400, content={"detail": [{"field": "x", "message": "bad"}]})

    _health_only(app)


def _dotted_body(app: FastAPI) -> None:  # keeps 'body' in the field name
    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]})

    _health_only(app)


def _wrong_shape(app: FastAPI) -> None:  # a single string instead of one item per field
    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": "invalid request"})

    _health_only(app)


def _no_health(app: FastAPI) -> None:
    ex05.solution_5_2(app)
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", "") != "/health"]


def _breaks_valid_quotes(app: FastAPI) -> None:
    ex05.solution_5_2(app)

    @app.middleware("http")
    async def always_teapot(request, call_next):
        if request.url.path == "/quote":
            return JSONResponse(status_code=418, content={"detail": "teapot"})
        return await call_next(request)


def _plain_messages(app: FastAPI) -> None:  # no crash, but NaN gets "Input should be less than 1000000"
    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]} for e in exc.errors()]})

    _health_only(app)


LONG_TEXT = "x" * 400 + "THE END"


def _long_wrong_shape(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": LONG_TEXT})

    _health_only(app)


def _everything_non_finite(app: FastAPI) -> None:  # one message for every error: wrong for most of them
    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": [
            {"field": str(e["loc"][-1]), "message": "must be a finite number"} for e in exc.errors()]})

    _health_only(app)


def _text_health(app: FastAPI) -> None:
    ex05.solution_5_2(app)
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", "") != "/health"]

    @app.get("/health", response_class=PlainTextResponse)
    def health():
        return "ok"


def _text_quotes(app: FastAPI) -> None:
    ex05.solution_5_2(app)

    @app.middleware("http")
    async def as_text(request, call_next):
        response = await call_next(request)
        if request.url.path == "/quote" and response.status_code == 200:
            return PlainTextResponse("price: 92.59 EUR")
        return response


@pytest.mark.parametrize("answer, message", [
    (_everything_non_finite, "The 422 for an empty object says 'must be a finite number', but nothing in that "
                             "request is NaN or infinite"),
    (_text_health, "GET /health answered 200 with a body that is not JSON: 'ok'"),
    (_text_quotes, "A valid POST /quote answered 200 with a body that is not JSON: 'price: 92.59 EUR'"),
    (lambda app: None, "answered 500"),
    (_health_only, "answered 500"),
    (_echo_errors, "answered 500"),
    (_status_400, "should get a 422"),
    (_dotted_body, "without the leading 'body'"),
    (_wrong_shape, "one item per problem"),
    (_no_health, "GET /health"),
    (_breaks_valid_quotes, "without changing what works"),
    (_plain_messages, "misleads the caller"),
    (_long_wrong_shape, "THE END"),  # the learner's whole response is shown, not a cut
])
def test_5_2_wrong_answers_get_specific_messages(answer, message):
    result = _evaluate(ex05.harden_app, answer)
    assert result.status == INCORRECT and message in result.message, result.message


def _service_pattern(app: FastAPI) -> None:
    """Module 5's own pattern: the service's error body, whose items carry `msg`."""
    from mlcourse.service.app import validation_error_body

    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content=validation_error_body(list(exc.errors())))

    _health_only(app)


def _finite_model_messages(app: FastAPI) -> None:
    """Another way to a specific message: say it in the handler from pydantic's own words for non-finite floats."""
    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        detail = []
        for e in exc.errors():
            bad = isinstance(e.get("input"), float) and e["input"] != e["input"] or e.get("input") in (
                float("inf"), float("-inf"))
            detail.append({"field": e["loc"][-1], "msg": "Input should be a finite number" if bad else e["msg"]})
        return JSONResponse(status_code=422, content={"detail": detail})

    _health_only(app)


def _got_value_only(app: FastAPI) -> None:
    """The natural f-string: '..., got nan' and '..., got inf', without the word 'finite'."""
    import math

    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError):
        def message(e):
            value = e.get("input")
            return f"{e['msg']}, got {value}" if isinstance(value, float) and not math.isfinite(value) else e["msg"]
        return JSONResponse(status_code=422, content={"detail": [
            {"field": str(e["loc"][-1]), "message": message(e)} for e in exc.errors()]})

    _health_only(app)


def test_5_2_inf_counts_as_naming_a_non_finite_number_and_info_does_not():
    assert ex05.NON_FINITE_WORDS.search("Input should be less than 1000000, got inf")
    assert not ex05.NON_FINITE_WORDS.search("Input should be less than 1000000 (see the info page)")


@pytest.mark.parametrize("answer", [_service_pattern, _finite_model_messages, _got_value_only])
def test_5_2_the_service_shape_with_msg_is_accepted(answer):
    result = _evaluate(ex05.harden_app, answer)
    assert result.status == CORRECT, result.message


def test_5_2_returning_a_new_app_is_accepted():
    def build_new(app):
        fresh = ex05.make_quote_app()
        ex05.solution_5_2(fresh)
        return fresh

    assert _evaluate(ex05.harden_app, build_new).status == CORRECT


@pytest.mark.parametrize("junk, message", [
    ("harden", "to be a function"),
    (lambda app: app.no_such_method(), "AttributeError"),
    (lambda: None, "TypeError"),
])
def test_5_2_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex05.harden_app, junk)
    assert result.status == INCORRECT and message in result.message, result.message


def test_5_2_the_given_app_really_crashes_on_nan():
    from fastapi.testclient import TestClient

    client = TestClient(ex05.make_quote_app(), raise_server_exceptions=False)
    what, body, _ = ex05.BAD_QUOTES[0]
    assert "NaN" in what
    assert client.post("/quote", content=body, headers={"content-type": "application/json"}).status_code == 500


# ------------------------------------------------------------------------------ 5.3
def test_5_3_stub_is_not_attempted(stubs):
    assert _evaluate(ex05.score_in_budget, stubs["score_listings"]).status == NOT_ATTEMPTED


def test_5_3_solution_is_correct():
    result = _evaluate(ex05.score_in_budget, ex05.solution_5_3)
    assert result.status == CORRECT, result.message


def _chunked(size):
    def score(model, listings):
        return np.concatenate([model.predict_frame(listings_frame(listings[i:i + size]))["price_usd"].to_numpy()
                               for i in range(0, len(listings), size)])
    return score


def _mutating(model, listings):
    for listing in listings:
        listing["graded"] = False
    return ex05.solution_5_3(model, listings)


def _frame_per_listing(model, listings):  # one model call, but a frame built per listing in a Python loop
    frame = pd.concat([listings_frame([listing]) for listing in listings], ignore_index=True)
    return model.predict_frame(frame)["price_usd"].to_numpy()


def _ignores_its_listings(model, listings):  # the right answer, computed in advance
    return ex05.solution_5_3(model, ex05.exercise_listings())


def _validated_then_columns(model, listings):  # a right answer written another way: the service's own path
    from mlcourse.service.model import listings_columns
    from mlcourse.service.schemas import CardListing

    return model.predict_prices(listings_columns([CardListing.model_validate(x) for x in listings]))["price_usd"]


def _from_plain_frame(model, listings):  # the classic: the request bodies lack the grading columns
    return model.predict_frame(pd.DataFrame(listings))["price_usd"].to_numpy()


@pytest.mark.parametrize("answer, message", [
    (ex05.slow_score_listings, "call the model once"),
    (_chunked(25), "call the model once"),
    (_chunked(100), "calls the model 10 times"),
    (_frame_per_listing, "Python function calls for each listing"),
    (_ignores_its_listings, "other listings"),
    (_from_plain_frame, "`listings_frame(listings)` builds the frame"),
    (lambda m, ls: np.round(ex05.solution_5_3(m, ls)), "rounded to dollars"),
    (lambda m, ls: np.round(ex05.solution_5_3(m, ls), 1), "rounded to 10 cents"),
    (lambda m, ls: m.predict_log(listings_frame(ls)), "logarithms"),
    (lambda m, ls: m.predict_frame(listings_frame(ls))["lower_usd"].to_numpy(), "lower_usd"),
    (lambda m, ls: np.sort(ex05.solution_5_3(m, ls)), "wrong order"),
    (lambda m, ls: ex05.solution_5_3(m, ls)[:-1], "one per listing"),
    (lambda m, ls: ex05.solution_5_3(m, ls) * 1.08, "expected"),
    (lambda m, ls: m.predict_frame(listings_frame(ls)), "DataFrame"),
    (_mutating, "modified the listings"),
])
def test_5_3_wrong_answers_get_specific_messages(answer, message):
    result = _evaluate(ex05.score_in_budget, answer)
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("answer", [
    _chunked(500),  # two model calls: well within the objective
    _chunked(250),  # four: the most the objective allows
    _validated_then_columns,
    lambda m, ls: np.round(ex05.solution_5_3(m, ls), 2),  # rounded to cents, as the service answers
    lambda m, ls: list(ex05.solution_5_3(m, ls)),
])
def test_5_3_other_good_answers_pass(answer):
    result = _evaluate(ex05.score_in_budget, answer)
    assert result.status == CORRECT, result.message


def test_5_3_the_counts_are_deterministic_and_tell_a_loop_from_a_batch():
    model = ex05.exercise_model()
    reference = ex05.python_calls_per_listing(ex05.solution_5_3, model)
    assert reference == ex05.python_calls_per_listing(ex05.solution_5_3, model), "the same count every time"
    assert reference < ex05.MAX_PYTHON_CALLS_PER_LISTING / 3
    assert ex05.python_calls_per_listing(ex05.slow_score_listings, model) > 10 * ex05.MAX_PYTHON_CALLS_PER_LISTING
    with ex05.counting_model_calls(model) as calls:
        _chunked(100)(model, ex05.exercise_listings())
    assert calls[0] == 10
    assert "predict_log" not in vars(model), "the model's own method is back after counting"


def test_5_3_a_busy_machine_cannot_fail_a_correct_batch(monkeypatch):
    # the time is shown, never graded: a machine a hundred times slower for the learner changes nothing
    monkeypatch.setattr(ex05, "timed_against_reference",
                        lambda fn, model, listings, rounds=3: {"ratio": 100.0, "ms": 2000.0, "reference_ms": 20.0})
    result = _evaluate(ex05.score_in_budget, ex05.solution_5_3)
    assert result.status == CORRECT and "2000 ms" in result.message and "for information" in result.message


def test_5_3_the_objective_is_stated_where_the_learner_reads_it():
    source = (ROOT / "exercises" / "exercises_05.py").read_text()
    assert "ex05.MAX_MODEL_CALLS" in source and "ex05.MAX_PYTHON_CALLS_PER_LISTING" in source
    assert "MAX_RATIO" not in source


@pytest.mark.parametrize("junk, message", [
    (42, "to be a function"),
    (lambda m, ls: None, "forget `return`"),
    (lambda m, ls: "prices", "Expected 1,000 prices"),
    (lambda m, ls: [f"{p:.2f}" for p in ex05.solution_5_3(m, ls)], "Expected prices as numbers, got a str"),
    (lambda m, ls: pd.DataFrame(ls)["no_such_column"], "KeyError"),
])
def test_5_3_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex05.score_in_budget, junk)
    assert result.status == INCORRECT and message in result.message, result.message


def test_5_3_exercise_data_is_deterministic_and_fresh():
    a, b = ex05.exercise_listings(), ex05.exercise_listings()
    assert a == b and len(a) == ex05.BATCH_SIZE
    a[0]["rarity"] = "changed"
    assert ex05.exercise_listings()[0]["rarity"] != "changed", "each call returns fresh copies"
