"""Module 2 exercises: features and leakage.

2.1 Engineer five features, each with a one-line justification: no NaN, no infinity, no target.
2.2 Spot the leakage: fix a pipeline with four planted leaks; checked by behaviour and by its honest score.
2.3 Design one feature that improves a fixed baseline by more than 5% in time-ordered cross-validation.
"""

from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler, TargetEncoder
from threadpoolctl import threadpool_limits

from mlcourse import leakage
from mlcourse.checker import Exercise, Incorrect, NotAttempted, call_learner, is_stub
from mlcourse.dataset import load_listings
from mlcourse.features import FEATURES, feature_frame, make_preprocessor, pricing_subset, safe_ratio


# ======================================================================================
# 2.1 Engineer five features
# ======================================================================================
@functools.lru_cache(maxsize=1)
def _feature_sample() -> pd.DataFrame:
    return load_listings().sample(2_000, random_state=21).sort_values("listing_id").reset_index(drop=True)


def feature_sample() -> pd.DataFrame:
    """2,000 clean listings (a fixed sample) for exercise 2.1. A fresh copy every call."""
    return _feature_sample().copy()


REQUIRED_FEATURES = 5
MIN_JUSTIFICATION_WORDS = 4
MAX_NEW_COLUMNS = 30


def _new_columns(fn, listings: pd.DataFrame) -> pd.DataFrame:
    out = fn(listings)
    return out[[c for c in out.columns if c not in listings.columns]]


def check_engineered_features(engineer: object, justifications: object) -> str:
    if is_stub(engineer) and (is_stub(justifications) or (isinstance(justifications, dict) and not justifications)):
        raise NotAttempted()
    sample = _feature_sample()
    given = sample.copy()
    out = call_learner(engineer, given, what="engineer_features(listings)")
    if not given.equals(sample):
        raise Incorrect("engineer_features modified the DataFrame it was given: start with `out = listings.copy()`.")
    if not isinstance(out, pd.DataFrame):
        raise Incorrect(f"engineer_features returned {type(out).__name__}, not a DataFrame. Did you forget `return`?")
    if len(out) != len(sample) or not out.index.equals(sample.index):
        raise Incorrect(f"engineer_features returned {len(out):,} rows for {len(sample):,} listings: add columns, "
                        "one value per listing, and keep every row in place.")
    dropped = [c for c in sample.columns if c not in out.columns]
    if dropped:
        raise Incorrect(f"engineer_features dropped column(s) {dropped[:3]}: add features, keep the original columns.")
    new = [c for c in out.columns if c not in sample.columns]
    if len(new) < REQUIRED_FEATURES:
        raise Incorrect(f"{len(new)} new column(s) ({', '.join(map(str, new)) or 'none'}); the exercise asks for "
                        f"{REQUIRED_FEATURES}.")
    if len(new) > MAX_NEW_COLUMNS:
        raise Incorrect(f"engineer_features adds {len(new):,} columns; the exercise asks for {REQUIRED_FEATURES} "
                        f"features, each with a reason (up to {MAX_NEW_COLUMNS} is fine). One-hot encoding a column "
                        "with many values is preprocessing for a model (Module 2, section 4), not feature design.")
    existing_values = {name: sample[name].astype("float64").to_numpy() for name in sample.columns
                       if pd.api.types.is_numeric_dtype(sample[name]) or pd.api.types.is_bool_dtype(sample[name])}
    for col in new:
        values = out[col]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            raise Incorrect(f"`{col}` has dtype {values.dtype}: a model needs numbers. Encode a category as 0/1 "
                            "flags or a number.")
        as_float = values.astype("float64")
        if np.isinf(as_float).any():
            raise Incorrect(f"`{col}` has {int(np.isinf(as_float).sum())} infinite value(s): a division by zero "
                            "(Defense is 0 on some cards). Use `features.safe_ratio`, then fill the NaN.")
        if as_float.isna().any():
            raise Incorrect(f"`{col}` has {int(as_float.isna().sum())} missing value(s) (Trainer cards have no "
                            "stats; Defense 0 makes a ratio undefined). Fill them with a value that means "
                            "'not applicable' and consider a 0/1 indicator column.")
        if as_float.nunique() < 2:
            raise Incorrect(f"`{col}` has the same value for every listing: it carries no information.")
        copied = next((name for name, existing in existing_values.items()
                       if np.array_equal(as_float.to_numpy(), existing, equal_nan=True)), None)
        if copied:
            raise Incorrect(f"`{col}` is a copy of the existing column `{copied}`: not a new feature.")
    _reject_rescalings(out[new], sample)
    try:
        reason = leakage.price_dependence(lambda df: _new_columns(engineer, df), sample)
    except Exception as exc:  # the learner's code failed on the altered input
        raise Incorrect(f"engineer_features failed on the listings with shuffled or removed prices "
                        f"({type(exc).__name__}: {exc}). It must work without the price.") from exc
    if reason:
        changed = _price_dependent_columns(engineer, sample)
        which = f" ({', '.join(changed)})" if changed else ""
        raise Incorrect(f"Target leakage: your features{which} depend on the price, since {reason}. A feature "
                        "must be computable before the sale, when the price is unknown.")
    _reject_features_of_other_rows(engineer, sample, out[new])
    if not isinstance(justifications, dict):
        raise Incorrect(f"`justifications` should be a dict mapping each new column to one line, got "
                        f"{type(justifications).__name__}.")
    for col in new:
        line = justifications.get(col)
        if not isinstance(line, str) or len(line.split()) < MIN_JUSTIFICATION_WORDS:
            raise Incorrect(f"Justify `{col}` in one line of at least {MIN_JUSTIFICATION_WORDS} words in "
                            "`justifications`: why would it help price a card?")
        if "\n" in line.strip():
            raise Incorrect(f"The justification of `{col}` spans several lines: one line each.")
    return (f"{len(new)} new features, all numeric, complete, finite, informative, and computed from each "
            f"listing's own row without the price: {', '.join(f'`{c}`' for c in new)}.")


