"""Behavioural checks for sample PR 4 (sample_prs/pr4-card-price-history): the card price history feature.

They need the pull request's code, so they are not part of the course's test suite:
``tests/test_sample_prs.py`` runs them on a copy of the repository with the diff applied.
To run them yourself, on a branch with the pull request applied::

    uv run pytest tests/review_checks/pr4_card_price_history.py -n0

The same questions as for PR 1's trend feature; this one answers them all.
"""

from __future__ import annotations

import numpy as np

from mlcourse import leakage
from mlcourse.card_history import card_price_history, with_card_history


def _listings():
    return leakage.demo_split(n=2_000)[0]


def test_a_listings_history_ignores_its_own_price():
    listings = _listings()
    row = int(listings["card_id"].duplicated(keep=False).to_numpy().argmax())
    changed = listings.copy()
    changed.loc[row, "price_usd"] *= 10
    before, after = card_price_history(listings, listings), card_price_history(changed, changed)
    assert np.isclose(before[row], after[row], equal_nan=True)


def test_a_listings_history_ignores_later_sales():
    assert leakage.future_dependence(lambda rows: card_price_history(rows, rows), _listings()) is None


def test_the_pipeline_passes_the_leakage_audit():
    train, valid = leakage.demo_split(n=2_000)
    result = leakage.audit(with_card_history, train, valid)
    assert result.passed, " ".join(result.problems())


def measure() -> dict[str, str]:
    """The description's claim: validation R² without and with the history, on Module 2's time split."""
    train, valid = leakage.demo_split()
    no_history = float(np.isnan(card_price_history(train, valid)).mean())
    return {"validation_r2_before": f"{leakage.demo_r2(leakage.honest):.3f}",
            "validation_r2_after": f"{leakage.demo_r2(with_card_history):.3f}",
            "no_history_share": f"{no_history:.0%}"}
