"""Module 4 exercises: evaluation.

4.1 Choose a metric for five business scenarios.
4.2 Error analysis: profile the worst errors by segment and name the over-represented segments.
4.3 Threshold tuning with business costs, checked against the cost-minimising threshold.
4.4 Write a model card: required sections, and numbers that match the model (recomputed here).
4.5 Present the results to a stakeholder: what can be checked is checked; rubric and model answer.
"""

from __future__ import annotations

import functools
import inspect
import re

import numpy as np
import pandas as pd

from mlcourse import evaluation, modeling
from mlcourse.checker import Exercise, Incorrect, NotAttempted, call_learner, is_stub


# ======================================================================================
# Shared: the reference models' evaluation (Module 4's models, fitted once per process)
# ======================================================================================
@functools.lru_cache(maxsize=1)
def reference_numbers() -> dict[str, float]:
    """The numbers a model card or a stakeholder message about the price model must get right."""
    from mlcourse.dataset import best_possible_rmse

    fitted = modeling.reference_price_model()
    test, train = fitted.test, fitted.train
    test_metrics = evaluation.regression_metrics(test["price_usd"], fitted.test_predictions)
    rule = modeling.reference_baseline_predictions()
    return {"test_rmse": test_metrics["rmse"], "test_mae": test_metrics["mae"],
            "within_5_usd": test_metrics["within_5_usd"], "bias": test_metrics["bias"],
            "train_rmse": evaluation.rmse(train["price_usd"], fitted.train_predictions),
            "train_mae": evaluation.mae(train["price_usd"], fitted.train_predictions),
            "n_test": float(len(test)), "n_train": float(len(train)),
            "floor_rmse": best_possible_rmse(test),
            "rule_rmse": evaluation.rmse(test["price_usd"], rule), "rule_mae": evaluation.mae(test["price_usd"], rule)}


@functools.lru_cache(maxsize=1)
def _residuals() -> pd.DataFrame:
    fitted = modeling.reference_price_model()
    return evaluation.residual_frame(fitted.test, fitted.test_predictions)


def test_residuals() -> pd.DataFrame:
    """The price model's test listings with prediction, error, abs_error and log_ratio (a fresh copy)."""
    return _residuals().copy()


def review_labels_and_scores() -> tuple[np.ndarray, np.ndarray]:
    """The review classifier's **validation** labels (1 = sold above $20) and scores (probabilities); copies.

    Validation, not test: a threshold is a decision, and decisions are made on validation data
    (Module 4, section 4). The test set only reports the chosen threshold's cost, once.
    """
    fitted = modeling.reference_review_classifier()
    return modeling.is_high_value(fitted.validation), fitted.validation_predictions.copy()


# ======================================================================================
# 4.1 Choose a metric for five business scenarios
# ======================================================================================
METRIC_OPTIONS = {
    "rmse": "root mean squared error (dollars)",
    "mae": "mean absolute error (dollars)",
    "mape": "mean absolute percentage error",
    "rmse_log": "RMSE of log prices (errors as ratios)",
    "within_usd": "share of predictions within $X",
    "accuracy": "share of correct decisions",
    "precision": "share of flagged listings that are positive",
    "recall": "share of positive listings that are flagged",
    "f1": "harmonic mean of precision and recall",
    "roc_auc": "area under the ROC curve",
    "calibration": "do predicted probabilities match observed frequencies (Brier score, reliability curve)",
}

METRIC_SCENARIOS = {
    "review_capacity": "The expert team can review 50 listings a day, and each review of an ordinary card wastes "
                       "an expert's hour. Which metric tells you whether the listings the model flags are worth "
                       "reviewing?",
    "catch_fakes": "A fake card sold under the marketplace's name costs a refund and the buyer's trust; screening "
                   "a listing costs almost nothing. Which metric tells you how many of the risky listings the "
                   "screen catches?",
    "inventory_value": "Finance sets each card's insured value from its predicted price, card by card. A loss "
                       "grows faster than the miss: one card off by $20 hurts far more than twenty cards off by "
                       "$1 each, so the metric must weigh a miss by its square, in dollars.",
    "seller_hint": "Sellers list cards worth $1 to $70 and judge a price hint in proportion: $2 off on a $4 card "
                   "is as bad as $20 off on a $40 card.",
    "shown_probability": "The app will show buyers \"80% likely to be worth more than $20\". Which property must "
                         "you measure before it ships?",
}

ACCEPTED_METRICS = {
    "review_capacity": {"precision"},
    "catch_fakes": {"recall"},
    "inventory_value": {"rmse"},
    "seller_hint": {"mape", "rmse_log"},
    "shown_probability": {"calibration"},
}

