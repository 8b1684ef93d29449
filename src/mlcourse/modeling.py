"""Training models for card prices: splits, baselines, a model factory, latency and budgeted search.

Every model here is a scikit-learn estimator that takes **listings** (rows of the clean
table) and predicts ``price_usd``. The feature computation is the first step of each
pipeline (``mlcourse.features.feature_frame``), so the model that is trained is exactly
the model that is served::

    from mlcourse import modeling
    listings = modeling.pricing_listings()                 # ungraded marketplace listings
    split = modeling.course_split(listings)                # train on the past, validate and test on the future
    model = modeling.make_model("xgboost").fit(split.train, split.train["price_usd"])
    modeling.latency_per_row(model, split.validation)      # seconds per row, best of a few runs
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.model_selection import GroupKFold, GroupShuffleSplit, KFold, ParameterSampler, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from mlcourse.dataset import load_listings
from mlcourse.features import feature_frame, make_preprocessor, pricing_subset

TARGET = "price_usd"
SEED = 0
HIGH_VALUE_USD = 20.0  # Module 4's classification task: listings above this go to expert review

FAMILIES = ("constant", "era_rarity", "linear", "random_forest", "hist_gradient_boosting", "xgboost")
LEARNED_FAMILIES = ("linear", "random_forest", "hist_gradient_boosting", "xgboost")

# Defaults chosen to train in about a second on the course data with two cores.
# Boosting runs on one thread: OpenMP threads wait for each other at every tree level, and on
# a laptop busy with a browser and a notebook server a two-thread fit can take twenty times
# longer than a one-thread fit (measured while writing the course). One thread is never that slow.
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "linear": {"alpha": 1.0},
    "random_forest": {"n_estimators": 30, "min_samples_leaf": 2, "max_features": 0.5, "n_jobs": -1},
    "hist_gradient_boosting": {"max_iter": 100, "learning_rate": 0.1},
    "xgboost": {"n_estimators": 100, "max_depth": 6, "learning_rate": 0.3, "max_bin": 64, "n_jobs": 1},
}

# Module 3's latency budget: the final model may take at most this many times the default
# xgboost model's prediction time (timed in alternation with it: ``paired_latency``).
LATENCY_BUDGET = 1.25

# The course's reference configuration, evaluated by Module 4 and the exercises. It was the most
# accurate candidate of random_search over XGBOOST_SEARCH_SPACE (30 candidates, seed 7) on the
# course's earlier random split, chosen on accuracy alone, and does not meet LATENCY_BUDGET (it took
# about 1.3x the default model when it was chosen). Re-run on the time-ordered course_split (each
# candidate trained on the training period, scored on the validation period), the same search ranks
# it in its top third, behind deeper trees (max_depth 8): an out-of-time split rewards other settings
# than a random one. It stays the reference because exercises 3.2 and 4.x are built on this model;
# Module 3 section 9 compares it with its own pick on the same test set, so no notebook relies on it
# being the best. Timings vary by machine: the notebooks claim no latency for it.
TUNED_XGBOOST_PARAMS: dict[str, Any] = {"n_estimators": 300, "max_depth": 6, "learning_rate": 0.3,
                                        "min_child_weight": 1, "subsample": 0.85}

# The search space of Module 3's random search.
XGBOOST_SEARCH_SPACE: dict[str, list] = {
    "n_estimators": [100, 200, 300],
    "max_depth": [4, 6, 8],
    "learning_rate": [0.1, 0.2, 0.3],
    "min_child_weight": [1, 3, 10],
    "subsample": [0.85, 1.0],
}


# ======================================================================================
# Data and splits
# ======================================================================================
@functools.lru_cache(maxsize=1)
def _pricing_listings() -> pd.DataFrame:
    listings = pricing_subset(load_listings())
    return listings.sort_values("listing_id", kind="stable").reset_index(drop=True)


def pricing_listings(sample: int | None = None, seed: int = SEED) -> pd.DataFrame:
    """The pricing population (ungraded marketplace listings), in listing order; a fresh copy.

    sample: if given, a seeded random sample of that many listings (still in listing order).
    """
    listings = _pricing_listings()
    if sample is not None and sample < len(listings):
        listings = listings.sample(sample, random_state=seed).sort_values("listing_id", kind="stable")
    return listings.reset_index(drop=True).copy()


def random_split(listings: pd.DataFrame, test_size: float = 0.2, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shuffle the rows and hold out ``test_size`` of them."""
    _check_share(test_size)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(listings))
    n_test = int(round(len(listings) * test_size))
    test_rows, train_rows = np.sort(order[:n_test]), np.sort(order[n_test:])
    return listings.iloc[train_rows].reset_index(drop=True), listings.iloc[test_rows].reset_index(drop=True)


