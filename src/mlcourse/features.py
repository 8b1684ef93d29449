"""The course's shared feature definitions for pricing a listing.

One definition, used by the modules, the capstone starter and the inference service, so
training and serving can never compute a feature two ways (training/serving skew).

Every feature here is known *before* the sale: nothing is derived from the price.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlcourse.dataset import WINDOW_START

CATEGORICAL = ["era", "rarity", "finish", "language", "condition", "supertype", "pokemon_type", "grader"]
NUMERIC = ["hp", "attack", "defense", "speed", "base_stat_total", "generation", "card_number",
           "grade", "days_since_release", "listing_day", "attack_defense_ratio"]
BOOLEAN = ["is_legendary", "is_mythical", "is_alt_art", "first_edition", "graded"]
FEATURES = CATEGORICAL + NUMERIC + BOOLEAN
DERIVED = ["days_since_release", "listing_day", "attack_defense_ratio"]

# Columns a listing must carry for add_features() to work (the inputs of the service).
INPUT_COLUMNS = ["listing_date", "release_date", "era", "rarity", "finish", "language", "condition",
                 "supertype", "pokemon_type", "grader", "hp", "attack", "defense", "speed",
                 "base_stat_total", "generation", "card_number", "grade", "is_legendary", "is_mythical",
                 "is_alt_art", "first_edition", "graded"]


def safe_ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, with NaN (not infinity) where the denominator is 0 or missing.

    Defense 0 is the source's placeholder for "not recorded": dividing by it would give
    infinity, which most models silently mishandle.
    """
    num = pd.to_numeric(numerator, errors="coerce").astype("float64")
    den = pd.to_numeric(denominator, errors="coerce").astype("float64")
    return (num / den.where(den > 0)).replace([np.inf, -np.inf], np.nan)


def _check_inputs(listings: Mapping[str, Any]) -> None:
    missing = [c for c in INPUT_COLUMNS if c not in listings]
    if missing:
        raise ValueError(f"the features need the columns {missing}")


