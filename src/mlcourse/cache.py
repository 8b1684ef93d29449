"""A disk cache for the course's expensive, deterministic steps: fitted models, searches, folds.

A notebook that trains models takes seconds the first time it runs; reopened, it should not fit
them again. ``cached(name, compute, *inputs)`` returns ``compute()``, read back from disk when the
same step already ran on the same inputs with the same code::

    from mlcourse import cache
    models, scores = cache.cached_call("families", modeling.fit_families, train, valid)

``cached_call(name, fn, *args, **kwargs)`` is ``fn(*args, **kwargs)``, keyed on the function and
every argument; ``cached(name, compute, *inputs)`` runs ``compute()``, keyed on ``inputs``. The key
is a hash of the name, the function and its arguments (DataFrames by content, arrays by their
bytes, estimators by their parameters, functions by their code, other values by their ``repr``),
the source of the course package's modules, and the versions of Python and the libraries that fit
models. Change any of them and the step runs again. Timings measured inside a cached step are
those of the run that filled the cache.

The files live in ``mlcourse.paths.cache_dir()`` (``outputs/cache/``, gitignored): delete that
folder to start over, or set ``MLCOURSE_CACHE=off`` to compute everything afresh. A file that
cannot be read back (an interrupted write, a library that changed) is recomputed, never an error.
The files are pickles written by this package on this machine: do not copy them from elsewhere.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from mlcourse.paths import cache_dir

T = TypeVar("T")
KEEP_PER_NAME = 8  # older entries of the same step (other slider values, older code) are pruned
_PACKAGE = Path(__file__).resolve().parent


def enabled() -> bool:
    """False when MLCOURSE_CACHE is set to off, 0, false or no."""
    return os.environ.get("MLCOURSE_CACHE", "on").strip().lower() not in ("off", "0", "false", "no")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the course package's own modules (not the exercises or the service) and of the library versions."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    import sklearn
    import xgboost

    for version in (platform.python_version(), np.__version__, pd.__version__, sklearn.__version__,
                    xgboost.__version__):
        h.update(version.encode())
    return h.hexdigest()


def _update(h: Any, value: Any) -> None:
    if isinstance(value, pd.DataFrame):
        from mlcourse.versioning import content_hash

        h.update(b"frame:" + content_hash(value, length=64).encode())
    elif isinstance(value, pd.Series):
        _update(h, value.to_frame())
    elif isinstance(value, np.ndarray):
        h.update(b"array:" + str(value.dtype).encode() + repr(value.shape).encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif callable(value) and hasattr(value, "__code__"):  # a function: its name and its code
        h.update(f"function:{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}:".encode())
        _update_code(h, value.__code__)
    elif hasattr(value, "get_params") and not isinstance(value, type):  # an estimator: its class and settings
        h.update(f"estimator:{type(value).__module__}.{type(value).__qualname__}:".encode())
        _update(h, value.get_params(deep=True))
    elif isinstance(value, dict):
        h.update(b"dict:")
        for key in sorted(value, key=repr):
            _update(h, key)
            _update(h, value[key])
    elif isinstance(value, list | tuple):
        h.update(f"{type(value).__name__}:{len(value)}:".encode())
        for item in value:
            _update(h, item)
    else:
        h.update(f"{type(value).__name__}:{value!r};".encode())


def _update_code(h: Any, code: Any) -> None:
    h.update(code.co_code)
    h.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            _update_code(h, const)
        else:
            h.update(repr(const).encode())


def fingerprint(*parts: Any) -> str:
    """A hex digest of ``parts`` (see the module docstring for how each kind of value is hashed)."""
    h = hashlib.sha256()
    for part in parts:
        _update(h, part)
    return h.hexdigest()


def cached(name: str, compute: Callable[[], T], *inputs: Any) -> T:
    """``compute()``, or its result read from the disk cache when ``name`` already ran on the same inputs and code.

    ``name`` says what the step is (letters, digits, ``-`` and ``_``); ``inputs`` are everything the
    result depends on besides the package's code: the data, the settings, a seed.
    """
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"a cache name is letters, digits, '-' and '_', got {name!r}")
    if not enabled():
        return compute()
    key = fingerprint(name, code_fingerprint(), *inputs)[:20]
    folder = cache_dir()
    path = folder / f"{name}--{key}.pkl"
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
        os.utime(path)  # most recently used: pruned last
        return value
    except FileNotFoundError:
        pass
    except Exception:  # a torn or stale file: compute it again
        path.unlink(missing_ok=True)
    value = compute()
    _store(path, value)
    _prune(folder, name)
    return value


def cached_call(name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, read from the disk cache when the same call already ran with the same code.

    The key covers the function (its name and code) and every argument. A ``progress`` keyword
    (a function that wraps a loop in a progress bar) is passed on but not part of the key.
    """
    keyed = {k: v for k, v in kwargs.items() if k != "progress"}
    return cached(name, lambda: fn(*args, **kwargs), fn, args, keyed)


def _store(path: Path, value: Any) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # atomic: a reader sees the old file or the whole new one
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        temporary.unlink(missing_ok=True)  # a full disk or an unpicklable value: the result is still returned


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile by another process
        return 0.0


def _prune(folder: Path, name: str) -> None:
    entries = sorted(folder.glob(f"{name}--*.pkl"), key=_mtime, reverse=True)
    for old in entries[KEEP_PER_NAME:]:
        old.unlink(missing_ok=True)


def clear() -> int:
    """Delete every cached result; returns how many files were removed."""
    removed = 0
    for path in cache_dir().glob("*.pkl"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed
