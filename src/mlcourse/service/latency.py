"""Measuring latency the way an SLO is written: percentiles of many timed calls.

Used by Module 5, its exercises and ``benchmarks/bench_service.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from mlcourse.features import feature_arrays
from mlcourse.service.model import PricingModel, listings_columns
from mlcourse.service.schemas import CardListing, PricePrediction


def time_calls(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> np.ndarray:
    """Wall-clock milliseconds of ``repeats`` calls of ``fn`` (after ``warmup`` untimed calls)."""
    for _ in range(warmup):
        fn()
    out = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        fn()
        out[i] = (time.perf_counter() - start) * 1000
    return out


MIN_TAIL_SAMPLES = 10
"""A percentile is worth quoting when at least this many measurements lie beyond it."""


def samples_beyond(n: int, percentile: float) -> int:
    """How many of ``n`` measurements lie above the ``percentile``-th percentile (p99 of 400: 4)."""
    return int(n * (100 - percentile) / 100)


def quotable(n: int, percentile: float) -> bool:
    """Whether ``n`` measurements are enough to quote that percentile (p99 needs 1,000)."""
    return samples_beyond(n, percentile) >= MIN_TAIL_SAMPLES


def summarize(ms: np.ndarray | list[float]) -> dict[str, float]:
    """Count, p50, p95, p99 and max of latencies in milliseconds."""
    arr = np.asarray(ms, dtype=float)
    if arr.size == 0:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return {"n": int(arr.size), "p50": float(p50), "p95": float(p95), "p99": float(p99), "max": float(arr.max())}


def stage_times(model: PricingModel, payload: dict[str, Any], repeats: int = 30) -> dict[str, np.ndarray]:
    """Milliseconds of each step of one prediction, ``repeats`` runs each, in the order the service runs them.

    The steps are interleaved (one call of each per round, after one untimed round), so a
    burst of load slows every step alike, and position ``i`` of every array is round ``i``.
    """
    listing = CardListing.model_validate(payload)
    columns = listings_columns([listing])
    features = feature_arrays(columns)
    matrix = model.preprocessor.transform(features)

    def respond():
        PricePrediction(price_usd=1.0, lower_usd=0.5, upper_usd=2.0, interval_level=0.9,
                        model_version=model.version).model_dump_json()

    stages = {
        "validate the request (pydantic)": lambda: CardListing.model_validate(payload),
        "collect the input columns": lambda: listings_columns([listing]),
        "compute features (shared feature_arrays)": lambda: feature_arrays(columns),
        "encode categories (fitted encoder)": lambda: model.preprocessor.transform(features),
        "run the trees (xgboost)": lambda: model.booster.inplace_predict(matrix),
        "build the response": respond,
    }
    times: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(repeats + 1):
        for name, fn in stages.items():
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: np.array(values[1:]) for name, values in times.items()}


def stage_breakdown(model: PricingModel, payload: dict[str, Any], repeats: int = 30) -> dict[str, float]:
    """Milliseconds of each step of one prediction: its fastest run.

    The fastest run is the cost of the code itself, which other processes on the machine
    can only inflate. (Compare it with other fastest runs, not with medians.)
    """
    return {name: float(values.min()) for name, values in stage_times(model, payload, repeats).items()}
