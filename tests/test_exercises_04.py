"""Every Module 4 exercise: the notebook's stub, the solution, plausible wrong answers, junk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcourse import evaluation
from mlcourse.checker import CORRECT, INCORRECT, NOT_ATTEMPTED
from mlcourse.exercises import ex04
from tests.conftest import ROOT, notebook_defs

NOTEBOOK = ROOT / "exercises" / "exercises_04.py"
MODULE = ROOT / "04_model_evaluation.py"


@pytest.fixture(scope="module")
def stubs() -> dict:
    return notebook_defs(NOTEBOOK)


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


@pytest.mark.parametrize("profile, message", [
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
        (_replace_line(card, "Test MAE", "- Typical error: small"), "test mae"),
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
    assert result.status == INCORRECT and "test mae" in result.message, result.message
    # a right number in the model details section does not replace the Evaluation line
    details = card.replace("## Model details\n", f"## Model details\nNoise floor: ${n['floor_rmse']:.2f}\n")
    result = _evaluate(ex04.model_card, _replace_line(details, "- Noise floor", "- Noise floor: unknown"))
    assert result.status == INCORRECT and "Noise floor" in result.message, result.message


def test_4_4_labels_match_as_words():
    assert ex04._number_after("test mae", "- Test MAE: $2.20") == 2.20
    assert ex04._number_after("test mae", "- Contest maeve: 7\n- Test MAE: $2.20") == 2.20


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