_METRIC_FEEDBACK = {
    ("review_capacity", "recall"): "recall counts the valuable listings you caught, but with a fixed capacity the "
                                   "question is how many of the flagged listings deserve a review.",
    ("review_capacity", "accuracy"): "accuracy is dominated by the many ordinary listings nobody reviews.",
    ("review_capacity", "f1"): "F1 mixes in recall; with a fixed daily capacity, what matters is the hit rate of "
                               "the flagged listings.",
    ("catch_fakes", "precision"): "precision tells you how clean the flagged set is; false alarms are cheap here, "
                                  "misses are not.",
    ("catch_fakes", "accuracy"): "fakes are rare: a screen that flags nothing is very accurate and catches none.",
    ("catch_fakes", "f1"): "F1 weighs false alarms and misses alike; here a miss costs far more.",
    ("inventory_value", "mae"): "MAE counts every dollar alike: one $20 miss weighs the same as twenty $1 misses. "
                                "The scenario says the single large miss hurts far more.",
    ("inventory_value", "within_usd"): "a share within $X ignores how far off the misses are, and the large ones "
                                       "are exactly what finance fears.",
    ("inventory_value", "mape"): "percentages are dominated by cheap cards, where a small dollar miss is a large "
                                 "share; finance cares about dollars, and the large ones most.",
    ("inventory_value", "rmse_log"): "on the log scale a 10% miss on a $2 card counts as much as on a $70 card; "
                                     "finance cares about dollars.",
    ("seller_hint", "rmse"): "RMSE is in dollars and dominated by expensive cards; the sellers judge errors in "
                             "proportion to the price.",
    ("seller_hint", "mae"): "MAE is in dollars: $2 off on a $4 card counts less than $20 off on a $40 card.",
    ("shown_probability", "roc_auc"): "ROC AUC only judges the ranking; a model can rank perfectly and still say "
                                      "80% when the truth is 40%.",
    ("shown_probability", "accuracy"): "accuracy judges decisions at a threshold, not whether \"80%\" means 80%.",
}


_WHY_RIGHT = {
    "review_capacity": "precision: with a fixed capacity, the hit rate of the flagged listings is what counts",
    "catch_fakes": "recall: misses are costly and screening is cheap, so count what slips through",
    "inventory_value": "rmse: it squares each miss, so one $20 miss weighs 400 times a $1 miss, as the loss "
                       "grows faster than the miss (MAE would weigh it 20 times, the same as twenty $1 misses)",
    "seller_hint": "a relative metric (mape or rmse_log): sellers judge a miss in proportion to the price",
    "shown_probability": "calibration: a probability shown to users must mean what it says",
}


def check_metric_choices(choices: object) -> str:
    if is_stub(choices) or (isinstance(choices, dict) and all(is_stub(v) for v in choices.values())):
        raise NotAttempted()
    if not isinstance(choices, dict):
        raise Incorrect(f"`metric_choices` should be a dict from scenario to metric, got {type(choices).__name__}.")
    missing = [s for s in METRIC_SCENARIOS if is_stub(choices.get(s))]
    if missing:
        raise Incorrect(f"Choose a metric for every scenario: {', '.join(missing)} still missing.")
    for scenario in METRIC_SCENARIOS:
        choice = choices[scenario]
        if not isinstance(choice, str):
            raise Incorrect(f"For {scenario!r} you gave {choice!r} ({type(choice).__name__}); give one metric, as a "
                            f"string: one of the keys {sorted(METRIC_OPTIONS)}.")
        if choice not in METRIC_OPTIONS:
            raise Incorrect(f"For {scenario!r} you wrote {choice!r}; use one of the keys {sorted(METRIC_OPTIONS)}.")
    wrong = [s for s in METRIC_SCENARIOS if choices[s] not in ACCEPTED_METRICS[s]]
    if wrong:
        scenario = wrong[0]
        choice = choices[scenario]
        why = _METRIC_FEEDBACK.get((scenario, choice), "ask which mistake costs the business most in this scenario, "
                                                       "and which metric counts exactly that.")
        others = f" ({len(wrong) - 1} other scenario(s) to revisit too)" if len(wrong) > 1 else ""
        raise Incorrect(f"Scenario {scenario!r}: not `{choice}`: {why}{others}")
    return ("All five right. Each metric encodes an opinion about which mistakes matter; match it to the business. "
            + " ".join(f"{scenario}: {why}." for scenario, why in _WHY_RIGHT.items()))


SOLUTION_4_1 = {"review_capacity": "precision", "catch_fakes": "recall", "inventory_value": "rmse",
                "seller_hint": "mape", "shown_probability": "calibration"}

metric_choice = Exercise(
    id="4.1",
    title="Choose a metric for five business scenarios",
    check_fn=check_metric_choices,
    hints=[
        "For each scenario ask: which mistake hurts the business most, and which metric counts exactly that "
        "mistake?",
        "Capacity-limited reviews care about the hit rate of what is flagged; cheap screens for costly misses "
        "care about what slips through. Dollars or proportions? Large misses or typical ones? A shown "
        "probability must mean what it says.",
        "precision, recall, rmse, mape (or rmse_log), calibration: in some order.",
    ],
    solution="metric_choices = " + repr(SOLUTION_4_1).replace(", ", ",\n    "),
    solution_note="`seller_hint` also accepts `rmse_log`: both judge errors in proportion to the price.",
)


