"""Experiment tracking with MLflow, in a local store: no server, no account.

Runs land in ``mlcourse.paths.mlflow_tracking_uri()`` (a SQLite file in ``mlruns/``,
gitignored), and their artifacts (the models) next to it, in ``mlruns/artifacts/``::

    from mlcourse import tracking
    run_id = tracking.log_run("xgboost-default", model=fitted, params={...}, metrics={"rmse": 5.1},
                              tags={"stage": "family comparison"}, training_data=train)
    tracking.runs_table()                  # compare runs as a DataFrame

Every run of the course goes to one experiment, ``DEFAULT_EXPERIMENT`` ("card-prices"), unless
told otherwise. The chosen model is registered under ``MODEL_NAME`` with the alias ``champion``;
a service loads it by that alias, so promoting or rolling back a model is moving the alias::

    version = tracking.register_model(run_id)                 # a new version, now the champion
    model = tracking.load_registered_model()                  # models:/card-price-model@champion

Models are saved with skops and loaded back trusting only ``TRUSTED_SKOPS_TYPES``, a list fixed in
this module, never the list an artifact records about itself (``load_artifact``).

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

DEFAULT_EXPERIMENT = "card-prices"  # Module 3's runs, and the default of every function here
MODEL_NAME = "card-price-model"  # the registered model a service loads (``load_registered_model``)
CHAMPION = "champion"  # the alias of the version in production
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


# ======================================================================================
# Safe loading: the types a logged model may contain are fixed here, in code
# ======================================================================================
# The types skops does not trust by default that the course's logged models contain, found with
# ``skops.io.get_untrusted_types`` on ``modeling.make_model(family)`` for every family skops can save
# (GroupMedianPrice, the "era_rarity" rule, cannot be saved: skops refuses its tuple-keyed dict) and
# on Module 3's final model (an xgboost family model). The list lives in code, not in the artifact:
# MLflow records ``skops_trusted_types`` in the model's MLmodel file and trusts that record on load,
# so an edited artifact could vouch for any type it likes. ``load_model`` and ``load_registered_model``
# ignore the record and load with this list. A new model class is added here on purpose, by a person
# (``test_tracking`` checks the list against the course's models).
TRUSTED_SKOPS_TYPES: tuple[str, ...] = (
    "mlcourse.features.CategoryCodes",  # the tree models' category encoder
    "mlcourse.features.feature_frame",  # the FunctionTransformer's function: listings -> features
    "mlcourse.modeling.ConstantPrice",  # the "constant" baseline
    "mlcourse.modeling.SingleThreadHistGradientBoosting",  # the "hist_gradient_boosting" estimator
    "numpy.dtype",  # the linear model's preprocessing
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",  # the random forest's trees
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBRegressor",
)


class UntrustedModelError(ValueError):
    """A model (to log, or in an artifact) holds types outside ``TRUSTED_SKOPS_TYPES``; ``types`` lists them."""

    def __init__(self, message: str, types: list[str]):
        super().__init__(message)
        self.types = types


def _unexpected_types(found: list[str]) -> list[str]:
    return sorted(set(found) - set(TRUSTED_SKOPS_TYPES))


def _check_loggable(model: Any) -> None:
    """Refuse, before anything is logged, a model that ``load_model`` would refuse to load back."""
    import skops.io as sio

    unexpected = _unexpected_types(sio.get_untrusted_types(data=sio.dumps(model)))
    if unexpected:
        raise UntrustedModelError(
            f"the model holds types that mlcourse.tracking.TRUSTED_SKOPS_TYPES does not list: {unexpected}. "
            "Logged, it could not be loaded back. If the course's code defines or needs these types, "
            "add them to TRUSTED_SKOPS_TYPES on purpose.", unexpected)


def log_run(run_name: str, *, model: Any = None, params: Mapping[str, Any] | None = None,
            metrics: Mapping[str, float] | None = None, tags: Mapping[str, Any] | None = None,
            training_data: pd.DataFrame | None = None, experiment: str = DEFAULT_EXPERIMENT,
            log_model: bool = True, parent_run_id: str | None = None) -> str:
    """Log one training run and return its id.

    Records params, metrics and tags; the data version of ``training_data`` (content hash,
    rows, generator version and seed) as params; library versions and the code version as
    tags; and the fitted model (if given and ``log_model``), saved with skops, with pinned
    pip requirements. A model holding a type outside ``TRUSTED_SKOPS_TYPES`` is refused
    (``UntrustedModelError``) before the run starts: ``load_model`` could not load it back.
    """
    mlflow = _mlflow()
    if model is not None and log_model:
        _check_loggable(model)  # before the run starts: a refused model leaves no half-logged run
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
                                     skops_trusted_types=list(TRUSTED_SKOPS_TYPES))
    return run.info.run_id


def _param_value(value: Any) -> Any:
    return "None" if value is None else value


def start_parent_run(run_name: str, *, params: Mapping[str, Any] | None = None,
                     tags: Mapping[str, Any] | None = None, experiment: str = DEFAULT_EXPERIMENT) -> str:
    """Create a finished run that groups child runs (a search); returns its id for ``parent_run_id``."""
    return log_run(run_name, params=params, tags=tags, experiment=experiment, log_model=False)


def load_model(run_id: str, experiment: str = DEFAULT_EXPERIMENT) -> Any:
    """Load the model logged with a run back from the store (only ``TRUSTED_SKOPS_TYPES``: see ``load_artifact``)."""
    use_local_store(experiment)
    return load_artifact(f"runs:/{run_id}/model")


def load_artifact(model_uri: str) -> Any:
    """Load a model that ``log_run`` saved, trusting only ``TRUSTED_SKOPS_TYPES``, whatever the artifact says.

    ``mlflow.sklearn.load_model`` trusts the ``skops_trusted_types`` recorded in the artifact's MLmodel
    file (and loads pickle if the file says so), so an edited artifact vouches for itself. Here the
    record is ignored: the artifact must be in the skops format, and a skops file holding any type
    outside the course's list is refused with ``UntrustedModelError``, never loaded.
    """
    import tempfile
    from pathlib import Path

    mlflow = _mlflow()
    import skops.io as sio
    from mlflow.models import Model
    from skops.io.exceptions import UntrustedTypesFoundException

    with tempfile.TemporaryDirectory(prefix="mlcourse-model-") as folder:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=folder)).resolve()
        flavor = Model.load(str(local)).flavors.get("sklearn", {})
        if flavor.get("serialization_format") != "skops":
            raise UntrustedModelError(
                f"{model_uri} is not a skops model (serialization format "
                f"{flavor.get('serialization_format')!r}): the course's code saves every model with skops, so this "
                "artifact was not saved by log_run or was tampered with; it is not loaded.", [])
        path = (local / str(flavor.get("pickled_model", ""))).resolve()
        if not path.is_file() or not path.is_relative_to(local):
            raise UntrustedModelError(f"{model_uri} names no model file inside the artifact "
                                      f"({flavor.get('pickled_model')!r}); it is not loaded.", [])
        unexpected = _unexpected_types(sio.get_untrusted_types(file=path))
        if unexpected:
            raise UntrustedModelError(_tampered_message(model_uri, unexpected), unexpected)
        try:
            return sio.load(path, trusted=list(TRUSTED_SKOPS_TYPES))
        except UntrustedTypesFoundException as error:  # skops met, while loading, a type the check above missed
            raise UntrustedModelError(_tampered_message(model_uri, str(error)), []) from error


def _tampered_message(model_uri: str, unexpected: list[str] | str) -> str:
    return (f"{model_uri} holds types that mlcourse.tracking.TRUSTED_SKOPS_TYPES does not list: {unexpected}. "
            "The artifact was not saved by the course's code, or was tampered with: it is not loaded "
            "(the types the artifact itself declares trusted are ignored).")


def runs_table(experiment: str = DEFAULT_EXPERIMENT, metric: str = "rmse", filter_string: str = "") -> pd.DataFrame:
    """The experiment's runs as a table, best ``metric`` first: name, metrics, params, tags, id.

    An experiment that does not exist yet has no runs: the table is empty (and nothing is created).
    """
    experiment_id = existing_experiment_id(experiment)
    if experiment_id is None:
        return pd.DataFrame(columns=["run", "run_id"])
    mlflow = _mlflow()
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


# ======================================================================================
# Logging once: a run that is already in the store is found, not logged again
# ======================================================================================
def run_ids_by_fingerprint(experiment: str = DEFAULT_EXPERIMENT) -> dict[str, str]:
    """``fingerprint`` tag -> run id, for the runs of an experiment that carry one (see ``log_run_once``)."""
    experiment_id = existing_experiment_id(experiment)
    if experiment_id is None:
        return {}
    runs = _mlflow().search_runs(experiment_ids=[experiment_id], filter_string="tags.fingerprint != ''",
                                 order_by=["attributes.start_time ASC"])
    if runs.empty or "tags.fingerprint" not in runs:
        return {}
    return dict(zip(runs["tags.fingerprint"], runs["run_id"], strict=True))


def log_run_once(run_name: str, *, fingerprint: str, known: Mapping[str, str] | None = None,
                 **kwargs: Any) -> tuple[str, bool]:
    """``log_run``, unless a run with this ``fingerprint`` tag is already in the experiment.

    The fingerprint says what the run is (a hash of its data, code and settings:
    ``mlcourse.cache.fingerprint``), so a notebook reopened on the same data and code finds its
    runs instead of logging copies. ``known`` is ``run_ids_by_fingerprint()``, fetched once for
    many runs. Returns (run id, whether it was logged now).
    """
    experiment = kwargs.get("experiment", DEFAULT_EXPERIMENT)
    found = (known if known is not None else run_ids_by_fingerprint(experiment)).get(fingerprint)
    if found is not None:
        return found, False
    tags = {**(kwargs.pop("tags", None) or {}), "fingerprint": fingerprint}
    return log_run(run_name, tags=tags, **kwargs), True


# ======================================================================================
# Experiments by name, without creating them
# ======================================================================================
def prepare_store() -> str:
    """Create the course's store if needed (its tables, MLflow's "Default" experiment), and no experiment of ours.

    Returns the tracking URI. The UI command calls it, so that opening the UI never adds an empty experiment.
    """
    mlflow = _mlflow()
    with _LOCK:
        uri = mlflow_tracking_uri()
        mlflow.set_tracking_uri(uri)
        mlflow.MlflowClient(uri).search_experiments(max_results=1)
    return uri


def existing_experiment_id(experiment: str = DEFAULT_EXPERIMENT) -> str | None:
    """The id of the experiment with this name in the course's store, or None if there is none (none is created)."""
    mlflow = _mlflow()
    with _LOCK:
        mlflow.set_tracking_uri(mlflow_tracking_uri())
        found = mlflow.get_experiment_by_name(experiment)
    return None if found is None else found.experiment_id


