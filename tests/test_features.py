"""The shared feature definitions: no leakage, no infinities, no surprises at serving time."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

from mlcourse.dataset import load_listings
from mlcourse.features import FEATURES, add_features, feature_frame, make_preprocessor, pricing_subset, safe_ratio


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return load_listings().sample(3_000, random_state=0).reset_index(drop=True)


def test_safe_ratio_never_returns_infinity():
    out = safe_ratio(pd.Series([10, 10, 10, None]), pd.Series([2, 0, None, 5], dtype="Int16"))
    assert out.iloc[0] == 5 and out.iloc[1:].isna().all()


def test_add_features_leaves_its_input_alone_and_uses_no_price(sample):
    before = sample.copy()
    out = add_features(sample.drop(columns=["price_usd"]))
    pd.testing.assert_frame_equal(sample, before)
    assert (out["days_since_release"] >= 0).all()
    assert not np.isinf(out["attack_defense_ratio"].astype(float)).any()


def test_add_features_names_missing_inputs(sample):
    with pytest.raises(ValueError, match="release_date"):
        add_features(sample.drop(columns=["release_date"]))


def test_feature_frame_has_the_documented_columns(sample):
    frame = feature_frame(sample)
    assert list(frame.columns) == FEATURES
    assert "price_usd" not in frame.columns


@pytest.mark.parametrize("kind", ["tree", "linear"])
def test_preprocessors_handle_unseen_categories(sample, kind):
    model = make_pipeline(make_preprocessor(kind), DecisionTreeRegressor(max_depth=3, random_state=0))
    model.fit(feature_frame(sample), np.log(sample["price_usd"]))
    novel = sample.head(5).assign(rarity="Mega Hyper Rare", era="me", pokemon_type=None)
    assert np.isfinite(model.predict(feature_frame(novel))).all()


def test_unknown_preprocessor_kind():
    with pytest.raises(ValueError, match="tree"):
        make_preprocessor("forest")


def test_pricing_subset_is_ungraded_marketplace(sample):
    subset = pricing_subset(sample)
    assert subset["channel"].eq("marketplace").all() and not subset["graded"].any()


def test_category_codes_match_sklearns_ordinal_encoder(sample):
    from sklearn.preprocessing import OrdinalEncoder

    from mlcourse.features import CATEGORICAL, CategoryCodes

    frame = feature_frame(sample)
    ours = CategoryCodes().fit(frame).transform(frame)[:, :len(CATEGORICAL)]
    theirs = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                            encoded_missing_value=-1).fit(frame[CATEGORICAL]).transform(frame[CATEGORICAL])
    assert np.array_equal(ours, theirs)


def test_category_codes_round_trip_through_plain_json(sample):
    import json

    from mlcourse.features import CategoryCodes, feature_arrays

    frame = feature_frame(sample)
    fitted = CategoryCodes().fit(frame)
    state = json.loads(json.dumps({"categories": fitted.categories_, "empty": fitted.empty_numeric_}))
    restored = CategoryCodes.from_categories(state["categories"], state["empty"])
    assert np.array_equal(np.nan_to_num(fitted.transform(frame), nan=-9),
                          np.nan_to_num(restored.transform(feature_arrays(sample)), nan=-9))


def test_an_all_missing_training_column_does_not_break_histogram_boosting(sample):
    from sklearn.ensemble import HistGradientBoostingRegressor

    ungraded = pricing_subset(sample)
    model = make_pipeline(make_preprocessor("tree"), HistGradientBoostingRegressor(max_iter=20))
    model.fit(feature_frame(ungraded), np.log(ungraded["price_usd"]))
    assert np.isfinite(model.predict(feature_frame(sample.head(20)))).all()


def test_feature_arrays_accepts_plain_python_columns(sample):
    from mlcourse.features import INPUT_COLUMNS, feature_arrays

    rows = sample.head(3)
    plain = {c: rows[c].tolist() for c in INPUT_COLUMNS}
    plain["listing_date"] = [d.date().isoformat() for d in rows["listing_date"]]
    plain["release_date"] = [d.date() for d in rows["release_date"]]
    from_plain, from_frame = feature_arrays(plain), feature_arrays(rows)
    for col in FEATURES:
        assert np.array_equal(pd.Series(from_plain[col]).fillna(-9).to_numpy(),
                              pd.Series(from_frame[col]).fillna(-9).to_numpy()), col


@pytest.mark.parametrize("values", [
    [datetime.date(2024, 6, 1), None], ["2024-06-01", None], ["2024-06-01T13:00:00"],
    [datetime.datetime(2024, 6, 1, 23, 59)], ["06/01/2024"], [float("nan")],
])
def test_dates_are_read_as_pandas_reads_them(values):
    from mlcourse.features import _as_days

    expected = pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")
    np.testing.assert_array_equal(_as_days(values), expected)
