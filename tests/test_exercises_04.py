"""Every Module 4 exercise: the notebook's stub, the solution, plausible wrong answers, junk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcourse import evaluation
from mlcourse.checker import CORRECT, INCORRECT, NOT_ATTEMPTED
from mlcourse.exercises import ex04
from tests.conftest import ROOT, notebook_defs, shipped_notebook

NOTEBOOK = ROOT / "exercises" / "exercises_04.py"
MODULE = ROOT / "04_model_evaluation.py"


@pytest.fixture(scope="module")
def stubs() -> dict:
    return notebook_defs(shipped_notebook(NOTEBOOK))  # the stubs as shipped, not a learner's answers


def _evaluate(exercise, *answers):
    return exercise.evaluate(*answers, record=False)


# ------------------------------------------------------------------------------ 4.1
def test_4_1_stub_is_not_attempted(stubs):
    assert _evaluate(ex04.metric_choice, stubs["metric_choices"]).status == NOT_ATTEMPTED


def test_4_1_solution_is_correct():
    assert _evaluate(ex04.metric_choice, ex04.SOLUTION_4_1).status == CORRECT


def test_4_1_accepts_either_relative_metric_for_seller_hints():
    assert _evaluate(ex04.metric_choice, {**ex04.SOLUTION_4_1, "seller_hint": "rmse_log"}).status == CORRECT


@pytest.mark.parametrize("scenario, wrong, message", [
    ("review_capacity", "recall", "fixed capacity"),
    ("catch_fakes", "accuracy", "flags nothing"),
    ("inventory_value", "mae", "every dollar alike"),
    ("seller_hint", "rmse", "in proportion"),
    ("shown_probability", "roc_auc", "only judges the ranking"),
    ("shown_probability", "precision", "which mistake costs"),
])
def test_4_1_wrong_answers_get_specific_messages(scenario, wrong, message):
    result = _evaluate(ex04.metric_choice, {**ex04.SOLUTION_4_1, scenario: wrong})
    assert result.status == INCORRECT and message in result.message and scenario in result.message, result.message


def test_4_1_the_inventory_scenario_points_at_rmse_and_the_verdict_says_why():
    text = ex04.METRIC_SCENARIOS["inventory_value"]
    assert "square" in text and "twenty" in text  # the wording fixes one metric: squared dollar errors
    result = _evaluate(ex04.metric_choice, ex04.SOLUTION_4_1)
    assert "400 times" in result.message, result.message
    for wrong in ("mae", "within_usd", "mape", "rmse_log"):
        result = _evaluate(ex04.metric_choice, {**ex04.SOLUTION_4_1, "inventory_value": wrong})
        assert result.status == INCORRECT and "inventory_value" in result.message, result.message


def test_4_1_counts_the_other_wrong_scenarios():
    result = _evaluate(ex04.metric_choice, {**ex04.SOLUTION_4_1, "catch_fakes": "precision", "inventory_value": "mae"})
    assert result.status == INCORRECT and "1 other scenario" in result.message


@pytest.mark.parametrize("junk, message", [
    (["precision"], "should be a dict"),
    ({"review_capacity": "precision"}, "still missing"),
    ({**ex04.SOLUTION_4_1, "catch_fakes": "sensitivity"}, "use one of the keys"),
])
def test_4_1_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex04.metric_choice, junk)
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("value", [["mape"], {"metric": "mape"}, 1, ("mape",)])
def test_4_1_a_choice_that_is_not_a_string_gets_a_clear_message(value):
    # a list used to raise TypeError (unhashable) inside the check: "a bug in the course"
    result = _evaluate(ex04.metric_choice, {**ex04.SOLUTION_4_1, "seller_hint": value})
    assert result.status == INCORRECT, result.message
    assert "give one metric, as a string" in result.message and "seller_hint" in result.message, result.message


# ------------------------------------------------------------------------------ 4.2
def test_4_2_stub_is_not_attempted(stubs):
    result = _evaluate(ex04.error_profile, stubs["worst_error_profile"], stubs["findings"])
    assert result.status == NOT_ATTEMPTED, result.message


def test_4_2_solution_is_correct():
    result = _evaluate(ex04.error_profile, ex04.solution_4_2, ex04.solution_4_2_findings())
    assert result.status == CORRECT, result.message


def test_4_2_solution_matches_the_course_function():
    residuals = ex04.test_residuals()
    pd.testing.assert_frame_equal(ex04.solution_4_2(residuals, "rarity"),
                                  evaluation.segment_lift(residuals, "rarity")[ex04.PROFILE_COLUMNS],
                                  check_names=False, check_index_type=False)


def _signed(residuals, column, n_worst=200):
    return ex04.solution_4_2(residuals.assign(abs_error=residuals["error"]), column, n_worst)


def _counts(residuals, column, n_worst=200):
    out = ex04.solution_4_2(residuals, column, n_worst)
    out["share_worst"] = out["share_worst"] * n_worst
    out["lift"] = out["share_worst"] / out["share_all"]
    return out


def _fixed_200(residuals, column, n_worst=200):
    return ex04.solution_4_2(residuals, column, 200)


def _inverted(residuals, column, n_worst=200):
    out = ex04.solution_4_2(residuals, column, n_worst)
    out["lift"] = out["share_all"] / out["share_worst"].replace(0, np.nan)
    return out


def _drops_absent_values(residuals, column, n_worst=200):
    out = ex04.solution_4_2(residuals, column, n_worst)
    return out[out["share_worst"] > 0]


def _sorted_by_share(residuals, column, n_worst=200):
    return ex04.solution_4_2(residuals, column, n_worst).sort_values("share_worst", ascending=False)


def _outer_join_without_fill(residuals, column, n_worst=200):
    worst = residuals.sort_values("abs_error", ascending=False).head(n_worst)
    profile = pd.DataFrame({"share_worst": worst[column].value_counts(normalize=True),
                            "share_all": residuals[column].value_counts(normalize=True)})  # NaN where absent
    profile["lift"] = profile["share_worst"] / profile["share_all"]
    return profile.sort_values("lift", ascending=False)


def _relative_errors(residuals, column, n_worst=200):
    return ex04.solution_4_2(residuals.assign(abs_error=residuals["log_ratio"].abs()), column, n_worst)


def _under_predictions(residuals, column, n_worst=200):
    return ex04.solution_4_2(residuals.assign(abs_error=-residuals["error"]), column, n_worst)


def _errors_above_average(residuals, column, n_worst=200):
    worst = residuals[residuals["abs_error"] > residuals["abs_error"].mean()]
    share_all = residuals[column].value_counts(normalize=True)
    profile = pd.DataFrame({"share_worst": worst[column].value_counts(normalize=True).reindex(share_all.index,
                                                                                             fill_value=0.0),
                            "share_all": share_all})
    profile["lift"] = profile["share_worst"] / profile["share_all"]
    return profile.sort_values("lift", ascending=False)


@pytest.mark.parametrize("profile, message", [
    (_outer_join_without_fill, "Fill the segments absent from the worst errors with 0"),
    (_relative_errors, "relative size (|log_ratio|)"),
    (_under_predictions, "only under-predictions"),
    (_errors_above_average, "share of the 200 listings with the largest absolute error"),
    (_signed, "with their sign"),
    (_counts, "counts"),
    (_fixed_200, "n_worst"),
    (_inverted, "upside down"),
    (_drops_absent_values, "share_worst 0"),
    (_sorted_by_share, "sort the table by lift"),
    (lambda r, c, n_worst=200: ex04.solution_4_2(r, c, n_worst).drop(columns="lift"), "missing"),
    (lambda r, c, n_worst=200: ex04.solution_4_2(r, c, n_worst).reset_index(), "one row per value"),
])
def test_4_2_wrong_profiles_get_specific_messages(profile, message):
    result = _evaluate(ex04.error_profile, profile, ex04.solution_4_2_findings())
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("profile", [_outer_join_without_fill, _relative_errors, _errors_above_average])
def test_4_2_only_a_fixed_number_is_blamed_on_n_worst(profile):
    # these used to get "Did you use `n_worst` (not a fixed number)?", which was not the cause
    result = _evaluate(ex04.error_profile, profile, ex04.solution_4_2_findings())
    assert result.status == INCORRECT and "n_worst` argument" not in result.message, result.message
    assert "not a fixed number" not in result.message, result.message
    result = _evaluate(ex04.error_profile, _fixed_200, ex04.solution_4_2_findings())
    assert "matches the 200 worst errors, not the 100" in result.message, result.message


@pytest.mark.parametrize("findings", [pd.DataFrame({"era": ["sv"]}), np.array(["sv", "x", "y"]), ["sv"], 3])
def test_4_2_findings_of_the_wrong_type_get_a_clear_message(stubs, findings):
    # a DataFrame or an array used to hit `findings == {}`: "a bug in the course"
    result = _evaluate(ex04.error_profile, stubs["worst_error_profile"], findings)
    assert result.status == NOT_ATTEMPTED and "worst_error_profile" in result.message, result.message
    result = _evaluate(ex04.error_profile, ex04.solution_4_2, findings)
    assert result.status == INCORRECT and "fill `findings`" in result.message, result.message


def test_4_2_the_most_common_value_is_not_the_finding():
    residuals = ex04.test_residuals()
    findings = ex04.solution_4_2_findings()
    most_common = evaluation.worst_errors(residuals, 200)["language"].value_counts().index[0]
    assert most_common != findings["language"]
    result = _evaluate(ex04.error_profile, ex04.solution_4_2, {**findings, "language": most_common})
    assert result.status == INCORRECT and "most common value" in result.message, result.message


@pytest.mark.parametrize("findings, message", [
    (lambda right: {"era": right["era"]}, "still missing"),
    (lambda right: {"era": "vintage", "rarity": "x", "language": "y"}, "not a value"),
    (lambda right: right["era"], "fill `findings`"),
])
def test_4_2_bad_findings_get_a_clear_message(findings, message):
    result = _evaluate(ex04.error_profile, ex04.solution_4_2, findings(ex04.solution_4_2_findings()))
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("junk, message", [
    (lambda r, c, n_worst=200: None, "forget `return`"),
    (lambda r, c, n_worst=200: r[c], "not a DataFrame"),
    (lambda r, c, n_worst=200: r["no such column"], "KeyError"),
    ("profile", "to be a function"),
])
def test_4_2_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex04.error_profile, junk, ex04.solution_4_2_findings())
    assert result.status == INCORRECT and message in result.message, result.message


# ------------------------------------------------------------------------------ 4.3
def test_4_3_stub_is_not_attempted(stubs):
    assert _evaluate(ex04.threshold_costs, stubs["best_threshold"]).status == NOT_ATTEMPTED


def test_4_3_solution_is_correct():
    result = _evaluate(ex04.threshold_costs, ex04.solution_4_3)
    assert result.status == CORRECT, result.message


def test_4_3_a_grid_search_on_hundredths_is_accepted():
    def grid(labels, scores, cost_missed, cost_review):
        curve = evaluation.cost_curve(labels, scores, cost_missed, cost_review, thresholds=np.arange(0, 1.001, 0.01))
        return float(curve.loc[curve["cost"].idxmin(), "threshold"])

    assert _evaluate(ex04.threshold_costs, grid).status == CORRECT


def test_4_3_the_check_passes_rounded_scores_and_stays_exact_on_them():
    calls = []

    def recording(labels, scores, cost_missed, cost_review):
        calls.append(len(np.unique(scores)))
        return ex04.solution_4_3(labels, scores, cost_missed, cost_review)

    result = _evaluate(ex04.threshold_costs, recording)
    assert result.status == CORRECT, result.message
    assert len(calls) == len(ex04.COST_CASES)
    assert max(calls) <= 10 ** ex04.CHECK_SCORE_DECIMALS + 1
    labels, scores = ex04.threshold_check_data()
    raw_labels, raw_scores = ex04.review_labels_and_scores()
    np.testing.assert_array_equal(labels, raw_labels)
    assert np.abs(scores - raw_scores).max() <= 0.5 * 10 ** -ex04.CHECK_SCORE_DECIMALS + 1e-12
    for cost_missed, cost_review in ex04.COST_CASES:
        best_t, best_cost = evaluation.best_threshold(labels, scores, cost_missed, cost_review)
        assert ex04.solution_4_3(labels, scores, cost_missed, cost_review) == pytest.approx(best_t)
        # the rounding barely moves the optimum: far less than the 5% tolerance
        raw_cost = evaluation.best_threshold(raw_labels, raw_scores, cost_missed, cost_review)[1]
        assert abs(best_cost - raw_cost) <= 0.01 * raw_cost


def _swapped(labels, scores, cost_missed, cost_review):
    return ex04.solution_4_3(labels, scores, cost_review, cost_missed)


def _max_f1(labels, scores, cost_missed, cost_review):
    curve = evaluation.cost_curve(labels, scores, 1, 1, thresholds=np.arange(0.01, 1.0, 0.01))
    f1 = 2 * curve["tp"] / (2 * curve["tp"] + curve["fp"] + curve["fn"])
    return float(curve.loc[f1.idxmax(), "threshold"])


@pytest.mark.parametrize("answer, message", [
    (_swapped, "swapped"),
    (lambda labels, scores, cost_missed, cost_review: 0.5, "whatever the costs"),
    (lambda labels, scores, cost_missed, cost_review: cost_review / (cost_review + cost_missed), "calibrated"),
    (_max_f1, "the cheapest threshold"),
])
def test_4_3_wrong_answers_get_specific_messages(answer, message):
    result = _evaluate(ex04.threshold_costs, answer)
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("junk, message", [
    (lambda *a: None, "forget `return`"),
    (lambda *a: (0.2, 100.0), "threshold alone"),
    (lambda *a: "low", "expected a number"),
    (lambda *a: float("nan"), "expected a number"),
    (lambda labels, scores, cm, cr: scores.nope, "AttributeError"),
])
def test_4_3_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex04.threshold_costs, junk)
    assert result.status == INCORRECT and message in result.message, result.message


# ------------------------------------------------------------------------------ 4.4
def test_4_4_stub_is_not_attempted(stubs):
    assert _evaluate(ex04.model_card, stubs["model_card"]).status == NOT_ATTEMPTED


def test_4_4_solution_is_correct():
    result = _evaluate(ex04.model_card, ex04.solution_4_4())
    assert result.status == CORRECT, result.message


def test_4_4_the_card_module_4_generates_passes_the_check():
    card = notebook_defs(MODULE)["card_markdown"]
    result = _evaluate(ex04.model_card, card)
    assert result.status == CORRECT, result.message


def _replace_line(card: str, label: str, new_line: str) -> str:
    return "\n".join(new_line if label in line else line for line in card.splitlines())


def test_4_4_wrong_cards_get_specific_messages():
    card = ex04.solution_4_4()
    n = ex04.reference_numbers()
    cases = [
        (card.replace("## Limitations", "## Notes"), "Limitations"),
        (card.replace("## Intended use\n", "## Intended use\nTBD\n## Scope\n"), "nearly) empty"),
        (_replace_line(card, "Test RMSE", f"- Test RMSE: ${n['train_rmse']:.2f}"), "training data"),
        (_replace_line(card, "Test MAE", f"- Test MAE: ${n['train_mae']:.2f}"), "training data"),
        (_replace_line(card, "Test listings", f"- Test listings: {n['n_train']:,.0f}"), "training listings"),
        (_replace_line(card, "Test RMSE", "- Test RMSE: $4.60"), "Compute every number"),
        (_replace_line(card, "Noise floor", "- Noise floor: about two dollars"), "Noise floor"),
        (_replace_line(card, "Test MAE", "- Typical error: small"), "State the test MAE"),
    ]
    for text, message in cases:
        result = _evaluate(ex04.model_card, text)
        assert result.status == INCORRECT and message in result.message, (message, result.message)


def test_4_4_numbers_must_sit_on_their_line_in_the_evaluation_section():
    card = ex04.solution_4_4()
    n = ex04.reference_numbers()
    # used to pass: the Evaluation line has no number, and the RMSE is found in another section
    moved = _replace_line(card, "Test RMSE", "- Test RMSE: see the limitations").replace(
        "## Limitations\n", f"## Limitations\nTest RMSE ${n['test_rmse']:.2f} hides large misses.\n")
    result = _evaluate(ex04.model_card, moved)
    assert result.status == INCORRECT and "'Evaluation' section" in result.message, result.message
    assert "elsewhere" in result.message, result.message
    # used to pass: the number sits on the next line, not on the label's line
    split = _replace_line(card, "Test MAE", f"- Test MAE:\n  ${n['test_mae']:.2f}")
    result = _evaluate(ex04.model_card, split)
    assert result.status == INCORRECT and "test MAE" in result.message, result.message
    # a right number in the model details section does not replace the Evaluation line
    details = card.replace("## Model details\n", f"## Model details\nNoise floor: ${n['floor_rmse']:.2f}\n")
    result = _evaluate(ex04.model_card, _replace_line(details, "- Noise floor", "- Noise floor: unknown"))
    assert result.status == INCORRECT and "Noise floor" in result.message, result.message


def test_4_4_labels_match_as_words():
    assert ex04._number_after("test mae", "- Test MAE: $2.20") == 2.20
    assert ex04._number_after("test mae", "- Contest maeve: 7\n- Test MAE: $2.20") == 2.20


@pytest.mark.parametrize("label, new_line", [
    ("Test listings", "- Evaluated on {n_test:,.0f} test listings"),
    ("Test RMSE", "- RMSE on the test set: ${test_rmse:.2f}"),
    ("Test listings", "- Test listings (20% hold-out, 2024): {n_test:,.0f}"),
    ("Test MAE", "- Test MAE (mean absolute error, 2 decimals): ${test_mae:.2f} (train ${train_mae:.2f})"),
    ("Test RMSE", "- Test RMSE ${test_rmse:.2f}"),
])
def test_4_4_natural_phrasings_of_a_right_number_pass(label, new_line):
    # the first three used to be rejected, or read as 20 (the number inside the parentheses)
    card = _replace_line(ex04.solution_4_4(), label, new_line.format(**ex04.reference_numbers()))
    result = _evaluate(ex04.model_card, card)
    assert result.status == CORRECT, result.message


def test_4_4_a_number_in_parentheses_is_not_the_value():
    card = _replace_line(ex04.solution_4_4(), "Test listings", "- Test listings (20% hold-out, 2024): about ten thousand")
    result = _evaluate(ex04.model_card, card)
    assert result.status == INCORRECT and "State the test listings" in result.message, result.message
    assert ex04._number_after("Test listings", "- Test listings (20% hold-out, 2024): 10,542") == 10542
    assert ex04._number_after("Noise floor", "- Noise floor (best possible RMSE): $2.45") == 2.45
    assert ex04._number_after("Test RMSE", "- Test RMSE on 10,542 listings: $3.78") == 3.78
    assert ex04._number_after("Test RMSE", "- RMSE on the training set: $2.99") is None


def test_4_4_messages_spell_the_labels_as_the_card_does():
    card = _replace_line(ex04.solution_4_4(), "Test RMSE", "- Test RMSE: soon")
    result = _evaluate(ex04.model_card, card)
    n = ex04.reference_numbers()
    assert f"`- Test RMSE: ${n['test_rmse']:.2f}`" in result.message and "test RMSE" in result.message, result.message
    assert "Test rmse" not in result.message and "`Label: value`" in result.message
    source = (ROOT / "exercises" / "exercises_04.py").read_text()
    assert "`Label: value`" in source and "ex04.CARD_NUMBERS" in source


@pytest.mark.parametrize("junk, message", [
    (42, "Markdown string"),
    (["# Model card"], "Markdown string"),
    ("Just some text about my model.", "lacks these sections"),
])
def test_4_4_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex04.model_card, junk)
    assert result.status == INCORRECT and message in result.message, result.message


# ------------------------------------------------------------------------------ 4.5
def test_4_5_stub_is_not_attempted(stubs):
    assert _evaluate(ex04.stakeholder_message, stubs["stakeholder_message"]).status == NOT_ATTEMPTED


def test_4_5_solution_is_correct():
    result = _evaluate(ex04.stakeholder_message, ex04.solution_4_5())
    assert result.status == CORRECT, result.message


def test_4_5_wrong_messages_get_specific_messages():
    good = ex04.solution_4_5()
    n = ex04.reference_numbers()
    cases = [
        (good.replace("typical error is", "RMSE is"), "plain words"),
        (good.replace(f"${n['test_mae']:.2f}", "$1.00").replace(f"{n['within_5_usd']:.0%}", "most"), "matches the evaluation"),
        (good.replace(f"${n['rule_mae']:.2f}", "a lot more").replace(f"{1 - n['test_mae'] / n['rule_mae']:.0%}", "much"),
         "what the business does today"),
        (good.split("Where it is weaker")[0] + " Sellers will like the new prices, and the team is ready." * 6
         + " I recommend we launch it everywhere next week.", "limitation"),
        (good.split("I recommend")[0] + " The numbers come from listings the model never saw." * 3, "recommend"),
        ("The model is great. $2.19", "words"),
    ]
    for text, message in cases:
        result = _evaluate(ex04.stakeholder_message, text)
        assert result.status == INCORRECT and message in result.message, (message, result.message)


def test_4_5_words_match_whole_words_only():
    good = ex04.solution_4_5()
    # used to pass: "note" counted as the limitation word "not", "nothing" too
    no_limit = (good.split("Where it is weaker")[0] + " Please note the model is ready and nothing else is needed."
                * 4 + " I recommend we launch it everywhere next week.")
    assert "not" in no_limit.lower()
    result = _evaluate(ex04.stakeholder_message, no_limit)
    assert result.status == INCORRECT and "limitation" in result.message, result.message
    # used to fail: "auction" was read as the jargon "auc"
    with_auctions = good.replace("Summary:", "Summary (auctions are out of scope):")
    result = _evaluate(ex04.stakeholder_message, with_auctions)
    assert result.status == CORRECT, result.message
    # used to pass: "plan" inside "planet", "miss" inside "mission" no longer count
    assert not ex04._mentions("our mission on this planet", ex04.ASK_WORDS + ex04.LIMITATION_WORDS)


@pytest.mark.parametrize("junk, message", [
    (3.5, "should be a string"),
    ({"text": "hello"}, "should be a string"),
])
def test_4_5_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex04.stakeholder_message, junk)
    assert result.status == INCORRECT and message in result.message, result.message


def test_exercise_data_are_fresh_copies():
    residuals = ex04.test_residuals()
    residuals.loc[0, "error"] = 1e9
    assert ex04.test_residuals().loc[0, "error"] < 1e9
    labels, scores = ex04.review_labels_and_scores()
    scores[:] = 0
    assert ex04.review_labels_and_scores()[1].max() > 0
