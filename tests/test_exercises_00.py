"""Every Module 0 exercise: the notebook's stub, the solution, plausible wrong answers, junk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcourse.checker import CORRECT, INCORRECT, NOT_ATTEMPTED
from mlcourse.exercises import ex00
from tests.conftest import ROOT, notebook_defs, shipped_notebook

NOTEBOOK = ROOT / "exercises" / "exercises_00.py"


@pytest.fixture(scope="module")
def stubs() -> dict:
    return notebook_defs(shipped_notebook(NOTEBOOK))  # the stubs as shipped, not a learner's answers


def _evaluate(exercise, *answers):
    return exercise.evaluate(*answers, record=False)


# ------------------------------------------------------------------------------ 0.1
def test_0_1_stub_is_not_attempted(stubs):
    assert _evaluate(ex00.should_use_ml, stubs["decisions"]).status == NOT_ATTEMPTED


def test_0_1_solution_is_correct():
    result = _evaluate(ex00.should_use_ml, ex00.solution_0_1())
    assert result.status == CORRECT, result.message
    assert "inventory_reorder" in result.message  # the discussion comes with the verdict


def test_0_1_answers_are_case_space_and_punctuation_insensitive():
    shouted = {k: (f"  {a.upper()} ", why) for k, (a, why) in ex00.solution_0_1().items()}
    assert _evaluate(ex00.should_use_ml, shouted).status == CORRECT
    written = {k: (f"{a.capitalize()}{end}", why) for (k, (a, why)), end in zip(
        ex00.solution_0_1().items(), [".", "!", ".", " .", ""], strict=True)}
    assert _evaluate(ex00.should_use_ml, written).status == CORRECT


def test_0_1_buying_a_translation_api_is_still_machine_learning():
    decisions = ex00.solution_0_1()
    decisions["translation"] = ("no", "Do not build anything: buy a translation API and call it.")
    result = _evaluate(ex00.should_use_ml, decisions)
    assert result.status == INCORRECT and "bought rather than built" in result.message, result.message
    decisions["translation"] = ("maybe", "Card titles are formulaic: a glossary of official names may do.")
    result = _evaluate(ex00.should_use_ml, decisions)
    assert result.status == INCORRECT and "free-text descriptions" in result.message, result.message
    assert "free-text" in ex00.SCENARIOS["translation"]


@pytest.mark.parametrize("scenario, answer, message", [
    ("inventory_reorder", "yes", "reorder point"),          # the classic: ML for everything
    ("calculator", "maybe", "exactly right"),
    ("card_fraud", "no", "every few weeks"),
    ("translation", "maybe", "checklist"),
])
def test_0_1_wrong_answers_get_specific_messages(scenario, answer, message):
    decisions = ex00.solution_0_1()
    decisions[scenario] = (answer, decisions[scenario][1])
    result = _evaluate(ex00.should_use_ml, decisions)
    assert result.status == INCORRECT
    assert "4 of 5 right" in result.message and scenario in result.message and message in result.message


def test_0_1_all_yes_names_every_wrong_scenario():
    decisions = {k: ("yes", "Machine learning can learn anything from data.") for k in ex00.SCENARIOS}
    result = _evaluate(ex00.should_use_ml, decisions)
    assert result.status == INCORRECT and "3 of 5" in result.message
    assert "inventory_reorder" in result.message and "calculator" in result.message


@pytest.mark.parametrize("change, message", [
    (lambda d: {**d, "calculator": ("no", "law")}, "reason"),
    (lambda d: {**d, "calculator": "no"}, "pair (answer, reason)"),
    (lambda d: {**d, "calculator": ("nope", "The law sets the rate, so it is exact.")}, "one of yes, no, maybe"),
    (lambda d: {k: v for k, v in d.items() if k != "translation"}, "Missing scenario"),
    (lambda d: {**d, "weather": ("yes", "Forecasts need models of the atmosphere and data.")}, "Unknown scenario"),
    (lambda d: {**d, "card_fraud": ...}, "still `...`"),
])
def test_0_1_malformed_answers_get_clear_messages(change, message):
    result = _evaluate(ex00.should_use_ml, change(ex00.solution_0_1()))
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("junk, message", [([("yes", "x")] * 5, "should be a dict"), ("yes", "should be a dict")])
def test_0_1_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex00.should_use_ml, junk)
    assert result.status == INCORRECT and message in result.message


# ------------------------------------------------------------------------------ 0.2
def test_0_2_stub_is_not_attempted(stubs):
    result = _evaluate(ex00.project_proposal, stubs["proposal_roi"], stubs["proposal"])
    assert result.status == NOT_ATTEMPTED


def test_0_2_solution_is_correct():
    result = _evaluate(ex00.project_proposal, ex00.solution_0_2_roi, ex00.solution_0_2_proposal())
    assert result.status == CORRECT, result.message


def test_0_2_right_numbers_and_the_template_ask_for_the_prose(stubs):
    result = _evaluate(ex00.project_proposal, ex00.solution_0_2_roi, stubs["proposal"])
    assert result.status == INCORRECT and "Now write the proposal" in result.message


def _mistake(kind):
    def roi(scenario):
        s = dict(scenario)
        labour = s["listings_per_month"] * s["share_automated"] * s["minutes_saved_per_listing"] / 60 * s["hourly_cost_usd"]
        automated = 1.0 if kind == "gain on every listing" else s["share_automated"]
        pricing = s["listings_per_month"] * automated * s["error_reduction_usd"] * s["share_of_error_lost"]
        running = 0 if kind == "no running cost" else s["running_cost_per_month_usd"]
        if kind == "minutes as hours":
            labour *= 60
        net = labour + pricing - running
        value = net * s["horizon_months"] - s["build_cost_usd"]
        roi = {"no build cost subtracted": net * s["horizon_months"] / s["build_cost_usd"],
               "percent": 100 * value / s["build_cost_usd"]}.get(kind, value / s["build_cost_usd"])
        payback = s["build_cost_usd"] / net
        if kind == "payback without inf" or net > 0:
            return {"monthly_net_benefit_usd": net, "payback_months": payback, "roi": roi}
        return {"monthly_net_benefit_usd": net, "payback_months": float("inf"), "roi": roi}
    return roi


@pytest.mark.parametrize("kind, message", [
    ("no running cost", "forgot the running cost"),
    ("minutes as hours", "minutes as hours"),
    ("no build cost subtracted", "did not subtract the build cost"),
    ("percent", "in percent"),
    ("payback without inf", "never pays back"),
    ("gain on every listing", "applied the pricing gain to every listing"),
])
def test_0_2_classic_roi_mistakes_are_named(kind, message):
    result = _evaluate(ex00.project_proposal, _mistake(kind), ex00.solution_0_2_proposal())
    assert result.status == INCORRECT and message in result.message, result.message


def test_0_2_rounded_numbers_are_right():
    def rounded(digits):
        def roi(scenario):
            result = ex00.solution_0_2_roi(scenario)
            return {k: v if v == float("inf") else round(v, digits[k]) for k, v in result.items()}
        return roi

    for digits in ({"monthly_net_benefit_usd": 2, "payback_months": 2, "roi": 4},
                   {"monthly_net_benefit_usd": 0, "payback_months": 1, "roi": 2}):
        result = _evaluate(ex00.project_proposal, rounded(digits), ex00.solution_0_2_proposal())
        assert result.status == CORRECT, (digits, result.message)


def test_0_2_a_number_off_by_more_than_rounding_is_wrong():
    def payback_off(scenario):
        result = ex00.solution_0_2_roi(scenario)
        return {**result, "payback_months": result["payback_months"] + 0.2}

    result = _evaluate(ex00.project_proposal, payback_off, ex00.solution_0_2_proposal())
    assert result.status == INCORRECT and "`payback_months`" in result.message and "rounding is fine" in result.message


def test_0_2_scenario_uses_the_measured_saving():
    scenario = ex00.proposal_scenario()
    saved = ex00.evidence_table().set_index("measure").loc["saved per listing ($)", "value"]
    assert scenario["error_reduction_usd"] == pytest.approx(saved, abs=0.005)
    scenario["listings_per_month"] = -1
    assert ex00.proposal_scenario()["listings_per_month"] > 0, "each call returns a fresh dict"


def test_0_2_hard_coded_numbers_fail_on_another_scenario():
    right = ex00.solution_0_2_roi(ex00.proposal_scenario())
    result = _evaluate(ex00.project_proposal, lambda scenario: dict(right), ex00.solution_0_2_proposal())
    assert result.status == INCORRECT and "another scenario" in result.message


def _edit(section, text):
    proposal = ex00.solution_0_2_proposal()
    proposal[section] = text(proposal[section]) if callable(text) else text
    return proposal


def _solution_roi():
    return ex00.solution_0_2_roi(ex00.proposal_scenario())


@pytest.mark.parametrize("proposal, message", [
    (_edit("roi", lambda t: t.replace(f"{_solution_roi()['payback_months']:.1f} months",
                                      f"{_solution_roi()['payback_months'] + 2:.1f} months")),
     "payback your calculation gives"),
    (_edit("roi", lambda t: t.replace(f"{_solution_roi()['roi']:.0%}", f"{_solution_roi()['roi'] + 0.1:.0%}")),
     "first-year ROI"),
    (_edit("risks", "- Data quality could be poor, so we will validate every feed at ingestion and alert the owner."),
     "at least two"),
    (_edit("success_metrics", "Sellers will be happier and we will make more money with better prices overall, "
                             "as the model learns."),
     "target number"),
    (_edit("why_ml", "Machine learning is the modern way to do pricing and everybody in the industry uses it now."),
     "today's method"),
    (_edit("timeline", "We will start next quarter, and deliver the model after the data work is done."), "durations"),
    (_edit("problem", "TODO: who has the problem"), "still has its TODO"),
    (_edit("problem", "Pricing is slow."), "at least 15"),
    (_edit("problem", "word " * 700), "one page"),
    ({k: v for k, v in ex00.solution_0_2_proposal().items() if k != "risks"}, "missing section"),
])
def test_0_2_proposal_problems_are_named(proposal, message):
    result = _evaluate(ex00.project_proposal, ex00.solution_0_2_roi, proposal)
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("roi_fn, proposal, message", [
    (lambda s: None, ex00.PROPOSAL_TEMPLATE, "Did you forget `return`"),
    (lambda s: {"roi": 0.2}, ex00.PROPOSAL_TEMPLATE, "missing monthly_net_benefit_usd"),
    (lambda s: s["listings"], ex00.PROPOSAL_TEMPLATE, "KeyError"),
    ("0.23", ex00.PROPOSAL_TEMPLATE, "to be a function"),
    (lambda s: {"monthly_net_benefit_usd": "9200", "payback_months": 9.8, "roi": 0.2}, None, "should be a number"),
    (ex00.solution_0_2_roi, "my proposal", "should be a dict"),
    (ex00.solution_0_2_roi, {k: 42 for k in ex00.PROPOSAL_SECTIONS}, "should be text"),
])
def test_0_2_junk_gets_a_clear_message(roi_fn, proposal, message):
    result = _evaluate(ex00.project_proposal, roi_fn, proposal)
    assert result.status == INCORRECT and message in result.message, result.message


def test_0_2_payback_must_be_written_in_months():
    payback = _solution_roi()["payback_months"]
    # The right number, but not as a duration: "$6.96" next to a 7.2-month payback is not a payback.
    proposal = _edit("roi", lambda t: t.replace(f"{payback:.1f} months", f"{payback:.1f} (see the table)"))
    result = _evaluate(ex00.project_proposal, ex00.solution_0_2_roi, proposal)
    assert result.status == INCORRECT and "written as 'N months'" in result.message, result.message


def test_numbers_in_reads_money_percent_and_decimals():
    assert ex00.numbers_in("Net $9,200 a month; payback 9.8 months, ROI 23%.") == [9200.0, 9.8, 23.0]


# ------------------------------------------------------------------------------ 0.3
def test_0_3_stub_is_not_attempted(stubs):
    result = _evaluate(ex00.metrics_translation, stubs["translations"], stubs["share_within"])
    assert result.status == NOT_ATTEMPTED


def test_0_3_solution_is_correct():
    result = _evaluate(ex00.metrics_translation, *ex00.solution_0_3())
    assert result.status == CORRECT, result.message


def _translations(req, **change):
    translations, share_within = ex00.solution_0_3()
    translations[req] = {**translations[req], **change}
    return translations, share_within


@pytest.mark.parametrize("answer, message", [
    (_translations("R3", metric="accuracy"), "Accuracy would reward flagging nothing"),   # the classic mistake
    (_translations("R3", metric="precision"), "precision counts wasted reviews"),
    (_translations("R2", metric="rmse_log"), "about dollars"),
    (_translations("R1", metric="mae_usd"), "within a tolerance"),
    (_translations("R1", target=80), "fractions"),
    (_translations("R2", target=round(ex00.guide_mae_usd(), 2)), "halve it"),   # forgot to halve
    (_translations("R3", max_flagged_share=0.9), "read the requirement again"),
    (_translations("R1", metric="f1"), "should be one of"),
])
def test_0_3_wrong_translations_get_specific_messages(answer, message):
    result = _evaluate(ex00.metrics_translation, *answer)
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("share_within", [
    lambda a, p, t: float(np.mean(np.abs(p / a - 1) <= t)),        # rounds the ties at the edge differently
    lambda a, p, t: float(np.mean(np.abs(p - a) / a <= t)),
    lambda a, p, t: float(np.mean(np.abs(p - a) < t * a)),          # ties out: a defensible reading
])
def test_0_3_equivalent_formulas_are_accepted(share_within):
    translations, _ = ex00.solution_0_3()
    result = _evaluate(ex00.metrics_translation, translations, share_within)
    assert result.status == CORRECT, result.message


def test_0_3_ties_at_the_edge_count_either_way(monkeypatch):
    # Sales and guide prices exactly 20% apart, where the two formulas round differently.
    actual = np.array([1.75, 13.6, 32.2, 10.0, 3.0])
    predicted = np.array([2.1, 16.32, 25.76, 11.0, 1.0])
    by_ratio = np.mean(np.abs(predicted / actual - 1) <= 0.2)
    by_difference = np.mean(np.abs(predicted - actual) <= 0.2 * actual)
    assert by_ratio != by_difference, "the example must contain floating-point ties"
    monkeypatch.setattr(ex00, "_metric_test_data", lambda: (actual, predicted, predicted))
    translations, _ = ex00.solution_0_3()
    for formula in (lambda a, p, t: float(np.mean(np.abs(p / a - 1) <= t)),
                    lambda a, p, t: float(np.mean(np.abs(p - a) <= t * a))):
        result = _evaluate(ex00.metrics_translation, translations, formula)
        assert result.status == CORRECT, result.message
    result = _evaluate(ex00.metrics_translation, translations, lambda a, p, t: 0.0)
    assert result.status == INCORRECT and "expected" in result.message


def _relative_to_prediction(actual, predicted, tolerance):
    return float(np.mean(np.abs(predicted - actual) <= tolerance * np.abs(predicted)))


@pytest.mark.parametrize("share_within, message", [
    (_relative_to_prediction, "of the *actual* sale price"),
    (lambda a, p, t: 100 * float(np.mean(np.abs(p - a) <= t * a)), "a percentage"),
    (lambda a, p, t: int(np.sum(np.abs(p - a) <= t * a)), "a count"),
    (lambda a, p, t: float(np.mean(np.abs(p - a) <= 0.2 * a)), "expected"),         # ignores the tolerance
    (lambda a, p, t: np.abs(p - a) <= t * a, "return one number"),
    (lambda a, p, t: 1 / 0, "ZeroDivisionError"),
])
def test_0_3_wrong_metric_functions_get_specific_messages(share_within, message):
    translations, _ = ex00.solution_0_3()
    result = _evaluate(ex00.metrics_translation, translations, share_within)
    assert result.status == INCORRECT and message in result.message, result.message


def test_0_3_right_translations_without_the_function(stubs):
    translations, _ = ex00.solution_0_3()
    assert _evaluate(ex00.metrics_translation, translations, stubs["share_within"]).status == NOT_ATTEMPTED
    result = _evaluate(ex00.metrics_translation, translations, ...)
    assert result.status == INCORRECT and "Now implement `share_within`" in result.message


@pytest.mark.parametrize("junk, message", [
    (["R1", "R2", "R3"], "should be a dict"),
    ({"R1": "share", "R2": "mae", "R3": "recall"}, "should be a dict like"),
    ({"R1": {"metric": np.array(["recall", "precision"])}}, "metric should be one of"),
    ({"R1": {"metric": pd.DataFrame({"a": [1, 2]})}}, "metric should be one of"),
    ({"R1": {"metric": ["share_within_tolerance"]}}, "metric should be one of"),
])
def test_0_3_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex00.metrics_translation, junk, ex00.solution_0_3()[1])
    assert result.status == INCORRECT and message in result.message, result.message


# ------------------------------------------------------------------------------ 0.4
def test_0_4_stub_is_not_attempted(stubs):
    assert _evaluate(ex00.stakeholder_qa, stubs["answers"]).status == NOT_ATTEMPTED


def test_0_4_solution_is_correct():
    result = _evaluate(ex00.stakeholder_qa, ex00.solution_0_4())
    assert result.status == CORRECT, result.message


def _vp(template):
    evidence = ex00._evidence()
    text = ("We measured it on marketplace listings. " + template.format(**{
        "guide": evidence["guide error ($)"], "model": evidence["model error ($)"],
        "guide_pct": evidence["guide error (%)"]}) +
        " The guide only knows era and rarity, and it stays as our fallback for bulk cards.")
    return _answer("vp_why_not_rules", text)


@pytest.mark.parametrize("template", [
    "The guide is off by ${guide:.0f} per card on average, a model by ${model:.0f}.",     # rounded dollars
    "The guide is off by {guide:.1f} dollars per card on average, a model by {model:.1f} dollars.",
    "Half of the guide's prices are more than {guide_pct:.0f}% off the sale price.",     # a rounded percent
])
def test_0_4_rounded_evidence_with_its_unit_counts(template):
    result = _evaluate(ex00.stakeholder_qa, _vp(template))
    assert result.status == CORRECT, result.message


@pytest.mark.parametrize("template", [
    "The guide loses about {guide_pct:.0f} dollars per 100 dollars of sales, which is a lot of money.",  # wrong unit
    "The guide is off by ${guide:.0f}0 per card on average, and the model would do far better.",       # not measured
])
def test_0_4_a_number_in_the_wrong_unit_is_not_evidence(template):
    result = _evaluate(ex00.stakeholder_qa, _vp(template))
    assert result.status == INCORRECT and "no measured evidence" in result.message, result.message


def test_quantities_in_reads_units():
    assert ex00.quantities_in("$13, 13 dollars, 66%, 66 percent, US$4.24, 7.2 months, 12 cards, a 7-month") == [
        (13.0, "$"), (13.0, "$"), (66.0, "%"), (66.0, "%"), (4.24, "$"), (7.2, "months"), (12.0, None),
        (7.0, "months")]


def _cfo(sentence):
    return _answer("cfo_roi", sentence + " The model saves expert time and prices fewer cards too low; a pilot of "
                              "four weeks on one category measures the volume before we commit the full budget.")


@pytest.mark.parametrize("payback", [
    "Payback in about {p:.1f} months.",
    "It pays for itself in roughly {p:.0f} months.",
    "We expect a {p:.0f}-month payback.",
])
def test_0_4_the_payback_in_months_rounded_or_not_counts(payback):
    result = _evaluate(ex00.stakeholder_qa, _cfo(payback.format(p=ex00._payback_of_proposal())))
    assert result.status == CORRECT, result.message


@pytest.mark.parametrize("sentence", [
    "The ROI is strong. We pay roughly {p:.0f} dollars per listing in expert time today.",   # the number, as dollars
    "The ROI is strong: expert time drops by {p:.0f}% and the model pays for itself.",        # as a percent
    "The ROI is strong: {p:.0f} experts' time is freed and the model pays for itself.",       # no unit
])
def test_0_4_the_payback_number_in_another_unit_is_not_the_payback(sentence):
    result = _evaluate(ex00.stakeholder_qa, _cfo(sentence.format(p=ex00._payback_of_proposal())))
    assert result.status == INCORRECT and "does not say when the money comes back" in result.message, result.message
    assert "not as months" in result.message, result.message


def _answer(key, text):
    answers = ex00.solution_0_4()
    answers[key] = text(answers[key]) if callable(text) else text
    return answers


@pytest.mark.parametrize("answers, message", [
    (_answer("cfo_roi", lambda t: t + " The model's RMSE is low."), "uses 'RMSE'"),        # the classic: jargon
    (_answer("vp_why_not_rules", lambda t: t + " We tuned the hyperparameters."),
     "uses 'hyperparameters'"),
    (_answer("vp_why_not_rules", "Rules cannot capture the complexity of the card market, while a model learns "
                                 "every pattern from the data automatically and will always be much more accurate "
                                 "than any rule we could write by hand."), "no measured evidence"),
    (_answer("cfo_roi", "It is an excellent investment: the model saves expert time and improves our prices, so "
                        "the return will be large and it will pay for itself quickly after launch."),
     "does not say when the money comes back"),
    (_answer("cto_what_if_it_fails", "It will not fail: we tested it thoroughly on historical data before "
                                     "launch, the accuracy is high, and the team will fix anything quickly if a problem ever appears."),
     "names no fallback"),
    (_answer("cto_what_if_it_fails", "If it is wrong, the price guide answers instead and an expert reviews the "
                                     "prices of the affected listings until the model is fixed and redeployed "
                                     "by the team."), "how you would know"),
    (_answer("cfo_roi", "Payback in ten months."), "too short"),
    (_answer("cfo_roi", "money " * 200), "stops listening"),
    (_answer("cto_what_if_it_fails", "TODO"), "TODO"),
])
def test_0_4_weak_answers_get_specific_messages(answers, message):
    result = _evaluate(ex00.stakeholder_qa, answers)
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("junk, message", [
    ("My answers", "should be a dict"),
    ({"vp_why_not_rules": "x"}, "Missing answer"),
    ({k: 3 for k in ex00.QUESTIONS}, "should be text"),
])
def test_0_4_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex00.stakeholder_qa, junk)
    assert result.status == INCORRECT and message in result.message, result.message


def test_evidence_comes_from_module_0s_comparison():
    table = ex00.evidence_table().set_index("measure")["value"]
    assert table["guide error ($)"] > table["model error ($)"] > 0
    assert abs(table["guide error ($)"] - table["model error ($)"] - table["saved per listing ($)"]) < 0.02
