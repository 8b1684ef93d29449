"""Experiment tracking with MLflow, in a local store: no server, no account.

Runs land in ``mlcourse.paths.mlflow_tracking_uri()`` (a SQLite file in ``mlruns/``,
gitignored), and their artifacts (the models) next to it, in ``mlruns/artifacts/``::

    from mlcourse import tracking
    run_id = tracking.log_run("xgboost-default", model=fitted, params={...}, metrics={"rmse": 5.1},
                              tags={"stage": "family comparison"}, training_data=train)
    tracking.runs_table()                  # compare runs as a DataFrame

To browse the runs in MLflow's web UI (Ctrl+C stops it)::

    uv run python -m mlcourse.tracking ui
"""

from __future__ import annotations

import logging
import os
import platform
import subprocess
import sys
import threading
from collections.abc import Mapping
from typing import Any

import pandas as pd

from mlcourse.paths import mlflow_dir, mlflow_tracking_uri

DEFAULT_EXPERIMENT = "card-prices"
UI_PORT = 5000

# MLflow warns that pip cannot be found in a uv environment (there is none: uv installs packages).
logging.getLogger("mlflow.utils.environment").setLevel(logging.ERROR)
logging.getLogger("alembic").setLevel(logging.WARNING)
logging.getLogger("mlflow.store.db.utils").setLevel(logging.WARNING)
# MLflow logs at INFO level what it copies from the uv project (uv.lock, pyproject.toml) with every logged model.
logging.getLogger("mlflow.utils.uv_utils").setLevel(logging.WARNING)

_LOCK = threading.Lock()


def _mlflow():
    """MLflow, imported on first use (it takes seconds), with its scikit-learn flavour."""
    import mlflow
    import mlflow.sklearn  # noqa: F401  (registers mlflow.sklearn)

    return mlflow


def artifact_root() -> str:
    """Where models and other artifacts of new experiments go: a folder next to the local store."""
    return (mlflow_dir() / "artifacts").resolve().as_uri()


def _is_local(uri: str) -> bool:
    return uri.startswith(("sqlite:", "file:")) or "://" not in uri


def use_local_store(experiment: str = DEFAULT_EXPERIMENT) -> str:
    """Point MLflow at the course's store and select (creating if needed) an experiment; returns its id.

    Called by every function here, so the store is always the one ``mlcourse.paths`` names,
    even if the environment changed since the last call (the tests redirect it).
    """
    mlflow = _mlflow()
    with _LOCK:
        uri = mlflow_tracking_uri()
        mlflow.set_tracking_uri(uri)
        found = mlflow.get_experiment_by_name(experiment)
        if found is None:
            location = artifact_root() if _is_local(uri) else None
            experiment_id = mlflow.create_experiment(experiment, artifact_location=location)
        else:
            experiment_id = found.experiment_id
        mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def prepare_store_in_background(experiment: str = DEFAULT_EXPERIMENT) -> threading.Thread:
    """Create the store (a few seconds the first time) in a thread, while other work runs.

    MLflow itself is imported here, before the thread starts: importing a package from two
    threads at once can leave one of them with a half-initialised module.
    """
    _mlflow()
    thread = threading.Thread(target=use_local_store, args=(experiment,), daemon=True, name="mlflow-store")
    thread.start()
    return thread


def data_version(listings: pd.DataFrame) -> dict[str, Any]:
    """The version of the data a model saw: content hash, rows, and the generator that made it."""
    from mlcourse import dataset
    from mlcourse.versioning import content_hash

    return {"data_hash": content_hash(listings), "data_rows": len(listings),
            "generator_version": dataset.GENERATOR_VERSION, "dataset_seed": dataset.DEFAULT_SEED,
            "dataset_size": dataset.DEFAULT_N_LISTINGS}


def code_version() -> str:
    """The git commit of the course code, with "+dirty" if it has uncommitted changes ("unknown" outside git)."""
    from mlcourse.dataset import REPO_ROOT

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "") if commit else "unknown"


def environment_versions() -> dict[str, str]:
    """Versions of Python and the libraries a model depends on."""
    import numpy
    import sklearn

    versions = {"python": platform.python_version(), "numpy": numpy.__version__, "pandas": pd.__version__,
                "scikit-learn": sklearn.__version__}
    try:
        import xgboost

        versions["xgboost"] = xgboost.__version__
    except ImportError:  # pragma: no cover - xgboost is a course dependency
        pass
    return versions


def pip_requirements() -> list[str]:
    """Pinned requirements for a logged model: given explicitly, MLflow skips its slow inference."""
    names = {"numpy": "numpy", "pandas": "pandas", "scikit-learn": "scikit-learn", "xgboost": "xgboost"}
    versions = environment_versions()
    return [f"{names[k]}=={v}" for k, v in versions.items() if k in names]


def _trusted_types(model: Any) -> list[str]:
    """Types skops must be told to trust to load this model back (our own and xgboost's)."""
    import skops.io as sio

    return sio.get_untrusted_types(data=sio.dumps(model))


