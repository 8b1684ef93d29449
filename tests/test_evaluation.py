"""Metrics, thresholds, error analysis, slices and model cards."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from mlcourse import evaluation
from mlcourse.dataset import load_ground_truth
from mlcourse.modeling import pricing_listings


# ------------------------------------------------------------------------------ regression
def test_rmse_and_mae_on_known_values():
    assert evaluation.rmse([1, 2, 3], [1, 2, 7]) == pytest.approx(np.sqrt(16 / 3))
    assert evaluation.mae([1, 2, 3], [1, 2, 7]) == pytest.approx(4 / 3)


@pytest.mark.parametrize("true, pred, message", [([1, 2], [1], "must match"), ([], [], "no values")])
def test_metrics_explain_bad_shapes(true, pred, message):
    with pytest.raises(ValueError, match=message):
        evaluation.rmse(true, pred)


def test_regression_metrics():
    out = evaluation.regression_metrics([10.0, 20.0, 40.0], [11.0, 20.0, 30.0])
    assert out["mae"] == pytest.approx(11 / 3)
    assert out["mape"] == pytest.approx((0.1 + 0 + 0.25) / 3)
    assert out["bias"] == pytest.approx(-3.0)
    assert out["within_1_usd"] == pytest.approx(2 / 3) and out["within_5_usd"] == pytest.approx(2 / 3)
    assert out["within_20pct"] == pytest.approx(2 / 3)
    assert out["rmse_log"] == pytest.approx(np.sqrt(np.mean(np.log([1.1, 1.0, 0.75]) ** 2)))
    with pytest.raises(ValueError, match="positive"):
        evaluation.regression_metrics([1.0, -1.0], [1.0, 1.0])


@pytest.fixture(scope="module")
def residuals() -> pd.DataFrame:
    listings = pricing_listings(sample=4_000, seed=9)
    rng = np.random.default_rng(0)
    predictions = listings["price_usd"].to_numpy() * np.exp(rng.normal(0, 0.3, len(listings)))
    return evaluation.residual_frame(listings, predictions)


def test_residual_frame(residuals):
    assert {"predicted", "error", "abs_error", "log_ratio"} <= set(residuals.columns)
    np.testing.assert_allclose(residuals["error"], residuals["predicted"] - residuals["price_usd"])


def test_errors_by_segment(residuals):
    table = evaluation.errors_by_segment(residuals, "era")
    assert table["listings"].sum() == len(residuals)
    assert table["share_of_squared_error"].sum() == pytest.approx(1.0)
    assert table["rmse"].is_monotonic_decreasing
    two = evaluation.errors_by_segment(residuals, ["era", "language"])
    assert {"era", "language"} <= set(two.columns)


def test_errors_by_segment_gives_the_bias_an_interval(residuals):
    table = evaluation.errors_by_segment(residuals, "language").set_index("language")
    assert ((table["bias_low"] <= table["bias"]) & (table["bias"] <= table["bias_high"])).all()
    for language, part in residuals.groupby("language"):
        mean, low, high = evaluation.mean_interval(part["error"])
        assert table.loc[language, "bias"] == pytest.approx(mean)
        assert (table.loc[language, "bias_low"], table.loc[language, "bias_high"]) == pytest.approx((low, high))
    # smaller groups get wider intervals
    width = table["bias_high"] - table["bias_low"]
    assert width[table["listings"].idxmin()] > width[table["listings"].idxmax()]


def test_mean_interval():
    mean, low, high = evaluation.mean_interval([1.0, 2.0, 3.0, 4.0])
    half = 1.96 * np.std([1.0, 2.0, 3.0, 4.0], ddof=1) / 2
    assert (mean, low, high) == pytest.approx((2.5, 2.5 - half, 2.5 + half))
    one = evaluation.mean_interval([5.0])
    assert one[0] == 5.0 and np.isnan(one[1]) and np.isnan(one[2])
    with pytest.raises(ValueError, match="no values"):
        evaluation.mean_interval([])


def test_worst_errors_and_segment_lift(residuals):
    worst = evaluation.worst_errors(residuals, 50)
    assert len(worst) == 50 and worst["abs_error"].is_monotonic_decreasing
    assert worst["abs_error"].min() >= residuals["abs_error"].nlargest(51).iloc[-1]
    lift = evaluation.segment_lift(residuals, "rarity", n_worst=50)
    assert set(lift.index) == set(residuals["rarity"].unique())
    assert lift["share_worst"].sum() == pytest.approx(1.0) and lift["share_all"].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(lift["lift"], lift["share_worst"] / lift["share_all"])
    assert lift["lift"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="no column"):
        evaluation.segment_lift(residuals, "colour")
    # the counts behind the shares, and an interval around each lift
    assert lift["worst"].sum() == 50 and lift["listings"].sum() == len(residuals)
    assert ((lift["lift_low"] <= lift["lift"] + 1e-12) & (lift["lift"] <= lift["lift_high"] + 1e-12)).all()
    assert (evaluation.credible_lift(lift)["lift_low"] > 1).all()


def test_proportion_interval_is_wide_on_few_cases_and_narrow_on_many():
    low, high = evaluation.proportion_interval(3, 4)
    assert low < 0.75 < high and high - low > 0.4
    low, high = evaluation.proportion_interval(3000, 4000)
    assert low < 0.75 < high and high - low < 0.03
    low, high = evaluation.proportion_interval(np.array([0, 5]), np.array([0, 5]))
    assert np.isnan(low[0]) and high[1] == pytest.approx(1.0)


def test_a_tiny_segment_with_a_big_lift_is_not_credible():
    residuals = pd.DataFrame({"segment": ["big"] * 990 + ["tiny"] * 10,
                              "abs_error": np.r_[np.linspace(0, 1, 990), [5.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0, 0]]})
    lift = evaluation.segment_lift(residuals, "segment", n_worst=20)
    assert lift.index[0] == "tiny" and lift.loc["tiny", "lift"] == pytest.approx(5.0)
    assert lift.loc["tiny", "worst"] == 1 and lift.loc["tiny", "lift_low"] < 1
    assert "tiny" not in evaluation.credible_lift(lift).index


def test_noise_floor_comparison_places_the_truth_at_the_floor():
    listings = pricing_listings(sample=2_000, seed=4)
    truth = listings[["listing_id"]].merge(load_ground_truth(), on="listing_id")["expected_price"].to_numpy()
    constant = np.full(len(listings), listings["price_usd"].median())
    perfect = evaluation.noise_floor_comparison(listings, truth, constant)
    assert perfect["model_rmse"] == pytest.approx(perfect["floor_rmse"])
    assert perfect["gap_closed"] == pytest.approx(1.0)
    assert perfect["excess_over_floor"] == pytest.approx(0.0, abs=1e-9)
    nothing = evaluation.noise_floor_comparison(listings, constant, constant)
    assert nothing["gap_closed"] == pytest.approx(0.0)


# ------------------------------------------------------------------------------ classification
@pytest.fixture(scope="module")
def classified() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    labels = (rng.random(3_000) < 0.2).astype(int)
    scores = np.clip(0.2 + 0.5 * labels + rng.normal(0, 0.2, len(labels)), 0, 1)
    return labels, scores


def test_classification_metrics_agree_with_scikit_learn(classified):
    labels, scores = classified
    out = evaluation.classification_metrics(labels, scores, threshold=0.5)
    predicted = (scores >= 0.5).astype(int)
    assert out["precision"] == pytest.approx(skm.precision_score(labels, predicted))
    assert out["recall"] == pytest.approx(skm.recall_score(labels, predicted))
    assert out["f1"] == pytest.approx(skm.f1_score(labels, predicted))
    assert out["accuracy"] == pytest.approx(skm.accuracy_score(labels, predicted))
    assert out["roc_auc"] == pytest.approx(skm.roc_auc_score(labels, scores))
    assert out["prevalence"] == pytest.approx(labels.mean())


def test_confusion_counts_add_up(classified):
    labels, scores = classified
    counts = evaluation.confusion_counts(labels, scores, 0.4)
    assert sum(counts.values()) == len(labels)
    assert counts["tp"] + counts["fn"] == labels.sum()


def test_classification_inputs_are_checked():
    with pytest.raises(ValueError, match="0/1"):
        evaluation.confusion_counts([0, 2], [0.1, 0.2], 0.5)
    with pytest.raises(ValueError, match="must match"):
        evaluation.confusion_counts([0, 1], [0.1], 0.5)


def test_nothing_flagged_gives_nan_precision():
    out = evaluation.classification_metrics([0, 1, 1], [0.1, 0.2, 0.3], threshold=0.9)
    assert np.isnan(out["precision"]) and out["recall"] == 0 and out["f1"] == 0


@pytest.mark.parametrize("case", range(60))
def test_best_threshold_is_the_brute_force_minimum(case):
    rng = np.random.default_rng(case)
    n = int(rng.integers(1, 60))
    labels = rng.integers(0, 2, n)
    scores = np.round(rng.random(n), int(rng.integers(1, 4)))  # ties included
    cost_missed, cost_review = rng.uniform(0.1, 100, 2)
    threshold, cost = evaluation.best_threshold(labels, scores, cost_missed, cost_review)
    brute = min(cost_missed * np.sum((scores < t) & (labels == 1)) + cost_review * np.sum((scores >= t) & (labels == 0))
                for t in [*scores, np.inf])
    assert cost == pytest.approx(brute)
    flagged = scores >= threshold
    recomputed = cost_missed * np.sum(~flagged & (labels == 1)) + cost_review * np.sum(flagged & (labels == 0))
    assert recomputed == pytest.approx(cost)


def test_cost_curve_on_a_grid(classified):
    labels, scores = classified
    curve = evaluation.cost_curve(labels, scores, 10, 1, thresholds=[0.0, 0.5, 2.0])
    assert curve.loc[0, "fn"] == 0 and curve.loc[0, "fp"] == (labels == 0).sum()
    assert curve.loc[2, "tp"] == 0 and curve.loc[2, "cost"] == 10 * labels.sum()


@pytest.mark.parametrize("case", range(40))
def test_charging_every_review_is_the_brute_force_minimum(case):
    rng = np.random.default_rng(100 + case)
    n = int(rng.integers(1, 60))
    labels = rng.integers(0, 2, n)
    scores = np.round(rng.random(n), int(rng.integers(1, 4)))
    cost_missed, cost_review = rng.uniform(0.1, 100, 2)
    threshold, cost = evaluation.best_threshold(labels, scores, cost_missed, cost_review, charge_every_review=True)

    def total(t):  # every flagged listing costs a review, every missed positive costs cost_missed
        flagged = scores >= t
        return cost_missed * np.sum(~flagged & (labels == 1)) + cost_review * np.sum(flagged)

    assert cost == pytest.approx(min(total(t) for t in [*scores, np.inf]))
    assert total(threshold) == pytest.approx(cost)


def test_a_review_of_a_valuable_card_is_charged_too():
    labels, scores = np.array([1, 1, 0, 0]), np.array([0.9, 0.8, 0.7, 0.1])
    curve = evaluation.cost_curve(labels, scores, 40, 5, thresholds=[0.75], charge_every_review=True)
    assert curve.loc[0, ["tp", "fp", "fn"]].tolist() == [2, 0, 0]
    assert curve.loc[0, "cost"] == 10  # two reviews, both of valuable cards
    assert evaluation.cost_curve(labels, scores, 40, 5, thresholds=[0.75]).loc[0, "cost"] == 0  # the shortcut
    # one valuable card, worth less than a review: not worth flagging when every review is charged
    t, cost = evaluation.best_threshold([1, 0], [0.9, 0.1], cost_missed=3, cost_review=5, charge_every_review=True)
    assert np.isinf(t) and cost == 3
    t, cost = evaluation.best_threshold([1, 0], [0.9, 0.1], cost_missed=3, cost_review=5)
    assert t == 0.9 and cost == 0


def test_the_shortcut_is_the_full_model_with_a_cheaper_miss(classified):
    labels, scores = classified
    cost_missed, cost_review = 40.0, 5.0
    full = evaluation.cost_curve(labels, scores, cost_missed, cost_review, charge_every_review=True)
    shortcut = evaluation.cost_curve(labels, scores, cost_missed - cost_review, cost_review)
    # the same decision: the two curves differ by the constant cost of reviewing every positive
    np.testing.assert_allclose(full["cost"] - shortcut["cost"], cost_review * labels.sum())


def test_break_even_thresholds():
    assert evaluation.break_even_threshold(40, 5, charge_every_review=True) == pytest.approx(0.125)
    assert evaluation.break_even_threshold(40, 5) == pytest.approx(5 / 45)
    assert evaluation.break_even_threshold(3, 5, charge_every_review=True) == 1.0  # a review never pays
    with pytest.raises(ValueError, match="positive"):
        evaluation.break_even_threshold(0, 5)


def test_break_even_is_the_optimum_for_calibrated_scores():
    # calibrated scores: each listing is positive with exactly its score's probability
    rng = np.random.default_rng(3)
    scores = rng.random(200_000)
    labels = (rng.random(scores.size) < scores).astype(int)
    for every in (True, False):
        found, _ = evaluation.best_threshold(labels, np.round(scores, 3), 40, 5, charge_every_review=every)
        assert found == pytest.approx(evaluation.break_even_threshold(40, 5, charge_every_review=every), abs=0.02)


def test_sum_ratio():
    assert evaluation.sum_ratio([10, 30], [9, 27]) == pytest.approx(0.9)


def test_curve_points_are_thinned_and_ordered(classified):
    roc, pr = evaluation.curve_points(*classified, max_points=100)
    assert len(roc) <= 100 and len(pr) <= 100
    assert roc["false positive rate"].is_monotonic_increasing
    assert roc["threshold"].max() <= 1.0


def test_calibration_table(classified):
    labels, scores = classified
    table = evaluation.calibration_table(labels, scores, n_bins=5)
    assert table["listings"].sum() == len(labels)
    assert ((table["observed"] >= 0) & (table["observed"] <= 1)).all()


def test_slice_table_and_disparity(classified):
    labels, scores = classified
    groups = pd.DataFrame({"group": np.where(np.arange(len(labels)) % 3 == 0, "a", "b")})
    table = evaluation.slice_table(groups, labels, scores, 0.5, "group")
    assert table["listings"].sum() == len(labels)
    assert set(table.columns) >= {"flag_rate", "precision", "recall", "false_positive_rate"}
    assert 0 < evaluation.disparity(table, "recall") <= 1
    assert np.isnan(evaluation.disparity(table, "recall", min_listings=10**6))
    assert (table["positives"] <= table["listings"]).all()
    assert ((table["recall_low"] <= table["recall"]) & (table["recall"] <= table["recall_high"])).all()
    assert table["enough_data"].tolist() == (table["positives"] >= evaluation.MIN_SLICE_COUNT).tolist()


def _slices(recalls_and_positives):
    rows = [{"group": g, "positives": n, "recall": r,
             "recall_low": float(evaluation.proportion_interval(round(r * n), n)[0]),
             "recall_high": float(evaluation.proportion_interval(round(r * n), n)[1])}
            for g, (r, n) in recalls_and_positives.items()]
    return pd.DataFrame(rows)


def _bias_table(errors_by_group: dict[str, np.ndarray]) -> pd.DataFrame:
    """errors_by_segment on per-listing errors: bias, its interval and its standard deviation per group."""
    values = np.concatenate(list(errors_by_group.values()))
    groups = np.concatenate([[g] * len(v) for g, v in errors_by_group.items()])
    residuals = pd.DataFrame({"group": groups, "error": values, "abs_error": np.abs(values), "price_usd": 1.0})
    return evaluation.errors_by_segment(residuals, "group")


def test_compare_groups_claims_a_gap_only_beyond_noise():
    close = evaluation.compare_groups(_slices({"a": (0.91, 34), "b": (0.98, 42)}), "group")
    assert close["lowest"] == "a" and close["highest"] == "b" and not close["significant"]
    assert "includes zero" in evaluation.group_gap_sentence(close, "Recall", "group")
    far = evaluation.compare_groups(_slices({"a": (0.70, 2000), "b": (0.95, 2000)}), "group")
    assert far["significant"] and "beyond noise" in evaluation.group_gap_sentence(far, "Recall", "group")
    assert far["difference"] == pytest.approx(0.25) and far["comparisons"] == 1
    small = evaluation.compare_groups(_slices({"a": (0.2, 5), "b": (1.0, 5), "c": (0.9, 500)}), "group")
    assert small["lowest"] is None and small["excluded"] == ["a", "b"]
    assert "too few" in evaluation.group_gap_sentence(small, "Recall", "group")


def test_a_real_gap_with_overlapping_intervals_is_found():
    # two groups whose own 95% intervals overlap, although their difference is clearly not zero:
    # overlap needs a gap under 3.92 standard errors of one mean, significance only 2.77 (1.96 x sqrt 2)
    rng = np.random.default_rng(1)
    n = 400
    a = rng.normal(0, 1, n)
    b = rng.normal(0, 1, n)
    a, b = (a - a.mean()) / a.std(ddof=1), (b - b.mean()) / b.std(ddof=1)  # exactly mean 0, sd 1
    b = b + 3.3 / np.sqrt(n)  # 3.3 standard errors apart
    table = _bias_table({"a": a, "b": b})
    result = evaluation.compare_groups(table, "group", metric="bias", count="listings")
    assert result["kind"] == "mean" and result["intervals_overlap"]
    assert result["significant"] and result["corrected_interval"][0] > 0
    assert result["difference"] == pytest.approx(3.3 / np.sqrt(n))
    # Welch on summary statistics agrees with scipy on the raw errors
    from scipy import stats

    assert result["p_value"] == pytest.approx(stats.ttest_ind(b, a, equal_var=False).pvalue, rel=1e-6)
    sentence = evaluation.group_gap_sentence(result, "Bias", "group", value_format=evaluation.signed_dollars,
                                             unit="listings")
    assert "beyond noise" in sentence and "overlap" in sentence and "$+" not in sentence


def test_a_recall_gap_with_overlapping_intervals_is_found():
    table = _slices({"a": (0.80, 400), "b": (0.86, 400)})
    assert table.loc[0, "recall_high"] > table.loc[1, "recall_low"]  # the two Wilson intervals overlap
    result = evaluation.compare_groups(table, "group")
    assert result["kind"] == "proportion" and result["intervals_overlap"] and result["significant"]


def test_many_null_slices_give_no_false_gap_at_the_corrected_level():
    # 12 groups drawn from one distribution: the extremes always differ, and an uncorrected test of
    # lowest against highest calls that gap real most of the time; the corrected verdict, rarely
    rng = np.random.default_rng(7)
    trials, false_gaps, naive_gaps = 200, 0, 0
    for _ in range(trials):
        table = _bias_table({f"g{i}": rng.normal(0, 1, 100) for i in range(12)})
        result = evaluation.compare_groups(table, "group", metric="bias", count="listings")
        assert result["comparisons"] == 66
        false_gaps += result["significant"]
        naive_gaps += result["p_value"] < 0.05
    assert false_gaps / trials <= 0.07
    assert naive_gaps / trials > 0.5
    recalls = []
    for _ in range(trials):
        caught = rng.binomial(60, 0.9, size=10)
        recalls.append(evaluation.compare_groups(_slices({f"g{i}": (k / 60, 60) for i, k in enumerate(caught)}),
                                                 "group")["significant"])
    assert np.mean(recalls) <= 0.07


def test_compare_groups_lists_every_pair_with_holm():
    table = _slices({"a": (0.70, 2000), "b": (0.95, 2000), "c": (0.71, 2000)})
    result = evaluation.compare_groups(table, "group")
    pairs = result["pairs"]
    assert len(pairs) == 3 and set(map(frozenset, zip(pairs["lower"], pairs["higher"], strict=True))) == {
        frozenset("ab"), frozenset("bc"), frozenset("ac")}
    assert (pairs["holm_p"] >= pairs["p_value"]).all()
    assert pairs.set_index(["lower", "higher"]).loc[("a", "c"), "significant"] == False  # noqa: E712
    assert result["lowest"] == "a" and result["highest"] == "b" and result["significant"]


def test_holm_adjustment_on_known_values():
    # p-values 0.01, 0.04, 0.03 with m = 3: 0.03, 0.06, 0.06 (step-down, kept monotone)
    np.testing.assert_allclose(evaluation.holm_adjust([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    np.testing.assert_allclose(evaluation.holm_adjust([0.5, 0.9]), [1.0, 1.0])


def test_compare_groups_rejects_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        evaluation.compare_groups(_slices({"a": (0.9, 50), "b": (0.8, 50)}), "group", kind="median")
    with pytest.raises(ValueError, match="alpha"):
        evaluation.compare_groups(_slices({"a": (0.9, 50), "b": (0.8, 50)}), "group", alpha=2)


def test_group_gap_sentence_shows_counts_intervals_and_units():
    bias = pd.DataFrame({"group": ["a", "b"], "listings": [134, 263], "bias": [-1.06, 0.25],
                         "bias_low": [-1.83, -0.29], "bias_high": [-0.28, 0.78], "bias_sd": [4.5, 4.4]})
    result = evaluation.compare_groups(bias, "group", metric="bias", count="listings")
    sentence = evaluation.group_gap_sentence(result, "Bias", "group", value_format=evaluation.signed_dollars,
                                             unit="listings")
    assert "-$1.06 for `a` (134 listings, 95% interval -$1.83 to -$0.28)" in sentence
    assert "+$0.25 for `b` (263 listings, 95% interval -$0.29 to +$0.78)" in sentence
    assert "The gap, $1.31, has a 95% interval of" in sentence and "one comparison" in sentence
    assert result["significant"] and "beyond noise" in sentence and "Monitor" in sentence
    quiet = evaluation.group_gap_sentence(result, "Bias", "group", where="the training data", monitor=False)
    assert "Monitor" not in quiet


def test_signed_dollars():
    assert evaluation.signed_dollars(0.684) == "+$0.68"
    assert evaluation.signed_dollars(-1.5) == "-$1.50"
    assert evaluation.signed_dollars(1234.5, 0) == "+$1,234"
    assert evaluation.signed_dollars(-0.004) == "$0.00"


# ------------------------------------------------------------------------------ model cards
def _card(segments: pd.DataFrame) -> str:
    metrics = {"rmse": 4.0, "mae": 2.0, "median_ape": 0.18, "within_5_usd": 0.87}
    return evaluation.model_card_markdown(
        name="test model", description="A test.", intended_use="Testing.", out_of_scope="Everything else.",
        training={"listings": 10}, test_metrics=metrics, n_test=5, floor_rmse=2.5, baseline_rmse=9.0,
        segments=segments, segment_column="era", limitations=["small"], ethical=["none known"],
        version={"code": "abc"})


def test_model_card_has_every_required_section(residuals):
    card = _card(evaluation.errors_by_segment(residuals, "era"))
    assert evaluation.missing_card_sections(card) == []
    assert "- Test RMSE: $4.00" in card and "| era | listings |" in card
    assert evaluation.card_headings(card)[0] == "Model card: test model"


def test_missing_sections_are_named():
    assert evaluation.missing_card_sections("# Card\n## Model details\n") == evaluation.MODEL_CARD_SECTIONS[1:]


def test_write_model_card_goes_to_the_output_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOURSE_OUTPUT_DIR", str(tmp_path / "out"))
    path = evaluation.write_model_card("# Card\n", "card.md")
    assert path == tmp_path / "out" / "card.md" and path.read_text() == "# Card\n"
    for bad in ("../card.md", "sub/card.md", "card.txt"):
        with pytest.raises(ValueError, match="plain file name"):
            evaluation.write_model_card("# Card\n", bad)
