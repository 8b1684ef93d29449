"""The documented command, for real: a uvicorn process on a free loopback port, queried and stopped."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import httpx
import pytest

from mlcourse.service.model import TrainingConfig, train_model
from mlcourse.service.requestlog import read_log
from mlcourse.service.runner import LOOPBACK, ServerProcess, serve_in_thread
from mlcourse.service.schemas import CardListing

VALID = CardListing.model_config["json_schema_extra"]["examples"][0]


@pytest.fixture(scope="module")
def model():
    return train_model(config=TrainingConfig(rounds=10))


@pytest.fixture(scope="module")
def model_dir(model, tmp_path_factory):
    return model.save(tmp_path_factory.mktemp("service") / "model")


def test_serve_command_answers_over_http_and_stops_cleanly(model, model_dir, tmp_path):
    log_file = tmp_path / "requests.jsonl"
    server = ServerProcess(model_dir, log_file).start()
    try:
        assert server.base_url.startswith(f"http://{LOOPBACK}:")
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            assert client.get("/health").json() == {"status": "ok"}
            assert client.get("/ready").json()["model_version"] == model.version
            priced = client.post("/predict", json=VALID)
            assert priced.status_code == 200 and priced.json()["model_version"] == model.version
            batch = client.post("/predict/batch", json={"listings": [VALID] * 3})
            assert [p["price_usd"] for p in batch.json()["predictions"]] == [priced.json()["price_usd"]] * 3
            nan = client.post("/predict", content=json.dumps(VALID).replace('"hp": 95', '"hp": NaN'),
                              headers={"content-type": "application/json"})
            assert nan.status_code == 422 and nan.json()["detail"][0]["field"] == "hp"
            assert client.get("/health").status_code == 200, "still alive after bad input"
    finally:
        exit_code = server.stop()
    assert exit_code == 0, server.output()
    assert server.startup_probes["200"] == 1 and "503" not in server.startup_probes, (
        "uvicorn opens the port after the warm-up: a probe during start-up is refused, never answered 503")
    assert server.process.poll() is not None, "the process is gone"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.base_url}/health", timeout=1)
    records = read_log(log_file)
    statuses = [(r["path"], r["status"]) for r in records]
    assert ("/predict", 200) in statuses and ("/predict", 422) in statuses and ("/predict/batch", 200) in statuses
    assert all(r["model_version"] == model.version for r in records)
    stdout_lines = [line for line in server.output().splitlines() if line.startswith("{")]
    assert len(stdout_lines) == len(records), "each request is also one JSON line on stdout"


def test_serve_binds_to_loopback_by_default():
    from mlcourse.service.__main__ import main

    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    done = subprocess.run([sys.executable, "-m", "mlcourse.service", "serve", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert "default: 127.0.0.1" in done.stdout


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_serve_refuses_to_start_without_a_valid_model(model_dir, tmp_path, damage):
    broken = tmp_path / "model"
    if damage == "corrupt":
        broken.mkdir()
        for f in model_dir.iterdir():
            (broken / f.name).write_bytes(f.read_bytes())
        (broken / "model.json").write_bytes(b"{ this is not a model")
    done = subprocess.run([sys.executable, "-m", "mlcourse.service", "serve", "--model-dir", str(broken),
                           "--port", "1"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("Cannot start the service:") and "mlcourse.service train" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_taken_port_stops_start_up_with_a_clear_message(model_dir, tmp_path):
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "mlcourse.service", "serve", "--model-dir", str(model_dir),
                               "--port", str(port), "--log-file", str(tmp_path / "log.jsonl")],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert f"port {port} on {LOOPBACK} is not available" in done.stderr and "--port 8080" in done.stderr
    assert "Serving" not in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_train_command_writes_a_loadable_model(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mlcourse.service", "train", "--model-dir", str(tmp_path),
                           "--rounds", "5"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Saved to" in done.stdout and (tmp_path / "model.json").exists() and (tmp_path / "metadata.json").exists()
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["training_config"]["rounds"] == 5


def test_in_process_server_speaks_real_http(model):
    from mlcourse.service.app import create_app
    from mlcourse.service.requestlog import RequestLog

    with serve_in_thread(create_app(model, request_log=RequestLog())) as url:
        assert url.startswith(f"http://{LOOPBACK}:")
        assert httpx.post(f"{url}/predict", json=VALID, timeout=10).status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/health", timeout=1)


def test_the_port_serve_binds_switches_off_nagle_on_its_connections():
    """A socket that does not say it is TCP keeps Nagle's algorithm on: about 40 ms per request."""
    import asyncio

    from mlcourse.service.__main__ import bind_port

    async def nodelay_of_an_accepted_connection() -> int:
        accepted: asyncio.Future = asyncio.get_running_loop().create_future()

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=bind_port(LOOPBACK, 0))
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection(LOOPBACK, port)
        try:
            return await asyncio.wait_for(accepted, 10)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(nodelay_of_an_accepted_connection()) != 0


def test_serve_freezes_its_start_up_objects_before_serving(model_dir, tmp_path, monkeypatch):
    """Long-lived objects out of the collector's reach: no full collection scans them mid-request."""
    import gc

    import uvicorn

    from mlcourse.service.__main__ import main

    frozen_when_serving = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: frozen_when_serving.append(
        gc.get_freeze_count()))
    try:
        code = main(["serve", "--model-dir", str(model_dir), "--port", "0", "--quiet",
                     "--log-file", str(tmp_path / "log.jsonl")])
    finally:
        gc.unfreeze()
    assert frozen_when_serving and frozen_when_serving[0] > 0
    assert code == 3, "the stand-in server never started, and serve says so"
