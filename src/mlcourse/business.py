"""Module 0's business logic: rules or ML, accuracy on imbalanced data, the ROI of a model.

One definition for the module notebook, its exercise checks and the tests:

- a five-question "will simple rules work?" checklist and the recommendation it gives;
- a price rule (median price of a group of similar listings) against a model, on the
  course data, with errors in dollars and percent, by sales channel;
- what an accuracy figure means when one class is rare;
- a cost-benefit (ROI) calculator that turns a pricing error into money.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from threadpoolctl import threadpool_limits

from mlcourse.dataset import load_ground_truth, load_listings
from mlcourse.features import feature_frame, make_preprocessor

# ======================================================================================
# Rules or ML?
# ======================================================================================
RULES_CHECKLIST: list[str] = [
    "Can an expert write the decision down as a handful of if-then rules?",
    "Are the patterns stable (they do not drift, nobody is trying to game them)?",
    "Are the inputs few and the exceptions rare?",
    "Must every answer be exactly right and explainable (a tax, a fee, a legal limit)?",
    "Is there little or no labelled history to learn from?",
]
"""Each "yes" is a point for rules; each "no" a point for learning from data."""

RULES = "rules"
ML = "ml"
RULES_FIRST = "start with rules, measure, then decide"


def rules_or_ml(answers: Sequence[bool]) -> str:
    """The checklist's recommendation: four or five "yes" answers mean rules, one or none ML.

    In between, the honest answer is to ship the rule first and measure what it misses.
    """
    answers = list(answers)
    if len(answers) != len(RULES_CHECKLIST) or not all(isinstance(a, bool | np.bool_) for a in answers):
        raise ValueError(f"answers must be {len(RULES_CHECKLIST)} booleans, one per checklist question")
    yes = sum(bool(a) for a in answers)
    if yes >= 4:
        return RULES
    if yes <= 1:
        return ML
    return RULES_FIRST


WORKED_EXAMPLES: dict[str, dict] = {
    "Tax calculation": {
        "answers": (True, True, True, True, True),
        "why": "The law is the rule. A model that is right 99% of the time is wrong on a tax return.",
    },
    "Sorting email into folders": {
        "answers": (True, True, True, False, True),
        "why": "'From my bank, to Finance' is a filter a user writes in a minute and trusts.",
    },
    "Spam filtering": {
        "answers": (False, False, False, False, False),
        "why": "Spammers adapt to any fixed rule; billions of labelled messages exist.",
    },
    "Product recommendations": {
        "answers": (False, False, False, False, False),
        "why": "Millions of users and items, tastes that change, and clicks as free labels.",
    },
    "Pricing a trading card": {
        "answers": (True, False, False, False, False),
        "why": "An expert can price by rarity and era, but the market moves and a few thousand "
               "species, printings and conditions interact: section 1.2 of Module 0 measures what a rule misses.",
    },
}


def checklist_table() -> pd.DataFrame:
    """The worked examples, with each checklist answer and the recommendation it gives."""
    rows = []
    for name, example in WORKED_EXAMPLES.items():
        row = {"problem": name}
        row.update({f"Q{i}": "yes" if a else "no" for i, a in enumerate(example["answers"], start=1)})
        row["recommendation"] = rules_or_ml(example["answers"])
        row["why"] = example["why"]
        rows.append(row)
    return pd.DataFrame(rows)


# ======================================================================================
# A rule against a model, on the card data
# ======================================================================================
RULE_GROUPINGS: dict[str, list[str]] = {
    "rarity": ["rarity"],
    "era x rarity": ["era", "rarity"],
    "era x rarity x finish x condition or grade": ["era", "rarity", "finish", "condition", "grade"],
}
DEFAULT_RULE = "era x rarity"


@dataclass(frozen=True)
class GroupMedianRule:
    """A price-guide rule: the median price of past listings in the same group."""

    keys: tuple[str, ...]
    table: pd.Series
    fallback: float

    @classmethod
    def fit(cls, listings: pd.DataFrame, keys: Sequence[str]) -> GroupMedianRule:
        keys = tuple(keys)
        table = listings.groupby(list(keys), dropna=False)["price_usd"].median()
        return cls(keys=keys, table=table, fallback=float(listings["price_usd"].median()))

    def predict(self, listings: pd.DataFrame) -> np.ndarray:
        """The group median for each listing; the overall median for a group never seen."""
        index = pd.MultiIndex.from_frame(listings[list(self.keys)]) if len(self.keys) > 1 \
            else pd.Index(listings[self.keys[0]])
        looked_up = self.table.reindex(index).to_numpy(dtype="float64")
        return np.where(np.isnan(looked_up), self.fallback, looked_up)

    @property
    def n_groups(self) -> int:
        return len(self.table)


def fit_price_model(train: pd.DataFrame, seed: int = 0) -> Pipeline:
    """A gradient-boosted model of log(price) on the shared features (fits in about a second)."""
    model = make_pipeline(make_preprocessor("tree"),
                          HistGradientBoostingRegressor(max_iter=200, learning_rate=0.1, random_state=seed))
    # One thread: on a two-core laptop the notebook kernel and the browser need the other core,
    # and small fits gain little from more threads.
    with threadpool_limits(limits=1, user_api="openmp"):
        model.fit(feature_frame(train), np.log(train["price_usd"]))
    return model


def predict_price(model: Pipeline, listings: pd.DataFrame) -> np.ndarray:
    """Model prediction in dollars (the model works on log prices)."""
    with threadpool_limits(limits=1, user_api="openmp"):
        return np.exp(model.predict(feature_frame(listings)))


@functools.lru_cache(maxsize=1)
def _comparison_split(n_train: int, n_test: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    # listing_id increases with the listing date, so sorting by it puts the sample in time order.
    sample = load_listings().sample(n_train + n_test, random_state=seed).sort_values("listing_id")
    sample = sample.reset_index(drop=True)
    return sample.iloc[:n_train].reset_index(drop=True), sample.iloc[n_train:].reset_index(drop=True)


def comparison_split(n_train: int = 15_000, n_test: int = 5_000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A fixed sample of listings split in time: the earliest ``n_train`` (past) and the latest ``n_test`` (new).

    Both methods learn from the past listings and price the new ones, as they would in use.
    Returns copies.
    """
    train, test = _comparison_split(n_train, n_test, seed)
    return train.copy(), test.copy()


@functools.lru_cache(maxsize=1)
def _price_model() -> Pipeline:
    train, _ = _comparison_split(15_000, 5_000, 0)
    return fit_price_model(train)


def price_model() -> Pipeline:
    """The model trained on the comparison's training listings (trained once per process)."""
    return _price_model()


@functools.lru_cache(maxsize=8)
def _rule_vs_model(grouping: str) -> pd.DataFrame:
    if grouping not in RULE_GROUPINGS:
        raise ValueError(f"grouping must be one of {list(RULE_GROUPINGS)}, got {grouping!r}")
    train, test = _comparison_split(15_000, 5_000, 0)
    rule = GroupMedianRule.fit(train, RULE_GROUPINGS[grouping])
    out = test[["listing_id", "channel", "era", "rarity", "graded", "price_usd"]].copy()
    out["rule_price"] = rule.predict(test)
    out["model_price"] = predict_price(_price_model(), test)
    return out


def rule_vs_model(grouping: str = DEFAULT_RULE) -> pd.DataFrame:
    """Test listings with the actual price, the rule's price and the model's price (a copy)."""
    return _rule_vs_model(grouping).copy()


DEFAULT_TOLERANCE = 0.25  # a suggested price within 25% of the sale price counts as right


def price_errors(actual: Sequence[float], predicted: Sequence[float]) -> dict[str, float]:
    """Mean absolute error in dollars, median absolute percentage error, share within DEFAULT_TOLERANCE."""
    actual = np.asarray(actual, dtype="float64")
    predicted = np.asarray(predicted, dtype="float64")
    if actual.shape != predicted.shape or actual.size == 0:
        raise ValueError("actual and predicted must be non-empty and the same length")
    abs_error = np.abs(predicted - actual)
    return {
        "mae_usd": float(abs_error.mean()),
        "median_pct_error": float(np.median(abs_error / actual)),
        "share_within_tolerance": share_within_tolerance(actual, predicted, DEFAULT_TOLERANCE),
    }


