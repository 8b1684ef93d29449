"""Every Module 2 exercise: the notebook's stub, the solution, plausible wrong answers, junk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold
from sklearn.preprocessing import TargetEncoder

from mlcourse import leakage
from mlcourse.checker import CORRECT, INCORRECT, NOT_ATTEMPTED
from mlcourse.exercises import ex02
from mlcourse.features import feature_frame, make_preprocessor, safe_ratio
from tests.conftest import ROOT, notebook_defs, shipped_notebook

NOTEBOOK = ROOT / "exercises" / "exercises_02.py"


@pytest.fixture(scope="module")
def stubs() -> dict:
    return notebook_defs(shipped_notebook(NOTEBOOK))  # the stubs as shipped, not a learner's answers


def _evaluate(exercise, *answers):
    return exercise.evaluate(*answers, record=False)


# ------------------------------------------------------------------------------ 2.1
def test_2_1_stub_is_not_attempted(stubs):
    result = _evaluate(ex02.engineer_five, stubs["engineer_features"], stubs["justifications"])
    assert result.status == NOT_ATTEMPTED


def test_2_1_solution_is_correct():
    result = _evaluate(ex02.engineer_five, *ex02.solution_2_1())
    assert result.status == CORRECT, result.message


def _with(extra):
    """The solution's features plus (or modified by) one more step."""
    engineer, justifications = ex02.solution_2_1()

    def changed(listings):
        return extra(engineer(listings))

    return changed, justifications


def _justify(justifications, *names):
    return {**justifications, **{n: "A reason that is long enough to count." for n in names}}


def _five_of(listings):
    engineer, _ = ex02.solution_2_1()
    return engineer(listings).drop(columns=["listing_month"])


@pytest.mark.parametrize("answer, message", [
    # the classic mistake: a feature computed from the target
    (lambda: (_with(lambda o: o.assign(price_per_hp=o["price_usd"] / o["hp"].astype(float).fillna(1)))[0],
              _justify(ex02.solution_2_1()[1], "price_per_hp")), "Target leakage"),
    (lambda: (_with(lambda o: o.assign(set_price_rank=o.groupby("set_code")["price_usd"].rank(pct=True)))[0],
              _justify(ex02.solution_2_1()[1], "set_price_rank")), "set_price_rank"),
    (lambda: (_with(lambda o: o.assign(power=o["attack"].astype(float) / o["defense"].astype(float)))[0],
              _justify(ex02.solution_2_1()[1], "power")), "infinite"),
    (lambda: (_with(lambda o: o.assign(power=safe_ratio(o["attack"], o["defense"])))[0],
              _justify(ex02.solution_2_1()[1], "power")), "missing value"),
    (lambda: (_with(lambda o: o.drop(columns=["vintage_holo", "new_release"]))[0], ex02.solution_2_1()[1]),
     "asks for 5"),
    (lambda: (_with(lambda o: o.assign(era_name=o["era"].str.upper()))[0],
              _justify(ex02.solution_2_1()[1], "era_name")), "a model needs numbers"),
    (lambda: (_with(lambda o: o.assign(one=1))[0], _justify(ex02.solution_2_1()[1], "one")), "same value"),
    (lambda: (_with(lambda o: o.assign(hp_again=o["card_number"]))[0],
              _justify(ex02.solution_2_1()[1], "hp_again")), "copy of the existing column `card_number`"),
    (lambda: (_with(lambda o: o.iloc[:-5])[0], ex02.solution_2_1()[1]), "rows"),
    (lambda: (_with(lambda o: o.drop(columns=["species"]))[0], ex02.solution_2_1()[1]), "dropped column"),
    (lambda: (_five_of, {k: v for k, v in ex02.solution_2_1()[1].items() if k != "vintage_holo"}), "Justify `vintage_holo`"),
    (lambda: (_five_of, {**ex02.solution_2_1()[1], "vintage_holo": "Holo."}), "Justify `vintage_holo`"),
])
def test_2_1_wrong_answers_get_specific_messages(answer, message):
    result = _evaluate(ex02.engineer_five, *answer())
    assert result.status == INCORRECT and message in result.message, result.message


