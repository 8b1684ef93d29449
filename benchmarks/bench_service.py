"""Load benchmark of the card price service over real HTTP on the loopback interface.

    uv run python benchmarks/bench_service.py                     # defaults: 1,000 singles, 100 batches
    uv run python benchmarks/bench_service.py --singles 3000 --batches 100 --max-seconds 120

Trains a model into a temporary folder (a few seconds), starts the documented command
(`python -m mlcourse.service serve`) on a free port of 127.0.0.1, sends real listings from
the model's test period, and stops the server. Bounded: at most `--singles` sequential
single predictions and `--batches` sequential batch predictions, and never more than
`--max-seconds` in all. Nothing leaves this machine and nothing is written into the
repository.

Reports p50/p95/p99/max latency and errors for each kind of request, measured by the
client (what a caller waits for once its body is encoded, including HTTP) and by the server
(its request log),
against the targets: single prediction p99 under 10 ms, a batch of 1,000 under 50 ms
(p99), zero errors. Exit code 1 if any request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from mlcourse.service.latency import quotable, summarize

TARGET_SINGLE_P99_MS = 10.0
TARGET_BATCH_P99_MS = 50.0
WARM_SINGLES, WARM_BATCHES = 50, 2


JSON_HEADERS = {"content-type": "application/json"}


def run_phase(client: httpx.Client, path: str, bodies: list[bytes], count: int,
              deadline: float) -> tuple[list[float], int]:
    """Send ``count`` requests one after another (cycling through ``bodies``) until the deadline.

    The bodies are JSON text encoded before the clock starts, as a load generator sends them:
    the time is the request's, not the client's own ``json.dumps``.
    """
    latencies, errors = [], 0
    for i in range(count):
        if time.perf_counter() > deadline:
            break
        start = time.perf_counter()
        try:
            response = client.post(path, content=bodies[i % len(bodies)], headers=JSON_HEADERS)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        latencies.append((time.perf_counter() - start) * 1000)
        errors += not ok
    return latencies, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--singles", type=int, default=1000, help="sequential single predictions")
    parser.add_argument("--batches", type=int, default=100, help="sequential batch predictions")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--max-seconds", type=float, default=90.0, help="stop sending after this long")
    args = parser.parse_args()

    from mlcourse.dataset import load_listings
    from mlcourse.features import pricing_subset
    from mlcourse.service.model import request_payloads, train_model
    from mlcourse.service.requestlog import read_log
    from mlcourse.service.runner import ServerProcess
    from mlcourse.service.schemas import MAX_BATCH

    batch_size = min(args.batch_size, MAX_BATCH)
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
        with ServerProcess(model_dir, log_file) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
            print(f"server ready on {server.base_url} in {server.startup_seconds:.1f} s (process start to /ready)")
            deadline = time.perf_counter() + args.max_seconds
            run_phase(client, "/predict", singles, WARM_SINGLES, deadline)  # warm the connection and code paths
            run_phase(client, "/predict/batch", batches, WARM_BATCHES, deadline)
            single_ms, single_errors = run_phase(client, "/predict", singles, args.singles, deadline)
            batch_ms, batch_errors = run_phase(client, "/predict/batch", batches, args.batches, deadline)
            exit_code = server.stop()
        records = read_log(log_file)
        server_single = [r["latency_ms"] for r in records if r.get("path") == "/predict"][WARM_SINGLES:]
        server_batch = [r["latency_ms"] for r in records if r.get("path") == "/predict/batch"][WARM_BATCHES:]

    rows = [("single, client", single_ms, single_errors), ("single, server", server_single, None),
            (f"batch of {batch_size:,}, client", batch_ms, batch_errors), (f"batch of {batch_size:,}, server",
                                                                          server_batch, None)]
    print(f"\n{'request':<26}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>10}{'max ms':>9}")
    few = False
    for name, values, errors in rows:
        p = summarize(values)
        err = "" if errors is None else str(errors)
        mark = " " if quotable(len(values), 99) else "*"
        few |= mark == "*"
        print(f"{name:<26}{len(values):>7}{err:>8}{p['p50']:>9.2f}{p['p95']:>9.2f}{p['p99']:>9.2f}{mark}{p['max']:>9.2f}")
    if few:
        print("* fewer than 10 requests lie beyond this p99: read it as the slowest few, not a percentile")
    if hasattr(os, "getloadavg"):
        print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"on {os.cpu_count()} cores (other programs' work inflates every number)")
    single_p99, batch_p99 = summarize(single_ms)["p99"], summarize(batch_ms)["p99"]
    errors = single_errors + batch_errors
    print(f"\nsingle-prediction throughput: {len(single_ms) / (sum(single_ms) / 1000):.0f} requests/s sequential; "
          f"batch: {len(batch_ms) * batch_size / (sum(batch_ms) / 1000):,.0f} listings/s")
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
