"""The service's supporting pieces: latency measurement, the request log, port finding."""

from __future__ import annotations

import io
import json
import socket

import numpy as np
import pytest

from mlcourse.service import latency
from mlcourse.service.model import TrainingConfig, train_model
from mlcourse.service.requestlog import RequestLog, read_log
from mlcourse.service.runner import LOOPBACK, free_port
from mlcourse.service.schemas import CardListing


def test_summarize_reports_percentiles():
    summary = latency.summarize(np.arange(1, 101, dtype=float))
    assert summary["n"] == 100 and summary["max"] == 100
    assert summary["p50"] == pytest.approx(50.5) and summary["p99"] == pytest.approx(99.01)
    assert np.isnan(latency.summarize([])["p95"])


def test_a_percentile_is_quotable_only_with_enough_samples_beyond_it():
    assert latency.samples_beyond(400, 99) == 4 and latency.samples_beyond(1000, 99) == 10
    assert not latency.quotable(400, 99) and latency.quotable(1000, 99) and latency.quotable(400, 95)


def test_time_calls_times_each_call():
    calls = []
    ms = latency.time_calls(lambda: calls.append(1), repeats=5, warmup=2)
    assert len(ms) == 5 and len(calls) == 7 and (ms >= 0).all()


def test_stage_breakdown_names_every_step_and_keeps_its_fastest_run():
    model = train_model(config=TrainingConfig(rounds=5))
    listing = CardListing.model_config["json_schema_extra"]["examples"][0]
    times = latency.stage_times(model, listing, repeats=3)
    assert len(times) == 6 and all(len(v) == 3 and (v > 0).all() for v in times.values())
    stages = latency.stage_breakdown(model, listing, repeats=3)
    assert list(stages) == list(times)
    assert "run the trees (xgboost)" in stages and "compute features (shared feature_arrays)" in stages


def test_request_log_writes_valid_json_lines_even_with_nan(tmp_path):
    stream = io.StringIO()
    log = RequestLog(path=tmp_path / "logs" / "requests.jsonl", stream=stream, keep=2)
    for i in range(3):
        log.write({"i": i, "latency_ms": float("nan") if i == 1 else 1.5, "nested": {"x": float("inf")}})
    log.close()
    lines = (tmp_path / "logs" / "requests.jsonl").read_text().splitlines()
    assert len(lines) == 3 and stream.getvalue().splitlines() == lines
    for line in lines:
        json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in a log line"))
    assert [r["i"] for r in log.recent()] == [1, 2], "only the last `keep` records stay in memory"
    assert log.recent(1)[0]["latency_ms"] == 1.5 and read_log(tmp_path / "logs" / "requests.jsonl")[1]["latency_ms"] == "nan"
    log.write({"after": "close"})  # still recorded in memory, no crash
    assert log.recent(1) == [{"after": "close"}]


def test_read_log_skips_a_half_written_last_line(tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text('{"a": 1}\n{"b": 2}\n{"c": ')
    assert read_log(path) == [{"a": 1}, {"b": 2}]


def test_free_port_is_free_on_loopback():
    port = free_port()
    with socket.socket() as sock:
        sock.bind((LOOPBACK, port))  # would raise if it were taken