# ======================================================================================
# 4.2 Error analysis: which segments dominate the worst errors?
# ======================================================================================
PROFILE_COLUMNS = ["share_worst", "share_all", "lift"]
PROFILE_CASES = [("era", 200), ("rarity", 200), ("language", 100), ("condition", 300)]
FINDING_COLUMNS = ["era", "rarity", "language"]
FINDINGS_N_WORST = 200


def _share_worst_of(worst: pd.DataFrame, column: str, index: pd.Index) -> np.ndarray:
    """Each value's share of the ``worst`` rows, in the order of ``index`` (values of segment_lift)."""
    values = worst[column].astype("object").fillna("(missing)")
    return values.value_counts(normalize=True).reindex(index, fill_value=0.0).to_numpy(dtype=float)


def _explain_share_worst(call: str, got: np.ndarray, residuals: pd.DataFrame, column: str, n_worst: int,
                         index: pd.Index) -> None:
    """Raise Incorrect naming the likely mistake behind a wrong share_worst column."""
    expected = _share_worst_of(evaluation.worst_errors(residuals, n_worst), column, index)
    missing = np.isnan(got)
    if missing.any():
        absent = expected[missing] == 0
        detail = ("the values absent from the worst errors" if absent.all() else "some values")
        raise Incorrect(f"{call}: share_worst is NaN for {int(missing.sum())} value(s) ({detail}). Fill the segments "
                        "absent from the worst errors with 0: `.reindex(share_all.index, fill_value=0)`, or "
                        "`.fillna(0)` after joining the two shares.")
    rankings = [
        ("error", False, f"you took the {n_worst} largest errors with their sign, which keeps only over-predictions. "
                         "The worst errors are the largest in absolute value (`abs_error`)."),
        ("error", True, f"you took the {n_worst} most negative errors, which keeps only under-predictions. The worst "
                        "errors are the largest in absolute value (`abs_error`)."),
    ]
    for key, ascending, message in rankings:
        worst = residuals.sort_values(key, ascending=ascending, kind="stable").head(n_worst)
        if np.allclose(got, _share_worst_of(worst, column, index), atol=1e-9):
            raise Incorrect(f"{call}: {message}")
    if "log_ratio" in residuals:
        by_ratio = residuals.assign(_size=residuals["log_ratio"].abs()).sort_values("_size", ascending=False)
        if np.allclose(got, _share_worst_of(by_ratio.head(n_worst), column, index), atol=1e-9):
            raise Incorrect(f"{call}: you ranked the errors by their relative size (|log_ratio|). Here the worst "
                            "errors are the largest in dollars: sort by `abs_error`, largest first.")
    if np.allclose(got, expected * n_worst):
        raise Incorrect(f"{call}: share_worst holds counts; divide by n_worst to get shares.")
    for other_n in sorted({10, 20, 50, 100, 200, 300, 500, 1000} - {n_worst}):
        other = _share_worst_of(evaluation.worst_errors(residuals, other_n), column, index)
        if np.allclose(got, other, atol=1e-9):
            raise Incorrect(f"{call}: share_worst matches the {other_n} worst errors, not the {n_worst} asked for. "
                            "Use the `n_worst` argument, not a fixed number.")
    first = int(np.argmax(np.abs(got - expected)))
    raise Incorrect(f"{call}: share_worst should be each value's share of the {n_worst} listings with the largest "
                    f"absolute error (`abs_error`); for {str(index[first])!r} it is {expected[first]:.4f}, yours "
                    f"{got[first]:.4f}. Take those rows, then `value_counts(normalize=True)` on the column.")


