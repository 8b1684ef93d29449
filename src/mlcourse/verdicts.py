"""The sentences Modules 3 and 4 build from their numbers.

Each function takes computed results and returns Markdown words (dollar signs escaped), so a
notebook cell that shows a verdict is one line, and every branch of a verdict (a gap that is
real, one that is noise, a budget nobody meets) is tested here rather than discovered by a
learner. Nothing here computes a model or a statistic: it only says what the numbers say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd


def usd(value: float, decimals: int = 2) -> str:
    """Dollars for Markdown: ``\\$4.20``."""
    return f"\\${value:,.{decimals}f}"


def signed_usd(value: float, decimals: int = 2) -> str:
    """Signed dollars for Markdown, as people write them: ``+\\$0.68``, ``-\\$1.06``."""
    if round(value, decimals) == 0:  # no sign on a zero, not even a rounded one: "-$0.00" reads as a loss
        return usd(0.0, decimals)
    return ("-" if value < 0 else "+") + usd(abs(value), decimals)


def share(value: float, decimals: int = 0) -> str:
    return f"{value:.{decimals}%}"


# ======================================================================================
# Module 3
# ======================================================================================
def retransformation(oof_factor: float, in_sample_factor: float, plain: Mapping[str, float],
                     smeared: Mapping[str, float], same_period: Mapping[str, float]) -> str:
    """What Duan's smearing factor does to a log-price model's dollar RMSE and totals.

    plain / smeared: dicts with ``rmse`` and ``sum_ratio`` (summed predictions over summed
    prices) on validation data, without and with the out-of-fold factor. same_period: the sum
    ratios ``plain`` and ``smeared`` of the out-of-fold predictions on the training rows themselves.
    """
    rmse_change = smeared["rmse"] - plain["rmse"]
    if abs(rmse_change) < 0.005:
        rmse_words = f"leaves validation RMSE where it was ({usd(plain['rmse'])})"
    elif rmse_change < 0:
        rmse_words = (f"lowers validation RMSE from {usd(plain['rmse'])} to {usd(smeared['rmse'])}: "
                      "in dollars, the mean is the better guess")
    else:
        rmse_words = (f"raises validation RMSE from {usd(plain['rmse'])} to {usd(smeared['rmse'])}: one factor "
                      "for every listing overshoots where the spread of log errors is small")
    total_words = (f"the summed predictions go from **{share(plain['sum_ratio'], 1)}** of the summed prices "
                   f"to **{share(smeared['sum_ratio'], 1)}**")
    left = same_period["smeared"] - smeared["sum_ratio"]
    period = (f" Within the training period itself (out of fold) the same factor takes the sum from "
              f"{share(same_period['plain'], 1)} to {share(same_period['smeared'], 1)}")
    if abs(left) > 0.02:
        period += (f"; the {abs(left) * 100:.0f} points by which validation still differs are not the log scale but "
                   "the market moving between the two periods, which no factor measured on the past can know.")
    else:
        period += ", about what it reaches on validation: the factor corrects the log scale, and little else is left."
    return (f"Estimated out of fold on the training sample, the smearing factor is **{oof_factor:.3f}** "
            f"(the same estimate on the rows the model trained on says {in_sample_factor:.3f}: a flexible model "
            f"fits its own rows too closely to show its real errors). Multiplying the predictions by it "
            f"{rmse_words}; {total_words}.{period}")


def cv_time_or_size(summary: pd.DataFrame, n_folds: int) -> str:
    """The "time or training size?" paragraph of Module 3's cross-validation section.

    summary: one row per scheme (``modeling.CV_SCHEMES``) with mean_rmse, std_rmse and mean_train_rows.
    """
    s = summary.set_index("scheme")
    kfold, time, same = (s.loc[k, "mean_rmse"] for k in ("k-fold", "time-based", "shuffled, time-based sizes"))
    time_effect, size_effect = time - same, same - kfold
    se = s["std_rmse"] / n_folds**0.5
    time_noise = 2 * (se["time-based"] ** 2 + se["shuffled, time-based sizes"] ** 2) ** 0.5
    size_noise = 2 * (se["shuffled, time-based sizes"] ** 2 + se["k-fold"] ** 2) ** 0.5
    time_real, size_real = abs(time_effect) > time_noise, abs(size_effect) > size_noise
    noise = (f"(two standard errors of the difference: {usd(size_noise)} for the size effect, "
             f"{usd(time_noise)} for the time effect)")
    if not time_real and not size_real:
        verdict = (f"both effects are within the fold noise {noise}: **on {n_folds} folds of this sample, neither "
                   "cause can be named**. More folds or more rows would narrow the noise; until then, the honest "
                   'answer is "we cannot tell"')
    elif time_real and size_real:
        larger = "training size" if abs(size_effect) >= abs(time_effect) else "validating on the future"
        verdict = (f"both effects are larger than the fold noise {noise}, and the larger one is **{larger}** "
                   f"({usd(abs(size_effect))} for size against {usd(abs(time_effect))} for time)")
    else:
        which = "training size" if size_real else "validating on the future"
        other = "validating on the future" if size_real else "training size"
        verdict = (f"only the effect of {which} is larger than the fold noise {noise}: **{which} is the cause this "
                   f"data can name**; the effect of {other} may be chance")
    return (f"Time-based folds train on {s.loc['time-based', 'mean_train_rows']:,.0f} rows on average (the first "
            f"fold on far fewer), k-fold on {s.loc['k-fold', 'mean_train_rows']:,.0f}: two things change at once. "
            f"The shuffled folds with the time-based sizes score {usd(same)}, so of the "
            f"{signed_usd(time - kfold)} between time-based and k-fold, {signed_usd(size_effect)} comes from "
            f"training size and {signed_usd(time_effect)} from validating on the future: {verdict}. Always hold "
            "one thing fixed before naming a cause.")


def learning_curves(curves: pd.DataFrame, sizes: list[int], train_floor: float) -> str:
    """Module 3's reading of the learning curves of the linear model and xgboost.

    curves: ``modeling.learning_curve_table`` rows with a ``model`` column ("linear (ridge)",
    "xgboost"); train_floor: the noise floor of the rows the largest xgboost model trained on.
    """
    def at(model: str, data: str, size: int) -> float:
        row = curves[(curves["model"] == model) & (curves["data"] == data) & (curves["training rows"] == size)]
        return float(row["rmse"].iloc[0])

    big, small, mid = sizes[-1], sizes[0], sizes[-2]
    lin_tr, lin_va = at("linear (ridge)", "training", big), at("linear (ridge)", "validation", big)
    xgb_tr, xgb_va, xgb_mid = at("xgboost", "training", big), at("xgboost", "validation", big), at("xgboost", "validation", mid)
    ratio = xgb_tr / train_floor
    if ratio > 1.1:
        capacity = (f"Yet its training error is not low: {usd(xgb_tr)} is {ratio:.2f}x the noise floor of its own "
                    f"training rows ({usd(train_floor)}). A model that memorises its training rows gets near that "
                    "floor or below it, fitting the noise; this one does not even fit all the signal it was shown. "
                    "It underfits too: regularisation (which raises training error) is not what it needs; more "
                    "capacity is (more trees, deeper trees, a lower learning rate with more rounds), and that is "
                    "what the search of section 7 rewards.")
    else:
        capacity = (f"Its training error, {usd(xgb_tr)}, is {ratio:.2f}x the noise floor of its own training rows "
                    f"({usd(train_floor)}): it fits almost everything that can be fitted, and close to the floor or "
                    "below it, the rest is noise learned by heart. Regularisation would help here, as would more data.")
    if xgb_va < xgb_mid - 0.005:
        trend = (f"and validation error is still falling: from {usd(xgb_mid)} at {mid:,} rows to {usd(xgb_va)} at "
                 f"{big:,}. More listings would still help.")
    else:
        trend = (f"and validation error has stopped falling ({usd(xgb_mid)} at {mid:,} rows, {usd(xgb_va)} at "
                 f"{big:,}): more listings of the same kind would add little.")
    linear_gap = lin_va - lin_tr
    linear = (f"**The linear model is bias-limited.** With {big:,} rows it misses by {usd(lin_tr)} on its own "
              f"training data and {usd(lin_va)} on validation: " +
              ("the two curves meet, far above the floor. More data will not fix it; it cannot express the "
               "interactions." if abs(linear_gap) < 0.25 * lin_va else
               "a gap, but both sit far above the floor: it cannot express the interactions, and the gap is "
               "the market moving between the training period and the validation period, which no amount "
               "of data from the past removes."))
    return (f"{linear}\n\n**xgboost has some of both.** Its training error ({usd(xgb_tr)}) sits below its validation "
            f"error ({usd(xgb_va)}), {trend} {capacity} This is also how you size an experiment cheaply: on "
            f"{small:,} rows you already see which family is bias-limited.")


def describe_candidate(row: Mapping[str, Any]) -> str:
    return (f"{int(row['n_estimators'])} trees of depth {int(row['max_depth'])}, learning rate "
            f"{row['learning_rate']:g}, min_child_weight {int(row['min_child_weight'])}, subsample {row['subsample']:g}")


def search_choice(chosen: Mapping[str, Any] | None, most_accurate: Mapping[str, Any], budget: float) -> str:
    """Which candidate the latency budget picks, and what it gives up."""
    if chosen is None:
        return f"**No candidate meets a budget of {budget:.2f}x.** Raise the budget, or search smaller models."
    if chosen["candidate"] == most_accurate["candidate"]:
        return (f"The most accurate candidate ({describe_candidate(chosen)}: {usd(chosen['rmse'])}, "
                f"{chosen['latency_ratio']:.2f}x) also meets the budget.")
    return (f"The most accurate candidate ({describe_candidate(most_accurate)}: {usd(most_accurate['rmse'])}) takes "
            f"{most_accurate['latency_ratio']:.2f}x the default's time: over budget. The best within budget is "
            f"**{describe_candidate(chosen)}**: {usd(chosen['rmse'])} at {chosen['latency_ratio']:.2f}x, giving up "
            f"{usd(chosen['rmse'] - most_accurate['rmse'])} of RMSE to stay inside it.")


def winners_curse(curse: Mapping[str, float], fresh_rows: int) -> str:
    """The main line about the winner's curse: the winner's validation score against fresh rows."""
    gap, mean_gap = curse["winner_gap"], curse["mean_gap"]
    n = curse["candidates"]
    fresh = (f"On {fresh_rows:,} fresh listings of the validation period, which no choice looked at, the winner "
             f"(candidate {curse['winner']}) scores {usd(curse['winner_holdout_rmse'])} against the "
             f"{usd(curse['winner_validation_rmse'])} it won with ({signed_usd(gap)}), and ranks "
             f"{curse['winner_holdout_rank']} of {n} there. Every candidate moves between the two sets "
             f"({signed_usd(mean_gap)} on average: the fresh rows are simply another sample); the winner moves ")
    extra = round(curse["selection_gap"], 2)
    if extra > 0:
        fresh += f"{signed_usd(curse['selection_gap'])} more than that: that extra is the price of having been chosen."
    else:
        fresh += ((f"{signed_usd(curse['selection_gap'])} more than that" if extra < 0 else "about as much as they do")
                  + ": in this draw the winner held up, which happens; the curse is a bias on average, not a rule "
                  "for every search.")
    return (f"**The winner's curse.** The best validation score of {n} candidates is the best of {n} noisy "
            "measurements, so it is biased *low*: the winner looks better than it is, partly because its "
            f"validation rows happened to suit it. {fresh}")


def winners_curse_fine_print(curse: Mapping[str, float], validation_rows: int, n_boot: int) -> str:
    optimism = curse["bootstrap_optimism"]
    direction = (f"lower by **{usd(optimism)}** on average" if optimism >= 0 else
                 f"higher by {usd(-optimism)} on average: with candidates this far apart, choosing costs little here")
    return (f"The fresh-rows comparison is one draw. The bootstrap asks how large the optimism is on average: "
            f"resample the {validation_rows:,} validation rows {n_boot} times, pick the winner on each resample, "
            f"and score that winner on all {validation_rows:,} rows (`modeling.winners_curse`). The winner's score "
            f"on the resample it was chosen on is {direction} (90% of resamples between "
            f"{signed_usd(curse['bootstrap_low'])} and {signed_usd(curse['bootstrap_high'])}). The more candidates "
            "and the closer they are, the larger it gets; the remedy is a score the choice never saw: fresh rows, "
            "or the test set once at the end.")


# ======================================================================================
# Module 4
# ======================================================================================
def bulk_valuation(test_ratio: float, factors: Mapping[str, float], corrected: Mapping[str, float]) -> str:
    """Module 4's bulk valuation: summed predictions over summed prices, and two correction factors.

    factors / corrected: keyed "training rows" and "validation" (the factor, and the test sum ratio after it).
    """
    def verdict(value: float) -> str:
        if abs(value - 1) <= 0.01:
            return "within 1% of the truth"
        return f"still {'under' if value < 1 else 'over'} by {abs(value - 1):.1%}"

    train, valid = factors["training rows"], factors["validation"]
    return (f"Summed over the test set, the predictions come to **{share(test_ratio, 1)}** of the sale prices: "
            f"anyone valuing an inventory in bulk with this model {'under' if test_ratio < 1 else 'over'}values it. "
            "The fix is a factor (Duan's smearing estimate, `modeling.smearing_factor`: the mean of price over "
            "prediction), and where it is estimated matters. Measured on the rows the model trained on, it is "
            f"{train:.3f}, and the corrected test sum comes to {share(corrected['training rows'], 1)} "
            f"({verdict(corrected['training rows'])}): the model fits its own rows far more closely than new ones, "
            f"so its training errors understate the correction. Measured on the validation period, predicted by the "
            f"same settings trained without it, it is **{valid:.3f}**, and the test sum comes to "
            f"**{share(corrected['validation'], 1)}** ({verdict(corrected['validation'])}).")


def break_even(cost_missed: float, cost_review: float, full: float, simple: float, found: float,
               found_simple: float, cost_found: float, cost_simple: float) -> str:
    """Module 4's paragraph on the break-even threshold under the two review-cost models.

    full / simple: the break-even thresholds with every review charged and with only unnecessary
    reviews charged; found / found_simple: the thresholds the validation search picks under each;
    cost_found / cost_simple: what each of those two thresholds costs on the test set, every review charged.
    """
    if found_simple < found - 1e-9:
        outcome = (f"with these costs its search picks {found_simple:.3f}, below {found:.3f}: it flags more "
                   f"listings than the money says it should, and costs {usd(cost_simple, 0)} on the test set "
                   f"against {usd(cost_found, 0)}")
    elif found_simple > found + 1e-9:
        outcome = (f"with these costs its search picks {found_simple:.3f}, above {found:.3f}, and costs "
                   f"{usd(cost_simple, 0)} on the test set against {usd(cost_found, 0)}")
    else:
        outcome = (f"with these costs both searches land on the same threshold, {found:.3f}: on this data the "
                   "shortcut happens to cost nothing; with other costs it can")
    return (f"For a *calibrated* probability p, flagging costs a review, {usd(cost_review, 0)}, whatever the listing "
            f"turns out to be; not flagging costs {usd(cost_missed, 0)} x p. So flag when p is at least "
            f"`cost_review / cost_missed` = **{full:.3f}** (`evaluation.break_even_threshold`), against {found:.3f} "
            "found by the search on validation data: the closer the two, the better calibrated the scores near the "
            "threshold. A common shortcut charges only the *unnecessary* reviews (false positives), as if "
            f"reviewing a valuable card were free: its break-even is `cost_review / (cost_review + cost_missed)` = "
            f"{simple:.3f}, the same decision as the full model with the cost of a miss lowered by one review; "
            f"{outcome}. F1 knows nothing about costs: it weighs a miss and a false alarm equally.")


def floor_by_era(floor: Mapping[str, float], table: pd.DataFrame, near_ratio: float) -> str:
    """Module 4's reading of the model against the noise floor, overall and by era."""
    near = table[table["model / floor"] <= near_ratio]
    ratios = (f"era's RMSE is between {table['model / floor'].min():.2f}x and {table['model / floor'].max():.2f}x "
              "its floor (the `model / floor` column")
    if near.empty:
        elsewhere = (f"And nowhere is the model near what the noise allows: every {ratios}; none within "
                     f"{near_ratio:.2f}x), so every era still has learnable error, and effort pays first where the "
                     "excess is largest.")
    elif len(near) == len(table):
        elsewhere = (f"Elsewhere the returns shrink: every {ratios}; all within {near_ratio:.2f}x), so the model is "
                     "near what the noise allows everywhere, and more tuning buys little.")
    else:
        elsewhere = (f"Every {ratios}). Within {near_ratio:.2f}x of the floor, the model is near what the noise "
                     f"allows, and more tuning there buys little: {', '.join(f'`{e}`' for e in near['era'])}. The "
                     "other eras still have learnable error.")
    top, bottom = table.iloc[0], table.iloc[-1]
    return (f"On the whole test set: model **{usd(floor['model_rmse'])}**, era x rarity rule "
            f"{usd(floor['baseline_rmse'])}, noise floor **{usd(floor['floor_rmse'])}**. The model is "
            f"{floor['model_to_floor_ratio']:.2f}x the floor and closes **{share(floor['gap_closed'])}** of the gap "
            f"from the rule to the best possible model; {usd(floor['excess_over_floor'])} of RMSE is still "
            f"learnable in principle.\n\nWhere is it? The largest excess over the floor is in `{top['era']}` "
            f"({usd(top['excess over floor'])} above a floor of {usd(top['noise floor'])}); the smallest in "
            f"`{bottom['era']}` ({usd(bottom['excess over floor'])}). That is where more data, better features (the "
            "card's identity carries an effect no column describes: Module 3's grouped folds showed it) or a "
            f"dedicated model would pay. {elsewhere}")