def share_within_tolerance(actual: Sequence[float], predicted: Sequence[float], tolerance: float) -> float:
    """Share of predictions within ``tolerance`` (0.25 = 25%) of the actual price."""
    actual = np.asarray(actual, dtype="float64")
    predicted = np.asarray(predicted, dtype="float64")
    if actual.shape != predicted.shape or actual.size == 0:
        raise ValueError("actual and predicted must be non-empty and the same length")
    if not tolerance >= 0:
        raise ValueError(f"tolerance must be a non-negative fraction (0.25 for 25%), got {tolerance!r}")
    return float(np.mean(np.abs(predicted - actual) <= tolerance * np.abs(actual)))


def noise_floor_mae(listings: pd.DataFrame) -> float:
    """The mean absolute dollar error of a perfect model (one that knows the generating formula).

    The perfect prediction for this metric is the noise-free median price of each listing
    (the ground truth's ``median_price``); what is left is the market's noise.
    """
    if "listing_id" not in listings or "price_usd" not in listings:
        raise ValueError("listings must have 'listing_id' and 'price_usd' columns")
    truth = load_ground_truth()[["listing_id", "median_price"]]
    merged = listings[["listing_id", "price_usd"]].merge(truth, on="listing_id", how="inner", validate="one_to_one")
    if len(merged) != len(listings):
        raise ValueError("some listing_ids are not in the ground truth")
    return float(np.mean(np.abs(merged["price_usd"] - merged["median_price"])))


def segment_table(comparison: pd.DataFrame, by: str = "channel") -> pd.DataFrame:
    """Rule and model errors per segment, and the dollars the model saves per listing."""
    rows = []
    for segment, group in comparison.groupby(by, sort=True):
        rule = price_errors(group["price_usd"], group["rule_price"])
        model = price_errors(group["price_usd"], group["model_price"])
        rows.append({
            by: segment,
            "listings": len(group),
            "median price": float(group["price_usd"].median()),
            "rule error ($)": rule["mae_usd"],
            "model error ($)": model["mae_usd"],
            "saved per listing ($)": rule["mae_usd"] - model["mae_usd"],
            "rule error (%)": rule["median_pct_error"],
            "model error (%)": model["median_pct_error"],
        })
    return pd.DataFrame(rows)


# ======================================================================================
# Accuracy on imbalanced data
# ======================================================================================
HIGH_VALUE_USD = 20.0


def majority_baseline_accuracy(labels: Sequence[bool]) -> float:
    """Accuracy of always predicting the most common class."""
    labels = np.asarray(labels, dtype=bool)
    if labels.size == 0:
        raise ValueError("labels must not be empty")
    positive = labels.mean()
    return float(max(positive, 1 - positive))


def accuracy_in_context(accuracy: float, prevalence: float) -> dict[str, float | bool]:
    """What an accuracy figure means next to the do-nothing baseline for this prevalence.

    Returns the baseline accuracy (always predict the majority class), the lift in points,
    the share of the baseline's errors the model removes, and whether it beats the baseline.
    """
    if not 0 <= accuracy <= 1 or not 0 <= prevalence <= 1:
        raise ValueError("accuracy and prevalence must be fractions between 0 and 1")
    baseline = max(prevalence, 1 - prevalence)
    baseline_errors = 1 - baseline
    return {
        "baseline_accuracy": baseline,
        "lift_points": accuracy - baseline,
        "error_reduction": (baseline_errors - (1 - accuracy)) / baseline_errors if baseline_errors else 0.0,
        "beats_baseline": accuracy > baseline,
    }