def _row_counters(listings):
    out = listings.copy()
    for k in range(1, 6):
        out[f"counter_{k}"] = np.arange(len(out)) * k
    return out


def test_2_1_five_copies_of_a_row_counter_are_incorrect():
    result = _evaluate(ex02.engineer_five, _row_counters, _justify({}, *(f"counter_{k}" for k in range(1, 6))))
    assert result.status == INCORRECT, result.message
    assert "`counter_2` is a linear rescaling of your `counter_1`" in result.message, result.message


def _hp_median(o):
    hp = o["hp"].astype(float)
    return hp.fillna(hp.median())


@pytest.mark.parametrize("feature, message", [
    # not new information: a rescaling of another new feature, or of a column the table has
    (lambda o: o["days_since_release"] / 365.25, "linear rescaling of your `days_since_release`"),
    (lambda o: 1 - o["vintage_holo"], "linear rescaling of your `vintage_holo`"),
    (lambda o: o["hp"].astype(float).fillna(0) * 2, "linear rescaling of the existing column `hp`"),
    (lambda o: 1 - o["graded"].astype(int), "linear rescaling of the existing column `graded`"),
    (_hp_median, "linear rescaling of the existing column `hp`"),
    # computed over the whole table, later listings included: 2.3's "leakage from the future"
    (lambda o: o.groupby("card_id")["card_id"].transform("count"), "Leakage from the future: `extra`"),
    (lambda o: o.groupby("species")["card_id"].transform("count").fillna(0), "Leakage from the future: `extra`"),
    (lambda o: safe_ratio(o["attack"], o["defense"]).pipe(lambda r: r.fillna(r.median())),
     "Leakage from the future: `extra`"),
    # computed from other rows, earlier ones only: not the listing's own attributes
    (lambda o: o["listing_date"].rank(), "The value of `extra` for a listing changes"),
    (lambda o: np.arange(len(o)), "The value of `extra` for a listing changes"),
    (lambda o: o.sort_values("listing_id").groupby("card_id").cumcount(), "The value of `extra` for a listing"),
])
def test_2_1_features_that_are_not_new_or_not_the_listings_own_are_named(feature, message):
    engineer, justifications = _with(lambda o: o.assign(extra=feature(o)))
    result = _evaluate(ex02.engineer_five, engineer, _justify(justifications, "extra"))
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("feature", [
    lambda o: np.log1p(o["days_since_release"].clip(lower=0)),             # a transform, not a rescaling
    lambda o: o["hp"].astype(float).fillna(0) * o["is_legendary"],          # an interaction
    lambda o: (o["era"] == "sv").astype(int),                               # a flag for a category
    lambda o: o["listing_date"].dt.day_of_week,                             # the listing's own date
    lambda o: o["card_number"] / 100.0 + (o["finish"] == "holofoil"),        # a mix of two columns
])
def test_2_1_other_features_of_the_listings_own_row_pass(feature):
    engineer, justifications = _with(lambda o: o.assign(extra=feature(o)))
    result = _evaluate(ex02.engineer_five, engineer, _justify(justifications, "extra"))
    assert result.status == CORRECT, result.message


def _counting(engineer):
    """The learner's function, counting its calls and the listings it is given: the check's cost, not its time."""
    def counted(listings):
        counted.calls += 1
        counted.rows += len(listings)
        return engineer(listings)
    counted.calls = counted.rows = 0
    return counted


def test_2_1_the_check_stays_cheap():
    # a deterministic measure of the check's work: how often it runs the learner's code, on how many rows
    engineer, justifications = ex02.solution_2_1()
    counted = _counting(engineer)
    assert _evaluate(ex02.engineer_five, counted, justifications).status == CORRECT
    sample = len(ex02._feature_sample())
    assert counted.calls <= 8 and counted.rows <= 8 * sample, (counted.calls, counted.rows)


