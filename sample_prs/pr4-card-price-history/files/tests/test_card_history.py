"""The card price history feature: correct on a hand-made history, and free of leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcourse import leakage
from mlcourse.card_history import card_price_history, with_card_history


def _sales(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"card_id": [r[0] for r in rows], "listing_date": pd.to_datetime([r[1] for r in rows]),
                         "price_usd": [r[2] for r in rows]})


HISTORY = _sales([("a", "2024-01-01", 10.0), ("a", "2024-01-05", 40.0), ("b", "2024-01-03", 2.0),
                  ("a", "2024-03-01", 20.0)])


def test_mean_of_earlier_sales_in_the_window():
    listings = _sales([("a", "2024-01-06", 1.0), ("a", "2024-01-05", 1.0), ("b", "2024-01-03", 1.0),
                       ("a", "2024-03-02", 1.0), ("c", "2024-01-06", 1.0)])
    got = card_price_history(HISTORY, listings, lookback_days=30)
    expected = [np.log([10.0, 40.0]).mean(), np.log(10.0), np.nan, np.log(20.0), np.nan]
    np.testing.assert_allclose(got, expected)


def test_the_window_excludes_sales_older_than_the_lookback():
    listings = _sales([("a", "2024-01-31", 1.0), ("a", "2024-02-01", 1.0)])
    got = card_price_history(HISTORY, listings, lookback_days=30)
    np.testing.assert_allclose(got, [np.log([10.0, 40.0]).mean(), np.log(40.0)])


def test_a_lookback_under_one_day_is_refused():
    with pytest.raises(ValueError, match="lookback_days"):
        card_price_history(HISTORY, HISTORY, lookback_days=0)


def test_the_pipeline_passes_the_leakage_audit():
    train, valid = leakage.demo_split(n=2_000)
    result = leakage.audit(with_card_history, train, valid)
    assert result.passed, result.problems()


def test_the_feature_uses_only_earlier_listings():
    listings = leakage.demo_split(n=2_000)[0]
    assert leakage.future_dependence(lambda rows: card_price_history(rows, rows), listings) is None