def log_run(run_name: str, *, model: Any = None, params: Mapping[str, Any] | None = None,
            metrics: Mapping[str, float] | None = None, tags: Mapping[str, Any] | None = None,
            training_data: pd.DataFrame | None = None, experiment: str = DEFAULT_EXPERIMENT,
            log_model: bool = True, parent_run_id: str | None = None) -> str:
    """Log one training run and return its id.

    Records params, metrics and tags; the data version of ``training_data`` (content hash,
    rows, generator version and seed) as params; library versions and the code version as
    tags; and the fitted model (if given and ``log_model``), saved with skops, with pinned
    pip requirements.
    """
    mlflow = _mlflow()
    use_local_store(experiment)
    all_params = dict(params or {})
    if training_data is not None:
        all_params.update(data_version(training_data))
    all_tags = {"code_version": code_version(), **{f"version.{k}": v for k, v in environment_versions().items()},
                **{k: str(v) for k, v in (tags or {}).items()}}
    with mlflow.start_run(run_name=run_name, nested=parent_run_id is not None,
                          parent_run_id=parent_run_id) as run:
        if all_params:
            mlflow.log_params({k: _param_value(v) for k, v in all_params.items()})
        if metrics:
            mlflow.log_metrics({k: float(v) for k, v in metrics.items()})
        mlflow.set_tags(all_tags)
        if model is not None and log_model:
            mlflow.sklearn.log_model(model, name="model", pip_requirements=pip_requirements(),
                                     skops_trusted_types=_trusted_types(model))
    return run.info.run_id


def _param_value(value: Any) -> Any:
    return "None" if value is None else value


def start_parent_run(run_name: str, *, params: Mapping[str, Any] | None = None,
                     tags: Mapping[str, Any] | None = None, experiment: str = DEFAULT_EXPERIMENT) -> str:
    """Create a finished run that groups child runs (a search); returns its id for ``parent_run_id``."""
    return log_run(run_name, params=params, tags=tags, experiment=experiment, log_model=False)


def load_model(run_id: str, experiment: str = DEFAULT_EXPERIMENT) -> Any:
    """Load the model logged with a run back from the store."""
    mlflow = _mlflow()
    use_local_store(experiment)
    return mlflow.sklearn.load_model(f"runs:/{run_id}/model")


def runs_table(experiment: str = DEFAULT_EXPERIMENT, metric: str = "rmse", filter_string: str = "") -> pd.DataFrame:
    """The experiment's runs as a table, best ``metric`` first: name, metrics, params, tags, id."""
    mlflow = _mlflow()
    experiment_id = use_local_store(experiment)
    runs = mlflow.search_runs(experiment_ids=[experiment_id], filter_string=filter_string)
    if runs.empty:
        return pd.DataFrame(columns=["run", "run_id"])
    keep = {"tags.mlflow.runName": "run"}
    keep.update({c: c.removeprefix("metrics.") for c in runs.columns if c.startswith("metrics.")})
    keep.update({c: c.removeprefix("params.") for c in runs.columns if c.startswith("params.")})
    keep.update({c: c.removeprefix("tags.") for c in runs.columns
                 if c.startswith("tags.") and not c.startswith("tags.mlflow.") and not c.startswith("tags.version.")})
    keep["start_time"] = "start_time"
    keep["run_id"] = "run_id"
    table = runs[list(keep)].rename(columns=keep)
    sort_by = [metric] if metric in table.columns else []
    return table.sort_values(sort_by + ["start_time"], kind="stable", na_position="last").reset_index(drop=True)


def ui_command(port: int = UI_PORT) -> list[str]:
    """The command that serves MLflow's web UI on the course's store (one light worker)."""
    return [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", mlflow_tracking_uri(),
            "--default-artifact-root", artifact_root(), "--host", "127.0.0.1", "--port", str(port),
            "--workers", "1"]


def ui_environment() -> dict[str, str]:
    """Environment for the UI: no background job workers (a light server on a laptop)."""
    return {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}


def ui_instructions(port: int = UI_PORT) -> str:
    """How to open the UI, in one line a learner can paste in a terminal at the repository root."""
    return f"uv run python -m mlcourse.tracking ui --port {port}"


def main(argv: list[str] | None = None) -> int:
    """``python -m mlcourse.tracking ui [--port N]`` serves the UI; ``... where`` prints the store."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("ui", "where"):
        print("usage: python -m mlcourse.tracking ui [--port N] | where")
        return 2
    if args[0] == "where":
        print(f"tracking store: {mlflow_tracking_uri()}\nartifacts:      {artifact_root()}")
        return 0
    port = UI_PORT
    if "--port" in args:
        try:
            port = int(args[args.index("--port") + 1])
        except (IndexError, ValueError):
            print("--port needs a number, for example --port 5001")
            return 2
    use_local_store()
    print(f"MLflow UI on http://127.0.0.1:{port} for {mlflow_tracking_uri()} (Ctrl+C to stop)")
    try:
        return subprocess.run(ui_command(port), env=ui_environment()).returncode
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())

