"""The card price service: a FastAPI app around the trained pricing model.

Endpoints: ``GET /health`` (liveness: the process answers), ``GET /ready`` (readiness:
the model is loaded and warmed up, send traffic), ``GET /model`` (what the model is),
``POST /predict`` (one listing), ``POST /predict/batch`` (up to ``MAX_BATCH`` listings).

Every error has one JSON shape (``schemas.ErrorResponse``): a 422 names each bad field,
including inputs the default FastAPI handler cannot even serialize (NaN, infinity); a
413 says how large a body may be; a 500 gives a request id and nothing internal; a 404
or 405 names the method and path. (The 503 of ``/ready`` is a ``Readiness`` answer by
design: the same body as its 200, with ``ready: false``.) Every
response carries ``x-request-id`` and ``x-model-version`` headers, and every request is
logged as one JSON line (with the exception, for a 500). The model is loaded *before*
the app exists: a missing or corrupt model stops start-up with ``ModelLoadError``, never
a failure in the middle of a request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlcourse.service.model import PricingModel, describe, listings_columns, load_model
from mlcourse.service.protocol import BODY_TIMEOUT_SECONDS  # the whole body must arrive within this
from mlcourse.service.requestlog import RequestLog
from mlcourse.service.schemas import (
    MAX_BATCH,
    BatchPrediction,
    BatchRequest,
    CardListing,
    ErrorResponse,
    Health,
    LogStatus,
    ModelInfo,
    PricePrediction,
    Readiness,
)

MAX_BODY_BYTES = 2_000_000  # a full batch of MAX_BATCH listings is about 0.5 MB
MAX_REPORTED_ERRORS = 50
SUMMARY_COLUMNS = ["era", "rarity", "condition", "language"]


@dataclass
class ServiceState:
    model: PricingModel
    log: RequestLog
    max_body_bytes: int = MAX_BODY_BYTES
    body_timeout: float = BODY_TIMEOUT_SECONDS
    ready: bool = False


def error_body(message: str, detail: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one shape of every error response: a summary line and the list of bad fields (maybe empty)."""
    return {"message": message, "detail": detail or []}


# ======================================================================================
# Validation errors: one message per field, always serializable
# ======================================================================================
def field_path(loc: tuple | list) -> str:
    """('body', 'listings', 3, 'hp') -> 'listings[3].hp'."""
    path = ""
    for part in loc[1:] if loc and loc[0] == "body" else loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def _describe_input(value: Any) -> tuple[Any, str]:
    """A JSON-safe echo of a bad input (scalars only) and a suffix for non-finite numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        name = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return name, f", got {name} (JSON numbers must be finite)"
    if value is None or isinstance(value, bool | int | float):
        return value, ""
    if isinstance(value, str):
        return value[:100], ""
    return None, ""


def validation_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The 422 body: a summary line and one entry per problem (field, msg, type, loc, input)."""
    detail = []
    for error in errors[:MAX_REPORTED_ERRORS]:
        loc = [p if isinstance(p, int) else str(p) for p in error.get("loc", ())]
        kind = str(error.get("type", "value_error"))
        echoed, suffix = _describe_input(error.get("input"))
        msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        if kind == "int_type" and not suffix and _is_whole_float(error.get("input")):
            value = error["input"]
            suffix = (f", got {value!r}: write {int(value)} (integers take no decimal point; a pandas column "
                      "with missing values holds floats, so convert it before sending)")
        field = field_path(loc)
        if kind == "json_invalid":  # say it in words; FastAPI puts the character position in loc
            field, echoed = "body", None
            where = f" at character {loc[-1]}" if loc and isinstance(loc[-1], int) else ""
            msg = f"the body is not valid JSON ({(error.get('ctx') or {}).get('error', 'decode error')}{where})"
        detail.append({"field": field, "msg": msg + suffix, "type": kind, "loc": loc,
                       "input": None if kind == "missing" else echoed})
    fields = list(dict.fromkeys(d["field"] for d in detail))
    shown = ", ".join(fields[:5]) + (", ..." if len(fields) > 5 else "")
    more = f" (the first {MAX_REPORTED_ERRORS} are listed)" if len(errors) > MAX_REPORTED_ERRORS else ""
    noun = "problem" if len(errors) == 1 else "problems"
    return error_body(f"{len(errors)} {noun} with the request{more}: {shown}", detail)