def experiment_names() -> list[str]:
    """Names of the experiments in the course's store (MLflow's own "Default" included), oldest first."""
    prepare_store()
    experiments = _mlflow().MlflowClient(mlflow_tracking_uri()).search_experiments(order_by=["creation_time ASC"])
    return [e.name for e in experiments]


# ======================================================================================
# The model registry: a name, numbered versions, and an alias for the one in production
# ======================================================================================
def registered_model_uri(name: str = MODEL_NAME, alias: str = CHAMPION) -> str:
    """The URI MLflow loads a registered model from by alias: ``models:/<name>@<alias>``."""
    if not name or not alias or "@" in name or "/" in alias:
        raise ValueError(f"need a model name and an alias, got {name!r} and {alias!r}")
    return f"models:/{name}@{alias}"


def _client() -> Any:
    mlflow = _mlflow()
    uri = prepare_store()
    return mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)


def _logged_model_uri(run_id: str) -> str:
    """The URI of the model logged with a run (MLflow 3 keeps it as a logged model, ``models:/m-...``)."""
    client = _client()
    run = client.get_run(run_id)
    found = client.search_logged_models(experiment_ids=[run.info.experiment_id],
                                        filter_string=f"source_run_id = '{run_id}'", max_results=1)
    if not found:
        raise ValueError(f"run {run_id} has no logged model to register: log it with log_run(model=...)")
    return found[0].model_uri


