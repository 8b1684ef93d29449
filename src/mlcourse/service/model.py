"""The service's model: deterministic training, safe saving, checked loading.

The model prices an ungraded marketplace listing (``features.pricing_subset``). It is an
XGBoost regressor on the log price, fed by the course's shared features
(``features.feature_arrays`` and ``features.make_preprocessor("tree")``, a
``CategoryCodes`` encoder): the service computes its inputs with exactly the code the
model was trained with.

A trained model is two files in one folder, neither of them a pickle:

- ``model.json``: the XGBoost booster in XGBoost's own JSON format;
- ``metadata.json``: the model version, the training data's content hash, the feature
  list, the categories the model knows, the listing dates it may price (its pricing
  window), test metrics, the prediction interval, and a few reference predictions that
  loading must reproduce (a start-up self-test).

Train with ``uv run python -m mlcourse.service train``. Loading never half-works: a
missing, corrupt or inconsistent model raises ``ModelLoadError`` with a message that
says what is wrong and what to do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from mlcourse.dataset import best_possible_rmse, load_listings
from mlcourse.features import (
    CATEGORICAL,
    FEATURES,
    INPUT_COLUMNS,
    CategoryCodes,
    feature_arrays,
    make_preprocessor,
    pricing_subset,
)
from mlcourse.paths import output_dir
from mlcourse.service.schemas import CardListing, ModelInfo
from mlcourse.versioning import content_hash

FORMAT_VERSION = 3
MODEL_FILE = "model.json"
METADATA_FILE = "metadata.json"
TRAIN_COMMAND = "uv run python -m mlcourse.service train"
SELF_TEST_ROWS = 8
REQUEST_FIELDS = list(CardListing.model_fields)
GRADING_DEFAULTS = {"graded": False, "grader": None, "grade": np.nan}  # the model prices ungraded listings


class ModelLoadError(RuntimeError):
    """The model folder cannot be served: missing, corrupt or inconsistent files."""


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that decides the trained bytes (with the data)."""

    rounds: int = 200
    max_depth: int = 6
    learning_rate: float = 0.1
    seed: int = 0
    interval_level: float = 0.9
    train_share: float = 0.8
    calibration_share: float = 0.1
    horizon_days: int = 90  # how long after its data ends the model may price listings (then: retrain)

    def xgb_params(self) -> dict[str, Any]:
        # One thread and a fixed seed: the same data gives the same model, byte for byte.
        return {"objective": "reg:squarederror", "tree_method": "hist", "max_depth": self.max_depth,
                "eta": self.learning_rate, "seed": self.seed, "nthread": 1}


def default_model_dir() -> Path:
    """Where the training command writes the model and the service reads it."""
    return output_dir() / "card_pricer"


# ======================================================================================
# From requests and dataset rows to the features' inputs
# ======================================================================================
def listings_columns(listings: Iterable[CardListing | Mapping[str, Any]]) -> dict[str, list[Any]]:
    """The model's raw input (``features.INPUT_COLUMNS``) for validated listings, as plain columns.

    Grading fields are filled in as "ungraded": the model prices ungraded listings. The
    service feeds these lists straight to ``features.feature_arrays``: no DataFrame per request.
    """
    # A validated model keeps its field values in __dict__: reading them column by column
    # is several times faster than model_dump() row by row.
    rows = [item.__dict__ if isinstance(item, CardListing) else item for item in listings]
    return {name: ([GRADING_DEFAULTS[name]] * len(rows) if name in GRADING_DEFAULTS
                   else [row.get(name) for row in rows])
            for name in INPUT_COLUMNS}


def listings_frame(listings: Iterable[CardListing | Mapping[str, Any]]) -> pd.DataFrame:
    """The same input as ``listings_columns``, as a DataFrame (for notebooks and analysis)."""
    return pd.DataFrame(listings_columns(listings))


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _json_value(value.item())
    return value


def request_payloads(listings: pd.DataFrame) -> list[dict[str, Any]]:
    """Dataset rows as JSON request bodies for the service (one dict per listing)."""
    columns = listings[REQUEST_FIELDS].astype(object)
    return [{name: _json_value(value) for name, value in zip(REQUEST_FIELDS, row, strict=True)}
            for row in columns.itertuples(index=False, name=None)]


