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


def test_the_course_split_is_three_periods_in_time_order(listings):
    parts = modeling.course_split(listings)
    train, validation, test = parts.train, parts.validation, parts.test
    assert train["listing_date"].max() < validation["listing_date"].min()
    assert validation["listing_date"].max() < test["listing_date"].min()
    ids = [set(part["listing_id"]) for part in (train, validation, test)]
    assert sum(map(len, ids)) == len(listings) and set.union(*ids) == set(listings["listing_id"])
    assert len(test) == pytest.approx(0.2 * len(listings), rel=0.05)
    assert len(validation) == pytest.approx(0.2 * (len(train) + len(validation)), rel=0.05)
    development = parts.development
    assert set(development["listing_id"]) == ids[0] | ids[1] and development["listing_id"].is_monotonic_increasing
    assert modeling.course_split().test["listing_date"].min() > modeling.course_split().train["listing_date"].max()


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


class _Clock:
    """A fake clock for the timing functions: time moves only when a _Costly model predicts."""

    def __init__(self):
        self.now = 0.0

    def process_time(self):
        return self.now

    def perf_counter(self):
        return self.now


class _Costly:
    """Predicts zeros and advances the fake clock by ``seconds_per_row`` per row (plus ``noise`` on its first call)."""

    def __init__(self, clock, seconds_per_row, noise=0.0):
        self.clock, self.seconds_per_row, self.noise, self.calls = clock, seconds_per_row, noise, 0

    def predict(self, rows):
        self.calls += 1
        self.clock.now += self.seconds_per_row * len(rows) + (self.noise if self.calls == 1 else 0.0)
        return np.zeros(len(rows))


@pytest.fixture()
def clock(monkeypatch):
    fake = _Clock()
    monkeypatch.setattr(modeling, "time", fake)
    return fake


def test_paired_latency_ratio_is_the_quotient_of_its_best_times(clock, split):
    # timing is measured on a fake clock: what is tested is the arithmetic, never this machine's speed
    _, test = split
    model, reference = _Costly(clock, 3e-6, noise=1.0), _Costly(clock, 2e-6, noise=5.0)  # a disturbed first round
    paired = modeling.paired_latency(model, reference, test, batch_size=300, rounds=3)
    assert paired["model_us_per_row"] == pytest.approx(3.0) and paired["reference_us_per_row"] == pytest.approx(2.0)
    assert paired["latency_ratio"] == pytest.approx(1.5)
    assert model.calls == reference.calls == 3


def test_paired_latency_on_the_real_clock_returns_consistent_positive_numbers(fitted, split):
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


def test_latencies_are_the_best_or_median_time_per_row(clock, split):
    _, test = split
    assert modeling.latency_per_row(_Costly(clock, 4e-6, noise=1.0), test, batch_size=200, repeats=2) == \
        pytest.approx(4e-6)
    assert modeling.single_prediction_latency(_Costly(clock, 0.002), test, repeats=3) == pytest.approx(0.002)
    with pytest.raises(ValueError, match="at least one"):
        modeling.latency_per_row(_Costly(clock, 1e-6), test.iloc[:0])


def test_latencies_on_the_real_clock_are_positive(fitted, split):
    _, test = split
    assert modeling.latency_per_row(fitted, test, batch_size=200, repeats=2) > 0
    assert modeling.single_prediction_latency(fitted, test, repeats=3) > 0


def test_relative_latency_tells_a_cheap_model_from_an_expensive_one(clock, split):
    _, test = split
    cheap, expensive = _Costly(clock, 1e-7), _Costly(clock, 8e-6)
    assert modeling.relative_latency(cheap, expensive, test, rounds=5) == pytest.approx(1 / 80)
    assert modeling.relative_latency(expensive, cheap, test, rounds=5) == pytest.approx(80)
    assert modeling.relative_latency(expensive, expensive, test, batch_size=300, rounds=5) == pytest.approx(1.0)


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
    assert (table["latency_ratio"] > 0).all() and np.isfinite(table["latency_ratio"]).all()


def test_random_search_stops_at_its_time_budget(split):
    train, test = split
    space = {"n_estimators": [10, 20, 30], "max_depth": [2, 3]}
    table = modeling.random_search("xgboost", space, train, test, n_candidates=5, time_budget_seconds=0)
    assert len(table) == 1


class _Lookup(modeling.ConstantPrice):
    """Memorises each training listing's price by id; any other listing gets the training mean."""

    def fit(self, X, y):
        self.prices_ = dict(zip(X["listing_id"], np.asarray(y, dtype=float), strict=True))
        self.value_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.array([self.prices_.get(i, self.value_) for i in X["listing_id"]])


