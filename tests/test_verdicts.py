"""Every branch of the verdicts Modules 3 and 4 print: each says what its numbers say, and only that."""

from __future__ import annotations

import pandas as pd

from mlcourse import verdicts


def test_money_is_escaped_and_signed_the_way_people_write_it():
    assert verdicts.usd(4.2) == "\\$4.20" and verdicts.usd(1234.5, 0) == "\\$1,234"
    assert verdicts.signed_usd(0.68) == "+\\$0.68" and verdicts.signed_usd(-1.06) == "-\\$1.06"
    assert verdicts.signed_usd(-0.001) == "\\$0.00"


def test_retransformation_names_what_the_factor_does():
    lower = verdicts.retransformation(1.09, 1.03, {"rmse": 7.0, "sum_ratio": 0.84}, {"rmse": 6.7, "sum_ratio": 0.92},
                                      {"plain": 0.93, "smeared": 1.01})
    assert "the 9 points by which validation still differs" in lower
    assert "1.090" in lower and "1.030" in lower and "lowers validation RMSE" in lower
    assert "84.0%" in lower and "92.0%" in lower and "market moving" in lower
    higher = verdicts.retransformation(1.2, 1.0, {"rmse": 7.0, "sum_ratio": 0.95}, {"rmse": 7.4, "sum_ratio": 1.0},
                                       {"plain": 0.9, "smeared": 1.0})
    assert "raises validation RMSE" in higher and "market moving" not in higher and "little else" in higher
    same = verdicts.retransformation(1.0, 1.0, {"rmse": 7.0, "sum_ratio": 1.0}, {"rmse": 7.001, "sum_ratio": 1.0},
                                     {"plain": 1.0, "smeared": 1.0})
    assert "leaves validation RMSE where it was" in same


def _cv(kfold, card, setg, time, same, std=0.1, folds_rows=(2000, 1500)):
    return pd.DataFrame({"scheme": ["k-fold", "grouped by card", "grouped by set", "time-based",
                                    "shuffled, time-based sizes"],
                         "mean_rmse": [kfold, card, setg, time, same], "std_rmse": [std] * 5,
                         "mean_train_rows": [folds_rows[0], folds_rows[0], folds_rows[0], folds_rows[1], folds_rows[1]]})


def test_cv_time_or_size_names_a_cause_only_beyond_the_fold_noise():
    neither = verdicts.cv_time_or_size(_cv(7.0, 8.0, 8.5, 7.2, 7.1, std=2.0), 3)
    assert "neither cause can be named" in neither
    both = verdicts.cv_time_or_size(_cv(7.0, 8.0, 8.5, 9.0, 8.0, std=0.05), 5)
    assert "both effects are larger" in both and "training size" in both
    only_time = verdicts.cv_time_or_size(_cv(7.0, 8.0, 8.5, 9.0, 7.02, std=0.05), 5)
    assert "only the effect of validating on the future" in only_time
    assert "+\\$2.00 between time-based and k-fold" in only_time


def _curves(lin_tr, lin_va, xgb_tr, xgb_va, xgb_mid, sizes=(500, 2000, 8000)):
    rows = []
    for size in sizes:
        rows += [{"model": "linear (ridge)", "data": "training", "training rows": size, "rmse": lin_tr},
                 {"model": "linear (ridge)", "data": "validation", "training rows": size, "rmse": lin_va},
                 {"model": "xgboost", "data": "training", "training rows": size, "rmse": xgb_tr},
                 {"model": "xgboost", "data": "validation", "training rows": size,
                  "rmse": xgb_mid if size == sizes[1] else xgb_va}]
    return pd.DataFrame(rows), list(sizes)


def test_learning_curves_read_capacity_trend_and_the_linear_gap():
    curves, sizes = _curves(9.3, 9.8, 3.6, 7.0, 8.5)
    text = verdicts.learning_curves(curves, sizes, train_floor=2.4)
    assert "curves meet" in text and "still falling" in text and "more capacity" in text
    curves, sizes = _curves(5.0, 9.0, 2.5, 7.0, 7.0)
    text = verdicts.learning_curves(curves, sizes, train_floor=2.4)
    assert "market moving" in text and "stopped falling" in text and "Regularisation would help" in text


def _candidate(candidate, rmse, ratio):
    return {"candidate": candidate, "rmse": rmse, "latency_ratio": ratio, "n_estimators": 200, "max_depth": 6,
            "learning_rate": 0.2, "min_child_weight": 1, "subsample": 0.85}


