"""Module 0's business logic: the checklist, the rule-versus-model comparison, accuracy in context, ROI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlcourse import business
from mlcourse.business import ROIInputs


# ------------------------------------------------------------------------------ rules or ML
@pytest.mark.parametrize("answers, expected", [
    ((True,) * 5, business.RULES),
    ((True, True, True, True, False), business.RULES),
    ((True, True, False, False, False), business.RULES_FIRST),
    ((True, False, False, False, False), business.ML),
    ((False,) * 5, business.ML),
])
def test_rules_or_ml_follows_the_count_of_yes(answers, expected):
    assert business.rules_or_ml(answers) == expected


@pytest.mark.parametrize("bad", [(True,) * 4, ("yes",) * 5, [1, 0, 1, 0, 1]])
def test_rules_or_ml_rejects_malformed_answers(bad):
    with pytest.raises(ValueError, match="booleans"):
        business.rules_or_ml(bad)


def test_worked_examples_give_the_textbook_recommendations():
    table = business.checklist_table().set_index("problem")["recommendation"]
    assert table["Tax calculation"] == business.RULES
    assert table["Spam filtering"] == business.ML
    assert table["Product recommendations"] == business.ML


# ------------------------------------------------------------------------------ a rule against a model
def test_group_median_rule_looks_up_medians_and_falls_back():
    train = pd.DataFrame({"era": ["a", "a", "a", "b"], "rarity": ["x", "x", "x", "y"],
                          "price_usd": [1.0, 2.0, 10.0, 5.0]})
    rule = business.GroupMedianRule.fit(train, ["era", "rarity"])
    new = pd.DataFrame({"era": ["a", "b", "c"], "rarity": ["x", "y", "x"]})
    np.testing.assert_allclose(rule.predict(new), [2.0, 5.0, 3.5])
    assert rule.n_groups == 2


def test_group_median_rule_handles_missing_keys_as_a_group():
    train = pd.DataFrame({"condition": ["NM", None, None], "price_usd": [1.0, 8.0, 10.0]})
    rule = business.GroupMedianRule.fit(train, ["condition"])
    np.testing.assert_allclose(rule.predict(pd.DataFrame({"condition": [None, "NM"]})), [9.0, 1.0])


def test_share_within_tolerance_counts_relative_to_the_actual_price():
    actual = [10.0, 10.0, 10.0, 100.0]
    predicted = [12.0, 12.5, 7.0, 130.0]
    assert business.share_within_tolerance(actual, predicted, 0.25) == 0.5  # the boundary counts as within


@pytest.mark.parametrize("actual, predicted, tolerance", [([], [], 0.2), ([1.0], [1.0, 2.0], 0.2), ([1.0], [1.0], -0.1)])
def test_share_within_tolerance_rejects_bad_input(actual, predicted, tolerance):
    with pytest.raises(ValueError):
        business.share_within_tolerance(actual, predicted, tolerance)


def test_price_errors():
    errors = business.price_errors([10.0, 20.0], [12.0, 10.0])
    assert errors["mae_usd"] == 6.0
    assert math.isclose(errors["median_pct_error"], 0.35)
    assert errors["share_within_tolerance"] == 0.5


@pytest.fixture(scope="module")
def comparison() -> pd.DataFrame:
    return business.rule_vs_model()


def test_the_model_beats_the_price_guide_in_every_channel(comparison):
    segments = business.segment_table(comparison)
    assert set(segments["channel"]) == {"bulk_lot", "marketplace", "auction"}
    assert (segments["saved per listing ($)"] > 0).all()
    assert segments["listings"].sum() == len(comparison)


def test_the_lesson_holds_the_guide_is_good_enough_for_bulk_cards(comparison):
    segments = business.segment_table(comparison).set_index("channel")
    assert segments.loc["bulk_lot", "rule error ($)"] < 1.0
    assert segments.loc["auction", "saved per listing ($)"] > 50 * segments.loc["bulk_lot", "saved per listing ($)"]


def test_finer_price_guides_are_better(comparison):
    coarse = business.price_errors(*business.rule_vs_model("rarity")[["price_usd", "rule_price"]].T.to_numpy())
    fine = business.price_errors(*business.rule_vs_model("era x rarity x finish x condition or grade")[
        ["price_usd", "rule_price"]].T.to_numpy())
    assert fine["mae_usd"] < coarse["mae_usd"]


def test_the_comparison_is_split_in_time():
    train, test = business.comparison_split()
    assert (len(train), len(test)) == (15_000, 5_000)
    assert train["listing_id"].max() < test["listing_id"].min()
    assert train["listing_date"].max() <= test["listing_date"].min()


def test_noise_floor_mae_is_below_the_model_and_rejects_unknown_listings(comparison):
    market = comparison[comparison["channel"].eq("marketplace")]
    floor = business.noise_floor_mae(market)
    assert 0 < floor < business.price_errors(market["price_usd"], market["model_price"])["mae_usd"]
    with pytest.raises(ValueError, match="ground truth"):
        business.noise_floor_mae(pd.DataFrame({"listing_id": [-1], "price_usd": [1.0]}))
    with pytest.raises(ValueError, match="columns"):
        business.noise_floor_mae(pd.DataFrame({"price_usd": [1.0]}))


def test_rule_vs_model_returns_copies_and_rejects_unknown_groupings(comparison):
    comparison.loc[0, "price_usd"] = -1
    assert business.rule_vs_model().loc[0, "price_usd"] > 0
    with pytest.raises(ValueError, match="grouping"):
        business.rule_vs_model("species")


# ------------------------------------------------------------------------------ accuracy in context
def test_accuracy_in_context_on_a_rare_class():
    ctx = business.accuracy_in_context(0.85, 0.064)
    assert math.isclose(ctx["baseline_accuracy"], 0.936)
    assert not ctx["beats_baseline"] and ctx["error_reduction"] < 0
    ctx = business.accuracy_in_context(0.9, 0.2)
    assert ctx["beats_baseline"] and math.isclose(ctx["error_reduction"], 0.5)


@pytest.mark.parametrize("accuracy, prevalence", [(1.2, 0.1), (0.9, -0.1)])
def test_accuracy_in_context_rejects_non_fractions(accuracy, prevalence):
    with pytest.raises(ValueError, match="fractions"):
        business.accuracy_in_context(accuracy, prevalence)


def test_classification_summary():
    summary = business.classification_summary([1, 1, 0, 0, 0], [1, 0, 1, 0, 0])
    assert summary == {"accuracy": 0.6, "precision": 0.5, "recall": 0.5, "flagged_share": 0.4}
    assert business.classification_summary([0, 0], [0, 0])["precision"] == 0.0
    assert business.majority_baseline_accuracy([1, 0, 0, 0]) == 0.75
    with pytest.raises(ValueError):
        business.majority_baseline_accuracy([])


def test_threshold_sweep_matches_classification_summary():
    actual = [True, True, False, False, False]
    probability = [0.9, 0.4, 0.6, 0.1, 0.2]
    sweep = business.threshold_sweep(actual, probability, [0.3, 0.5])
    assert list(sweep["threshold"]) == [0.3, 0.5]
    assert sweep.iloc[1].drop("threshold").to_dict() == business.classification_summary(
        actual, [p > 0.5 for p in probability])


def test_the_imbalanced_targets_are_really_imbalanced():
    targets = business.imbalanced_targets().set_index("target")["share of yes"]
    legendary, high_value = targets.iloc[0], targets.iloc[1]
    assert 0.04 < legendary < 0.10 and 0.1 < high_value < 0.3


def test_the_high_value_classifier_beats_doing_nothing_but_misses_many():
    predictions = business.high_value_predictions()
    assert predictions["probability"].between(0, 1).all()
    summary = business.classification_summary(predictions["actual"], predictions["probability"] > 0.5)
    assert summary["accuracy"] > business.majority_baseline_accuracy(predictions["actual"])
    assert summary["recall"] < 0.9


# ------------------------------------------------------------------------------ ROI
def test_roi_line_by_line():
    inputs = ROIInputs(listings_per_month=8_000, share_automated=0.6, minutes_saved_per_listing=3,
                       hourly_cost_usd=30, error_reduction_usd=2.5, share_of_error_lost=0.25,
                       build_cost_usd=90_000, running_cost_per_month_usd=3_000, horizon_months=12)
    result = business.roi(inputs)
    assert math.isclose(result.monthly_labour_savings_usd, 7_200)
    assert math.isclose(result.monthly_pricing_gain_usd, 3_000)  # 8,000 x 60% automated x $2.50 x 25%
    assert math.isclose(result.monthly_net_benefit_usd, 7_200)
    assert math.isclose(result.payback_months, 90_000 / 7_200)
    assert math.isclose(result.horizon_net_value_usd, 7_200 * 12 - 90_000)
    assert math.isclose(result.roi, (7_200 * 12 - 90_000) / 90_000)


def test_only_the_automated_share_gains_the_models_accuracy():
    nothing_automated = business.roi(ROIInputs(share_automated=0.0))
    assert nothing_automated.monthly_pricing_gain_usd == 0 == nothing_automated.monthly_labour_savings_usd


def test_a_model_that_costs_more_than_it_saves_never_pays_back():
    result = business.roi(ROIInputs(listings_per_month=100, running_cost_per_month_usd=10_000))
    assert result.payback_months == math.inf and result.roi < -1


@pytest.mark.parametrize("change, message", [
    ({"listings_per_month": -1}, "negative"),
    ({"share_automated": 1.5}, "between 0 and 1"),
    ({"share_of_error_lost": 30}, "0.3 for 30%"),
    ({"build_cost_usd": 0}, "positive"),
    ({"horizon_months": 0}, "at least 1"),
    ({"hourly_cost_usd": float("nan")}, "finite"),
    ({"hourly_cost_usd": "35"}, "must be a number"),
    ({"share_automated": True}, "must be a number"),
])
def test_roi_inputs_name_the_bad_value(change, message):
    with pytest.raises(ValueError, match=message):
        business.roi(ROIInputs(**change))


def test_cumulative_value_starts_at_minus_the_build_cost():
    inputs = ROIInputs()
    curve = business.cumulative_value(inputs, months=24)
    assert len(curve) == 25 and curve.iloc[0, 1] == -inputs.build_cost_usd
    assert math.isclose(curve.iloc[-1, 1], -inputs.build_cost_usd + 24 * business.roi(inputs).monthly_net_benefit_usd)


def test_sensitivity_is_sorted_and_keeps_shares_valid():
    table = business.sensitivity(ROIInputs(share_automated=0.95), change=0.2)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    assert "horizon_months" not in set(table["input"])
    assert (table.set_index("input").loc["running_cost_per_month_usd", "high"]) < 0


def test_timeline_phases_follow_each_other():
    plan = business.timeline()
    assert (plan["start week"].iloc[1:].to_numpy() == plan["end week"].iloc[:-1].to_numpy()).all()
    assert plan["end week"].iloc[-1] == plan["weeks"].sum()