def _is_whole_float(value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


NOT_JSON_MESSAGE = ("the body was not read as JSON: send the header Content-Type: application/json (curl -d "
                    "without -H sends a form, application/x-www-form-urlencoded)")


def _is_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if not _is_json(request):  # FastAPI did not parse the body at all: say why, not "not a dictionary"
        errors = [{**e, "msg": NOT_JSON_MESSAGE, "type": "content_type"} if tuple(e.get("loc", ())) == ("body",)
                  else e for e in errors]
    body = json_safe(validation_error_body(errors))
    request.state.log = {"errors": sorted({d["field"] for d in body["detail"]})[:20]}
    return JSONResponse(status_code=422, content=body)


def json_safe(value: Any) -> Any:
    """``value`` with every string made encodable as UTF-8: a lone surrogate becomes its escape, ``\\ud800``.

    JSON text may spell a lone surrogate (``"\\ud800"``); Python decodes it into a string that
    no UTF-8 encoder accepts, so echoing it back in an error would fail (a 500, not a 422).
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def too_large_body(limit: int, declared: int | None = None) -> dict[str, Any]:
    """The 413 body: how large the body was (if the client said) and how large it may be."""
    size = f"{declared:,} bytes" if declared is not None else "larger than that"
    msg = (f"the body is {size}; this service accepts at most {limit:,} bytes per request: send fewer "
           f"listings per request (a batch holds at most {MAX_BATCH:,})")
    return error_body(f"The request body is too large: {msg}.",
                      [{"field": "body", "msg": msg, "type": "body_too_large", "loc": ["body"], "input": None}])


def http_error_body(request: Request, exc: StarletteHTTPException) -> dict[str, Any]:
    """The body of an HTTP error raised by the framework (404 unknown path, 405 wrong method): the one shape."""
    phrase = exc.detail if isinstance(exc.detail, str) and exc.detail else HTTPStatus(exc.status_code).phrase
    target = f"{request.method} {request.url.path}"
    if exc.status_code == 404:
        hint = "no endpoint has this path; GET /docs lists the endpoints"
    elif exc.status_code == 405:
        headers = {name.lower(): value for name, value in (getattr(exc, "headers", None) or {}).items()}
        hint = f"this path answers {headers.get('allow') or 'other methods'} only"
    else:
        hint = ""
    return error_body(f"{phrase}: {target}" + (f" ({hint})" if hint else ""))


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """HTTP errors raised by the framework get the service's one error shape (message + detail list).

    A body FastAPI cannot even decode (not UTF-8) is bad input like any other: a 422 naming the body.
    A body that grows past the limit while it is read (no Content-Length) gets the JSON 413.
    An unknown path (404) or a wrong method (405) gets the same JSON shape as every other error.
    """
    if exc.status_code == 413:
        request.state.log = {"errors": ["body"]}
        return JSONResponse(status_code=413, content=too_large_body(request.app.state.service.max_body_bytes),
                            headers=CLOSE)
    if isinstance(exc, _BodyTimeout):
        request.state.log = {"errors": ["body"]}
        return JSONResponse(status_code=408, content=body_timeout_body(request.app.state.service.body_timeout),
                            headers=CLOSE)
    if exc.status_code == 400 and request.method == "POST":
        body = validation_error_body([{"type": "body_unreadable", "loc": ("body",),
                                       "msg": "the body could not be read as JSON text (send UTF-8 encoded JSON)"}])
        request.state.log = {"errors": ["body"]}
        return JSONResponse(status_code=422, content=body)
    return JSONResponse(status_code=exc.status_code, content=http_error_body(request, exc),
                        headers=getattr(exc, "headers", None))


def _model_errors(model: PricingModel, columns: Mapping[str, Any], prefix: tuple) -> list[dict[str, Any]]:
    """Gate 5, what the model knows: categories it never saw, listing dates outside its pricing window."""
    errors = []

    def loc(position: int, column: str) -> tuple:
        return (*prefix, position, column) if prefix[-1] == "listings" else (*prefix, column)

    for position, column, value in model.unknown_categories(columns):
        known = sorted(model.metadata["known_categories"][column])
        errors.append({"type": "unknown_category", "loc": loc(position, column), "input": value,
                       "msg": f"the model was never trained on {column} {value!r}; it knows {known}"})
    outside = model.dates_outside_window(columns["listing_date"])
    if outside:
        first, last = model.pricing_window
        data_end = model.metadata["training_window"]["test_to"]
        for position, value in outside:
            errors.append({"type": "outside_pricing_window", "loc": loc(position, "listing_date"),
                           "input": value.isoformat(),
                           "msg": f"the model {model.version} prices listings dated {first} to {last} (its data "
                                  f"ends {data_end}); {value} is outside that window, and it would be priced as "
                                  "if listed on the last training day. Retrain the model to price later dates"})
    return errors


# ======================================================================================
# The request boundary: a plain ASGI middleware (cheap, and it sees every response)
# ======================================================================================
def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class _BodyTooLarge(StarletteHTTPException):
    """A body that grew past the limit while being read (an HTTP error, so FastAPI passes it on as is)."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class _BodyTimeout(StarletteHTTPException):
    """A body that did not arrive in time: too slow, or shorter than its Content-Length said."""

    def __init__(self) -> None:
        super().__init__(status_code=408)


def body_timeout_body(seconds: float) -> dict[str, Any]:
    """The 408 body: the request's body did not arrive within the time allowed."""
    msg = (f"the body did not arrive within {seconds:g} s (it was sent too slowly, or it is shorter than its "
           "Content-Length header says); send the whole body at once")
    return error_body(f"Request timeout: {msg}.",
                      [{"field": "body", "msg": msg, "type": "body_timeout", "loc": ["body"], "input": None}])


CLOSE = {"connection": "close"}  # after a body that was not read to its end, the connection cannot be reused


def _describe_exception(exc: BaseException) -> dict[str, str]:
    """What the log keeps of an unexpected exception: its type, message, place and traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else ""
    return {"type": type(exc).__name__, "message": str(exc)[:500], "where": where,
            "traceback": "".join(traceback.format_exception(exc))[-4000:]}


class ServiceMiddleware:
    """Wraps every request, whatever happens inside the app.

    It gives the request an id, adds ``x-request-id`` and ``x-model-version`` to every
    response, refuses a body over the size limit with a JSON 413, turns any unexpected
    exception into a JSON 500 (the process keeps serving), and writes one log line per
    request, with the exception's type, message and traceback for a 500.
    """

    def __init__(self, app: ASGIApp, state: ServiceState) -> None:
        self.app = app
        self.service = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        service = self.service
        version = service.model.version
        limit = service.max_body_bytes
        status, started, received = 500, False, 0
        error: BaseException | None = None

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = request_id
                headers["x-model-version"] = version
            await send(message)

        deadline: float | None = None
        body_done = False

        async def receive_with_limits() -> Message:
            # Counts the bytes actually read, whatever the headers said: with both Transfer-Encoding
            # and Content-Length, the body is framed by its chunks, not by the length. And the whole
            # body must arrive in time: a slow or short body would otherwise hold the request forever.
            nonlocal received, deadline, body_done
            if body_done:  # after the body, a receive waits for the client to go away: no deadline
                return await receive()
            if deadline is None:
                deadline = time.monotonic() + service.body_timeout
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.0))
            except TimeoutError:
                raise _BodyTimeout() from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
                body_done = not message.get("more_body", False)
            return message

        async def answer(status_code: int, body: dict[str, Any]) -> None:
            headers = CLOSE if status_code in (408, 413) else None
            await JSONResponse(body, status_code=status_code, headers=headers)(scope, receive, send_with_headers)

        try:
            declared = _content_length(scope)
            if declared is not None and declared > limit:  # refused before reading a byte of it
                state["log"] = {"errors": ["body"]}
                await answer(413, too_large_body(limit, declared))
            else:
                await self.app(scope, receive_with_limits, send_with_headers)
        except _BodyTooLarge:
            if started:
                raise
            state["log"] = {"errors": ["body"]}
            await answer(413, too_large_body(limit))
        except _BodyTimeout:
            if started:
                raise
            state["log"] = {"errors": ["body"]}
            await answer(408, body_timeout_body(service.body_timeout))
        except Exception as exc:  # a bug of ours: one 500 for this request, and the process keeps serving
            error = exc
            if started:  # half a response is already out: let the server close the connection
                raise
            await answer(500, error_body(f"Internal error (request id {request_id}). The request was logged "
                                         "with the error; please report the id."))
        finally:
            record = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                      "request_id": request_id, "method": scope["method"], "path": scope["path"],
                      "status": status, "latency_ms": round((time.perf_counter() - start) * 1000, 3),
                      "model_version": version}
            record.update(state.get("log") or {})
            if error is not None:
                record["error"] = _describe_exception(error)
            service.log.write(record)


def parse_batch(body: bytes, request: Request) -> BatchRequest:
    """The batch body, validated straight from its JSON bytes; a RequestValidationError if it is bad.

    Pydantic reads the bytes itself: no intermediate dict of a thousand listings, as FastAPI's
    own path (parse to Python objects, then validate them) would build. The errors are the
    ones FastAPI would report, located under ``body``.
    """
    if not _is_json(request):
        raise RequestValidationError([{"type": "model_attributes_type", "loc": ("body",), "msg": NOT_JSON_MESSAGE,
                                       "input": None}])
    body = body.removeprefix(UTF8_BOM)  # as /predict does (JSON decoders detect a UTF-8 byte order mark)
    if not body.strip():
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    try:
        return BatchRequest.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


UTF8_BOM = b"\xef\xbb\xbf"


def _batch_summary(columns: Mapping[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {"n": len(columns["listing_date"])}
    for column in SUMMARY_COLUMNS:
        summary[column] = dict(Counter(list(columns[column])).most_common(5))
    dates = list(columns["listing_date"])  # datetime.date objects from the validated requests
    summary["listing_date"] = [min(dates).isoformat(), max(dates).isoformat()]
    return summary


# ======================================================================================
# The app
# ======================================================================================
def warm_up(model: PricingModel) -> None:
    """Run the reference listings through the model once, so no user pays the first-call cost."""
    listings = [CardListing.model_validate(p) for p in model.metadata["self_test"]["listings"]]
    model.predict_prices(listings_columns(listings[:1]))
    model.predict_prices(listings_columns(listings))


def create_app(model: PricingModel | None = None, *, model_dir: str | Path | None = None,
               request_log: RequestLog | None = None, max_body_bytes: int = MAX_BODY_BYTES,
               body_timeout: float = BODY_TIMEOUT_SECONDS) -> FastAPI:
    """Build the service around ``model`` (or the model loaded from ``model_dir``): an app factory.

    Raises ``ModelLoadError`` if no model can be loaded: nothing is served without one.
    """
    if model is None:
        model = load_model(model_dir)
    service = ServiceState(model=model, log=request_log if request_log is not None else RequestLog(),
                           max_body_bytes=max_body_bytes, body_timeout=body_timeout)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Runs once before the first request. uvicorn opens the port only after it: until
        # then a probe is refused, which a load balancer reads as "not ready", like a 503.
        warm_up(service.model)
        service.ready = True
        yield
        service.ready = False  # the log belongs to the caller: it may outlive this app

    app = FastAPI(
        title="Card price service",
        summary="Prices an ungraded Pokemon card listing, with a prediction interval.",
        version=model.version,
        lifespan=lifespan,
    )
    app.state.service = service
    app.add_middleware(ServiceMiddleware, state=service)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    invalid = {422: {"model": ErrorResponse, "description": "A field is missing, of the wrong type, out of "
                                                            "range, or unknown to the model."},
               413: {"model": ErrorResponse, "description": f"The body is larger than {max_body_bytes:,} bytes."},
               500: {"model": ErrorResponse, "description": "A bug in the service; the body gives a request id."}}

    @app.get("/health", response_model=Health)
    def health() -> Health:
        """Liveness: the process answers. (Restart it if this fails.)"""
        return Health()

    @app.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
    def ready() -> Any:
        """Readiness: the model is loaded and warmed up. (Send traffic only when this is 200.)

        Under uvicorn the port opens after the warm-up, so a probe during start-up is refused
        rather than answered 503; the 503 is what the app says if asked before its start-up.
        """
        if not service.ready:
            return JSONResponse(status_code=503, content=Readiness(
                ready=False, model_version=service.model.version, detail="warming up").model_dump())
        return Readiness(ready=True, model_version=service.model.version, detail="model loaded and warmed up")

    @app.get("/log", response_model=LogStatus)
    def log_status() -> LogStatus:
        """The request log: records logged since start, and those its file or stdout did not get.

        ``dropped``: a destination was not keeping up (a stdout nobody reads); ``lost``: a write
        failed (a full disk). Serving goes on either way; a monitor should alert on either.
        """
        return LogStatus(**service.log.status())

    @app.get("/model", response_model=ModelInfo)
    def model_info() -> ModelInfo:
        """The model's version, training data, features, known categories and test metrics."""
        return ModelInfo(**describe(service.model))

    @app.post("/predict", response_model=PricePrediction, responses=invalid)
    def predict(listing: CardListing, request: Request) -> PricePrediction:
        """Price one listing."""
        model = service.model
        columns = listings_columns([listing])
        errors = _model_errors(model, columns, ("body",))
        if errors:
            raise RequestValidationError(errors)
        row = {name: float(values[0]) for name, values in model.predict_prices(columns).items()}
        prediction = PricePrediction(price_usd=round(row["price_usd"], 2),
                                     lower_usd=round(row["lower_usd"], 2),
                                     upper_usd=round(row["upper_usd"], 2),
                                     interval_level=model.interval_level, model_version=model.version)
        request.state.log = {"n_items": 1, "inputs": listing.model_dump(mode="json"),
                             "prediction": prediction.model_dump(include={"price_usd", "lower_usd", "upper_usd"})}
        return prediction

    batch_body = {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/BatchRequest"}}}}

    @app.post("/predict/batch", response_model=BatchPrediction, responses=invalid,
              openapi_extra={"requestBody": batch_body},
              description=f"Price 1 to {MAX_BATCH:,} listings at once; predictions come in the order given.")
    async def predict_batch(request: Request) -> JSONResponse:
        # Reads the raw body on the event loop (no work), then validates and prices it in the
        # thread pool, like every plain `def` endpoint: the loop never waits for the model.
        body = await request.body()
        return await run_in_threadpool(_price_batch, body, request)

    def _price_batch(body: bytes, request: Request) -> JSONResponse:
        batch = parse_batch(body, request)
        model = service.model
        columns = listings_columns(batch.listings)
        errors = _model_errors(model, columns, ("body", "listings"))
        if errors:
            raise RequestValidationError(errors)
        prices = {name: np.round(values, 2) for name, values in model.predict_prices(columns).items()}
        price = prices["price_usd"]
        request.state.log = {"n_items": len(price), "inputs": _batch_summary(columns),
                             "prediction": {"mean_price_usd": round(float(price.mean()), 2),
                                            "min_price_usd": float(price.min()),
                                            "max_price_usd": float(price.max())}}
        # Built directly as JSON: re-validating 1,000 response objects would cost more than the model.
        predictions = [{"price_usd": p, "lower_usd": lo, "upper_usd": up} for p, lo, up in
                       zip(price.tolist(), prices["lower_usd"].tolist(), prices["upper_usd"].tolist(), strict=True)]
        return JSONResponse({"predictions": predictions, "interval_level": model.interval_level,
                             "model_version": model.version})

    fastapi_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        """FastAPI's schema, plus the batch body's model (the endpoint validates the raw bytes itself)."""
        if app.openapi_schema is None:
            schema = fastapi_openapi()
            batch = BatchRequest.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in batch.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components["BatchRequest"] = batch
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
    return app
