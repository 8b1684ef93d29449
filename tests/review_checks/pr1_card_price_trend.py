"""Behavioural checks for sample PR 1 (sample_prs/pr1-card-price-trend): the card price trend feature.

They need the pull request's code, so they are not part of the course's test suite:
``tests/test_sample_prs.py`` runs them on a copy of the repository with the diff applied.
To run them yourself, on a branch with the pull request applied::

    uv run pytest tests/review_checks/pr1_card_price_trend.py -n0

A feature built from prices must be computable on the day of the listing: from earlier
sales only, never from the listing's own price or from later sales.
"""

from __future__ import annotations

import numpy as np

from mlcourse import leakage
from mlcourse.card_trend import card_price_trend, with_price_trend


def _listings():
    return leakage.demo_split(n=2_000)[0]


def test_a_listings_trend_ignores_its_own_price():
    listings = _listings()
    row = int(listings["card_id"].duplicated(keep=False).to_numpy().argmax())  # a card sold more than once
    changed = listings.copy()
    changed.loc[row, "price_usd"] *= 10
    before, after = card_price_trend(listings), card_price_trend(changed)
    assert np.isclose(before[row], after[row], equal_nan=True), (
        f"the trend of listing {row} moved from {before[row]:.3f} to {after[row]:.3f} when only its own price "
        "changed: the feature contains the price it is meant to predict")


def test_a_listings_trend_ignores_later_sales():
    problem = leakage.future_dependence(card_price_trend, _listings())
    assert problem is None, f"card_price_trend: {problem}"


def test_the_pipeline_passes_the_leakage_audit():
    train, valid = leakage.demo_split(n=2_000)
    result = leakage.audit(with_price_trend, train, valid)
    assert result.passed, " ".join(result.problems())


def measure() -> dict[str, str]:
    """The description's claim: validation R² without and with the trend, on Module 2's time split."""
    return {"validation_r2_before": f"{leakage.demo_r2(leakage.honest):.3f}",
            "validation_r2_after": f"{leakage.demo_r2(with_price_trend):.3f}"}
