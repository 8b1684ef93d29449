"""Why the price model says what it says: permutation importance, partial dependence, contributions.

The course's price model is a pipeline from listings to dollars: the features of
``mlcourse.features`` (computed inside the pipeline), category codes, then trees on log price.
Everything here works on the model's **features**, the columns the trees split on
(``features.feature_frame``), so "days since release" and "listing day" are two features even
though both come from the listing date::

    from mlcourse import interpret
    interpret.permutation_importance_table(model, validation)      # what the model relies on
    interpret.partial_dependence_table(model, validation, "rarity")  # how the price moves with one feature
    interpret.contributions(model, validation.head(1))              # why this listing got this price

Read them with their caveats: correlated features share or swap their importance (permute one
and the model still has the other), and none of it is causation: a feature the model relies on
is a pattern in the training data, not a lever that moves prices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline

from mlcourse.features import CATEGORICAL, FEATURES, feature_frame


class FeatureLevelModel(RegressorMixin, BaseEstimator):
    """A fitted listings-to-price model seen from its features: ``predict(feature_frame(listings))``.

    Wraps a fitted ``modeling.make_model`` tree model (a pipeline whose first step computes the
    features, optionally inside a log-target wrapper) and skips its feature step, so that
    scikit-learn's inspection tools can permute and vary one feature at a time.
    """

    def __init__(self, model: Any = None):
        self.model = model

    def _parts(self) -> tuple[Pipeline, Any]:
        model = self.model
        transformer = None
        if isinstance(model, TransformedTargetRegressor):
            transformer = model.transformer_
            model = model.regressor_
        if not isinstance(model, Pipeline) or model.steps[0][0] != "features":
            raise TypeError("FeatureLevelModel needs a fitted model from modeling.make_model (a pipeline of features)")
        return model[1:], transformer

    def fit(self, X: Any = None, y: Any = None) -> FeatureLevelModel:
        """Nothing to fit: the wrapped model is already fitted."""
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        rest, transformer = self._parts()
        raw = np.asarray(rest.predict(X[FEATURES]), dtype=float)
        if transformer is None:
            return raw
        return np.asarray(transformer.inverse_transform(raw.reshape(-1, 1)), dtype=float).ravel()


def _informative(frame: pd.DataFrame) -> list[str]:
    """Features that vary in these rows (a constant column, such as the grade of ungraded cards, says nothing)."""
    return [c for c in FEATURES if frame[c].nunique(dropna=False) > 1]


def permutation_importance_table(model: Any, listings: pd.DataFrame, n_repeats: int = 5, seed: int = 0,
                                 sample: int | None = 2_000) -> pd.DataFrame:
    """How much worse the model gets (RMSE, dollars) when one feature's values are shuffled across rows.

    Uses ``sklearn.inspection.permutation_importance`` on held-out ``listings`` (validation data:
    on training rows it measures what the model memorised). One row per feature that varies:
    importance (the mean increase in RMSE over ``n_repeats`` shuffles), importance_sd, and
    share (of the summed importances). Largest first. ``sample`` rows are used, for speed.
    """
    from sklearn.inspection import permutation_importance

    if sample is not None and len(listings) > sample:
        listings = listings.sample(sample, random_state=seed)
    features = feature_frame(listings)
    wrapped = FeatureLevelModel(model)
    result = permutation_importance(wrapped, features, listings["price_usd"].to_numpy(),
                                    scoring="neg_root_mean_squared_error", n_repeats=n_repeats,
                                    random_state=seed, n_jobs=1)
    table = pd.DataFrame({"feature": FEATURES, "importance": result.importances_mean,
                          "importance_sd": result.importances_std})
    table = table[table["feature"].isin(_informative(features))]
    total = table["importance"].clip(lower=0).sum()
    table["share"] = table["importance"].clip(lower=0) / total if total > 0 else np.nan
    return table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def partial_dependence_table(model: Any, listings: pd.DataFrame, feature: str, grid_points: int = 20,
                             sample: int | None = 1_000, seed: int = 0) -> pd.DataFrame:
    """The average predicted price when every listing's ``feature`` is set to each value of a grid.

    ``sklearn.inspection.partial_dependence`` (kind "average"): for a category, each value seen
    in ``listings``; for a number, ``grid_points`` values between its 5th and 95th percentiles.
    Columns: ``feature`` (the value), average_price (dollars), listings (rows with that value, for
    a category; how much data stands behind the point). It averages over the other features as
    they are, including impossible combinations (a 2025 listing of a card released in 1999 at
    "0 days since release"): read it where the data is.
    """
    from sklearn.inspection import partial_dependence

    if feature not in FEATURES:
        raise ValueError(f"feature must be one of the model's features, got {feature!r}")
    if sample is not None and len(listings) > sample:
        listings = listings.sample(sample, random_state=seed)
    features = feature_frame(listings)
    categorical = feature in CATEGORICAL
    if categorical:
        features[feature] = features[feature].astype(object).where(features[feature].notna(), "(missing)")
    result = partial_dependence(FeatureLevelModel(model), features, [feature], kind="average",
                                categorical_features=[feature] if categorical else None,
                                grid_resolution=grid_points, percentiles=(0.05, 0.95))
    values = result["grid_values"][0]
    table = pd.DataFrame({feature: values, "average_price": result["average"][0]})
    if categorical:
        counts = features[feature].value_counts()
        table["listings"] = table[feature].map(counts).fillna(0).astype(int)
    return table


def contributions(model: Any, listings: pd.DataFrame) -> pd.DataFrame:
    """Per listing, each feature's contribution to the predicted log price (SHAP values, computed by xgboost).

    ``Booster.predict(DMatrix, pred_contribs=True)``: for each listing, one number per feature
    and a ``baseline`` (the model's average log prediction) that add up exactly to the log of
    the predicted price. exp(contribution) is the factor a feature multiplies the price by,
    relative to the baseline. Columns: FEATURES, baseline, log_prediction, predicted_price.
    """
    import xgboost as xgb

    rest, transformer = FeatureLevelModel(model)._parts()
    booster = rest.steps[-1][1]
    if not hasattr(booster, "get_booster"):
        raise TypeError("contributions needs an xgboost model (modeling.make_model('xgboost', ...))")
    matrix = rest[:-1].transform(feature_frame(listings)[FEATURES])
    values = booster.get_booster().predict(xgb.DMatrix(matrix, feature_names=list(FEATURES)), pred_contribs=True)
    table = pd.DataFrame(values[:, :-1], columns=FEATURES, index=listings.index)
    table["baseline"] = values[:, -1]
    table["log_prediction"] = values.sum(axis=1)
    table["predicted_price"] = (np.exp(table["log_prediction"]) if transformer is not None
                                else table["log_prediction"])
    return table


def explain_listing(model: Any, listing: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """One listing's price, feature by feature: the ``top`` largest contributions and the rest pooled.

    Columns: feature, value (the listing's value of it), contribution (log scale), factor
    (exp(contribution): "multiplies the price by"), sorted by size of effect, with a last row
    "other features" for the remainder. The baseline price is in ``table.attrs["baseline_price"]``
    and the prediction in ``table.attrs["predicted_price"]``.
    """
    if len(listing) != 1:
        raise ValueError(f"explain_listing explains one listing, got {len(listing)}")
    parts = contributions(model, listing).iloc[0]
    shown = feature_frame(listing).iloc[0]
    rows = pd.DataFrame({"feature": FEATURES, "value": [shown[c] for c in FEATURES],
                         "contribution": [float(parts[c]) for c in FEATURES]})
    rows = rows.reindex(rows["contribution"].abs().sort_values(ascending=False, kind="stable").index)
    head, tail = rows.head(top), rows.iloc[top:]
    if len(tail):
        head = pd.concat([head, pd.DataFrame([{"feature": "other features", "value": "",
                                               "contribution": float(tail["contribution"].sum())}])])
    head = head.assign(value=head["value"].map(_shown), factor=np.exp(head["contribution"])).reset_index(drop=True)
    head.attrs["baseline_price"] = float(np.exp(parts["baseline"]))
    head.attrs["predicted_price"] = float(parts["predicted_price"])
    return head


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "(missing)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def correlation_with(listings: pd.DataFrame, feature: str, others: list[str] | None = None) -> pd.Series:
    """Absolute Spearman correlation of a numeric feature with the other numeric features (largest first).

    The features that can stand in for ``feature`` when it is permuted: importance is shared
    or swapped between them.
    """
    frame = feature_frame(listings)
    numeric = [c for c in frame.columns if c not in CATEGORICAL and frame[c].nunique() > 1]
    if feature not in numeric:
        raise ValueError(f"{feature!r} is not a numeric feature that varies here")
    columns = [c for c in (others or numeric) if c != feature and c in numeric]
    ranks = frame[[feature, *columns]].astype(float).rank()
    return ranks.corr()[feature].drop(feature).abs().sort_values(ascending=False)
