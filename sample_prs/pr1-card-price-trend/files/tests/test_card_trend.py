"""The card price trend feature."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcourse import leakage
from mlcourse.card_trend import card_price_trend, with_price_trend


def _listings() -> pd.DataFrame:
    return pd.DataFrame({
        "listing_id": [1, 2, 3, 4, 5],
        "listing_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]),
        "card_id": ["a", "a", "b", "a", "b"],
        "price_usd": [10.0, 12.0, 3.0, 11.0, 5.0],
    })


def test_trend_is_one_value_per_listing_and_never_missing():
    trend = card_price_trend(_listings())
    assert len(trend) == 5 and trend.notna().all()


def test_trend_keeps_the_input_order():
    listings = _listings()
    shuffled = listings.sample(frac=1.0, random_state=0)
    assert card_price_trend(shuffled).sort_index().equals(card_price_trend(listings))


def test_trend_follows_the_card_not_the_market():
    trend = card_price_trend(_listings())
    assert trend[0] > trend[2]  # card a sells for more than card b


def test_pipeline_predicts_every_validation_listing():
    train, valid = leakage.demo_split(n=2_000)
    predictions = with_price_trend(train, valid)
    assert predictions.shape == (len(valid),) and np.isfinite(predictions).all()
