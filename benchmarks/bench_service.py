"""Load benchmark of the card price service over real HTTP on the loopback interface.

    uv run python benchmarks/bench_service.py                     # defaults: 1,000 singles, 100 batches, 8 clients
    uv run python benchmarks/bench_service.py --singles 3000 --batches 100 --max-seconds 120
    uv run python benchmarks/bench_service.py --clients 4 --concurrent 4000

Trains a model into a temporary folder (a few seconds), starts the documented command
(`python -m mlcourse.service serve`) on a free port of 127.0.0.1, sends real listings from
the model's test period, and stops the server. Bounded: at most `--singles` sequential
single predictions (and as many `GET /health`), `--concurrent` single predictions sent by
`--clients` clients at once, and `--batches` sequential batch predictions, and never more
than `--max-seconds` of sending in all (each phase may use an equal share of the time left,
so a slow phase cannot starve the others). Nothing leaves this machine and nothing is
written into the repository.

Reports p50/p95/p99/max latency and errors for each kind of request, measured by the
client (what a caller waits for once its body is encoded, including HTTP) and by the server
(its request log, matched to the client's requests by their ``x-request-id``):

- sequential single predictions, ``GET /health`` and batch predictions: one client, one
  request at a time;
- throughput: `--clients` (default 8) threads, each with its own ``httpx.Client`` and
  connection, send single predictions at once, released together; requests per second
  (completed requests over the wall time of the phase) and the latency of each request.
  The clients share the machine's cores with the server, so this is what the service
  serves to this load generator on this machine, not the server's ceiling.

The framework floor is measured in the same run: ``benchmarks/floor_app.py``, a FastAPI
app that answers every request with a constant (a ``POST /predict`` that parses a JSON body
and returns a fixed prediction, a ``GET /health``), served by uvicorn with the service's
settings in its own process (``python -m uvicorn floor_app:app``) on another free loopback
port. A separate process, like the service's: served in a thread of this process, it would
share the interpreter (and its lock) with the eight client threads and pay for them, which
the service does not. The floor gets the same client code, the same bodies and as many
requests as the service completed, for each kind: sequential singles, ``GET /health`` and
the concurrent singles; phases alternate service then floor, so both see the same machine.
Printed next to the service's numbers with "ours" = service minus floor: the part of each
latency that is the service's own work (validation of a listing, the model, the middleware,
the request log). A difference of percentiles is an estimate, not the percentile of a
difference; for throughput, "ours" is the difference of wall time per request.

Targets: single prediction p99 under 10 ms (sequential), a batch of 1,000 under 50 ms
(p99), zero errors. They are printed met or missed, as information: timings depend on the
machine and on what else runs on it. Exit code 1 if any request to the service failed
(an error of the floor is reported, and does not change the exit code).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mlcourse.service.latency import quotable, summarize

TARGET_SINGLE_P99_MS = 10.0
TARGET_BATCH_P99_MS = 50.0
WARM_SINGLES, WARM_BATCHES = 50, 2
WARM_PER_CLIENT = 5  # each concurrent client opens its connection and warms up before the start
HERE = Path(__file__).resolve().parent
FLOOR_APP = "floor_app:app"  # benchmarks/floor_app.py


JSON_HEADERS = {"content-type": "application/json"}


def run_phase(client: httpx.Client, path: str, bodies: list[bytes] | None, count: int,
              deadline: float, ids: list[str] | None = None) -> tuple[list[float], int]:
    """Send ``count`` requests one after another (cycling through ``bodies``) until the deadline.

    The bodies are JSON text encoded before the clock starts, as a load generator sends them:
    the time is the request's, not the client's own ``json.dumps``. Without bodies, the
    requests are GETs. ``ids``, if given, receives each response's ``x-request-id`` (the
    service's; the floor sends none).
    """
    latencies, errors = [], 0
    for i in range(count):
        if time.perf_counter() > deadline:
            break
        start = time.perf_counter()
        try:
            if bodies:
                response = client.post(path, content=bodies[i % len(bodies)], headers=JSON_HEADERS)
            else:
                response = client.get(path)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok, response = False, None
        latencies.append((time.perf_counter() - start) * 1000)
        errors += not ok
        if ids is not None and response is not None and "x-request-id" in response.headers:
            ids.append(response.headers["x-request-id"])
    return latencies, errors


@dataclass
class Concurrent:
    """What ``clients`` clients sending at once got: every request's latency, the errors, the wall time."""

    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = float("nan")
    ids: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return rate(len(self.latencies), self.seconds)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("nan")