def classification_summary(actual: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    """Accuracy, precision, recall and the share of listings flagged."""
    actual = np.asarray(actual, dtype=bool)
    predicted = np.asarray(predicted, dtype=bool)
    if actual.shape != predicted.shape or actual.size == 0:
        raise ValueError("actual and predicted must be non-empty and the same length")
    true_pos = float(np.sum(actual & predicted))
    return {
        "accuracy": float(np.mean(actual == predicted)),
        "precision": true_pos / predicted.sum() if predicted.any() else 0.0,
        "recall": true_pos / actual.sum() if actual.any() else 0.0,
        "flagged_share": float(predicted.mean()),
    }


def threshold_sweep(actual: Sequence[bool], probability: Sequence[float],
                    thresholds: Sequence[float]) -> pd.DataFrame:
    """Accuracy, precision, recall and the share flagged when flagging above each threshold."""
    probability = np.asarray(probability, dtype="float64")
    return pd.DataFrame([{"threshold": float(t), **classification_summary(actual, probability > t)}
                         for t in thresholds])


def imbalanced_targets() -> pd.DataFrame:
    """Two real yes/no targets of the course data, how rare the "yes" is, and the do-nothing accuracy."""
    listings = load_listings()
    marketplace = listings[listings["channel"].eq("marketplace")]
    targets = {
        "is_legendary (all listings)": listings["is_legendary"].to_numpy(),
        f"high_value: marketplace price > ${HIGH_VALUE_USD:.0f}": (marketplace["price_usd"] > HIGH_VALUE_USD).to_numpy(),
    }
    return pd.DataFrame([{"target": name, "listings": len(y), "share of yes": float(np.mean(y)),
                          "accuracy of always saying no": majority_baseline_accuracy(y)}
                         for name, y in targets.items()])


@functools.lru_cache(maxsize=1)
def _high_value_predictions() -> pd.DataFrame:
    listings = load_listings()
    marketplace = listings[listings["channel"].eq("marketplace")].sample(12_000, random_state=1)
    marketplace = marketplace.sort_values("listing_id")  # in time order: learn from the past, test on the latest
    train, test = marketplace.iloc[:9_000], marketplace.iloc[9_000:]
    model = make_pipeline(make_preprocessor("linear"), LogisticRegression(max_iter=2_000))
    with threadpool_limits(limits=1):
        model.fit(feature_frame(train), train["price_usd"] > HIGH_VALUE_USD)
        probability = model.predict_proba(feature_frame(test))[:, 1]
    return pd.DataFrame({"actual": (test["price_usd"] > HIGH_VALUE_USD).to_numpy(), "probability": probability})


def high_value_predictions() -> pd.DataFrame:
    """A logistic regression's probability that a marketplace listing sells above $20.

    Trained on the earliest 9,000 of 12,000 marketplace listings; the rows are the latest 3,000.
    """
    return _high_value_predictions().copy()


# ======================================================================================
# Cost-benefit: what the model is worth
# ======================================================================================
@dataclass(frozen=True)
class ROIInputs:
    """The assumptions of a pricing model's business case (all per month unless named)."""

    listings_per_month: float = 5_000
    share_automated: float = 0.7          # share of listings priced without an expert
    minutes_saved_per_listing: float = 2.0
    hourly_cost_usd: float = 35.0         # loaded cost of an expert hour
    error_reduction_usd: float = 3.0      # how much less the model is off per listing it prices than today's method
    share_of_error_lost: float = 0.3      # share of a pricing error that becomes lost money
    build_cost_usd: float = 60_000        # one-off: people, data work, deployment
    running_cost_per_month_usd: float = 2_500  # hosting, monitoring, retraining, on-call
    horizon_months: int = 12

    def validated(self) -> ROIInputs:
        """Self, or a ValueError naming the first input that makes no sense."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
                raise ValueError(f"{f.name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{f.name} must be a finite number, got {value!r}")
        for name in ("listings_per_month", "minutes_saved_per_listing", "hourly_cost_usd",
                     "running_cost_per_month_usd"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative, got {getattr(self, name)!r}")
        for name in ("share_automated", "share_of_error_lost"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} is a share between 0 and 1 (0.3 for 30%), got {getattr(self, name)!r}")
        if self.build_cost_usd <= 0:
            raise ValueError(f"build_cost_usd must be positive (ROI divides by it), got {self.build_cost_usd!r}")
        if self.horizon_months < 1:
            raise ValueError(f"horizon_months must be at least 1, got {self.horizon_months!r}")
        return self


@dataclass(frozen=True)
class ROIResult:
    monthly_labour_savings_usd: float
    monthly_pricing_gain_usd: float
    monthly_net_benefit_usd: float
    payback_months: float          # infinity if the model never pays back
    horizon_net_value_usd: float   # net benefit over the horizon minus the build cost
    roi: float                     # horizon net value / build cost (0.25 = 25%)


def roi(inputs: ROIInputs) -> ROIResult:
    """The business case, line by line.

    labour savings = listings x share automated x minutes saved / 60 x hourly cost
    pricing gain   = listings x share automated x error reduction per listing x share of an error that is lost
    net benefit    = labour savings + pricing gain - running cost        (per month)

    Only the automated share is priced by the model, so only it gains the model's accuracy
    (the rest is priced by an expert, as today).
    payback        = build cost / net benefit                            (months)
    ROI            = (net benefit x horizon - build cost) / build cost
    """
    i = inputs.validated()
    labour = i.listings_per_month * i.share_automated * i.minutes_saved_per_listing / 60 * i.hourly_cost_usd
    pricing = i.listings_per_month * i.share_automated * i.error_reduction_usd * i.share_of_error_lost
    net = labour + pricing - i.running_cost_per_month_usd
    horizon_value = net * i.horizon_months - i.build_cost_usd
    return ROIResult(
        monthly_labour_savings_usd=labour,
        monthly_pricing_gain_usd=pricing,
        monthly_net_benefit_usd=net,
        payback_months=i.build_cost_usd / net if net > 0 else math.inf,
        horizon_net_value_usd=horizon_value,
        roi=horizon_value / i.build_cost_usd,
    )


def cumulative_value(inputs: ROIInputs, months: int | None = None) -> pd.DataFrame:
    """Cumulative net value month by month, starting at minus the build cost (month 0)."""
    result = roi(inputs)
    months = inputs.horizon_months if months is None else months
    month = np.arange(0, months + 1)
    return pd.DataFrame({"month": month,
                         "cumulative net value ($)": -inputs.build_cost_usd + month * result.monthly_net_benefit_usd})


def sensitivity(inputs: ROIInputs, change: float = 0.2) -> pd.DataFrame:
    """How the horizon net value moves when each input moves by +-change (a tornado table)."""
    base = roi(inputs).horizon_net_value_usd
    rows = []
    for name, value in asdict(inputs).items():
        if name == "horizon_months":
            continue
        low, high = value * (1 - change), value * (1 + change)
        if name.startswith("share_"):
            low, high = max(0.0, low), min(1.0, high)
        low_value = roi(replace(inputs, **{name: low})).horizon_net_value_usd
        high_value = roi(replace(inputs, **{name: high})).horizon_net_value_usd
        rows.append({"input": name, "low": low_value - base, "high": high_value - base,
                     "swing": abs(high_value - low_value)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


# ======================================================================================
# A project plan
# ======================================================================================
PROJECT_PHASES: list[tuple[str, int, str]] = [
    ("Discovery", 2, "Is the problem worth solving? Who uses the output? What is the baseline?"),
    ("Data", 4, "Access, contracts, cleaning, a first dataset version. The phase that slips."),
    ("Modelling", 2, "Baselines first, then models; an honest offline evaluation."),
    ("Production", 2, "Service, monitoring, rollout behind a flag, the fallback rule kept ready."),
]


def timeline() -> pd.DataFrame:
    """The phased plan with start and end weeks."""
    rows, start = [], 0
    for phase, weeks, what in PROJECT_PHASES:
        rows.append({"phase": phase, "start week": start, "end week": start + weeks, "weeks": weeks, "what": what})
        start += weeks
    return pd.DataFrame(rows)
