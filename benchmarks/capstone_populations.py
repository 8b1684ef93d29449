"""What a pricing target can ask of each population (a measurement script, not a test).

    uv run python benchmarks/capstone_populations.py

For each candidate population, on an out-of-time split (train on the earliest 80% of
listing dates, test on the latest 20%): the noise floor (``best_possible_rmse``, the RMSE of
a model that knows the noise-free expected price), that model's share of predictions within
$10, and what a plain xgboost model from ``mlcourse.modeling`` gets. A dollar target (RMSE
under $5, 90% within $10) is fair only where the floor sits well under it.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from mlcourse import modeling
from mlcourse.dataset import best_possible_rmse, load_ground_truth, load_listings

WITHIN_USD = 10.0


def populations(listings: pd.DataFrame) -> dict[str, pd.DataFrame]:
    ungraded = listings[~listings["graded"]]
    return {
        "ungraded marketplace": ungraded[ungraded["channel"].eq("marketplace")],
        "all ungraded": ungraded,
        "ungraded, not bulk lots": ungraded[ungraded["channel"].ne("bulk_lot")],
        "graded": listings[listings["graded"]],
    }


def measure(population: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    train, test = modeling.time_split(population.sort_values("listing_id").reset_index(drop=True))
    actual = test["price_usd"].to_numpy()
    expected = test[["listing_id"]].merge(truth, on="listing_id")["expected_price"].to_numpy()
    started = time.perf_counter()
    model = modeling.make_model("xgboost").fit(train, train["price_usd"])
    predicted = model.predict(test)
    return {
        "listings": len(population), "test": len(test), "test median $": float(np.median(actual)),
        "test max $": float(actual.max()), "floor RMSE $": best_possible_rmse(test),
        "floor within $10": float(np.mean(np.abs(actual - expected) <= WITHIN_USD)),
        "xgboost RMSE $": float(np.sqrt(np.mean((actual - predicted) ** 2))),
        "xgboost within $10": float(np.mean(np.abs(actual - predicted) <= WITHIN_USD)),
        "fit s": time.perf_counter() - started,
    }


def main() -> None:
    listings, truth = load_listings(), load_ground_truth()
    table = pd.DataFrame({name: measure(pop, truth) for name, pop in populations(listings).items()}).T
    with pd.option_context("display.width", 250, "display.max_columns", None, "display.float_format", "{:,.3f}".format):
        print(table)


if __name__ == "__main__":
    main()