def check_error_profile(profile_fn: object, findings: object) -> str:
    if is_stub(profile_fn) and (is_stub(findings)
                                or (isinstance(findings, dict) and all(is_stub(v) for v in findings.values()))):
        raise NotAttempted()
    if is_stub(profile_fn):
        raise NotAttempted("Write `worst_error_profile` first.")
    residuals = _residuals()
    for column, n_worst in PROFILE_CASES:
        call = f"worst_error_profile(residuals, {column!r}, n_worst={n_worst})"
        got = call_learner(profile_fn, residuals.copy(), column, n_worst=n_worst, what=call)
        if not isinstance(got, pd.DataFrame):
            raise Incorrect(f"{call} returned {type(got).__name__}, not a DataFrame. Did you forget `return`?")
        missing = [c for c in PROFILE_COLUMNS if c not in got.columns]
        if missing:
            raise Incorrect(f"{call}: the table needs the columns {PROFILE_COLUMNS}; {missing} missing.")
        expected = evaluation.segment_lift(residuals, column, n_worst)
        if set(map(str, got.index)) != set(map(str, expected.index)):
            raise Incorrect(f"{call}: the table should have one row per value of {column!r}, indexed by the value "
                            f"(expected {sorted(map(str, expected.index))}, got {sorted(map(str, got.index))[:10]}). "
                            "Keep values that never appear among the worst errors, with share_worst 0.")
        mine = got[PROFILE_COLUMNS].copy()
        mine.index = mine.index.map(str)
        try:
            mine = mine.astype(float).loc[[str(v) for v in expected.index]]
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{call}: the columns {PROFILE_COLUMNS} should hold numbers.") from exc
        ref = expected[PROFILE_COLUMNS].to_numpy(dtype=float)
        if not np.allclose(mine["share_all"], ref[:, 1], atol=1e-9):
            raise Incorrect(f"{call}: share_all should be each value's share of all {len(residuals):,} test listings "
                            "(shares, not counts: they sum to 1).")
        if not np.allclose(mine["share_worst"], ref[:, 0], atol=1e-9):
            _explain_share_worst(call, mine["share_worst"].to_numpy(), residuals, column, n_worst, expected.index)
        if np.allclose(mine["lift"], ref[:, 1] / np.where(ref[:, 0] == 0, np.nan, ref[:, 0]), equal_nan=True) and \
                not np.allclose(mine["lift"], ref[:, 2]):
            raise Incorrect(f"{call}: lift is upside down: share_worst / share_all (above 1 means over-represented).")
        if not np.allclose(mine["lift"], ref[:, 2], atol=1e-9):
            raise Incorrect(f"{call}: lift should be share_worst / share_all.")
        if not (np.diff(got["lift"].to_numpy(dtype=float)) <= 1e-12).all():
            raise Incorrect(f"{call}: sort the table by lift, highest first: the first row is the most "
                            "over-represented segment.")
    if is_stub(findings) or not isinstance(findings, dict) or not findings:
        raise Incorrect("Your profile is right. Now fill `findings`: the most over-represented value of "
                        f"{FINDING_COLUMNS} among the {FINDINGS_N_WORST} worst errors.")
    lines = []
    for column in FINDING_COLUMNS:
        value = findings.get(column)
        table = evaluation.segment_lift(residuals, column, FINDINGS_N_WORST)
        if is_stub(value):
            raise Incorrect(f"`findings[{column!r}]` is still missing.")
        if str(value) not in set(map(str, table.index)):
            raise Incorrect(f"`findings[{column!r}]` is {value!r}, which is not a value of {column!r} "
                            f"(values: {', '.join(map(str, table.index))}).")
        top_lift = table["lift"].iloc[0]
        lift = float(table.loc[[str(v) == str(value) for v in table.index], "lift"].iloc[0])
        if lift < top_lift - 1e-9:
            most_common = evaluation.worst_errors(residuals, FINDINGS_N_WORST)[column].value_counts().index[0]
            if str(value) == str(most_common):
                raise Incorrect(f"For {column}, {value!r} is the most common value among the worst errors, but it is "
                                f"common everywhere (lift {lift:.2f}). Which value is over-represented (highest lift)?")
            raise Incorrect(f"For {column}, {value!r} has a lift of {lift:.2f}; another value is more "
                            "over-represented among the worst errors.")
        row = table.loc[[str(v) == str(value) for v in table.index]].iloc[0]
        evidence = "clear of 1" if row["lift_low"] > 1 else "its interval includes 1: a hint, not yet evidence"
        lines.append(f"`{value}` ({column}, {lift:.1f}x from {int(row['worst'])} of the {FINDINGS_N_WORST} worst; "
                     f"{evidence})")
    return ("Your profile matches on every case, and the most over-represented segments among the worst errors "
            f"are {', '.join(lines)}: where the model most needs work.")


def solution_4_2(residuals: pd.DataFrame, column: str, n_worst: int = 200) -> pd.DataFrame:
    worst = residuals.sort_values("abs_error", ascending=False).head(n_worst)  # largest misses, either way
    share_all = residuals[column].value_counts(normalize=True)
    share_worst = worst[column].value_counts(normalize=True).reindex(share_all.index, fill_value=0.0)
    profile = pd.DataFrame({"share_worst": share_worst, "share_all": share_all})
    profile["lift"] = profile["share_worst"] / profile["share_all"]
    return profile.sort_values("lift", ascending=False)


def solution_4_2_findings() -> dict[str, str]:
    residuals = _residuals()
    return {column: str(solution_4_2(residuals, column, FINDINGS_N_WORST).index[0]) for column in FINDING_COLUMNS}


error_profile = Exercise(
    id="4.2",
    title="Error analysis: the segments behind the worst errors",
    check_fn=check_error_profile,
    hints=[
        "Take the n_worst listings with the largest *absolute* error. For each value of the column, compare its "
        "share among them with its share among all listings.",
        "`value_counts(normalize=True)` gives shares. Reindex the worst-error shares on all values "
        "(`fill_value=0`), so values absent from the worst errors still appear. lift = share_worst / share_all.",
        "Sort by lift, highest first; the first row of each table is the finding. The most *common* value among "
        "the worst errors is usually just the most common value overall.",
    ],
    solution="\n\n\n".join(inspect.getsource(f) for f in (solution_4_2,)) +
             "\n\n\nfindings = {column: str(worst_error_profile(residuals, column).index[0])\n"
             "            for column in ['era', 'rarity', 'language']}",
)


