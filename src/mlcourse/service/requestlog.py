"""One structured line per request: the raw material of monitoring (Module 6).

Each line is a JSON object: time, request id, method, path, status, latency, model
version, a summary of the inputs and of the prediction (or the fields that were
invalid). Lines go to a file (JSON Lines), optionally to a stream (stdout, as a
container platform expects), to the ``mlcourse.service.requests`` logger, and stay in
memory (the last ``keep`` records) so a notebook or a test can read them back.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections import deque
from pathlib import Path
from typing import Any, TextIO

from mlcourse.paths import output_dir

LOGGER = logging.getLogger("mlcourse.service.requests")


def default_log_path() -> Path:
    """Where the served app appends its request log by default."""
    return output_dir() / "service_logs" / "requests.jsonl"


def _finite(value: Any) -> Any:
    """The value with any NaN or infinity replaced by its name: every line stays valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class RequestLog:
    """A thread-safe sink for request records."""

    def __init__(self, path: str | Path | None = None, stream: TextIO | None = None, keep: int = 1_000):
        self.path = Path(path) if path is not None else None
        self._stream = stream
        self._recent: deque[dict[str, Any]] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - closed in close()

    def write(self, record: dict[str, Any]) -> None:
        record = _finite(record)
        line = json.dumps(record, separators=(",", ":"), default=str)
        with self._lock:
            self._recent.append(record)
            if self._file is not None:
                self._file.write(line + "\n")
            if self._stream is not None:
                self._stream.write(line + "\n")
                self._stream.flush()
        LOGGER.info(line)

    def recent(self, n: int | None = None) -> list[dict[str, Any]]:
        """The last ``n`` records (all kept ones by default), oldest first."""
        with self._lock:
            records = list(self._recent)
        return records if n is None else records[-n:]

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """Every record of a JSON Lines request log (a half-written last line is skipped)."""
    records = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