def grouped_split(listings: pd.DataFrame, test_size: float = 0.2, seed: int = SEED,
                  group: str = "card_id") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out whole cards: every listing of a card lands on the same side (test_size is a share of cards)."""
    _check_share(test_size)
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_rows, test_rows = next(splitter.split(listings, groups=listings[group]))
    return listings.iloc[np.sort(train_rows)].reset_index(drop=True), listings.iloc[np.sort(test_rows)].reset_index(drop=True)


def time_split(listings: pd.DataFrame, test_size: float = 0.2,
               date_column: str = "listing_date") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train on the past, test on the future: the latest ``test_size`` of listing dates are held out.

    A date never straddles the cut: every listing of the cut-off day goes to the test side.
    """
    _check_share(test_size)
    dates = pd.to_datetime(listings[date_column])
    cutoff = dates.sort_values().iloc[int(len(dates) * (1 - test_size))]
    is_test = (dates >= cutoff).to_numpy()
    return listings[~is_test].reset_index(drop=True), listings[is_test].reset_index(drop=True)


@dataclass(frozen=True)
class CourseSplit:
    """The course's three time-ordered sets: train on the past, choose on what follows, test on the latest."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame

    @property
    def development(self) -> pd.DataFrame:
        """Training and validation rows together (what a final model is refitted on), in listing order."""
        both = pd.concat([self.train, self.validation], ignore_index=True)
        return both.sort_values("listing_id", kind="stable").reset_index(drop=True)


def course_split(listings: pd.DataFrame | None = None, test_size: float = 0.2,
                 validation_size: float = 0.2) -> CourseSplit:
    """The split every module after Module 2 reports on: out of time, like production.

    The latest ``test_size`` of the listings (by listing date) is the **test** set; of the rest,
    the latest ``validation_size`` is the **validation** set, and the earlier listings are the
    **training** set (``time_split`` twice: a date never straddles a cut). A model chosen on
    validation has never seen a listing from its period, and the test set lies after both.
    """
    listings = pricing_listings() if listings is None else listings
    development, test = time_split(listings, test_size)
    train, validation = time_split(development, validation_size)
    return CourseSplit(train, validation, test)


def _check_share(test_size: float) -> None:
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be strictly between 0 and 1, got {test_size!r}")


def card_overlap(train: pd.DataFrame, test: pd.DataFrame, column: str = "card_id") -> float:
    """Share of test rows whose card (or other ``column``, such as set_code) also appears in the training rows."""
    if len(test) == 0:
        return float("nan")
    return float(test[column].isin(set(train[column])).mean())


CV_SCHEMES = ("k-fold", "grouped by card", "grouped by set", "time-based", "shuffled, time-based sizes")


def cv_folds(listings: pd.DataFrame, scheme: str, n_splits: int = 5,
             seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, validation rows) position arrays for one cross-validation scheme.

    k-fold: shuffled KFold. grouped by card: GroupKFold on card_id (a card is never on both
    sides). grouped by set: GroupKFold on set_code (a whole set, with its release date and
    era, is never on both sides). time-based: TimeSeriesSplit on listings in date order
    (always train on the past). shuffled, time-based sizes: the same fold sizes as
    time-based, cut from the listings in a random order: it separates the effect of time
    from the effect of the smaller training sets of the early time-based folds.
    """
    if scheme == "k-fold":
        splitter = KFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return list(splitter.split(listings))
    if scheme in ("grouped by card", "grouped by set"):
        column = "card_id" if scheme == "grouped by card" else "set_code"
        n_groups = listings[column].nunique()
        if n_groups < n_splits:
            raise ValueError(f"{scheme} needs at least {n_splits} distinct {column} values, got {n_groups}")
        splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return list(splitter.split(listings, groups=listings[column]))
    if scheme == "time-based":
        dates = pd.to_datetime(listings["listing_date"]).to_numpy()
        if not (np.diff(dates.astype("int64")) >= 0).all():
            raise ValueError("time-based folds need listings sorted by listing_date")
        return list(TimeSeriesSplit(n_splits=n_splits).split(listings))
    if scheme == "shuffled, time-based sizes":
        order = np.random.default_rng(seed).permutation(len(listings))
        return [(np.sort(order[train_rows]), np.sort(order[valid_rows]))
                for train_rows, valid_rows in TimeSeriesSplit(n_splits=n_splits).split(listings)]
    raise ValueError(f"scheme must be one of {CV_SCHEMES}, got {scheme!r}")


def cross_validate_schemes(model: BaseEstimator, listings: pd.DataFrame, schemes: Sequence[str] = CV_SCHEMES,
                           n_splits: int = 5, seed: int = SEED,
                           progress: Callable[[Iterable, int], Iterable] | None = None) -> pd.DataFrame:
    """``cross_validate`` under each scheme, one table (one row per scheme and fold)."""
    loop: Iterable = schemes if progress is None else progress(schemes, len(schemes))
    return pd.concat([cross_validate(model, listings, scheme, n_splits, seed) for scheme in loop], ignore_index=True)


