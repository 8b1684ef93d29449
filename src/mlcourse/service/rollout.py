"""Rolling out a new model safely: sticky canary routing and the arithmetic of an A/B test.

- ``assign_variant``: which model serves a caller. Deterministic per key (a seller id, a
  session), so a caller does not flip between models, and monotone in the share: raising
  the canary from 5% to 20% keeps every caller already on the canary there.
- ``samples_per_arm``: how many observations each variant needs before a difference of a
  given size can be told apart from noise (two-sided z-test, normal approximation).
- ``bootstrap_difference``: the observed difference of two means with a bootstrap
  confidence interval: the number a promote-or-roll-back decision rests on.
"""

from __future__ import annotations

import hashlib

import numpy as np
from scipy import stats

STABLE, CANARY = "stable", "canary"


def assign_variant(key: str, canary_share: float, salt: str = "rollout") -> str:
    """'canary' for about ``canary_share`` of keys, 'stable' for the rest; the same key, the same answer."""
    if not 0.0 <= canary_share <= 1.0:
        raise ValueError(f"canary_share must be between 0 and 1, got {canary_share}")
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") / 2**64  # uniform in [0, 1), fixed per (salt, key)
    return CANARY if bucket < canary_share else STABLE


def samples_per_arm(std: float, min_effect: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Observations per variant to detect a difference in means of ``min_effect`` (same units as ``std``)."""
    if std <= 0 or min_effect <= 0:
        raise ValueError("std and min_effect must be positive")
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return int(np.ceil(2 * (z * std / min_effect) ** 2))


def bootstrap_difference(a: np.ndarray, b: np.ndarray, n_boot: int = 2_000, level: float = 0.95,
                         seed: int = 0) -> dict[str, float]:
    """mean(b) - mean(a), with a percentile bootstrap interval (seeded: the same data, the same interval)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 2 or len(b) < 2:
        raise ValueError("each group needs at least two observations")
    rng = np.random.default_rng(seed)
    boot_a = a[rng.integers(0, len(a), (n_boot, len(a)))].mean(axis=1)
    boot_b = b[rng.integers(0, len(b), (n_boot, len(b)))].mean(axis=1)
    diffs = boot_b - boot_a
    tail = (1 - level) / 2
    return {"difference": float(b.mean() - a.mean()), "lower": float(np.quantile(diffs, tail)),
            "upper": float(np.quantile(diffs, 1 - tail)), "level": level}
