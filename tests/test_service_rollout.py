"""Canary routing and A/B arithmetic used in Module 5's rollout section."""

from __future__ import annotations

import numpy as np
import pytest

from mlcourse.service.rollout import CANARY, STABLE, assign_variant, bootstrap_difference, samples_per_arm

KEYS = [f"seller-{i}" for i in range(20_000)]


def test_routing_is_sticky_and_close_to_the_share():
    first = [assign_variant(k, 0.1) for k in KEYS]
    assert first == [assign_variant(k, 0.1) for k in KEYS]
    assert abs(first.count(CANARY) / len(KEYS) - 0.1) < 0.01


def test_raising_the_share_keeps_canary_callers_on_the_canary():
    small = {k for k in KEYS if assign_variant(k, 0.05) == CANARY}
    large = {k for k in KEYS if assign_variant(k, 0.25) == CANARY}
    assert small < large


def test_edges_and_salt():
    assert {assign_variant(k, 0.0) for k in KEYS[:100]} == {STABLE}
    assert {assign_variant(k, 1.0) for k in KEYS[:100]} == {CANARY}
    a = [assign_variant(k, 0.5, salt="exp-1") for k in KEYS[:2000]]
    b = [assign_variant(k, 0.5, salt="exp-2") for k in KEYS[:2000]]
    assert 0.4 < np.mean([x == y for x, y in zip(a, b, strict=True)]) < 0.6, "a new salt reshuffles callers"
    with pytest.raises(ValueError):
        assign_variant("k", 1.5)


def test_sample_size_matches_the_textbook_formula():
    # 2 * (1.96 + 0.8416)^2 * (sigma / delta)^2 with sigma = delta gives 15.7 -> 16
    assert samples_per_arm(1.0, 1.0) == 16
    assert samples_per_arm(10.0, 1.0) == 1570
    assert samples_per_arm(10.0, 0.5) == 6280, "halving the effect quadruples the sample"
    with pytest.raises(ValueError):
        samples_per_arm(0, 1)


def test_bootstrap_interval_finds_a_real_difference_and_not_a_fake_one():
    rng = np.random.default_rng(0)
    a = rng.normal(10, 2, 2000)
    shifted = bootstrap_difference(a, rng.normal(10.5, 2, 2000))
    same = bootstrap_difference(a, rng.normal(10, 2, 2000))
    assert shifted["lower"] > 0 and same["lower"] < 0 < same["upper"]
    assert bootstrap_difference(a, a + 1, seed=3) == bootstrap_difference(a, a + 1, seed=3)
