"""Experiment tracking: runs land in the course's local store, with data and code versions, and come back."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

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