def test_search_choice_covers_every_case():
    best = _candidate(1, 6.5, 1.4)
    assert "No candidate meets" in verdicts.search_choice(None, best, 0.8)
    assert "also meets the budget" in verdicts.search_choice(best, best, 1.5)
    text = verdicts.search_choice(_candidate(2, 6.9, 1.1), best, 1.25)
    assert "over budget" in text and "giving up \\$0.40" in text


def _curse(selection_gap):
    return {"candidates": 6, "winner": 3, "winner_validation_rmse": 6.5, "winner_holdout_rmse": 7.0,
            "winner_gap": 0.5, "mean_gap": 0.5 - selection_gap, "selection_gap": selection_gap,
            "winner_holdout_rank": 2, "bootstrap_optimism": 0.12, "bootstrap_low": 0.01, "bootstrap_high": 0.3}


def test_winners_curse_says_which_way_and_admits_a_lucky_draw():
    cursed = verdicts.winners_curse(_curse(0.2), fresh_rows=5000)
    assert "biased *low*" in cursed and "price of having been chosen" in cursed and "5,000" in cursed
    lucky = verdicts.winners_curse(_curse(-0.1), fresh_rows=5000)
    assert "held up" in lucky and "bias on average" in lucky and "-\\$0.10 more" in lucky
    even = verdicts.winners_curse(_curse(-0.001), fresh_rows=5000)
    assert "about as much as they do" in even and "-\\$0.00" not in even
    fine = verdicts.winners_curse_fine_print(_curse(0.2), validation_rows=3000, n_boot=400)
    assert "lower by **\\$0.12**" in fine and "400" in fine and "+\\$0.01 and +\\$0.30" in fine
    negative = verdicts.winners_curse_fine_print({**_curse(0.2), "bootstrap_optimism": -0.02, "bootstrap_low": -0.3},
                                                 validation_rows=3000, n_boot=400)
    assert "higher by \\$0.02" in negative and "-\\$0.30 and" in negative and "$-" not in negative


def test_bulk_valuation_compares_the_two_factors():
    text = verdicts.bulk_valuation(0.918, {"training rows": 1.03, "validation": 1.09},
                                   {"training rows": 0.946, "validation": 1.004})
    assert "91.8%" in text and "undervalues" in text and "1.030" in text and "**1.090**" in text
    assert "still under by 5.4%" in text and "within 1% of the truth" in text


def test_break_even_reports_the_shortcut_honestly():
    lower = verdicts.break_even(40, 5, 0.125, 0.111, 0.15, 0.12, 24000, 24500)
    assert "**0.125**" in lower and "0.111" in lower and "flags more" in lower and "\\$24,500" in lower
    same = verdicts.break_even(40, 5, 0.125, 0.111, 0.154, 0.154, 24810, 24810)
    assert "same threshold" in same and "flags more" not in same
    higher = verdicts.break_even(40, 5, 0.125, 0.111, 0.15, 0.16, 24000, 24100)
    assert "above" in higher


def _floor_table(ratios):
    return pd.DataFrame({"era": [f"e{i}" for i in range(len(ratios))], "excess over floor": [2.0, 1.0, 0.5][:len(ratios)],
                         "noise floor": [3.0] * len(ratios), "model / floor": ratios})


def test_floor_by_era_covers_none_some_and_all_near_the_floor():
    floor = {"model_rmse": 4.95, "baseline_rmse": 10.1, "floor_rmse": 2.55, "model_to_floor_ratio": 1.94,
             "gap_closed": 0.68, "excess_over_floor": 2.4}
    assert "nowhere is the model near" in verdicts.floor_by_era(floor, _floor_table([2.0, 1.5, 1.2]), 1.1)
    assert "`e2`" in verdicts.floor_by_era(floor, _floor_table([2.0, 1.5, 1.05]), 1.1)
    assert "near what the noise allows everywhere" in verdicts.floor_by_era(floor, _floor_table([1.05, 1.02, 1.01]), 1.1)


def test_lift_claims_only_an_interval_clear_of_one():
    table = pd.DataFrame({"lift": [5.0, 2.0], "lift_low": [0.8, 1.4], "lift_high": [9.0, 2.6], "worst": [2, 120],
                          "listings": [20, 2000]}, index=["tiny", "sv"])
    credible = table[table["lift_low"] > 1]
    text = verdicts.lift(table, "listings", credible)
    assert "may be chance" in text and "`sv`" in text
    clear = verdicts.lift(table.iloc[[1]], "listings", credible)
    assert "**2.0x** over-represented" in clear
    assert "no value's interval clears 1" in verdicts.lift(table.iloc[[0]], "listings", table.iloc[[]])
