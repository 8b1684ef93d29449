"""A card's recent market price as a feature: its price trend over neighbouring sales.

Collectors price a card by looking at what it sold for recently, not by its rarity
alone. ``card_price_trend`` gives the model the same view: for every listing, the
median log price of the same card over a window of its sales, in date order. The
median keeps one-off outliers (a mislabelled lot, a shill bid) from moving the trend.

``with_price_trend`` is a pipeline in the shape of ``mlcourse.leakage``
(``fit_predict(train, valid) -> predictions`` of log price), so it can be compared
with the honest baseline on Module 2's time split.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcourse.features import feature_frame, make_preprocessor
from mlcourse.leakage import _fit_predict, _ridge, _with_extra, log_price

TREND_WINDOW = 5  # sales of the same card


def card_price_trend(listings: pd.DataFrame, window: int = TREND_WINDOW) -> pd.Series:
    """The card's typical log price around each listing: a rolling median over its sales, in date order.

    Returns a Series aligned with ``listings`` (same index).
    """
    ordered = listings.sort_values(["listing_date", "listing_id"], kind="stable")
    log_prices = np.log(ordered["price_usd"])
    trend = log_prices.groupby(ordered["card_id"]).transform(
        lambda sales: sales.rolling(window, center=True, min_periods=1).median()
    )
    return trend.reindex(listings.index)


def with_price_trend(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """The honest Ridge pipeline plus the card's price trend (``fit_predict`` shape)."""
    both = pd.concat([train, valid], ignore_index=True)
    trend = card_price_trend(both).to_numpy()
    train_x = feature_frame(train).assign(price_trend=trend[: len(train)])
    valid_x = feature_frame(valid).assign(price_trend=trend[len(train):])
    model = _ridge(_with_extra(make_preprocessor("linear"), ["price_trend"]))
    return _fit_predict(model, train_x, log_price(train), valid_x)
