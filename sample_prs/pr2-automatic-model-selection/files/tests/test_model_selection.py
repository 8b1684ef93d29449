"""Automatic model selection."""

from __future__ import annotations

from mlcourse import modeling
from mlcourse.model_selection import CANDIDATES, select_model


def test_select_model_returns_a_fitted_candidate():
    train, test = modeling.random_split(modeling.pricing_listings(sample=2_000))
    report = select_model(train, test, save=False)
    assert report["family"] in CANDIDATES
    assert set(report["validation_rmse"]) == set(CANDIDATES)
    assert len(report["model"].predict(test)) == len(test)


def test_the_best_family_beats_the_baseline():
    train, test = modeling.random_split(modeling.pricing_listings(sample=2_000))
    report = select_model(train, test, save=False)
    assert report["test_rmse"] < report["validation_rmse"]["era x rarity median"]
