"""Command line of the card price service.

    uv run python -m mlcourse.service train              # train and save the model (seconds)
    uv run python -m mlcourse.service serve              # http://127.0.0.1:8000, docs at /docs
    uv run python -m mlcourse.service serve --port 8080 --model-dir path/to/model

The server binds to 127.0.0.1 (this machine only) unless you pass ``--host``. It logs one
JSON line per request to stdout and to ``outputs/service_logs/requests.jsonl``.

Exit codes: 0 after a clean stop (Ctrl+C), 2 when there is no valid model, 3 when the
server cannot start (the port is taken: pick another with ``--port``; the request log cannot
be written: pick another with ``--log-file``; or the start-up failed).

Limits (each has a flag): a request's headers must arrive within 10 s and its body within
30 s (else 408 and the connection closes), an idle kept-alive connection closes after 5 s, a
body may hold 2 MB (413), and once 512 connections are open a request gets 503. The request
log never holds up serving: if stdout is not read or the disk is full, records are dropped
or lost, counted at ``GET /log``, with one warning on stderr.
"""

from __future__ import annotations

import argparse
import errno
import gc
import ipaddress
import os
import socket
import sys
import time
from pathlib import Path

from mlcourse.service.model import ModelLoadError, TrainingConfig, load_model, train_model
from mlcourse.service.protocol import (
    BODY_TIMEOUT_SECONDS,
    HEADER_TIMEOUT_SECONDS,
    KEEP_ALIVE_SECONDS,
    MAX_CONNECTIONS,
)
from mlcourse.service.requestlog import RequestLog, default_log_path

MODEL_DIR_HELP = "default: outputs/card_pricer (under $MLCOURSE_OUTPUT_DIR if set)"


def _train(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    config = TrainingConfig(rounds=args.rounds, max_depth=args.max_depth)
    model = train_model(config=config)
    directory = model.save(args.model_dir)
    metrics = model.metadata["metrics"]
    print(f"Trained {model.version} ({model.n_trees} trees) on {model.metadata['rows']['train']:,} listings "
          f"in {time.perf_counter() - start:.1f} s.")
    print(f"Test (latest {model.metadata['rows']['test']:,} listings): MAE ${metrics['mae_usd']:.2f}, "
          f"RMSE ${metrics['rmse_usd']:.2f}, {model.interval_level:.0%} interval covers "
          f"{metrics['interval_coverage']:.1%}.")
    print(f"Saved to {directory}")
    return 0


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def bind_port(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port), before anything is announced; OSError if the port is taken.

    The protocol is named (IPPROTO_TCP), as uvicorn's own sockets do: asyncio switches off
    Nagle's algorithm (TCP_NODELAY) only on sockets that say they are TCP. Without it, each
    response waits for the client's delayed acknowledgement: about 40 ms per request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name != "nt":  # as uvicorn does: restart at once after a stop (on Windows it would share the port)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _serve(args: argparse.Namespace) -> int:
    try:
        model = load_model(args.model_dir)
    except ModelLoadError as exc:
        print(f"Cannot start the service: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind_port(args.host, args.port)
    except OSError as exc:
        reason = ("another program (another copy of this service?) is already using it"
                  if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)) else exc.strerror or exc)
        print(f"Cannot start the service: port {args.port} on {args.host} is not available ({reason}). "
              f"Stop the other program, or choose another port: --port {8081 if args.port == 8080 else 8080}",
              file=sys.stderr)
        return 3
    import uvicorn

    from mlcourse.service.app import create_app
    from mlcourse.service.protocol import guarded_h11_protocol

    log_path = args.log_file or default_log_path()
    try:
        log = RequestLog(path=log_path, stream=None if args.quiet else sys.stdout)
    except OSError as exc:
        sock.close()
        print(f"Cannot start the service: the request log {log_path} cannot be written "
              f"({exc.strerror or exc}). Choose a folder you can write to: --log-file path/to/requests.jsonl",
              file=sys.stderr)
        return 3
    if not _is_loopback(args.host):
        print(f"Warning: listening on {args.host}: other machines can reach this service.", file=sys.stderr)
    app = create_app(model, request_log=log, body_timeout=args.body_timeout)
    print(f"Serving {model.version} on http://{args.host}:{args.port} (docs at /docs); "
          f"request log: {log.path}. Stop with Ctrl+C.", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=args.host, port=args.port, access_log=False, log_level="warning",
                            http=guarded_h11_protocol(args.header_timeout), timeout_keep_alive=args.keep_alive,
                            limit_concurrency=args.max_connections, timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    interrupted = False
    # Everything alive now (modules, the model) lives as long as the process. Moved out of the
    # garbage collector's reach, it is not scanned again: a full collection in the middle of a
    # request took tens of milliseconds with it, a few without it.
    gc.collect()
    gc.freeze()
    try:
        # The port is ours already: uvicorn runs the start-up (warm-up), then listens on it.
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl+C it handled, once it has shut down cleanly
        interrupted = True
    finally:
        sock.close()
        log.close()
        missed = log.status()
        if missed["dropped"] or missed["lost"]:
            print(f"Request log: {missed['records']:,} requests, {missed['dropped']:,} lines dropped (a destination "
                  f"was not keeping up), {missed['lost']:,} lost (a write failed).", file=sys.stderr)
    if not server.started and not interrupted:
        print("Cannot start the service: the start-up failed (see the error above).", file=sys.stderr)
        return 3
    return 0


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlcourse.service", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train the pricing model and save it")
    train.add_argument("--model-dir", type=Path, default=None, help=MODEL_DIR_HELP)
    train.add_argument("--rounds", type=int, default=TrainingConfig.rounds, help="number of trees")
    train.add_argument("--max-depth", type=int, default=TrainingConfig.max_depth)
    train.set_defaults(run=_train)

    serve = commands.add_parser("serve", help="serve the saved model over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1 (this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="default: 8000")
    serve.add_argument("--model-dir", type=Path, default=None, help=MODEL_DIR_HELP)
    serve.add_argument("--log-file", type=Path, default=None,
                       help="default: outputs/service_logs/requests.jsonl (under $MLCOURSE_OUTPUT_DIR if set)")
    serve.add_argument("--quiet", action="store_true", help="do not echo request log lines to stdout")
    serve.add_argument("--header-timeout", type=_positive, default=HEADER_TIMEOUT_SECONDS, metavar="SECONDS",
                       help=f"a request's line and headers must arrive within this (default: {HEADER_TIMEOUT_SECONDS:g})")
    serve.add_argument("--body-timeout", type=_positive, default=BODY_TIMEOUT_SECONDS, metavar="SECONDS",
                       help=f"a request's body must arrive within this (default: {BODY_TIMEOUT_SECONDS:g})")
    serve.add_argument("--keep-alive", type=_positive, default=KEEP_ALIVE_SECONDS, metavar="SECONDS",
                       help=f"an idle kept-alive connection closes after this (default: {KEEP_ALIVE_SECONDS:g})")
    serve.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS,
                       help=f"once this many connections are open (the asking one included), a request gets 503 "
                            f"(default: {MAX_CONNECTIONS})")
    serve.set_defaults(run=_serve)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