def cross_validate(model: BaseEstimator, listings: pd.DataFrame, scheme: str, n_splits: int = 5,
                   seed: int = SEED) -> pd.DataFrame:
    """Fit a fresh clone of ``model`` on each fold; one row per fold with its validation RMSE."""
    from mlcourse.evaluation import rmse

    listings = listings.sort_values("listing_date", kind="stable").reset_index(drop=True)
    rows = []
    for fold, (train_rows, valid_rows) in enumerate(cv_folds(listings, scheme, n_splits, seed), start=1):
        train, valid = listings.iloc[train_rows], listings.iloc[valid_rows]
        fitted = clone(model).fit(train, train[TARGET])
        rows.append({"scheme": scheme, "fold": fold, "train rows": len(train), "validation rows": len(valid),
                     "rmse": rmse(valid[TARGET], fitted.predict(valid)),
                     "cards also in training": card_overlap(train, valid),
                     "sets also in training": card_overlap(train, valid, "set_code")})
    return pd.DataFrame(rows)


# ======================================================================================
# Baselines
# ======================================================================================
class ConstantPrice(RegressorMixin, BaseEstimator):
    """Predicts one number for every listing: the training median (or mean)."""

    def __init__(self, statistic: str = "median"):
        self.statistic = statistic

    def fit(self, X: Any, y: Any) -> ConstantPrice:
        if self.statistic not in ("median", "mean"):
            raise ValueError(f"statistic must be 'median' or 'mean', got {self.statistic!r}")
        values = np.asarray(y, dtype=float)
        self.value_ = float(np.median(values) if self.statistic == "median" else np.mean(values))
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.full(len(X), self.value_)


class GroupMedianPrice(RegressorMixin, BaseEstimator):
    """A business rule: the median training price of the listing's group (era x rarity by default).

    Groups never seen in training get the overall median.
    """

    def __init__(self, by: tuple[str, ...] = ("era", "rarity")):
        self.by = by

    def fit(self, X: pd.DataFrame, y: Any) -> GroupMedianPrice:
        keys = self._keys(X)
        prices = pd.Series(np.asarray(y, dtype=float), index=keys.index)
        self.medians_ = prices.groupby([keys[c] for c in keys.columns], dropna=False).median().to_dict()
        self.fallback_ = float(prices.median())
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        keys = self._keys(X)
        as_tuples = keys.itertuples(index=False, name=None)
        if len(self.by) == 1:
            as_tuples = (k[0] for k in as_tuples)
        return np.array([self.medians_.get(k, self.fallback_) for k in as_tuples], dtype=float)

    def _keys(self, X: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"GroupMedianPrice needs a DataFrame of listings, got {type(X).__name__}")
        missing = [c for c in self.by if c not in X.columns]
        if missing:
            raise ValueError(f"GroupMedianPrice needs the columns {missing}")
        return X[list(self.by)].astype("object")


class SingleThreadHistGradientBoosting(HistGradientBoostingRegressor):
    """scikit-learn's HistGradientBoostingRegressor, fitted and used on one OpenMP thread.

    Same parameters and results; one thread keeps it fast on a busy machine (see DEFAULT_PARAMS).
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **kwargs: Any) -> SingleThreadHistGradientBoosting:
        with threadpool_limits(limits=1, user_api="openmp"):
            return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def predict(self, X: Any) -> np.ndarray:
        with threadpool_limits(limits=1, user_api="openmp"):
            return super().predict(X)


# ======================================================================================
# Model factory
# ======================================================================================
def make_model(family: str, *, log_target: bool = True, seed: int = SEED, **params: Any) -> BaseEstimator:
    """An unfitted model that takes listings and predicts price_usd.

    family: one of FAMILIES. Learned families are a Pipeline (features -> preprocessing ->
    estimator), wrapped to learn log(price) when log_target is True: prices are multiplicative
    and heavy-tailed, so errors on the log scale are relative errors. params override
    DEFAULT_PARAMS for the estimator (for example max_depth=8).
    """
    if family == "constant":
        return ConstantPrice(**params)
    if family == "era_rarity":
        return GroupMedianPrice(**params)
    if family not in LEARNED_FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    settings = {**DEFAULT_PARAMS[family], **params}
    if family == "linear":
        steps = [("preprocess", make_preprocessor("linear")), ("model", Ridge(**settings))]
    elif family == "random_forest":
        steps = [("preprocess", make_preprocessor("tree")),
                 ("model", RandomForestRegressor(random_state=seed, **settings))]
    elif family == "hist_gradient_boosting":
        steps = [("preprocess", make_preprocessor("tree")),  # encodes an all-missing column as a constant
                 ("model", SingleThreadHistGradientBoosting(random_state=seed, **settings))]
    else:
        from xgboost import XGBRegressor

        steps = [("preprocess", make_preprocessor("tree")),
                 ("model", XGBRegressor(random_state=seed, **settings))]
    pipeline = Pipeline([("features", FunctionTransformer(feature_frame)), *steps])
    if not log_target:
        return pipeline
    return TransformedTargetRegressor(regressor=pipeline, func=np.log, inverse_func=np.exp, check_inverse=False)


def make_classifier(*, seed: int = SEED, **params: Any) -> Pipeline:
    """An unfitted xgboost classifier on listings (Module 4: is this listing worth an expert review?)."""
    from xgboost import XGBClassifier

    settings = {"n_estimators": 200, "max_depth": 6, "learning_rate": 0.1, "max_bin": 64, "n_jobs": 1, **params}
    return Pipeline([("features", FunctionTransformer(feature_frame)),
                     ("preprocess", make_preprocessor("tree")),
                     ("model", XGBClassifier(random_state=seed, **settings))])


def estimator_params(model: BaseEstimator) -> dict[str, Any]:
    """The hyperparameters of a model's final estimator that are set (not None), as plain values."""
    inner = model
    if isinstance(inner, TransformedTargetRegressor):
        inner = inner.regressor
    if isinstance(inner, Pipeline):
        inner = inner.steps[-1][1]
    out = {}
    for key, value in inner.get_params(deep=False).items():
        if isinstance(value, float) and not np.isfinite(value):
            continue
        if isinstance(value, bool | int | float | str):
            out[key] = value
    return out


