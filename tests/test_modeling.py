"""Splits, baselines, the model factory, latency and the budgeted search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from mlcourse import modeling


@pytest.fixture(scope="module")
def listings() -> pd.DataFrame:
    return modeling.pricing_listings(sample=3_000, seed=5)


@pytest.fixture(scope="module")
def split(listings) -> tuple[pd.DataFrame, pd.DataFrame]:
    return modeling.random_split(listings, test_size=0.25, seed=2)


# ------------------------------------------------------------------------------ data and splits
def test_pricing_listings_are_the_capstone_population_in_listing_order():
    full = modeling.pricing_listings()
    assert full["channel"].eq("marketplace").all() and not full["graded"].any()
    assert full["listing_id"].is_monotonic_increasing
    sample = modeling.pricing_listings(sample=500, seed=1)
    assert len(sample) == 500 and sample["listing_id"].is_monotonic_increasing
    pd.testing.assert_frame_equal(sample, modeling.pricing_listings(sample=500, seed=1))


def test_pricing_listings_returns_a_fresh_copy():
    a = modeling.pricing_listings()
    a.loc[0, "price_usd"] = -1.0
    assert modeling.pricing_listings().loc[0, "price_usd"] > 0


def test_random_split_is_a_seeded_partition(listings):
    train, test = modeling.random_split(listings, test_size=0.2, seed=3)
    assert len(test) == round(0.2 * len(listings)) and len(train) + len(test) == len(listings)
    assert set(train["listing_id"]).isdisjoint(test["listing_id"])
    again, _ = modeling.random_split(listings, test_size=0.2, seed=3)
    assert train["listing_id"].tolist() == again["listing_id"].tolist()
    other, _ = modeling.random_split(listings, test_size=0.2, seed=4)
    assert train["listing_id"].tolist() != other["listing_id"].tolist()


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5])
def test_splits_reject_impossible_shares(listings, bad):
    for split_fn in (modeling.random_split, modeling.grouped_split, modeling.time_split):
        with pytest.raises(ValueError, match="test_size"):
            split_fn(listings, test_size=bad)


def test_grouped_split_keeps_every_card_on_one_side(listings):
    train, test = modeling.grouped_split(listings, test_size=0.2)
    assert modeling.card_overlap(train, test) == 0.0
    assert len(train) + len(test) == len(listings)


def test_random_split_shares_cards_between_sides(split):
    assert modeling.card_overlap(*split) > 0.2


def test_time_split_trains_on_the_past(listings):
    train, test = modeling.time_split(listings, test_size=0.2)
    assert train["listing_date"].max() < test["listing_date"].min()
    assert len(train) + len(test) == len(listings)
    assert 0.15 < len(test) / len(listings) < 0.25


def test_card_overlap_of_an_empty_test_set_is_nan(split):
    assert np.isnan(modeling.card_overlap(split[0], split[1].iloc[:0]))


@pytest.mark.parametrize("scheme", modeling.CV_SCHEMES)
def test_cv_folds_partition_the_rows(listings, scheme):
    ordered = listings.sort_values("listing_date").reset_index(drop=True)
    folds = modeling.cv_folds(ordered, scheme, n_splits=4)
    assert len(folds) == 4
    validated = np.concatenate([v for _, v in folds])
    assert len(validated) == len(set(validated))
    for train_rows, valid_rows in folds:
        assert set(train_rows).isdisjoint(valid_rows)
        if scheme == "grouped by card":
            assert set(ordered["card_id"].iloc[train_rows]).isdisjoint(ordered["card_id"].iloc[valid_rows])
        if scheme == "grouped by set":
            assert set(ordered["set_code"].iloc[train_rows]).isdisjoint(ordered["set_code"].iloc[valid_rows])
        if scheme == "time-based":
            assert ordered["listing_date"].iloc[train_rows].max() <= ordered["listing_date"].iloc[valid_rows].min()
    if scheme not in ("time-based", "shuffled, time-based sizes"):
        assert len(validated) == len(ordered)


def test_shuffled_time_based_sizes_match_time_based_but_ignore_dates(listings):
    ordered = listings.sort_values("listing_date").reset_index(drop=True)
    timed = modeling.cv_folds(ordered, "time-based", n_splits=4)
    shuffled = modeling.cv_folds(ordered, "shuffled, time-based sizes", n_splits=4)
    assert [(len(t), len(v)) for t, v in timed] == [(len(t), len(v)) for t, v in shuffled]
    first_train, first_valid = shuffled[0]
    # random order: the first fold's training rows are not all older than its validation rows
    assert ordered["listing_date"].iloc[first_train].max() > ordered["listing_date"].iloc[first_valid].min()


def test_grouped_folds_need_enough_groups(listings):
    one_set = listings[listings["set_code"] == listings["set_code"].iloc[0]]
    with pytest.raises(ValueError, match="distinct set_code"):
        modeling.cv_folds(one_set, "grouped by set", n_splits=3)


def test_paired_latency_ratio_is_the_quotient_of_its_times(fitted, split):
    _, test = split
    paired = modeling.paired_latency(fitted, fitted, test, batch_size=300, rounds=3)
    assert paired["latency_ratio"] == pytest.approx(paired["model_us_per_row"] / paired["reference_us_per_row"])
    assert paired["model_us_per_row"] > 0


def test_time_based_folds_need_sorted_dates(listings):
    shuffled = listings.sample(frac=1, random_state=0)
    with pytest.raises(ValueError, match="sorted"):
        modeling.cv_folds(shuffled, "time-based")


def test_unknown_cv_scheme(listings):
    with pytest.raises(ValueError, match="scheme"):
        modeling.cv_folds(listings, "leave-one-out")


def test_cross_validate_reports_each_fold(listings):
    table = modeling.cross_validate(modeling.make_model("xgboost", n_estimators=20), listings, "grouped by card",
                                    n_splits=3)
    assert list(table["fold"]) == [1, 2, 3]
    assert (table["rmse"] > 0).all() and (table["cards also in training"] == 0).all()


# ------------------------------------------------------------------------------ baselines
def test_constant_price_predicts_the_training_median_or_mean():
    X = pd.DataFrame({"a": range(4)})
    y = [1.0, 2.0, 3.0, 10.0]
    assert (modeling.ConstantPrice().fit(X, y).predict(X) == 2.5).all()
    assert (modeling.ConstantPrice("mean").fit(X, y).predict(X) == 4.0).all()
    with pytest.raises(ValueError, match="statistic"):
        modeling.ConstantPrice("mode").fit(X, y)


def test_group_median_uses_the_group_and_falls_back_to_the_overall_median():
    X = pd.DataFrame({"era": ["a", "a", "a", "b"], "rarity": ["x", "x", "x", "y"]})
    rule = modeling.GroupMedianPrice().fit(X, [1.0, 2.0, 9.0, 100.0])
    new = pd.DataFrame({"era": ["a", "b", "c"], "rarity": ["x", "y", "x"]})
    np.testing.assert_allclose(rule.predict(new), [2.0, 100.0, 5.5])
    one_key = modeling.GroupMedianPrice(by=("era",)).fit(X, [1.0, 2.0, 9.0, 100.0])
    np.testing.assert_allclose(one_key.predict(new), [2.0, 100.0, 5.5])


def test_group_median_explains_bad_input():
    with pytest.raises(TypeError, match="DataFrame"):
        modeling.GroupMedianPrice().fit(np.zeros((3, 2)), [1, 2, 3])
    with pytest.raises(ValueError, match="rarity"):
        modeling.GroupMedianPrice().fit(pd.DataFrame({"era": ["a"]}), [1.0])


# ------------------------------------------------------------------------------ model factory
@pytest.mark.parametrize("family", modeling.FAMILIES)
def test_every_family_trains_on_listings_and_predicts_prices(split, family):
    train, test = split
    params = {"n_estimators": 10} if family in ("random_forest", "xgboost") else {}
    model = modeling.make_model(family, **params).fit(train, train["price_usd"])
    predictions = model.predict(test)
    assert predictions.shape == (len(test),)
    assert np.isfinite(predictions).all() and (predictions > 0).all()


def test_learned_models_beat_the_constant(split):
    from mlcourse.evaluation import rmse

    train, test = split
    constant = rmse(test["price_usd"], modeling.make_model("constant").fit(train, train["price_usd"]).predict(test))
    boosted = rmse(test["price_usd"], modeling.make_model("xgboost").fit(train, train["price_usd"]).predict(test))
    assert boosted < 0.8 * constant


def test_make_model_options(split):
    train, _ = split
    assert isinstance(modeling.make_model("xgboost", log_target=False), Pipeline)
    model = modeling.make_model("xgboost", max_depth=3)
    assert modeling.estimator_params(model)["max_depth"] == 3
    assert modeling.estimator_params(model)["n_jobs"] == 1
    with pytest.raises(ValueError, match="family"):
        modeling.make_model("neural_net")


def test_estimator_params_are_plain_and_set():
    params = modeling.estimator_params(modeling.make_model("xgboost"))
    assert params and all(isinstance(v, bool | int | float | str) for v in params.values())
    assert modeling.estimator_params(modeling.make_model("constant")) == {"statistic": "median"}


def test_models_are_deterministic_for_a_seed(split):
    train, test = split
    a = modeling.make_model("xgboost", n_estimators=30, subsample=0.8, seed=1).fit(train, train["price_usd"])
    b = clone(a).fit(train, train["price_usd"])
    np.testing.assert_array_equal(a.predict(test), b.predict(test))


def test_classifier_gives_probabilities(split):
    train, test = split
    model = modeling.make_classifier(n_estimators=20).fit(train, modeling.is_high_value(train))
    proba = model.predict_proba(test)[:, 1]
    assert ((proba >= 0) & (proba <= 1)).all()


def test_is_high_value():
    frame = pd.DataFrame({"price_usd": [5.0, 20.0, 20.01]})
    assert modeling.is_high_value(frame).tolist() == [0, 0, 1]


# ------------------------------------------------------------------------------ fitting, latency, curves
@pytest.fixture(scope="module")
def fitted(split):
    train, _ = split
    return modeling.make_model("xgboost", n_estimators=30).fit(train, train["price_usd"])


def test_fit_and_score_reports_accuracy_time_and_latency(split):
    train, test = split
    scores = modeling.fit_and_score(modeling.make_model("era_rarity"), train, test)
    assert set(scores) == {"rmse", "mae", "fit_seconds", "latency_us_per_row"}
    assert scores["rmse"] >= scores["mae"] > 0


def test_latencies_are_positive(fitted, split):
    _, test = split
    assert 0 < modeling.latency_per_row(fitted, test, batch_size=200, repeats=2) < 0.1
    assert 0 < modeling.single_prediction_latency(fitted, test, repeats=3) < 5
    with pytest.raises(ValueError, match="at least one"):
        modeling.latency_per_row(fitted, test.iloc[:0])


def test_relative_latency_of_a_model_against_itself_is_about_one(fitted, split):
    _, test = split
    assert 0.5 < modeling.relative_latency(fitted, fitted, test, batch_size=300, rounds=5) < 2.0


def test_relative_latency_tells_a_cheap_model_from_an_expensive_one(fitted, split):
    train, test = split
    constant = modeling.make_model("constant").fit(train, train["price_usd"])
    assert modeling.relative_latency(constant, fitted, test, rounds=5) < 0.5
    assert modeling.relative_latency(fitted, constant, test, rounds=5) > 2


def test_learning_curve_table(split):
    train, test = split
    table = modeling.learning_curve_table(modeling.make_model("linear"), train, test, [200, 800, 10_000])
    assert list(table["training rows"].unique()) == [200, 800, len(train)]
    assert set(table["data"]) == {"training", "validation"}


# ------------------------------------------------------------------------------ budgeted search
def test_sample_candidates_are_distinct_and_seeded():
    a = modeling.sample_candidates(modeling.XGBOOST_SEARCH_SPACE, 12, seed=3)
    assert len(a) == 12 and len({tuple(sorted(c.items())) for c in a}) == 12
    assert a == modeling.sample_candidates(modeling.XGBOOST_SEARCH_SPACE, 12, seed=3)


def test_random_search_scores_every_candidate_and_reports_progress(split):
    train, test = split
    space = {"n_estimators": [10, 20], "max_depth": [2, 3], "learning_rate": [0.3]}
    seen, wrapped = [], []

    def progress(items, total):
        wrapped.append(total)
        return items

    reference = modeling.make_model("xgboost", n_estimators=10).fit(train, train["price_usd"])
    table = modeling.random_search("xgboost", space, train, test, n_candidates=3, progress=progress,
                                   reference=reference,
                                   on_result=lambda params, scores, model: seen.append(params))
    assert len(table) == 3 and len(seen) == 3 and wrapped == [3]
    assert table["rmse"].is_monotonic_increasing
    assert {"n_estimators", "max_depth", "rmse", "latency_us_per_row", "latency_ratio"} <= set(table.columns)
    assert (table["latency_ratio"] > 0.2).all() and (table["latency_ratio"] < 5).all()


def test_random_search_stops_at_its_time_budget(split):
    train, test = split
    space = {"n_estimators": [10, 20, 30], "max_depth": [2, 3]}
    table = modeling.random_search("xgboost", space, train, test, n_candidates=5, time_budget_seconds=0)
    assert len(table) == 1


def test_best_within_budget():
    results = pd.DataFrame({"candidate": [1, 2, 3], "rmse": [4.0, 5.0, 6.0], "latency_us_per_row": [50, 30, 20]})
    assert modeling.best_within_budget(results, 40)["candidate"] == 2
    assert modeling.best_within_budget(results, 100)["candidate"] == 1
    assert modeling.best_within_budget(results, 10) is None
    ratios = results.assign(latency_ratio=[1.5, 1.1, 0.9])
    assert modeling.best_within_budget(ratios, 1.2, latency="latency_ratio")["candidate"] == 2


# ------------------------------------------------------------------------------ reference models
def test_reference_models_share_one_split():
    price = modeling.reference_price_model()
    review = modeling.reference_review_classifier()
    assert price.test["listing_id"].tolist() == review.test["listing_id"].tolist()
    assert len(price.test) == pytest.approx(0.2 * (len(price.train) + len(price.test)), abs=1)
    assert len(modeling.reference_baseline_predictions()) == len(price.test)
    assert ((review.test_predictions >= 0) & (review.test_predictions <= 1)).all()


def test_review_classifier_keeps_a_validation_set_apart():
    review = modeling.reference_review_classifier()
    train_ids, valid_ids = set(review.train["listing_id"]), set(review.validation["listing_id"])
    assert train_ids.isdisjoint(valid_ids) and valid_ids.isdisjoint(review.test["listing_id"])
    assert len(review.validation_predictions) == len(review.validation)
    assert len(review.validation) == pytest.approx(0.2 * (len(review.train) + len(review.validation)), abs=1)


def test_the_tuned_configuration_is_a_point_of_the_search_space():
    # TUNED_XGBOOST_PARAMS is documented as a candidate of the random search over XGBOOST_SEARCH_SPACE
    assert set(modeling.TUNED_XGBOOST_PARAMS) == set(modeling.XGBOOST_SEARCH_SPACE)
    for name, value in modeling.TUNED_XGBOOST_PARAMS.items():
        assert value in modeling.XGBOOST_SEARCH_SPACE[name], name
    assert modeling.TUNED_XGBOOST_PARAMS in modeling.sample_candidates(modeling.XGBOOST_SEARCH_SPACE, 30, seed=7)
    assert modeling.LATENCY_BUDGET > 1
