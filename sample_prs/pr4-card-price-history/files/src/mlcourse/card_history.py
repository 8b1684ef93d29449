"""A card's recent sale prices as a feature, computed from earlier sales only.

For each listing: the mean log price of the same card's sales in a lookback window that
ends the day *before* the listing, taken from a history table (the training rows). A
listing never sees its own price, a later sale, or a sale outside the history it is
given, so the feature can be computed on the day of the listing, in training and in
serving alike.

``with_card_history`` is a pipeline in the shape of ``mlcourse.leakage``
(``fit_predict(train, valid) -> predictions`` of log price): the history is the training
rows, for the training and the validation listings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcourse.features import feature_frame, make_preprocessor
from mlcourse.leakage import _fit_predict, _ridge, _with_extra, log_price

LOOKBACK_DAYS = 730  # two years: the market of 2021 was another market (the boom, then the slump)


def _running_totals(history: pd.DataFrame) -> pd.DataFrame:
    """Per card and sale day: the running count and sum of log prices up to and including that day."""
    days = pd.DataFrame({"card_id": history["card_id"].to_numpy(),
                         "date": history["listing_date"].to_numpy(),
                         "log_price": log_price(history)})
    days = days.groupby(["card_id", "date"], sort=True).agg(n=("log_price", "size"), total=("log_price", "sum"))
    days = days.groupby(level="card_id").cumsum().reset_index()
    return days.sort_values("date", kind="stable")


def _totals_before(totals: pd.DataFrame, cards: np.ndarray, dates: np.ndarray) -> pd.DataFrame:
    """Running totals of each (card, date) query over the sales strictly before that date (0 if none)."""
    query = pd.DataFrame({"card_id": cards, "date": dates, "row": np.arange(len(cards))})
    merged = pd.merge_asof(query.sort_values("date", kind="stable"), totals, on="date", by="card_id",
                           allow_exact_matches=False)
    return merged.sort_values("row")[["n", "total"]].fillna(0.0).reset_index(drop=True)


def card_price_history(history: pd.DataFrame, listings: pd.DataFrame,
                       lookback_days: int = LOOKBACK_DAYS) -> np.ndarray:
    """Mean log price of each listing's card over the ``history`` sales in the ``lookback_days``
    before its listing date (the listing day itself excluded). NaN where the card has no such sale.
    """
    if lookback_days < 1:
        raise ValueError(f"lookback_days must be at least 1, got {lookback_days!r}")
    totals = _running_totals(history)
    cards = listings["card_id"].to_numpy()
    dates = pd.to_datetime(listings["listing_date"]).to_numpy()
    until = _totals_before(totals, cards, dates)
    since = _totals_before(totals, cards, dates - np.timedelta64(lookback_days, "D"))
    count = (until["n"] - since["n"]).to_numpy()
    total = (until["total"] - since["total"]).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def with_card_history(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """The honest Ridge pipeline plus the card's recent price, from the training rows' history only.

    A card without an earlier sale in the window gets the training rows' mean log price, and
    a flag says so, so the model can tell "no history" from "an average card".
    """
    fallback = float(log_price(train).mean())

    def with_feature(rows: pd.DataFrame) -> pd.DataFrame:
        history = card_price_history(train, rows)
        return feature_frame(rows).assign(card_history=np.where(np.isnan(history), fallback, history),
                                          no_card_history=np.isnan(history).astype(float))

    extra = ["card_history", "no_card_history"]
    model = _ridge(_with_extra(make_preprocessor("linear"), extra))
    return _fit_predict(model, with_feature(train), log_price(train), with_feature(valid))