# ======================================================================================
# Fitting, scoring, latency
# ======================================================================================
def fit_and_score(model: BaseEstimator, train: pd.DataFrame, valid: pd.DataFrame,
                  measure_latency: bool = True) -> dict[str, float]:
    """Fit on train, score on valid: RMSE, MAE, fit seconds and (optionally) latency per row."""
    from mlcourse.evaluation import mae, rmse

    start = time.perf_counter()
    model.fit(train, train[TARGET])
    fit_seconds = time.perf_counter() - start
    predictions = model.predict(valid)
    scores = {"rmse": rmse(valid[TARGET], predictions), "mae": mae(valid[TARGET], predictions),
              "fit_seconds": fit_seconds}
    if measure_latency:
        scores["latency_us_per_row"] = latency_per_row(model, valid) * 1e6
    return scores


def fit_families(train: pd.DataFrame, valid: pd.DataFrame, families: Sequence[str] = FAMILIES,
                 progress: Callable[[Iterable, int], Iterable] | None = None,
                 ) -> tuple[dict[str, BaseEstimator], pd.DataFrame]:
    """Fit each family's default model on ``train`` and score it on ``valid`` (``fit_and_score``).

    Returns the fitted models by family and a table with one row per family: rmse, mae,
    fit_seconds, latency_us_per_row. ``progress`` wraps the loop, as in ``random_search``.
    """
    loop: Iterable = families if progress is None else progress(families, len(families))
    models, rows = {}, []
    for family in loop:
        model = make_model(family)
        rows.append({"family": family, **fit_and_score(model, train, valid)})
        models[family] = model
    return models, pd.DataFrame(rows)


def latency_per_row(model: BaseEstimator, listings: pd.DataFrame, batch_size: int = 1000,
                    repeats: int = 5) -> float:
    """Seconds per row to predict a batch of listings: the best of ``repeats`` runs, in CPU time.

    CPU time (``time.process_time``) counts only this process's work, so other programs
    competing for the machine barely change it; the best run is the least disturbed one.
    The course's models predict on one thread, where CPU time is the time a request waits.
    """
    batch = listings.iloc[:batch_size]
    if len(batch) == 0:
        raise ValueError("need at least one listing to time predictions")
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.process_time()
        model.predict(batch)
        best = min(best, time.process_time() - start)
    return best / len(batch)


def single_prediction_latency(model: BaseEstimator, listings: pd.DataFrame, repeats: int = 30) -> float:
    """Median seconds to price one listing on its own (what one request to a service costs)."""
    row = listings.iloc[:1]
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        model.predict(row)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def paired_latency(model: BaseEstimator, reference: BaseEstimator, listings: pd.DataFrame,
                   batch_size: int = 1000, rounds: int = 7) -> dict[str, float]:
    """Prediction time of ``model`` and ``reference``, timed in alternation in the same rounds.

    Returns model_us_per_row and reference_us_per_row (the best CPU time of each, per row)
    and latency_ratio, which is exactly the first divided by the second. Timing the two in
    alternation means a busy machine slows both alike, so the ratio stays stable even
    when the absolute times do not.
    """
    batch = listings.iloc[:batch_size]
    if len(batch) == 0:
        raise ValueError("need at least one listing to time predictions")
    best_model = best_reference = float("inf")
    for _ in range(max(1, rounds)):
        start = time.process_time()
        reference.predict(batch)
        best_reference = min(best_reference, time.process_time() - start)
        start = time.process_time()
        model.predict(batch)
        best_model = min(best_model, time.process_time() - start)
    best_reference = max(best_reference, 1e-9)  # a clock tick coarser than the work
    return {"model_us_per_row": best_model / len(batch) * 1e6,
            "reference_us_per_row": best_reference / len(batch) * 1e6,
            "latency_ratio": best_model / best_reference}


