"""Evaluating price models and the review classifier: metrics, thresholds, errors, slices, model cards.

Regression metrics take prices in dollars; classification metrics take 0/1 labels and
scores (probabilities of the positive class). Nothing here fits a model.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from mlcourse.paths import output_dir


# ======================================================================================
# Regression
# ======================================================================================
def _arrays(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    true = np.asarray(y_true, dtype=float).ravel()
    pred = np.asarray(y_pred, dtype=float).ravel()
    if true.shape != pred.shape:
        raise ValueError(f"y_true has {true.size} values and y_pred {pred.size}: they must match")
    if true.size == 0:
        raise ValueError("no values to evaluate")
    return true, pred


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error (dollars): dominated by the largest errors."""
    true, pred = _arrays(y_true, y_pred)
    return float(np.sqrt(np.mean((pred - true) ** 2)))


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error (dollars): the typical miss, robust to a few large ones."""
    true, pred = _arrays(y_true, y_pred)
    return float(np.mean(np.abs(pred - true)))


def regression_metrics(y_true: Any, y_pred: Any, within_usd: Sequence[float] = (1.0, 5.0),
                       within_share: float = 0.2) -> dict[str, float]:
    """The price model's report card.

    rmse, mae (dollars); mape and median_ape (shares of the true price); rmse_log (RMSE of
    log prices: errors as ratios, every price level counts alike); bias (mean of prediction
    minus truth: negative means the model under-prices); within_X_usd (share of listings
    predicted within X dollars); within_Ypct (share within Y% of the true price).
    """
    true, pred = _arrays(y_true, y_pred)
    if (true <= 0).any() or (pred <= 0).any():
        raise ValueError("prices must be positive for relative and log-scale metrics")
    relative = np.abs(pred - true) / true
    out = {"rmse": rmse(true, pred), "mae": mae(true, pred), "mape": float(relative.mean()),
           "median_ape": float(np.median(relative)),
           "rmse_log": float(np.sqrt(np.mean((np.log(pred) - np.log(true)) ** 2))),
           "bias": float(np.mean(pred - true))}
    for usd in within_usd:
        out[f"within_{usd:g}_usd"] = float(np.mean(np.abs(pred - true) <= usd))
    out[f"within_{within_share * 100:.0f}pct"] = float(np.mean(relative <= within_share))
    return out


def sum_ratio(y_true: Any, y_pred: Any) -> float:
    """Summed predictions over summed prices: what a bulk valuation with this model gets right (1 = exact)."""
    true, pred = _arrays(y_true, y_pred)
    return float(pred.sum() / true.sum())


def residual_frame(listings: pd.DataFrame, predictions: Any, target: str = "price_usd") -> pd.DataFrame:
    """The listings with prediction, error (prediction minus price), abs_error and log_ratio."""
    true, pred = _arrays(listings[target], predictions)
    return listings.assign(predicted=pred, error=pred - true, abs_error=np.abs(pred - true),
                           log_ratio=np.log(pred / true)).reset_index(drop=True)


def mean_interval(values: Any, z: float = 1.96) -> tuple[float, float, float]:
    """The mean of ``values`` and its 95% interval (normal approximation: mean +- z x standard error).

    The interval is NaN with fewer than two values. Use it for a segment's bias: a mean error
    over a few dozen listings can sit far from zero by chance.
    """
    array = np.asarray(values, dtype=float).ravel()
    if array.size == 0:
        raise ValueError("no values to average")
    mean = float(array.mean())
    if array.size < 2:
        return mean, float("nan"), float("nan")
    half = z * float(array.std(ddof=1)) / np.sqrt(array.size)
    return mean, mean - half, mean + half


def errors_by_segment(residuals: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Per segment: listings, RMSE, MAE, bias with its 95% interval (bias_low, bias_high; ``mean_interval``)
    and its standard deviation over listings (bias_sd, for ``compare_groups``), mean price and the
    segment's share of all squared error, worst RMSE first."""
    keys = [by] if isinstance(by, str) else list(by)
    total = float((residuals["error"] ** 2).sum()) or 1.0
    table = (residuals.assign(squared=residuals["error"] ** 2)
             .groupby(keys, dropna=False, observed=True)
             .agg(listings=("error", "size"), rmse=("squared", lambda s: float(np.sqrt(s.mean()))),
                  mae=("abs_error", "mean"), bias=("error", "mean"),
                  bias_low=("error", lambda s: mean_interval(s)[1]),
                  bias_high=("error", lambda s: mean_interval(s)[2]),
                  bias_sd=("error", lambda s: float(s.std(ddof=1)) if len(s) > 1 else float("nan")),
                  squared=("squared", "sum"),
                  mean_price=("price_usd", "mean")))
    table["share_of_squared_error"] = table.pop("squared") / total
    return table.sort_values("rmse", ascending=False, kind="stable").reset_index()