# ======================================================================================
# 4.3 Threshold tuning with business costs
# ======================================================================================
COST_CASES = [(40.0, 5.0), (100.0, 2.0), (10.0, 10.0), (5.0, 40.0)]
COST_TOLERANCE = 0.05  # within 5% of the minimum cost is accepted: a search on a 0.01 grid passes
# The check passes the scores rounded to this many decimals: at most 1,001 distinct thresholds, so a
# learner's plain loop over np.unique(scores) runs four cost cases in a fraction of a second (with the
# raw scores, ~8,000 distinct values, it took ~0.6 s a case). The check stays exact on the data it passes.
CHECK_SCORE_DECIMALS = 3


def threshold_check_data() -> tuple[np.ndarray, np.ndarray]:
    """The labels and scores 4.3's check calls best_threshold with: the validation scores, rounded."""
    labels, scores = review_labels_and_scores()
    return labels, np.round(scores, CHECK_SCORE_DECIMALS)


def _cost_at(labels: np.ndarray, scores: np.ndarray, threshold: float, cost_missed: float, cost_review: float) -> float:
    return float(evaluation.cost_curve(labels, scores, cost_missed, cost_review, thresholds=[threshold])["cost"].iloc[0])


def check_threshold(fn: object) -> str:
    if is_stub(fn):
        raise NotAttempted()
    labels, scores = threshold_check_data()
    lines = []
    for cost_missed, cost_review in COST_CASES:
        call = f"best_threshold(labels, scores, cost_missed={cost_missed:g}, cost_review={cost_review:g})"
        got = call_learner(fn, labels.copy(), scores.copy(), cost_missed, cost_review, what=call)
        if got is None:
            raise Incorrect(f"{call} returned None. Did you forget `return`?")
        if isinstance(got, tuple | list | np.ndarray | pd.Series):
            raise Incorrect(f"{call} returned a {type(got).__name__}; return the threshold alone (one number).")
        try:
            threshold = float(got)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{call} returned {got!r}; expected a number between 0 and 1.") from exc
        if not np.isfinite(threshold):
            raise Incorrect(f"{call} returned {threshold}; expected a number between 0 and 1.")
        best_t, best_cost = evaluation.best_threshold(labels, scores, cost_missed, cost_review)
        cost = _cost_at(labels, scores, threshold, cost_missed, cost_review)
        if cost <= best_cost * (1 + COST_TOLERANCE) + 1e-9:
            lines.append(f"costs {cost_missed:g}/{cost_review:g}: threshold {threshold:.3f}, cost ${cost:,.0f}")
            continue
        swapped_t, _ = evaluation.best_threshold(labels, scores, cost_review, cost_missed)
        if abs(threshold - swapped_t) < 1e-9 or abs(_cost_at(labels, scores, threshold, cost_review, cost_missed)
                                                    - evaluation.best_threshold(labels, scores, cost_review,
                                                                                cost_missed)[1]) < 1e-6:
            raise Incorrect(f"{call} returned {threshold:.3f}, the best threshold with the two costs swapped. "
                            "A missed valuable card is a false negative (cost_missed); an unnecessary review is a "
                            "false positive (cost_review).")
        if abs(threshold - 0.5) < 1e-9:
            raise Incorrect(f"{call} returned 0.5 whatever the costs: the threshold should move with them (here the "
                            f"cheapest is {best_t:.3f}).")
        theory = cost_review / (cost_review + cost_missed)
        if abs(threshold - theory) < 1e-6:
            raise Incorrect(f"{call} returned {theory:.3f}, the break-even threshold for perfectly calibrated "
                            f"probabilities. This model is not perfectly calibrated: search the thresholds on the "
                            f"data (the cheapest is {best_t:.3f}, costing ${best_cost:,.0f} against ${cost:,.0f}).")
        raise Incorrect(f"{call} returned {threshold:.3f}, which costs ${cost:,.0f}; the cheapest threshold, "
                        f"{best_t:.3f}, costs ${best_cost:,.0f}. Total cost = cost_missed x missed positives + "
                        "cost_review x flagged negatives, flagging a listing when its score is at least the threshold.")
    return "The cheapest threshold for every cost setting: " + "; ".join(lines) + "."


def solution_4_3(labels, scores, cost_missed: float, cost_review: float) -> float:
    labels, scores = np.asarray(labels), np.asarray(scores)
    candidates = np.append(np.unique(scores), np.inf)  # every distinct score, and "flag nothing"
    best_threshold, best_cost = None, np.inf
    for threshold in candidates:
        flagged = scores >= threshold
        missed = np.sum(~flagged & (labels == 1))
        unnecessary = np.sum(flagged & (labels == 0))
        cost = cost_missed * missed + cost_review * unnecessary
        if cost < best_cost:
            best_threshold, best_cost = threshold, cost
    return float(best_threshold)


threshold_costs = Exercise(
    id="4.3",
    title="Tune a threshold with business costs",
    check_fn=check_threshold,
    hints=[
        "For a threshold t, a listing is flagged when its score is at least t. Count the missed valuable cards "
        "(label 1, not flagged) and the unnecessary reviews (label 0, flagged); the total cost weighs each by "
        "its cost.",
        "Try every distinct score as a threshold (`np.unique(scores)`), plus one above all scores (flag "
        "nothing), and keep the cheapest. A grid like `np.arange(0, 1.001, 0.01)` is close enough too.",
        "Vectorise if you like: sort the scores and use cumulative sums; or loop, it is fast enough for 10,000 "
        "listings and a few thousand thresholds.",
    ],
    solution=solution_4_3,
    solution_note="In the notebook the function is called `best_threshold`.",
)


# ======================================================================================
# 4.4 Write a model card
# ======================================================================================
CARD_NUMBERS = {  # label on the card -> (key in reference_numbers(), tolerance, unit)
    "Test RMSE": ("test_rmse", 0.011, "$"),
    "Test MAE": ("test_mae", 0.011, "$"),
    "Test listings": ("n_test", 0.5, ""),
    "Noise floor": ("floor_rmse", 0.011, "$"),
}
# Other ways to write a label: "RMSE on the test set", "listings in the test set".
_LABEL_VARIANTS = {
    "test rmse": r"test rmse|rmse on (?:the )?test(?: set| data)?",
    "test mae": r"test mae|mae on (?:the )?test(?: set| data)?",
    "test listings": r"test listings|listings in (?:the )?test(?: set| data)?",
}
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)")
_PARENTHESES = re.compile(r"\([^()]*\)")


EVALUATION_SECTION = "Evaluation"


def _label_pattern(label: str) -> re.Pattern:
    words = label.lower()
    body = _LABEL_VARIANTS.get(words, r"\s+".join(map(re.escape, words.split())))
    body = body.replace(" ", r"\s+")
    return re.compile(rf"\b(?:{body})\b", flags=re.IGNORECASE)


def _number_after(label: str, text: str) -> float | None:
    """The number on the first line of ``text`` that has ``label`` as words: ``Label: value``.

    Notes in parentheses are ignored ("Test listings (20% hold-out): 10,542" reads 10,542). The
    number is the first one after the colon that follows the label; without a colon, the first
    number after the label, else a number right before it ("10,542 test listings"). Only that
    line is read: a number on another line (or in another section) never counts.
    """
    pattern = _label_pattern(label)
    for raw_line in text.splitlines():
        line = _PARENTHESES.sub(" ", raw_line)
        found = pattern.search(line)
        if not found:
            continue
        after = line[found.end():]
        colon = after.find(":")
        match = _NUMBER.search(after[colon + 1:] if colon >= 0 else after)
        if match is None and colon < 0:
            match = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*$", line[:found.start()])
        return float(match.group(1).replace(",", "")) if match else None
    return None


def _section_body(markdown: str, name: str) -> str:
    """The text under the first heading that names ``name`` (up to the next heading); empty if none."""
    return next((text for heading, text in _sections(markdown).items() if name.lower() in heading), "")


def _sections(markdown: str) -> dict[str, str]:
    """Heading (lower case) -> the text under it, up to the next heading."""
    parts: dict[str, str] = {}
    current = None
    for line in markdown.splitlines():
        heading = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
        if heading:
            current = heading.group(1).strip().lower()
            parts[current] = ""
        elif current is not None:
            parts[current] += line + "\n"
    return parts


def check_model_card(card: object) -> str:
    if is_stub(card) or (isinstance(card, str) and not card.strip()):
        raise NotAttempted()
    if not isinstance(card, str):
        raise Incorrect(f"`model_card` should be a Markdown string, got {type(card).__name__}.")
    missing = evaluation.missing_card_sections(card)
    if missing:
        raise Incorrect(f"The card lacks these sections (as Markdown headings, like `## Limitations`): "
                        f"{', '.join(missing)}.")
    sections = _sections(card)
    for required in evaluation.MODEL_CARD_SECTIONS:
        body = next((text for heading, text in sections.items() if required.lower() in heading), "")
        if len(body.split()) < 5:
            raise Incorrect(f"The '{required}' section is (nearly) empty: say something a reader can use.")
    numbers = reference_numbers()
    evaluation_text = _section_body(card, EVALUATION_SECTION)
    for label, (key, tolerance, unit) in CARD_NUMBERS.items():
        value = _number_after(label, evaluation_text)
        expected = numbers[key]
        shown = f"{unit}{expected:,.2f}" if unit else f"{expected:,.0f}"
        named = label[0].lower() + label[1:]  # "test RMSE", not "Test rmse"
        if value is None:
            elsewhere = any(_number_after(label, line) is not None for line in card.splitlines())
            raise Incorrect(f"State the {named} in the '{EVALUATION_SECTION}' section, on its own line, as "
                            f"`Label: value`, like `- {label}: {shown}` (with your model's number)."
                            + (f" The card gives a {named} elsewhere, but a reader looks for it under "
                               f"'{EVALUATION_SECTION}', and only that line is checked." if elsewhere else ""))
        if abs(value - expected) > tolerance:
            hint = ""
            if key == "test_rmse" and abs(value - numbers["train_rmse"]) <= tolerance:
                hint = " That is the RMSE on the training data: a model card reports held-out (test) performance."
            elif key == "test_mae" and abs(value - numbers["train_mae"]) <= tolerance:
                hint = " That is the MAE on the training data: a model card reports held-out (test) performance."
            elif key == "n_test" and abs(value - numbers["n_train"]) <= tolerance:
                hint = " That is the number of training listings."
            raise Incorrect(f"The card says {named} {value:,g}, but the model's {named} is {shown}.{hint} "
                            "Compute every number from the evaluation, never type it.")
    return (f"Every required section is there, and the card's numbers match the model: test RMSE "
            f"${numbers['test_rmse']:.2f}, MAE ${numbers['test_mae']:.2f} on {numbers['n_test']:,.0f} listings, "
            f"noise floor ${numbers['floor_rmse']:.2f}.")


def solution_4_4() -> str:
    from mlcourse.dataset import best_possible_rmse

    fitted = modeling.reference_price_model()
    metrics = evaluation.regression_metrics(fitted.test["price_usd"], fitted.test_predictions)
    floor = best_possible_rmse(fitted.test)
    by_era = evaluation.errors_by_segment(evaluation.residual_frame(fitted.test, fitted.test_predictions), "era")
    worst = by_era.iloc[0]
    return f"""# Model card: card price model

## Model details
xgboost regression on log price (`modeling.TUNED_XGBOOST_PARAMS`), features from `mlcourse.features`.

## Intended use
Suggest prices to sellers of ungraded single cards on the marketplace; the seller decides.
Not for graded slabs, bulk lots or auctions, nor for automatic pricing without a human.

## Training data
{len(fitted.train):,} ungraded marketplace listings (a random 80%), {fitted.train['listing_date'].min():%Y-%m-%d} to
{fitted.train['listing_date'].max():%Y-%m-%d}.

## Evaluation
- Test RMSE: ${metrics['rmse']:.2f}
- Test MAE: ${metrics['mae']:.2f}
- Test listings: {len(fitted.test):,}
- Noise floor (best possible RMSE): ${floor:.2f}

## Performance by segment
Worst era: {worst['era']}, RMSE ${worst['rmse']:.2f} on {worst['listings']:,} listings (bias ${worst['bias']:+.2f}).

## Limitations
Under-prices by ${-metrics['bias']:.2f} on average; errors grow with the price; cards never seen in
training are priced much worse; the market moves, so it needs retraining and monitoring.

## Ethical considerations
Price hints anchor sellers: a segment priced too low loses money. Monitor bias per language and era.
"""


model_card = Exercise(
    id="4.4",
    title="Write a model card",
    check_fn=check_model_card,
    hints=[
        "Start from the skeleton in the instructions: one Markdown heading per required section, a few "
        "sentences under each.",
        "Compute the numbers in the notebook (regression_metrics on the test set, best_possible_rmse, "
        "errors_by_segment) and put them in an f-string, each on its own line: `- Test RMSE: ${rmse:.2f}`.",
        "Test numbers, not training numbers: a card reports how the model does on data it never saw. The "
        "limitations come from section 5 and 6 of Module 4 (where the errors are, how far from the floor).",
    ],
    solution=solution_4_4,
    solution_note="Module 4's `evaluation.model_card_markdown` builds a fuller card from the same numbers.",
)


# ======================================================================================
# 4.5 Present the results to a stakeholder
# ======================================================================================
MESSAGE_WORDS = (100, 350)
# Each entry is a regular expression matched as whole words (\b on both sides), with its endings
# spelled out: "not" must not match "note", "auc" must not match "auction", "miss" not "mission".
JARGON = {"rmse": r"rmse", "mae": r"mae", "auc": r"(?:roc )?auc", "f1": r"f1(?: score)?",
          "hyperparameter": r"hyper-?parameters?", "xgboost": r"xgboost", "overfit": r"overfit(?:s|ted|ting)?",
          "log scale": r"log[- ]scale", "regression": r"regressions?"}
LIMITATION_WORDS = [r"limit(?:s|ed|ation|ations)?", r"worse", r"weak(?:er|est|ness|nesses)?", r"risks?|risky",
                    r"caveats?", r"not", r"less accurate", r"under-?pric(?:es|ed|ing|e)", r"careful(?:ly)?",
                    r"struggles?", r"vintage", r"new(?:est)? (?:releases?|sets?)", r"miss(?:es|ed|ing)?",
                    r"cannot|can't|doesn't|does not"]
ASK_WORDS = [r"recommend(?:s|ed|ation)?", r"propose", r"i suggest", r"we suggest", r"next steps?",
             r"decide", r"decision", r"approv(?:e|al)", r"need your", r"ask you", r"would like you",
             r"plan(?:s|ned)?"]


def _matches(text: str, patterns: list[str]) -> list[str]:
    """The patterns found in ``text`` as whole words (case-insensitive)."""
    return [p for p in patterns if re.search(rf"\b(?:{p})\b", text, flags=re.IGNORECASE)]


def _mentions(text: str, patterns: list[str]) -> bool:
    return bool(_matches(text, patterns))


