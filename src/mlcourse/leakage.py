"""Data leakage, measured: leaky and honest versions of one pipeline, and a behavioural audit.

Every pipeline here has the same shape, ``fit_predict(train, valid) -> predictions``: it
receives training listings and validation listings (both with their ``price_usd``, as a
careless script would), fits on what it chooses, and returns its predictions of
``log(price_usd)`` for the validation rows. The leaky ones choose badly. Module 2 measures
how much each leak inflates the validation score; exercise 2.2 asks the learner to fix a
pipeline with several planted leaks, and :func:`audit` checks the fix by behaviour:

- the predictions must not change when the validation *prices* are shuffled (nothing
  learnt from the answers);
- the prediction for a validation row must not change when *other* validation rows are
  removed (every statistic was fitted on the training rows only);
- two identical calls must give identical predictions (seeded), or the two tests above
  mean nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler, TargetEncoder
from threadpoolctl import threadpool_limits

from mlcourse.dataset import load_listings
from mlcourse.features import BOOLEAN, CATEGORICAL, FEATURES, NUMERIC, feature_frame, make_preprocessor

TARGET = "price_usd"
FitPredict = Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]


# ======================================================================================
# Data
# ======================================================================================
@functools.lru_cache(maxsize=4)
def _demo_split(n: int, valid_share: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    sample = load_listings().sample(n, random_state=seed).sort_values(["listing_date", "listing_id"])
    sample = sample.reset_index(drop=True)
    cut = int(round(n * (1 - valid_share)))
    return sample.iloc[:cut].reset_index(drop=True), sample.iloc[cut:].reset_index(drop=True)


def demo_split(n: int = 12_000, valid_share: float = 0.25, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A fixed sample of listings split in time: the earliest for training, the latest to validate.

    Validating on later listings is how the model will be used: trained on the past,
    pricing the future. Returns fresh copies.
    """
    if not 0 < valid_share < 1:
        raise ValueError(f"valid_share must be between 0 and 1, got {valid_share!r}")
    train, valid = _demo_split(n, valid_share, seed)
    return train.copy(), valid.copy()


def log_price(listings: pd.DataFrame) -> np.ndarray:
    """The target every pipeline here predicts: log(price in USD)."""
    return np.log(listings[TARGET].to_numpy(dtype="float64"))


def validation_r2(valid: pd.DataFrame, predictions: np.ndarray) -> float:
    """R^2 of predicted log prices on the validation listings (1 = perfect, 0 = predicting the mean)."""
    return float(r2_score(log_price(valid), np.asarray(predictions, dtype="float64")))


def seeded_target_encoder() -> TargetEncoder:
    """sklearn's TargetEncoder with seeded cross-fitting (its default shuffles without a seed)."""
    return TargetEncoder(cv=KFold(5, shuffle=True, random_state=0))


def _ridge(preprocessor) -> Pipeline:
    return make_pipeline(preprocessor, Ridge(alpha=1.0))


def _fit_predict(model: Pipeline, train_x: pd.DataFrame, train_y: np.ndarray, valid_x: pd.DataFrame) -> np.ndarray:
    with threadpool_limits(limits=1):
        model.fit(train_x, train_y)
        return model.predict(valid_x)


def _with_extra(preprocessor, extra: list[str]) -> ColumnTransformer:
    """The shared linear preprocessing of FEATURES, plus scaled extra numeric columns."""
    return ColumnTransformer([("features", preprocessor, FEATURES),
                              ("extra", StandardScaler(), extra)])


