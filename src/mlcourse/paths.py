"""Where the course writes things. Everything lands in gitignored folders of the clone,
or wherever the environment variables below point (the tests point them at a temporary
folder, so a test run leaves nothing in the repository).

- MLCOURSE_DATA_DIR    generated dataset files        (default: data/generated/)
- MLCOURSE_OUTPUT_DIR  models, model cards, logs      (default: outputs/)
- MLCOURSE_CACHE_DIR   results of expensive steps     (default: outputs/cache/)
- MLCOURSE_MLFLOW_DIR  the local MLflow store         (default: mlruns/)
- MLFLOW_TRACKING_URI  MLflow's own variable; if set, it wins over MLCOURSE_MLFLOW_DIR
- MLCOURSE_PROGRESS_FILE  exercise progress           (default: .mlcourse_progress.json)
"""

from __future__ import annotations

import os
from pathlib import Path

from mlcourse.dataset import REPO_ROOT


def output_dir() -> Path:
    """Folder for what notebooks and commands produce (created on demand)."""
    path = Path(os.environ.get("MLCOURSE_OUTPUT_DIR") or REPO_ROOT / "outputs")
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Folder of the disk cache of expensive, deterministic steps (``mlcourse.cache``; created on demand)."""
    path = Path(os.environ.get("MLCOURSE_CACHE_DIR") or output_dir() / "cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def mlflow_dir() -> Path:
    """Folder of the local MLflow store (created on demand)."""
    path = Path(os.environ.get("MLCOURSE_MLFLOW_DIR") or REPO_ROOT / "mlruns")
    path.mkdir(parents=True, exist_ok=True)
    return path


def mlflow_tracking_uri() -> str:
    """MLFLOW_TRACKING_URI if set, else a SQLite store in mlflow_dir(): no server, no account."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{(mlflow_dir() / 'mlflow.db').as_posix()}"
