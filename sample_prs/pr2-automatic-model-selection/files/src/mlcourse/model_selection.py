"""Pick the best model family automatically, and save it for the service.

Module 3 compares the model families by hand. This runs the comparison in one call:
every family in ``CANDIDATES`` is trained on the training listings and scored, the best
one is retrained on all the data and saved, and a small report says which family won
and how well it does::

    from mlcourse import modeling
    from mlcourse.model_selection import select_model

    train, test = modeling.random_split(modeling.pricing_listings())
    report = select_model(train, test)
    print(report["family"], report["test_rmse"])

Or from a terminal: ``uv run python -m mlcourse.model_selection``.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pandas as pd

from mlcourse.evaluation import rmse
from mlcourse.modeling import TARGET, make_model, pricing_listings, random_split

MODEL_PATH = Path("models/best_model.pkl")
SEARCH_SHARE = 0.5  # half the training rows are plenty to rank the families, at half the cost

CANDIDATES = {
    "era x rarity median": lambda: make_model("era_rarity"),
    "ridge": lambda: make_model("linear"),
    "random forest": lambda: make_model("random_forest"),
    "xgboost": lambda: make_model("xgboost"),
}


def select_model(train: pd.DataFrame, test: pd.DataFrame, save: bool = True) -> dict[str, Any]:
    """Train every candidate, keep the best, retrain it on all the data and (optionally) save it.

    Returns the winning family, its fitted model, every candidate's validation RMSE and the
    final model's test RMSE, in dollars.
    """
    search_rows = train.sample(frac=SEARCH_SHARE)
    validation_rmse = {}
    for family, make in CANDIDATES.items():
        model = make().fit(search_rows, search_rows[TARGET])
        validation_rmse[family] = rmse(test[TARGET], model.predict(test))
        print(f"{family}: validation RMSE ${validation_rmse[family]:.2f}")
    family = min(validation_rmse, key=validation_rmse.get)

    everything = pd.concat([train, test], ignore_index=True)
    final_model = CANDIDATES[family]().fit(everything, everything[TARGET])
    test_rmse = rmse(test[TARGET], final_model.predict(test))
    if save:
        MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
        with open(MODEL_PATH, "wb") as f:
            pickle.dump(final_model, f)
    return {"family": family, "model": final_model, "validation_rmse": validation_rmse, "test_rmse": test_rmse}


if __name__ == "__main__":
    train, test = random_split(pricing_listings())
    report = select_model(train, test)
    print(f"Best: {report['family']}, test RMSE ${report['test_rmse']:.2f}; saved to {MODEL_PATH}")