def _as_float(values: Any) -> np.ndarray:
    """Any column (pandas nullable ints, numpy, a list with None) as float64 with NaN for missing."""
    if isinstance(values, pd.Series | pd.api.extensions.ExtensionArray):
        if getattr(values, "dtype", None) is not None and values.dtype.kind in "biuf" and not isinstance(
                values.dtype, pd.api.extensions.ExtensionDtype):
            return np.asarray(values, dtype="float64")
        return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    try:
        return np.asarray(values, dtype="float64")  # lists of numbers and None (None becomes NaN)
    except (TypeError, ValueError):
        return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _as_days(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        try:  # dates, ISO date strings and None, read by numpy: a tenth of pandas' cost for one request
            return np.asarray(values, dtype="datetime64[D]")
        except (TypeError, ValueError):
            arr = pd.to_datetime(pd.Series(values)).to_numpy()
    return arr.astype("datetime64[D]")


def _as_category(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=object)
    return np.where(pd.isna(arr), np.nan, arr)


def feature_arrays(columns: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The single implementation of the features: INPUT_COLUMNS in, one array per FEATURES column out.

    ``columns`` is a DataFrame or any mapping of column name to values (the inference
    service passes plain lists, which skips building a DataFrame for each request).
    """
    _check_inputs(columns)
    out: dict[str, np.ndarray] = {col: _as_category(columns[col]) for col in CATEGORICAL}
    listing_day = _as_days(columns["listing_date"])
    attack, defense = _as_float(columns["attack"]), _as_float(columns["defense"])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(defense > 0, attack / defense, np.nan)  # the rule of safe_ratio
    derived = {
        "days_since_release": (listing_day - _as_days(columns["release_date"])).astype("float64"),
        "listing_day": (listing_day - np.datetime64(WINDOW_START.date(), "D")).astype("float64"),
        "attack_defense_ratio": ratio,
    }
    for col in NUMERIC:
        out[col] = derived[col] if col in derived else _as_float(columns[col])
    for col in BOOLEAN:
        out[col] = _as_float(columns[col])
    return out


def add_features(listings: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``listings`` with the derived features added (input left untouched)."""
    arrays = feature_arrays(listings)
    return listings.assign(**{col: arrays[col] for col in DERIVED})


def feature_frame(listings: pd.DataFrame) -> pd.DataFrame:
    """The model's input matrix as a DataFrame: FEATURES, with plain dtypes every estimator accepts."""
    return pd.DataFrame(feature_arrays(listings), index=listings.index, copy=False)


class CategoryCodes(TransformerMixin, BaseEstimator):
    """Categories to integer codes for tree models; numbers passed through as floats.

    The same codes as scikit-learn's ``OrdinalEncoder`` (categories sorted; unknown and
    missing become -1), at a fraction of its per-call cost, and with a state that is plain
    JSON (``categories_``), so a service can store it beside the model. A column that is
    entirely missing in training carries no information and is encoded as -1 (some tree
    implementations cannot bin an all-missing column).
    """

    def __init__(self, categorical: list[str] | None = None, numeric: list[str] | None = None):
        self.categorical = categorical
        self.numeric = numeric

    def _columns(self) -> tuple[list[str], list[str]]:
        return (list(CATEGORICAL if self.categorical is None else self.categorical),
                list(NUMERIC + BOOLEAN if self.numeric is None else self.numeric))

    def _set_state(self, categories: dict[str, list[str]], empty_numeric: list[str]) -> CategoryCodes:
        self.categories_ = {col: list(values) for col, values in categories.items()}
        self.empty_numeric_ = list(empty_numeric)
        self._codes = {col: {v: float(i) for i, v in enumerate(values)} for col, values in self.categories_.items()}
        self.n_features_in_ = sum(map(len, self._columns()))
        return self

    def fit(self, X: pd.DataFrame | Mapping[str, np.ndarray], y=None) -> CategoryCodes:
        """Learn the categories of a feature frame, or of the arrays ``feature_arrays`` returns."""
        categorical, numeric = self._columns()
        categories = {col: sorted({str(v) for v in pd.unique(pd.Series(np.asarray(X[col], dtype=object)).dropna())})
                      for col in categorical}
        empty = [col for col in numeric if np.isnan(_as_float(X[col])).all()]
        return self._set_state(categories, empty)

    @classmethod
    def from_categories(cls, categories: dict[str, list[str]], empty_numeric: list[str] | None = None) -> CategoryCodes:
        """Rebuild a fitted encoder from its saved state (``categories_``, ``empty_numeric_``)."""
        return cls(categorical=list(categories))._set_state(categories, empty_numeric or [])

    def transform(self, X: pd.DataFrame | Mapping[str, np.ndarray]) -> np.ndarray:
        """Encode a feature frame, or the dict of arrays that ``feature_arrays`` returns."""
        categorical, numeric = self._columns()
        n = len(X[categorical[0]]) if categorical else len(X[numeric[0]])
        out = np.empty((n, len(categorical) + len(numeric)), dtype="float64")
        for j, col in enumerate(categorical):
            codes = self._codes[col]
            out[:, j] = [codes.get(v, -1.0) for v in np.asarray(X[col], dtype=object)]
        for k, col in enumerate(numeric, start=len(categorical)):
            out[:, k] = _as_float(X[col])
        for col in self.empty_numeric_:
            out[:, len(categorical) + numeric.index(col)] = -1.0
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        categorical, numeric = self._columns()
        return np.array(categorical + numeric, dtype=object)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_codes", None)  # derived from categories_; rebuilt on load
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if "categories_" in state:
            self._set_state(state["categories_"], state.get("empty_numeric_", []))


def make_preprocessor(kind: str = "tree") -> CategoryCodes | ColumnTransformer:
    """Column preprocessing for a model family.

    kind="tree": categories to integer codes (unknown and missing categories get -1),
    numbers passed through with their NaN (tree ensembles handle them): ``CategoryCodes``.
    kind="linear": one-hot categories (rare ones pooled), median-imputed and scaled numbers.
    """
    if kind == "tree":
        return CategoryCodes()
    if kind == "linear":
        categorical = make_pipeline(SimpleImputer(strategy="constant", fill_value="missing", keep_empty_features=True),
                                    OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20,
                                                  sparse_output=False))
        numeric = make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler())
        return ColumnTransformer([("categories", categorical, CATEGORICAL),
                                  ("numbers", numeric, NUMERIC + BOOLEAN)],
                                 verbose_feature_names_out=False)
    raise ValueError(f"kind must be 'tree' or 'linear', got {kind!r}")


def pricing_subset(listings: pd.DataFrame) -> pd.DataFrame:
    """The capstone's population: ungraded marketplace listings (a rule known before the sale)."""
    mask = listings["channel"].eq("marketplace") & ~listings["graded"].astype(bool)
    return listings[mask].reset_index(drop=True)