def run_concurrent(base_url: str, path: str, bodies: list[bytes], count: int, clients: int,
                   deadline: float) -> Concurrent:
    """``count`` requests shared among ``clients`` threads, each with its own ``httpx.Client``.

    Each client opens its connection and sends a few requests first; then all are released
    at once, and the clock runs from their release to the last one's end.
    """
    shares = [count // clients + (k < count % clients) for k in range(clients)]
    barrier = threading.Barrier(clients + 1)
    results: list[tuple[list[float], int, list[str]] | None] = [None] * clients

    def client_thread(k: int) -> None:
        offset = k * len(bodies) // clients  # each client its own listings
        mine = bodies[offset:] + bodies[:offset]
        with httpx.Client(base_url=base_url, timeout=30) as client:
            run_phase(client, path, mine, WARM_PER_CLIENT, deadline)
            try:
                barrier.wait(timeout=60)
            except threading.BrokenBarrierError:
                return
            ids: list[str] = []
            latencies, errors = run_phase(client, path, mine, shares[k], deadline, ids)
            results[k] = (latencies, errors, ids)

    threads = [threading.Thread(target=client_thread, args=(k,), name=f"client-{k}", daemon=True)
               for k in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    result = Concurrent(clients, seconds=time.perf_counter() - start)
    for k, got in enumerate(results):
        if got is None:  # the thread died: count its share as failed
            result.errors += shares[k]
            continue
        result.latencies += got[0]
        result.errors += got[1]
        result.ids += got[2]
    return result


class Budget:
    """``seconds`` of sending shared by ``phases``: each may use an equal share of what is left."""

    def __init__(self, seconds: float, phases: int) -> None:
        self.end = time.perf_counter() + seconds
        self.left = phases

    def next_phase(self) -> float:
        """The deadline of the next phase."""
        now = time.perf_counter()
        share = max(self.end - now, 0.0) / max(self.left, 1)
        self.left -= 1
        return now + share


@contextlib.contextmanager
def floor_server(output: Path, ready_timeout: float = 30.0) -> Iterator[tuple[str, float]]:
    """The constant-answer app under ``python -m uvicorn`` on a free loopback port; yield (base URL, start-up s)."""
    from mlcourse.service.runner import LOOPBACK, free_port, wait_until_ready

    port = free_port()
    base_url = f"http://{LOOPBACK}:{port}"
    command = [sys.executable, "-m", "uvicorn", FLOOR_APP, "--app-dir", str(HERE), "--host", LOOPBACK,
               "--port", str(port), "--log-level", "warning", "--no-access-log"]
    with open(output, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        try:
            seconds = wait_until_ready(base_url, ready_timeout, process)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"the framework floor did not start: {exc}\n"
                               f"{output.read_text(errors='replace')}") from exc
        yield base_url, seconds
    finally:
        if process.poll() is None:
            if os.name == "nt":
                process.terminate()
            else:
                process.send_signal(signal.SIGINT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def _row(name: str, values: list[float], errors: int | None) -> tuple[str, bool]:
    p = summarize(values)
    err = "" if errors is None else str(errors)
    mark = " " if quotable(len(values), 99) else "*"
    return (f"{name:<30}{len(values):>7}{err:>8}{p['p50']:>9.2f}{p['p95']:>9.2f}{p['p99']:>9.2f}{mark}"
            f"{p['max']:>9.2f}"), mark == "*"


def _ours_row(name: str, service: list[float], floor: list[float]) -> str:
    s, f = summarize(service), summarize(floor)
    ours = {k: s[k] - f[k] for k in ("p50", "p95", "p99")}
    share = ours["p50"] / s["p50"] if s["p50"] > 0 else float("nan")
    return (f"{name:<30}{'':>7}{'':>8}{ours['p50']:>9.2f}{ours['p95']:>9.2f}{ours['p99']:>9.2f}{'':>10}"
            f"   {share:.0%} of the service's p50")


HEADER = f"{'request':<30}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>10}{'max ms':>9}"


def _ms_per_request(per_second: float) -> float:
    return 1000 / per_second if per_second > 0 else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--singles", type=int, default=1000,
                        help="sequential single predictions (and as many sequential GET /health)")
    parser.add_argument("--batches", type=int, default=100, help="sequential batch predictions")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for the throughput phase")
    parser.add_argument("--concurrent", type=int, default=2000,
                        help="single predictions the concurrent clients send in all (0: no throughput phase)")
    parser.add_argument("--max-seconds", type=float, default=90.0, help="stop sending after this long")
    args = parser.parse_args()
    if args.clients < 1:
        parser.error("--clients must be at least 1")

    from mlcourse.dataset import load_listings
    from mlcourse.features import pricing_subset
    from mlcourse.service.model import request_payloads, train_model
    from mlcourse.service.requestlog import read_log
    from mlcourse.service.runner import ServerProcess
    from mlcourse.service.schemas import MAX_BATCH

    batch_size = min(args.batch_size, MAX_BATCH)
    clients = args.clients
    concurrent = args.concurrent > 0
    empty = Concurrent(clients)
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        os.environ["MLCOURSE_OUTPUT_DIR"] = tmp  # the server process inherits it: nothing lands in the repository
        start = time.perf_counter()
        model = train_model()
        model_dir = model.save(Path(tmp) / "model")
        print(f"trained {model.version} ({model.n_trees} trees) in {time.perf_counter() - start:.1f} s; "
              f"{os.cpu_count()} cores")
        listings = pricing_subset(load_listings()).sort_values("listing_id").tail(5_000)
        payloads = request_payloads(listings)
        singles = [json.dumps(p).encode() for p in payloads]
        batches = [json.dumps({"listings": payloads[i:i + batch_size]}).encode()
                   for i in range(0, len(payloads) - batch_size + 1, batch_size)]

        log_file = Path(tmp) / "requests.jsonl"
        with (ServerProcess(model_dir, log_file) as server,
              floor_server(Path(tmp) / "floor.out") as (floor_url, floor_startup),
              httpx.Client(base_url=server.base_url, timeout=30) as client,
              httpx.Client(base_url=floor_url, timeout=30) as floor):
            print(f"server ready on {server.base_url} in {server.startup_seconds:.1f} s (process start to /ready); "
                  f"framework floor on {floor_url} in {floor_startup:.1f} s")
            budget = Budget(args.max_seconds, phases=7 if concurrent else 5)
            run_phase(client, "/predict", singles, WARM_SINGLES, budget.end)  # warm the connection and code paths
            run_phase(client, "/predict/batch", batches, WARM_BATCHES, budget.end)
            run_phase(floor, "/predict", singles, WARM_SINGLES, budget.end)
            single_ids: list[str] = []
            single_ms, single_errors = run_phase(client, "/predict", singles, args.singles, budget.next_phase(),
                                                 single_ids)
            floor_single_ms, floor_single_errors = run_phase(floor, "/predict", singles, len(single_ms),
                                                             budget.next_phase())
            get_ids: list[str] = []
            get_ms, get_errors = run_phase(client, "/health", None, args.singles, budget.next_phase(), get_ids)
            floor_get_ms, floor_get_errors = run_phase(floor, "/health", None, len(get_ms), budget.next_phase())
            conc, floor_conc = empty, empty
            if concurrent:
                conc = run_concurrent(server.base_url, "/predict", singles, args.concurrent, clients,
                                      budget.next_phase())
                floor_conc = run_concurrent(floor_url, "/predict", singles, len(conc.latencies), clients,
                                            budget.next_phase())
            batch_ids: list[str] = []
            batch_ms, batch_errors = run_phase(client, "/predict/batch", batches, args.batches, budget.next_phase(),
                                               batch_ids)
            exit_code = server.stop()
        server_ms = {r["request_id"]: r["latency_ms"] for r in read_log(log_file) if "request_id" in r}

        def on_server(ids: list[str]) -> list[float]:
            return [server_ms[i] for i in ids if i in server_ms]

        server_single, server_get = on_server(single_ids), on_server(get_ids)
        server_conc, server_batch = on_server(conc.ids), on_server(batch_ids)

    many = f"single, {clients} client{'s' if clients > 1 else ''}"
    rows = [("single, client", single_ms, single_errors), ("single, server", server_single, None)]
    if concurrent:
        rows += [(f"{many}, client", conc.latencies, conc.errors), (f"{many}, server", server_conc, None)]
    rows += [("GET /health, client", get_ms, get_errors), ("GET /health, server", server_get, None),
             (f"batch of {batch_size:,}, client", batch_ms, batch_errors),
             (f"batch of {batch_size:,}, server", server_batch, None)]
    print(f"\n{HEADER}")
    few = False
    for name, values, errors in rows:
        line, short = _row(name, values, errors)
        few |= short
        print(line)

    print("\nagainst the framework floor (a constant-answer FastAPI app, benchmarks/floor_app.py, in its own "
          "uvicorn process), client-side;\n\"ours\" = service minus floor: the service's own work")
    print(HEADER)
    kinds = [("single", single_ms, single_errors, floor_single_ms, floor_single_errors)]
    if concurrent:
        kinds.append((many, conc.latencies, conc.errors, floor_conc.latencies, floor_conc.errors))
    kinds.append(("GET /health", get_ms, get_errors, floor_get_ms, floor_get_errors))
    for kind, service_values, service_errors, floor_values, floor_errors in kinds:
        for name, values, errors in ((f"{kind}, service", service_values, service_errors),
                                     (f"{kind}, floor", floor_values, floor_errors)):
            line, short = _row(name, values, errors)
            few |= short
            print(line)
        print(_ours_row(f"{kind}, ours", service_values, floor_values))
    if few:
        print("* fewer than 10 requests lie beyond this p99: read it as the slowest few, not a percentile")
    floor_errors = floor_single_errors + floor_get_errors + floor_conc.errors
    if floor_errors:
        print(f"the framework floor failed {floor_errors} requests: its numbers, and \"ours\", are not to be trusted")
    if hasattr(os, "getloadavg"):
        print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"on {os.cpu_count()} cores (other programs' work inflates every number)")
    single_p99, batch_p99 = summarize(single_ms)["p99"], summarize(batch_ms)["p99"]
    errors = single_errors + batch_errors + get_errors + conc.errors
    sequential, floor_sequential = rate(len(single_ms), sum(single_ms) / 1000), rate(len(floor_single_ms),
                                                                                     sum(floor_single_ms) / 1000)
    print(f"\nsingle-prediction throughput: {sequential:.0f} requests/s sequential; "
          f"batch: {rate(len(batch_ms) * batch_size, sum(batch_ms) / 1000):,.0f} listings/s")
    throughput = [("sequential", sequential, floor_sequential)]
    if concurrent:
        throughput.append((f"{clients} clients", conc.per_second, floor_conc.per_second))
    for name, ours_rate, floor_rate in throughput:
        ours_ms = _ms_per_request(ours_rate) - _ms_per_request(floor_rate)
        print(f"  {name:<12} service {ours_rate:>6,.0f} requests/s, floor {floor_rate:>6,.0f} requests/s: "
              f"ours {ours_ms:.2f} ms of wall time per request")
    print("targets (two cores):")
    print(f"  single p99 < {TARGET_SINGLE_P99_MS:.0f} ms: {single_p99:.1f} ms "
          f"{'met' if single_p99 < TARGET_SINGLE_P99_MS else 'MISSED'}")
    print(f"  batch of {batch_size:,} p99 < {TARGET_BATCH_P99_MS:.0f} ms: {batch_p99:.1f} ms "
          f"{'met' if batch_p99 < TARGET_BATCH_P99_MS else 'MISSED'}")
    print(f"  zero errors: {errors} {'met' if errors == 0 else 'MISSED'}")
    print(f"server exit code after SIGINT: {exit_code}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
