"""Interpretability: permutation importance, partial dependence and xgboost's per-prediction contributions."""

from __future__ import annotations

import numpy as np
import pytest

from mlcourse import interpret, modeling
from mlcourse.features import FEATURES


@pytest.fixture(scope="module")
def fitted():
    listings = modeling.pricing_listings(sample=4_000, seed=21)
    train, valid = modeling.time_split(listings)
    model = modeling.make_model("xgboost", n_estimators=60).fit(train, train["price_usd"])
    return model, train, valid


def test_the_feature_level_model_predicts_what_the_pipeline_predicts(fitted):
    from mlcourse.features import feature_frame

    model, _, valid = fitted
    wrapped = interpret.FeatureLevelModel(model)
    np.testing.assert_allclose(wrapped.predict(feature_frame(valid)), model.predict(valid), rtol=1e-6)
    with pytest.raises(TypeError, match="make_model"):
        interpret.FeatureLevelModel(object()).predict(feature_frame(valid))


def test_contributions_add_up_to_the_prediction(fitted):
    model, _, valid = fitted
    parts = interpret.contributions(model, valid.head(50))
    np.testing.assert_allclose(parts[FEATURES].sum(axis=1) + parts["baseline"], parts["log_prediction"], rtol=1e-5)
    np.testing.assert_allclose(parts["predicted_price"], model.predict(valid.head(50)), rtol=1e-4)
    # a feature that never varies in the pricing population (the grade of an ungraded card) contributes nothing
    assert (parts["grade"].abs() < 1e-9).all()
    with pytest.raises(TypeError, match="xgboost"):
        linear = modeling.make_model("linear").fit(valid, valid["price_usd"])
        interpret.contributions(linear, valid.head(5))


def test_explain_listing_multiplies_the_baseline_to_the_price(fitted):
    model, _, valid = fitted
    table = interpret.explain_listing(model, valid.iloc[[3]], top=5)
    assert len(table) == 6 and table["feature"].iloc[-1] == "other features"
    assert table["contribution"].iloc[:5].abs().is_monotonic_decreasing
    product = table.attrs["baseline_price"] * np.prod(table["factor"])
    assert product == pytest.approx(table.attrs["predicted_price"], rel=1e-4)
    assert table.attrs["predicted_price"] == pytest.approx(float(model.predict(valid.iloc[[3]])[0]), rel=1e-4)
    with pytest.raises(ValueError, match="one listing"):
        interpret.explain_listing(model, valid.head(2))


def test_permutation_importance_finds_what_the_model_uses(fitted):
    model, _, valid = fitted
    table = interpret.permutation_importance_table(model, valid, n_repeats=2, sample=600)
    assert "grade" not in set(table["feature"])  # constant here: nothing to shuffle
    assert table["importance"].is_monotonic_decreasing
    assert table.iloc[0]["importance"] > 0.5  # dollars of RMSE: the top feature matters
    assert table["share"].sum() == pytest.approx(1.0)
    top = set(table["feature"].head(5))
    assert top & {"rarity", "era", "days_since_release", "finish", "condition"}


def test_partial_dependence_of_a_category_and_of_a_number(fitted):
    model, _, valid = fitted
    by_condition = interpret.partial_dependence_table(model, valid, "condition", sample=400)
    assert set(by_condition["condition"]) == set(valid["condition"].dropna())
    assert by_condition["listings"].sum() == min(400, len(valid))
    prices = by_condition.set_index("condition")["average_price"]
    assert prices["NM"] > prices["DMG"]  # near mint sells above damaged, all else equal
    by_days = interpret.partial_dependence_table(model, valid, "days_since_release", grid_points=8, sample=400)
    assert len(by_days) == 8 and by_days["days_since_release"].is_monotonic_increasing
    with pytest.raises(ValueError, match="features"):
        interpret.partial_dependence_table(model, valid, "price_usd")


def test_correlation_with_names_stand_ins(fitted):
    _, _, valid = fitted
    corr = interpret.correlation_with(valid, "hp")
    assert corr.index[0] in {"base_stat_total", "attack", "defense", "speed"} and corr.iloc[0] > 0.3
    assert (corr >= 0).all() and corr.is_monotonic_decreasing
    with pytest.raises(ValueError, match="numeric"):
        interpret.correlation_with(valid, "rarity")


def test_shuffled_dates_past_the_training_data_change_nothing(fitted):
    # every listing here lies after the training data: a tree prices them all like the last training day
    model, train, valid = fitted
    later = valid[valid["listing_date"] > train["listing_date"].max()]
    table = interpret.permutation_importance_table(model, later, n_repeats=2, sample=400)
    assert float(table.set_index("feature").get("importance").get("listing_day", 0.0)) == pytest.approx(0, abs=1e-9)


def test_feature_level_model_is_recognised_by_sklearn(fitted):
    from sklearn.base import is_regressor

    model, _, _ = fitted
    assert is_regressor(interpret.FeatureLevelModel(model))