def _final_estimator(model: Any) -> tuple[Any, Callable[[pd.DataFrame], Any]]:
    """The last estimator inside ``model`` and a function that turns listings into its inputs."""
    if isinstance(model, TransformedTargetRegressor):
        inner = getattr(model, "regressor_", None)
        if inner is None:
            raise ValueError("the model is not fitted")
        return _final_estimator(inner)
    if isinstance(model, Pipeline):
        head, last = model[:-1], model.steps[-1][1]
        estimator, transform = _final_estimator(last)
        return estimator, lambda listings: transform(head.transform(listings))
    return model, lambda listings: listings


def _xgboost_leaf_depths(booster: Any) -> dict[int, dict[int, int]]:
    """For each tree of an xgboost booster, the depth of each of its nodes (the root is 0)."""
    nodes = booster.trees_to_dataframe()
    depths: dict[int, dict[int, int]] = {}
    for tree, node, feature, yes, no in zip(nodes["Tree"], nodes["Node"], nodes["Feature"], nodes["Yes"],
                                            nodes["No"], strict=True):
        depth = depths.setdefault(int(tree), {0: 0})
        if feature != "Leaf":
            for child in (yes, no):
                depth[int(str(child).rsplit("-", 1)[1])] = depth[int(node)] + 1
    return depths


def tree_comparisons(model: BaseEstimator, listings: pd.DataFrame) -> float | None:
    """How many split comparisons a fitted tree model makes, on average, to price one of ``listings``.

    The work of a tree ensemble's prediction is walking each tree from its root to a leaf:
    one comparison per level. Summed over the trees and averaged over the listings, it is a
    count that does not depend on the machine or how busy it is, and prediction time grows with
    it (``benchmarks/bench_tree_cost.py`` measures how closely). Counted exactly for xgboost
    (the trees the model actually uses), scikit-learn's decision trees and tree ensembles;
    estimated for scikit-learn's histogram gradient boosting (which cannot report the leaf a
    listing reaches) from the training rows that reached each leaf; a model without trees
    (linear, constant) makes none and returns 0.0; any other model returns None.
    """
    estimator, transform = _final_estimator(model)
    if len(listings) == 0:
        raise ValueError("need at least one listing to count comparisons")
    if hasattr(estimator, "get_booster"):  # xgboost's scikit-learn interface
        if estimator.get_params().get("booster") == "gblinear":
            return 0.0
        leaves = np.asarray(estimator.apply(transform(listings)))
        leaves = leaves.reshape(len(listings), -1)
        depths = _xgboost_leaf_depths(estimator.get_booster())
        total = np.zeros(len(listings))
        for tree in range(leaves.shape[1]):
            depth = depths[tree]
            total += np.fromiter((depth[int(leaf)] for leaf in leaves[:, tree]), dtype=float, count=len(listings))
        return float(total.mean())
    trees = getattr(estimator, "estimators_", None)
    if trees is None and hasattr(estimator, "tree_"):  # a single decision tree
        trees = [estimator]
    if trees is not None:  # random forests, extra trees, gradient boosting
        inputs = transform(listings)
        total = 0.0
        for tree in np.ravel(np.asarray(trees, dtype=object)):
            path = tree.decision_path(inputs)
            total += float(path.sum()) - path.shape[0]  # nodes visited minus the leaf: the comparisons
        return total / len(listings)
    predictors = getattr(estimator, "_predictors", None)
    if isinstance(estimator, HistGradientBoostingRegressor) and predictors is not None:
        # No apply() here: each tree's mean leaf depth, weighted by the training rows that reached each leaf.
        total = 0.0
        for predictor in (tree for iteration in predictors for tree in iteration):
            leaves = predictor.nodes[predictor.nodes["is_leaf"] == 1]
            total += float(np.average(leaves["depth"], weights=np.maximum(leaves["count"], 1)))
        return total
    if isinstance(estimator, (ConstantPrice, GroupMedianPrice, Ridge)) or hasattr(estimator, "coef_"):
        return 0.0
    return None


def relative_latency(model: BaseEstimator, reference: BaseEstimator, listings: pd.DataFrame,
                     batch_size: int = 1000, rounds: int = 7) -> float:
    """How many times slower ``model`` predicts than ``reference`` (below 1: faster).

    The two are timed in alternation, in CPU time, and the best time of each is compared,
    so a busy machine slows both alike and the ratio stays stable (``paired_latency``).
    """
    return paired_latency(model, reference, listings, batch_size, rounds)["latency_ratio"]