# ======================================================================================
# The honest pipeline and its leaky variants
# ======================================================================================
def honest(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """Preprocessing inside a Pipeline, fitted on the training rows only. No price-derived input."""
    model = _ridge(make_preprocessor("linear"))
    return _fit_predict(model, feature_frame(train), log_price(train), feature_frame(valid))


def scaler_fit_on_all(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """LEAK: imputer medians, scaler means and one-hot categories learnt from train + validation."""
    preprocessor = make_preprocessor("linear")
    with threadpool_limits(limits=1):
        preprocessor.fit(feature_frame(pd.concat([train, valid], ignore_index=True)))
        model = Ridge(alpha=1.0).fit(preprocessor.transform(feature_frame(train)), log_price(train))
        return model.predict(preprocessor.transform(feature_frame(valid)))


def card_mean_on_all(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """LEAK: target encoding of the card, the mean log price per card over train + validation."""
    both = pd.concat([train, valid], ignore_index=True)
    card_mean = pd.Series(np.log(both[TARGET].to_numpy()), index=both.index).groupby(both["card_id"]).mean()
    train_x = feature_frame(train).assign(card_mean=train["card_id"].map(card_mean).to_numpy())
    valid_x = feature_frame(valid).assign(card_mean=valid["card_id"].map(card_mean).to_numpy())
    model = _ridge(_with_extra(make_preprocessor("linear"), ["card_mean"]))
    return _fit_predict(model, train_x, log_price(train), valid_x)


def card_mean_in_sample(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """TRAP (no leak, but overfits): the card's mean log price over the training rows, each row included."""
    card_mean = pd.Series(log_price(train)).groupby(train["card_id"].to_numpy()).mean()
    fallback = float(log_price(train).mean())
    train_x = feature_frame(train).assign(card_mean=train["card_id"].map(card_mean).to_numpy())
    valid_x = feature_frame(valid).assign(card_mean=valid["card_id"].map(card_mean).fillna(fallback).to_numpy())
    model = _ridge(_with_extra(make_preprocessor("linear"), ["card_mean"]))
    return _fit_predict(model, train_x, log_price(train), valid_x)


def card_mean_cross_fitted(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """HONEST: sklearn's TargetEncoder inside the Pipeline, cross-fitted on the training rows."""
    preprocessor = ColumnTransformer([("features", make_preprocessor("linear"), FEATURES),
                                      ("card", seeded_target_encoder(), ["card_id"])])
    train_x = feature_frame(train).assign(card_id=train["card_id"].to_numpy())
    valid_x = feature_frame(valid).assign(card_id=valid["card_id"].to_numpy())
    return _fit_predict(_ridge(preprocessor), train_x, log_price(train), valid_x)


def price_tier(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """LEAK: a 'price tier' column (the quintile of the listing's own price) used as a feature."""
    edges = np.quantile(train[TARGET], [0.2, 0.4, 0.6, 0.8])
    train_x = feature_frame(train).assign(price_tier=np.searchsorted(edges, train[TARGET]).astype(float))
    valid_x = feature_frame(valid).assign(price_tier=np.searchsorted(edges, valid[TARGET]).astype(float))
    model = _ridge(_with_extra(make_preprocessor("linear"), ["price_tier"]))
    return _fit_predict(model, train_x, log_price(train), valid_x)


def card_month_mean(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """LEAK (future data): the card's mean log price over the calendar month of the listing.

    On the day of a listing, the rest of its month has not happened yet, and the average
    includes the listing's own price.
    """
    both = pd.concat([train, valid], ignore_index=True)
    month = both["listing_date"].dt.to_period("M")
    both_mean = pd.Series(np.log(both[TARGET].to_numpy())).groupby([both["card_id"], month]).transform("mean")
    train_x = feature_frame(train).assign(card_month_mean=both_mean.iloc[:len(train)].to_numpy())
    valid_x = feature_frame(valid).assign(card_month_mean=both_mean.iloc[len(train):].to_numpy())
    model = _ridge(_with_extra(make_preprocessor("linear"), ["card_month_mean"]))
    return _fit_predict(model, train_x, log_price(train), valid_x)


def card_history_mean(history: pd.DataFrame, listings: pd.DataFrame) -> np.ndarray:
    """For each listing, the mean log price of the same card's listings in ``history`` dated
    strictly before it (NaN if there are none). Uses only the past.
    """
    past = pd.DataFrame({"card_id": history["card_id"].to_numpy(), "date": history["listing_date"].to_numpy(),
                         "log_price": log_price(history)}).sort_values("date", kind="stable")
    past["cum_sum"] = past.groupby("card_id")["log_price"].cumsum()
    past["cum_n"] = past.groupby("card_id").cumcount() + 1
    query = pd.DataFrame({"card_id": listings["card_id"].to_numpy(), "date": listings["listing_date"].to_numpy(),
                          "row": np.arange(len(listings))}).sort_values("date", kind="stable")
    merged = pd.merge_asof(query, past[["card_id", "date", "cum_sum", "cum_n"]], on="date", by="card_id",
                           allow_exact_matches=False)
    merged = merged.sort_values("row")
    return (merged["cum_sum"] / merged["cum_n"]).to_numpy(dtype="float64")


def card_history_honest(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """HONEST: the card's mean log price over its earlier listings, from the training period only."""
    history = card_history_mean(train, train)
    fallback = float(np.nanmean(history))
    train_x = feature_frame(train).assign(card_history=np.where(np.isnan(history), fallback, history))
    valid_history = card_history_mean(train, valid)
    valid_x = feature_frame(valid).assign(card_history=np.where(np.isnan(valid_history), fallback, valid_history))
    model = _ridge(_with_extra(make_preprocessor("linear"), ["card_history"]))
    return _fit_predict(model, train_x, log_price(train), valid_x)


PREPROCESSING_PARTS = {
    "scaler": "scaler means and spreads",
    "imputer": "imputer medians",
    "categories": "one-hot categories (which are kept, which pooled as rare)",
    "all": "all three (the leaky pipeline above)",
}


def _partly_leaky_preprocessor(train_x: pd.DataFrame, all_x: pd.DataFrame, part: str) -> ColumnTransformer:
    """The shared linear preprocessing fitted on the training rows, then one part refitted on train + validation."""
    if part not in PREPROCESSING_PARTS and part != "none":
        raise ValueError(f"part must be 'none' or one of {list(PREPROCESSING_PARTS)}, got {part!r}")
    preprocessor = make_preprocessor("linear").fit(train_x)
    numbers = preprocessor.named_transformers_["numbers"]
    number_columns = NUMERIC + BOOLEAN
    if part in ("imputer", "all"):
        numbers[0].fit(all_x[number_columns])
    if part in ("scaler", "all"):
        numbers[-1].fit(numbers[0].transform(all_x[number_columns]))
    if part in ("categories", "all"):
        preprocessor.named_transformers_["categories"].fit(all_x[CATEGORICAL])
    return preprocessor


def preprocessing_leak_parts(train: pd.DataFrame, valid: pd.DataFrame) -> pd.DataFrame:
    """Which part of the preprocessing leak moves the predictions, and for which model.

    Each part (scaler, imputer, one-hot categories) is fitted on train + validation alone,
    the rest on the training rows, for a Ridge regression (its penalty depends on the
    scale of the columns) and a plain linear regression (it does not). One row per part
    and model: the largest change in a validation prediction against the honest pipeline,
    and the validation R^2.
    """
    train_x, valid_x = feature_frame(train), feature_frame(valid)
    all_x = pd.concat([train_x, valid_x], ignore_index=True)
    y = log_price(train)
    models = {"Ridge": lambda: Ridge(alpha=1.0), "linear regression": LinearRegression}
    predictions: dict[str, dict[str, np.ndarray]] = {name: {} for name in models}
    with threadpool_limits(limits=1):
        for part in ("none", *PREPROCESSING_PARTS):
            preprocessor = _partly_leaky_preprocessor(train_x, all_x, part)
            train_t, valid_t = preprocessor.transform(train_x), preprocessor.transform(valid_x)
            for model_name, make_model in models.items():
                predictions[model_name][part] = make_model().fit(train_t, y).predict(valid_t)
    rows = []
    for model_name in models:
        for part, what in PREPROCESSING_PARTS.items():
            mine, honest_predictions = predictions[model_name][part], predictions[model_name]["none"]
            rows.append({"fitted on train + validation": what, "part": part, "model": model_name,
                         "largest change in a prediction": _largest_change(mine, honest_predictions),
                         "validation R²": validation_r2(valid, mine),
                         "honest R²": validation_r2(valid, honest_predictions)})
    return pd.DataFrame(rows)


def categories_gained_from_validation(train: pd.DataFrame, valid: pd.DataFrame) -> list[str]:
    """Categories that get a one-hot column of their own only when the validation rows are in the fit.

    Either new (never seen in training) or rare in training (pooled as "infrequent") but
    frequent enough once the validation rows are added. As "column: category" strings.
    """
    def encoder(rows: pd.DataFrame):
        return make_preprocessor("linear").fit(feature_frame(rows)).named_transformers_["categories"][-1]

    honest_encoder = encoder(train)
    leaky_encoder = encoder(pd.concat([train, valid], ignore_index=True))
    gained = []
    for column, honest_cats, leaky_cats, honest_rare, leaky_rare in zip(
            CATEGORICAL, honest_encoder.categories_, leaky_encoder.categories_,
            honest_encoder.infrequent_categories_, leaky_encoder.infrequent_categories_, strict=True):
        own_honest = set(honest_cats) - set([] if honest_rare is None else list(honest_rare))
        own_leaky = set(leaky_cats) - set([] if leaky_rare is None else list(leaky_rare))
        gained += [f"{column}: {category}" for category in sorted(own_leaky - own_honest, key=str)]
    return gained


@dataclass(frozen=True)
class LeakDemo:
    leak: str
    leaky: FitPredict
    honest: FitPredict
    fix: str


LEAK_DEMOS: list[LeakDemo] = [
    LeakDemo("Imputer, scaler and encoder fitted on train + validation", scaler_fit_on_all, honest,
             "Fit preprocessing inside a Pipeline, on the training rows only."),
    LeakDemo("Card target encoding computed on train + validation", card_mean_on_all, card_mean_cross_fitted,
             "TargetEncoder inside the Pipeline: fitted on training rows, cross-fitted."),
    LeakDemo("A 'price tier' feature derived from the price", price_tier, honest,
             "Drop it: anything computed from the target is the target."),
    LeakDemo("The card's average price over the listing's month (future data)", card_month_mean,
             card_history_honest, "Use only listings dated before the one you price."),
]


@functools.lru_cache(maxsize=32)
def demo_r2(fit_predict: FitPredict, n: int = 12_000, valid_share: float = 0.25, seed: int = 0) -> float:
    """Validation R^2 of a pipeline on :func:`demo_split` (computed once per process)."""
    train, valid = demo_split(n, valid_share, seed)
    return validation_r2(valid, fit_predict(train, valid))


def scoreboard(n: int = 12_000, valid_share: float = 0.25, seed: int = 0) -> pd.DataFrame:
    """Each leak's validation R^2 next to its honest fix's, and the inflation, on :func:`demo_split`."""
    rows = []
    for demo in LEAK_DEMOS:
        leaky = demo_r2(demo.leaky, n, valid_share, seed)
        fixed = demo_r2(demo.honest, n, valid_share, seed)
        rows.append({"leak": demo.leak, "leaky R²": leaky, "honest R²": fixed,
                     "inflation": leaky - fixed, "fix": demo.fix})
    return pd.DataFrame(rows)


# ======================================================================================
# The behavioural audit
# ======================================================================================
@dataclass(frozen=True)
class LeakAudit:
    deterministic: bool
    uses_validation_prices: bool
    fits_on_validation_rows: bool
    largest_change: float  # the largest change in a prediction seen in the two leak tests

    @property
    def passed(self) -> bool:
        return self.deterministic and not self.uses_validation_prices and not self.fits_on_validation_rows

    def problems(self) -> list[str]:
        """Plain-English findings, empty when the audit passes."""
        if not self.deterministic:
            return ["Two identical calls gave different predictions: seed every random step "
                    "(a TargetEncoder needs `cv=KFold(5, shuffle=True, random_state=0)`), or the leak "
                    "tests cannot tell a leak from noise."]
        found = []
        if self.uses_validation_prices:
            found.append("The validation predictions change when the validation *prices* are shuffled: "
                         "something is computed from the prices of the rows you validate on (an "
                         "encoding, a feature or a statistic that saw the answers).")
        if self.fits_on_validation_rows:
            found.append("A validation row's prediction changes when other validation rows are removed: "
                         "a statistic (a scaler, an imputer, an encoder, a group average) was fitted on "
                         "validation rows. Fit everything on the training rows only.")
        return found


def _largest_change(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype="float64") - np.asarray(b, dtype="float64")), initial=0.0))


def audit(fit_predict: FitPredict, train: pd.DataFrame, valid: pd.DataFrame, tolerance: float = 1e-9) -> LeakAudit:
    """Run ``fit_predict`` four times on controlled inputs and report what its predictions depend on.

    ``fit_predict`` is called with copies, and must return one prediction per validation
    row (the caller validates the output: this function compares numbers).
    """
    first = np.asarray(fit_predict(train.copy(), valid.copy()), dtype="float64")
    second = np.asarray(fit_predict(train.copy(), valid.copy()), dtype="float64")
    if _largest_change(first, second) > tolerance:
        return LeakAudit(deterministic=False, uses_validation_prices=False, fits_on_validation_rows=False,
                         largest_change=_largest_change(first, second))
    rng = np.random.default_rng(0)
    shuffled = valid.copy()
    shuffled[TARGET] = rng.permutation(shuffled[TARGET].to_numpy())
    with_shuffled_prices = np.asarray(fit_predict(train.copy(), shuffled), dtype="float64")
    price_change = _largest_change(first, with_shuffled_prices)
    every_other = valid.iloc[::2].reset_index(drop=True)
    on_fewer_rows = np.asarray(fit_predict(train.copy(), every_other), dtype="float64")
    rows_change = _largest_change(first[::2], on_fewer_rows)
    return LeakAudit(deterministic=True, uses_validation_prices=price_change > tolerance,
                     fits_on_validation_rows=rows_change > tolerance,
                     largest_change=max(price_change, rows_change))


def audit_table(pipelines: dict[str, FitPredict], train: pd.DataFrame, valid: pd.DataFrame) -> pd.DataFrame:
    """The audit of several pipelines, one row each."""
    rows = []
    for name, fn in pipelines.items():
        result = audit(fn, train, valid)
        rows.append({"pipeline": name,
                     "uses validation prices": "yes" if result.uses_validation_prices else "no",
                     "fits on validation rows": "yes" if result.fits_on_validation_rows else "no",
                     "largest change in a prediction": result.largest_change,
                     "verdict": "passes" if result.passed else "LEAKS"})
    return pd.DataFrame(rows)


def _same_output(a: object, b: object) -> bool:
    """Equal values in equal places, NaN equal to NaN (Series, DataFrames or arrays)."""
    return pd.DataFrame(np.asarray(a, dtype=object)).equals(pd.DataFrame(np.asarray(b, dtype=object)))


def price_dependence(make_feature: Callable[[pd.DataFrame], object], listings: pd.DataFrame) -> str | None:
    """Why the output of ``make_feature(listings)`` depends on the price, or None if it does not.

    Two behavioural tests: the output must not change when the prices are shuffled
    between listings, and the function must run on the listings without the price column.
    A feature that passes both cannot carry the price into the model.
    """
    reference = make_feature(listings.copy())
    shuffled = listings.copy()
    shuffled[TARGET] = np.random.default_rng(0).permutation(shuffled[TARGET].to_numpy())
    if not _same_output(make_feature(shuffled), reference):
        return "its values change when the prices are shuffled between listings"
    try:
        without_price = make_feature(listings.drop(columns=[TARGET]))
    except KeyError as exc:
        if TARGET in str(exc):
            return f"it reads the `{TARGET}` column"
        raise
    if not _same_output(without_price, reference):  # pragma: no cover - defensive: a price-aware branch
        return "its values change when the price column is removed"
    return None


def future_dependence(make_feature: Callable[[pd.DataFrame], object], listings: pd.DataFrame) -> str | None:
    """Why the output of ``make_feature(listings)`` depends on later listings, or None if it does not.

    The listings are put in time order (``listing_id`` increases with the listing date), the
    feature is computed on all of them and on the earliest half alone: a feature that a
    service could compute on the day of each listing gives the earliest half the same
    values both times. A count, a rank or a mean over the whole table does not.
    """
    ordered = listings.sort_values("listing_id", kind="stable").reset_index(drop=True)
    half = len(ordered) // 2
    on_all = np.asarray(make_feature(ordered.copy()), dtype=object)
    on_past = np.asarray(make_feature(ordered.iloc[:half].copy()), dtype=object)
    if on_all.shape[0] != len(ordered) or on_past.shape[0] != half or not _same_output(on_all[:half], on_past):
        return ("its values for the earliest listings change when the later listings are removed: it is "
                "computed from other listings, including ones listed later")
    return None