def lift(table: pd.DataFrame, what: str, credible: pd.DataFrame) -> str:
    """A claim about the most over-represented value among the worst errors only when its interval clears 1."""
    top, row = table.index[0], table.iloc[0]
    counts = (f"{int(row['worst'])} of the {int(table['worst'].sum())} worst, "
              f"{int(row['listings']):,} of {int(table['listings'].sum()):,} listings")
    if row["lift_low"] > 1:
        return (f"`{top}` {what} are **{row['lift']:.1f}x** over-represented ({counts}; 95% interval "
                f"{row['lift_low']:.1f}x to {row['lift_high']:.1f}x, clear of 1)")
    instead = (f"; the highest lift whose interval clears 1 is `{credible.index[0]}` ({credible['lift'].iloc[0]:.1f}x, "
               f"{int(credible['worst'].iloc[0])} of the worst)" if not credible.empty else "; no value's interval clears 1")
    return (f"`{top}` {what} show the highest lift, {row['lift']:.1f}x, but on {counts}: its 95% interval, "
            f"{row['lift_low']:.1f}x to {row['lift_high']:.1f}x, includes 1, so it may be chance{instead}")


def escape(text: str) -> str:
    """Plain text with ``$`` for Markdown (``evaluation.group_gap_sentence`` returns plain text)."""
    return text.replace("$", "\\$")
