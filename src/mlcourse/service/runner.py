"""Start and stop a real server on the loopback interface: for tests, benchmarks and notebooks.

- ``ServerProcess``: the documented command (``python -m mlcourse.service serve``) in its
  own process, on a free port, stopped (gracefully, then by force) on exit.
- ``serve_in_thread``: the same uvicorn server inside this process, in a thread, on a
  port the OS picks: real HTTP over a real socket, started in a fraction of a second.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from mlcourse.service.protocol import HEADER_TIMEOUT_SECONDS, KEEP_ALIVE_SECONDS, MAX_CONNECTIONS, guarded_h11_protocol

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port that is free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_until_ready(base_url: str, timeout: float = 30.0, process: subprocess.Popen | None = None,
                     probes: Counter | None = None) -> float:
    """Poll ``/ready`` until it answers 200; return the seconds waited. Raise if it never does.

    ``probes``, if given, counts what each probe got: "refused" (the port is not open
    yet), "503", "200", "timeout"...
    """
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before it was ready")
        try:
            status = httpx.get(f"{base_url}/ready", timeout=1.0).status_code
        except httpx.ConnectError:
            status = "refused"
        except httpx.TransportError:
            status = "timeout"
        if probes is not None:
            probes[str(status)] += 1
        if status == 200:
            return time.perf_counter() - start
        time.sleep(0.05)
    raise TimeoutError(f"{base_url} was not ready after {timeout:.0f} s")


class ServerProcess:
    """``python -m mlcourse.service serve`` in a child process on a free loopback port.

    Use as a context manager; ``.base_url`` is where it listens, ``.output()`` what it printed.
    """

    def __init__(self, model_dir: str | Path, log_file: str | Path, port: int | None = None,
                 ready_timeout: float = 60.0, extra_args: Sequence[str] = (), stdout_pipe: bool = False,
                 preexec_fn: Callable[[], None] | None = None) -> None:
        """``extra_args`` go to ``serve`` (``--header-timeout 1``...). With ``stdout_pipe`` the server's
        stdout is a pipe that nobody reads (stderr still goes to ``.output()``); ``preexec_fn``
        runs in the child before the server starts (POSIX only: a resource limit, for example)."""
        self.port = port or free_port()
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        self.command = [sys.executable, "-m", "mlcourse.service", "serve", "--port", str(self.port),
                        "--model-dir", str(model_dir), "--log-file", str(log_file), *extra_args]
        self.ready_timeout = ready_timeout
        self.stdout_pipe = stdout_pipe
        self.preexec_fn = preexec_fn
        self.process: subprocess.Popen | None = None
        self.startup_seconds = float("nan")
        self.startup_probes: Counter = Counter()  # what the readiness probes got while it started
        self._output = Path(log_file).with_suffix(".out")

    def start(self) -> ServerProcess:
        self._output.parent.mkdir(parents=True, exist_ok=True)
        with open(self._output, "wb") as out:
            self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE if self.stdout_pipe else out,
                                            stderr=out if self.stdout_pipe else subprocess.STDOUT,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=self.preexec_fn)
        started = time.perf_counter()
        try:
            wait_until_ready(self.base_url, self.ready_timeout, self.process, probes=self.startup_probes)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.perf_counter() - started
        return self

    def stop(self, timeout: float = 10.0) -> int | None:
        """Ask the server to shut down (SIGINT, like Ctrl+C); kill it if it does not. Return its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            if os.name == "nt":
                self.process.terminate()
            else:
                self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode

    def output(self) -> str:
        return self._output.read_text(errors="replace") if self._output.exists() else ""

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def serve_in_thread(app: FastAPI, timeout: float = 10.0, *, header_timeout: float = HEADER_TIMEOUT_SECONDS,
                    keep_alive: float = KEEP_ALIVE_SECONDS, max_connections: int = MAX_CONNECTIONS) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a port the OS picks) in a thread; yield its base URL.

    With the same connection limits as the served command (``mlcourse.service.protocol``).
    """
    config = uvicorn.Config(app, host=LOOPBACK, port=0, log_level="warning", access_log=False, lifespan="on",
                            http=guarded_h11_protocol(header_timeout), timeout_keep_alive=keep_alive,
                            limit_concurrency=max_connections, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    start = time.perf_counter()
    while not server.started:
        if not thread.is_alive() or time.perf_counter() - start > timeout:
            server.should_exit = True
            raise RuntimeError("the in-process server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
