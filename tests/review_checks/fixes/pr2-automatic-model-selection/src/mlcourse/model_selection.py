"""Pick the best model family automatically, and save it for the service (fixed version).

The families are compared on a validation split carved from the training listings (seeded);
the winner is retrained on the training listings and scored once on the test set; the model
is saved in the course's output folder.
"""

from __future__ import annotations

import pickle
from typing import Any

import pandas as pd

from mlcourse.evaluation import rmse
from mlcourse.modeling import SEED, TARGET, make_model, random_split
from mlcourse.paths import output_dir

CANDIDATES = {
    "era x rarity median": lambda: make_model("era_rarity"),
    "ridge": lambda: make_model("linear"),
    "random forest": lambda: make_model("random_forest"),
    "xgboost": lambda: make_model("xgboost"),
}


def select_model(train: pd.DataFrame, test: pd.DataFrame, save: bool = True, seed: int = SEED) -> dict[str, Any]:
    """Choose on validation rows carved from ``train``, refit on ``train``, score once on ``test``."""
    fit_rows, valid = random_split(train, test_size=0.25, seed=seed)
    validation_rmse = {}
    for family, make in CANDIDATES.items():
        model = make().fit(fit_rows, fit_rows[TARGET])
        validation_rmse[family] = rmse(valid[TARGET], model.predict(valid))
    family = min(validation_rmse, key=validation_rmse.get)
    final_model = CANDIDATES[family]().fit(train, train[TARGET])
    test_rmse = rmse(test[TARGET], final_model.predict(test))
    if save:
        with open(output_dir() / "best_model.pkl", "wb") as f:
            pickle.dump(final_model, f)
    return {"family": family, "model": final_model, "validation_rmse": validation_rmse, "test_rmse": test_rmse}