def out_of_fold_predictions(model: BaseEstimator, listings: pd.DataFrame, n_splits: int = 5,
                            seed: int = SEED) -> np.ndarray:
    """A prediction for every row of ``listings`` from a clone of ``model`` that never trained on that row.

    Shuffled k-fold: each fold is predicted by a model fitted on the other folds. Use it for
    anything estimated from a model's errors (a smearing factor, a residual spread): on its own
    training rows a flexible model is far closer than on new ones.
    """
    if len(listings) < n_splits:
        raise ValueError(f"need at least {n_splits} listings for {n_splits} folds, got {len(listings)}")
    predictions = np.empty(len(listings))
    for train_rows, held_out in KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(listings):
        part = listings.iloc[train_rows]
        predictions[held_out] = clone(model).fit(part, part[TARGET]).predict(listings.iloc[held_out])
    return predictions


def smearing_factor(y_true: Any, y_pred: Any) -> float:
    """Duan's smearing estimate for a model of log price: the mean of price / predicted price.

    A model trained on log(price) and transformed back with exp predicts (about) the *median*
    price of listings like this one; with right-skewed prices the mean is higher. Multiplying
    the predictions by this factor (the mean of exp(log residual)) estimates the mean instead,
    if the log errors spread alike everywhere. Estimate it on rows the model did not train on
    (``out_of_fold_predictions``, or a validation set): on its training rows it is too small.
    """
    true = np.asarray(y_true, dtype=float).ravel()
    pred = np.asarray(y_pred, dtype=float).ravel()
    if true.shape != pred.shape or true.size == 0:
        raise ValueError(f"need as many predictions as prices, got {pred.size} and {true.size}")
    if (true <= 0).any() or (pred <= 0).any():
        raise ValueError("prices and predictions must be positive")
    return float(np.mean(true / pred))


def learning_curve_tables(models: Mapping[str, BaseEstimator], train: pd.DataFrame, valid: pd.DataFrame,
                          sizes: Sequence[int], seed: int = SEED,
                          progress: Callable[[Iterable, int], Iterable] | None = None) -> pd.DataFrame:
    """``learning_curve_table`` for several models, one table with a ``model`` column (the mapping's keys)."""
    names = list(models)
    loop: Iterable = names if progress is None else progress(names, len(names))
    return pd.concat([learning_curve_table(models[name], train, valid, sizes, seed).assign(model=name)
                      for name in loop], ignore_index=True)


def fit_model(family: str, listings: pd.DataFrame, seed: int = SEED, **params: Any) -> BaseEstimator:
    """``make_model(family, seed=seed, **params)`` fitted on ``listings``."""
    return make_model(family, seed=seed, **params).fit(listings, listings[TARGET])


def learning_curve_table(model: BaseEstimator, train: pd.DataFrame, valid: pd.DataFrame,
                         sizes: Sequence[int], seed: int = SEED) -> pd.DataFrame:
    """Train and validation RMSE of ``model`` fitted on growing random subsets of ``train``."""
    from mlcourse.evaluation import rmse

    rows = []
    order = np.random.default_rng(seed).permutation(len(train))
    for size in sizes:
        subset = train.iloc[np.sort(order[: min(size, len(train))])]
        fitted = clone(model).fit(subset, subset[TARGET])
        rows.append({"training rows": len(subset), "data": "training",
                     "rmse": rmse(subset[TARGET], fitted.predict(subset))})
        rows.append({"training rows": len(subset), "data": "validation",
                     "rmse": rmse(valid[TARGET], fitted.predict(valid))})
    return pd.DataFrame(rows)


