"""The shared feature definitions: no leakage, no infinities, no surprises at serving time."""

from __future__ import annotations

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
