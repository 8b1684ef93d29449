"""The course's shared feature definitions for pricing a listing.

One definition, used by the modules, the capstone starter and the inference service, so
training and serving can never compute a feature two ways (training/serving skew).

Every feature here is known *before* the sale: nothing is derived from the price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from mlcourse.dataset import WINDOW_START

CATEGORICAL = ["era", "rarity", "finish", "language", "condition", "supertype", "pokemon_type", "grader"]
NUMERIC = ["hp", "attack", "defense", "speed", "base_stat_total", "generation", "card_number",
           "grade", "days_since_release", "listing_day", "attack_defense_ratio"]
BOOLEAN = ["is_legendary", "is_mythical", "is_alt_art", "first_edition", "graded"]
FEATURES = CATEGORICAL + NUMERIC + BOOLEAN

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


def add_features(listings: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``listings`` with the derived features added (input left untouched)."""
    missing = [c for c in INPUT_COLUMNS if c not in listings.columns]
    if missing:
        raise ValueError(f"add_features needs the columns {missing}")
    listing_date = pd.to_datetime(listings["listing_date"])
    release_date = pd.to_datetime(listings["release_date"])
    return listings.assign(
        days_since_release=(listing_date - release_date).dt.days.astype("float64"),
        listing_day=(listing_date - WINDOW_START).dt.days.astype("float64"),
        attack_defense_ratio=safe_ratio(listings["attack"], listings["defense"]),
    )


def feature_frame(listings: pd.DataFrame) -> pd.DataFrame:
    """The model's input matrix: FEATURES, with plain dtypes every estimator accepts."""
    df = add_features(listings)
    out = pd.DataFrame(index=df.index)
    for col in CATEGORICAL:
        out[col] = df[col].astype("object").where(df[col].notna(), np.nan)
    for col in NUMERIC:
        out[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    for col in BOOLEAN:
        out[col] = df[col].astype("float64")
    return out


def make_preprocessor(kind: str = "tree") -> ColumnTransformer:
    """Column preprocessing for a model family.

    kind="tree": categories to integer codes (unknown and missing categories get -1),
    numbers passed through with their NaN (tree ensembles handle them).
    kind="linear": one-hot categories (rare ones pooled), median-imputed and scaled numbers.
    """
    if kind == "tree":
        categorical = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                     encoded_missing_value=-1)
        return ColumnTransformer([("categories", categorical, CATEGORICAL),
                                  ("numbers", "passthrough", NUMERIC + BOOLEAN)],
                                 verbose_feature_names_out=False)
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