# ======================================================================================
# The model
# ======================================================================================
@dataclass
class PricingModel:
    """A trained booster, its fitted preprocessing, and its metadata."""

    booster: xgb.Booster
    preprocessor: CategoryCodes
    metadata: dict[str, Any]
    training_seconds: float | None = None  # set when trained in this process (not saved: files stay byte-stable)
    _known: dict[str, frozenset[str]] = field(init=False, repr=False)
    _window: tuple[dt.date, dt.date] | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._known = {col: frozenset(values) for col, values in self.metadata["known_categories"].items()}
        window = self.metadata.get("pricing_window")
        self._window = (dt.date.fromisoformat(window["from"]), dt.date.fromisoformat(window["to"])) if window else None

    @property
    def version(self) -> str:
        return self.metadata["model_version"]

    @property
    def interval_level(self) -> float:
        return self.metadata["interval"]["level"]

    @property
    def n_trees(self) -> int:
        return self.booster.num_boosted_rounds()

    @property
    def pricing_window(self) -> tuple[dt.date, dt.date]:
        """First and last listing date the model may price (its data, plus ``horizon_days``)."""
        if self._window is None:
            raise ValueError("this model's metadata has no pricing window")
        return self._window

    def dates_outside_window(self, listing_dates: Sequence[dt.date]) -> list[tuple[int, dt.date]]:
        """(position, date) of every listing date outside the pricing window.

        A tree model cannot extrapolate in time: it prices every date after its training
        data as if it were the last training day. Past the window that guess has not been
        measured, so the service refuses it instead of answering silently.
        """
        if self._window is None or not listing_dates:
            return []
        first, last = self._window
        if first <= min(listing_dates) and max(listing_dates) <= last:  # the usual case: two passes in C
            return []
        return [(i, d) for i, d in enumerate(listing_dates) if not first <= d <= last]

    def predict_log(self, listings: pd.DataFrame | Mapping[str, Any], n_trees: int | None = None) -> np.ndarray:
        """Predicted log prices for raw listings (``INPUT_COLUMNS``), via the shared features.

        ``listings`` is a DataFrame or a mapping of column to values (``listings_columns``).
        ``n_trees`` uses only the first trees (a smaller model, for latency studies).
        """
        matrix = self.preprocessor.transform(feature_arrays(listings))
        return self.booster.inplace_predict(matrix, iteration_range=(0, n_trees or 0))

    def predict_prices(self, listings: pd.DataFrame | Mapping[str, Any],
                       n_trees: int | None = None) -> dict[str, np.ndarray]:
        """Price, interval lower and upper end (USD) for each listing, in order, as arrays."""
        log_price = self.predict_log(listings, n_trees).astype("float64")
        interval = self.metadata["interval"]
        return {"price_usd": np.exp(log_price),
                "lower_usd": np.exp(log_price + interval["log_lower"]),
                "upper_usd": np.exp(log_price + interval["log_upper"])}

    def predict_frame(self, listings: pd.DataFrame, n_trees: int | None = None) -> pd.DataFrame:
        """``predict_prices`` as a DataFrame aligned with ``listings``."""
        index = listings.index if isinstance(listings, pd.DataFrame) else None
        return pd.DataFrame(self.predict_prices(listings, n_trees), index=index)

    def unknown_categories(self, listings: pd.DataFrame | Mapping[str, Any]) -> list[tuple[int, str, str]]:
        """(position, column, value) of every category the model never saw in training."""
        found = []
        for column in CATEGORICAL:
            if column not in listings:
                continue
            known = self._known[column]
            values = list(listings[column])
            if set(values) - known - {None}:  # the usual case, all known, costs one set difference
                found += [(i, column, v) for i, v in enumerate(values) if v is not None and v == v and v not in known]
        return sorted(found)

    def save(self, directory: str | Path | None = None) -> Path:
        """Write model.json and metadata.json (atomically) into ``directory``."""
        directory = Path(directory) if directory is not None else default_model_dir()
        directory.mkdir(parents=True, exist_ok=True)
        _atomic_write(directory / MODEL_FILE, _model_bytes(self.booster))
        _atomic_write(directory / METADATA_FILE, _metadata_bytes(self.metadata))
        return directory