RESCALING_TOLERANCE = 1e-9


def _affine_fit(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The least-squares (slope, intercept) of ``a`` on ``b``, for a message."""
    a_centred, b_centred = a - a.mean(), b - b.mean()
    slope = (a_centred @ b_centred) / (b_centred @ b_centred)
    intercept = a.mean() - slope * b.mean()
    return float(slope), 0.0 if abs(intercept) < 1e-9 * max(1.0, abs(a.mean())) else float(intercept)


def _unit_columns(values: np.ndarray) -> np.ndarray:
    """Each column centred and scaled to length 1 (a constant column becomes zeros)."""
    centred = values - values.mean(axis=0)
    norms = np.linalg.norm(centred, axis=0)
    return centred / np.where(norms == 0, 1.0, norms)


def _reject_rescalings(new: pd.DataFrame, sample: pd.DataFrame) -> None:
    """A new column that is a linear rescaling of another new column, or of an existing one, adds nothing."""
    names = list(new.columns)
    values = new.astype("float64").to_numpy()
    unit = _unit_columns(values)
    correlation = np.abs(np.tril(unit.T @ unit, k=-1))
    rows, cols = np.nonzero(correlation >= 1 - RESCALING_TOLERANCE)
    if len(rows):
        col, other = names[rows[0]], names[cols[0]]
        slope, intercept = _affine_fit(values[:, rows[0]], values[:, cols[0]])
        raise Incorrect(f"`{col}` is a linear rescaling of your `{other}` (`{col}` = {slope:.4g} x `{other}` "
                        f"+ {intercept:.4g} on every listing): a model learns nothing from it that `{other}` "
                        "does not already say. Make five features that carry different information.")
    for existing in sample.columns:
        column = sample[existing]
        if existing == leakage.TARGET or not (pd.api.types.is_numeric_dtype(column)
                                              or pd.api.types.is_bool_dtype(column)):
            continue
        known = column.notna().to_numpy()
        if known.sum() < 20:
            continue
        base = _unit_columns(column[known].astype("float64").to_numpy()[:, None])[:, 0]
        matches = np.nonzero(np.abs(base @ _unit_columns(values[known])) >= 1 - RESCALING_TOLERANCE)[0]
        if len(matches):
            col = names[matches[0]]
            slope, intercept = _affine_fit(values[known, matches[0]], column[known].astype("float64").to_numpy())
            where = "" if known.all() else f" wherever `{existing}` is known"
            raise Incorrect(f"`{col}` is a linear rescaling of the existing column `{existing}` (`{col}` = "
                            f"{slope:.4g} x `{existing}` + {intercept:.4g}{where}): the model already has "
                            f"`{existing}`, so it is not new information. Filling gaps or changing the "
                            "scale is preparation, not a new feature.")


def _changed_on_fewer_rows(engineer, full: pd.DataFrame, rows: pd.DataFrame) -> list[str]:
    """The new columns whose values for ``rows`` differ from their values on the full sample."""
    fewer = call_learner(engineer, rows.copy(), what=f"engineer_features on {len(rows):,} of the listings")
    if not isinstance(fewer, pd.DataFrame) or not fewer.index.equals(rows.index):
        raise Incorrect(f"On {len(rows):,} of the listings, engineer_features did not return one row per listing "
                        "with the index it was given: keep every row and its index (do not reset it).")
    missing = [c for c in full.columns if c not in fewer.columns]
    if missing:
        raise Incorrect(f"On {len(rows):,} of the listings, engineer_features no longer adds {missing[:3]}: the "
                        "columns must not depend on which categories happen to be present (`pd.get_dummies` does "
                        "that). Compare with the value instead, e.g. `(listings['era'] == 'wotc').astype(int)`.")
    return [c for c in full.columns
            if not np.array_equal(full[c].loc[rows.index].to_numpy(dtype="float64"),
                                  pd.to_numeric(fewer[c], errors="coerce").astype("float64").to_numpy(),
                                  equal_nan=True)]


def _reject_features_of_other_rows(engineer, sample: pd.DataFrame, new: pd.DataFrame) -> None:
    """Each feature must come from the listing's own row: not from later listings, nor from any other row."""
    try:
        later = leakage.future_dependence(lambda df: _new_columns(engineer, df), sample)
    except Exception as exc:  # the learner's code failed on fewer listings
        raise Incorrect(f"engineer_features failed on the earliest half of the listings ({type(exc).__name__}: "
                        f"{exc}). It must work on any set of listings.") from exc
    ordered = sample.sort_values("listing_id", kind="stable")
    if later:
        changed = _changed_on_fewer_rows(engineer, new, ordered.iloc[:len(ordered) // 2]) or list(new.columns)
        raise Incorrect(f"Leakage from the future: {', '.join(f'`{c}`' for c in changed)}: {later}. A count, a "
                        "rank, a mean or a median over the whole table (filling gaps with the column's median, "
                        "too) uses listings that did not exist yet: exercise 2.3 rejects the same idea (Module 2, "
                        "section 3). Compute each feature from the listing's own attributes, and fill gaps with a "
                        "constant that means 'not applicable'.")
    rows = sample.sample(frac=0.5, random_state=0).sort_index()
    changed = _changed_on_fewer_rows(engineer, new, rows)
    if changed:
        values = f"the value of `{changed[0]}`" if len(changed) == 1 else \
            f"the values of {', '.join(f'`{c}`' for c in changed)}"
        raise Incorrect(f"{values[0].upper()}{values[1:]} for a listing change{'s' if len(changed) == 1 else ''} "
                        "when other listings are removed from the table: computed from other rows (a row number, a rank, a running count), "
                        "not from the listing itself. Here each feature comes from the listing's own attributes, "
                        "so that it means the same on any set of listings, including one listing priced alone.")


def _price_dependent_columns(engineer, sample: pd.DataFrame) -> list[str]:
    try:
        reference = _new_columns(engineer, sample.copy())
        shuffled = sample.copy()
        shuffled[leakage.TARGET] = np.random.default_rng(0).permutation(shuffled[leakage.TARGET].to_numpy())
        other = _new_columns(engineer, shuffled)
        return [c for c in reference.columns if not reference[c].equals(other[c])]
    except Exception:
        return []


def solution_2_1() -> tuple:
    def engineer_features(listings: pd.DataFrame) -> pd.DataFrame:
        out = listings.copy()
        days = (out["listing_date"] - out["release_date"]).dt.days
        out["days_since_release"] = days.astype(float)
        out["new_release"] = np.exp(-days / 30.0)
        ratio = safe_ratio(out["attack"], out["defense"])
        out["defense_recorded"] = (out["defense"].fillna(0) > 0).astype(int)
        out["attack_defense_ratio"] = ratio.fillna(0.0)  # a constant: 'not applicable', flagged above
        out["vintage_holo"] = ((out["era"] == "wotc") & out["rarity"].eq("Rare Holo")).astype(int)
        out["listing_month"] = out["listing_date"].dt.month
        return out

    justifications = {
        "days_since_release": "Card age: older printings are scarcer and prices move with time.",
        "new_release": "New sets sell at a premium that fades over about a month.",
        "defense_recorded": "Defense 0 is a placeholder for unrecorded, so flag it explicitly.",
        "attack_defense_ratio": "Offensive profile of the species, safe when Defense is 0 or missing.",
        "vintage_holo": "Wizards-era holos are the collector market's classic chase cards.",
        "listing_month": "Seasonality: holiday demand can lift prices late in the year.",
    }
    return engineer_features, justifications


engineer_five = Exercise(
    id="2.1",
    title="Engineer five features, each with a justification",
    check_fn=check_engineered_features,
    hints=[
        "Think about what a collector pays for: age, novelty, scarcity, the kind of card. Each idea "
        "becomes a column computed from the listing's own attributes, never from its price.",
        "Patterns from Module 2: a ratio (with `features.safe_ratio`), a date difference "
        "(`listing_date - release_date`), a decay (`np.exp(-days / 30)`), a flag for a combination "
        "(`era == 'wotc'` and a holo), a bin.",
        "Every value must be a finite number: fill the NaN of Trainer cards and of Defense 0 with a "
        "constant that means 'not applicable' (and add a 0/1 indicator), convert booleans with `.astype(int)`. "
        "Not the column's median or mean: that is computed from other listings, later ones too.",
    ],
    solution=solution_2_1,
    solution_note="In the notebook, `engineer_features` and `justifications` are two cells' worth of the above.",
)


# ======================================================================================
# 2.2 Spot the leakage
# ======================================================================================
def leaky_train_and_predict(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    """Predict log(price) for the validation listings. It runs, it scores very well, and it leaks."""
    data = pd.concat([train, valid], ignore_index=True)
    n_train = len(train)
    log_price = np.log(data["price_usd"])
    X = feature_frame(data)

    # The card's average price: a strong signal.
    X["card_mean"] = log_price.groupby(data["card_id"]).transform("mean")
    # The card's average price this month: follows the market.
    month = data["listing_date"].dt.to_period("M")
    X["card_month_mean"] = log_price.groupby([data["card_id"], month]).transform("mean")
    # The feed's price tier (quintile of the sale price).
    X["price_tier"] = pd.qcut(data["price_usd"], 5, labels=False).astype(float)

    preprocess = ColumnTransformer([
        ("features", make_preprocessor("linear"), FEATURES),
        ("extra", StandardScaler(), ["card_mean", "card_month_mean", "price_tier"]),
    ])
    X_all = preprocess.fit_transform(X)
    model = Ridge(alpha=1.0).fit(X_all[:n_train], log_price[:n_train])
    return model.predict(X_all[n_train:])


PLANTED_LEAKS = [
    "`card_mean` averages the prices of the validation listings too (target encoding on all rows);",
    "`card_month_mean` averages over the listing's month: later sales, and the listing's own price;",
    "`price_tier` is computed from the price itself;",
    "`preprocess` (imputer medians, scaler means, one-hot categories) is fitted on train + validation.",
]
SCORE_TOLERANCE = 0.02


@functools.lru_cache(maxsize=1)
def _leakage_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    return leakage.demo_split(n=12_000, valid_share=0.25, seed=0)


def leakage_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The exercise's data: the earliest 9,000 of 12,000 listings to train on, the latest 3,000 to validate."""
    train, valid = _leakage_split()
    return train.copy(), valid.copy()


def solution_2_2(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
    columns = ColumnTransformer([
        ("features", make_preprocessor("linear"), FEATURES),
        ("card", TargetEncoder(cv=KFold(5, shuffle=True, random_state=0)), ["card_id"]),
    ])
    model = Pipeline([("features", columns), ("model", Ridge(alpha=1.0))])
    X_train = feature_frame(train).assign(card_id=train["card_id"].to_numpy())
    X_valid = feature_frame(valid).assign(card_id=valid["card_id"].to_numpy())
    model.fit(X_train, np.log(train["price_usd"]))  # everything is fitted on the training rows only
    return model.predict(X_valid)


@functools.lru_cache(maxsize=1)
def reference_scores() -> dict[str, float]:
    """Validation R^2 of the leaky pipeline and of the honest reference fix (computed once)."""
    train, valid = _leakage_split()
    with threadpool_limits(limits=1):
        leaky = leakage.validation_r2(valid, leaky_train_and_predict(train.copy(), valid.copy()))
        honest = leakage.validation_r2(valid, solution_2_2(train.copy(), valid.copy()))
    return {"leaky": leaky, "honest": honest}


def _as_predictions(got: object, n: int) -> np.ndarray:
    if got is None:
        raise Incorrect("Your function returned None. Did you forget `return`?")
    try:
        predictions = np.asarray(got, dtype="float64").reshape(-1)
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"Your function returned {type(got).__name__}, which is not an array of numbers.") from exc
    if predictions.shape != (n,):
        raise Incorrect(f"Your function returned {predictions.size:,} predictions for {n:,} validation listings: "
                        "one prediction per validation row.")
    if not np.isfinite(predictions).all():
        raise Incorrect(f"{int((~np.isfinite(predictions)).sum())} prediction(s) are NaN or infinite.")
    return predictions


def check_leak_fix(fit_predict: object) -> str:
    if is_stub(fit_predict):
        raise NotAttempted()
    train, valid = _leakage_split()
    noticed: dict[str, None] = {}

    def learner(t: pd.DataFrame, v: pd.DataFrame) -> np.ndarray:
        with threadpool_limits(limits=1), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = call_learner(fit_predict, t, v, what="train_and_predict(train, valid)")
        noticed.update((str(w.message).split(". ")[0], None) for w in caught
                       if issubclass(w.category, DeprecationWarning | FutureWarning))
        return _as_predictions(got, len(v))

    result = leakage.audit(learner, train, valid)
    problems = result.problems()
    if problems:
        raise Incorrect(f"Still leaking. {' '.join(problems)}")
    score = leakage.validation_r2(valid, learner(train.copy(), valid.copy()))
    reference = reference_scores()
    if score < reference["honest"] - SCORE_TOLERANCE:
        raise Incorrect(f"No leak left, but the validation R² is {score:.3f}, below the honest reference "
                        f"({reference['honest']:.3f}). You threw away a signal instead of fixing it: the "
                        "card's price history is legitimate when it is learnt from the training rows only, "
                        "and cross-fitted (sklearn's TargetEncoder) so the model does not over-trust it.")
    note = (f" One thing to tidy: your code triggers a deprecation warning ({'; '.join(noticed)}). It works "
            "today; the form in hint 3 (`cv=KFold(...)`) will keep working." if noticed else "")
    return (f"No leak: your predictions ignore the validation prices and every statistic comes from the "
            f"training rows. Honest validation R² {score:.3f}, against {reference['leaky']:.3f} for the leaky "
            f"version: that gap is what the leaks were inventing.{note}")


fix_the_leaks = Exercise(
    id="2.2",
    title="Spot the leakage: fix a pipeline with four planted leaks",
    check_fn=check_leak_fix,
    hints=[
        "Read the leaky function line by line and ask of each: could I compute this on the day of the "
        "listing, from past listings only? `pd.concat([train, valid])` is the first suspect.",
        "Four leaks: two features computed with validation prices, one computed from the price "
        "itself, and preprocessing fitted on validation rows. Fit everything on `train` only, and "
        "never read `valid['price_usd']`.",
        "Keep the card's price history, done right: put `TargetEncoder(cv=KFold(5, shuffle=True, "
        "random_state=0))` on `card_id` in a ColumnTransformer next to `make_preprocessor('linear')`, "
        "inside a Pipeline fitted on the training rows. (`TargetEncoder(random_state=0)` also seeds it, "
        "but scikit-learn 1.9 deprecates that form.)",
    ],
    solution=solution_2_2,
    solution_note="In the notebook the function is called `train_and_predict`.",
)


# ======================================================================================
# 2.3 One feature that beats the baseline by 5%
# ======================================================================================
BASELINE_CATEGORICAL = ["era", "rarity", "finish", "condition", "language"]
BASELINE_NUMERIC = ["hp", "attack", "defense", "speed"]
REQUIRED_IMPROVEMENT = 0.05
CV_FOLDS = 5


@functools.lru_cache(maxsize=1)
def _baseline_sample() -> pd.DataFrame:
    sample = pricing_subset(load_listings()).sample(4_000, random_state=7)
    return sample.sort_values("listing_id").reset_index(drop=True)  # in time order, for TimeSeriesSplit


def baseline_sample() -> pd.DataFrame:
    """4,000 ungraded marketplace listings (a fixed sample, in time order) for exercise 2.3. A fresh copy."""
    return _baseline_sample().copy()


def _design_matrix(listings: pd.DataFrame, extra: pd.Series | None) -> tuple[pd.DataFrame, ColumnTransformer]:
    X = listings[BASELINE_CATEGORICAL].astype("object")
    for col in BASELINE_NUMERIC:
        X[col] = pd.to_numeric(listings[col], errors="coerce").astype("float64")
    parts = [("categories", OneHotEncoder(handle_unknown="ignore"), BASELINE_CATEGORICAL),
             ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), BASELINE_NUMERIC)]
    if extra is not None:
        X["my_feature"] = extra.to_numpy()
        if pd.api.types.is_numeric_dtype(extra) or pd.api.types.is_bool_dtype(extra):
            X["my_feature"] = X["my_feature"].astype("float64")
            parts.append(("my_feature", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                          ["my_feature"]))
        else:
            X["my_feature"] = X["my_feature"].astype("object").where(X["my_feature"].notna(), "missing")
            parts.append(("my_feature", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5),
                          ["my_feature"]))
    return X, ColumnTransformer(parts)


def cv_rmse(listings: pd.DataFrame, extra: pd.Series | None = None) -> float:
    """The fixed baseline's cross-validated RMSE on log(price), with one optional extra feature.

    Time-ordered, as in Module 2: the listings must be in time order, and each fold is
    validated on listings later than all of its training listings (``TimeSeriesSplit``).
    """
    if not listings["listing_id"].is_monotonic_increasing:
        raise ValueError("the listings must be in time order (sorted by listing_id)")
    X, columns = _design_matrix(listings, extra)
    model = make_pipeline(columns, Ridge(alpha=1.0))
    folds = TimeSeriesSplit(n_splits=CV_FOLDS)
    with threadpool_limits(limits=1):
        scores = cross_val_score(model, X, np.log(listings["price_usd"]), cv=folds,
                                 scoring="neg_root_mean_squared_error")
    return float(-scores.mean())


@functools.lru_cache(maxsize=1)
def baseline_rmse() -> float:
    """The fixed baseline's cross-validated RMSE on log(price), without your feature."""
    return cv_rmse(_baseline_sample())


def _as_feature(got: object, n: int) -> pd.Series:
    if got is None:
        raise Incorrect("my_feature returned None. Did you forget `return`?")
    if isinstance(got, pd.DataFrame):
        if got.shape[1] != 1:
            raise Incorrect(f"my_feature returned a DataFrame with {got.shape[1]} columns: return one column "
                            "(a Series).")
        got = got.iloc[:, 0]
    if isinstance(got, pd.Series):
        series = got.reset_index(drop=True)
    else:
        try:
            array = np.asarray(got)
        except Exception as exc:  # pragma: no cover - np.asarray accepts almost anything
            raise Incorrect(f"my_feature returned {type(got).__name__}, not a column of values.") from exc
        if array.ndim != 1:
            raise Incorrect(f"my_feature returned {type(got).__name__} of shape {array.shape}: return one value "
                            "per listing (a Series).")
        series = pd.Series(array)
    if len(series) != n:
        raise Incorrect(f"my_feature returned {len(series):,} values for {n:,} listings: one value per listing.")
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        as_float = series.astype("float64")
        if np.isinf(as_float).any():
            raise Incorrect(f"{int(np.isinf(as_float).sum())} value(s) are infinite: a division by zero "
                            "(Defense 0?). Use `features.safe_ratio`.")
        if as_float.isna().all():
            raise Incorrect("Every value is missing (NaN).")
    if series.nunique(dropna=True) < 2:
        raise Incorrect("my_feature has the same value for every listing: it carries no information.")
    return series


def check_better_feature(my_feature: object) -> str:
    if is_stub(my_feature):
        raise NotAttempted()
    sample = _baseline_sample()
    got = call_learner(my_feature, sample.copy(), what="my_feature(listings)")
    feature = _as_feature(got, len(sample))
    try:
        reason = leakage.price_dependence(lambda df: _as_feature(my_feature(df), len(df)), sample)
    except Incorrect:
        raise
    except Exception as exc:
        raise Incorrect(f"my_feature failed on the listings with shuffled or removed prices "
                        f"({type(exc).__name__}: {exc}). A feature must work without the price.") from exc
    if reason:
        raise Incorrect(f"Your feature uses the price ({reason}). This exercise allows no price at all, not even "
                        "the past sales of the same card: the baseline sees no price either, and the lesson is what "
                        "a card's own attributes can add. (A past price, learnt from earlier listings only, is "
                        "legitimate in a real model: exercise 2.2 keeps one. This listing's own price is leakage: "
                        "it is unknown until the sale.) Find what collectors pay for that the baseline does not know.")
    try:
        later = leakage.future_dependence(lambda df: _as_feature(my_feature(df), len(df)), sample)
    except Incorrect:
        raise
    except Exception as exc:
        raise Incorrect(f"my_feature failed on the earliest half of the listings ({type(exc).__name__}: {exc}). "
                        "It must work on any set of listings.") from exc
    if later:
        raise Incorrect(f"Leakage from the future: {later}. A count, a rank or an average over the whole table "
                        "uses listings that did not exist yet (Module 2, section 3). Compute the feature from the "
                        "listing's own attributes (or from earlier listings only), and leave gaps as NaN: the "
                        "check's pipeline fills them from the training folds.")
    base, mine = baseline_rmse(), cv_rmse(sample, feature)
    improvement = (base - mine) / base
    if improvement <= REQUIRED_IMPROVEMENT:
        raise Incorrect(f"Cross-validated RMSE (log price) with your feature: {mine:.4f}, baseline {base:.4f}: an "
                        f"improvement of {improvement:.1%}; the target is more than {REQUIRED_IMPROVEMENT:.0%}. "
                        "What does the baseline not know yet that collectors pay for?")
    return (f"Your feature cuts the baseline's cross-validated RMSE from {base:.4f} to {mine:.4f} "
            f"({improvement:.1%} better, over {CV_FOLDS} time-ordered folds), without touching the price or "
            "the future.")


CHASE_SPECIES = ("Umbreon", "Charizard", "Gengar", "Espeon", "Sylveon", "Mew", "Mewtwo", "Rayquaza",
                 "Lugia", "Pikachu", "Eevee")


def solution_2_3(listings: pd.DataFrame) -> pd.Series:
    # Collectors chase a handful of species; a linear model on rarity and stats cannot know which.
    return listings["species"].isin(CHASE_SPECIES).astype(int)


def solution_2_3_species(listings: pd.DataFrame) -> pd.Series:
    # The species itself, as a category: the model learns each species' premium from the training folds.
    return listings["species"].fillna("not a Pokemon")


better_feature = Exercise(
    id="2.3",
    title="Design a feature that beats the baseline by more than 5%",
    check_fn=check_better_feature,
    hints=[
        "The baseline knows era, rarity, finish, condition and language, and four stats. Module 2 "
        "(section 1.2, the species table) compared species like for like: which Pokemon it is moves the "
        "price a lot, and the baseline has no species information at all.",
        "Two ways in: a 0/1 flag for the species collectors chase (from domain knowledge, or from the top "
        "of Module 2's like-for-like species table), or the species itself as a category. Do not encode "
        "species with their prices, and do not count listings over the whole table: the check sees both.",
        "Try `listings['species'].isin(['Umbreon', 'Charizard', 'Gengar', ...]).astype(int)`: the "
        "chase species every collector knows.",
    ],
    solution=solution_2_3,
    solution_note="Another answer that passes: the species as a category, "
                  "`listings['species'].fillna('not a Pokemon')`.",
    extra_solutions=[solution_2_3_species],
)


def leaky_source() -> str:
    """The source of the leaky pipeline, as the notebook shows it."""
    return inspect.getsource(leaky_train_and_predict)
