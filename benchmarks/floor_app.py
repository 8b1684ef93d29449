"""The framework floor of ``bench_service.py``: a FastAPI app that does no work of its own.

    uv run python -m uvicorn floor_app:app --app-dir benchmarks --port 8001 --log-level warning --no-access-log

It answers every request with a constant: ``POST /predict`` takes any JSON object (FastAPI
reads and parses the body, validates it as an object) and returns a fixed prediction of the
service's shape through a response model; ``GET /health`` and ``GET /ready`` return a fixed
status. The endpoints are plain ``def`` functions, as the service's ``/predict`` and
``/health`` are, so FastAPI runs them in its thread pool in both apps: that hop belongs to
the framework, not to the service. Like ``python -m mlcourse.service serve``, the process
runs uvicorn with its defaults (no access log, log level warning) and moves everything alive
after start-up out of the garbage collector's reach.

What a request costs here is the floor under any FastAPI service on this machine: HTTP
parsing, routing, JSON in and out, the thread pool. No model, no middleware, no request
log, no schema of a listing.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel


class Answer(BaseModel):
    price_usd: float
    lower_usd: float
    upper_usd: float
    interval_level: float
    model_version: str


ANSWER = Answer(price_usd=12.34, lower_usd=8.9, upper_usd=17.5, interval_level=0.8, model_version="floor")


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    gc.collect()  # as the service does before it serves
    gc.freeze()
    yield


app = FastAPI(title="framework floor", lifespan=lifespan)


@app.post("/predict", response_model=Answer)
def predict(listing: dict[str, Any]) -> Answer:
    return ANSWER


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/ready")
def ready() -> dict[str, Any]:
    return {"ready": True, "model_version": "floor", "detail": "constant"}