def _model_bytes(booster: xgb.Booster) -> bytes:
    return bytes(booster.save_raw("json"))


def _metadata_bytes(metadata: dict[str, Any]) -> bytes:
    return (json.dumps(metadata, indent=2, sort_keys=True, allow_nan=False) + "\n").encode()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{time.time_ns()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _booster_from_bytes(raw: bytes) -> xgb.Booster:
    booster = xgb.Booster()
    booster.load_model(bytearray(raw))
    booster.set_param({"nthread": 1})  # one request, one thread: no oversubscription under load
    return booster


# ======================================================================================
# Training
# ======================================================================================
def _restore_preprocessor(known: Mapping[str, Sequence[str]], empty_numeric: Sequence[str]) -> CategoryCodes:
    """The fitted encoder, rebuilt from the state saved in the metadata (plain JSON)."""
    if set(known) != set(CATEGORICAL) or not all(isinstance(v, list) for v in known.values()):
        raise ValueError(f"known_categories must list the categories of {CATEGORICAL}")
    return CategoryCodes.from_categories({col: list(known[col]) for col in CATEGORICAL}, list(empty_numeric))


def _split(data: pd.DataFrame, config: TrainingConfig) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Time-ordered split: train on the past, calibrate the interval on what follows, test on the latest."""
    n = len(data)
    n_train = int(n * config.train_share)
    n_cal = int(n * config.calibration_share)
    return data.iloc[:n_train], data.iloc[n_train:n_train + n_cal], data.iloc[n_train + n_cal:]


def _metrics(actual: np.ndarray, log_pred: np.ndarray, interval: dict[str, float],
             baseline_price: float) -> dict[str, float]:
    price = np.exp(log_pred)
    lower, upper = np.exp(log_pred + interval["log_lower"]), np.exp(log_pred + interval["log_upper"])
    return {
        "rmse_usd": float(np.sqrt(np.mean((price - actual) ** 2))),
        "mae_usd": float(np.mean(np.abs(price - actual))),
        "mape": float(np.mean(np.abs(price - actual) / actual)),
        "rmse_log": float(np.sqrt(np.mean((log_pred - np.log(actual)) ** 2))),
        "interval_coverage": float(np.mean((actual >= lower) & (actual <= upper))),
        "baseline_mae_usd": float(np.mean(np.abs(baseline_price - actual))),
    }


def train_model(listings: pd.DataFrame | None = None, config: TrainingConfig | None = None) -> PricingModel:
    """Train the pricing model on the course dataset (or on ``listings``), deterministically.

    Same data and config, same bytes: one thread, fixed seed, a time-ordered split.
    """
    config = config or TrainingConfig()
    started = time.perf_counter()
    if listings is None:
        listings = load_listings()
    data = pricing_subset(listings).sort_values("listing_id", kind="stable").reset_index(drop=True)
    if len(data) < 100:
        raise ValueError(f"need at least 100 ungraded marketplace listings to train, got {len(data)}")
    train, calibration, test = _split(data, config)

    preprocessor = make_preprocessor("tree")
    matrix = preprocessor.fit_transform(feature_arrays(train[INPUT_COLUMNS]))
    names = [str(n) for n in preprocessor.get_feature_names_out()]
    dtrain = xgb.DMatrix(matrix, label=np.log(train["price_usd"].to_numpy()), feature_names=names)
    fitted = xgb.train(config.xgb_params(), dtrain, num_boost_round=config.rounds)
    raw = _model_bytes(fitted)
    booster = _booster_from_bytes(raw)  # serve exactly what the file holds

    staged = PricingModel(booster, preprocessor, {"known_categories": preprocessor.categories_,
                                                  "interval": {"level": config.interval_level,
                                                               "log_lower": 0.0, "log_upper": 0.0}})
    residuals = np.log(calibration["price_usd"].to_numpy()) - staged.predict_log(calibration[INPUT_COLUMNS])
    tail = (1 - config.interval_level) / 2
    interval = {"level": config.interval_level,
                "log_lower": float(np.quantile(residuals, tail)),
                "log_upper": float(np.quantile(residuals, 1 - tail))}

    actual = test["price_usd"].to_numpy()
    metrics = _metrics(actual, staged.predict_log(test[INPUT_COLUMNS]).astype("float64"), interval,
                       baseline_price=float(train["price_usd"].median()))
    try:
        metrics["noise_floor_rmse_usd"] = best_possible_rmse(test)
    except ValueError:  # listings from another seed or size: no ground truth to compare with
        pass

    reference = test.iloc[np.linspace(0, len(test) - 1, SELF_TEST_ROWS).astype(int)]
    reference_payloads = request_payloads(reference)
    sha = hashlib.sha256(raw).hexdigest()
    metadata = {
        "format_version": FORMAT_VERSION,
        "model_version": f"card-pricer-{sha[:12]}",
        "model_type": "XGBoost gradient-boosted trees on log price",
        "model_file": MODEL_FILE,
        "model_sha256": sha,
        "xgboost_version": xgb.__version__,
        "training_config": asdict(config),
        "training_data_hash": content_hash(data),
        "training_window": {
            "train_from": _json_value(train["listing_date"].min()),
            "train_to": _json_value(train["listing_date"].max()),
            "calibration_to": _json_value(calibration["listing_date"].max()),
            "test_to": _json_value(test["listing_date"].max()),
        },
        "rows": {"train": len(train), "calibration": len(calibration), "test": len(test)},
        "features": FEATURES,
        "encoded_features": names,
        "known_categories": preprocessor.categories_,
        "empty_numeric_features": preprocessor.empty_numeric_,
        "pricing_window": {
            "from": _json_value(train["listing_date"].min()),
            "to": (test["listing_date"].max() + pd.Timedelta(days=config.horizon_days)).date().isoformat(),
            "horizon_days": config.horizon_days,
        },
        "interval": interval,
        "metrics": metrics,
        "self_test": {"listings": reference_payloads,
                      "log_predictions": [float(v) for v in staged.predict_log(
                          listings_columns(CardListing.model_validate(p) for p in reference_payloads))]},
    }
    return PricingModel(booster, preprocessor, metadata, training_seconds=time.perf_counter() - started)


# ======================================================================================
# Loading, with every check a start-up needs
# ======================================================================================
_REQUIRED_KEYS = ["format_version", "model_version", "model_sha256", "features", "known_categories",
                  "empty_numeric_features", "pricing_window", "interval", "metrics", "self_test",
                  "training_data_hash", "model_type", "rows", "training_window"]
# The fields inside them that serving reads: a metadata file without one cannot serve, so it
# cannot start (ModelLoadError, exit 2) instead of failing in the middle of a request.
_REQUIRED_FIELDS = [("interval", "level"), ("interval", "log_lower"), ("interval", "log_upper"),
                    ("self_test", "listings"), ("self_test", "log_predictions"), ("rows", "train"),
                    ("training_window", "test_to"), ("pricing_window", "from"), ("pricing_window", "to")]


def _missing_fields(metadata: Any) -> list[str]:
    """The required metadata fields that are absent, dotted (``interval.level``)."""
    if not isinstance(metadata, dict):
        return list(_REQUIRED_KEYS)
    missing = [k for k in _REQUIRED_KEYS if k not in metadata]
    missing += [f"{outer}.{inner}" for outer, inner in _REQUIRED_FIELDS
                if outer in metadata and not (isinstance(metadata[outer], dict) and inner in metadata[outer])]
    return missing


def load_model(directory: str | Path | None = None) -> PricingModel:
    """Load and check a saved model; raise ModelLoadError saying what is wrong."""
    directory = Path(directory) if directory is not None else default_model_dir()
    model_path, metadata_path = directory / MODEL_FILE, directory / METADATA_FILE
    for path in (model_path, metadata_path):
        if not path.is_file():
            raise ModelLoadError(f"No model at {directory}: {path.name} is missing. "
                                 f"Train one first: {TRAIN_COMMAND}")
    try:
        metadata = json.loads(metadata_path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{metadata_path} is not valid JSON ({exc}). Retrain: {TRAIN_COMMAND}") from None
    missing = _missing_fields(metadata)
    if missing:
        raise ModelLoadError(f"{metadata_path} lacks {', '.join(missing)}: not a model's metadata, or not all of it. "
                             f"Retrain: {TRAIN_COMMAND}")
    if metadata["format_version"] != FORMAT_VERSION:
        raise ModelLoadError(f"{metadata_path} has format version {metadata['format_version']!r}; this code "
                             f"reads version {FORMAT_VERSION}. Retrain: {TRAIN_COMMAND}")
    raw = model_path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    if sha != metadata["model_sha256"]:
        raise ModelLoadError(f"{model_path} does not match its metadata (sha256 {sha[:12]}..., expected "
                             f"{str(metadata['model_sha256'])[:12]}...): the file is corrupt or from another "
                             f"training run. Retrain: {TRAIN_COMMAND}")
    if metadata["features"] != FEATURES:
        raise ModelLoadError("The model was trained on other features than the code computes today "
                             f"(trained: {metadata['features']}; now: {FEATURES}). Retrain: {TRAIN_COMMAND}")
    try:
        booster = _booster_from_bytes(raw)
    except xgb.core.XGBoostError as exc:
        first_line = str(exc).strip().splitlines()[0][:200]
        raise ModelLoadError(f"XGBoost cannot read {model_path} ({first_line}). Retrain: {TRAIN_COMMAND}") from None
    try:
        model = PricingModel(booster, _restore_preprocessor(metadata["known_categories"],
                                                            metadata["empty_numeric_features"]), metadata)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(f"{metadata_path} has unusable categories or pricing window ({exc}). "
                             f"Retrain: {TRAIN_COMMAND}") from None
    _self_test(model)
    return model


def describe(model: PricingModel) -> dict[str, Any]:
    """What GET /model answers: the model's version, data, features, categories and test metrics."""
    meta = model.metadata
    return {"model_version": meta["model_version"], "model_type": meta["model_type"], "n_trees": model.n_trees,
            "trained_rows": meta["rows"]["train"], "training_data_hash": meta["training_data_hash"],
            "training_window": meta["training_window"], "features": meta["features"],
            "known_categories": meta["known_categories"], "metrics": meta["metrics"],
            "interval_level": model.interval_level, "pricing_window": meta["pricing_window"]}


def _self_test(model: PricingModel) -> None:
    """The loaded model must reproduce the predictions it made at training time."""
    test = model.metadata["self_test"]
    try:
        columns = listings_columns(CardListing.model_validate(p) for p in test["listings"])
        got = model.predict_log(columns).astype("float64")
        model.predict_prices(columns)  # the interval too: what every request will run
        ModelInfo.model_validate(describe(model))  # and what GET /model will answer
        expected = np.asarray(test["log_predictions"], dtype="float64")
    except Exception as exc:  # anything here means the model cannot serve: say so at start-up
        raise ModelLoadError(f"The model failed its start-up self-test ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:300] if str(exc) else ''}). Retrain: {TRAIN_COMMAND}") from None
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=0, atol=1e-5):
        worst = float(np.max(np.abs(got - expected))) if got.shape == expected.shape else float("nan")
        raise ModelLoadError("The loaded model does not reproduce its reference predictions (largest "
                             f"difference {worst:.3g} in log price): the feature code or a library changed "
                             f"since training. Retrain: {TRAIN_COMMAND}")


def load_or_train(directory: str | Path | None = None, config: TrainingConfig | None = None) -> PricingModel:
    """The saved model if it is valid and was trained on today's data with this config; else train and save."""
    config = config or TrainingConfig()
    directory = Path(directory) if directory is not None else default_model_dir()
    try:
        model = load_model(directory)
    except ModelLoadError:
        model = None
    if model is not None and model.metadata.get("training_config") == asdict(config):
        current = content_hash(pricing_subset(load_listings()).sort_values("listing_id", kind="stable")
                               .reset_index(drop=True))
        if model.metadata["training_data_hash"] == current:
            return model
    model = train_model(config=config)
    model.save(directory)
    return model