def register_model(run_id: str, name: str = MODEL_NAME, alias: str | None = CHAMPION,
                   tags: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Register the model logged with ``run_id`` as a new version of ``name``; point ``alias`` at it.

    If a version of ``name`` already holds this run's model, no new version is made (re-running a
    notebook registers nothing twice); the alias still moves to it. Returns ``model_version_info``.
    """
    client = _client()
    registered_model_uri(name, alias or CHAMPION)  # validates the name
    existing = [v for v in client.search_model_versions(f"name = '{name}'") if v.run_id == run_id]
    if existing:
        version = max(existing, key=lambda v: int(v.version))
    else:
        try:
            client.get_registered_model(name)
        except Exception:  # not registered yet
            client.create_registered_model(name, description="The course's card price model (Module 3).")
        version = client.create_model_version(name, source=_logged_model_uri(run_id), run_id=run_id,
                                              tags={k: str(v) for k, v in (tags or {}).items()})
    if alias is not None:
        client.set_registered_model_alias(name, alias, version.version)
    return model_version_info(name, version=int(version.version))


def set_alias(version: int, name: str = MODEL_NAME, alias: str = CHAMPION) -> dict[str, Any]:
    """Point ``alias`` at another version of ``name`` (a promotion, or a rollback); returns its info."""
    client = _client()
    client.get_model_version(name, str(version))  # raises if there is no such version
    client.set_registered_model_alias(name, alias, str(version))
    return model_version_info(name, version=version)


def model_version_info(name: str = MODEL_NAME, alias: str | None = CHAMPION,
                       version: int | None = None) -> dict[str, Any]:
    """One registered version, by alias or by number: name, version, aliases, run_id, source, uri, tags."""
    client = _client()
    found = (client.get_model_version(name, str(version)) if version is not None
             else client.get_model_version_by_alias(name, alias))
    return {"name": found.name, "version": int(found.version), "aliases": sorted(found.aliases),
            "run_id": found.run_id, "source": found.source, "tags": dict(found.tags),
            "uri": registered_model_uri(name, alias) if version is None else f"models:/{name}/{found.version}"}


def model_versions(name: str = MODEL_NAME) -> pd.DataFrame:
    """Every version of a registered model, newest first: version, aliases, run_id, created (empty if none)."""
    client = _client()
    try:
        versions = client.search_model_versions(f"name = '{name}'")
        aliases_of: dict[str, list[str]] = {}
        for alias, number in client.get_registered_model(name).aliases.items():
            aliases_of.setdefault(str(number), []).append(alias)
    except Exception:  # no model of that name
        versions, aliases_of = [], {}
    rows = [{"version": int(v.version), "aliases": ", ".join(sorted(aliases_of.get(str(v.version), []))),
             "run_id": v.run_id,
             "created": pd.Timestamp(v.creation_timestamp, unit="ms")} for v in versions]
    table = pd.DataFrame(rows, columns=["version", "aliases", "run_id", "created"])
    return table.sort_values("version", ascending=False, kind="stable").reset_index(drop=True)


def load_registered_model(name: str = MODEL_NAME, alias: str = CHAMPION) -> Any:
    """Load the version of ``name`` that ``alias`` points at (``models:/<name>@<alias>``): what a service serves.

    Only ``TRUSTED_SKOPS_TYPES`` are loaded, whatever the artifact declares (see ``load_artifact``).
    """
    prepare_store()
    return load_artifact(registered_model_uri(name, alias))


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
    prepare_store()
    print(f"MLflow UI on http://127.0.0.1:{port} for {mlflow_tracking_uri()} (Ctrl+C to stop); "
          f"the course's runs are in the experiment {DEFAULT_EXPERIMENT!r}")
    try:
        return subprocess.run(ui_command(port), env=ui_environment()).returncode
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())

