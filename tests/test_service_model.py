"""The service's model: deterministic training, safe files, checked loading, no training/serving skew."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from mlcourse.dataset import load_listings
from mlcourse.features import FEATURES, INPUT_COLUMNS, pricing_subset
from mlcourse.service import model as svc
from mlcourse.service.model import ModelLoadError, TrainingConfig, listings_frame, load_model, train_model
from mlcourse.service.schemas import CardListing
from mlcourse.versioning import content_hash

SMALL = TrainingConfig(rounds=25)


@pytest.fixture(scope="module")
def small_model() -> svc.PricingModel:
    return train_model(config=SMALL)


@pytest.fixture
def saved(small_model, tmp_path):
    return small_model.save(tmp_path / "model")


def test_training_is_deterministic_to_the_byte(small_model, tmp_path):
    again = train_model(config=SMALL)
    first, second = small_model.save(tmp_path / "a"), again.save(tmp_path / "b")
    for name in (svc.MODEL_FILE, svc.METADATA_FILE):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert again.version == small_model.version


def test_metadata_describes_model_data_and_quality(small_model):
    meta = small_model.metadata
    data = pricing_subset(load_listings()).sort_values("listing_id", kind="stable").reset_index(drop=True)
    assert meta["training_data_hash"] == content_hash(data)
    assert meta["features"] == FEATURES
    assert meta["model_version"].startswith("card-pricer-") and meta["model_sha256"].startswith(meta["model_version"][-12:])
    assert sum(meta["rows"].values()) == len(data)
    assert meta["training_window"]["train_to"] <= meta["training_window"]["calibration_to"] <= meta["training_window"]["test_to"]
    assert set(meta["known_categories"]["rarity"]) == set(data["rarity"])
    assert meta["known_categories"]["grader"] == []  # ungraded listings only
    interval = meta["interval"]
    assert interval["log_lower"] < 0 < interval["log_upper"] and interval["level"] == 0.9
    metrics = meta["metrics"]
    assert 0.75 < metrics["interval_coverage"] < 0.97, "a calibrated 90% interval covers about 90% of new listings"
    assert metrics["mae_usd"] < metrics["baseline_mae_usd"], "the model must beat predicting the median"
    assert metrics["noise_floor_rmse_usd"] < metrics["rmse_usd"]


def test_files_are_json_not_pickles(saved):
    for name in (svc.MODEL_FILE, svc.METADATA_FILE):
        raw = (saved / name).read_bytes()
        assert not raw.startswith(b"\x80"), "a pickle starts with the PROTO opcode"
        json.loads(raw)


def test_save_then_load_gives_the_same_predictions(small_model, saved):
    loaded = load_model(saved)
    rows = pricing_subset(load_listings()).sample(200, random_state=0)[INPUT_COLUMNS]
    pd.testing.assert_frame_equal(loaded.predict_frame(rows), small_model.predict_frame(rows))
    assert loaded.version == small_model.version and loaded.n_trees == SMALL.rounds


def test_serving_path_equals_training_path(small_model):
    """No training/serving skew: a listing sent as JSON is priced exactly like its dataset row."""
    rows = pricing_subset(load_listings()).sample(300, random_state=1).reset_index(drop=True)
    from_dataset = small_model.predict_log(rows[INPUT_COLUMNS])
    requests = [CardListing.model_validate(p) for p in svc.request_payloads(rows)]
    from_requests = small_model.predict_log(listings_frame(requests))
    np.testing.assert_array_equal(from_requests, from_dataset)


def test_interval_brackets_the_price(small_model):
    rows = pricing_subset(load_listings()).head(50)[INPUT_COLUMNS]
    out = small_model.predict_frame(rows)
    assert (out["lower_usd"] < out["price_usd"]).all() and (out["price_usd"] < out["upper_usd"]).all()


def test_fewer_trees_is_a_smaller_model(small_model):
    rows = pricing_subset(load_listings()).head(20)[INPUT_COLUMNS]
    assert not np.allclose(small_model.predict_log(rows, n_trees=5), small_model.predict_log(rows))


def test_listings_frame_fills_grading_fields_as_ungraded():
    payload = CardListing.model_config["json_schema_extra"]["examples"][0]
    frame = listings_frame([CardListing.model_validate(payload), payload])
    assert list(frame.columns) == INPUT_COLUMNS and len(frame) == 2
    assert not frame["graded"].any() and frame["grader"].isna().all() and frame["grade"].isna().all()


def test_unknown_categories_are_named():
    listings = load_listings()
    model = train_model(listings[listings["rarity"] != "Hyper Rare"], config=TrainingConfig(rounds=3))
    payload = CardListing.model_config["json_schema_extra"]["examples"][0]
    frame = listings_frame([payload, {**payload, "rarity": "Hyper Rare", "era": "sv"}])
    assert model.unknown_categories(frame) == [(1, "rarity", "Hyper Rare")]


def test_pricing_window_runs_from_the_data_to_the_horizon(small_model):
    meta = small_model.metadata
    first, last = small_model.pricing_window
    assert first.isoformat() == meta["training_window"]["train_from"] == meta["pricing_window"]["from"]
    data_end = pd.Timestamp(meta["training_window"]["test_to"])
    assert last == (data_end + pd.Timedelta(days=SMALL.horizon_days)).date() and SMALL.horizon_days == 90
    day = pd.Timedelta(days=1)
    dates = [first, last, (data_end + day).date(), (pd.Timestamp(last) + day).date(), (pd.Timestamp(first) - day).date()]
    assert small_model.dates_outside_window(dates) == [(3, dates[3]), (4, dates[4])]
    assert small_model.dates_outside_window(dates[:3]) == [] and small_model.dates_outside_window([]) == []


def test_the_horizon_is_part_of_the_training_config():
    model = train_model(config=TrainingConfig(rounds=3, horizon_days=0))
    assert model.pricing_window[1].isoformat() == model.metadata["training_window"]["test_to"]


def test_too_little_data_is_refused():
    with pytest.raises(ValueError, match="at least 100"):
        train_model(load_listings().head(50), config=SMALL)


# ------------------------------------------------------------------------------ loading failures
def _rewrite_metadata(directory, change):
    path = directory / svc.METADATA_FILE
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))


@pytest.mark.parametrize("damage, message", [
    (lambda d: shutil.rmtree(d), "No model at"),
    (lambda d: (d / svc.MODEL_FILE).unlink(), "model.json is missing"),
    (lambda d: (d / svc.METADATA_FILE).unlink(), "metadata.json is missing"),
    (lambda d: (d / svc.METADATA_FILE).write_text("{not json"), "not valid JSON"),
    (lambda d: (d / svc.METADATA_FILE).write_text("[]"), "not a model's metadata"),
    (lambda d: (d / svc.MODEL_FILE).write_bytes((d / svc.MODEL_FILE).read_bytes()[:1000]), "corrupt"),
    (lambda d: _rewrite_metadata(d, lambda m: m.update(format_version=99)), "format version"),
    (lambda d: _rewrite_metadata(d, lambda m: m.update(features=m["features"][:-1])), "other features"),
    (lambda d: _rewrite_metadata(d, lambda m: m["self_test"].update(
        log_predictions=[v + 0.5 for v in m["self_test"]["log_predictions"]])), "reference predictions"),
    (lambda d: _rewrite_metadata(d, lambda m: m.update(known_categories={})), "unusable categories"),
    (lambda d: _rewrite_metadata(d, lambda m: m.pop("pricing_window")), "lacks"),
    # a field serving reads later (the interval, GET /model's facts) is checked at start-up too
    (lambda d: _rewrite_metadata(d, lambda m: m["interval"].pop("level")), "lacks interval.level"),
    (lambda d: _rewrite_metadata(d, lambda m: m["interval"].pop("log_upper")), "lacks interval.log_upper"),
    (lambda d: _rewrite_metadata(d, lambda m: m["self_test"].pop("log_predictions")),
     "lacks self_test.log_predictions"),
    (lambda d: _rewrite_metadata(d, lambda m: m.pop("model_type")), "lacks model_type"),
    (lambda d: _rewrite_metadata(d, lambda m: m.update(rows={"test": 3})), "lacks rows.train"),
    (lambda d: _rewrite_metadata(d, lambda m: m.update(metrics={"rmse_usd": "low"})), "self-test"),
    (lambda d: _rewrite_metadata(d, lambda m: m.update(pricing_window={"from": "2020-01-01", "to": "soon"})),
     "pricing window"),
])
def test_a_broken_model_folder_fails_to_load_with_a_clear_message(saved, damage, message):
    damage(saved)
    with pytest.raises(ModelLoadError, match=message) as info:
        load_model(saved)
    assert "uv run python -m mlcourse.service train" in str(info.value)


def test_a_model_file_xgboost_cannot_read_is_reported(saved):
    garbage = b'{"learner": "not a model"}'
    (saved / svc.MODEL_FILE).write_bytes(garbage)
    import hashlib
    _rewrite_metadata(saved, lambda m: m.update(model_sha256=hashlib.sha256(garbage).hexdigest()))
    with pytest.raises(ModelLoadError, match="XGBoost cannot read"):
        load_model(saved)


def test_load_or_train_reuses_a_valid_model_and_retrains_otherwise(tmp_path, monkeypatch):
    first = svc.load_or_train(tmp_path, config=SMALL)
    assert load_model(tmp_path).version == first.version

    def no_training(*args, **kwargs):
        raise AssertionError("a valid model should have been reused")

    monkeypatch.setattr(svc, "train_model", no_training)
    assert svc.load_or_train(tmp_path, config=SMALL).version == first.version
    monkeypatch.undo()
    other = svc.load_or_train(tmp_path, config=TrainingConfig(rounds=4))
    assert other.n_trees == 4 and load_model(tmp_path).version == other.version
