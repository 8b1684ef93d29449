"""Content hashes as data versions: same content, same hash, on every machine."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd


def content_hash(df: pd.DataFrame, length: int = 16) -> str:
    """A hash of a DataFrame's column names, dtypes and values (not its index).

    Two runs of a deterministic pipeline give the same hash; any changed value,
    column, dtype or row order gives a different one.
    """
    h = hashlib.sha256()
    h.update(repr([str(c) for c in df.columns]).encode())
    h.update(repr([str(t) for t in df.dtypes]).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()[:length]


def file_hash(path: str | Path, length: int = 16) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:length]
