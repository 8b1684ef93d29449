"""The leakage demos and the behavioural audit: leaks inflate scores, the audit catches each one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcourse import leakage


@pytest.fixture(scope="module")
def small_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    return leakage.demo_split(n=2_000)


def test_demo_split_is_temporal_sized_and_copied():
    train, valid = leakage.demo_split()
    assert (len(train), len(valid)) == (9_000, 3_000)
    assert train["listing_date"].max() <= valid["listing_date"].min()
    train.loc[0, "price_usd"] = -1.0
    assert leakage.demo_split()[0].loc[0, "price_usd"] > 0, "each call returns fresh copies"
    with pytest.raises(ValueError, match="valid_share"):
        leakage.demo_split(valid_share=1.5)


def test_every_leak_but_the_scaler_inflates_the_score_a_lot():
    board = leakage.scoreboard().set_index("leak")
    inflation = board["inflation"]
    assert abs(inflation.iloc[0]) < 0.01, "fitting the scaler on all rows barely moves the score here"
    assert (inflation.iloc[1:] > 0.05).all(), board
    assert (board["leaky R²"].iloc[1:] > 0.94).all()


def test_in_sample_target_encoding_is_worse_than_none_and_cross_fitting_helps():
    none = leakage.demo_r2(leakage.honest)
    assert leakage.demo_r2(leakage.card_mean_in_sample) < none < leakage.demo_r2(leakage.card_mean_cross_fitted)


@pytest.mark.parametrize("pipeline, uses_prices, fits_on_valid", [
    (leakage.honest, False, False),
    (leakage.card_mean_cross_fitted, False, False),
    (leakage.card_history_honest, False, False),
    (leakage.scaler_fit_on_all, False, True),
    (leakage.card_mean_on_all, True, True),
    (leakage.price_tier, True, False),
    (leakage.card_month_mean, True, True),
])
def test_the_audit_finds_exactly_the_planted_leaks(small_split, pipeline, uses_prices, fits_on_valid):
    result = leakage.audit(pipeline, *small_split)
    assert result.deterministic
    assert result.uses_validation_prices == uses_prices
    assert result.fits_on_validation_rows == fits_on_valid
    assert result.passed == (not uses_prices and not fits_on_valid)
    assert bool(result.problems()) == (not result.passed)


def test_the_audit_refuses_to_judge_a_random_pipeline(small_split):
    rng = np.random.default_rng()

    def noisy(train, valid):
        return leakage.honest(train, valid) + rng.normal(0, 0.01, len(valid))

    result = leakage.audit(noisy, *small_split)
    assert not result.deterministic and not result.passed
    assert "seed" in result.problems()[0]


def test_the_audit_never_hands_out_its_own_frames(small_split):
    train, valid = small_split
    before = valid.copy()

    def vandal(t, v):
        v["price_usd"] = 0.0
        t["price_usd"] = 0.0
        return np.zeros(len(v))

    leakage.audit(vandal, train, valid)
    pd.testing.assert_frame_equal(valid, before)


def test_an_unseeded_target_encoder_is_not_reproducible_and_the_seeded_one_is(small_split):
    from sklearn.preprocessing import TargetEncoder

    train, _ = small_split
    y = leakage.log_price(train)
    seeded = [leakage.seeded_target_encoder().fit_transform(train[["card_id"]], y) for _ in range(2)]
    np.testing.assert_array_equal(*seeded)
    unseeded = [TargetEncoder().fit_transform(train[["card_id"]], y) for _ in range(3)]
    assert any(not np.array_equal(unseeded[0], u) for u in unseeded[1:])


def test_card_history_mean_uses_strictly_earlier_listings_only():
    history = pd.DataFrame({
        "card_id": ["a", "a", "a", "b"],
        "listing_date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-09", "2024-01-02"]),
        "price_usd": np.exp([1.0, 3.0, 100.0, 7.0]),
    })
    queries = pd.DataFrame({
        "card_id": ["a", "a", "a", "b", "c"],
        "listing_date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-20", "2024-01-03", "2024-01-03"]),
    })
    got = leakage.card_history_mean(history, queries)
    np.testing.assert_allclose(got[:4], [np.nan, 1.0, (1 + 3 + 100) / 3, 7.0])
    assert np.isnan(got[4])


def test_price_dependence_catches_price_derived_features():
    listings = leakage.demo_split(n=2_000)[0]
    assert "shuffled" in leakage.price_dependence(lambda df: np.log(df["price_usd"]), listings)
    assert "shuffled" in leakage.price_dependence(
        lambda df: df.groupby("era")["price_usd"].transform("mean"), listings)
    assert "reads the `price_usd` column" in leakage.price_dependence(
        lambda df: df["price_usd"].median() + df["hp"].astype(float) * 0, listings.assign(hp=1))
    assert leakage.price_dependence(lambda df: (df["listing_date"] - df["release_date"]).dt.days, listings) is None


def test_price_dependence_does_not_hide_other_bugs():
    listings = leakage.demo_split(n=2_000)[0]
    with pytest.raises(KeyError, match="no_such_column"):
        leakage.price_dependence(lambda df: df["no_such_column"], listings)


def test_the_preprocessing_leak_is_in_the_categories_not_the_scaler(small_split):
    train, valid = small_split
    parts = leakage.preprocessing_leak_parts(train, valid).set_index(["part", "model"])
    change = parts["largest change in a prediction"]
    assert change[("scaler", "linear regression")] < 1e-8, "a linear regression ignores the scale of its inputs"
    assert change[("scaler", "Ridge")] < 0.01
    # the one-hot categories move predictions far more than the scaler or the imputer (how far
    # depends on which categories the validation rows tip over the frequency threshold)
    assert change[("categories", "Ridge")] > 0.01
    assert change[("categories", "Ridge")] > 10 * max(change[("scaler", "Ridge")], change[("imputer", "Ridge")])
    # refitting all three parts is exactly the leaky pipeline of the scoreboard
    leaky = leakage.scaler_fit_on_all(train, valid)
    honest = leakage.honest(train, valid)
    assert change[("all", "Ridge")] == pytest.approx(np.abs(leaky - honest).max(), abs=1e-9)
    assert parts.loc[("all", "Ridge"), "validation R²"] == pytest.approx(leakage.validation_r2(valid, leaky))


def test_categories_gained_from_validation(small_split):
    train, valid = small_split
    gained = leakage.categories_gained_from_validation(train, valid)
    assert gained and all(": " in g for g in gained)
    assert leakage.categories_gained_from_validation(train, valid.iloc[:0]) == []


def test_future_dependence_catches_features_computed_over_later_listings():
    listings = leakage.demo_split(n=2_000)[0]
    shuffled = listings.sample(frac=1.0, random_state=0)  # the check orders the listings itself
    assert leakage.future_dependence(lambda df: (df["listing_date"] - df["release_date"]).dt.days, shuffled) is None
    assert leakage.future_dependence(lambda df: df.groupby("card_id").cumcount(), shuffled) is None  # past only
    assert "later" in leakage.future_dependence(lambda df: df.groupby("card_id")["card_id"].transform("size"),
                                                shuffled)
    assert "later" in leakage.future_dependence(lambda df: df["hp"].astype(float).rank(), shuffled)
    assert "later" in leakage.future_dependence(lambda df: np.ones(3), shuffled)  # wrong length: not comparable
