"""Experiment tracking: runs land in the course's local store, with data and code versions, and come back."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from mlcourse import modeling, tracking
from tests.conftest import ROOT

EXPERIMENT = "test-tracking"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A fresh local store for this module: MLFLOW_TRACKING_URI unset, MLCOURSE_MLFLOW_DIR in a temp folder."""
    folder = tmp_path_factory.mktemp("mlflow")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        patch.setenv("MLCOURSE_MLFLOW_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def logged(store):
    listings = modeling.pricing_listings(sample=1_500, seed=11)
    train, test = modeling.random_split(listings)
    model = modeling.make_model("xgboost", n_estimators=15).fit(train, train["price_usd"])
    before = set(os.listdir(ROOT))
    run_id = tracking.log_run("xgboost-small", model=model, params={"family": "xgboost", "n_estimators": 15},
                              metrics={"rmse": 5.5, "mae": 3.1}, tags={"stage": "test"}, training_data=train,
                              experiment=EXPERIMENT)
    other = tracking.log_run("rule", params={"family": "baseline"}, metrics={"rmse": 9.0}, training_data=train,
                             experiment=EXPERIMENT)
    return {"run_id": run_id, "other": other, "model": model, "train": train, "test": test,
            "repo_before": before}


def test_the_store_is_the_one_paths_names(store):
    assert tracking.mlflow_tracking_uri() == f"sqlite:///{(store / 'mlflow.db').as_posix()}"
    assert tracking.artifact_root() == (store / "artifacts").resolve().as_uri()


def test_a_run_records_params_metrics_tags_and_versions(logged):
    import mlflow

    run = mlflow.get_run(logged["run_id"])
    assert run.data.params["family"] == "xgboost" and run.data.params["n_estimators"] == "15"
    assert run.data.metrics == {"rmse": 5.5, "mae": 3.1}
    assert run.data.tags["stage"] == "test"
    version = tracking.data_version(logged["train"])
    for key, value in version.items():
        assert run.data.params[key] == str(value)
    assert run.data.tags["code_version"] == tracking.code_version()
    assert run.data.tags["version.scikit-learn"] == tracking.environment_versions()["scikit-learn"]


def test_runs_and_models_stay_in_the_local_store(logged, store):
    import mlflow

    run = mlflow.get_run(logged["run_id"])
    assert run.info.artifact_uri.startswith(store.resolve().as_uri())
    assert any((store / "artifacts").rglob("model.skops"))
    assert set(os.listdir(ROOT)) == logged["repo_before"], "nothing new in the repository"


def test_the_model_comes_back_identical(logged):
    loaded = tracking.load_model(logged["run_id"], experiment=EXPERIMENT)
    np.testing.assert_array_equal(loaded.predict(logged["test"]), logged["model"].predict(logged["test"]))


def test_runs_table_compares_runs_best_first(logged):
    table = tracking.runs_table(EXPERIMENT, metric="rmse")
    assert table["run"].tolist()[:2] == ["xgboost-small", "rule"]
    assert {"rmse", "family", "data_hash", "stage", "run_id"} <= set(table.columns)
    only = tracking.runs_table(EXPERIMENT, filter_string="params.family = 'baseline'")
    assert only["run_id"].tolist() == [logged["other"]]


def test_an_empty_experiment_gives_an_empty_table(store):
    assert tracking.runs_table("nothing-logged-here").empty


def test_child_runs_hang_under_their_parent(store):
    import mlflow

    parent = tracking.start_parent_run("search", params={"candidates": 2}, experiment=EXPERIMENT)
    child = tracking.log_run("candidate", metrics={"rmse": 4.0}, parent_run_id=parent, experiment=EXPERIMENT,
                             log_model=False)
    assert mlflow.get_run(child).data.tags["mlflow.parentRunId"] == parent


def test_the_store_can_be_prepared_in_the_background(store):
    thread = tracking.prepare_store_in_background("background-experiment")
    thread.join(timeout=120)
    assert not thread.is_alive()
    import mlflow

    assert mlflow.get_experiment_by_name("background-experiment") is not None


def test_data_version_is_a_content_hash(logged):
    train = logged["train"]
    assert tracking.data_version(train) == tracking.data_version(train.copy())
    changed = train.copy()
    changed.loc[changed.index[0], "price_usd"] += 0.01
    assert tracking.data_version(changed)["data_hash"] != tracking.data_version(train)["data_hash"]


def test_pinned_requirements():
    requirements = tracking.pip_requirements()
    assert any(r.startswith("scikit-learn==") for r in requirements)
    assert all("==" in r for r in requirements)


def test_ui_command_serves_the_course_store_lightly(store):
    command = tracking.ui_command(port=5123)
    assert command[command.index("--backend-store-uri") + 1] == tracking.mlflow_tracking_uri()
    assert command[command.index("--workers") + 1] == "1" and "5123" in command
    assert tracking.ui_environment()["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] == "false"
    assert "mlcourse.tracking ui" in tracking.ui_instructions()


def test_main_prints_the_store_and_rejects_bad_arguments(store, capsys):
    assert tracking.main(["where"]) == 0
    assert str(store) in capsys.readouterr().out
    assert tracking.main([]) == 2
    assert tracking.main(["ui", "--port", "many"]) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_ui_starts_and_answers(store):
    port = _free_port()
    server = subprocess.Popen(tracking.ui_command(port), env=tracking.ui_environment(), cwd=store,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the MLflow UI did not start") from None
                time.sleep(0.5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_mlflow_info_chatter_is_silenced():
    import logging

    for name in ("mlflow.utils.uv_utils", "mlflow.store.db.utils", "alembic"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name


# ------------------------------------------------------------------------------ experiment naming
def test_the_default_experiment_is_the_one_module_3_logs_to():
    source = (ROOT / "03_model_training.py").read_text(encoding="utf-8")
    assert "EXPERIMENT = tracking.DEFAULT_EXPERIMENT" in source
    assert tracking.DEFAULT_EXPERIMENT == "card-prices"


def test_runs_table_reads_the_default_experiment_without_an_argument(store):
    run_id = tracking.log_run("in the default experiment", metrics={"rmse": 3.0}, log_model=False)
    assert run_id in tracking.runs_table()["run_id"].tolist()


def test_reading_or_serving_the_store_creates_no_experiment(store):
    before = tracking.experiment_names()
    assert tracking.runs_table("never-created").empty
    assert tracking.existing_experiment_id("never-created") is None
    tracking.prepare_store()  # what the UI command runs before serving
    assert tracking.experiment_names() == before and "never-created" not in before


def test_a_fresh_store_has_only_mlflow_own_default_experiment(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("MLCOURSE_MLFLOW_DIR", str(tmp_path / "fresh"))
    tracking.prepare_store()
    assert tracking.experiment_names() == ["Default"]


def test_log_run_once_finds_a_run_instead_of_logging_it_twice(store):
    known_before = tracking.run_ids_by_fingerprint(EXPERIMENT)
    first, logged = tracking.log_run_once("once", fingerprint="fp-test-1", metrics={"rmse": 1.0},
                                          experiment=EXPERIMENT, log_model=False, tags={"stage": "test"})
    assert logged and first not in known_before.values()
    again, logged_again = tracking.log_run_once("once", fingerprint="fp-test-1", metrics={"rmse": 1.0},
                                                experiment=EXPERIMENT, log_model=False)
    assert again == first and not logged_again
    other, logged_other = tracking.log_run_once("once", fingerprint="fp-test-2", experiment=EXPERIMENT,
                                                log_model=False, known=tracking.run_ids_by_fingerprint(EXPERIMENT))
    assert logged_other and other != first
    import mlflow

    assert mlflow.get_run(first).data.tags["fingerprint"] == "fp-test-1"
    assert mlflow.get_run(first).data.tags["stage"] == "test"


# ------------------------------------------------------------------------------ the model registry
REGISTERED = "test-card-price-model"


@pytest.fixture(scope="module")
def registered(store):
    listings = modeling.pricing_listings(sample=1_200, seed=13)
    first = modeling.make_model("xgboost", n_estimators=8).fit(listings, listings["price_usd"])
    second = modeling.make_model("xgboost", n_estimators=16).fit(listings, listings["price_usd"])
    runs = [tracking.log_run(f"registry {i}", model=m, experiment=EXPERIMENT) for i, m in enumerate((first, second))]
    return {"listings": listings, "models": (first, second), "runs": runs}


def test_registering_makes_a_version_and_points_the_alias_at_it(registered):
    name = f"{REGISTERED}-first"
    info = tracking.register_model(registered["runs"][0], name=name, tags={"why": "test"})
    assert info["version"] == 1 and info["aliases"] == [tracking.CHAMPION]
    assert info["run_id"] == registered["runs"][0] and info["tags"]["why"] == "test"
    champion = tracking.model_version_info(name)
    assert champion["version"] == 1 and champion["uri"] == f"models:/{name}@champion"


def test_registering_the_same_run_again_makes_no_new_version(registered):
    name = f"{REGISTERED}-again"
    tracking.register_model(registered["runs"][0], name=name)
    again = tracking.register_model(registered["runs"][0], name=name)
    assert again["version"] == 1 and len(tracking.model_versions(name)) == 1


def test_a_service_loads_the_champion_by_alias_and_follows_a_rollback(registered):
    name = f"{REGISTERED}-rollback"
    listings = registered["listings"]
    first, second = registered["models"]
    tracking.register_model(registered["runs"][0], name=name)
    promoted = tracking.register_model(registered["runs"][1], name=name)  # a new champion
    assert promoted["version"] == 2
    np.testing.assert_array_equal(tracking.load_registered_model(name).predict(listings), second.predict(listings))
    versions = tracking.model_versions(name)
    assert versions["version"].tolist() == [2, 1] and versions["aliases"].tolist() == ["champion", ""]
    rolled_back = tracking.set_alias(1, name=name)  # the rollback: move the alias back
    assert rolled_back["aliases"] == ["champion"]
    np.testing.assert_array_equal(tracking.load_registered_model(name).predict(listings), first.predict(listings))
    # the same model through MLflow's own URI, as a service without the course package would load it
    import mlflow

    direct = mlflow.sklearn.load_model(tracking.registered_model_uri(name))
    np.testing.assert_array_equal(direct.predict(listings), first.predict(listings))


def test_other_aliases_and_bad_names(registered):
    name = f"{REGISTERED}-aliases"
    tracking.register_model(registered["runs"][0], name=name)
    tracking.register_model(registered["runs"][1], name=name, alias="challenger")
    assert tracking.model_version_info(name, alias="challenger")["version"] == 2
    assert tracking.model_version_info(name)["version"] == 1  # the champion did not move
    assert tracking.model_versions("no-such-model").empty
    with pytest.raises(ValueError, match="alias"):
        tracking.registered_model_uri("", "champion")
    with pytest.raises(ValueError, match="no logged model"):
        tracking.register_model(tracking.log_run("no model", experiment=EXPERIMENT, log_model=False), name=name)
    with pytest.raises(Exception):  # noqa: B017  (MLflow's own error: there is no version 99)
        tracking.set_alias(99, name=name)


# ------------------------------------------------------------------------------ loading only the types the course trusts
TRUST_EXPERIMENT = "test-tracking-trust"


class Smuggled:
    """A type skops does not trust and the course does not list: what an edited artifact could carry in."""

    def __init__(self, model=None):
        self.model = model

    def predict(self, X):
        return self.model.predict(X)


SMUGGLED = f"{Smuggled.__module__}.{Smuggled.__qualname__}"


@pytest.fixture()
def fresh(store):
    """A small course model logged in a run of its own (the tests below edit its artifact), and its folder."""
    import mlflow
    from mlflow.utils.file_utils import local_file_uri_to_path

    listings = modeling.pricing_listings(sample=300, seed=5)
    model = modeling.make_model("xgboost", n_estimators=3).fit(listings, listings["price_usd"])
    run_id = tracking.log_run("to be edited", model=model, experiment=TRUST_EXPERIMENT)
    model_id = tracking._logged_model_uri(run_id).removeprefix("models:/")
    folder = Path(local_file_uri_to_path(mlflow.get_logged_model(model_id).artifact_location))
    assert (folder / "MLmodel").is_file() and (folder / "model.skops").is_file()
    return {"run_id": run_id, "model": model, "listings": listings, "folder": folder}


def _edit_flavor(folder: Path, **changes) -> None:
    """Rewrite the sklearn flavour of an artifact's MLmodel file, as someone editing the artifact would."""
    import yaml

    path = folder / "MLmodel"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec["flavors"]["python_function"].update({k: v for k, v in changes.items() if k == "model_path"})
    spec["flavors"]["sklearn"].update({k: v for k, v in changes.items() if k != "model_path"})
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")


def test_a_logged_model_loads_with_the_course_list_not_the_artifact_record(fresh):
    _edit_flavor(fresh["folder"], skops_trusted_types=[])  # the artifact now vouches for nothing
    loaded = tracking.load_model(fresh["run_id"], experiment=TRUST_EXPERIMENT)
    np.testing.assert_array_equal(loaded.predict(fresh["listings"]), fresh["model"].predict(fresh["listings"]))


def test_an_artifact_that_vouches_for_an_unexpected_type_is_refused(fresh, monkeypatch):
    import mlflow
    import skops.io as sio

    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")  # MLflow's default, made explicit
    sio.dump(Smuggled(fresh["model"]), fresh["folder"] / "model.skops")
    _edit_flavor(fresh["folder"], skops_trusted_types=[*tracking.TRUSTED_SKOPS_TYPES, SMUGGLED])
    # the edit works on MLflow's own loader, which trusts what the artifact records...
    assert isinstance(mlflow.sklearn.load_model(f"runs:/{fresh['run_id']}/model"), Smuggled)
    # ...and the course's loaders refuse it, naming the type
    with pytest.raises(tracking.UntrustedModelError, match=SMUGGLED) as refused:
        tracking.load_model(fresh["run_id"], experiment=TRUST_EXPERIMENT)
    assert refused.value.types == [SMUGGLED] and "tampered" in str(refused.value)
    name = "test-card-price-model-tampered"
    tracking.register_model(fresh["run_id"], name=name)
    with pytest.raises(tracking.UntrustedModelError, match=SMUGGLED):
        tracking.load_registered_model(name)


def test_an_artifact_switched_to_pickle_is_refused(fresh):
    import pickle

    (fresh["folder"] / "model.pkl").write_bytes(pickle.dumps(fresh["model"]))
    _edit_flavor(fresh["folder"], serialization_format="cloudpickle", pickled_model="model.pkl",
                 model_path="model.pkl")
    with pytest.raises(tracking.UntrustedModelError, match="not a skops model"):
        tracking.load_model(fresh["run_id"], experiment=TRUST_EXPERIMENT)


def test_a_model_with_an_unlisted_type_is_not_logged(store):
    model = modeling.make_model("constant").fit(np.zeros((3, 1)), [1.0, 2.0, 3.0])
    with pytest.raises(tracking.UntrustedModelError, match=f"{SMUGGLED}.*TRUSTED_SKOPS_TYPES on purpose"):
        tracking.log_run("smuggled", model=Smuggled(model), experiment=TRUST_EXPERIMENT)
    assert "smuggled" not in tracking.runs_table(TRUST_EXPERIMENT)["run"].tolist()  # no half-logged run


def test_the_trusted_types_are_exactly_what_the_course_models_need():
    import skops.io as sio

    listings = modeling.pricing_listings(sample=500)
    needed: set[str] = set()
    for family in modeling.FAMILIES:
        model = modeling.make_model(family).fit(listings, listings["price_usd"])
        if family == "era_rarity":  # skops cannot save its tuple-keyed medians: it is never logged with a model
            with pytest.raises(TypeError):
                sio.dumps(model)
            continue
        types = set(sio.get_untrusted_types(data=sio.dumps(model)))
        assert types <= set(tracking.TRUSTED_SKOPS_TYPES), (family, types - set(tracking.TRUSTED_SKOPS_TYPES))
        needed |= types
    assert needed == set(tracking.TRUSTED_SKOPS_TYPES), "a listed type no course model needs"
    assert len(tracking.TRUSTED_SKOPS_TYPES) == len(needed)
