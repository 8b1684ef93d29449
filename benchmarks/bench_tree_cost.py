"""How closely a tree model's split comparisons per listing track its measured prediction time.

    uv run python benchmarks/bench_tree_cost.py            # the grid below, timed in 7 rounds
    uv run python benchmarks/bench_tree_cost.py --rounds 15

Exercise 3.3 grades its latency budget on a count (``modeling.tree_comparisons``), not on a
timer, so that a busy machine cannot turn a pass into a fail. This script is where the time is
measured: for xgboost models of several sizes, fitted on the exercise's tuning data, it prints
the comparisons per listing, the prediction time per listing and the time ratio against the
default model (timed in alternation with it, ``modeling.paired_latency``), the correlation
between count and time across the grid, and where the check's budget falls in time.
"""

from __future__ import annotations

import argparse

import numpy as np

from mlcourse import modeling
from mlcourse.exercises import ex03

GRID = [
    {"n_estimators": 100, "max_depth": 6},  # the default
    {"n_estimators": 200, "max_depth": 4},
    {"n_estimators": 300, "max_depth": 6, "learning_rate": 0.2, "min_child_weight": 3, "subsample": 0.85},
    {"n_estimators": 600, "max_depth": 3},
    {"n_estimators": 1000, "max_depth": 2},
    {"n_estimators": 300, "max_depth": 8},
    {"n_estimators": 500, "max_depth": 6},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="paired timing rounds per model")
    args = parser.parse_args()

    train, valid = ex03.tuning_data()
    train_inputs, valid_inputs = ex03.model_inputs(train), ex03.model_inputs(valid)
    reference = ex03.reference_model()
    rows = []
    print(f"{'setting':<86} {'comparisons':>11} {'us/listing':>10} {'time ratio':>10}")
    for params in GRID:
        model = modeling.make_model("xgboost", **params).fit(train_inputs, train["price_usd"])
        comparisons = modeling.tree_comparisons(model, valid_inputs)
        timing = modeling.paired_latency(model, reference, valid_inputs, rounds=args.rounds)
        rows.append((comparisons, timing["latency_ratio"]))
        setting = ", ".join(f"{key}={value}" for key, value in params.items())
        print(f"{setting:<86} {comparisons:>11,.0f} {timing['model_us_per_row']:>10.2f} "
              f"{timing['latency_ratio']:>9.2f}x")
    counts, ratios = np.array(rows).T
    slope, intercept = np.polyfit(counts, ratios, 1)
    print(f"\ncorrelation between comparisons and time ratio: {np.corrcoef(counts, ratios)[0, 1]:.3f}")
    print(f"time ratio ~ {intercept:.2f} + {slope * 1000:.3f} per 1,000 comparisons; the 3.3 budget of "
          f"{ex03.COMPARISON_BUDGET:,} comparisons is about {intercept + slope * ex03.COMPARISON_BUDGET:.2f}x "
          "the default model's time on this machine")


if __name__ == "__main__":
    main()
