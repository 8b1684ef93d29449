"""The service under hostile traffic and failing disks, tried the way an attacker or a bad day would.

Every test here talks to a real uvicorn server over a real socket (the documented command in
its own process, or the same server in a thread): the in-process TestClient never frames a
body, holds a connection open or fills a pipe, so it cannot see these failures. No test
asserts how fast anything is: a limit is checked by what the server does (a status, a closed
connection), with waits far longer than the limits themselves.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import sys
import time

import httpx
import pytest

from mlcourse.service.app import create_app
from mlcourse.service.model import TrainingConfig, train_model
from mlcourse.service.requestlog import RequestLog, read_log
from mlcourse.service.runner import LOOPBACK, ServerProcess, serve_in_thread
from mlcourse.service.schemas import CardListing

VALID = CardListing.model_config["json_schema_extra"]["examples"][0]
WAIT = 20.0  # seconds a test waits for the server to act on a 1-second limit: never a measure of speed
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="uses POSIX resource limits and signals")


@pytest.fixture(scope="module")
def model():
    return train_model(config=TrainingConfig(rounds=10))


@pytest.fixture(scope="module")
def model_dir(model, tmp_path_factory):
    return model.save(tmp_path_factory.mktemp("hostile") / "model")


def _address(base_url: str) -> tuple[str, int]:
    host, port = base_url.removeprefix("http://").split(":")
    return host, int(port)


def _connect(base_url: str) -> socket.socket:
    sock = socket.create_connection(_address(base_url), timeout=WAIT)
    sock.settimeout(WAIT)
    return sock


def _read_response(sock: socket.socket) -> tuple[int | None, dict[str, str], bytes]:
    """Status, headers and body of one response; (None, {}, b"") if the server closed without answering."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65_536)
        if not chunk:
            return None, {}, b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65_536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed the connection (recv returns b"" or the connection is reset)."""
    try:
        while True:
            chunk = sock.recv(65_536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def _post_head(path: str, length: int | None = None, chunked: bool = False) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\nContent-Type: application/json\r\n"
    if length is not None:
        head += f"Content-Length: {length}\r\n"
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
    return (head + "\r\n").encode()


# ------------------------------------------------------------------------------ 1. the body-size limit
@pytest.mark.parametrize("path", ["/predict", "/predict/batch"])
def test_a_chunked_body_with_a_small_content_length_is_still_held_to_the_limit(model, path):
    # Both headers: the server frames the body by its chunks, so the limit must count the bytes read.
    app = create_app(model, request_log=RequestLog(), max_body_bytes=20_000)
    with serve_in_thread(app) as url, _connect(url) as sock:
        sock.sendall(_post_head(path, length=10, chunked=True))
        chunk = b"x" * 8_192
        # 24 KB: over the limit, and small enough that the server has read every byte of it when it
        # answers (so it closes with a FIN, not a reset that could discard its answer). Before the
        # fix the limit trusted the header's 10 bytes and read any size (a 40 MB body was read whole).
        sock.sendall(b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(3)) + b"0\r\n\r\n")
        status, headers, body = _read_response(sock)
    assert status == 413, (status, body[:300])
    assert json.loads(body)["detail"][0]["type"] == "body_too_large"
    assert headers.get("connection") == "close"
    assert app.state.service.log.recent(1)[0]["status"] == 413


def test_a_body_under_the_limit_in_chunks_is_priced(model):
    app = create_app(model, request_log=RequestLog(), max_body_bytes=20_000)
    payload = json.dumps(VALID).encode()
    with serve_in_thread(app) as url, _connect(url) as sock:
        sock.sendall(_post_head("/predict", chunked=True))
        for i in range(0, len(payload), 100):
            part = payload[i:i + 100]
            sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        sock.sendall(b"0\r\n\r\n")
        status, _, body = _read_response(sock)
    assert status == 200 and json.loads(body)["price_usd"] > 0


# ------------------------------------------------------------------------------ 2. a stdout nobody reads
@POSIX_ONLY
def test_a_stdout_pipe_nobody_reads_never_stops_the_service(model_dir, tmp_path):
    # A pipe holds about 64 KB: about a hundred log lines. Before the fix every endpoint hung after that.
    log_file = tmp_path / "requests.jsonl"
    server = ServerProcess(model_dir, log_file, stdout_pipe=True).start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=WAIT) as client:
            for i in range(400):
                response = client.post("/predict", json=VALID)
                assert response.status_code == 200, (i, response.text[:200])
            assert client.get("/health").json() == {"status": "ok"}
            status = client.get("/log").json()
        assert status["records"] >= 401
    finally:
        server.stop()
    records = read_log(log_file)
    assert sum(r["path"] == "/predict" for r in records) == 400, "the file got every line: only stdout was stuck"


def test_a_destination_that_never_takes_a_line_costs_dropped_lines_not_service(tmp_path):
    import threading

    gate = threading.Event()

    class Stuck:
        def write(self, text):
            gate.wait()  # a full pipe: the write never returns

        def flush(self):
            pass

    log = RequestLog(stream=Stuck(), queue_lines=5)
    for i in range(50):
        log.write({"i": i})  # returns at once every time
    assert log.flush(timeout=2) is False, "the stream's writer is stuck"
    status = log.status()
    # one line in the stuck write, five in the queue, the rest dropped and counted
    assert status["records"] == 50 and 50 - 6 <= status["dropped"] <= 50 - 5, status
    assert [r["i"] for r in log.recent()] == list(range(50)), "every record is still kept in memory"
    gate.set()
    log.close()


# ------------------------------------------------------------------------------ 3. a lone surrogate
@pytest.mark.parametrize("body", [
    b'{"\\ud800": 1}',
    json.dumps({**VALID, "rarity": "\ud800"}).encode("utf-8", "surrogatepass").replace(b"\xed\xa0\x80", b"\\ud800"),
    b'{"listing_date": "\\udfff2024-06-01"}',
])
@pytest.mark.parametrize("path", ["/predict", "/predict/batch"])
def test_a_lone_surrogate_is_a_422_that_says_where(model, body, path):
    if path == "/predict/batch":
        body = b'{"listings": [' + body + b"]}"
    with serve_in_thread(create_app(model, request_log=RequestLog())) as url:
        response = httpx.post(f"{url}{path}", content=body, headers={"content-type": "application/json"},
                              timeout=WAIT)
        assert response.status_code == 422, response.text[:300]
        detail = response.json()["detail"]
        assert detail and all(isinstance(d["field"], str) for d in detail)
        assert httpx.get(f"{url}/health", timeout=WAIT).status_code == 200


# ------------------------------------------------------------------------------ 4. timeouts and a connection cap
@pytest.fixture(scope="module")
def strict_server(model):
    """A server whose limits are 1 second, so that a test sees them act."""
    app = create_app(model, request_log=RequestLog(), body_timeout=1.0)
    with serve_in_thread(app, header_timeout=1.0, keep_alive=1.0) as url:
        yield url, app


def test_an_idle_connection_is_closed(strict_server):
    url, _ = strict_server
    with _connect(url) as sock:
        assert _closed_by_server(sock), "a connection that never sends a byte is held open"


def test_headers_sent_a_byte_at_a_time_are_cut_off_with_a_408(strict_server):
    url, _ = strict_server
    with _connect(url) as sock:
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\n")  # and the rest never comes
        status, _, body = _read_response(sock)
        assert status == 408 and json.loads(body)["detail"][0]["type"] == "header_timeout"
        assert _closed_by_server(sock)


@pytest.mark.parametrize("sent, declared", [(b'{"listing_date": ', 500), (b"", 200)])
def test_a_body_shorter_than_its_content_length_gets_a_408(strict_server, sent, declared):
    url, app = strict_server
    with _connect(url) as sock:
        sock.sendall(_post_head("/predict", length=declared) + sent)
        status, headers, body = _read_response(sock)
        assert status == 408, (status, body[:200])
        assert json.loads(body)["detail"][0]["type"] == "body_timeout" and headers.get("connection") == "close"
        assert _closed_by_server(sock)
    assert any(r["status"] == 408 for r in app.state.service.log.recent(20))


def test_a_batch_body_trickled_in_is_cut_off(strict_server):
    url, _ = strict_server
    with _connect(url) as sock:
        sock.sendall(_post_head("/predict/batch", chunked=True))
        sock.sendall(b"1\r\n{\r\n")  # then nothing: a slow body, chunk by chunk
        status, _, _ = _read_response(sock)
        assert status == 408


def test_an_idle_kept_alive_connection_is_closed(strict_server):
    url, _ = strict_server
    with _connect(url) as sock:
        sock.sendall(f"GET /health HTTP/1.1\r\nHost: {LOOPBACK}\r\n\r\n".encode())
        status, _, _ = _read_response(sock)
        assert status == 200
        assert _closed_by_server(sock), "an idle kept-alive connection is held open"


def test_a_kept_alive_connection_still_serves_request_after_request(strict_server):
    url, _ = strict_server
    with httpx.Client(base_url=url, timeout=WAIT) as client:
        for _ in range(5):
            assert client.post("/predict", json=VALID).status_code == 200


def _health_on(sock: socket.socket) -> int | None:
    sock.sendall(f"GET /health HTTP/1.1\r\nHost: {LOOPBACK}\r\n\r\n".encode())
    return _read_response(sock)[0]


def test_at_the_connection_cap_a_request_gets_503(model):
    # uvicorn's limit counts open connections, the asking one included: with a cap of 3, two are served
    app = create_app(model, request_log=RequestLog())
    with serve_in_thread(app, header_timeout=60, keep_alive=60, max_connections=3) as url:
        held = [_connect(url) for _ in range(2)]
        try:
            assert [_health_on(sock) for sock in held] == [200, 200]  # both open, and known to the server
            with _connect(url) as sock:
                assert _health_on(sock) == 503
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + WAIT
        while httpx.get(f"{url}/health", timeout=WAIT).status_code != 200:
            assert time.monotonic() < deadline, "the server never recovered after the connections closed"
            time.sleep(0.1)


def test_the_served_command_has_the_limits(model_dir, tmp_path):
    server = ServerProcess(model_dir, tmp_path / "requests.jsonl",
                           extra_args=["--header-timeout", "1", "--body-timeout", "1", "--keep-alive", "1"]).start()
    try:
        with _connect(server.base_url) as sock:
            assert _closed_by_server(sock)
        with _connect(server.base_url) as sock:
            sock.sendall(_post_head("/predict", length=100) + b"{")
            status, _, _ = _read_response(sock)
            assert status == 408
    finally:
        assert server.stop() == 0, server.output()


# ------------------------------------------------------------------------------ 5. a full disk
def _limit_file_size(limit: int):
    def set_limit():  # in the child: files it writes stop growing at `limit` bytes (EFBIG, like a full disk)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return set_limit


@POSIX_ONLY
def test_a_full_disk_loses_records_cleanly_and_keeps_serving(model_dir, tmp_path):
    log_file = tmp_path / "requests.jsonl"
    log_file.write_text('{"from": "an earlier run"}\n{"cut": "in the midd')  # an earlier run stopped mid-record
    server = ServerProcess(model_dir, log_file, extra_args=["--quiet"], preexec_fn=_limit_file_size(12_000)).start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=WAIT) as client:
            for i in range(60):  # about 600 bytes a line: the file is full after about 20
                response = client.post("/predict", json=VALID)
                assert response.status_code == 200, (i, response.text[:200])
            status = client.get("/log").json()
    finally:
        exit_code = server.stop()
    output = server.output()
    assert exit_code == 0, output
    assert status["lost"] > 0 and status["records"] >= 60, status
    assert "Traceback" not in output, output[-2000:]
    assert output.count("cannot write the request log") == 1, output[-2000:]
    assert "ended in the middle of a record" in output
    text = log_file.read_text()
    assert text.endswith("\n"), "the file ends with a whole line"
    lines = text.splitlines()
    assert lines[0] == '{"from": "an earlier run"}' and "cut" not in text
    assert all(json.loads(line) for line in lines), "every line is a whole record"
    assert 1 < len(lines) < 60


def test_a_file_that_ends_mid_record_is_repaired_when_opened(tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text('{"a": 1}\n{"b": 2}\n{"c": ')
    log = RequestLog(path=path)
    log.write({"d": 4})
    log.close()
    assert path.read_text() == '{"a": 1}\n{"b": 2}\n{"d":4}\n'


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_device_that_is_always_full_costs_records_not_exceptions():
    log = RequestLog(path="/dev/full")
    for i in range(5):
        log.write({"i": i})
    log.flush()
    assert log.status()["lost"] == 5 and len(log.recent()) == 5
    log.close()


# ------------------------------------------------------------------------------ 6. start-up failures
def _serve(model_dir, *args, timeout=120):
    import subprocess

    return subprocess.run([sys.executable, "-m", "mlcourse.service", "serve", "--port", "0", "--model-dir",
                           str(model_dir), *args], capture_output=True, text=True, timeout=timeout)


def test_an_unwritable_log_folder_is_a_clear_message_and_exit_3(model_dir, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    done = _serve(model_dir, "--log-file", str(not_a_folder / "logs" / "requests.jsonl"))
    assert done.returncode == 3, done.stderr
    assert "Cannot start the service: the request log" in done.stderr and "--log-file" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize("field", ["model_type", "rows", "interval.level", "self_test.log_predictions"])
def test_metadata_missing_a_field_is_a_clear_message_and_exit_2(model_dir, tmp_path, field):
    broken = tmp_path / "model"
    broken.mkdir()
    for f in model_dir.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    metadata = json.loads((broken / "metadata.json").read_text())
    outer, _, inner = field.partition(".")
    if inner:
        del metadata[outer][inner]
    else:
        del metadata[outer]
    (broken / "metadata.json").write_text(json.dumps(metadata))
    done = _serve(broken, "--log-file", str(tmp_path / "requests.jsonl"))
    assert done.returncode == 2, done.stderr
    assert f"lacks {field}" in done.stderr and "Retrain" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


# ------------------------------------------------------------------------------ smaller
def test_both_endpoints_agree_on_a_utf8_byte_order_mark(model):
    with serve_in_thread(create_app(model, request_log=RequestLog())) as url:
        headers = {"content-type": "application/json"}
        single = httpx.post(f"{url}/predict", content=b"\xef\xbb\xbf" + json.dumps(VALID).encode(),
                            headers=headers, timeout=WAIT)
        batch = httpx.post(f"{url}/predict/batch", content=b"\xef\xbb\xbf" + json.dumps({"listings": [VALID]}).encode(),
                           headers=headers, timeout=WAIT)
    assert single.status_code == batch.status_code == 200, (single.text[:200], batch.text[:200])
    assert batch.json()["predictions"][0]["price_usd"] == single.json()["price_usd"]


def test_the_openapi_schema_states_the_rules_across_fields(model):
    import jsonschema

    with serve_in_thread(create_app(model, request_log=RequestLog())) as url:
        schema = httpx.get(f"{url}/openapi.json", timeout=WAIT).json()
        listing = {**schema["components"]["schemas"]["CardListing"], "components": schema["components"]}
        validator = jsonschema.Draft202012Validator(json.loads(json.dumps(listing).replace(
            "#/components/schemas/", "#/components/schemas/")))
        assert validator.is_valid(VALID)
        refused = {
            "first edition outside the first era": {**VALID, "first_edition": True},
            "a Pokemon without its type": {k: v for k, v in VALID.items() if k != "pokemon_type"},
            "a Trainer with hp": {**VALID, "supertype": "Trainer", "pokemon_type": None, "hp": 60},
        }
        for name, payload in refused.items():
            assert not validator.is_valid(payload), f"the schema lets through {name}"
            assert httpx.post(f"{url}/predict", json=payload, timeout=WAIT).status_code == 422, name
    assert "release_date is on or before listing_date" in listing["description"]