_AMOUNT = re.compile(r"\$\s?(\d+(?:\.\d+)?)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")


def check_stakeholder_message(message: object) -> str:
    if is_stub(message) or (isinstance(message, str) and not message.strip()):
        raise NotAttempted()
    if not isinstance(message, str):
        raise Incorrect(f"`stakeholder_message` should be a string, got {type(message).__name__}.")
    words = len(message.split())
    if not MESSAGE_WORDS[0] <= words <= MESSAGE_WORDS[1]:
        raise Incorrect(f"Your message has {words} words; aim for {MESSAGE_WORDS[0]} to {MESSAGE_WORDS[1]}.")
    lower = message.lower()
    jargon = [name for name, pattern in JARGON.items() if _mentions(lower, [pattern])]
    if jargon:
        raise Incorrect(f"Your reader runs marketplace operations, not models: replace {', '.join(repr(j) for j in jargon)} "
                        "with plain words (\"a typical error of $X per card\").")
    n = reference_numbers()
    amounts = [float(a) for a in _AMOUNT.findall(message)]
    percents = [float(p) / 100 for p in _PERCENT.findall(message)]
    model_figures = [n["test_mae"], n["test_rmse"]]
    if not (any(abs(a - v) <= 0.05 for a in amounts for v in model_figures)
            or any(abs(p - n["within_5_usd"]) <= 0.01 for p in percents)):
        raise Incorrect(f"Say how accurate the model is, with a number that matches the evaluation: the typical "
                        f"error (${n['test_mae']:.2f} per card) or the share priced within $5 "
                        f"({n['within_5_usd']:.0%}). Found: {', '.join(f'${a:g}' for a in amounts) or 'no dollar amounts'}.")
    improvement = 1 - n["test_mae"] / n["rule_mae"]
    if not (any(abs(a - v) <= 0.05 for a in amounts for v in (n["rule_mae"], n["rule_rmse"]))
            or any(abs(p - improvement) <= 0.01 for p in percents)):
        raise Incorrect(f"Compare with what the business does today, the era x rarity price list: its typical error "
                        f"is ${n['rule_mae']:.2f} (the model's is {improvement:.0%} smaller). A number alone means "
                        "little without that comparison.")
    if not _mentions(lower, LIMITATION_WORDS):
        raise Incorrect("Name at least one limitation (where the model is weaker, what it cannot do): stakeholders "
                        "trust a result more when its limits come from you.")
    if not _mentions(lower, ASK_WORDS):
        raise Incorrect("End with what you recommend or what you need from the reader (a decision, a next step).")
    return (f"The message is plain, quotes numbers that match the evaluation, compares with today's price list, "
            f"names a limitation and ends with a recommendation ({words} words). Now compare it with the model "
            "answer and the rubric.")


def solution_4_5() -> str:
    n = reference_numbers()
    improvement = 1 - n["test_mae"] / n["rule_mae"]
    return (
        f"Summary: the new price model is ready for a pilot on ungraded marketplace listings. On "
        f"{n['n_test']:,.0f} recent listings it had never seen, its typical error is ${n['test_mae']:.2f} per card, "
        f"against ${n['rule_mae']:.2f} for today's price list by era and rarity: {improvement:.0%} smaller. It "
        f"prices {n['within_5_usd']:.0%} of listings within $5. Where it is weaker: expensive vintage cards and "
        f"the newest sets, where errors are largest, and cards it has never seen listed before. It also "
        f"under-prices slightly on average (${-n['bias']:.2f}), so sellers should see its price as a suggestion, "
        f"not a rule. I recommend a four-week pilot on 10% of new listings, with sellers free to change the "
        f"price, and a weekly check of errors by era and language. I need your approval for the pilot and one "
        f"contact in seller support to collect complaints."
    )


stakeholder_message = Exercise(
    id="4.5",
    title="Present the results to a stakeholder",
    check_fn=check_stakeholder_message,
    hints=[
        "Your reader runs marketplace operations. Lead with the conclusion, then the one or two numbers that "
        "support it, in dollars, compared with what the business does today.",
        "Include: typical error per card (MAE, in plain words), the comparison with the era x rarity price "
        "list, one or two limitations (where it is weaker), and what you recommend or need.",
        "No jargon: 'RMSE', 'F1', 'xgboost' mean nothing to the reader. Numbers come from the evaluation "
        "(compute them in the notebook and use an f-string).",
    ],
    solution=solution_4_5,
    solution_note="The model answer is an f-string: its numbers come from `ex04.reference_numbers()`.",
)

MESSAGE_RUBRIC = """
| criterion | what a strong message does |
|---|---|
| conclusion first | the first sentence says what the reader needs to know or decide |
| numbers that matter | typical error in dollars, on unseen listings, compared with today's process |
| limits, volunteered | where the model is weaker and what it cannot do, before anyone asks |
| plain language | no metric names or model names; "typical error" instead of MAE |
| a clear ask | a recommendation and what you need from the reader (approval, a contact, a date) |
| short | a reader can act on it in two minutes |
"""
