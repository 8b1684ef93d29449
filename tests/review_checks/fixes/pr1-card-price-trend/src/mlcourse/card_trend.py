"""A card's recent market price as a feature: the median of its latest earlier sales (fixed version).

Only sales dated strictly before the listing count, and only sales from the history given
(the training rows): the feature is what a seller could have looked up on the day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcourse.features import feature_frame, make_preprocessor
from mlcourse.leakage import _fit_predict, _ridge, _with_extra, log_price

TREND_WINDOW = 5  # sales of the same card


def card_price_trend(listings: pd.DataFrame, window: int = TREND_WINDOW,
                     history: pd.DataFrame | None = None) -> pd.Series:
    """Median log price of the card's last ``window`` sales in ``history`` (default: ``listings``) dated
    strictly before each listing; NaN when there is none. Aligned with ``listings``."""
    history = listings if history is None else history
    dates = history["listing_date"].to_numpy()
    prices = log_price(history)
    sales = {}
    for card, rows in pd.Series(np.arange(len(history))).groupby(history["card_id"].to_numpy()):
        order = rows.to_numpy()[np.argsort(dates[rows.to_numpy()], kind="stable")]
        sales[card] = (dates[order], prices[order])
    out = np.full(len(listings), np.nan)
    for i, (card, day) in enumerate(zip(listings["card_id"].to_numpy(), listings["listing_date"].to_numpy(),
                                        strict=True)):
        if card in sales:
            card_dates, card_prices = sales[card]
            end = int(np.searchsorted(card_dates, day, side="left"))
            if end:
                out[i] = float(np.median(card_prices[max(0, end - window):end]))
    return pd.Series(out, index=listings.index)


def with_price_trend(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """The honest Ridge pipeline plus the card's price trend, from the training rows' history only."""
    fallback = float(log_price(train).mean())

    def with_feature(rows: pd.DataFrame) -> pd.DataFrame:
        trend = card_price_trend(rows, history=train).to_numpy()
        return feature_frame(rows).assign(price_trend=np.where(np.isnan(trend), fallback, trend))

    model = _ridge(_with_extra(make_preprocessor("linear"), ["price_trend"]))
    return _fit_predict(model, with_feature(train), log_price(train), with_feature(valid))