# ======================================================================================
# Budgeted search
# ======================================================================================
def sample_candidates(space: Mapping[str, Sequence], n_candidates: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``n_candidates`` distinct parameter settings drawn at random from ``space``."""
    return [dict(sorted(p.items())) for p in ParameterSampler(dict(space), n_iter=n_candidates, random_state=seed)]


def random_search(family: str, space: Mapping[str, Sequence], train: pd.DataFrame, valid: pd.DataFrame,
                  n_candidates: int = 10, seed: int = SEED, time_budget_seconds: float | None = None,
                  reference: BaseEstimator | None = None,
                  progress: Callable[[Iterable, int], Iterable] | None = None,
                  on_result: Callable[[dict[str, Any], dict[str, float], BaseEstimator], None] | None = None,
                  holdout: pd.DataFrame | None = None,
                  predictions: dict[int, dict[str, np.ndarray]] | None = None,
                  ) -> pd.DataFrame:
    """Random search with a budget: at most ``n_candidates`` settings and, if given, a time budget.

    Each candidate is fitted on ``train`` and scored on ``valid`` (never on the test set),
    and its prediction latency is measured in microseconds per row. If a fitted
    ``reference`` model is given, the candidate and the reference are timed in alternation
    in the same rounds (``paired_latency``): the table then has latency_us_per_row,
    reference_us_per_row and latency_ratio, their exact quotient (a busy machine disturbs
    the ratio far less than the absolute times). ``progress`` wraps the
    loop (for example ``lambda it, total: mo.status.progress_bar(it, total=total)``);
    ``on_result(params, scores, model)`` is called after each candidate (for example to
    log it to MLflow). Returns one row per candidate tried, best RMSE first.

    ``holdout``: more rows, never used to choose, scored for every candidate (``holdout_rmse``):
    what the winner scores on fresh data (``winners_curse``). ``predictions``: a dict filled with
    each candidate's predictions, ``{candidate: {"validation": ..., "holdout": ...}}``.
    """
    candidates = sample_candidates(space, n_candidates, seed)
    loop: Iterable = candidates if progress is None else progress(candidates, len(candidates))
    started = time.perf_counter()
    rows = []
    for i, params in enumerate(loop, start=1):
        if time_budget_seconds is not None and rows and time.perf_counter() - started > time_budget_seconds:
            break
        model = make_model(family, seed=seed, **params)
        scores = fit_and_score(model, train, valid, measure_latency=reference is None)
        if reference is not None:
            paired = paired_latency(model, reference, valid, rounds=3)
            scores["latency_us_per_row"] = paired["model_us_per_row"]
            scores["reference_us_per_row"] = paired["reference_us_per_row"]
            scores["latency_ratio"] = paired["latency_ratio"]
        if holdout is not None:
            from mlcourse.evaluation import rmse

            holdout_predictions = model.predict(holdout)
            scores["holdout_rmse"] = rmse(holdout[TARGET], holdout_predictions)
        if predictions is not None:
            predictions[i] = {"validation": model.predict(valid)}
            if holdout is not None:
                predictions[i]["holdout"] = holdout_predictions
        rows.append({"candidate": i, **params, **scores})
        if on_result is not None:
            on_result(params, scores, model)
    table = pd.DataFrame(rows)
    return table.sort_values("rmse", kind="stable").reset_index(drop=True)


def random_search_with_holdout(family: str, space: Mapping[str, Sequence], train: pd.DataFrame,
                               valid: pd.DataFrame, holdout: pd.DataFrame, **kwargs: Any,
                               ) -> tuple[pd.DataFrame, dict[int, dict[str, np.ndarray]]]:
    """``random_search`` with a ``holdout``, returning the table and every candidate's predictions
    (``{candidate: {"validation": ..., "holdout": ...}}``, what ``winners_curse`` needs)."""
    predictions: dict[int, dict[str, np.ndarray]] = {}
    table = random_search(family, space, train, valid, holdout=holdout, predictions=predictions, **kwargs)
    return table, predictions


def best_within_budget(results: pd.DataFrame, budget: float, latency: str = "latency_us_per_row",
                       metric: str = "rmse") -> pd.Series | None:
    """The best candidate (lowest ``metric``) whose ``latency`` column meets the budget; None if none does."""
    eligible = results[results[latency] <= budget]
    if eligible.empty:
        return None
    return eligible.sort_values(metric, kind="stable").iloc[0]


def winners_curse(results: pd.DataFrame, validation_prices: Any,
                  predictions: Mapping[int, Mapping[str, np.ndarray]], n_boot: int = 400,
                  seed: int = SEED) -> dict[str, float]:
    """How optimistic the best validation score of a search is, measured two ways.

    ``results`` is a ``random_search`` table run with a ``holdout`` (rows no choice looked at);
    ``predictions`` the dict it filled. On fresh data: the winner's validation RMSE against its
    holdout RMSE, beside the same gap averaged over every candidate (the part of the gap that
    has nothing to do with choosing). By the bootstrap: draw the validation rows with
    replacement, pick the winner on the draw, and score it on the full validation set; the mean
    of (full - draw) is the expected optimism of picking the best of this many candidates
    (Efron's bootstrap estimate of optimism), with the 5th and 95th percentiles of the draws.
    A positive optimism means the winner's validation RMSE is too low: it looks better than it is.
    """
    if results.empty or "holdout_rmse" not in results:
        raise ValueError("winners_curse needs a random_search table run with a holdout")
    prices = np.asarray(validation_prices, dtype=float)
    candidates = list(results["candidate"])
    squared = np.stack([(np.asarray(predictions[c]["validation"]) - prices) ** 2 for c in candidates])
    full = np.sqrt(squared.mean(axis=1))
    rng = np.random.default_rng(seed)
    optimism = np.empty(n_boot)
    for b in range(n_boot):
        rows = rng.integers(0, prices.size, prices.size)
        drawn = np.sqrt(squared[:, rows].mean(axis=1))
        best = int(np.argmin(drawn))
        optimism[b] = full[best] - drawn[best]
    winner = results.sort_values("rmse", kind="stable").iloc[0]
    gaps = results["holdout_rmse"] - results["rmse"]
    return {"candidates": len(results), "winner": int(winner["candidate"]),
            "winner_validation_rmse": float(winner["rmse"]), "winner_holdout_rmse": float(winner["holdout_rmse"]),
            "winner_gap": float(winner["holdout_rmse"] - winner["rmse"]), "mean_gap": float(gaps.mean()),
            "selection_gap": float(winner["holdout_rmse"] - winner["rmse"] - gaps.mean()),
            "winner_holdout_rank": int((results["holdout_rmse"] < winner["holdout_rmse"]).sum()) + 1,
            "bootstrap_optimism": float(optimism.mean()), "bootstrap_low": float(np.quantile(optimism, 0.05)),
            "bootstrap_high": float(np.quantile(optimism, 0.95))}


# ======================================================================================
# The reference models Module 4 and the exercises evaluate
# ======================================================================================
@dataclass(frozen=True)
class FittedModel:
    """A fitted model with the split it was trained and evaluated on."""

    model: BaseEstimator
    train: pd.DataFrame
    test: pd.DataFrame
    train_predictions: np.ndarray
    test_predictions: np.ndarray
    validation: pd.DataFrame | None = None  # held out from training, for decisions (a threshold, a correction)
    validation_predictions: np.ndarray | None = None
    validation_model: BaseEstimator | None = None  # the model validation_predictions come from, if not ``model``


SPLITS = ("time", "random")
FITTED_MODEL_CACHE = "fitted-model"  # the disk-cache name of fit_model results (mlcourse.cache.cached_call)


def _reference_split(split: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, pd.DataFrame]:
    """(development, train, validation, test) of the reference models; validation is None for "random"."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if split == "random":  # the course's earlier split, kept for comparison
        development, test = random_split(pricing_listings())
        return development, development, None, test
    parts = course_split(pricing_listings())
    return parts.development, parts.train, parts.validation, parts.test


@functools.lru_cache(maxsize=2)
def reference_price_model(split: str = "time") -> FittedModel:
    """The tuned xgboost price model (``TUNED_XGBOOST_PARAMS``) on the course's split.

    split="time" (the default): fitted on the development rows of ``course_split`` (training and
    validation together, as Module 3's final model) and tested on the latest 20% of listings.
    Its ``validation_predictions`` come from the same settings fitted on the training rows alone
    (``validation_model``), so they are out of sample: estimate corrections and importances there.
    split="random": the course's earlier split (a random 80% to train, seed 0), no validation set.

    Cached in memory and on disk (``mlcourse.cache``): Module 4 and its exercises share one fit.
    Do not modify what it returns.
    """
    from mlcourse.cache import cached_call

    development, train, validation, test = _reference_split(split)
    # the same cache entry as any fit of these settings on these rows (Module 3's final model included)
    model = cached_call(FITTED_MODEL_CACHE, fit_model, "xgboost", development, **TUNED_XGBOOST_PARAMS)
    early = validation_predictions = None
    if validation is not None:
        early = cached_call(FITTED_MODEL_CACHE, fit_model, "xgboost", train, **TUNED_XGBOOST_PARAMS)
        validation_predictions = early.predict(validation)
    return FittedModel(model, development, test, model.predict(development), model.predict(test), validation,
                       validation_predictions, early)


@functools.lru_cache(maxsize=2)
def reference_baseline_predictions(split: str = "time") -> np.ndarray:
    """Test-set predictions of the era x rarity median rule, trained on the reference model's training rows."""
    fitted = reference_price_model(split)
    rule = make_model("era_rarity").fit(fitted.train, fitted.train[TARGET])
    return rule.predict(fitted.test)


@functools.lru_cache(maxsize=2)
def reference_review_classifier(split: str = "time") -> FittedModel:
    """The classifier that flags listings above HIGH_VALUE_USD, with a validation split for decisions.

    Same test set as the price model. split="time" (the default): it trains on the training
    rows of ``course_split`` and its **validation** set is the period that follows them, where a
    decision threshold is tuned before it is reported once on the (later) test set.
    split="random": the earlier split, a random 80% of the development rows to train (seed 1)
    and the other 20% to validate. Predictions are probabilities that the listing is high-value.
    Cached in memory and on disk, like ``reference_price_model``.
    """
    from mlcourse.cache import cached

    development, train, validation, test = _reference_split(split)
    if validation is None:
        train, validation = random_split(development, seed=1)

    def fit() -> dict[str, Any]:
        model = make_classifier().fit(train, is_high_value(train))
        return {"model": model, "train": model.predict_proba(train)[:, 1], "test": model.predict_proba(test)[:, 1],
                "validation": model.predict_proba(validation)[:, 1]}

    fitted = cached(f"reference-review-classifier-{split}", fit, train, validation, test)
    return FittedModel(fitted["model"], train, test, fitted["train"], fitted["test"], validation,
                       fitted["validation"])


def is_high_value(listings: pd.DataFrame, threshold_usd: float = HIGH_VALUE_USD) -> np.ndarray:
    """1 where the listing sold above ``threshold_usd``, else 0 (the review classifier's label)."""
    return (listings[TARGET].to_numpy() > threshold_usd).astype(int)