def _flags_for_the_latest_cards(listings):
    out = listings.copy()
    for card in listings.sort_values("listing_id")["card_id"].iloc[-5:]:  # other cards on fewer listings
        out[f"is_{card}"] = (listings["card_id"] == card).astype(int)
    return out


def test_2_1_columns_that_depend_on_the_listings_present_are_named():
    engineer, justifications = _with(_flags_for_the_latest_cards)
    result = _evaluate(ex02.engineer_five, engineer, justifications)
    assert result.status == INCORRECT and "no longer adds" in result.message, result.message


def test_2_1_many_columns_are_refused_at_once():
    def one_flag_per_card(listings):
        flags = pd.get_dummies(listings["card_id"], prefix="card", dtype=int)
        return pd.concat([listings, flags], axis=1)

    counted = _counting(one_flag_per_card)
    result = _evaluate(ex02.engineer_five, counted, {})
    assert counted.calls == 1, "hundreds of columns are refused before any per-column work"
    assert result.status == INCORRECT and "not feature design" in result.message, result.message


def test_2_1_modifying_the_input_is_named():
    engineer, justifications = ex02.solution_2_1()

    def in_place(listings):
        listings["days"] = 1
        return engineer(listings)

    result = _evaluate(ex02.engineer_five, in_place, justifications)
    assert result.status == INCORRECT and "modified the DataFrame" in result.message


@pytest.mark.parametrize("engineer, justifications, message", [
    (lambda df: None, {}, "forget `return`"),
    (lambda df: df["no_such_column"], {}, "KeyError"),
    ("features", {}, "to be a function"),
    (ex02.solution_2_1()[0], ["one line", "another"], "should be a dict"),
    (ex02.solution_2_1()[0], pd.DataFrame({"a": ["x"]}), "should be a dict"),
    (ex02.solution_2_1()[0], np.array(["a line", "another"]), "should be a dict"),
    (None, pd.DataFrame(), "to be a function"),
    (None, np.arange(3), "to be a function"),
])
def test_2_1_junk_gets_a_clear_message(engineer, justifications, message):
    result = _evaluate(ex02.engineer_five, engineer, justifications)
    assert result.status == INCORRECT and message in result.message, result.message


# ------------------------------------------------------------------------------ 2.2
def test_2_2_stub_is_not_attempted(stubs):
    assert _evaluate(ex02.fix_the_leaks, stubs["train_and_predict"]).status == NOT_ATTEMPTED


def test_2_2_solution_is_correct():
    result = _evaluate(ex02.fix_the_leaks, ex02.solution_2_2)
    assert result.status == CORRECT, result.message


def test_2_2_another_honest_fix_is_accepted():
    # The card's average over its earlier training listings: honest, and nearly as good.
    result = _evaluate(ex02.fix_the_leaks, leakage.card_history_honest)
    assert result.status == CORRECT, result.message
    assert "deprecation" not in ex02.fix_the_leaks.evaluate(ex02.solution_2_2, record=False).message


