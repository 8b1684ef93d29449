"""One structured line per request: the raw material of monitoring (Module 6).

Each line is a JSON object: time, request id, method, path, status, latency, model
version, a summary of the inputs and of the prediction (or the fields that were
invalid). Lines go to a file (JSON Lines), optionally to a stream (stdout, as a
container platform expects), to the ``mlcourse.service.requests`` logger, and stay in
memory (the last ``keep`` records) so a notebook or a test can read them back.

Logging never holds up serving. ``write`` keeps the record in memory and hands the line
to one writer thread per destination, through a bounded queue: a stdout that nobody reads
(a full pipe) or a slow disk stalls only its writer. When a queue is full the line is
dropped and counted (``dropped``); when the file cannot be written (a full disk, an I/O
error) the record is counted as ``lost``, one warning goes to stderr, and the file keeps
whole lines only: a partly written line is cut back off, and a file that ends in the
middle of a line (a crash, a full disk in an earlier run) is repaired when it is opened.
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from mlcourse.paths import output_dir

LOGGER = logging.getLogger("mlcourse.service.requests")
QUEUE_LINES = 10_000  # lines waiting for a writer before new ones are dropped (about 6 MB)
_STOP = object()


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


def _warn(message: str) -> None:
    """One line on stderr; never raises (stderr may be closed or a broken pipe)."""
    try:
        print(f"Warning: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


class _Writer:
    """A daemon thread that writes the lines put in its bounded queue, in order."""

    def __init__(self, name: str, write_line: Callable[[str], None], maxsize: int) -> None:
        self.name = name
        self._write_line = write_line
        self._queue: queue.Queue = queue.Queue(maxsize)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.dropped = 0
        self.closed = False

    def put(self, line: str) -> bool:
        """Queue a line without waiting; False (and counted) if the queue is full or the writer closed."""
        if self.closed:
            return False
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name=f"request-log-{self.name}", daemon=True)
                    self._thread.start()
        try:
            self._queue.put_nowait(line)
        except queue.Full:
            self.dropped += 1
            if self.dropped == 1:  # from another thread: stderr may be as blocked as the destination
                message = (f"the request log's {self.name} is not keeping up (is anything reading it?): "
                           "log lines are being dropped and counted (GET /log); serving continues.")
                threading.Thread(target=_warn, args=(message,), daemon=True).start()
            return False
        return True

    def _run(self) -> None:
        while True:
            line = self._queue.get()
            try:
                if line is _STOP:
                    return
                self._write_line(line)
            except Exception as exc:  # noqa: BLE001 - a writer must outlive any failure of its destination
                _warn(f"the request log's {self.name} failed ({type(exc).__name__}: {exc}).")
            finally:
                self._queue.task_done()

    def flush(self, timeout: float) -> bool:
        """Wait until every queued line is written; False if that took longer than ``timeout`` seconds."""
        if self._thread is None:
            return True
        done = threading.Event()
        threading.Thread(target=lambda: (self._queue.join(), done.set()), daemon=True).start()
        return done.wait(timeout)

    def close(self, timeout: float) -> bool:
        """Write what is queued, then stop the thread; False if it is stuck (its lines stay unwritten)."""
        self.closed = True
        if self._thread is None:
            return True
        flushed = self.flush(timeout)
        if flushed:
            self._queue.put(_STOP)
            self._thread.join(timeout)
        return flushed


class _LineFile:
    """An append-only file of whole lines: a write that fails part way is cut back off."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lost = 0       # records that could not be written
        self.repaired = 0   # bytes of a partial last line removed when the file was opened
        self._warned = False
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            self._repair_tail()
        except OSError:
            pass

    def _repair_tail(self) -> None:
        """Cut a last line that has no end (a crash or a full disk mid-record) so new lines start clean."""
        size = os.fstat(self._fd).st_size
        if size == 0:
            return
        with open(self.path, "rb") as existing:
            end = size
            while end > 0:
                start = max(0, end - 65_536)
                existing.seek(start)
                chunk = existing.read(end - start)
                if end == size and chunk.endswith(b"\n"):
                    return
                newline = chunk.rfind(b"\n")
                if newline != -1:
                    keep = start + newline + 1
                    break
                end = start
            else:
                keep = 0
        os.ftruncate(self._fd, keep)
        self.repaired = size - keep
        _warn(f"the request log {self.path} ended in the middle of a record (an earlier run stopped or ran out "
              f"of space while writing it): the partial record, {self.repaired:,} bytes, was removed.")

    def write_line(self, line: str) -> None:
        if self._fd is None:
            self.lost += 1
            return
        data = (line + "\n").encode("utf-8", "backslashreplace")
        before = None
        try:
            before = os.fstat(self._fd).st_size
            written = os.write(self._fd, data)
            if written != len(data):
                raise OSError(28, f"only {written} of {len(data)} bytes were written")
        except OSError as exc:
            self.lost += 1
            if before is not None:
                try:
                    os.ftruncate(self._fd, before)  # whole lines only
                except OSError:
                    pass
            if not self._warned:
                self._warned = True
                _warn(f"cannot write the request log {self.path} ({exc.strerror or exc}): predictions continue, "
                      "but their log records are lost (counted in GET /log). Free some space or fix the file.")

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None


class RequestLog:
    """A thread-safe sink for request records that never blocks its caller."""

    def __init__(self, path: str | Path | None = None, stream: TextIO | None = None, keep: int = 1_000,
                 queue_lines: int = QUEUE_LINES):
        """Open the log. ``OSError`` if ``path``'s folder cannot be created or the file cannot be opened."""
        self.path = Path(path) if path is not None else None
        self._stream = stream
        self._recent: deque[dict[str, Any]] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self.records = 0
        self._file: _LineFile | None = None
        self._writers: list[_Writer] = []
        self._stream_lost = 0
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = _LineFile(self.path)
            self._file_writer = _Writer("file", self._file.write_line, queue_lines)
            self._writers.append(self._file_writer)
        if stream is not None:
            self._writers.append(_Writer("stdout stream", self._write_stream, queue_lines))

    def _write_stream(self, line: str) -> None:
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except (OSError, ValueError):  # a closed stream or a broken pipe: count, do not stop serving
            self._stream_lost += 1

    def write(self, record: dict[str, Any]) -> None:
        record = _finite(record)
        line = json.dumps(record, separators=(",", ":"), default=str)
        with self._lock:
            self._recent.append(record)
            self.records += 1
        for writer in self._writers:
            writer.put(line)
        if LOGGER.isEnabledFor(logging.INFO):
            LOGGER.info(line)

    def recent(self, n: int | None = None) -> list[dict[str, Any]]:
        """The last ``n`` records (all kept ones by default), oldest first."""
        with self._lock:
            records = list(self._recent)
        return records if n is None else records[-n:]

    def status(self) -> dict[str, int]:
        """How many records were logged, and how many the file or the stream did not get (and why)."""
        return {"records": self.records,
                "dropped": sum(w.dropped for w in self._writers),
                "lost": (self._file.lost if self._file is not None else 0) + self._stream_lost}

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every record so far is written (for tests and notebooks); False on timeout."""
        return all([writer.flush(timeout) for writer in self._writers])

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (waiting at most ``timeout`` seconds per destination), then close the file."""
        for writer in self._writers:
            writer.close(timeout)
        if self._file is not None:
            self._file.close()


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """Every record of a JSON Lines request log (a half-written last line is skipped)."""
    records = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