def test_out_of_fold_predictions_never_see_their_row(listings):
    model = _Lookup()
    in_sample = clone(model).fit(listings, listings["price_usd"]).predict(listings)
    np.testing.assert_allclose(in_sample, listings["price_usd"])  # memorised
    oof = modeling.out_of_fold_predictions(model, listings, n_splits=4)
    assert len(oof) == len(listings)
    assert np.isclose(oof, listings["price_usd"].to_numpy()).mean() < 0.01  # equal only by coincidence
    assert len(np.unique(oof)) == 4  # one training mean per fold
    with pytest.raises(ValueError, match="folds"):
        modeling.out_of_fold_predictions(model, listings.head(3), n_splits=5)


def test_the_smearing_factor_recovers_the_log_normal_mean():
    rng = np.random.default_rng(0)
    median = rng.uniform(1, 50, 200_000)
    sigma = 0.5
    prices = median * np.exp(rng.normal(0, sigma, median.size))
    factor = modeling.smearing_factor(prices, median)  # predictions at the median
    assert factor == pytest.approx(np.exp(sigma**2 / 2), rel=0.01)
    assert np.mean(prices) == pytest.approx(np.mean(median * factor), rel=0.01)  # corrected sums are right
    with pytest.raises(ValueError, match="positive"):
        modeling.smearing_factor([1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="as many"):
        modeling.smearing_factor([1.0, 2.0], [1.0])


def _search_like(n_candidates: int, rows: int = 600, seed: int = 0):
    """Candidates that are all equally good (the truth plus noise of one spread): any winner is luck."""
    rng = np.random.default_rng(seed)
    truth_valid, truth_fresh = rng.uniform(1, 20, rows), rng.uniform(1, 20, rows)
    predictions, rows_out = {}, []
    for c in range(1, n_candidates + 1):
        valid = truth_valid + rng.normal(0, 2, rows)
        fresh = truth_fresh + rng.normal(0, 2, rows)
        predictions[c] = {"validation": valid, "holdout": fresh}
        rows_out.append({"candidate": c, "rmse": float(np.sqrt(np.mean((valid - truth_valid) ** 2))),
                         "holdout_rmse": float(np.sqrt(np.mean((fresh - truth_fresh) ** 2)))})
    table = pd.DataFrame(rows_out).sort_values("rmse").reset_index(drop=True)
    return table, truth_valid, predictions


def test_the_winner_of_many_equal_candidates_looks_better_than_it_is():
    gaps, optimism, single = [], [], []
    for seed in range(20):
        table, truth, predictions = _search_like(20, seed=seed)
        curse = modeling.winners_curse(table, truth, predictions, n_boot=100, seed=seed)
        assert curse["winner"] == table.loc[0, "candidate"]
        assert curse["winner_gap"] == pytest.approx(curse["winner_holdout_rmse"] - curse["winner_validation_rmse"])
        assert curse["selection_gap"] == pytest.approx(curse["winner_gap"] - curse["mean_gap"])
        assert curse["bootstrap_low"] <= curse["bootstrap_optimism"] <= curse["bootstrap_high"]
        gaps.append(curse["selection_gap"])
        optimism.append(curse["bootstrap_optimism"])
        one, truth1, predictions1 = _search_like(1, seed=seed)
        single.append(modeling.winners_curse(one, truth1, predictions1, n_boot=100, seed=seed)["bootstrap_optimism"])
    # optimistic: the winner's fresh score is worse than its validation score, beyond the other candidates' shift
    assert np.mean(gaps) > 0 and np.mean(optimism) > 0
    assert np.mean(optimism) > np.mean(single) + 0.02  # a single candidate, chosen by nobody, is barely optimistic


def test_winners_curse_needs_a_holdout():
    with pytest.raises(ValueError, match="holdout"):
        modeling.winners_curse(pd.DataFrame({"candidate": [1], "rmse": [1.0]}), [1.0], {1: {"validation": [1.0]}})


def test_random_search_scores_a_holdout_and_keeps_predictions(split):
    train, test = split
    space = {"n_estimators": [10, 20], "max_depth": [2, 3]}
    table, predictions = modeling.random_search_with_holdout("xgboost", space, train, test.iloc[:300],
                                                             test.iloc[300:], n_candidates=3)
    assert "holdout_rmse" in table and set(predictions) == set(table["candidate"])
    for _, row in table.iterrows():
        kept = predictions[row["candidate"]]
        assert row["rmse"] == pytest.approx(np.sqrt(np.mean((kept["validation"] - test["price_usd"].iloc[:300]) ** 2)))
        assert row["holdout_rmse"] == pytest.approx(
            np.sqrt(np.mean((kept["holdout"] - test["price_usd"].iloc[300:]) ** 2)))


def test_helpers_that_fit_several_models(split):
    train, test = split
    models, scores = modeling.fit_families(train, test, ("constant", "linear"))
    assert list(scores["family"]) == ["constant", "linear"] and set(models) == {"constant", "linear"}
    assert scores.loc[1, "rmse"] < scores.loc[0, "rmse"]
    curves = modeling.learning_curve_tables({"a": modeling.make_model("linear")}, train, test, [200, 400])
    assert set(curves["model"]) == {"a"} and len(curves) == 4
    folds = modeling.cross_validate_schemes(modeling.make_model("constant"), train, ("k-fold", "time-based"), 3)
    assert folds.groupby("scheme").size().to_dict() == {"k-fold": 3, "time-based": 3}
    fitted = modeling.fit_model("xgboost", train, n_estimators=5)
    assert modeling.estimator_params(fitted)["n_estimators"] == 5


def test_best_within_budget():
    results = pd.DataFrame({"candidate": [1, 2, 3], "rmse": [4.0, 5.0, 6.0], "latency_us_per_row": [50, 30, 20]})
    assert modeling.best_within_budget(results, 40)["candidate"] == 2
    assert modeling.best_within_budget(results, 100)["candidate"] == 1
    assert modeling.best_within_budget(results, 10) is None
    ratios = results.assign(latency_ratio=[1.5, 1.1, 0.9])
    assert modeling.best_within_budget(ratios, 1.2, latency="latency_ratio")["candidate"] == 2


# ------------------------------------------------------------------------------ reference models
def test_reference_models_share_one_split_out_of_time():
    price = modeling.reference_price_model()
    review = modeling.reference_review_classifier()
    assert price.test["listing_id"].tolist() == review.test["listing_id"].tolist()
    assert price.test["listing_id"].tolist() == modeling.course_split().test["listing_id"].tolist()
    assert price.train["listing_date"].max() < price.test["listing_date"].min()
    assert len(price.test) == pytest.approx(0.2 * (len(price.train) + len(price.test)), rel=0.02)
    assert len(modeling.reference_baseline_predictions()) == len(price.test)
    assert ((review.test_predictions >= 0) & (review.test_predictions <= 1)).all()


def test_the_price_model_has_out_of_sample_validation_predictions():
    price = modeling.reference_price_model()
    parts = modeling.course_split()
    assert price.validation["listing_id"].tolist() == parts.validation["listing_id"].tolist()
    assert set(price.validation["listing_id"]) <= set(price.train["listing_id"])  # the final model saw them...
    # ...but the validation predictions come from the same settings trained on the training period alone
    np.testing.assert_allclose(price.validation_model.predict(price.validation), price.validation_predictions)
    np.testing.assert_allclose(price.model.predict(price.test), price.test_predictions)
    assert modeling.estimator_params(price.validation_model) == modeling.estimator_params(price.model)
    in_sample = modeling.smearing_factor(price.validation["price_usd"], price.model.predict(price.validation))
    held_out = modeling.smearing_factor(price.validation["price_usd"], price.validation_predictions)
    assert held_out > in_sample  # a model fits its own rows closely: held-out errors are larger


def test_the_random_split_stays_available_for_comparison():
    old = modeling.reference_price_model("random")
    development, test = modeling.random_split(modeling.pricing_listings())
    assert old.test["listing_id"].tolist() == test["listing_id"].tolist()
    assert old.train["listing_id"].tolist() == development["listing_id"].tolist()
    assert old.validation is None and modeling.card_overlap(old.train, old.test) > 0.9
    review = modeling.reference_review_classifier("random")
    train, validation = modeling.random_split(development, seed=1)
    assert review.validation["listing_id"].tolist() == validation["listing_id"].tolist()
    with pytest.raises(ValueError, match="split"):
        modeling.reference_price_model("grouped")


def test_review_classifier_keeps_a_validation_set_apart():
    review = modeling.reference_review_classifier()
    train_ids, valid_ids = set(review.train["listing_id"]), set(review.validation["listing_id"])
    assert train_ids.isdisjoint(valid_ids) and valid_ids.isdisjoint(review.test["listing_id"])
    assert len(review.validation_predictions) == len(review.validation)
    assert review.train["listing_date"].max() < review.validation["listing_date"].min()
    assert len(review.validation) == pytest.approx(0.2 * (len(review.train) + len(review.validation)), rel=0.02)


def test_reference_models_come_back_from_the_disk_cache_identical():
    from mlcourse import cache

    price = modeling.reference_price_model()
    modeling.reference_price_model.cache_clear()  # a new session: memory is empty, the disk cache is not
    assert any(cache.cache_dir().glob(f"{modeling.FITTED_MODEL_CACHE}--*.pkl"))
    again = modeling.reference_price_model()
    assert again is not price
    np.testing.assert_array_equal(again.model.predict(price.test.head(200)), price.test_predictions[:200])


def test_the_tuned_configuration_is_a_point_of_the_search_space():
    # TUNED_XGBOOST_PARAMS is documented as a candidate of the random search over XGBOOST_SEARCH_SPACE
    assert set(modeling.TUNED_XGBOOST_PARAMS) == set(modeling.XGBOOST_SEARCH_SPACE)
    for name, value in modeling.TUNED_XGBOOST_PARAMS.items():
        assert value in modeling.XGBOOST_SEARCH_SPACE[name], name
    assert modeling.TUNED_XGBOOST_PARAMS in modeling.sample_candidates(modeling.XGBOOST_SEARCH_SPACE, 30, seed=7)
    assert modeling.LATENCY_BUDGET > 1