def _deprecated_seed(train, valid):
    """The reference fix, seeded with TargetEncoder(random_state=0): works, but deprecated in sklearn 1.9."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    from mlcourse.features import FEATURES

    columns = ColumnTransformer([("features", make_preprocessor("linear"), FEATURES),
                                 ("card", TargetEncoder(random_state=0), ["card_id"])])
    model = Pipeline([("features", columns), ("model", Ridge(alpha=1.0))])
    model.fit(feature_frame(train).assign(card_id=train["card_id"].to_numpy()), np.log(train["price_usd"]))
    return model.predict(feature_frame(valid).assign(card_id=valid["card_id"].to_numpy()))


def test_2_2_a_deprecated_but_working_fix_passes_with_a_note():
    result = _evaluate(ex02.fix_the_leaks, _deprecated_seed)
    assert result.status == CORRECT, result.message
    assert "deprecation warning" in result.message and "random_state" in result.message


def test_2_2_the_leaky_pipeline_itself_fails():
    result = _evaluate(ex02.fix_the_leaks, ex02.leaky_train_and_predict)
    assert result.status == INCORRECT and "Still leaking" in result.message
    assert "validation *prices*" in result.message and "other validation rows" in result.message


def _preprocessing_still_on_all(train, valid):
    """Fixed three leaks, kept the classic one: preprocessing fitted on train + validation."""
    preprocess = make_preprocessor("linear").fit(feature_frame(pd.concat([train, valid], ignore_index=True)))
    encoder = TargetEncoder(cv=KFold(5, shuffle=True, random_state=0))
    y = np.log(train["price_usd"])
    X_train = np.hstack([preprocess.transform(feature_frame(train)), encoder.fit_transform(train[["card_id"]], y)])
    X_valid = np.hstack([preprocess.transform(feature_frame(valid)), encoder.transform(valid[["card_id"]])])
    return Ridge(alpha=1.0).fit(X_train, y).predict(X_valid)


def _unseeded_encoder(train, valid):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    from mlcourse.features import FEATURES

    columns = ColumnTransformer([("features", make_preprocessor("linear"), FEATURES),
                                 ("card", TargetEncoder(), ["card_id"])])
    model = Pipeline([("features", columns), ("model", Ridge(alpha=1.0))])
    model.fit(feature_frame(train).assign(card_id=train["card_id"].to_numpy()), np.log(train["price_usd"]))
    return model.predict(feature_frame(valid).assign(card_id=valid["card_id"].to_numpy()))


@pytest.mark.parametrize("pipeline, message", [
    # still leaking: the wrong answers that fix some leaks and keep others
    (_preprocessing_still_on_all, "other validation rows are removed"),
    (leakage.card_mean_on_all, "validation *prices* are shuffled"),
    (leakage.price_tier, "validation *prices* are shuffled"),
    (leakage.card_month_mean, "validation *prices* are shuffled"),
    # honest but not a fix
    (_unseeded_encoder, "Two identical calls"),
    (leakage.honest, "threw away a signal"),
    (leakage.card_mean_in_sample, "cross-fitted"),
])
def test_2_2_wrong_answers_get_specific_messages(pipeline, message):
    result = _evaluate(ex02.fix_the_leaks, pipeline)
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("junk, message", [
    (lambda train, valid: None, "forget `return`"),
    (lambda train, valid: np.zeros(len(valid) - 1), "predictions for"),
    (lambda train, valid: np.full(len(valid), np.nan), "NaN or infinite"),
    (lambda train, valid: "many predictions", "not an array of numbers"),
    (lambda train, valid: train["nope"], "KeyError"),
    (42, "to be a function"),
])
def test_2_2_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex02.fix_the_leaks, junk)
    assert result.status == INCORRECT and message in result.message, result.message


def test_2_2_reference_scores_show_the_inflation():
    scores = ex02.reference_scores()
    assert scores["leaky"] > scores["honest"] + 0.05


# ------------------------------------------------------------------------------ 2.3
def test_2_3_stub_is_not_attempted(stubs):
    assert _evaluate(ex02.better_feature, stubs["my_feature"]).status == NOT_ATTEMPTED


@pytest.mark.parametrize("solution", [ex02.solution_2_3, *ex02.better_feature.extra_solutions])
def test_2_3_solutions_are_correct(solution):
    result = _evaluate(ex02.better_feature, solution)
    assert result.status == CORRECT, result.message
    assert leakage.future_dependence(solution, ex02.baseline_sample()) is None


def _previous_sale_of_the_card(listings):
    ordered = listings.sort_values("listing_id")
    return ordered.groupby("card_id")["price_usd"].shift(1).reindex(listings.index)


def test_2_3_a_past_price_is_refused_for_what_it_is():
    result = _evaluate(ex02.better_feature, _previous_sale_of_the_card)
    assert result.status == INCORRECT, result.message
    assert "no price at all, not even the past sales" in result.message, result.message
    assert "impossible to compute" not in result.message


def test_2_3_hint_ideas_that_pass_are_the_species_ones():
    hints = " ".join(ex02.better_feature.hints)
    assert "species" in ex02.better_feature.hints[0]
    assert "how new the set is" not in hints


def _species_mean_price(listings):
    return listings.groupby("species")["price_usd"].transform(lambda p: np.log(p).mean()).fillna(0)


def _species_listing_count(listings):
    # The old alternative solution: a count over the whole sample, later listings included.
    return np.log1p(listings.groupby("species")["listing_id"].transform("size").fillna(0))


def _days_since_release(listings):
    return (listings["listing_date"] - listings["release_date"]).dt.days.astype(float)


CHASE_RARITIES = ["Ultra Rare", "Secret Rare", "Illustration Rare", "Special Illustration Rare", "Hyper Rare"]


@pytest.mark.parametrize("feature, message", [
    # the threshold is easy to pass with the target: the check must reject it first
    (lambda df: np.log(df["price_usd"]), "uses the price"),
    (_species_mean_price, "uses the price"),                        # target encoding, in-sample
    (lambda df: (df["price_usd"] > 20).astype(int), "uses the price"),
    (lambda df: df["price_usd"].rank(), "uses the price"),
    # computed from other listings, later ones included: the future leak of Module 2
    (_species_listing_count, "Leakage from the future"),
    (lambda df: df["hp"].astype(float) - df["hp"].astype(float).mean(), "Leakage from the future"),
    (lambda df: df["hp"].rank(pct=True), "Leakage from the future"),
    # sensible but too weak (the ideas beyond species: age, novelty, interactions, alternate art)
    (lambda df: safe_ratio(df["attack"], df["defense"]).fillna(1.0), "improvement of"),
    (lambda df: df["is_alt_art"], "improvement of"),
    (_days_since_release, "improvement of"),
    (lambda df: np.exp(-_days_since_release(df) / 30), "improvement of"),
    (lambda df: (df["is_legendary"] & df["rarity"].isin(CHASE_RARITIES)).astype(int), "improvement of"),
    # broken
    (lambda df: pd.Series(1.0, index=df.index), "same value"),
    (lambda df: df["attack"].astype(float) / df["defense"].astype(float), "infinite"),
    (lambda df: pd.Series(np.nan, index=df.index), "missing"),
    (lambda df: df["hp"].iloc[:100], "values for"),
    (lambda df: df[["hp", "attack"]], "2 columns"),
    (lambda df: np.ones((len(df), 2)), "shape"),
])
def test_2_3_wrong_answers_get_specific_messages(feature, message):
    result = _evaluate(ex02.better_feature, feature)
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("junk, message", [
    (lambda df: None, "forget `return`"),
    (lambda df: df["nope"], "KeyError"),
    ("species", "to be a function"),
])
def test_2_3_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex02.better_feature, junk)
    assert result.status == INCORRECT and message in result.message, result.message


def test_2_3_cross_validation_is_deterministic_time_ordered_and_the_baseline_fixed():
    sample = ex02.baseline_sample()
    assert sample["listing_id"].is_monotonic_increasing and sample["listing_date"].is_monotonic_increasing
    feature = ex02.solution_2_3(sample)
    assert ex02.cv_rmse(sample, feature) == ex02.cv_rmse(ex02.baseline_sample(), feature)
    assert ex02.baseline_rmse() == ex02.cv_rmse(sample)
    with pytest.raises(ValueError, match="time order"):
        ex02.cv_rmse(sample.iloc[::-1].reset_index(drop=True))


def test_2_3_a_feature_that_fails_on_fewer_listings_gets_a_clear_message():
    def needs_all_rows(df):
        if len(df) < 4_000:
            raise ValueError("expected the full sample")
        return df["species"].isin(ex02.CHASE_SPECIES).astype(int)

    result = _evaluate(ex02.better_feature, needs_all_rows)
    assert result.status == INCORRECT and "earliest half" in result.message, result.message


def test_exercise_data_is_deterministic():
    a, b = ex02.feature_sample(), ex02.feature_sample()
    pd.testing.assert_frame_equal(a, b)
    a.loc[0, "price_usd"] = np.nan
    assert not ex02.feature_sample()["price_usd"].isna().any(), "each call returns a fresh copy"