def worst_errors(residuals: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` listings with the largest absolute error."""
    return residuals.sort_values("abs_error", ascending=False, kind="stable").head(n).reset_index(drop=True)


MIN_SLICE_COUNT = 30  # below this many cases, a slice's rate is reported but no claim is made about it


def proportion_interval(successes: Any, trials: Any, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (95% by default) for successes out of trials; NaN where trials is 0.

    Works on scalars or arrays. A rate measured on a few cases has a wide interval: 3 of 4
    is 75%, but anything from about 30% to 95% fits it.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denominator = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
        low, high = np.where(n > 0, centre - half, np.nan), np.where(n > 0, centre + half, np.nan)
    return np.clip(low, 0, 1), np.clip(high, 0, 1)


def segment_lift(residuals: pd.DataFrame, column: str, n_worst: int = 200) -> pd.DataFrame:
    """How over-represented each value of ``column`` is among the ``n_worst`` absolute errors.

    share_worst: share of the worst errors with that value; share_all: share of all rows;
    lift = share_worst / share_all (above 1: over-represented). Highest lift first. Also the
    counts behind the shares (worst: rows among the worst errors; listings: rows in all)
    and a 95% interval for the lift (lift_low, lift_high; Wilson interval of share_worst
    divided by share_all): a lift of 5 from 2 rows out of 200 says little, and lift_low
    above 1 is the evidence that a value really is over-represented.
    """
    if column not in residuals.columns:
        raise ValueError(f"no column {column!r}")
    worst = worst_errors(residuals, n_worst)
    values_all = residuals[column].astype("object").fillna("(missing)")
    values_worst = worst[column].astype("object").fillna("(missing)")
    share_all = values_all.value_counts(normalize=True)
    share_worst = values_worst.value_counts(normalize=True).reindex(share_all.index, fill_value=0.0)
    table = pd.DataFrame({"share_worst": share_worst, "share_all": share_all})
    table["lift"] = table["share_worst"] / table["share_all"]
    table["worst"] = values_worst.value_counts().reindex(share_all.index, fill_value=0).astype(int)
    table["listings"] = values_all.value_counts().reindex(share_all.index).astype(int)
    low, high = proportion_interval(table["worst"].to_numpy(), len(worst))
    table["lift_low"] = low / table["share_all"].to_numpy()
    table["lift_high"] = high / table["share_all"].to_numpy()
    table.index.name = column
    return table.sort_values(["lift", "share_all"], ascending=[False, False], kind="stable")


def credible_lift(lift_table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a ``segment_lift`` table whose over-representation is more than noise (lift_low > 1)."""
    return lift_table[lift_table["lift_low"] > 1]


NEAR_FLOOR_RATIO = 1.1  # a model within this many times the noise floor is called near the best possible


def noise_floor_comparison(listings: pd.DataFrame, predictions: Any, baseline_predictions: Any) -> dict[str, float]:
    """Where the model sits between a simple baseline and the best possible model.

    floor_rmse is the RMSE of the noise-free expected price (``dataset.best_possible_rmse``):
    no model can beat it on these listings. gap_closed is the share of the distance from
    the baseline to the floor that the model covers (1 would be perfect).
    """
    from mlcourse.dataset import best_possible_rmse

    model_rmse = rmse(listings["price_usd"], predictions)
    baseline_rmse = rmse(listings["price_usd"], baseline_predictions)
    floor = best_possible_rmse(listings)
    span = baseline_rmse - floor
    return {"model_rmse": model_rmse, "baseline_rmse": baseline_rmse, "floor_rmse": floor,
            "excess_over_floor": model_rmse - floor, "model_to_floor_ratio": model_rmse / floor,
            "gap_closed": (baseline_rmse - model_rmse) / span if span > 0 else float("nan")}


# ======================================================================================
# Classification
# ======================================================================================
def _labels_scores(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(y_true).ravel().astype(int)
    values = np.asarray(scores, dtype=float).ravel()
    if labels.shape != values.shape:
        raise ValueError(f"y_true has {labels.size} values and scores {values.size}: they must match")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("y_true must be 0/1 labels")
    return labels, values


def confusion_counts(y_true: Any, scores: Any, threshold: float) -> dict[str, int]:
    """tp, fp, fn, tn when a listing is flagged if its score is at least ``threshold``."""
    labels, values = _labels_scores(y_true, scores)
    flagged = values >= threshold
    return {"tp": int((flagged & (labels == 1)).sum()), "fp": int((flagged & (labels == 0)).sum()),
            "fn": int((~flagged & (labels == 1)).sum()), "tn": int((~flagged & (labels == 0)).sum())}


def classification_metrics(y_true: Any, scores: Any, threshold: float = 0.5) -> dict[str, float]:
    """Threshold metrics (accuracy, precision, recall, f1, flagged share) and threshold-free ones
    (roc_auc, average_precision, brier), plus the prevalence of the positive class."""
    labels, values = _labels_scores(y_true, scores)
    c = confusion_counts(labels, values, threshold)
    flagged = c["tp"] + c["fp"]
    positives = c["tp"] + c["fn"]
    precision = c["tp"] / flagged if flagged else float("nan")
    recall = c["tp"] / positives if positives else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if flagged and positives and (precision + recall) else 0.0
    both = len(np.unique(labels)) == 2
    return {"accuracy": (c["tp"] + c["tn"]) / len(labels), "precision": precision, "recall": recall, "f1": f1,
            "flagged_share": flagged / len(labels), "prevalence": positives / len(labels),
            "roc_auc": float(skm.roc_auc_score(labels, values)) if both else float("nan"),
            "average_precision": float(skm.average_precision_score(labels, values)) if both else float("nan"),
            "brier": float(np.mean((values - labels) ** 2))}


def cost_curve(y_true: Any, scores: Any, cost_missed: float, cost_review: float,
               thresholds: Sequence[float] | None = None, *, charge_every_review: bool = False) -> pd.DataFrame:
    """Total cost at each threshold. A listing is flagged when its score is at least the threshold.

    charge_every_review=True: every flagged listing costs a review (cost_review x (tp + fp)), and
    every missed positive costs cost_missed (fn): what a review team pays, since reviewing a
    valuable card takes as long as reviewing an ordinary one. The default, False, charges only
    the unnecessary reviews (cost_review x fp), the simpler model of exercise 4.3; it is the same
    decision as the full model with cost_missed lowered by one review (a caught card still costs
    its review), so its break-even threshold is cost_review / (cost_review + cost_missed) where
    the full model's is cost_review / cost_missed.

    Without ``thresholds``, every distinct score is tried, plus one above the highest score
    (flag nothing): the exact minimum is among them.
    """
    labels, values = _labels_scores(y_true, scores)
    if thresholds is None:
        thresholds = np.append(np.unique(values), np.inf)
    thresholds = np.asarray(thresholds, dtype=float)
    order = np.sort(values)
    positive_scores = np.sort(values[labels == 1])
    # rows with score >= t: n - (number of scores < t)
    flagged = len(values) - np.searchsorted(order, thresholds, side="left")
    tp = len(positive_scores) - np.searchsorted(positive_scores, thresholds, side="left")
    fp = flagged - tp
    fn = len(positive_scores) - tp
    tn = len(values) - flagged - fn
    reviews_charged = flagged if charge_every_review else fp
    cost = cost_missed * fn + cost_review * reviews_charged
    return pd.DataFrame({"threshold": thresholds, "tp": tp, "fp": fp, "fn": fn, "tn": tn, "cost": cost})


def best_threshold(y_true: Any, scores: Any, cost_missed: float, cost_review: float, *,
                   charge_every_review: bool = False) -> tuple[float, float]:
    """The threshold with the lowest total cost (the lowest such threshold on ties), and that cost.

    ``charge_every_review`` as in ``cost_curve``.
    """
    curve = cost_curve(y_true, scores, cost_missed, cost_review, charge_every_review=charge_every_review)
    best = curve.loc[curve["cost"].idxmin()]
    return float(best["threshold"]), float(best["cost"])


def break_even_threshold(cost_missed: float, cost_review: float, *, charge_every_review: bool = False) -> float:
    """The threshold a perfectly calibrated probability p would call for: flag when p is at least this.

    Flagging costs a review (cost_review) and, if every review is charged, nothing else; not
    flagging costs cost_missed x p. So flag when p >= cost_review / cost_missed (capped at 1:
    above it, a review never pays). Charging only unnecessary reviews, flagging costs
    cost_review x (1 - p), and the break-even is cost_review / (cost_review + cost_missed).
    """
    if cost_missed <= 0 or cost_review < 0:
        raise ValueError("cost_missed must be positive and cost_review not negative")
    if charge_every_review:
        return min(1.0, cost_review / cost_missed)
    return cost_review / (cost_review + cost_missed)


def curve_points(y_true: Any, scores: Any, max_points: int = 400) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ROC and precision-recall curves as small tables (thinned to at most ``max_points`` rows)."""
    labels, values = _labels_scores(y_true, scores)
    fpr, tpr, roc_thr = skm.roc_curve(labels, values)
    precision, recall, pr_thr = skm.precision_recall_curve(labels, values)
    roc = pd.DataFrame({"false positive rate": fpr, "true positive rate": tpr,
                        "threshold": np.minimum(roc_thr, 1.0)})
    pr = pd.DataFrame({"recall": recall[:-1], "precision": precision[:-1], "threshold": pr_thr})
    return _thin(roc, max_points), _thin(pr, max_points)


def _thin(table: pd.DataFrame, max_points: int) -> pd.DataFrame:
    if len(table) <= max_points:
        return table.reset_index(drop=True)
    keep = np.unique(np.linspace(0, len(table) - 1, max_points).round().astype(int))
    return table.iloc[keep].reset_index(drop=True)


def calibration_table(y_true: Any, scores: Any, n_bins: int = 10) -> pd.DataFrame:
    """Reliability table: per score bin, the mean predicted probability and the observed rate."""
    labels, values = _labels_scores(y_true, scores)
    edges = np.linspace(0, 1, n_bins + 1)
    bins = np.clip(np.digitize(values, edges[1:-1]), 0, n_bins - 1)
    table = (pd.DataFrame({"bin": bins, "score": values, "label": labels})
             .groupby("bin").agg(predicted=("score", "mean"), observed=("label", "mean"), listings=("label", "size"))
             .reset_index())
    table["bin"] = [f"{edges[b]:.1f}-{edges[b + 1]:.1f}" for b in table["bin"]]
    return table


def slice_table(listings: pd.DataFrame, y_true: Any, scores: Any, threshold: float, by: str) -> pd.DataFrame:
    """Classifier behaviour per group, with the counts behind every rate.

    Columns: listings, positives (high-value listings: recall's denominator), caught (positives
    flagged: recall's numerator), false_alarms (other listings flagged), prevalence,
    flag rate, precision, recall with its 95% interval (recall_low, recall_high; Wilson),
    false positive rate, and enough_data (at least MIN_SLICE_COUNT positives: below that,
    a recall is too noisy to compare). Largest groups first.
    """
    labels, values = _labels_scores(y_true, scores)
    frame = pd.DataFrame({by: listings[by].astype("object").fillna("(missing)").to_numpy(),
                          "label": labels, "flagged": (values >= threshold).astype(int)})
    rows = []
    for group, part in frame.groupby(by, sort=True):
        tp = int(((part["flagged"] == 1) & (part["label"] == 1)).sum())
        fp = int(((part["flagged"] == 1) & (part["label"] == 0)).sum())
        positives, negatives = int(part["label"].sum()), int((part["label"] == 0).sum())
        low, high = proportion_interval(tp, positives)
        rows.append({by: group, "listings": len(part), "positives": positives, "caught": tp, "false_alarms": fp,
                     "prevalence": positives / len(part), "flag_rate": part["flagged"].mean(),
                     "precision": tp / (tp + fp) if tp + fp else float("nan"),
                     "recall": tp / positives if positives else float("nan"),
                     "recall_low": float(low), "recall_high": float(high),
                     "false_positive_rate": fp / negatives if negatives else float("nan"),
                     "enough_data": positives >= MIN_SLICE_COUNT})
    return pd.DataFrame(rows).sort_values("listings", ascending=False, kind="stable").reset_index(drop=True)


def disparity(table: pd.DataFrame, column: str, min_listings: int = 100, count: str = "listings") -> float:
    """Lowest value of ``column`` divided by the highest, over groups with at least ``min_listings``
    in the ``count`` column (for recall, count positives: they are its denominator). 1 = parity."""
    values = table.loc[table[count] >= min_listings, column].dropna()
    if values.empty or values.max() == 0:
        return float("nan")
    return float(values.min() / values.max())


def _pair_statistics(kind: str, a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, float, float, float]:
    """(difference b - a, centre, standard error, degrees of freedom) for two groups' summaries.

    proportion: Agresti-Caffo (one success and one failure added to each group, so a group at 0%
    or 100% still has a spread). mean: Welch (unequal variances), Welch-Satterthwaite degrees of freedom.
    """
    if kind == "proportion":
        pa, pb = (a["successes"] + 1) / (a["n"] + 2), (b["successes"] + 1) / (b["n"] + 2)
        se = float(np.sqrt(pa * (1 - pa) / (a["n"] + 2) + pb * (1 - pb) / (b["n"] + 2)))
        return b["value"] - a["value"], pb - pa, se, float("inf")
    va, vb = a["sd"] ** 2 / a["n"], b["sd"] ** 2 / b["n"]
    se = float(np.sqrt(va + vb))
    df = (va + vb) ** 2 / (va**2 / (a["n"] - 1) + vb**2 / (b["n"] - 1)) if se > 0 else float("inf")
    return b["value"] - a["value"], b["value"] - a["value"], se, float(df)


def _quantile(confidence: float, df: float) -> float:
    from scipy import stats

    upper = 1 - (1 - confidence) / 2
    return float(stats.norm.ppf(upper) if not np.isfinite(df) else stats.t.ppf(upper, df))


def _p_value(centre: float, se: float, df: float) -> float:
    from scipy import stats

    if se == 0:
        return 0.0 if centre != 0 else 1.0
    z = abs(centre) / se
    return float(2 * (stats.norm.sf(z) if not np.isfinite(df) else stats.t.sf(z, df)))


def holm_adjust(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment: p-values that control the chance of *any* false claim among them."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = p.size
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def compare_groups(table: pd.DataFrame, by: str, metric: str = "recall",
                   min_count: int = MIN_SLICE_COUNT, count: str = "positives", *, alpha: float = 0.05,
                   kind: str = "auto") -> dict[str, Any]:
    """Is the gap between the lowest and the highest ``metric`` among the groups more than noise?

    Compares groups with at least ``min_count`` cases (``count`` column). The test is on the
    **difference**, not on whether the two groups' own intervals overlap: two 95% intervals
    can overlap while the difference is clearly non-zero. And picking the two extremes of k
    groups is, in effect, making all k(k-1)/2 pairwise comparisons, so the verdict is corrected
    for that many (Bonferroni: each at level alpha / comparisons); ``pairs`` has every pair with
    its Holm-adjusted p-value, a step-down correction that is never less powerful.

    kind: "proportion" (the metric is a share of ``count``, such as recall of positives:
    Agresti-Caffo interval on the difference), "mean" (the metric is a mean over ``count`` rows
    with its standard deviation in ``<metric>_sd``, such as a bias: Welch), or "auto" ("mean"
    when that column exists). Returns lowest, highest (group names), their values, counts and own
    95% intervals (when ``<metric>_low``/``_high`` exist), difference (highest - lowest), its
    95% interval (``difference_interval``) and its corrected interval (``corrected_interval``, at
    ``confidence``), ``p_value`` and ``adjusted_p`` (Bonferroni), ``significant`` (the corrected
    interval excludes zero), ``intervals_overlap``, ``comparisons``, ``compared`` (groups),
    ``excluded`` (groups too small to compare) and ``pairs``.
    """
    if kind == "auto":
        kind = "mean" if f"{metric}_sd" in table.columns else "proportion"
    if kind not in ("proportion", "mean"):
        raise ValueError(f"kind must be 'proportion', 'mean' or 'auto', got {kind!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    eligible = table[(table[count] >= max(min_count, 2)) & table[metric].notna()].set_index(by)
    excluded = [str(g) for g in table.loc[table[count] < max(min_count, 2), by]]
    if len(eligible) < 2:
        return {"lowest": None, "highest": None, "significant": False, "excluded": excluded,
                "compared": len(eligible), "comparisons": 0, "kind": kind, "alpha": alpha}

    def summary(group: Any) -> dict[str, float]:
        row = eligible.loc[group]
        n, value = float(row[count]), float(row[metric])
        out = {"n": n, "value": value}
        if kind == "proportion":
            out["successes"] = float(round(value * n))
        else:
            out["sd"] = float(row[f"{metric}_sd"]) if np.isfinite(row[f"{metric}_sd"]) else 0.0
        return out

    groups = list(eligible.index)
    stats_of = {g: summary(g) for g in groups}
    comparisons = len(groups) * (len(groups) - 1) // 2
    confidence = 1 - alpha / comparisons
    pair_rows = []
    for i, a in enumerate(groups):
        for b in groups[i + 1:]:
            low_group, high_group = (a, b) if stats_of[a]["value"] <= stats_of[b]["value"] else (b, a)
            diff, centre, se, df = _pair_statistics(kind, stats_of[low_group], stats_of[high_group])
            pair_rows.append({"lower": low_group, "higher": high_group, "difference": diff,
                              "p_value": _p_value(centre, se, df)})
    pairs = pd.DataFrame(pair_rows)
    pairs["holm_p"] = holm_adjust(pairs["p_value"])
    pairs["significant"] = pairs["holm_p"] < alpha
    pairs = pairs.sort_values("p_value", kind="stable").reset_index(drop=True)

    lowest, highest = eligible[metric].idxmin(), eligible[metric].idxmax()
    diff, centre, se, df = _pair_statistics(kind, stats_of[lowest], stats_of[highest])
    half_95, half_corrected = _quantile(0.95, df) * se, _quantile(confidence, df) * se
    corrected = (centre - half_corrected, centre + half_corrected)
    p_value = _p_value(centre, se, df)

    def own_interval(group: Any) -> tuple[float, float] | None:
        if f"{metric}_low" not in eligible.columns:
            return None
        return float(eligible.loc[group, f"{metric}_low"]), float(eligible.loc[group, f"{metric}_high"])

    low_interval, high_interval = own_interval(lowest), own_interval(highest)
    overlap = (low_interval is None or high_interval is None) or bool(low_interval[1] >= high_interval[0])
    return {"lowest": lowest, "highest": highest, "lowest_value": stats_of[lowest]["value"],
            "highest_value": stats_of[highest]["value"], "lowest_count": int(stats_of[lowest]["n"]),
            "highest_count": int(stats_of[highest]["n"]), "lowest_interval": low_interval,
            "highest_interval": high_interval, "intervals_overlap": overlap, "difference": float(diff),
            "difference_interval": (centre - half_95, centre + half_95), "corrected_interval": corrected,
            "confidence": confidence, "p_value": p_value, "adjusted_p": min(1.0, p_value * comparisons),
            "significant": bool(corrected[0] > 0), "comparisons": comparisons, "compared": len(groups),
            "excluded": excluded, "kind": kind, "alpha": alpha, "pairs": pairs}


def signed_dollars(value: float, decimals: int = 2) -> str:
    """A signed amount of money as people write it: +$0.68, -$1.06 (not $+0.68)."""
    if round(value, decimals) == 0:  # no sign on a (rounded) zero
        return f"${0:,.{decimals}f}"
    sign = "-" if value < 0 else "+"
    return f"{sign}${abs(value):,.{decimals}f}"


def _formatter(value_format: str | Any) -> Any:
    return value_format if callable(value_format) else value_format.format


def group_gap_sentence(comparison: Mapping[str, Any], what: str, by: str, value_format: str | Any = "{:.0%}",
                       unit: str = "cases", difference_format: str | Any | None = None,
                       where: str = "the test set", monitor: bool = True) -> str:
    """Sentences about a ``compare_groups`` result that claim a gap only when the corrected interval of
    the difference excludes zero.

    Each end of the range comes with its count (in ``unit``) and, when known, its own 95% interval.
    ``value_format`` formats the values: a format string (``"{:.0%}"``) or a function (for a bias,
    ``signed_dollars``). ``difference_format`` formats the gap (default: percentage points for a
    proportion, ``value_format`` without the sign otherwise). ``where`` names the data ("the test
    set"); ``monitor`` ends with the advice to monitor the groups. Plain text with ``$`` (escape it for Markdown).
    """
    if comparison.get("lowest") is None:
        return f"{what} could not be compared by {by}: too few {unit} per group; collect more before deciding."
    value = _formatter(value_format)
    low, high = comparison["corrected_interval"]
    if difference_format is not None:
        difference = _formatter(difference_format)
        gap_text, interval_text = difference(comparison["difference"]), f"{difference(low)} to {difference(high)}"
    elif comparison["kind"] == "proportion":
        gap_text = f"{comparison['difference'] * 100:.0f} percentage points"
        interval_text = f"{low * 100:+.0f} to {high * 100:+.0f} points"
    else:
        gap_text, interval_text = value(abs(comparison["difference"])).lstrip("+"), f"{value(low)} to {value(high)}"

    def _end(side: str) -> str:
        own = comparison[f"{side}_interval"]
        interval = f", 95% interval {value(own[0])} to {value(own[1])}" if own is not None else ""
        return f"{value(comparison[f'{side}_value'])} for `{comparison[side]}` ({comparison[f'{side}_count']:,} {unit}{interval})"

    m = comparison["comparisons"]
    correction = (f"corrected for the {m} pairwise comparisons among {comparison['compared']} groups"
                  if m > 1 else "two groups, one comparison")
    level = f"{comparison['confidence']:.1%}".replace(".0%", "%")
    gap = f"The gap, {gap_text}, has a {level} interval of {interval_text} ({correction})"
    span = f"{what} by {by} runs from {_end('lowest')} to {_end('highest')}."
    if comparison["significant"]:
        note = (" The two groups' own intervals overlap, yet the difference is clear: overlapping intervals "
                "are not a test." if comparison["intervals_overlap"] and comparison["lowest_interval"] is not None
                else "")
        return f"{span} {gap}: it excludes zero, **a gap beyond noise**.{note}" + (" Monitor it per group." if monitor else "")
    note = (" The two groups' own intervals are apart, but among this many groups a gap that large between "
            "the extremes is expected by chance." if not comparison["intervals_overlap"] else "")
    return (f"{span} {gap}: it includes zero, so {where} shows no clear gap, and cannot rule one out.{note}"
            + (" Monitor it per group as data accumulates." if monitor else ""))


# ======================================================================================
# Model cards
# ======================================================================================
MODEL_CARD_SECTIONS = ["Model details", "Intended use", "Training data", "Evaluation",
                       "Performance by segment", "Limitations", "Ethical considerations"]


def card_headings(markdown: str) -> list[str]:
    """The Markdown headings of a document, without the #'s."""
    return [m.group(1).strip() for m in re.finditer(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", markdown, flags=re.M)]


def missing_card_sections(markdown: str) -> list[str]:
    """Required sections (MODEL_CARD_SECTIONS) that no heading of the card names."""
    headings = [h.lower() for h in card_headings(markdown)]
    return [s for s in MODEL_CARD_SECTIONS if not any(s.lower() in h for h in headings)]


def _markdown_table(table: pd.DataFrame, formats: Mapping[str, str]) -> str:
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    lines = [header, rule]
    for _, row in table.iterrows():
        cells = [format(row[c], formats[c]) if c in formats else str(row[c]) for c in table.columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def model_card_markdown(*, name: str, description: str, intended_use: str, out_of_scope: str,
                        training: Mapping[str, Any], test_metrics: Mapping[str, float], n_test: int,
                        floor_rmse: float, baseline_rmse: float, segments: pd.DataFrame, segment_column: str,
                        limitations: Sequence[str], ethical: Sequence[str], version: Mapping[str, Any]) -> str:
    """A model card (Mitchell et al., 2019) in Markdown, with every required section.

    test_metrics: regression_metrics() on the test set. segments: errors_by_segment() output.
    training: facts about the training data (rows, date range, data hash...). version: code
    and data versions to reproduce the model.
    """
    today = dt.date.today().isoformat()
    seg = segments[[segment_column, "listings", "rmse", "mae", "bias"]]
    lines = [
        f"# Model card: {name}", "",
        f"*Generated on {today} from the evaluation in Module 4.*", "",
        "## Model details", "", description, "",
        *[f"- {k}: {v}" for k, v in version.items()], "",
        "## Intended use", "", intended_use, "", f"Out of scope: {out_of_scope}", "",
        "## Training data", "", *[f"- {k}: {v}" for k, v in training.items()], "",
        "## Evaluation", "",
        f"Held-out test set of {n_test:,} listings, never used for training or tuning.", "",
        f"- Test RMSE: ${test_metrics['rmse']:.2f}",
        f"- Test MAE: ${test_metrics['mae']:.2f}",
        f"- Median absolute percentage error: {test_metrics['median_ape']:.1%}",
        f"- Within $5 of the price: {test_metrics['within_5_usd']:.1%}",
        f"- Test listings: {n_test:,}",
        f"- Noise floor (best possible RMSE on these listings): ${floor_rmse:.2f}",
        f"- Baseline (era x rarity median) RMSE: ${baseline_rmse:.2f}", "",
        "## Performance by segment", "",
        f"Errors by {segment_column.replace('_', ' ')} (dollars; bias is prediction minus price):", "",
        _markdown_table(seg, {"listings": ",", "rmse": ".2f", "mae": ".2f", "bias": "+.2f"}), "",
        "## Limitations", "", *[f"- {item}" for item in limitations], "",
        "## Ethical considerations", "", *[f"- {item}" for item in ethical], "",
    ]
    return "\n".join(lines)


def write_model_card(markdown: str, filename: str = "model_card.md") -> Path:
    """Write a model card into the course's output folder (``mlcourse.paths.output_dir()``)."""
    if Path(filename).name != filename or not filename.endswith(".md"):
        raise ValueError(f"filename must be a plain file name ending in .md, got {filename!r}")
    path = output_dir() / filename
    path.write_text(markdown, encoding="utf-8")
    return path
